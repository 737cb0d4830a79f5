package dashboard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/dashboard"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/recognition"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// world is the whole application on one engine with a varied record:
// crime sources received over sixteen months in the three sample communes
// (T0101, T0102 in Hà Nội 01; T7901 in Hồ Chí Minh 79), at the two
// province police units and at the national intake unit, handled every way
// the workflow allows (decided on time, decided late, extended, suspended
// and resumed, found not a crime, sent to another agency, left open until
// overdue or at risk); festival plans and points (one returned); recognition
// cycles, grassroots models and targets.
type world struct {
	ctx   context.Context
	srv   *testutil.Server
	db    *store.DB
	clk   *clock.Fixed
	users map[string]account.User
	// now is when the dashboards are read: the test server's fixed time,
	// Mon 30 Nov 2026 10:00 in Vietnam.
	now time.Time
}

func vn(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Vietnam)
}

var officers = []struct {
	name string
	role account.Role
	unit string
}{
	{"xa-t0101", account.Commune, "T0101"},
	{"xa-t0102", account.Commune, "T0102"},
	{"xa-t7901", account.Commune, "T7901"},
	{"dieutra-01", account.Investigator, "01"},
	{"dieutra-79", account.Investigator, "79"},
	{"tinh-01", account.Province, "01"},
	{"tinh-79", account.Province, "79"},
	{"bo-cong-an", account.Ministry, geo.Nation},
	{"quan-tri", account.Admin, geo.Nation},
}

func newWorld(t *testing.T, eng store.Engine) *world {
	t.Helper()
	srv := testutil.NewServer(t, eng)
	srv.ImportCSV(t, testutil.SampleCommunes, geo.ReformDate)
	w := &world{ctx: context.Background(), srv: srv, db: srv.Main.DB, clk: srv.Clock, users: map[string]account.User{}, now: srv.Clock.Now()}
	for _, o := range officers {
		srv.CreateUser(t, o.name, o.role, o.unit)
		u, err := srv.Main.Accounts.ByUsername(w.ctx, o.name)
		if err != nil {
			t.Fatal(err)
		}
		w.users[o.name] = u
	}
	return w
}

func (w *world) service() *dashboard.Service {
	m := w.srv.Main
	return &dashboard.Service{DB: m.DB, Geo: m.Geo, Movement: m.Movement, Recognition: m.Recognition, Clock: w.clk, AtRiskDays: m.Sources.AtRiskDays}
}

func (w *world) actor(name string) crimesource.Actor {
	u := w.users[name]
	return crimesource.Actor{UserID: u.ID, Role: string(u.Role), Unit: u.UnitCode}
}

// step is one thing done at one time; it may schedule more.
type step struct {
	at  time.Time
	seq int
	do  func(t *testing.T) []step
}

// run does the steps in time order with the clock set to each step's
// time, and drops what would happen after the world's now.
func (w *world) run(t *testing.T, steps []step) {
	t.Helper()
	seq := 0
	for i := range steps {
		steps[i].seq = seq
		seq++
	}
	for len(steps) > 0 {
		k := 0
		for i, s := range steps {
			if s.at.Before(steps[k].at) || (s.at.Equal(steps[k].at) && s.seq < steps[k].seq) {
				k = i
			}
		}
		s := steps[k]
		steps = append(steps[:k], steps[k+1:]...)
		if s.at.After(w.now) {
			continue
		}
		w.clk.Set(s.at)
		for _, n := range s.do(t) {
			n.seq = seq
			seq++
			steps = append(steps, n)
		}
	}
	w.clk.Set(w.now)
}

func (w *world) act(t *testing.T, officer string, id int64, a crimesource.Action) {
	t.Helper()
	if err := w.srv.Main.Sources.Act(w.ctx, w.actor(officer), id, a); err != nil {
		t.Fatalf("%s: %s on source %d at %s: %v", officer, a.Kind, id, w.clk.Now().In(clock.Vietnam), err)
	}
}

