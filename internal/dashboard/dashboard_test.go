package dashboard_test

import (
	"encoding/xml"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"toandan/internal/chart"
	"toandan/internal/crimesource"
	"toandan/internal/dashboard"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/store"
)

// figuresOf reads every number of a dashboard into the form the
// expectations use.
func figuresOf(d dashboard.Dashboard) figures {
	s := d.Sources
	f := figures{Received: s.Received, ByMonth: s.ByMonth, Open: s.Open, Decided: s.Decided, DecidedOnTime: s.DecidedOnTime,
		OnTimePct: pct(s.OnTimePct), Overdue: s.Overdue, AtRisk: s.AtRisk}
	for _, c := range s.ByCategory {
		f.ByCategory = append(f.ByCategory, fmt.Sprintf("%s=%d", c.Code, c.N))
	}
	for _, c := range s.ByStatus {
		f.ByStatus = append(f.ByStatus, fmt.Sprintf("%s=%d", c.Code, c.N))
	}
	fe := d.Festival
	f.FestCommunes, f.FestAreas, f.FestPlanned, f.FestParticipants = fe.CommunePoints, fe.AreaPoints, fe.Planned, fe.Participants
	f.FestPlanPct, f.FestVerdict = pct(fe.PlanPct), fe.Verdict
	for _, r := range fe.Rows {
		f.FestRows = append(f.FestRows, fmt.Sprintf("%s %d/%d/%d/%d/%s", r.Code, r.CommunePoints, r.AreaPoints, r.Planned, r.Participants, pct(r.PlanPct)))
	}
	show := func(in dashboard.Indicator) string {
		if in.NoData {
			return "no data"
		}
		return pct(in.Value)
	}
	rec := d.Recognition
	f.Recognised, f.ModelWards, f.Models = show(rec.CommunesRecognisedPct), show(rec.RecognisedModelWards), show(rec.ActiveModels)
	for _, in := range []dashboard.Indicator{rec.CommunesRecognisedPct, rec.RecognisedModelWards, rec.ActiveModels} {
		if in.Target != nil {
			f.RecTargets = append(f.RecTargets, fmt.Sprintf("%s=%d", in.Code, in.Target.ID))
		}
	}
	for _, t := range d.Targets {
		f.TargetCount++
		nodata := t.Target.ScopeKind == "unit" && len(t.Units) == 1 && t.Units[0].NoData
		f.Targets = append(f.Targets, fmt.Sprintf("%d %s %s %v %v", t.Target.ID, t.State, pct(t.Actual), nodata, t.Below))
	}
	return f
}

