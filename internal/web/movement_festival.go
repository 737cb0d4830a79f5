package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/movement"
)

// festivalPointRow is one festival point as a list shows it.
type festivalPointRow struct {
	movement.Point
	CommuneName string
	AreaName    string // "" for the commune-level point
}

type festivalPlanRow struct {
	movement.Plan
	ProvinceName string
}

type festivalData struct {
	Years   yearChoice
	Year    int
	View    movement.View
	Scope   movementScope
	Figures *movement.Figures // the scope's own figures, for a commune
	Rows    []movement.ProvinceRow
	Total   movement.ProvinceRow
	Own     *movement.ProvinceRow // the scope's own row, for a province
	Points  []festivalPointRow
	Status  string // the status filter of the list
	Plans   []festivalPlanRow
	// CanRecord: the officer may record points for the scope's commune.
	CanRecord bool
	// PlanProvinces are the provinces whose plan the officer may set.
	PlanProvinces []geo.Unit
	Query         template.URL // year, view, unit and filter, for links
}

var festivalFlash = map[string]string{
	"ghi":      "Đã ghi điểm tổ chức Ngày hội.",
	"sua":      "Đã lưu thay đổi; điểm được gửi duyệt lại.",
	"duyet":    "Đã duyệt điểm tổ chức Ngày hội.",
	"tra-lai":  "Đã trả lại điểm tổ chức Ngày hội cho xã.",
	"ke-hoach": "Đã lưu kế hoạch số điểm Ngày hội.",
}