// openDue returns the due time of the open resolution limit of a source.
func (w *world) openDue(t *testing.T, id int64) time.Time {
	t.Helper()
	var due string
	if err := w.db.QueryRow(w.ctx, `SELECT due_at FROM source_deadlines WHERE source_id = ? AND met_at = '' AND cancelled_at = ''
		AND rule_code IN ('decision', 'decision_extended', 'procuracy_extension') ORDER BY id DESC LIMIT 1`, id).Scan(&due); err != nil {
		t.Fatalf("open decision limit of %d: %v", id, err)
	}
	d, err := store.ParseTime(due)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var categories = []string{"trat_tu_xa_hoi", "kinh_te", "tham_nhung", "ma_tuy", "moi_truong", "cong_nghe_cao", "buon_lau", "khac"}

// place is where a source is reported.
type place struct {
	commune, province string // "" "" for the national intake
	investigator      string // who decides it once it reaches the province
	commune0          string // the commune officer, for commune sources
}

var places = []place{
	{commune: "T0101", investigator: "dieutra-01", commune0: "xa-t0101"},
	{commune: "T0102", investigator: "dieutra-01", commune0: "xa-t0102"},
	{commune: "T7901", investigator: "dieutra-79", commune0: "xa-t7901"},
	{province: "01", investigator: "dieutra-01"},
	{province: "79", investigator: "dieutra-79"},
	{investigator: ""}, // national intake: the ministry sends it to a province
}

// recordSources receives and handles the sources.
func (w *world) recordSources(t *testing.T) {
	t.Helper()
	const n = 96
	var steps []step
	for i := range n {
		pl := places[i%len(places)]
		k := i % 16 // months Aug 2025 … Nov 2026
		received := vn(2025, time.Month(8+k), 1+(i*7)%27, 7+(i*5)%12, (i*13)%60)
		switch i {
		case 0: // the first minutes of 2026 in Vietnam, still 2025 in UTC
			received = vn(2026, 1, 1, 0, 30)
		case 1: // the last minutes of 2025 in Vietnam
			received = vn(2025, 12, 31, 23, 30)
		case 2: // this morning
			received = vn(2026, 11, 30, 8, 15)
		case 3: // at the province: the procuracy notice runs out tonight
			received = vn(2026, 11, 27, 10, 0)
		case 8: // registered as urgent yesterday: 24 hours to transfer, a few left
			received = vn(2026, 11, 29, 14, 0)
		case 9: // the very first instant of 2026
			received = vn(2026, 1, 1, 0, 0)
		case 48: // at a commune: 7 days to transfer, the last on Thu 3 Dec (3 days left)
			received = vn(2026, 11, 27, 9, 0)
		case 32: // at a commune: the last day Fri 4 Dec (4 days left: not yet at risk)
			received = vn(2026, 11, 28, 9, 0)
		case 19: // extended on 5 Nov: the 20-day limit it replaced has passed
			received = vn(2026, 10, 25, 9, 0)
		}
		in := crimesource.Intake{Category: categories[(i*3)%len(categories)], CommuneCode: pl.commune, ProvinceCode: pl.province,
			Description: fmt.Sprintf("Nguồn tin thử nghiệm số %d về một vụ việc", i), Anonymous: true}
		if i%5 == 1 {
			in.Channel, in.Kind, in.ReporterOrg = "agency", crimesource.KindReport, "Ủy ban nhân dân xã"
		}
		fate := i % 8
		steps = append(steps, step{at: received, do: func(t *testing.T) []step {
			rec, err := w.srv.Main.Sources.Submit(w.ctx, in, crimesource.Actor{})
			if err != nil {
				t.Fatalf("submit %d: %v", i, err)
			}
			return w.handle(t, i, fate, pl, rec.ID, received)
		}})
	}
	w.run(t, steps)
}

// handle schedules what happens to source i after its receipt.
func (w *world) handle(t *testing.T, i, fate int, pl place, id int64, received time.Time) []step {
	day := 24 * time.Hour
	inv := pl.investigator
	if inv == "" {
		inv = []string{"dieutra-01", "dieutra-79"}[i%2]
	}
	fateSteps := w.fates(i, fate, inv, id)
	// decideSteps are what the investigation body does once it holds the
	// source, from time at: most notify the procuracy the next day, then
	// the source meets its fate.
	decideSteps := func(at time.Time) []step {
		var notify []step
		if i%3 != 0 {
			notify = []step{{at: at.Add(day), do: func(t *testing.T) []step {
				w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActNotifyProcuracy})
				return nil
			}}}
		}
		return append(notify, fateSteps(at)...)
	}
	return w.route(i, fate, pl, inv, id, received, decideSteps)
}

