package recognition_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/recognition"
	"toandan/internal/testutil"
)

// TestModelWardTargets is the done-when of the model ward pilot: "each
// centrally-run city at least 3 recognised model wards, each other province
// at least 1" lists exactly the provinces below target.
func TestModelWardTargets(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		const rec, notRec = recognition.StatusRecognised, recognition.StatusNotRecognised
		for _, c := range []struct {
			code    string
			year    int
			outcome string
		}{
			{"T0101", 2025, rec}, {"W0102", 2025, rec}, {"W0103", 2025, rec}, // Hà Nội: 3
			{"T7901", 2025, rec}, {"W7902", 2025, rec}, {"W7903", 2025, notRec}, // Hồ Chí Minh: 2
			{"W4801", 2025, rec}, {"W4802", 2025, rec}, {"W4803", 2025, rec}, // Đà Nẵng: 3
			{"W9201", 2025, rec}, {"W9202", 2025, rec}, {"W9203", 2026, rec}, // Cần Thơ: 2 in 2025, 3 in 2026
			{"W3101", 2025, recognition.StatusReturned},   // Hải Phòng: none
			{"W0401", 2025, rec},                          // Cao Bằng: 1
			{"W1901", 2025, notRec},                       // Thái Nguyên: none
			{"W2201", 2025, recognition.StatusSubmitted},  // Quảng Ninh: not yet decided…
			{"W2201", 2026, recognition.StatusRegistered}, // …and a cycle of the next year
		} {
			e.run(t, c.year, recognition.KindModelWard, c.code, c.outcome)
		}
		// Quảng Ninh's 2025 file is decided after all.
		var id int64
		must(t, e.db.QueryRow(e.ctx, "SELECT id FROM recognition_cycles WHERE subject_code = 'W2201' AND year = 2025").Scan(&id))
		_, err := e.svc.Decide(e.ctx, e.user(t, "quan-tri"), id, true, "")
		must(t, err)

		bo := e.user(t, "bo-cong-an")
		target := func(typ string, year int, value float64) recognition.Target {
			t.Helper()
			tg, err := e.svc.CreateTarget(e.ctx, bo, recognition.Target{Indicator: recognition.RecognisedModelWards, ScopeKind: recognition.ScopeEach,
				Scope: typ, Year: year, Comparator: ">=", Value: value, LegalSource: "Kế hoạch thí điểm Công an phường điển hình, kiểu mẫu (UNCONFIRMED)"})
			must(t, err)
			return tg
		}
		var provinces []string
		for _, p := range geo.BuiltinProvinces() {
			if p.Type == "province" && p.Code != "04" && p.Code != "22" {
				provinces = append(provinces, p.Code)
			}
		}
		for _, tc := range []struct {
			typ       string
			year      int
			value     float64
			units     int
			wantBelow []string
			wantState string
		}{
			{"municipality", 2025, 3, 6, []string{"31", "46", "79", "92"}, recognition.StateMissed},
			{"province", 2025, 1, 28, provinces, recognition.StateMissed},
			{"municipality", 2026, 3, 6, []string{"31", "46", "79"}, recognition.StateAtRisk},
		} {
			res, err := e.svc.TargetStatus(e.ctx, target(tc.typ, tc.year, tc.value))
			must(t, err)
			if !slices.Equal(res.Below, tc.wantBelow) {
				t.Errorf("each %s %d ≥ %v: below %v\nwant %v", tc.typ, tc.year, tc.value, res.Below, tc.wantBelow)
			}
			if res.State != tc.wantState || len(res.Units) != tc.units {
				t.Errorf("each %s %d: state %s over %d units, want %s over %d", tc.typ, tc.year, res.State, len(res.Units), tc.wantState, tc.units)
			}
			for _, u := range res.Units {
				below := slices.Contains(tc.wantBelow, u.Code)
				if below == (u.State == recognition.StateMet) {
					t.Errorf("each %s %d: %s (%s) state %s with %v", tc.typ, tc.year, u.Code, u.Name, u.State, u.Actual)
				}
			}
		}

		// Everyone met: the overall state is met.
		res, err := e.svc.TargetStatus(e.ctx, target("municipality", 2025, 0))
		must(t, err)
		if res.State != recognition.StateMet || len(res.Below) != 0 {
			t.Fatalf("≥ 0: %s, below %v", res.State, res.Below)
		}
		for _, tc := range []struct {
			unit string
			year int
			want float64
		}{
			{"01", 2025, 3}, {"79", 2025, 2}, {"92", 2025, 2}, {"92", 2026, 3}, {"22", 2025, 1}, {"22", 2026, 1},
			{"VN", 2025, 12}, {"VN", 2026, 13}, {"T0101", 2025, 1}, {"W7903", 2025, 0},
		} {
			v, err := e.svc.Indicator(e.ctx, recognition.RecognisedModelWards, tc.unit, tc.year)
			must(t, err)
			if v != tc.want {
				t.Errorf("recognised model wards in %s, %d: %v, want %v", tc.unit, tc.year, v, tc.want)
			}
		}

		// Only the Ministry sets a target for each province.
		_, err = e.svc.CreateTarget(e.ctx, e.user(t, "tinh-01"), recognition.Target{Indicator: recognition.RecognisedModelWards,
			ScopeKind: recognition.ScopeEach, Scope: "province", Year: 2026, Comparator: ">=", Value: 1})
		wantCode(t, err, errs.Forbidden)
		if n := e.count(t, "audit_log", "action = 'target.create'"); n != 4 {
			t.Fatalf("target.create audit entries: %d, want 4", n)
		}
	})
}

