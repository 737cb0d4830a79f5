package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"toandan/internal/account"
	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/recognition"
	"toandan/internal/store"
)

// The movement pages' template functions are registered here rather than in
// render.go so that the movement pages stay in their own files; the pages
// are parsed when the handler is built, after every init has run.
func init() {
	for name, fn := range movementFuncs {
		funcs[name] = fn
	}
}

var movementFuncs = map[string]any{
	"num":          formatNum,
	"pct":          formatPct,
	"pointStatus":  pointStatusName,
	"modelStatus":  recognition.ModelStatusName,
	"cycleStatus":  recognition.StatusName,
	"subjectKind":  recognition.SubjectKindName,
	"stateName":    recognition.StateName,
	"stateClass":   func(st string) string { return strings.ReplaceAll(st, "_", "-") },
	"comparator":   comparatorSign,
	"verdict":      movement.Verdict,
	"areaLabel":    areaLabel,
	"verdictClass": verdictClass,
	// unconfirmed marks criteria and sets whose legal text is not yet
	// checked against the gazette (their notes say UNCONFIRMED).
	"unconfirmed": func(note string) bool { return strings.Contains(note, "UNCONFIRMED") },
	// noteVN words the developers' UNCONFIRMED mark for officers.
	"noteVN": func(note string) string { return strings.ReplaceAll(note, "UNCONFIRMED:", "Chưa xác nhận:") },
	"storedTime": func(s string) string {
		t, err := store.ParseTime(s)
		if err != nil || t.IsZero() {
			return s
		}
		return t.In(vnZone).Format("15:04 02/01/2006")
	},
}

// verdictClass is the colour class of a festival verdict.
func verdictClass(v string) string {
	switch v {
	case movement.VerdictAbove, movement.VerdictMet:
		return "met"
	case movement.VerdictBelow:
		return "missed"
	}
	return "none"
}

// areaLabel names a residential area with its kind ("Thôn Đông"), unless
// the name already starts with it.
func areaLabel(a geo.Area) string {
	kind := geo.AreaKindName(a.Kind)
	if a.Kind == "khac" || strings.HasPrefix(strings.ToLower(a.Name), strings.ToLower(kind)+" ") {
		return a.Name
	}
	return kind + " " + a.Name
}

// formatNum writes a whole number the Vietnamese way, with dots between
// thousands: 5.813.
func formatNum(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		if x != float64(int64(x)) {
			return formatPct(x)
		}
		n = int64(x)
	default:
		return fmt.Sprint(v)
	}
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatPct writes a ratio with one decimal and a decimal comma: 66,7.
func formatPct(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1)
}

func pointStatusName(st string) string {
	switch st {
	case movement.StatusSubmitted:
		return "Chờ duyệt"
	case movement.StatusApproved:
		return "Đã duyệt"
	case movement.StatusReturned:
		return "Bị trả lại"
	}
	return st
}

func comparatorSign(c string) string {
	switch c {
	case ">=":
		return "≥"
	case "<=":
		return "≤"
	}
	return c
}

// staffView is the view of a signed-in officer's page.
func staffView(u *account.User, title string, data any, flash string) view {
	return view{Title: title, User: u, Staff: true, Data: data, Flash: flash}
}

// movementYear reads the year a movement page is about (?nam=), the current
// year in Vietnam by default.
func (s *Server) movementYear(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("nam"))
	if v == "" {
		v = strings.TrimSpace(r.PostFormValue("year"))
	}
	if v == "" {
		return s.currentYear(), nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 2005 || y > 2100 {
		return 0, errs.Field("nam", "Năm “%s” không hợp lệ.", v)
	}
	return y, nil
}

func (s *Server) currentYear() int { return s.Clock.Now().In(clock.Vietnam).Year() }

// yearChoice is the year picker every movement page carries.
type yearChoice struct {
	Action string
	Year   int
	Years  []int
	Hidden map[string]string // other query parameters to keep
}

func (s *Server) yearChoice(action string, year int, hidden map[string]string) yearChoice {
	cur := s.currentYear()
	yc := yearChoice{Action: action, Year: year, Hidden: map[string]string{}}
	for k, v := range hidden {
		if v != "" {
			yc.Hidden[k] = v
		}
	}
	for y := cur + 1; y >= cur-6; y-- {
		yc.Years = append(yc.Years, y)
	}
	if year > cur+1 || year < cur-6 {
		yc.Years = append(yc.Years, year)
	}
	return yc
}

// movementScope is the unit a movement page shows: the nation, a province
// or a commune within the officer's subtree.
type movementScope struct {
	Code  string
	Title string
	Level string // "nation", or a geo level
	Type  string // the unit type (ward, commune, municipality...)
	Unit  geo.Unit
}

func (m movementScope) IsNation() bool   { return m.Level == "nation" }
func (m movementScope) IsProvince() bool { return m.Level == geo.LevelProvince }
func (m movementScope) IsCommune() bool  { return m.Level == geo.LevelCommune }

