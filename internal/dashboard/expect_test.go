package dashboard_test

import (
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/store"
)

// raw is every row the dashboards are computed from, loaded as is. The
// expectations below are worked out from it in plain Go, without the
// dashboard's SQL and without the services it calls.
type raw struct {
	sources    []rawSource
	police     map[int64]rawPolice
	juris      map[string]int64 // commune → its police unit (lowest id)
	deadlines  map[int64][]rawDeadline
	events     map[int64][]rawEvent
	categories []rawCategory
	units      []rawUnit
	points     []rawPoint
	plans      map[[2]string]int // year, province → planned
	cycles     []rawCycle
	models     []rawModel
	targets    []rawTarget
}

type rawSource struct {
	id, receiving, unit int64
	received            time.Time
	category, status    string
	decision            string // the stored sources.decision, checked against decisionOf
}
type rawPolice struct {
	code, level, province string
}
type rawDeadline struct {
	id, unit                     int64
	rule, started, due, met, cnl string
}
type rawEvent struct {
	id, unit int64
	at, kind string
}
type rawCategory struct{ code, name string }
type rawUnit struct {
	code, name, fullName, typ, level, parent, from, to string
}
type rawPoint struct {
	year           int
	commune        string
	area           int64
	status         string
	participants   int
	communeVersion string
}
type rawCycle struct {
	year                 int
	kind, subject, state string
}
type rawModel struct{ commune, started, status, ended string }
type rawTarget struct {
	id                               int64
	indicator, scopeKind, scope, cmp string
	year                             int
	value                            float64
}

