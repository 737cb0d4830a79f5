package web

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
)

// policeLevelNames word the level of a police unit.
var policeLevelNames = map[string]string{"national": "Bộ Công an", "province": "Cấp tỉnh", "commune": "Cấp xã"}

// communeRef is a commune of a jurisdiction as a list shows it.
type communeRef struct {
	Code, Title string
	Ended       bool // no longer in force: kept for the data recorded on it
}

type policeRow struct {
	geo.PoliceUnit
	LevelName string
	Covers    []communeRef
}

type policeListData struct {
	Scope     geo.Unit // the province, or the nation
	IsNation  bool
	Rows      []policeRow
	Uncovered []geo.Unit // communes in force that no unit covers: their reports find no police
	CanEdit   bool
}

// policeList lists the police units of a province (or, for the nation, the
// national intake unit and the province police) with their jurisdictions.
func (s *Server) policeList(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	code := r.PathValue("code")
	if err := s.authorizeUnit(ctx, u, account.ViewGeography, code); err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.policeListData(ctx, u, code)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if wantsCSV(r) {
		rows := make([][]string, 0, len(d.Rows))
		for _, p := range d.Rows {
			codes := make([]string, len(p.Covers))
			titles := make([]string, len(p.Covers))
			for i, c := range p.Covers {
				codes[i], titles[i] = c.Code, c.Title
			}
			rows = append(rows, []string{p.Code, csvSafe(p.Name), p.LevelName, strconv.Itoa(len(p.Covers)),
				strings.Join(codes, "; "), csvSafe(strings.Join(titles, "; "))})
		}
		s.writeCSV(w, "don-vi-cong-an-"+d.Scope.Code+".csv", []string{"ma", "ten", "cap", "so_xa", "ma_xa", "ten_xa"}, rows)
		return
	}
	title := "Đơn vị công an: " + d.Scope.Title()
	if d.IsNation {
		title = "Đơn vị công an: toàn quốc"
	}
	s.render(w, r, http.StatusOK, "police_units", view{Title: title, User: u, Staff: true, Data: d, Flash: policeFlash(r.URL.Query().Get("ok"))})
}

func policeFlash(code string) string {
	switch code {
	case "sua":
		return "Đã lưu thay đổi của đơn vị công an."
	case "khong-doi":
		return "Không có gì thay đổi."
	}
	return ""
}

func (s *Server) policeListData(ctx context.Context, u *account.User, code string) (policeListData, error) {
	today := s.Geo.Today()
	d := policeListData{CanEdit: s.authorizeUnit(ctx, u, account.ManagePolice, code) == nil}
	if code == geo.Nation {
		d.IsNation, d.Scope = true, geo.Unit{Code: geo.Nation, Name: "Toàn quốc"}
	} else {
		unit, err := s.Geo.UnitAt(ctx, code, today)
		if err != nil {
			return d, err
		}
		if unit.Level != geo.LevelProvince {
			return d, errs.E(errs.NotFound, "Danh sách đơn vị công an chỉ có cho tỉnh, thành phố. Đơn vị công an phụ trách %s được ghi trên trang địa bàn của xã.", unit.Title())
		}
		d.Scope = unit
	}
	units, err := s.Geo.PoliceUnitsOf(ctx, code)
	if err != nil {
		return d, err
	}
	var communes map[string]geo.Unit
	if !d.IsNation {
		cs, err := s.Geo.CommunesOf(ctx, code, today)
		if err != nil {
			return d, err
		}
		communes = make(map[string]geo.Unit, len(cs))
		for _, c := range cs {
			communes[c.Code] = c
		}
	}
	covered := map[string]bool{}
	for _, p := range units {
		row := policeRow{PoliceUnit: p, LevelName: policeLevelNames[p.Level]}
		for _, c := range p.Communes {
			covered[c] = true
			if cu, ok := communes[c]; ok {
				row.Covers = append(row.Covers, communeRef{Code: c, Title: cu.Title()})
			} else {
				row.Covers = append(row.Covers, communeRef{Code: c, Title: c, Ended: true})
			}
		}
		d.Rows = append(d.Rows, row)
	}
	for _, c := range communes {
		if !covered[c.Code] {
			d.Uncovered = append(d.Uncovered, c)
		}
	}
	geo.SortByName(d.Uncovered)
	return d, nil
}

// communeChoice is a commune of the province on the edit page.
type communeChoice struct {
	geo.Unit
	Checked   bool
	Holder    string // the other unit that covers it now; "" when this one or none
	Uncovered bool   // no unit covers it
}

