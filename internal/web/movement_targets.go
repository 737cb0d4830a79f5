package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/recognition"
)

// targetRow is a target with its outcome, worded for a page.
type targetRow struct {
	recognition.TargetResult
	IndicatorName string
	ScopeName     string
	Want          string // "≥ 99%"
	ActualText    string // for a one-unit target
	Units         []targetUnitRow
	Below         []targetUnitRow
	// Problem is why the target could not be evaluated (e.g. no unit of
	// the type that year); State is empty then.
	Problem string
}

type targetUnitRow struct {
	recognition.UnitResult
	ActualText string
}

var eachScopeNames = map[string]string{
	"municipality": "Từng thành phố trực thuộc trung ương",
	"province":     "Từng tỉnh",
}

// indicatorValue words a value of an indicator with its unit of measure.
func indicatorValue(ind recognition.IndicatorDef, v float64) string {
	if ind.Measure == "%" {
		return strings.TrimSuffix(formatPct(v), ",0") + "%"
	}
	return formatNum(v) + " " + ind.Measure
}

// targetRows evaluates targets on the data recorded so far.
func (s *Server) targetRows(ctx context.Context, targets []recognition.Target) ([]targetRow, error) {
	names := map[string]string{}
	out := make([]targetRow, 0, len(targets))
	for _, t := range targets {
		ind, _ := recognition.IndicatorByCode(t.Indicator)
		row := targetRow{IndicatorName: ind.Name, Want: comparatorSign(t.Comparator) + " " + indicatorValue(ind, t.Value)}
		if row.IndicatorName == "" {
			row.IndicatorName = t.Indicator
		}
		switch {
		case t.ScopeKind == recognition.ScopeEach:
			row.ScopeName = eachScopeNames[t.Scope]
		case t.Scope == geo.Nation:
			row.ScopeName = "Toàn quốc"
		default:
			row.ScopeName = s.communeTitle(ctx, t.Scope, names)
		}
		res, err := s.Recognition.TargetStatus(ctx, t)
		if err != nil {
			if errs.CodeOf(err) == errs.Internal {
				return nil, err
			}
			row.TargetResult = recognition.TargetResult{Target: t}
			row.Problem = errs.Message(err)
			out = append(out, row)
			continue
		}
		row.TargetResult = res
		below := map[string]bool{}
		for _, c := range res.Below {
			below[c] = true
		}
		for _, u := range res.Units {
			ur := targetUnitRow{UnitResult: u, ActualText: "Chưa có số liệu"}
			if !u.NoData {
				ur.ActualText = indicatorValue(ind, u.Actual)
			}
			row.Units = append(row.Units, ur)
			if below[u.Code] {
				row.Below = append(row.Below, ur)
			}
		}
		if t.ScopeKind == recognition.ScopeUnit && len(row.Units) == 1 {
			row.ActualText = row.Units[0].ActualText
		}
		out = append(out, row)
	}
	return out, nil
}

type targetsData struct {
	Years      yearChoice
	Year       int
	Scope      movementScope
	Rows       []targetRow
	CanCreate  bool
	Indicators []recognition.IndicatorDef
	Scopes     []struct{ Code, Name string }
}

var targetFlash = map[string]string{"tao": "Đã thêm chỉ tiêu."}

func (s *Server) targetsData(ctx context.Context, u *account.User, year int) (targetsData, error) {
	sc, err := s.scopeOf(ctx, u, "")
	if err != nil {
		return targetsData{}, err
	}
	d := targetsData{Year: year, Scope: sc, Years: s.yearChoice("/can-bo/phong-trao/chi-tieu", year, nil)}
	targets, err := s.Recognition.Targets(ctx, sc.Code, year)
	if err != nil {
		return d, err
	}
	if d.Rows, err = s.targetRows(ctx, targets); err != nil {
		return d, err
	}
	if !account.Allowed(u.Role, account.ManageTargets) {
		return d, nil
	}
	d.CanCreate = true
	d.Indicators = recognition.Indicators()
	add := func(code, name string) { d.Scopes = append(d.Scopes, struct{ Code, Name string }{code, name}) }
	today := s.Geo.Today()
	if u.UnitCode == geo.Nation {
		add(geo.Nation, "Toàn quốc")
		add("each:municipality", eachScopeNames["municipality"])
		add("each:province", eachScopeNames["province"])
		provinces, err := s.Geo.Provinces(ctx, today)
		if err != nil {
			return d, err
		}
		for _, p := range provinces {
			add(p.Code, p.Title())
		}
		return d, nil
	}
	add(sc.Code, sc.Title)
	communes, err := s.communesIn(ctx, sc)
	if err != nil {
		return d, err
	}
	if sc.IsCommune() {
		communes = nil
	}
	for _, c := range communes {
		add(c.Code, c.Title())
	}
	return d, nil
}

