package movement_test

import (
	"context"
	"testing"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// wantRow is the part of a ProvinceRow a test pins down.
type wantRow struct {
	communes, areas, planned, participants, guests int
	gifts                                          int64
}

func checkRow(t *testing.T, what string, got movement.ProvinceRow, want wantRow) {
	t.Helper()
	g := wantRow{got.CommunesHeld, got.ResidentialAreasHeld, got.PlannedPoints, got.Participants, got.Guests, got.GiftsVND}
	if g != want {
		t.Errorf("%s: got %+v, want %+v", what, g, want)
	}
}

// TestFestivalRollupSample is the conference figures on a small geography
// that needs no real lists: one old province holds points in 5 communes and
// 7 residential areas, and the nation 12 commune points against a plan of
// 11 as recorded, which collapse to 4 communes of the current geography.
func TestFestivalRollupSample(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newSampleEnv(t, db)
		e.mustImportPlan(t, "plan-2025.csv", []byte(samplePlanCSV))
		res := e.mustImport(t, "ngay-hoi-2025.csv", []byte(sampleFestivalCSV))
		if res.Rows != 19 || res.Inserted != 19 || res.AreasCreated != 7 {
			t.Fatalf("import: %+v, want 19 rows inserted and 7 areas created", res)
		}

		t.Run("recorded", func(t *testing.T) {
			m, rows, total := e.byProvince(t, 2025, movement.Recorded)
			// The 34 provinces of 2025 and Hà Giang, in force until 30 June.
			if len(rows) != 35 {
				t.Fatalf("%d rows, want 35", len(rows))
			}
			for i := 1; i < len(rows); i++ {
				if rows[i-1].ProvinceCode >= rows[i].ProvinceCode {
					t.Fatalf("rows not in code order: %s before %s", rows[i-1].ProvinceCode, rows[i].ProvinceCode)
				}
			}
			if m["02"].ProvinceName != "Hà Giang" {
				t.Errorf("row 02 named %q", m["02"].ProvinceName)
			}
			checkRow(t, "02 Hà Giang", m["02"], wantRow{5, 7, 0, 201 + 202 + 203 + 204 + 205 + 11 + 12 + 13 + 14 + 15 + 16 + 17, 25, 5_000_000 + 7*200_000})
			checkRow(t, "01 Hà Nội", m["01"], wantRow{4, 0, 3, 101 + 102 + 103 + 1000, 12, 2_000_000})
			checkRow(t, "79 Hồ Chí Minh", m["79"], wantRow{3, 0, 4, 791 + 792 + 7901, 0, 0})
			checkRow(t, "08 Tuyên Quang", m["08"], wantRow{0, 0, 4, 0, 0, 0})
			checkRow(t, "TOTAL", total, wantRow{12, 7, 11, 1113 + 1306 + 9484, 37, 8_400_000})
			if total.ProvinceCode != movement.TotalCode || m["01"].PlanPct < 133.33 || m["01"].PlanPct > 133.34 {
				t.Errorf("total code %q, 01 plan pct %v", total.ProvinceCode, m["01"].PlanPct)
			}
			if m["02"].ModelsLaunched != 4 || total.CommendationsCollective != 5+8 || total.CommendationsIndividual != 10+7+12 {
				t.Errorf("models %d, commendations %d/%d", m["02"].ModelsLaunched, total.CommendationsCollective, total.CommendationsIndividual)
			}
		})

		t.Run("current", func(t *testing.T) {
			m, rows, total := e.byProvince(t, 2025, movement.Current)
			if len(rows) != 34 {
				t.Fatalf("%d rows, want the 34 provinces in force on 31 Dec 2025", len(rows))
			}
			if _, ok := m["02"]; ok {
				t.Error("old province 02 has a row in the current view")
			}
			// Hà Giang's points are in Tuyên Quang now; Hà Nội's four old
			// communes are two new ones; Hồ Chí Minh's three points one.
			checkRow(t, "08 Tuyên Quang", m["08"], wantRow{1, 7, 4, 1113, 25, 6_400_000})
			checkRow(t, "01 Hà Nội", m["01"], wantRow{2, 0, 3, 1306, 12, 2_000_000})
			checkRow(t, "79 Hồ Chí Minh", m["79"], wantRow{1, 0, 4, 9484, 0, 0})
			checkRow(t, "TOTAL", total, wantRow{4, 7, 11, 1113 + 1306 + 9484, 37, 8_400_000})
			if m["08"].PlanPct != 25 {
				t.Errorf("08 plan pct %v, want 25", m["08"].PlanPct)
			}
		})

		t.Run("figures", func(t *testing.T) {
			cases := []struct {
				unit string
				view movement.View
				want movement.Figures
			}{
				{"VN", movement.Current, movement.Figures{CommunePoints: 4, AreaPoints: 7, Planned: 11, Participants: 11903, PlanPct: 400.0 / 11}},
				{"VN", movement.Recorded, movement.Figures{CommunePoints: 12, AreaPoints: 7, Planned: 11, Participants: 11903, PlanPct: 1200.0 / 11}},
				{"08", movement.Current, movement.Figures{CommunePoints: 1, AreaPoints: 7, Planned: 4, Participants: 1113, PlanPct: 25}},
				{"02", movement.Recorded, movement.Figures{CommunePoints: 5, AreaPoints: 7, Participants: 1113}},
				// The split X0104 counts in its main successor T0102 only:
				// T0101 has the three merged communes and not a person more.
				{"T0101", movement.Current, movement.Figures{CommunePoints: 1, Participants: 101 + 102 + 103}},
				{"T0102", movement.Current, movement.Figures{CommunePoints: 1, Participants: 1000}},
				{"T0801", movement.Current, movement.Figures{CommunePoints: 1, AreaPoints: 7, Participants: 1113}},
				{"T0801", movement.Recorded, movement.Figures{}},
				{"X0104", movement.Recorded, movement.Figures{CommunePoints: 1, Participants: 1000}},
				{"X0201", movement.Recorded, movement.Figures{CommunePoints: 1, AreaPoints: 2, Participants: 201 + 11 + 12}},
				{"T7901", movement.Recorded, movement.Figures{CommunePoints: 1, Participants: 7901}},
				{"T7901", movement.Current, movement.Figures{CommunePoints: 1, Participants: 9484}},
				// Communes of the view without a point.
				{"X0206", movement.Recorded, movement.Figures{}},
				{"T0102", movement.Recorded, movement.Figures{}},
			}
			for _, c := range cases {
				if got := e.figures(t, c.unit, 2025, c.view); got != c.want {
					t.Errorf("FestivalFigures(%s, %s) = %+v, want %+v", c.unit, c.view, got, c.want)
				}
			}
			for _, c := range []struct {
				unit string
				view movement.View
			}{{"X0201", movement.Current}, {"99999", movement.Recorded}, {"D011", movement.Current}} {
				if _, err := e.svc.FestivalFigures(ctx, c.unit, 2025, c.view); !errs.Is(err, errs.NotFound) {
					t.Errorf("FestivalFigures(%s, %s): %v, want NotFound", c.unit, c.view, err)
				}
			}
			if _, err := e.svc.FestivalFigures(ctx, "VN", 2025, "both"); !errs.Is(err, errs.Invalid) {
				t.Errorf("unknown view: %v, want Invalid", err)
			}
		})

		t.Run("a returned point is left out until corrected", func(t *testing.T) {
			admin := e.user(t, "quantri", account.Admin, "VN")
			var id int64
			if err := db.QueryRow(ctx, "SELECT id FROM festival_points WHERE commune_code = 'X7901'").Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.ReviewPoint(ctx, admin, id, false, "Số người tham dự chưa khớp biên bản."); err != nil {
				t.Fatal(err)
			}
			if got := e.figures(t, "79", 2025, movement.Current); got.Participants != 9484-791 || got.CommunePoints != 1 {
				t.Errorf("after return: %+v", got)
			}
			if got := e.figures(t, "79", 2025, movement.Recorded); got.CommunePoints != 2 {
				t.Errorf("after return, recorded: %+v, want 2 communes", got)
			}
			p, err := e.svc.Point(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			in := movement.PointInput{HeldOn: p.HeldOn, Participants: 790}
			if _, err := e.svc.UpdatePoint(ctx, admin, id, in); err != nil {
				t.Fatal(err)
			}
			if got := e.figures(t, "79", 2025, movement.Current); got.Participants != 9484-1 {
				t.Errorf("after correction: %+v", got)
			}
		})
		verifyAudit(t, db)
	})
}

// TestFestivalByProvinceEmpty: a year without data still lists every
// province, with zeros, and the plan.
func TestFestivalByProvinceEmpty(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.mustImportPlan(t, "plan.csv", []byte("year,province_code,planned_points\n2026,01,7\n"))
		m, rows, total := e.byProvince(t, 2026, movement.Current)
		if len(rows) != 34 || total.CommunesHeld != 0 || total.PlannedPoints != 7 || m["01"].PlannedPoints != 7 || m["01"].PlanPct != 0 {
			t.Errorf("rows %d, total %+v, 01 %+v", len(rows), total, m["01"])
		}
		r, err := e.svc.ConferenceReport(context.Background(), 2026, movement.Current)
		if err != nil {
			t.Fatal(err)
		}
		// The clock says 30 Nov 2026: the year is not over.
		if r.Date != "2026-11-30" || r.Verdict != movement.VerdictBelow || r.Held != 0 || r.Planned != 7 {
			t.Errorf("report: %+v", r)
		}
	})
}