// province99 is a test province with 1000 communes.
func province99() string {
	var b strings.Builder
	b.WriteString("code,name,type,parent_code,full_name\nT9,Thử Nghiệm,province,,Tỉnh Thử Nghiệm\n")
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(&b, "T9C%04d,Thử %d,commune,T9,Xã Thử %d\n", i, i, i)
	}
	return b.String()
}

// TestCommuneShareTarget is the done-when of a province's 99% target: with
// 1000 communes, 98.9% recognised misses it once the year is over and is at
// risk while it runs; 99.0% meets it.
func TestCommuneShareTarget(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.srv.ImportCSV(t, province99(), geo.ReformDate)
		e.insertCycles(t, 2025, recognition.KindCommune, recognition.StatusRecognised, codes("T9C", 1, 989))
		e.insertCycles(t, 2025, recognition.KindCommune, recognition.StatusNotRecognised, codes("T9C", 990, 990))
		e.insertCycles(t, 2026, recognition.KindCommune, recognition.StatusRecognised, codes("T9C", 1, 989))
		// Neither other kinds nor other provinces count.
		e.insertCycles(t, 2025, recognition.KindModelWard, recognition.StatusRecognised, codes("T9C", 991, 995))
		e.insertCycles(t, 2025, recognition.KindCommune, recognition.StatusRecognised, []string{"T0101", "T7901"})

		bo := e.user(t, "bo-cong-an")
		t2025, err := e.svc.CreateTarget(e.ctx, bo, recognition.Target{Indicator: recognition.CommunesRecognisedPct, ScopeKind: recognition.ScopeUnit,
			Scope: "T9", Year: 2025, Comparator: ">=", Value: 99, LegalSource: "Nghị quyết của Tỉnh ủy", Note: "Đến năm 2025"})
		must(t, err)
		t2026, err := e.svc.CreateTarget(e.ctx, bo, recognition.Target{Indicator: recognition.CommunesRecognisedPct, ScopeKind: recognition.ScopeUnit,
			Scope: "T9", Year: 2026, Comparator: ">=", Value: 99})
		must(t, err)

		check := func(tg recognition.Target, actual float64, state string) {
			t.Helper()
			res, err := e.svc.TargetStatus(e.ctx, tg)
			must(t, err)
			if math.Abs(res.Actual-actual) > 1e-9 || res.State != state {
				t.Fatalf("%d: actual %v, state %s; want %v, %s", tg.Year, res.Actual, res.State, actual, state)
			}
			wantBelow := []string{"T9"}
			if state == recognition.StateMet {
				wantBelow = nil
			}
			if !slices.Equal(res.Below, wantBelow) || len(res.Units) != 1 || res.Units[0].Name != "Tỉnh Thử Nghiệm" {
				t.Fatalf("%d: below %v, units %+v", tg.Year, res.Below, res.Units)
			}
		}
		check(t2025, 98.9, recognition.StateMissed)
		check(t2026, 98.9, recognition.StateAtRisk)

		_, err = e.db.Exec(e.ctx, "UPDATE recognition_cycles SET status = 'recognised' WHERE subject_code = 'T9C0990' AND year = 2025")
		must(t, err)
		e.insertCycles(t, 2026, recognition.KindCommune, recognition.StatusRecognised, codes("T9C", 990, 990))
		check(t2025, 99.0, recognition.StateMet)
		check(t2026, 99.0, recognition.StateMet)

		// The same target, a tenth of a percent higher, is missed.
		t2025.Value = 99.1
		check(t2025, 99.0, recognition.StateMissed)

		v, err := e.svc.Indicator(e.ctx, recognition.CommunesRecognisedPct, "01", 2025)
		must(t, err)
		if want := 100.0 / 4; v != want { // T0101 of T0101, T0102, W0102, W0103
			t.Fatalf("Hà Nội 2025: %v, want %v", v, want)
		}
	})
}