// fates schedules what the investigation body does with source i.
func (w *world) fates(i, fate int, inv string, id int64) func(at time.Time) []step {
	day := 24 * time.Hour
	return func(at time.Time) []step {
		switch fate {
		case 1: // prosecuted within the 20 days
			return []step{{at: at.Add(9 * day), do: func(t *testing.T) []step {
				w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeProsecute})
				return nil
			}}}
		case 2: // not prosecuted, late
			return []step{{at: at.Add(35 * day), do: func(t *testing.T) []step {
				w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeNotProsecute})
				return nil
			}}}
		case 3: // extended to 2 months (and by the procuracy for some), decided within
			return []step{{at: at.Add(10 * day), do: func(t *testing.T) []step {
				w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActExtend})
				if i%16 == 11 {
					return []step{{at: at.Add(50 * day), do: func(t *testing.T) []step {
						w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActProcuracyExtend})
						return []step{{at: at.Add(80 * day), do: func(t *testing.T) []step {
							w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeProsecute})
							return nil
						}}}
					}}}
				}
				return []step{{at: at.Add(40 * day), do: func(t *testing.T) []step {
					w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeNotProsecute})
					return nil
				}}}
			}}}
		case 4: // not a crime
			return []step{{at: at.Add(3 * day), do: func(t *testing.T) []step {
				w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActNotCrime})
				return nil
			}}}
		case 6: // another agency is competent
			return []step{{at: at.Add(2 * day), do: func(t *testing.T) []step {
				w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActTransferAgency, Agency: "Cục Hải quan"})
				return nil
			}}}
		case 7: // suspended on the last day of the limit; some resumed and decided
			return []step{{at: at.Add(day), do: func(t *testing.T) []step {
				due := w.openDue(t, id)
				return []step{{at: due.Add(-2 * time.Hour), do: func(t *testing.T) []step {
					w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeSuspend, Ground: "a"})
					if i%16 != 7 {
						return nil
					}
					now := w.clk.Now()
					return []step{{at: now.Add(10 * day), do: func(t *testing.T) []step {
						w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActResume})
						// Decided 40 days after the resumption: late against the
						// one-month limit, which is not the first decision's.
						return []step{{at: now.Add(50 * day), do: func(t *testing.T) []step {
							w.act(t, inv, id, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeProsecute})
							return nil
						}}}
					}}}
				}}}
			}}}
		}
		return nil // 0 and 5: left open
	}
}

// route schedules how source i reaches the investigation body, then hands
// it to decideSteps.
func (w *world) route(i, fate int, pl place, inv string, id int64, received time.Time, decideSteps func(time.Time) []step) []step {
	day := 24 * time.Hour
	switch {
	case pl.commune != "":
		if fate == 0 {
			if i%16 == 8 { // registered as urgent: 24 hours to transfer
				return []step{{at: received.Add(2 * time.Hour), do: func(t *testing.T) []step {
					w.act(t, pl.commune0, id, crimesource.Action{Kind: crimesource.ActRegister, Urgent: true})
					return nil
				}}}
			}
			return nil
		}
		if fate == 6 && i%16 == 6 { // the commune sends it to another agency itself
			return []step{{at: received.Add(day), do: func(t *testing.T) []step {
				w.act(t, pl.commune0, id, crimesource.Action{Kind: crimesource.ActTransferAgency, Agency: "Chi cục Kiểm lâm"})
				return nil
			}}}
		}
		return []step{{at: received.Add(day), do: func(t *testing.T) []step {
			w.act(t, pl.commune0, id, crimesource.Action{Kind: crimesource.ActTransfer})
			return decideSteps(w.clk.Now())
		}}}
	case pl.province != "":
		return decideSteps(received)
	}
	// National intake: the ministry sends it to a province's investigation
	// body, except those left waiting.
	if fate == 0 {
		return nil
	}
	prov := map[string]string{"dieutra-01": "01", "dieutra-79": "79"}[inv]
	return []step{{at: received.Add(day / 2), do: func(t *testing.T) []step {
		w.act(t, "bo-cong-an", id, crimesource.Action{Kind: crimesource.ActTransfer, Province: prov})
		return decideSteps(w.clk.Now())
	}}}
}