// TestCountersConsistent builds a varied record through the services, a
// bulk load and corrections made in SQL, and recomputes every number of
// every dashboard (the nation, each province and commune whose police
// received a source; two years) and of the province map from the raw rows
// in plain Go. The national and provincial figures come from counters that
// triggers keep (migration 0012): the counters themselves must equal what
// the rows say, with every decision worked out again from the limits.
func TestCountersConsistent(t *testing.T) {
	t.Parallel()
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, eng)
			w.recordSources(t)
			w.recordMore(t)
			w.correct(t, w.loadInBulk(t))
			w.recordMovement(t)
			r := loadRaw(t, w)
			svc := w.service()
			checkCounters(t, w, r)
			decided := map[string]int{}
			for _, s := range r.sources {
				decided[r.decisionOf(s)]++
			}
			if decided[""] == 0 || decided["on_time"] == 0 || decided["late"] == 0 {
				t.Fatalf("decisions %v: the record is too plain to test with", decided)
			}

			// The record must exercise every figure, or agreeing would
			// prove little.
			all := r.expect(t, geo.Nation, 2026, w.now)
			if all.Decided == all.DecidedOnTime || all.DecidedOnTime == 0 || all.Overdue == 0 || all.AtRisk == 0 ||
				all.Open == 0 || all.FestCommunes == 0 || all.FestAreas == 0 || all.TargetCount < 5 {
				t.Fatalf("the record is too plain to test with: %+v", all)
			}
			nonzero := 0
			for _, c := range all.ByCategory {
				if !strings.HasSuffix(c, "=0") {
					nonzero++
				}
			}
			if nonzero < 6 || strings.Contains(strings.Join(all.ByStatus[:8], " "), "=0") {
				t.Fatalf("categories %v, statuses %v: too few kinds", all.ByCategory, all.ByStatus)
			}

			units := append([]string{geo.Nation}, r.touched()...)
			if strings.Join(units, " ") != "VN 01 48 79 T0101 T0102 T7901" {
				t.Fatalf("dashboards with sources: %v", units)
			}
			for _, year := range []int{2025, 2026} {
				for _, ind := range []string{dashboard.MapReceived, dashboard.MapOverdue} {
					m, err := svc.ByProvince(w.ctx, ind, year)
					if err != nil {
						t.Fatal(err)
					}
					want := r.mapValues(ind == dashboard.MapOverdue, year, w.now)
					for _, p := range m.Provinces {
						if p.Value != want[p.Code] || p.NoData {
							t.Errorf("map %s %d: %s is %v, want %v", ind, year, p.Code, p.Value, want[p.Code])
						}
						delete(want, p.Code)
					}
					delete(want, "") // the national intake unit's
					if len(want) > 0 {
						t.Errorf("map %s %d: no province for %v", ind, year, want)
					}
				}
				for _, unit := range units {
					t.Run(fmt.Sprintf("%s/%d", unit, year), func(t *testing.T) {
						d, err := svc.Get(w.ctx, unit, year)
						if err != nil {
							t.Fatal(err)
						}
						if d.Unit != unit || d.Year != year || !d.Now.Equal(w.now) {
							t.Errorf("dashboard of %s %d at %s", d.Unit, d.Year, d.Now)
						}
						got, want := figuresOf(d), r.expect(t, unit, year, w.now)
						gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
						for i := range gv.NumField() {
							if g, w := fmt.Sprint(gv.Field(i).Interface()), fmt.Sprint(wv.Field(i).Interface()); g != w {
								t.Errorf("%s:\n got %s\nwant %s", gv.Type().Field(i).Name, g, w)
							}
						}
						checkPanels(t, d)
						// The rows add up to the province's figures.
						if d.Festival.RollUps != 0 {
							t.Errorf("%d communes rolled up, want 0", d.Festival.RollUps)
						}
					})
				}
			}
		})
	}
}

// checkCounters compares the counter tables, row by row, and each source's
// decision with what the raw rows say. A count below zero, or a row the
// sources do not account for, means a write the triggers missed.
func checkCounters(t *testing.T, w *world, r *raw) {
	t.Helper()
	wantStatus, wantCategory := r.counters()
	for _, c := range []struct {
		table, cols string
		want        map[string]int
	}{
		{"source_counts", "month, province_code, status, decision", wantStatus},
		{"source_category_counts", "month, province_code, category, ''", wantCategory},
	} {
		got := map[string]int{}
		query(t, w, "SELECT "+c.cols+", n FROM "+c.table, func(scan func(...any) error) error {
			var month, prov, a, b string
			var n int
			if err := scan(&month, &prov, &a, &b, &n); err != nil {
				return err
			}
			key := counterKey(month, prov, a, b)
			if n < 0 {
				t.Errorf("%s %s: count %d", c.table, key, n)
			}
			if n != 0 {
				got[key] = n
			}
			return nil
		})
		for k, n := range c.want {
			if got[k] != n {
				t.Errorf("%s %s is %d, the sources say %d", c.table, k, got[k], n)
			}
		}
		for k, n := range got {
			if _, ok := c.want[k]; !ok {
				t.Errorf("%s %s is %d, the sources say 0", c.table, k, n)
			}
		}
	}
	for _, s := range r.sources {
		if want := r.decisionOf(s); s.decision != want {
			t.Errorf("source %d: decision %q, its limits say %q", s.id, s.decision, want)
		}
	}
}