// TestTargets covers the festival indicators, validation, access and which
// targets a unit sees.
func TestTargets(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		bo, tinh, tinh79, xa := e.user(t, "bo-cong-an"), e.user(t, "tinh-01"), e.user(t, "tinh-79"), e.user(t, "xa-t0101")
		e.fest.set("01", 2025, 105, 117, 100)
		e.fest.set("79", 2026, 40, 12, 0)

		for _, tc := range []struct {
			code, unit string
			year       int
			want       float64
		}{
			{recognition.CommunePointsHeld, "01", 2025, 105},
			{recognition.ResidentialAreaPoints, "01", 2025, 117},
			{recognition.HeldVsPlanPct, "01", 2025, 105},
			{recognition.CommunePointsHeld, "79", 2026, 40},
		} {
			v, err := e.svc.Indicator(e.ctx, tc.code, tc.unit, tc.year)
			must(t, err)
			if v != tc.want {
				t.Errorf("%s %s %d = %v, want %v", tc.code, tc.unit, tc.year, v, tc.want)
			}
		}
		_, err := e.svc.Indicator(e.ctx, recognition.HeldVsPlanPct, "79", 2026)
		if !recognition.IsNoData(err) || errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("no plan: %v", err)
		}
		for _, current := range e.fest.views {
			if !current {
				t.Fatal("festival figures asked for the recorded view, want current")
			}
		}
		_, err = e.svc.Indicator(e.ctx, "so_vu_an", "01", 2025)
		wantField(t, err, "indicator")
		if ds := recognition.Indicators(); len(ds) != 6 || ds[0].Code != recognition.CommunePointsHeld || ds[0].Name == "" || ds[0].Measure == "" {
			t.Fatalf("indicators: %+v", ds)
		}

		mk := func(u string, tg recognition.Target) (recognition.Target, error) {
			return e.svc.CreateTarget(e.ctx, e.user(t, u), tg)
		}
		held, err := mk("tinh-01", recognition.Target{Indicator: recognition.HeldVsPlanPct, ScopeKind: "unit", Scope: "01", Year: 2025, Comparator: ">=", Value: 100})
		must(t, err)
		points, err := mk("tinh-79", recognition.Target{Indicator: recognition.CommunePointsHeld, ScopeKind: "unit", Scope: "79", Year: 2026, Comparator: ">=", Value: 50})
		must(t, err)
		noPlan, err := mk("tinh-79", recognition.Target{Indicator: recognition.HeldVsPlanPct, ScopeKind: "unit", Scope: "79", Year: 2026, Comparator: ">=", Value: 100})
		must(t, err)
		communeT, err := mk("tinh-01", recognition.Target{Indicator: recognition.ActiveModelsCount, ScopeKind: "unit", Scope: "T0102", Year: 2026, Comparator: "<=", Value: 0})
		must(t, err)
		each, err := mk("bo-cong-an", recognition.Target{Indicator: recognition.CommunesRecognisedPct, ScopeKind: "each", Scope: "municipality", Year: 2026, Comparator: ">=", Value: 90})
		must(t, err)
		nation, err := mk("bo-cong-an", recognition.Target{Indicator: recognition.CommunePointsHeld, ScopeKind: "unit", Scope: "VN", Year: 2026, Comparator: "=", Value: 0})
		must(t, err)

		for _, tc := range []struct {
			tg     recognition.Target
			state  string
			actual float64
		}{
			{held, recognition.StateMet, 105},
			{points, recognition.StateAtRisk, 40},
			{noPlan, recognition.StateAtRisk, 0},
			{communeT, recognition.StateMet, 0},
			{nation, recognition.StateMet, 0},
		} {
			res, err := e.svc.TargetStatus(e.ctx, tc.tg)
			must(t, err)
			if res.State != tc.state || res.Actual != tc.actual {
				t.Errorf("target %s %s %d: %s %v, want %s %v", tc.tg.Indicator, tc.tg.Scope, tc.tg.Year, res.State, res.Actual, tc.state, tc.actual)
			}
		}
		res, err := e.svc.TargetStatus(e.ctx, noPlan)
		must(t, err)
		if !res.Units[0].NoData {
			t.Fatal("a target on an indicator without data is not marked so")
		}

		t.Run("validation", func(t *testing.T) {
			ok := recognition.Target{Indicator: recognition.CommunesRecognisedPct, ScopeKind: "unit", Scope: "01", Year: 2026, Comparator: ">=", Value: 99}
			for _, tc := range []struct {
				field  string
				change func(*recognition.Target)
			}{
				{"indicator", func(t *recognition.Target) { t.Indicator = "" }},
				{"scope_kind", func(t *recognition.Target) { t.ScopeKind = "all" }},
				{"scope", func(t *recognition.Target) { t.Scope = "" }},
				{"scope", func(t *recognition.Target) { t.ScopeKind, t.Scope = "each", "ward" }},
				{"year", func(t *recognition.Target) { t.Year = 0 }},
				{"comparator", func(t *recognition.Target) { t.Comparator = ">" }},
				{"value", func(t *recognition.Target) { t.Value = 101 }},
				{"value", func(t *recognition.Target) { t.Value = -1 }},
				{"value", func(t *recognition.Target) { t.Value = math.NaN() }},
				{"scope", func(t *recognition.Target) { t.Scope = "Z9" }},
				{"legal_source", func(t *recognition.Target) { t.LegalSource = strings.Repeat("x", 501) }},
			} {
				tg := ok
				tc.change(&tg)
				_, err := e.svc.CreateTarget(e.ctx, bo, tg)
				wantField(t, err, tc.field)
			}
			// Exceeding the plan is a fair target.
			over := ok
			over.Indicator, over.Scope, over.Year, over.Value = recognition.HeldVsPlanPct, "VN", 2025, 110
			_, err := e.svc.CreateTarget(e.ctx, bo, over)
			must(t, err)

			before := e.count(t, "targets")
			_, err = e.svc.CreateTarget(e.ctx, tinh79, ok)
			wantCode(t, err, errs.NotFound)
			other := ok
			other.Scope = "T7901"
			_, err = e.svc.CreateTarget(e.ctx, tinh, other)
			wantCode(t, err, errs.NotFound)
			_, err = e.svc.CreateTarget(e.ctx, xa, other)
			wantCode(t, err, errs.Forbidden)
			nationwide := ok
			nationwide.Scope = "VN"
			_, err = e.svc.CreateTarget(e.ctx, tinh, nationwide)
			wantCode(t, err, errs.NotFound)
			if n := e.count(t, "targets"); n != before {
				t.Fatalf("targets: %d, want %d", n, before)
			}
		})

		t.Run("visible", func(t *testing.T) {
			ids := func(scope string, year int) []int64 {
				t.Helper()
				ts, err := e.svc.Targets(e.ctx, scope, year)
				must(t, err)
				var out []int64
				for _, tg := range ts {
					out = append(out, tg.ID)
				}
				slices.Sort(out)
				return out
			}
			if got, want := ids("01", 2026), []int64{communeT.ID, each.ID}; !slices.Equal(got, want) {
				t.Errorf("Hà Nội 2026 sees %v, want %v", got, want)
			}
			if got, want := ids("01", 2025), []int64{held.ID}; !slices.Equal(got, want) {
				t.Errorf("Hà Nội 2025 sees %v, want %v", got, want)
			}
			if got, want := ids("79", 0), []int64{points.ID, noPlan.ID, each.ID}; !slices.Equal(got, want) {
				t.Errorf("Hồ Chí Minh sees %v, want %v", got, want)
			}
			if got, want := ids("T0102", 2026), []int64{communeT.ID}; !slices.Equal(got, want) {
				t.Errorf("T0102 sees %v, want %v", got, want)
			}
			if got, want := ids("04", 2026), []int64(nil); !slices.Equal(got, want) {
				t.Errorf("Cao Bằng sees %v, want %v", got, want)
			}
			if got := ids("VN", 2026); len(got) != 5 || !slices.Contains(got, nation.ID) {
				t.Errorf("the Ministry sees %v", got)
			}
		})
	})
}