type policeEditData struct {
	Unit    geo.PoliceUnit
	Scope   string // the list the unit belongs to: its province, or the nation
	Level   string
	Choices []communeChoice
	Ended   []string // communes no longer in force that the unit keeps
}

// policeForEdit loads a police unit and checks that u may edit it. The role
// is checked before the unit is looked up, and a unit outside u's province
// answers as one that does not exist, so guessing codes reveals nothing.
func (s *Server) policeForEdit(ctx context.Context, u *account.User, code string) (geo.PoliceUnit, string, error) {
	if !account.Allowed(u.Role, account.ManagePolice) {
		return geo.PoliceUnit{}, "", errs.E(errs.Forbidden, "Bạn không có quyền thực hiện thao tác này.")
	}
	p, err := s.Geo.PoliceUnit(ctx, code)
	if err != nil {
		return p, "", err
	}
	scope := p.ProvinceCode
	if p.Level == "national" {
		scope = geo.Nation
	}
	if err := s.authorizeUnit(ctx, u, account.ManagePolice, scope); err != nil {
		if errs.Is(err, errs.NotFound) {
			return geo.PoliceUnit{}, "", errs.E(errs.NotFound, "Không tìm thấy đơn vị công an %s.", code)
		}
		return geo.PoliceUnit{}, "", err
	}
	return p, scope, nil
}

// policeEditData builds the edit page; checked, when not nil, are the
// communes the officer chose in a refused form.
func (s *Server) policeEditData(ctx context.Context, p geo.PoliceUnit, scope string, checked []string) (policeEditData, error) {
	d := policeEditData{Unit: p, Scope: scope, Level: policeLevelNames[p.Level]}
	if p.Level != "commune" {
		return d, nil
	}
	today := s.Geo.Today()
	communes, err := s.Geo.CommunesOf(ctx, p.ProvinceCode, today)
	if err != nil {
		return d, err
	}
	units, err := s.Geo.PoliceUnitsOf(ctx, p.ProvinceCode)
	if err != nil {
		return d, err
	}
	holder := map[string]string{} // commune → the unit covering it, "" for this one
	for _, o := range units {
		for _, c := range o.Communes {
			holder[c] = o.Name
			if o.ID == p.ID {
				holder[c] = ""
			}
		}
	}
	own := map[string]bool{}
	for _, c := range p.Communes {
		own[c] = true
	}
	chosen := own
	if checked != nil {
		chosen = map[string]bool{}
		for _, c := range checked {
			chosen[c] = true
		}
	}
	geo.SortByName(communes)
	inForce := map[string]bool{}
	for _, c := range communes {
		inForce[c.Code] = true
		h, covered := holder[c.Code]
		d.Choices = append(d.Choices, communeChoice{Unit: c, Checked: chosen[c.Code], Holder: h, Uncovered: !covered})
	}
	// The unit's own communes first, then the others it may take.
	sort.SliceStable(d.Choices, func(i, j int) bool { return own[d.Choices[i].Code] && !own[d.Choices[j].Code] })
	for _, c := range p.Communes {
		if !inForce[c] {
			d.Ended = append(d.Ended, c)
		}
	}
	return d, nil
}

func (s *Server) policeEdit(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	p, scope, err := s.policeForEdit(ctx, u, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.policeEditData(ctx, p, scope, nil)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "police_unit_edit", view{Title: "Sửa đơn vị công an", User: u, Staff: true, Data: d,
		Form: map[string]string{"name": p.Name}})
}

func (s *Server) policeUpdate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	p, scope, err := s.policeForEdit(ctx, u, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	in := geo.PoliceEdit{Name: r.PostFormValue("name")}
	in.Communes = r.PostForm["communes"]
	changed, err := s.Geo.EditPoliceUnit(ctx, p.Code, in, auditActor(u))
	if err != nil {
		if errs.Status(err) >= 500 || errs.Is(err, errs.NotFound) {
			s.fail(w, r, u, err)
			return
		}
		checked := in.Communes
		if checked == nil {
			checked = []string{}
		}
		d, derr := s.policeEditData(ctx, p, scope, checked)
		if derr != nil {
			s.fail(w, r, u, derr)
			return
		}
		msg, fields := formErrors(err)
		s.render(w, r, errs.Status(err), "police_unit_edit", view{Title: "Sửa đơn vị công an", User: u, Staff: true, Data: d,
			Error: msg, Fields: fields, Form: map[string]string{"name": in.Name}})
		return
	}
	ok := "sua"
	if !changed {
		ok = "khong-doi"
	}
	http.Redirect(w, r, "/can-bo/dia-ban/"+scope+"/don-vi-cong-an?ok="+ok, http.StatusSeeOther)
}