// TestCountersBackfill applies the counters' migration to a record made
// without it: the varied record of TestCountersConsistent with the
// migration's tables, triggers and column removed, then migrated again.
// The counters and decisions the migration works out must be what the rows
// say, and its triggers must keep them so afterwards.
func TestCountersBackfill(t *testing.T) {
	t.Parallel()
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	version := 0
	for _, m := range ms {
		if strings.HasSuffix(m.Name, "_dashboard_counters.sql") {
			version = m.Version
		}
	}
	undo := map[store.Engine][]string{
		store.SQLite: {
			"DROP TRIGGER sources_counts_insert", "DROP TRIGGER sources_counts_delete", "DROP TRIGGER sources_counts_update",
			"DROP TRIGGER source_deadlines_decision_insert", "DROP TRIGGER source_deadlines_decision_update",
			"DROP TRIGGER source_deadlines_decision_delete", "DROP TRIGGER sources_decision_insert", "DROP TRIGGER sources_decision_unit",
			"DROP TRIGGER police_units_counts_update",
			"DROP TABLE source_counts", "DROP TABLE source_category_counts",
		},
		store.Postgres: {
			"DROP FUNCTION sources_counts, sources_decision_unit, sources_decision_insert, source_deadlines_decision_met, " +
				"source_deadlines_decision, police_units_counts, source_counts_apply CASCADE",
			"DROP TABLE source_counts, source_category_counts, source_count_changes, source_count_pending",
			"DROP FUNCTION source_month, source_decision",
		},
	}
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, eng)
			w.recordSources(t)
			w.recordMore(t)
			w.correct(t, w.loadInBulk(t))
			for _, q := range append(undo[eng], "ALTER TABLE sources DROP COLUMN decision", fmt.Sprintf("DELETE FROM schema_migrations WHERE version = %d", version)) {
				if _, err := w.db.Exec(w.ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if n, err := w.db.Migrate(w.ctx); err != nil || n != 1 {
				t.Fatalf("migrated %d, %v", n, err)
			}
			checkCounters(t, w, loadRaw(t, w))

			// The triggers are back: a new source, decided late.
			w.clk.Set(vn(2026, 9, 1, 9, 0))
			rec, err := w.srv.Main.Sources.Submit(w.ctx, crimesource.Intake{Category: "khac", ProvinceCode: "01", Description: "Nguồn tin sau khi đếm lại", Anonymous: true}, crimesource.Actor{})
			if err != nil {
				t.Fatal(err)
			}
			w.clk.Set(vn(2026, 10, 20, 9, 0))
			w.act(t, "dieutra-01", rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeNotProsecute})
			w.clk.Set(w.now)
			r := loadRaw(t, w)
			checkCounters(t, w, r)
			for _, s := range r.sources {
				if s.id == rec.ID && s.decision != "late" {
					t.Errorf("the new source's decision is %q", s.decision)
				}
			}
		})
	}
}

// TestCountersConcurrent submits and handles sources of one commune from
// many goroutines at once, so that their transactions update the same
// counter rows together (on PostgreSQL, each waits for the row the other
// holds), and checks that no count was lost.
func TestCountersConcurrent(t *testing.T) {
	t.Parallel()
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, eng)
			const workers, each = 8, 6
			var wg sync.WaitGroup
			errc := make(chan error, workers*each)
			for g := range workers {
				wg.Go(func() {
					for i := range each {
						rec, err := w.srv.Main.Sources.Submit(w.ctx, crimesource.Intake{Category: categories[(g+i)%2], CommuneCode: "T0101",
							Description: fmt.Sprintf("Nguồn tin đồng thời %d-%d", g, i), Anonymous: true}, crimesource.Actor{})
						if err != nil {
							errc <- err
							return
						}
						// Half move on: registered, some sent to the province
						// and found not a crime there.
						if i%2 == 0 {
							continue
						}
						for _, a := range []struct {
							who string
							act crimesource.Action
						}{
							{"xa-t0101", crimesource.Action{Kind: crimesource.ActRegister, Category: categories[2]}},
							{"xa-t0101", crimesource.Action{Kind: crimesource.ActTransfer}},
							{"dieutra-01", crimesource.Action{Kind: crimesource.ActNotCrime}},
						}[:1+g%3] {
							if err := w.srv.Main.Sources.Act(w.ctx, w.actor(a.who), rec.ID, a.act); err != nil {
								errc <- err
								return
							}
						}
					}
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Fatal(err)
			}
			r := loadRaw(t, w)
			if len(r.sources) != workers*each {
				t.Fatalf("%d sources", len(r.sources))
			}
			checkCounters(t, w, r)
		})
	}
}