// query runs q and hands each row to scan.
func query(t *testing.T, w *world, q string, scan func(func(...any) error) error) {
	t.Helper()
	rows, err := w.db.Query(w.ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows.Scan); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func loadRaw(t *testing.T, w *world) *raw {
	t.Helper()
	r := &raw{police: map[int64]rawPolice{}, juris: map[string]int64{}, deadlines: map[int64][]rawDeadline{},
		events: map[int64][]rawEvent{}, plans: map[[2]string]int{}}
	query(t, w, "SELECT id, receiving_unit_id, unit_id, received_at, category, status, decision FROM sources", func(scan func(...any) error) error {
		var s rawSource
		var at string
		if err := scan(&s.id, &s.receiving, &s.unit, &at, &s.category, &s.status, &s.decision); err != nil {
			return err
		}
		var err error
		s.received, err = store.ParseTime(at)
		r.sources = append(r.sources, s)
		return err
	})
	query(t, w, "SELECT id, code, level, province_code FROM police_units", func(scan func(...any) error) error {
		var id int64
		var p rawPolice
		err := scan(&id, &p.code, &p.level, &p.province)
		r.police[id] = p
		return err
	})
	query(t, w, "SELECT police_unit_id, commune_code FROM police_jurisdiction", func(scan func(...any) error) error {
		var id int64
		var c string
		err := scan(&id, &c)
		if old, ok := r.juris[c]; !ok || id < old {
			r.juris[c] = id
		}
		return err
	})
	query(t, w, "SELECT id, source_id, unit_id, rule_code, started_at, due_at, met_at, cancelled_at FROM source_deadlines", func(scan func(...any) error) error {
		var d rawDeadline
		var src int64
		err := scan(&d.id, &src, &d.unit, &d.rule, &d.started, &d.due, &d.met, &d.cnl)
		r.deadlines[src] = append(r.deadlines[src], d)
		return err
	})
	query(t, w, "SELECT id, source_id, COALESCE(unit_id, 0), at, kind FROM source_events", func(scan func(...any) error) error {
		var e rawEvent
		var src int64
		err := scan(&e.id, &src, &e.unit, &e.at, &e.kind)
		r.events[src] = append(r.events[src], e)
		return err
	})
	for _, es := range r.events {
		sort.Slice(es, func(i, j int) bool { return es[i].id < es[j].id })
	}
	query(t, w, "SELECT code, name FROM crime_categories ORDER BY position", func(scan func(...any) error) error {
		var c rawCategory
		err := scan(&c.code, &c.name)
		r.categories = append(r.categories, c)
		return err
	})
	query(t, w, "SELECT code, name, full_name, type, level, parent_code, valid_from, COALESCE(valid_to, '') FROM units", func(scan func(...any) error) error {
		var u rawUnit
		err := scan(&u.code, &u.name, &u.fullName, &u.typ, &u.level, &u.parent, &u.from, &u.to)
		r.units = append(r.units, u)
		return err
	})
	query(t, w, "SELECT year, commune_code, COALESCE(area_id, 0), status, participants, commune_valid_from FROM festival_points", func(scan func(...any) error) error {
		var p rawPoint
		err := scan(&p.year, &p.commune, &p.area, &p.status, &p.participants, &p.communeVersion)
		r.points = append(r.points, p)
		return err
	})
	query(t, w, "SELECT year, province_code, planned_points FROM festival_plans", func(scan func(...any) error) error {
		var y, n int
		var p string
		err := scan(&y, &p, &n)
		r.plans[[2]string{fmt.Sprint(y), p}] = n
		return err
	})
	query(t, w, "SELECT year, subject_kind, subject_code, status FROM recognition_cycles", func(scan func(...any) error) error {
		var c rawCycle
		err := scan(&c.year, &c.kind, &c.subject, &c.state)
		r.cycles = append(r.cycles, c)
		return err
	})
	query(t, w, "SELECT commune_code, started_on, status, ended_on FROM grassroots_models", func(scan func(...any) error) error {
		var m rawModel
		err := scan(&m.commune, &m.started, &m.status, &m.ended)
		r.models = append(r.models, m)
		return err
	})
	query(t, w, "SELECT id, indicator, scope_kind, scope, year, comparator, value FROM targets ORDER BY id", func(scan func(...any) error) error {
		var x rawTarget
		err := scan(&x.id, &x.indicator, &x.scopeKind, &x.scope, &x.year, &x.cmp, &x.value)
		r.targets = append(r.targets, x)
		return err
	})
	return r
}

// figures is every number of a dashboard, in a form both sides fill.
type figures struct {
	Received      int
	ByMonth       [12]int
	ByCategory    []string // "code=n"
	ByStatus      []string
	Open          int
	Decided       int
	DecidedOnTime int
	OnTimePct     string
	Overdue       int
	AtRisk        int

	FestCommunes, FestAreas, FestPlanned, FestParticipants int
	FestPlanPct                                            string
	FestVerdict                                            string
	FestRows                                               []string // "code held/areas/planned/participants/pct"

	Recognised  string // value or "no data"
	ModelWards  string
	Models      string
	RecTargets  []string // indicator=target id
	Targets     []string // "id state actual nodata below"
	TargetCount int
}

func pct(v float64) string { return fmt.Sprintf("%.6f", v) }

var closed = map[string]bool{"prosecuted": true, "not_prosecuted": true, "not_crime": true, "transferred_out": true, "merged": true}

var statusOrder = []string{"received", "registered", "verifying", "suspended", "prosecuted", "not_prosecuted", "not_crime", "transferred_out", "merged"}

var resolution = map[string]bool{"decision": true, "decision_extended": true, "procuracy_extension": true}

// refDate is 31 December of the year, or today while it runs.
func refDateOf(year int, now time.Time) string {
	end := fmt.Sprintf("%04d-12-31", year)
	if t := now.In(clock.Vietnam).Format("2006-01-02"); t < end {
		return t
	}
	return end
}

func (r *raw) inForce(u rawUnit, d string) bool { return u.from <= d && (u.to == "" || u.to >= d) }

// communesIn returns the communes in force on d within unit (VN: all).
func (r *raw) communesIn(unit, d string) map[string]bool {
	out := map[string]bool{}
	for _, u := range r.units {
		if u.level == "commune" && r.inForce(u, d) && (unit == "VN" || u.code == unit || u.parent == unit) {
			out[u.code] = true
		}
	}
	return out
}

func (r *raw) levelOf(unit, d string) string {
	if unit == "VN" {
		return "nation"
	}
	for _, u := range r.units {
		if u.code == unit && r.inForce(u, d) {
			return u.level
		}
	}
	return ""
}

// expect works out every figure of unit's dashboard for year.
func (r *raw) expect(t *testing.T, unit string, year int, now time.Time) figures {
	t.Helper()
	var f figures
	d := refDateOf(year, now)
	level := r.levelOf(unit, d)

	// The receiving units of the territory.
	mine := map[int64]bool{}
	for id, p := range r.police {
		switch level {
		case "nation":
			mine[id] = true
		case "province":
			mine[id] = p.province == unit
		}
	}
	if level == "commune" {
		mine[r.juris[unit]] = true
	}

	byCat, byStatus := map[string]int{}, map[string]int{}
	for _, s := range r.sources {
		local := s.received.In(clock.Vietnam)
		if !mine[s.receiving] || local.Year() != year {
			continue
		}
		f.Received++
		f.ByMonth[local.Month()-1]++
		byCat[s.category]++
		byStatus[s.status]++
		if !closed[s.status] {
			f.Open++
			// Overdue or at risk: the nearest open limit.
			var nearest time.Time
			for _, dl := range r.deadlines[s.id] {
				if dl.met != "" || dl.cnl != "" {
					continue
				}
				due, err := store.ParseTime(dl.due)
				if err != nil {
					t.Fatal(err)
				}
				if nearest.IsZero() || due.Before(nearest) {
					nearest = due
				}
			}
			if !nearest.IsZero() {
				// A limit ending at 24:00 belongs to the day before; days are
				// Vietnamese calendar days.
				last := nearest.Add(-time.Nanosecond).In(clock.Vietnam)
				today := now.In(clock.Vietnam)
				lastDay := time.Date(last.Year(), last.Month(), last.Day(), 12, 0, 0, 0, time.UTC)
				nowDay := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, time.UTC)
				left := int(lastDay.Sub(nowDay).Hours() / 24)
				switch {
				case !now.Before(nearest):
					f.Overdue++
				case left <= 3:
					f.AtRisk++
				}
			}
		}
		// Decided: the first decision on the timeline of the unit holding
		// the source, against the resolution limit running at that moment.
		for _, e := range r.events[s.id] {
			if (e.kind != "decide" && e.kind != "not_crime") || e.unit != s.unit {
				continue
			}
			var running *rawDeadline
			for i, dl := range r.deadlines[s.id] {
				if resolution[dl.rule] && dl.started <= e.at && (dl.cnl == "" || dl.cnl > e.at) && (dl.met == "" || dl.met >= e.at) {
					if running == nil || dl.id > running.id {
						running = &r.deadlines[s.id][i]
					}
				}
			}
			if running == nil {
				t.Fatalf("source %d decided at %s with no resolution limit running", s.id, e.at)
			}
			if running.met != e.at {
				t.Fatalf("source %d decided at %s but its limit %s was met at %q", s.id, e.at, running.rule, running.met)
			}
			f.Decided++
			if e.at < running.due {
				f.DecidedOnTime++
			}
			break
		}
	}
	for _, c := range r.categories {
		f.ByCategory = append(f.ByCategory, fmt.Sprintf("%s=%d", c.code, byCat[c.code]))
	}
	for _, st := range statusOrder {
		f.ByStatus = append(f.ByStatus, fmt.Sprintf("%s=%d", st, byStatus[st]))
	}
	onTime := 0.0
	if f.Decided > 0 {
		onTime = float64(f.DecidedOnTime) * 100 / float64(f.Decided)
	}
	f.OnTimePct = pct(onTime)

	// Festival: the geography has no lineage, so every point counts in
	// the commune it was recorded on.
	fest := func(communes map[string]bool, planned int) (held, areas, people int, share float64) {
		hc, ha := map[string]bool{}, map[int64]bool{}
		for _, p := range r.points {
			if p.year != year || p.status == "returned" || !communes[p.commune] {
				continue
			}
			people += p.participants
			if p.area == 0 {
				hc[p.commune] = true
			} else {
				ha[p.area] = true
			}
		}
		if planned > 0 {
			share = float64(len(hc)) * 100 / float64(planned)
		}
		return len(hc), len(ha), people, share
	}
	planOf := func(p string) int { return r.plans[[2]string{fmt.Sprint(year), p}] }
	planned := 0
	switch level {
	case "nation":
		for k, n := range r.plans {
			if k[0] == fmt.Sprint(year) {
				planned += n
			}
		}
	case "province":
		planned = planOf(unit)
	}
	held, areas, people, share := fest(r.communesIn(unit, d), planned)
	f.FestCommunes, f.FestAreas, f.FestPlanned, f.FestParticipants, f.FestPlanPct = held, areas, planned, people, pct(share)
	switch {
	case planned <= 0:
		f.FestVerdict = "chưa có kế hoạch"
	case held > planned:
		f.FestVerdict = "vượt kế hoạch"
	case held == planned:
		f.FestVerdict = "đạt kế hoạch"
	default:
		f.FestVerdict = "chưa đạt kế hoạch"
	}
	var rowUnits []string
	switch level {
	case "nation":
		for _, u := range r.units {
			if u.level == "province" && r.inForce(u, d) {
				rowUnits = append(rowUnits, u.code)
			}
		}
	case "province":
		for c := range r.communesIn(unit, d) {
			rowUnits = append(rowUnits, c)
		}
	}
	sort.Strings(rowUnits)
	for _, c := range rowUnits {
		pl := 0
		if level == "nation" {
			pl = planOf(c)
		}
		h, a, p, s := fest(r.communesIn(c, d), pl)
		f.FestRows = append(f.FestRows, fmt.Sprintf("%s %d/%d/%d/%d/%s", c, h, a, pl, p, pct(s)))
	}

	// Indicators and targets.
	ind := func(code, u string, y int) (float64, bool) { return r.indicator(code, u, y, now) }
	show := func(v float64, ok bool) string {
		if !ok {
			return "no data"
		}
		return pct(v)
	}
	f.Recognised = show(ind("communes_recognised_pct", unit, year))
	f.ModelWards = show(ind("recognised_model_wards", unit, year))
	f.Models = show(ind("active_models", unit, year))
	for _, code := range []string{"communes_recognised_pct", "recognised_model_wards", "active_models"} {
		for _, x := range r.targets {
			if x.year == year && x.indicator == code && x.scopeKind == "unit" && x.scope == unit {
				f.RecTargets = append(f.RecTargets, fmt.Sprintf("%s=%d", code, x.id))
				break
			}
		}
	}
	running := now.In(clock.Vietnam).Year() <= year
	for _, x := range r.targets {
		if x.year != year {
			continue
		}
		td := refDateOf(x.year, now)
		binds := false
		var units []rawUnit
		switch x.scopeKind {
		case "unit":
			switch level {
			case "nation":
				binds = true
			case "province":
				binds = x.scope == unit || r.communesIn(unit, td)[x.scope]
			case "commune":
				binds = x.scope == unit
			}
			units = []rawUnit{{code: x.scope}}
		case "each":
			for _, u := range r.units {
				if u.level == "province" && r.inForce(u, td) && u.typ == x.scope {
					units = append(units, u)
				}
			}
			sort.Slice(units, func(i, j int) bool { return units[i].code < units[j].code })
			binds = level == "nation"
			if level == "province" {
				for _, u := range units {
					binds = binds || u.code == unit
				}
			}
		}
		if !binds {
			continue
		}
		f.TargetCount++
		state, actual, nodata := "met", 0.0, false
		var below []string
		for _, u := range units {
			v, ok := ind(x.indicator, u.code, x.year)
			if !meets(v, x.cmp, x.value) || !ok {
				below = append(below, u.code)
				state = "missed"
				if running {
					state = "at_risk"
				}
			}
			if x.scopeKind == "unit" {
				actual, nodata = v, !ok
			}
		}
		f.Targets = append(f.Targets, fmt.Sprintf("%d %s %s %v %v", x.id, state, pct(actual), nodata, below))
	}
	return f
}