// TestRealGeography runs the indicators on the official lists: the seventh
// municipality (Đồng Nai, from 30 April 2026), communes that became wards,
// and a real province's 99% threshold.
func TestRealGeography(t *testing.T) {
	testutil.GeoDir(t)
	forEachEngine(t, func(t *testing.T, e *env) {
		e.srv.ImportGeo(t, "units-2025.csv", geo.ReformDate, "", "")
		e.srv.ImportGeo(t, "units-2026.csv", "2026-04-30", "", "")
		bo, admin := e.user(t, "bo-cong-an"), e.user(t, "quan-tri")

		for _, tc := range []struct {
			year  int
			units int
		}{{2025, 6}, {2026, 7}} {
			tg, err := e.svc.CreateTarget(e.ctx, bo, recognition.Target{Indicator: recognition.RecognisedModelWards, ScopeKind: "each", Scope: "municipality",
				Year: tc.year, Comparator: ">=", Value: 3})
			must(t, err)
			res, err := e.svc.TargetStatus(e.ctx, tg)
			must(t, err)
			var got []string
			for _, u := range res.Units {
				got = append(got, u.Code)
			}
			if len(got) != tc.units || slices.Contains(got, "75") != (tc.year == 2026) {
				t.Errorf("municipalities of %d: %v", tc.year, got)
			}
		}

		// 25270 was a commune of Đồng Nai in 2025 and is a ward in 2026.
		_, err := e.svc.Register(e.ctx, admin, 2025, recognition.KindModelWard, "25270")
		wantField(t, err, "subject_code")
		_, err = e.svc.Register(e.ctx, admin, 2026, recognition.KindModelWard, "25270")
		must(t, err)

		// Thái Nguyên's real communes around the 99% line.
		communes, err := e.srv.Main.Geo.CommunesOf(e.ctx, "19", "2025-12-31")
		must(t, err)
		n := len(communes)
		need := (99*n + 99) / 100 // ceil(0.99 n)
		var cs []string
		for _, c := range communes {
			cs = append(cs, c.Code)
		}
		e.insertCycles(t, 2025, recognition.KindCommune, recognition.StatusRecognised, cs[:need-1])
		tg, err := e.svc.CreateTarget(e.ctx, bo, recognition.Target{Indicator: recognition.CommunesRecognisedPct, ScopeKind: "unit", Scope: "19",
			Year: 2025, Comparator: ">=", Value: 99})
		must(t, err)
		res, err := e.svc.TargetStatus(e.ctx, tg)
		must(t, err)
		if res.State != recognition.StateMissed {
			t.Fatalf("%d of %d: %s (%v%%)", need-1, n, res.State, res.Actual)
		}
		e.insertCycles(t, 2025, recognition.KindCommune, recognition.StatusRecognised, cs[need-1:need])
		res, err = e.svc.TargetStatus(e.ctx, tg)
		must(t, err)
		if res.State != recognition.StateMet {
			t.Fatalf("%d of %d: %s (%v%%)", need, n, res.State, res.Actual)
		}
	})
}