// checkPanels checks that the panels carry the dashboard's numbers: the
// month table sums to the sources received, every chart is a well-formed
// SVG, every table has rows of its header's width.
func checkPanels(t *testing.T, d dashboard.Dashboard) {
	t.Helper()
	ps := d.Panels()
	keys := map[string]bool{}
	for _, p := range ps {
		if keys[p.Key] {
			t.Errorf("two panels %s", p.Key)
		}
		keys[p.Key] = true
		if p.Chart != "" {
			if err := xml.Unmarshal([]byte(p.Chart), new(struct{})); err != nil {
				t.Errorf("panel %s: chart: %v", p.Key, err)
			}
		}
		for _, row := range p.Table.Rows {
			if len(row) != len(p.Table.Headers) {
				t.Errorf("panel %s: row %v under headers %v", p.Key, row, p.Table.Headers)
			}
		}
		if _, ok := d.Panel(p.Key); !ok {
			t.Errorf("Panel(%s) not found", p.Key)
		}
	}
	month, _ := d.Panel(dashboard.KeyByMonth)
	if len(month.Table.Rows) != 12 {
		t.Fatalf("month table %v", month.Table.Rows)
	}
	sum := 0
	for m, row := range month.Table.Rows {
		if row[1] == "–" {
			if d.Sources.ByMonth[m] != 0 {
				t.Errorf("month %d shown as not begun but has %d sources", m+1, d.Sources.ByMonth[m])
			}
			continue
		}
		if row[1] != chart.Int(d.Sources.ByMonth[m]) {
			t.Errorf("month %d: table %s, figure %d", m+1, row[1], d.Sources.ByMonth[m])
		}
		sum += d.Sources.ByMonth[m]
	}
	if sum != d.Sources.Received {
		t.Errorf("month table sums to %d, received %d", sum, d.Sources.Received)
	}
	cat, _ := d.Panel(dashboard.KeyByCategory)
	for i, c := range d.Sources.ByCategory {
		if cat.Table.Rows[i][0] != c.Name || cat.Table.Rows[i][1] != chart.Int(c.N) {
			t.Errorf("category table row %v, figure %+v", cat.Table.Rows[i], c)
		}
	}
	due, _ := d.Panel(dashboard.KeyDue)
	if due.Table.Rows[0][1] != chart.Int(d.Sources.Overdue) || due.Table.Rows[1][1] != chart.Int(d.Sources.AtRisk) {
		t.Errorf("due table %v, figures overdue %d at risk %d", due.Table.Rows, d.Sources.Overdue, d.Sources.AtRisk)
	}
	tg, _ := d.Panel(dashboard.KeyTargets)
	if len(tg.Table.Rows) != len(d.Targets) {
		t.Errorf("target table has %d rows for %d targets", len(tg.Table.Rows), len(d.Targets))
	}
	if d.Festival.RowLevel != "" {
		fr, ok := d.Panel(dashboard.KeyFestRows)
		if !ok || len(fr.Table.Rows) != len(d.Festival.Rows) {
			t.Errorf("festival rows table: %v", fr.Table.Rows)
		}
	}
}

// TestGetRefuses checks the unit and year a dashboard is asked for.
func TestGetRefuses(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite)
	svc := w.service()
	for _, c := range []struct {
		unit  string
		year  int
		code  errs.Code
		field string
	}{
		{geo.Nation, 1990, errs.Invalid, "year"},
		{"01", 2101, errs.Invalid, "year"},
		{"", 2026, errs.Invalid, "unit"},
		{"99999", 2026, errs.NotFound, ""},
		{"T0101", 2024, errs.NotFound, ""}, // not yet in force in 2024
	} {
		_, err := svc.Get(w.ctx, c.unit, c.year)
		e, ok := errs.As(err)
		if !ok || e.Code != c.code || e.Field != c.field {
			t.Errorf("Get(%q, %d) = %v, want %s %s", c.unit, c.year, err, c.code, c.field)
		}
	}
}