func (s *Server) targetsPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	year, err := s.movementYear(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.targetsData(r.Context(), u, year)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if wantsCSV(r) {
		rows := make([][]string, 0, len(d.Rows))
		for _, t := range d.Rows {
			var below []string
			for _, b := range t.Below {
				below = append(below, b.Code+" "+b.Name+" ("+b.ActualText+")")
			}
			state := recognition.StateName(t.State)
			if t.Problem != "" {
				state = t.Problem
			}
			rows = append(rows, []string{strconv.FormatInt(t.Target.ID, 10), t.Target.Indicator, csvSafe(t.IndicatorName), t.Target.ScopeKind, t.Target.Scope,
				csvSafe(t.ScopeName), strconv.Itoa(t.Target.Year), t.Target.Comparator, strconv.FormatFloat(t.Target.Value, 'f', -1, 64),
				csvSafe(t.Target.LegalSource), csvSafe(t.ActualText), t.State, csvSafe(state), csvSafe(strings.Join(below, "; "))})
		}
		s.writeCSV(w, fmt.Sprintf("chi-tieu-%d.csv", year), []string{"id", "chi_tieu", "ten_chi_tieu", "pham_vi", "don_vi", "ten_don_vi", "nam",
			"so_sanh", "gia_tri", "can_cu", "thuc_te", "trang_thai", "trang_thai_ten", "don_vi_chua_dat"}, rows)
		return
	}
	v := staffView(u, "Chỉ tiêu phong trào năm "+strconv.Itoa(year), d, targetFlash[r.URL.Query().Get("ok")])
	v.Form = map[string]string{"year": strconv.Itoa(year), "comparator": ">="}
	s.render(w, r, http.StatusOK, "movement_targets", v)
}

// parseValue reads a target value typed the Vietnamese way (99,5) or not.
func parseValue(v string) (float64, error) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%"))
	f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
	if err != nil {
		return 0, errs.Field("value", "Vui lòng nhập giá trị chỉ tiêu là một số, ví dụ 99 hoặc 99,5.")
	}
	return f, nil
}

func (s *Server) targetCreate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	t := recognition.Target{Indicator: r.PostFormValue("indicator"), Comparator: r.PostFormValue("comparator"),
		LegalSource: r.PostFormValue("legal_source"), Note: r.PostFormValue("note"), ScopeKind: recognition.ScopeUnit, Scope: r.PostFormValue("scope")}
	if kind, ok := strings.CutPrefix(t.Scope, "each:"); ok {
		t.ScopeKind, t.Scope = recognition.ScopeEach, kind
	}
	var err error
	t.Year, err = strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil {
		err = errs.Field("year", "Vui lòng nhập năm của chỉ tiêu.")
	}
	if err == nil {
		t.Value, err = parseValue(r.PostFormValue("value"))
	}
	if err == nil {
		_, err = s.Recognition.CreateTarget(ctx, *u, t)
	}
	year := t.Year
	if year < 2005 || year > 2100 {
		year = s.currentYear()
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		d, derr := s.targetsData(ctx, u, year)
		if derr != nil {
			s.fail(w, r, u, derr)
			return
		}
		msg, fields := formErrors(err)
		if fields["scope_kind"] != "" {
			fields["scope"] = fields["scope_kind"]
		}
		v := staffView(u, "Chỉ tiêu phong trào năm "+strconv.Itoa(year), d, "")
		v.Error, v.Fields, v.Form = msg, fields, formValues(r)
		s.render(w, r, errs.Status(err), "movement_targets", v)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/chi-tieu?nam=%d&ok=tao", t.Year), http.StatusSeeOther)
}