func meets(v float64, cmp string, want float64) bool {
	switch cmp {
	case ">=":
		return v >= want-1e-9
	case "<=":
		return v <= want+1e-9
	}
	return math.Abs(v-want) <= 1e-9
}

// indicator computes an indicator from the raw rows; false means no value.
func (r *raw) indicator(code, unit string, year int, now time.Time) (float64, bool) {
	d := refDateOf(year, now)
	communes := r.communesIn(unit, d)
	switch code {
	case "communes_recognised_pct":
		if len(communes) == 0 {
			return 0, false
		}
		rec := map[string]bool{}
		for _, c := range r.cycles {
			if c.kind == "commune" && c.state == "recognised" && c.year == year && communes[c.subject] {
				rec[c.subject] = true
			}
		}
		return float64(len(rec)) * 100 / float64(len(communes)), true
	case "recognised_model_wards":
		rec := map[string]bool{}
		for _, c := range r.cycles {
			if c.kind == "model_ward" && c.state == "recognised" && c.year <= year && (unit == "VN" || communes[c.subject]) {
				rec[c.subject] = true
			}
		}
		return float64(len(rec)), true
	case "active_models":
		n := 0
		for _, m := range r.models {
			if (unit == "VN" || communes[m.commune]) && m.started <= fmt.Sprintf("%d-12-31", year) &&
				(m.status == "active" || (m.status == "ended" && m.ended >= fmt.Sprintf("%d-01-01", year))) {
				n++
			}
		}
		return float64(n), true
	}
	// Festival indicators.
	planned := 0
	if unit == "VN" {
		for k, n := range r.plans {
			if k[0] == fmt.Sprint(year) {
				planned += n
			}
		}
	} else if r.levelOf(unit, d) == "province" {
		planned = r.plans[[2]string{fmt.Sprint(year), unit}]
	}
	hc, ha := map[string]bool{}, map[int64]bool{}
	for _, p := range r.points {
		if p.year == year && p.status != "returned" && communes[p.commune] {
			if p.area == 0 {
				hc[p.commune] = true
			} else {
				ha[p.area] = true
			}
		}
	}
	switch code {
	case "commune_points_held":
		return float64(len(hc)), true
	case "residential_area_points":
		return float64(len(ha)), true
	case "held_vs_plan_pct":
		if planned <= 0 {
			return 0, false
		}
		return float64(len(hc)) * 100 / float64(planned), true
	}
	panic("unknown indicator " + code)
}