// recordMovement records festival plans and points, recognition cycles,
// grassroots models and targets, at the world's now.
func (w *world) recordMovement(t *testing.T) {
	t.Helper()
	ctx, m := w.ctx, w.srv.Main
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.Movement.SetPlan(ctx, w.users["tinh-01"], 2026, "01", 3, "Kế hoạch số 12/KH-CAHN"))
	must(m.Movement.SetPlan(ctx, w.users["tinh-79"], 2026, "79", 2, ""))
	must(m.Movement.SetPlan(ctx, w.users["tinh-01"], 2025, "01", 2, ""))
	admin := w.users["quan-tri"]
	a1, err := m.Geo.CreateArea(ctx, "T0101", geo.AreaInput{Name: "Tổ dân phố số 1", Kind: "to_dan_pho"}, admin.ID, "test")
	must(err)
	a2, err := m.Geo.CreateArea(ctx, "T0102", geo.AreaInput{Name: "Thôn Đông", Kind: "thon"}, admin.ID, "test")
	must(err)
	point := func(officer string, in movement.PointInput) movement.Point {
		t.Helper()
		p, err := m.Movement.RecordPoint(ctx, w.users[officer], in)
		if err != nil {
			t.Fatalf("festival point %+v: %v", in, err)
		}
		return p
	}
	point("xa-t0101", movement.PointInput{Year: 2026, Commune: "T0101", HeldOn: "2026-08-19", Participants: 150, Guests: 10})
	point("xa-t0101", movement.PointInput{Year: 2026, Commune: "T0101", AreaID: a1.ID, HeldOn: "2026-08-18", Participants: 40})
	point("xa-t0102", movement.PointInput{Year: 2026, Commune: "T0102", AreaID: a2.ID, HeldOn: "2026-08-17", Participants: 35})
	point("xa-t0102", movement.PointInput{Year: 2026, Commune: "T0102", HeldOn: "2026-08-20", Participants: 90})
	returned := point("xa-t7901", movement.PointInput{Year: 2026, Commune: "T7901", HeldOn: "2026-08-19", Participants: 300})
	if _, err := m.Movement.ReviewPoint(ctx, w.users["tinh-79"], returned.ID, false, "Thiếu biên bản."); err != nil {
		t.Fatal(err)
	}
	point("xa-t0101", movement.PointInput{Year: 2025, Commune: "T0101", HeldOn: "2025-08-19", Participants: 100})
	approved := point("xa-t7901", movement.PointInput{Year: 2025, Commune: "T7901", HeldOn: "2025-08-19", Participants: 200})
	if _, err := m.Movement.ReviewPoint(ctx, w.users["tinh-79"], approved.ID, true, ""); err != nil {
		t.Fatal(err)
	}

	// Recognition cycles are recorded as decided: the workflow that decides
	// them is tested in package recognition; here they are data to count.
	at := store.FormatTime(w.now)
	for _, c := range []struct {
		year         int
		kind, code   string
		status       string
		communeOfSub string
	}{
		{2026, recognition.KindCommune, "T0101", recognition.StatusRecognised, "T0101"},
		{2026, recognition.KindCommune, "T0102", recognition.StatusSubmitted, "T0102"},
		{2026, recognition.KindCommune, "T7901", recognition.StatusNotRecognised, "T7901"},
		{2025, recognition.KindCommune, "T0102", recognition.StatusRecognised, "T0102"},
		{2025, recognition.KindModelWard, "T0101", recognition.StatusRecognised, "T0101"},
		{2026, recognition.KindModelWard, "T7901", recognition.StatusRecognised, "T7901"},
	} {
		var setID int64
		must(w.db.QueryRow(ctx, "SELECT id FROM criteria_sets WHERE subject_kind = ? ORDER BY effective_from DESC LIMIT 1", c.kind).Scan(&setID))
		_, err := w.db.Exec(ctx, `INSERT INTO recognition_cycles (set_id, year, subject_kind, subject_code, commune_code, status, registered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, setID, c.year, c.kind, c.code, c.communeOfSub, c.status, at)
		must(err)
	}
	for _, g := range []struct {
		commune, typ, started, status, ended string
	}{
		{"T0101", "camera_an_ninh", "2024-05-01", "active", ""},
		{"T0101", "to_tu_quan", "2026-02-01", "active", ""},
		{"T0102", "to_tu_quan", "2023-01-01", "ended", "2026-03-01"},
		{"T0102", "tieng_loa_an_ninh", "2023-01-01", "ended", "2025-06-30"},
		{"T7901", "camera_an_ninh", "2027-01-01", "active", ""},
		{"T7901", "khac", "2025-09-01", "paused", ""},
		{"T7901", "to_an_ninh_xung_kich", "2025-10-01", "active", ""},
	} {
		_, err := w.db.Exec(ctx, `INSERT INTO grassroots_models (commune_code, name, type_code, started_on, status, ended_on, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, g.commune, "Mô hình "+g.typ, g.typ, g.started, g.status, g.ended, at, at)
		must(err)
	}

	bo := w.users["bo-cong-an"]
	for _, tg := range []recognition.Target{
		{Indicator: recognition.CommunesRecognisedPct, ScopeKind: recognition.ScopeUnit, Scope: geo.Nation, Year: 2026, Comparator: ">=", Value: 30},
		{Indicator: recognition.CommunesRecognisedPct, ScopeKind: recognition.ScopeUnit, Scope: "01", Year: 2026, Comparator: ">=", Value: 99, LegalSource: "Nghị quyết của Tỉnh ủy"},
		{Indicator: recognition.RecognisedModelWards, ScopeKind: recognition.ScopeEach, Scope: "municipality", Year: 2026, Comparator: ">=", Value: 1},
		{Indicator: recognition.HeldVsPlanPct, ScopeKind: recognition.ScopeUnit, Scope: "79", Year: 2026, Comparator: ">=", Value: 100},
		{Indicator: recognition.ActiveModelsCount, ScopeKind: recognition.ScopeUnit, Scope: "T0101", Year: 2026, Comparator: ">=", Value: 1},
		{Indicator: recognition.CommunePointsHeld, ScopeKind: recognition.ScopeUnit, Scope: "01", Year: 2026, Comparator: "<=", Value: 5},
		{Indicator: recognition.HeldVsPlanPct, ScopeKind: recognition.ScopeUnit, Scope: "T0102", Year: 2026, Comparator: ">=", Value: 100},
		{Indicator: recognition.ResidentialAreaPoints, ScopeKind: recognition.ScopeUnit, Scope: "T7901", Year: 2026, Comparator: "=", Value: 0},
		{Indicator: recognition.CommunesRecognisedPct, ScopeKind: recognition.ScopeUnit, Scope: "01", Year: 2025, Comparator: ">=", Value: 40},
		{Indicator: recognition.ActiveModelsCount, ScopeKind: recognition.ScopeUnit, Scope: "79", Year: 2025, Comparator: ">=", Value: 2},
		{Indicator: recognition.RecognisedModelWards, ScopeKind: recognition.ScopeEach, Scope: "province", Year: 2025, Comparator: ">=", Value: 1},
	} {
		if _, err := m.Recognition.CreateTarget(ctx, bo, tg); err != nil {
			t.Fatalf("target %+v: %v", tg, err)
		}
	}
}