func (s *Server) festivalPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	year, err := s.movementYear(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	view, err := movement.ParseView(r.URL.Query().Get("xem"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.festivalData(ctx, u, year, view, r.URL.Query().Get("don-vi"), r.URL.Query().Get("trang-thai"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if wantsCSV(r) {
		s.festivalCSV(w, r, u, d)
		return
	}
	s.render(w, r, http.StatusOK, "movement_festival", staffView(u, "Ngày hội Toàn dân bảo vệ ANTQ năm "+strconv.Itoa(year), d, festivalFlash[r.URL.Query().Get("ok")]))
}

func (s *Server) festivalData(ctx context.Context, u *account.User, year int, v movement.View, unit, status string) (festivalData, error) {
	sc, err := s.scopeOf(ctx, u, unit)
	if err != nil {
		return festivalData{}, err
	}
	switch status {
	case "", movement.StatusSubmitted, movement.StatusApproved, movement.StatusReturned:
	default:
		status = ""
	}
	d := festivalData{Year: year, View: v, Scope: sc, Status: status,
		Query: template.URL(query("nam", strconv.Itoa(year), "xem", string(v), "don-vi", unit, "trang-thai", status))}
	d.Years = s.yearChoice("/can-bo/phong-trao/ngay-hoi", year, map[string]string{"xem": string(v), "don-vi": unit})

	if sc.IsCommune() {
		f, err := s.Movement.FestivalFigures(ctx, sc.Code, year, v)
		switch {
		case err == nil:
			d.Figures = &f
		case !errs.Is(err, errs.NotFound):
			return d, err
		}
	} else {
		rows, total, err := s.Movement.FestivalByProvince(ctx, year, v)
		if err != nil {
			return d, err
		}
		d.Rows, d.Total = rows, total
		for i := range rows {
			if rows[i].ProvinceCode == sc.Code {
				d.Own = &rows[i]
			}
		}
	}

	communes, err := s.communesIn(ctx, sc)
	if err != nil {
		return d, err
	}
	names := map[string]string{}
	for _, c := range communes {
		points, err := s.Movement.Points(ctx, *u, year, c.Code)
		if err != nil {
			return d, err
		}
		for _, p := range points {
			if status != "" && p.Status != status {
				continue
			}
			d.Points = append(d.Points, festivalPointRow{Point: p, CommuneName: c.Title(), AreaName: s.areaName(ctx, p.AreaID, names)})
		}
	}
	d.CanRecord = sc.IsCommune() && account.Allowed(u.Role, account.EditMovement)

	plans, err := s.Movement.Plans(ctx, year)
	if err != nil {
		return d, err
	}
	provinces, err := s.Geo.Provinces(ctx, s.Geo.Today())
	if err != nil {
		return d, err
	}
	provName := map[string]string{}
	for _, p := range provinces {
		provName[p.Code] = p.Title()
	}
	for _, p := range plans {
		if sc.IsNation() || (sc.IsProvince() && p.ProvinceCode == sc.Code) {
			d.Plans = append(d.Plans, festivalPlanRow{Plan: p, ProvinceName: provName[p.ProvinceCode]})
		}
	}
	if account.Allowed(u.Role, account.ReviewMovement) {
		for _, p := range provinces {
			if u.UnitCode == geo.Nation || p.Code == u.UnitCode {
				if sc.IsNation() || p.Code == sc.Code {
					d.PlanProvinces = append(d.PlanProvinces, p)
				}
			}
		}
	}
	return d, nil
}

// areaName names a residential area for a list; 0 is the commune-level
// point.
func (s *Server) areaName(ctx context.Context, id int64, names map[string]string) string {
	if id == 0 {
		return ""
	}
	key := "area:" + strconv.FormatInt(id, 10)
	if n, ok := names[key]; ok {
		return n
	}
	n := "Khu dân cư " + strconv.FormatInt(id, 10)
	if a, err := s.Geo.Area(ctx, id); err == nil {
		n = areaLabel(a)
	}
	names[key] = n
	return n
}

func (s *Server) festivalCSV(w http.ResponseWriter, r *http.Request, u *account.User, d festivalData) {
	table := r.URL.Query().Get("bang")
	if table == "" && d.Scope.IsNation() {
		table = "tinh" // the nation's page lists no points
	}
	switch table {
	case "tinh":
		if d.Scope.IsCommune() {
			s.fail(w, r, u, errs.E(errs.NotFound, "Trang này không có bảng theo tỉnh."))
			return
		}
		var b bytes.Buffer
		if err := movement.WriteCSV(&b, movement.Report{Year: d.Year, View: d.View, Provinces: d.Rows, Total: d.Total}); err != nil {
			s.fail(w, r, u, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ngay-hoi-%d-theo-tinh-%s.csv"`, d.Year, d.View))
		w.Header().Set("Cache-Control", "no-store")
		w.Write(b.Bytes())
	case "ke-hoach":
		rows := make([][]string, 0, len(d.Plans))
		for _, p := range d.Plans {
			rows = append(rows, []string{strconv.Itoa(p.Year), p.ProvinceCode, csvSafe(p.ProvinceName), strconv.Itoa(p.PlannedPoints), csvSafe(p.Source)})
		}
		s.writeCSV(w, fmt.Sprintf("ke-hoach-ngay-hoi-%d.csv", d.Year), []string{"nam", "ma_tinh", "ten_tinh", "so_diem_ke_hoach", "can_cu"}, rows)
	default:
		rows := make([][]string, 0, len(d.Points))
		for _, p := range d.Points {
			area := p.AreaName
			if area == "" {
				area = "Điểm cấp xã"
			}
			rows = append(rows, []string{strconv.FormatInt(p.ID, 10), strconv.Itoa(p.Year), p.CommuneCode, csvSafe(p.CommuneName), csvSafe(area),
				p.HeldOn, csvSafe(p.Place), strconv.Itoa(p.Participants), strconv.Itoa(p.Guests), strconv.Itoa(p.CommendationsCollective),
				strconv.Itoa(p.CommendationsIndividual), strconv.FormatInt(p.GiftsVND, 10), strconv.Itoa(p.ModelsLaunched), pointStatusName(p.Status)})
		}
		s.writeCSV(w, fmt.Sprintf("diem-ngay-hoi-%d-%s.csv", d.Year, d.Scope.Code),
			[]string{"id", "nam", "ma_xa", "ten_xa", "khu_dan_cu", "ngay_to_chuc", "dia_diem", "nguoi_tham_du", "dai_bieu_khach_moi",
				"khen_thuong_tap_the", "khen_thuong_ca_nhan", "qua_tang_vnd", "mo_hinh_ra_mat", "trang_thai"}, rows)
	}
}

func (s *Server) festivalPlanSave(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	year, err := s.movementYear(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	planned, perr := formInt(r, "planned")
	if perr == nil {
		err = s.Movement.SetPlan(ctx, *u, year, r.PostFormValue("province"), planned, r.PostFormValue("source"))
	} else {
		err = perr
	}
	unit := r.PostFormValue("don-vi")
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		d, derr := s.festivalData(ctx, u, year, movement.Current, unit, "")
		if derr != nil {
			s.fail(w, r, u, derr)
			return
		}
		msg, fields := formErrors(err)
		v := staffView(u, "Ngày hội Toàn dân bảo vệ ANTQ năm "+strconv.Itoa(year), d, "")
		v.Error, v.Fields, v.Form = msg, fields, formValues(r)
		s.render(w, r, errs.Status(err), "movement_festival", v)
		return
	}
	http.Redirect(w, r, "/can-bo/phong-trao/ngay-hoi?"+query("nam", strconv.Itoa(year), "don-vi", unit, "ok", "ke-hoach"), http.StatusSeeOther)
}

// festivalPointData is what the point form and page show.
type festivalPointData struct {
	IsNew       bool
	Point       movement.Point
	Year        int
	Commune     string
	CommuneName string
	AreaName    string
	Areas       []geo.Area
	CanEdit     bool
	CanReview   bool
}

func pointForm(p movement.Point) map[string]string {
	return map[string]string{
		"area_id": strconv.FormatInt(p.AreaID, 10), "held_on": p.HeldOn, "place": p.Place,
		"participants": strconv.Itoa(p.Participants), "guests": strconv.Itoa(p.Guests),
		"commendations_collective": strconv.Itoa(p.CommendationsCollective), "commendations_individual": strconv.Itoa(p.CommendationsIndividual),
		"gifts_vnd": strconv.FormatInt(p.GiftsVND, 10), "models_launched": strconv.Itoa(p.ModelsLaunched), "notes": p.Notes,
	}
}

// pointInput reads the point form. The first number that does not parse is
// reported against its field.
func pointInput(r *http.Request, year int, commune string) (movement.PointInput, error) {
	in := movement.PointInput{Year: year, Commune: commune, HeldOn: r.PostFormValue("held_on"), Place: r.PostFormValue("place"), Notes: r.PostFormValue("notes")}
	area, err := formInt64(r, "area_id")
	if err != nil {
		return in, err
	}
	in.AreaID = area
	for _, f := range []struct {
		name string
		dst  *int
	}{
		{"participants", &in.Participants}, {"guests", &in.Guests},
		{"commendations_collective", &in.CommendationsCollective}, {"commendations_individual", &in.CommendationsIndividual},
		{"models_launched", &in.ModelsLaunched},
	} {
		if *f.dst, err = formInt(r, f.name); err != nil {
			return in, err
		}
	}
	in.GiftsVND, err = formInt64(r, "gifts_vnd")
	return in, err
}

// festivalNewData prepares the form for a new point of commune.
func (s *Server) festivalNewData(ctx context.Context, u *account.User, year int, commune string) (festivalPointData, error) {
	commune = strings.TrimSpace(commune)
	if commune == "" {
		commune = u.UnitCode
	}
	if err := s.authorizeUnit(ctx, u, account.EditMovement, commune); err != nil {
		return festivalPointData{}, err
	}
	if commune == geo.Nation {
		return festivalPointData{}, errs.E(errs.Invalid, "Điểm tổ chức Ngày hội được ghi ở cấp xã, phường, đặc khu; hãy chọn một xã.")
	}
	unit, err := s.Geo.UnitAt(ctx, commune, s.Geo.Today())
	if err != nil {
		return festivalPointData{}, err
	}
	if unit.Level != geo.LevelCommune {
		return festivalPointData{}, errs.E(errs.Invalid, "Điểm tổ chức Ngày hội được ghi ở cấp xã, phường, đặc khu; hãy chọn một xã.")
	}
	areas, err := s.Geo.Areas(ctx, commune, s.Geo.Today())
	if err != nil {
		return festivalPointData{}, err
	}
	return festivalPointData{IsNew: true, Year: year, Commune: commune, CommuneName: unit.Title(), Areas: areas, CanEdit: true}, nil
}

func (s *Server) festivalPointNew(w http.ResponseWriter, r *http.Request, u *account.User) {
	year, err := s.movementYear(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.festivalNewData(r.Context(), u, year, r.URL.Query().Get("don-vi"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	v := staffView(u, "Ghi điểm tổ chức Ngày hội năm "+strconv.Itoa(year), d, "")
	v.Form = map[string]string{"area_id": "0"}
	s.render(w, r, http.StatusOK, "movement_point", v)
}

func (s *Server) festivalPointCreate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	year, err := s.movementYear(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	commune := strings.TrimSpace(r.PostFormValue("commune"))
	d, err := s.festivalNewData(ctx, u, year, commune)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	in, err := pointInput(r, year, d.Commune)
	if err == nil {
		_, err = s.Movement.RecordPoint(ctx, *u, in)
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		msg, fields := formErrors(err)
		v := staffView(u, "Ghi điểm tổ chức Ngày hội năm "+strconv.Itoa(year), d, "")
		v.Error, v.Fields, v.Form = msg, fields, formValues(r)
		s.render(w, r, errs.Status(err), "movement_point", v)
		return
	}
	unit := ""
	if d.Commune != u.UnitCode {
		unit = d.Commune
	}
	http.Redirect(w, r, "/can-bo/phong-trao/ngay-hoi?"+query("nam", strconv.Itoa(year), "don-vi", unit, "ok", "ghi"), http.StatusSeeOther)
}

// festivalPointData loads a point the officer may see, with what its page
// needs.
func (s *Server) festivalPointData(ctx context.Context, u *account.User, id int64) (festivalPointData, error) {
	p, err := s.Movement.Point(ctx, *u, id)
	if err != nil {
		return festivalPointData{}, err
	}
	names := map[string]string{}
	d := festivalPointData{Point: p, Year: p.Year, Commune: p.CommuneCode, CommuneName: s.communeTitle(ctx, p.CommuneCode, names),
		AreaName: s.areaName(ctx, p.AreaID, names),
		// Point has checked the unit; what is left is the role.
		CanEdit: account.Allowed(u.Role, account.EditMovement), CanReview: account.Allowed(u.Role, account.ReviewMovement)}
	if d.CanEdit {
		if d.Areas, err = s.Geo.Areas(ctx, p.CommuneCode, s.Geo.Today()); err != nil {
			return d, err
		}
		found := p.AreaID == 0
		for _, a := range d.Areas {
			found = found || a.ID == p.AreaID
		}
		if !found {
			// A point keeps the area it was held in, even one closed since.
			if a, err := s.Geo.Area(ctx, p.AreaID); err == nil {
				d.Areas = append(d.Areas, a)
			}
		}
	}
	return d, nil
}

func pointTitle(d festivalPointData) string {
	if d.AreaName != "" {
		return "Điểm Ngày hội " + d.AreaName + ", " + d.CommuneName
	}
	return "Điểm Ngày hội cấp xã, " + d.CommuneName
}

func (s *Server) festivalPointPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := pathID(r, "Không tìm thấy điểm tổ chức Ngày hội.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.festivalPointData(r.Context(), u, id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	v := staffView(u, pointTitle(d), d, festivalFlash[r.URL.Query().Get("ok")])
	v.Form = pointForm(d.Point)
	s.render(w, r, http.StatusOK, "movement_point", v)
}

func (s *Server) festivalPointUpdate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	id, err := pathID(r, "Không tìm thấy điểm tổ chức Ngày hội.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.festivalPointData(ctx, u, id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	in, err := pointInput(r, d.Point.Year, d.Point.CommuneCode)
	if err == nil {
		_, err = s.Movement.UpdatePoint(ctx, *u, id, in)
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		msg, fields := formErrors(err)
		v := staffView(u, pointTitle(d), d, "")
		v.Error, v.Fields, v.Form = msg, fields, formValues(r)
		s.render(w, r, errs.Status(err), "movement_point", v)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d?ok=sua", id), http.StatusSeeOther)
}

func (s *Server) festivalPointReview(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	id, err := pathID(r, "Không tìm thấy điểm tổ chức Ngày hội.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	decision := r.PostFormValue("decision")
	if decision != "approve" && decision != "return" {
		s.fail(w, r, u, errs.E(errs.Invalid, "Vui lòng chọn duyệt hoặc trả lại."))
		return
	}
	_, err = s.Movement.ReviewPoint(ctx, *u, id, decision == "approve", r.PostFormValue("note"))
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		d, derr := s.festivalPointData(ctx, u, id)
		if derr != nil {
			s.fail(w, r, u, derr)
			return
		}
		msg, fields := formErrors(err)
		v := staffView(u, pointTitle(d), d, "")
		v.Error, v.Fields = msg, fields
		v.Form = pointForm(d.Point)
		v.Form["note"] = r.PostFormValue("note")
		s.render(w, r, errs.Status(err), "movement_point", v)
		return
	}
	ok := "duyet"
	if decision == "return" {
		ok = "tra-lai"
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d?ok=%s", id, ok), http.StatusSeeOther)
}