// decisionOf works out what sources.decision must hold from the limits
// alone: empty when no resolution limit of the unit holding the source is
// met, "late" when one was met at or after its due time, else "on_time".
func (r *raw) decisionOf(s rawSource) string {
	out := ""
	for _, d := range r.deadlines[s.id] {
		if !resolution[d.rule] || d.unit != s.unit || d.met == "" {
			continue
		}
		if d.met >= d.due {
			return "late"
		}
		out = "on_time"
	}
	return out
}

// counters works out every row of source_counts (month, province, status,
// decision) and source_category_counts (month, province, category) from
// the sources, their limits and the police units, by counterKey.
func (r *raw) counters() (byStatus, byCategory map[string]int) {
	byStatus, byCategory = map[string]int{}, map[string]int{}
	for _, s := range r.sources {
		month := s.received.In(clock.Vietnam).Format("2006-01")
		prov := r.police[s.receiving].province
		byStatus[counterKey(month, prov, s.status, r.decisionOf(s))]++
		byCategory[counterKey(month, prov, s.category, "")]++
	}
	return byStatus, byCategory
}

func counterKey(month, province, a, b string) string {
	return fmt.Sprintf("%s %q %s %q", month, province, a, b)
}

// mapValues works out the province map's figure for every province with
// one: sources received in the year by the province's police units, or
// those of them open with an open limit due by now.
func (r *raw) mapValues(overdue bool, year int, now time.Time) map[string]float64 {
	out := map[string]float64{}
	for _, s := range r.sources {
		if s.received.In(clock.Vietnam).Year() != year {
			continue
		}
		if overdue {
			due := false
			for _, d := range r.deadlines[s.id] {
				due = due || (d.met == "" && d.cnl == "" && d.due <= store.FormatTime(now))
			}
			if closed[s.status] || !due {
				continue
			}
		}
		out[r.police[s.receiving].province]++
	}
	return out
}

// touched returns the provinces and communes whose dashboards count a
// source: those of every police unit that received one.
func (r *raw) touched() []string {
	seen := map[string]bool{}
	var out []string
	add := func(code string) {
		if code != "" && !seen[code] {
			seen[code] = true
			out = append(out, code)
		}
	}
	for _, s := range r.sources {
		p := r.police[s.receiving]
		add(p.province)
		for c, id := range r.juris {
			if id == s.receiving {
				add(c)
			}
		}
	}
	sort.Strings(out)
	return out
}