// recordMore adds what recordSources does not do: receipts in the last
// instant of a month in Vietnam (which SQLite's date functions would round
// into the next month), a category corrected at registration, duplicates
// merged into another source, two of them closed in 2025 with their
// target; then the retention purge removes every source closed before
// 2026, with its limits and timeline.
func (w *world) recordMore(t *testing.T) {
	t.Helper()
	last := 59*time.Second + 999_900*time.Microsecond // 23:59:59.9999
	tracking := map[string]string{}
	ids := map[string]int64{}
	submit := func(name string, in crimesource.Intake) {
		t.Helper()
		in.Description, in.Anonymous = "Nguồn tin thử nghiệm "+name, true
		rec, err := w.srv.Main.Sources.Submit(w.ctx, in, crimesource.Actor{})
		if err != nil {
			t.Fatalf("submit %s: %v", name, err)
		}
		tracking[name], ids[name] = rec.TrackingCode, rec.ID
	}
	at := func(when time.Time, do func()) step {
		return step{at: when, do: func(*testing.T) []step { do(); return nil }}
	}
	w.run(t, []step{
		at(vn(2026, 3, 31, 23, 59).Add(last), func() { submit("march-last", crimesource.Intake{Category: "khac", CommuneCode: "T0101"}) }),
		at(vn(2026, 4, 1, 8, 0), func() {
			w.act(t, "xa-t0101", ids["march-last"], crimesource.Action{Kind: crimesource.ActRegister, Category: "ma_tuy"})
		}),
		at(vn(2026, 4, 2, 9, 0), func() { submit("april-dup", crimesource.Intake{Category: "ma_tuy", CommuneCode: "T0101"}) }),
		at(vn(2026, 4, 2, 10, 0), func() {
			w.act(t, "xa-t0101", ids["april-dup"], crimesource.Action{Kind: crimesource.ActMerge, Target: tracking["march-last"]})
		}),
		at(vn(2026, 5, 20, 9, 0), func() { submit("may-79", crimesource.Intake{Category: "kinh_te", ProvinceCode: "79"}) }),
		// 17:00 UTC on 31 May is midnight of 1 June in Vietnam.
		at(time.Date(2026, 5, 31, 17, 0, 0, 0, time.UTC), func() { submit("june-79", crimesource.Intake{Category: "kinh_te", ProvinceCode: "79"}) }),
		at(vn(2026, 6, 2, 9, 0), func() {
			w.act(t, "dieutra-79", ids["june-79"], crimesource.Action{Kind: crimesource.ActMerge, Target: tracking["may-79"]})
		}),
		at(vn(2025, 12, 31, 23, 59).Add(last), func() { submit("year-last", crimesource.Intake{Category: "buon_lau"}) }),
		at(vn(2026, 1, 1, 12, 0), func() {
			w.act(t, "bo-cong-an", ids["year-last"], crimesource.Action{Kind: crimesource.ActTransfer, Province: "79"})
		}),
		at(vn(2026, 1, 6, 12, 0), func() {
			w.act(t, "dieutra-79", ids["year-last"], crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeProsecute})
		}),
		at(vn(2025, 8, 3, 9, 0), func() { submit("agency-2025", crimesource.Intake{Category: "moi_truong", CommuneCode: "T7901"}) }),
		at(vn(2025, 8, 4, 9, 0), func() {
			w.act(t, "xa-t7901", ids["agency-2025"], crimesource.Action{Kind: crimesource.ActTransferAgency, Agency: "Chi cục Bảo vệ môi trường"})
		}),
		at(vn(2025, 9, 10, 9, 0), func() { submit("dup-2025", crimesource.Intake{Category: "moi_truong", CommuneCode: "T7901"}) }),
		at(vn(2025, 9, 10, 11, 0), func() {
			w.act(t, "xa-t7901", ids["dup-2025"], crimesource.Action{Kind: crimesource.ActMerge, Target: tracking["agency-2025"]})
		}),
	})
	res, err := w.srv.Main.Sources.Purge(w.ctx, vn(2026, 1, 1, 0, 0), "test")
	if err != nil {
		t.Fatal(err)
	}
	var left int
	if err := w.db.QueryRow(w.ctx, "SELECT COUNT(*) FROM sources WHERE id IN (?, ?)", ids["agency-2025"], ids["dup-2025"]).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if res.Sources < 10 || left != 0 {
		t.Fatalf("purged %d sources, %d of the merged pair left", res.Sources, left)
	}
}