// scopeOf resolves ?don-vi= (the officer's unit by default) and checks that
// the officer may see the movement data of that unit. A unit outside the
// officer's subtree is not found.
func (s *Server) scopeOf(ctx context.Context, u *account.User, code string) (movementScope, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		code = u.UnitCode
	}
	if err := s.authorizeUnit(ctx, u, account.ViewMovement, code); err != nil {
		return movementScope{}, err
	}
	if code == geo.Nation {
		return movementScope{Code: geo.Nation, Title: "Toàn quốc", Level: "nation"}, nil
	}
	unit, err := s.Geo.UnitAt(ctx, code, s.Geo.Today())
	if err != nil {
		return movementScope{}, err
	}
	return movementScope{Code: code, Title: unit.Title(), Level: unit.Level, Type: unit.Type, Unit: unit}, nil
}

// communesIn lists the communes of a scope in force today: itself for a
// commune, every commune of a province (or district). The nation has too
// many to list on one page; callers ask the officer to pick a province.
func (s *Server) communesIn(ctx context.Context, sc movementScope) ([]geo.Unit, error) {
	today := s.Geo.Today()
	switch sc.Level {
	case geo.LevelCommune:
		return []geo.Unit{sc.Unit}, nil
	case geo.LevelProvince:
		return s.Geo.CommunesOf(ctx, sc.Code, today)
	case geo.LevelDistrict:
		return s.Geo.Children(ctx, sc.Code, today)
	}
	return nil, nil
}

// formInt reads a whole number from a form field; empty means 0.
func formInt(r *http.Request, field string) (int, error) {
	v := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(field), ".", ""))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errs.Field(field, "Vui lòng nhập một số nguyên.")
	}
	return n, nil
}

func formInt64(r *http.Request, field string) (int64, error) {
	v := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(field), ".", ""))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errs.Field(field, "Vui lòng nhập một số nguyên.")
	}
	return n, nil
}

// formValues keeps what was posted, to put back into a form shown again.
func formValues(r *http.Request) map[string]string {
	out := map[string]string{}
	for k := range r.PostForm {
		out[k] = r.PostFormValue(k)
	}
	return out
}

// pathID reads the {id} of a path; a malformed id is not found, like a
// missing one.
func pathID(r *http.Request, notFound string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "%s", notFound)
	}
	return id, nil
}

// wantsCSV reports whether the page was asked for as CSV.
func wantsCSV(r *http.Request) bool { return r.URL.Query().Get("dinh-dang") == "csv" }

// writeCSV sends a table as a CSV download, with the byte-order mark that
// lets spreadsheet programs read UTF-8. Text cells must already be made
// safe with csvSafe.
func (s *Server) writeCSV(w http.ResponseWriter, name string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("\xef\xbb\xbf"))
	cw := csv.NewWriter(w)
	cw.Write(header)
	cw.WriteAll(rows)
	if err := cw.Error(); err != nil {
		s.Log.Error("csv", "file", name, "err", err)
	}
}

// query builds a query string from pairs, leaving out empty values.
func query(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			v.Set(pairs[i], pairs[i+1])
		}
	}
	return v.Encode()
}

// userError reports whether err is the user's to fix on the page they came
// from (bad input, a conflict) rather than a failure, a missing object or a
// refusal.
func userError(err error) bool {
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.Conflict:
		return true
	}
	return false
}

// cycleSubjectName names the subject of a recognition cycle for a list.
func (s *Server) cycleSubjectName(ctx context.Context, c recognition.Cycle, names map[string]string) string {
	key := c.SubjectKind + ":" + c.SubjectCode
	if n, ok := names[key]; ok {
		return n
	}
	var n string
	if c.SubjectKind == recognition.KindResidentialArea {
		id, _ := strconv.ParseInt(c.SubjectCode, 10, 64)
		if a, err := s.Geo.Area(ctx, id); err == nil {
			n = areaLabel(a) + ", " + s.communeTitle(ctx, a.CommuneCode, names)
		} else {
			n = "Khu dân cư " + c.SubjectCode
		}
	} else {
		n = s.communeTitle(ctx, c.SubjectCode, names)
	}
	names[key] = n
	return n
}

// communeTitle names a unit by code, remembering names already found.
func (s *Server) communeTitle(ctx context.Context, code string, names map[string]string) string {
	if n, ok := names["unit:"+code]; ok {
		return n
	}
	n := code
	if u, err := s.Geo.UnitAt(ctx, code, s.Geo.Today()); err == nil {
		n = u.Title()
	} else if ps, err := s.Geo.Resolve(ctx, code, s.Geo.Today()); err == nil && len(ps) > 0 {
		n = code + " (nay thuộc " + ps[0].Commune.Title() + ")"
	}
	names["unit:"+code] = n
	return n
}
