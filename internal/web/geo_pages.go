package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
)

func (s *Server) staffHome(w http.ResponseWriter, r *http.Request, u *account.User) {
	c, err := s.Sources.CountFor(r.Context(), actorOf(u))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "staff_home", view{Title: "Tổng quan", User: u, Staff: true, Data: c})
}

func (s *Server) geoRoot(w http.ResponseWriter, r *http.Request, u *account.User) {
	http.Redirect(w, r, "/can-bo/dia-ban/"+u.UnitCode, http.StatusSeeOther)
}

// unitRow is one line of a geography table.
type unitRow struct {
	geo.Unit
	Children int
	Remote   *geo.RemoteCommune // a commune listed as remote
}

type geoData struct {
	Unit      geo.Unit
	IsNation  bool
	Trail     []geo.Unit // from the province down to the unit's parent
	Rows      []unitRow  // child units
	Areas     []geo.Area // for a commune
	Police    *geo.PoliceUnit
	CanEdit   bool
	ChildWord string
	Today     string

	// For a commune: its listing as remote (nil when not listed), whether
	// it is a special zone (remote without a listing), and whether the
	// officer may change the listing.
	Remote        *geo.RemoteCommune
	SpecialZone   bool
	CanMarkRemote bool

	// CanEditPolice: the officer may rename the commune's police unit and
	// change its jurisdiction.
	CanEditPolice bool
}

// authorizeUnit checks that u may do a on the unit with code; the nation is
// a unit only for nation-level accounts.
func (s *Server) authorizeUnit(ctx context.Context, u *account.User, a account.Action, code string) error {
	if code == geo.Nation {
		if !account.Allowed(u.Role, a) {
			return errs.E(errs.Forbidden, "Bạn không có quyền thực hiện thao tác này.")
		}
		if u.UnitCode != geo.Nation {
			return errs.E(errs.NotFound, "Không tìm thấy đơn vị trong phạm vi quản lý của bạn.")
		}
		return nil
	}
	return s.Accounts.Authorize(ctx, *u, a, code)
}

func (s *Server) geoUnit(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	code := r.PathValue("code")
	if err := s.authorizeUnit(ctx, u, account.ViewGeography, code); err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.geoData(ctx, u, code)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if r.URL.Query().Get("dinh-dang") == "csv" {
		s.geoCSV(w, d)
		return
	}
	title := "Địa bàn: " + d.Unit.Title()
	if d.IsNation {
		title = "Địa bàn: toàn quốc"
	}
	s.render(w, r, http.StatusOK, "geo_unit", view{Title: title, User: u, Staff: true, Data: d, Flash: flashText(r.URL.Query().Get("ok"))})
}

func flashText(code string) string {
	switch code {
	case "tao":
		return "Đã thêm khu dân cư."
	case "sua":
		return "Đã lưu thay đổi."
	case "vung-xa":
		return "Đã lưu đánh dấu xã vùng sâu, vùng xa, biên giới, hải đảo."
	case "bo-vung-xa":
		return "Đã bỏ đánh dấu xã vùng sâu, vùng xa, biên giới, hải đảo."
	}
	return ""
}

func (s *Server) geoData(ctx context.Context, u *account.User, code string) (geoData, error) {
	today := s.Geo.Today()
	d := geoData{Today: today}
	if code == geo.Nation {
		d.IsNation = true
		d.Unit = geo.Unit{Code: geo.Nation, Name: "Toàn quốc"}
		provs, err := s.Geo.Provinces(ctx, today)
		if err != nil {
			return d, err
		}
		counts, err := s.Geo.CountChildren(ctx, today)
		if err != nil {
			return d, err
		}
		for _, p := range provs {
			d.Rows = append(d.Rows, unitRow{Unit: p, Children: counts[p.Code]})
		}
		d.ChildWord = "Tỉnh, thành phố"
		return d, nil
	}
	chain, err := s.Geo.Ancestors(ctx, code, today)
	if err != nil {
		return d, err
	}
	d.Unit = chain[0]
	for i := len(chain) - 1; i >= 1; i-- {
		d.Trail = append(d.Trail, chain[i])
	}
	if d.Unit.Level == geo.LevelCommune {
		d.Areas, err = s.Geo.Areas(ctx, code, today)
		if err != nil {
			return d, err
		}
		if p, err := s.Geo.PoliceForCommune(ctx, code); err == nil {
			d.Police = &p
		} else if !errs.Is(err, errs.NotFound) {
			return d, err
		}
		d.CanEdit = s.authorizeUnit(ctx, u, account.EditAreas, code) == nil
		d.CanEditPolice = d.Police != nil && s.authorizeUnit(ctx, u, account.ManagePolice, code) == nil
		d.SpecialZone = d.Unit.Type == "special_zone"
		d.CanMarkRemote = s.authorizeUnit(ctx, u, account.MarkRemote, code) == nil
		if r, err := s.Geo.RemoteCommuneOf(ctx, code); err == nil {
			d.Remote = &r
		} else if !errs.Is(err, errs.NotFound) {
			return d, err
		}
		return d, nil
	}
	children, err := s.Geo.Children(ctx, code, today)
	if err != nil {
		return d, err
	}
	areaCounts, err := s.Geo.CountAreas(ctx, code, today)
	if err != nil {
		return d, err
	}
	remote, err := s.Geo.RemoteCommunes(ctx)
	if err != nil {
		return d, err
	}
	for _, c := range children {
		row := unitRow{Unit: c, Children: areaCounts[c.Code]}
		if r, ok := remote[c.Code]; ok {
			row.Remote = &r
		}
		d.Rows = append(d.Rows, row)
	}
	d.ChildWord = "Xã, phường, đặc khu"
	return d, nil
}