// loadInBulk writes sources as a data load or the benchmark does (see
// bench's fillReports): multi-row INSERTs straight into sources,
// source_deadlines (resolution limits met on time or late, or open) and
// source_events (the decisions), one source written with a decision of its
// own. It returns the sources' ids.
func (w *world) loadInBulk(t *testing.T) []int64 {
	t.Helper()
	police := map[string]int64{}
	query(t, w, "SELECT code, id FROM police_units", func(scan func(...any) error) error {
		var code string
		var id int64
		err := scan(&code, &id)
		police[code] = id
		return err
	})
	unitsOf := []string{"CA-T0101", "CA-T0102", "CA-T7901", "CA-01", "CA-79"}
	const n = 48
	var src, dl, ev []any
	var ids []int64
	day := 24 * time.Hour
	for i := range n {
		id := int64(1_000_001 + i)
		ids = append(ids, id)
		unit := police[unitsOf[i%len(unitsOf)]]
		received := vn(2025+i%2, time.Month(1+i%11), 1+(i*3)%27, (i*7)%24, (i*11)%60)
		if i == 2 { // its limit runs out in two days
			received = w.now.Add(-18 * day)
		}
		due := received.Add(20 * day)
		status, met, decision := crimesource.StatusVerifying, time.Time{}, ""
		switch i % 4 {
		case 0:
			status, met = crimesource.StatusNotProsecuted, received.Add(10*day)
		case 1:
			status, met = crimesource.StatusProsecuted, received.Add(30*day)
		case 3:
			status, met = crimesource.StatusSuspended, due.Add(-time.Hour)
		}
		if i == 0 {
			decision = "late" // not what its limit says
		}
		metAt, closedAt := "", ""
		if !met.IsZero() {
			metAt = store.FormatTime(met)
			if crimesource.Closed(status) {
				closedAt = metAt
			}
			ev = append(ev, id, metAt, "import", unit, "decide")
		}
		desc := fmt.Sprintf("Nguồn tin nạp hàng loạt số %d", i)
		src = append(src, id, fmt.Sprintf("TD-BULK-%03d", i), "to_giac", "online", categories[i%len(categories)], desc, desc, 1,
			store.FormatTime(received), unit, unit, status, decision, metAt, closedAt, store.FormatTime(received))
		dl = append(dl, id, "decision", "bulk", unit, store.FormatTime(received), store.FormatTime(due), metAt)
	}
	for _, q := range []struct {
		sql  string
		args []any
		cols int
	}{
		{"INSERT INTO sources (id, tracking_code, kind, channel, category, description, search_text, anonymous, received_at, receiving_unit_id, unit_id, status, decision, decided_at, closed_at, updated_at) VALUES ", src, 16},
		{"INSERT INTO source_deadlines (source_id, rule_code, rule_version, unit_id, started_at, due_at, met_at) VALUES ", dl, 7},
		{"INSERT INTO source_events (source_id, at, actor, unit_id, kind) VALUES ", ev, 5},
	} {
		if _, err := w.db.Exec(w.ctx, q.sql+store.Placeholders(len(q.args)/q.cols, q.cols), q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return ids
}

// correct makes changes an operator could make in SQL, which no service
// makes but the counters must follow all the same: a decision withdrawn
// (its event and met limit deleted), a decided source handed to another
// unit, a source's receiving unit, receipt time and category corrected,
// and a commune's police unit placed under another province.
func (w *world) correct(t *testing.T, bulk []int64) {
	t.Helper()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"DELETE FROM source_events WHERE source_id = ?", []any{bulk[4]}},
		{"DELETE FROM source_deadlines WHERE source_id = ?", []any{bulk[4]}},
		{"UPDATE sources SET unit_id = (SELECT id FROM police_units WHERE code = 'CA-79') WHERE id = ?", []any{bulk[5]}},
		{"UPDATE sources SET receiving_unit_id = (SELECT id FROM police_units WHERE code = 'CA-T7901') WHERE id = ?", []any{bulk[6]}},
		{"UPDATE sources SET received_at = ? WHERE id = ?", []any{store.FormatTime(vn(2025, 12, 31, 23, 59)), bulk[7]}},
		{"UPDATE sources SET category = 'buon_lau' WHERE id = ?", []any{bulk[8]}},
		{"UPDATE police_units SET province_code = '48' WHERE code = 'CA-T0102'", nil},
	} {
		res, err := w.db.Exec(w.ctx, q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			t.Fatalf("%s: %d rows, %v", q.sql, n, err)
		}
	}
}
