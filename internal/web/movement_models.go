package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/recognition"
)

type modelRow struct {
	recognition.Model
	CommuneName string
	TypeName    string
	AreaName    string
	Latest      *recognition.Evaluation // the latest evaluation; commune pages only
}

type provinceCount struct {
	Code, Name string
	Count      int
}

type modelsData struct {
	Years     yearChoice
	Year      int
	Scope     movementScope
	Rows      []modelRow
	Provinces []provinceCount // the nation page: active models by province
	CanCreate bool
	Query     template.URL
}

var modelFlash = map[string]string{
	"tao":      "Đã ghi nhận mô hình tự quản.",
	"sua":      "Đã lưu thay đổi.",
	"danh-gia": "Đã ghi kết quả đánh giá.",
}

func (s *Server) modelTypeNames(ctx context.Context) (map[string]string, []recognition.ModelType, error) {
	types, err := s.Recognition.ModelTypes(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, t := range types {
		names[t.Code] = t.Name
	}
	return names, types, nil
}

func (s *Server) modelsPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	year, err := s.movementYear(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	unit := r.URL.Query().Get("don-vi")
	sc, err := s.scopeOf(ctx, u, unit)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d := modelsData{Year: year, Scope: sc, Years: s.yearChoice("/can-bo/phong-trao/mo-hinh", year, map[string]string{"don-vi": unit}),
		Query:     template.URL(query("nam", strconv.Itoa(year), "don-vi", unit)),
		CanCreate: sc.IsCommune() && account.Allowed(u.Role, account.EditMovement)}
	if sc.IsNation() {
		provinces, err := s.Geo.Provinces(ctx, s.Geo.Today())
		if err != nil {
			s.fail(w, r, u, err)
			return
		}
		for _, p := range provinces {
			n, err := s.Recognition.ActiveModels(ctx, p.Code, year)
			if err != nil {
				s.fail(w, r, u, err)
				return
			}
			d.Provinces = append(d.Provinces, provinceCount{Code: p.Code, Name: p.Title(), Count: n})
		}
	} else {
		typeNames, _, err := s.modelTypeNames(ctx)
		if err != nil {
			s.fail(w, r, u, err)
			return
		}
		communes, err := s.communesIn(ctx, sc)
		if err != nil {
			s.fail(w, r, u, err)
			return
		}
		names := map[string]string{}
		for _, c := range communes {
			models, err := s.Recognition.Models(ctx, *u, c.Code)
			if err != nil {
				s.fail(w, r, u, err)
				return
			}
			for _, m := range models {
				row := modelRow{Model: m, CommuneName: c.Title(), TypeName: typeNames[m.TypeCode], AreaName: s.areaName(ctx, m.AreaID, names)}
				if sc.IsCommune() {
					evs, err := s.Recognition.Evaluations(ctx, *u, m.ID)
					if err != nil {
						s.fail(w, r, u, err)
						return
					}
					if len(evs) > 0 {
						row.Latest = &evs[0]
					}
				}
				d.Rows = append(d.Rows, row)
			}
		}
	}
	if wantsCSV(r) {
		s.modelsCSV(w, d)
		return
	}
	s.render(w, r, http.StatusOK, "movement_models", staffView(u, "Mô hình tự quản", d, ""))
}

func (s *Server) modelsCSV(w http.ResponseWriter, d modelsData) {
	if d.Scope.IsNation() {
		rows := make([][]string, 0, len(d.Provinces))
		for _, p := range d.Provinces {
			rows = append(rows, []string{p.Code, csvSafe(p.Name), strconv.Itoa(d.Year), strconv.Itoa(p.Count)})
		}
		s.writeCSV(w, fmt.Sprintf("mo-hinh-%d-theo-tinh.csv", d.Year), []string{"ma_tinh", "ten_tinh", "nam", "so_mo_hinh_hoat_dong"}, rows)
		return
	}
	rows := make([][]string, 0, len(d.Rows))
	for _, m := range d.Rows {
		latest, effective := "", ""
		if m.Latest != nil {
			latest = m.Latest.Period
			effective = "không"
			if m.Latest.Effective {
				effective = "có"
			}
		}
		rows = append(rows, []string{strconv.FormatInt(m.ID, 10), m.CommuneCode, csvSafe(m.CommuneName), csvSafe(m.AreaName), csvSafe(m.Name),
			m.TypeCode, csvSafe(m.TypeName), m.StartedOn, strconv.Itoa(m.Members), recognition.ModelStatusName(m.Status), m.EndedOn, latest, effective})
	}
	s.writeCSV(w, "mo-hinh-"+d.Scope.Code+".csv", []string{"id", "ma_xa", "ten_xa", "khu_dan_cu", "ten_mo_hinh", "ma_loai", "loai",
		"ngay_bat_dau", "so_thanh_vien", "trang_thai", "ngay_ket_thuc", "ky_danh_gia_gan_nhat", "hieu_qua"}, rows)
}

type modelData struct {
	IsNew       bool
	Model       recognition.Model
	Commune     string
	CommuneName string
	TypeName    string
	AreaName    string
	Types       []recognition.ModelType
	Areas       []geo.Area
	Statuses    any
	Evaluations []recognition.Evaluation
	CanEdit     bool
	Year        int
}

func modelForm(m recognition.Model) map[string]string {
	return map[string]string{"name": m.Name, "type": m.TypeCode, "area_id": strconv.FormatInt(m.AreaID, 10), "started_on": m.StartedOn,
		"members": strconv.Itoa(m.Members), "status": m.Status, "ended_on": m.EndedOn}
}

func modelInput(r *http.Request) (recognition.ModelInput, error) {
	in := recognition.ModelInput{Name: r.PostFormValue("name"), TypeCode: r.PostFormValue("type"), StartedOn: r.PostFormValue("started_on"),
		Status: r.PostFormValue("status"), EndedOn: r.PostFormValue("ended_on")}
	var err error
	if in.AreaID, err = formInt64(r, "area_id"); err != nil {
		return in, err
	}
	in.Members, err = formInt(r, "members")
	return in, err
}

func (s *Server) modelNewData(ctx context.Context, u *account.User, commune string) (modelData, error) {
	commune = strings.TrimSpace(commune)
	if commune == "" {
		commune = u.UnitCode
	}
	if err := s.authorizeUnit(ctx, u, account.EditMovement, commune); err != nil {
		return modelData{}, err
	}
	if commune == geo.Nation {
		return modelData{}, errs.E(errs.Invalid, "Mô hình tự quản được ghi nhận ở cấp xã, phường, đặc khu; hãy chọn một xã.")
	}
	unit, err := s.Geo.UnitAt(ctx, commune, s.Geo.Today())
	if err != nil {
		return modelData{}, err
	}
	if unit.Level != geo.LevelCommune {
		return modelData{}, errs.E(errs.Invalid, "Mô hình tự quản được ghi nhận ở cấp xã, phường, đặc khu; hãy chọn một xã.")
	}
	d := modelData{IsNew: true, Commune: commune, CommuneName: unit.Title(), CanEdit: true, Statuses: recognition.ModelStatuses, Year: s.currentYear()}
	if _, d.Types, err = s.modelTypeNames(ctx); err != nil {
		return d, err
	}
	d.Areas, err = s.Geo.Areas(ctx, commune, s.Geo.Today())
	return d, err
}

func (s *Server) modelNew(w http.ResponseWriter, r *http.Request, u *account.User) {
	d, err := s.modelNewData(r.Context(), u, r.URL.Query().Get("don-vi"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	v := staffView(u, "Ghi nhận mô hình tự quản", d, "")
	v.Form = map[string]string{"status": recognition.ModelActive, "area_id": "0"}
	s.render(w, r, http.StatusOK, "movement_model", v)
}

func (s *Server) modelCreate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	d, err := s.modelNewData(ctx, u, r.PostFormValue("commune"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	in, err := modelInput(r)
	var m recognition.Model
	if err == nil {
		m, err = s.Recognition.CreateModel(ctx, *u, d.Commune, in)
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		msg, fields := formErrors(err)
		v := staffView(u, "Ghi nhận mô hình tự quản", d, "")
		v.Error, v.Fields, v.Form = msg, fields, formValues(r)
		s.render(w, r, errs.Status(err), "movement_model", v)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/mo-hinh/%d?ok=tao", m.ID), http.StatusSeeOther)
}

func (s *Server) modelData(ctx context.Context, u *account.User, id int64) (modelData, error) {
	m, err := s.Recognition.Model(ctx, *u, id)
	if err != nil {
		return modelData{}, err
	}
	names := map[string]string{}
	typeNames, types, err := s.modelTypeNames(ctx)
	if err != nil {
		return modelData{}, err
	}
	d := modelData{Model: m, Commune: m.CommuneCode, CommuneName: s.communeTitle(ctx, m.CommuneCode, names), TypeName: typeNames[m.TypeCode],
		AreaName: s.areaName(ctx, m.AreaID, names), Types: types, Statuses: recognition.ModelStatuses, Year: s.currentYear(),
		// Model has checked the unit; what is left is the role.
		CanEdit: account.Allowed(u.Role, account.EditMovement)}
	if d.Evaluations, err = s.Recognition.Evaluations(ctx, *u, id); err != nil {
		return d, err
	}
	if d.CanEdit {
		if d.Areas, err = s.Geo.Areas(ctx, m.CommuneCode, s.Geo.Today()); err != nil {
			return d, err
		}
	}
	return d, nil
}

func modelTitle(d modelData) string { return "Mô hình “" + d.Model.Name + "”" }

func (s *Server) modelPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := pathID(r, "Không tìm thấy mô hình tự quản.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.modelData(r.Context(), u, id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if wantsCSV(r) {
		s.evaluationsCSV(w, r, u, d)
		return
	}
	v := staffView(u, modelTitle(d), d, modelFlash[r.URL.Query().Get("ok")])
	v.Form = modelForm(d.Model)
	v.Form["period"] = strconv.Itoa(s.currentYear())
	s.render(w, r, http.StatusOK, "movement_model", v)
}

// evaluationsCSV sends a model's periodic evaluations, the table its page
// shows, as ?dinh-dang=csv&bang=danh-gia.
func (s *Server) evaluationsCSV(w http.ResponseWriter, r *http.Request, u *account.User, d modelData) {
	if table := r.URL.Query().Get("bang"); table != "danh-gia" {
		s.fail(w, r, u, errs.E(errs.NotFound, "Trang này không có bảng “%s”.", table))
		return
	}
	rows := make([][]string, 0, len(d.Evaluations))
	for _, e := range d.Evaluations {
		effective := "không"
		if e.Effective {
			effective = "có"
		}
		rows = append(rows, []string{strconv.FormatInt(d.Model.ID, 10), csvSafe(d.Model.Name), csvSafe(e.Period), effective, csvSafe(e.Note),
			e.EvaluatedAt.In(vnZone).Format("2006-01-02 15:04")})
	}
	s.writeCSV(w, fmt.Sprintf("danh-gia-mo-hinh-%d.csv", d.Model.ID), []string{"id_mo_hinh", "ten_mo_hinh", "ky", "hieu_qua", "nhan_xet", "thoi_diem"}, rows)
}

func (s *Server) modelUpdate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	id, err := pathID(r, "Không tìm thấy mô hình tự quản.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.modelData(ctx, u, id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	in, err := modelInput(r)
	if err == nil {
		_, err = s.Recognition.UpdateModel(ctx, *u, id, in)
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		msg, fields := formErrors(err)
		v := staffView(u, modelTitle(d), d, "")
		v.Error, v.Fields, v.Form = msg, fields, formValues(r)
		s.render(w, r, errs.Status(err), "movement_model", v)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/mo-hinh/%d?ok=sua", id), http.StatusSeeOther)
}

func (s *Server) modelEvaluate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	id, err := pathID(r, "Không tìm thấy mô hình tự quản.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	var effective bool
	switch r.PostFormValue("effective") {
	case "1":
		effective = true
	case "0":
	default:
		err = errs.Field("effective", "Vui lòng chọn mô hình có hoạt động hiệu quả hay không.")
	}
	if err == nil {
		_, err = s.Recognition.Evaluate(ctx, *u, id, r.PostFormValue("period"), effective, r.PostFormValue("note"))
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		d, derr := s.modelData(ctx, u, id)
		if derr != nil {
			s.fail(w, r, u, derr)
			return
		}
		msg, fields := formErrors(err)
		v := staffView(u, modelTitle(d), d, "")
		v.Error, v.Fields = msg, fields
		v.Form = modelForm(d.Model)
		for _, k := range []string{"period", "effective", "note"} {
			v.Form[k] = r.PostFormValue(k)
		}
		s.render(w, r, errs.Status(err), "movement_model", v)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/mo-hinh/%d?ok=danh-gia", id), http.StatusSeeOther)
}