func (s *Server) geoCSV(w http.ResponseWriter, d geoData) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="dia-ban-`+d.Unit.Code+`.csv"`)
	cw := csv.NewWriter(w)
	w.Write([]byte("\xef\xbb\xbf")) // lets spreadsheet programs read UTF-8
	if d.Unit.Level == geo.LevelCommune {
		cw.Write([]string{"id", "ten", "loai", "ghi_chu", "tu_ngay"})
		for _, a := range d.Areas {
			cw.Write([]string{strconv.FormatInt(a.ID, 10), csvSafe(a.Name), geo.AreaKindName(a.Kind), csvSafe(a.Note), a.ValidFrom})
		}
	} else {
		cw.Write([]string{"ma", "ten", "loai", "so_don_vi_con"})
		for _, row := range d.Rows {
			cw.Write([]string{row.Code, csvSafe(row.Name), row.Type, strconv.Itoa(row.Children)})
		}
	}
	cw.Flush()
}

// csvSafe stops a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}

func (s *Server) areaCreate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	code := r.PathValue("code")
	if err := s.authorizeUnit(ctx, u, account.EditAreas, code); err != nil {
		s.fail(w, r, u, err)
		return
	}
	in := geo.AreaInput{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Note: r.PostFormValue("note")}
	if _, err := s.Geo.CreateArea(ctx, code, in, u.ID, auditActor(u)); err != nil {
		s.geoFormError(w, r, u, code, err, map[string]string{"name": in.Name, "kind": in.Kind, "note": in.Note})
		return
	}
	http.Redirect(w, r, "/can-bo/dia-ban/"+code+"?ok=tao", http.StatusSeeOther)
}

// geoFormError answers a refused form of the page of unit code: the page
// again with the message, the fields in error and what was typed (form),
// or the error page when the fault is not the input's.
func (s *Server) geoFormError(w http.ResponseWriter, r *http.Request, u *account.User, code string, err error, form map[string]string) {
	if errs.Status(err) >= 500 {
		s.fail(w, r, u, err)
		return
	}
	d, derr := s.geoData(r.Context(), u, code)
	if derr != nil {
		s.fail(w, r, u, derr)
		return
	}
	msg, fields := formErrors(err)
	s.render(w, r, errs.Status(err), "geo_unit", view{Title: "Địa bàn: " + d.Unit.Title(), User: u, Staff: true, Data: d,
		Error: msg, Fields: fields, Form: form})
}

// areaForEdit loads an area and checks that u may edit it. An area outside
// u's scope answers 404, as if it did not exist. The role is checked before
// the area is looked up, so that a role that may edit no area gets 403 for
// every id, existing or not, and guessing ids reveals nothing.
func (s *Server) areaForEdit(ctx context.Context, u *account.User, idText string) (geo.Area, error) {
	if !account.Allowed(u.Role, account.EditAreas) {
		return geo.Area{}, errs.E(errs.Forbidden, "Bạn không có quyền thực hiện thao tác này.")
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return geo.Area{}, errs.E(errs.NotFound, "Không tìm thấy khu dân cư.")
	}
	a, err := s.Geo.Area(ctx, id)
	if err != nil {
		return a, err
	}
	if err := s.authorizeUnit(ctx, u, account.EditAreas, a.CommuneCode); err != nil {
		if errs.Is(err, errs.NotFound) {
			return geo.Area{}, errs.E(errs.NotFound, "Không tìm thấy khu dân cư.")
		}
		return geo.Area{}, err
	}
	return a, nil
}

func (s *Server) areaEdit(w http.ResponseWriter, r *http.Request, u *account.User) {
	a, err := s.areaForEdit(r.Context(), u, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "area_edit", view{Title: "Sửa khu dân cư", User: u, Staff: true, Data: a,
		Form: map[string]string{"name": a.Name, "kind": a.Kind, "note": a.Note}})
}

func (s *Server) areaUpdate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	a, err := s.areaForEdit(ctx, u, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	in := geo.AreaInput{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Note: r.PostFormValue("note")}
	if _, err := s.Geo.UpdateArea(ctx, a.ID, in, auditActor(u)); err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, u, err)
			return
		}
		msg, fields := formErrors(err)
		s.render(w, r, errs.Status(err), "area_edit", view{Title: "Sửa khu dân cư", User: u, Staff: true, Data: a, Error: msg, Fields: fields,
			Form: map[string]string{"name": in.Name, "kind": in.Kind, "note": in.Note}})
		return
	}
	http.Redirect(w, r, "/can-bo/dia-ban/"+a.CommuneCode+"?ok=sua", http.StatusSeeOther)
}

func auditActor(u *account.User) string { return "user:" + strconv.FormatInt(u.ID, 10) }