// TestEmpty reads dashboards of a record with nothing in it: zeros, no
// decisions, no targets, and panels that still render.
func TestEmpty(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite)
	svc := w.service()
	for _, unit := range []string{geo.Nation, "01", "T0101"} {
		d, err := svc.Get(w.ctx, unit, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if d.Sources.Received != 0 || d.Sources.OnTimePct != 0 || d.Festival.Verdict != "chưa có kế hoạch" || len(d.Targets) != 0 {
			t.Errorf("%s: %+v", unit, d)
		}
		if len(d.Sources.ByCategory) != 8 || len(d.Sources.ByStatus) != 9 {
			t.Errorf("%s: %d categories, %d statuses", unit, len(d.Sources.ByCategory), len(d.Sources.ByStatus))
		}
		checkPanels(t, d)
	}
}

// TestFestivalRowsFollowLineage records festival points on communes of the
// old geography that merged into T0101 and T0102, and on communes in force:
// every commune row must count what movement's roll-up of the commune
// counts.
func TestFestivalRowsFollowLineage(t *testing.T) {
	t.Parallel()
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, eng)
			m := w.srv.Main
			old := "code,name,type,parent_code\n01,Hà Nội,municipality,\nD0101,Huyện Cũ,district,01\nO0001,Xã Cũ Một,commune,D0101\nO0002,Xã Cũ Hai,commune,D0101\n"
			lineage := "old_commune_code,new_commune_code,merge_type\nO0001,T0102,full\nO0002,T0101,full\n"
			if _, err := m.Geo.Import(w.ctx, geo.ImportOptions{FileName: "old.csv", ValidFrom: "2025-03-01", ValidTo: "2025-06-30", Actor: "test"},
				[]byte(old), "lineage.csv", []byte(lineage)); err != nil {
				t.Fatal(err)
			}
			if err := m.Movement.SetPlan(w.ctx, w.users["tinh-01"], 2025, "01", 4, ""); err != nil {
				t.Fatal(err)
			}
			w.srv.ImportCSV(t, "code,name,type,parent_code,full_name\nT0103,Mẫu Bốn,commune,01,Xã Mẫu Bốn\n", geo.ReformDate)
			for _, p := range []movement.PointInput{
				{Year: 2025, Commune: "O0001", HeldOn: "2025-05-01", Participants: 70}, // merged into T0102
				{Year: 2025, Commune: "O0002", HeldOn: "2025-05-02", Participants: 30}, // merged into T0101 …
				{Year: 2025, Commune: "T0101", HeldOn: "2025-08-19", Participants: 5},  // … which held its own too
				{Year: 2025, Commune: "T0103", HeldOn: "2025-08-19", Participants: 9},
			} {
				if _, err := m.Movement.RecordPoint(w.ctx, w.users["quan-tri"], p); err != nil {
					t.Fatalf("point %+v: %v", p, err)
				}
			}
			d, err := w.service().Get(w.ctx, "01", 2025)
			if err != nil {
				t.Fatal(err)
			}
			if d.Festival.CommunePoints != 3 || d.Festival.Planned != 4 || d.Festival.Participants != 114 || d.Festival.Verdict != movement.VerdictBelow {
				t.Errorf("province figures %+v", d.Festival.Figures)
			}
			var rows []string
			for _, r := range d.Festival.Rows {
				f, err := m.Movement.FestivalFigures(w.ctx, r.Code, 2025, movement.Current)
				if err != nil {
					t.Fatal(err)
				}
				if r.CommunePoints != f.CommunePoints || r.Participants != f.Participants {
					t.Errorf("row %+v, movement says %+v", r, f)
				}
				rows = append(rows, fmt.Sprintf("%s:%d/%d", r.Code, r.CommunePoints, r.Participants))
			}
			if strings.Join(rows, " ") != "T0101:1/35 T0102:1/70 T0103:1/9" {
				t.Errorf("rows %v", rows)
			}
			// The rows were placed in one pass, and added up to the
			// province's figures: no commune needed a roll-up of its own.
			if d.Festival.RollUps != 0 {
				t.Errorf("%d communes rolled up, want 0", d.Festival.RollUps)
			}
		})
	}
}
