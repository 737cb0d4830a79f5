package movement_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"toandan/internal/errs"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// Points recorded in 2022 on the communes of the time appear under the
// province that holds those communes today in the current view, and under
// their province of 2022 in the recorded view; the 2022 plans, set on the
// provinces of 2022, follow their provinces into today's.
func TestFestival2022OnTodaysGeography(t *testing.T) {
	l := loadRealLists(t)
	// Where each old province is today, from the files: the province of
	// the main successor of most of its communes.
	votes := map[string]map[string]int{}
	for code, r := range l.old {
		if r["level"] != "commune" {
			continue
		}
		old, now := l.oldProvince(code), l.newParent[l.mainOf(code)]
		if votes[old] == nil {
			votes[old] = map[string]int{}
		}
		votes[old][now]++
	}
	today := map[string]string{}
	for old, vs := range votes {
		best := ""
		for p, n := range vs {
			if best == "" || n > vs[best] || (n == vs[best] && p < best) {
				best = p
			}
		}
		today[old] = best
	}
	if today["02"] != "08" || today["08"] != "08" || today["01"] != "01" {
		t.Fatalf("the lists do not say what this test assumes: 02→%s, 08→%s, 01→%s", today["02"], today["08"], today["01"])
	}

	// Plans for every 2022 province, and points in Hà Giang (02, now in
	// Tuyên Quang 08), in Tuyên Quang itself and in Hà Nội.
	var plan strings.Builder
	plan.WriteString("year,province_code,planned_points\n")
	var olds []string
	for old := range votes {
		olds = append(olds, old)
	}
	sort.Strings(olds)
	wantPlan := map[string]int{}
	total := 0
	for i, old := range olds {
		n := 10 + i
		fmt.Fprintf(&plan, "2022,%s,%d\n", old, n)
		wantPlan[today[old]] += n
		total += n
	}
	var hg, tq []string
	for code, r := range l.old {
		if r["level"] == "commune" && l.oldProvince(code) == "02" {
			hg = append(hg, code)
		}
		if r["level"] == "commune" && l.oldProvince(code) == "08" {
			tq = append(tq, code)
		}
	}
	sort.Strings(hg)
	sort.Strings(tq)
	points := festivalHeader +
		"2022,00688,,2022-08-19,120,1,2,0\n" + // Quang Trung, Hà Giang: split, main successor 00691 (Tuyên Quang)
		"2022,00688,Tổ 5,2022-08-19,40,0,0,0\n" +
		"2022," + hg[len(hg)-1] + ",,2022-08-20,80,0,0,0\n" +
		"2022," + tq[0] + ",,2022-08-21,60,0,0,0\n" +
		"2022,00103,,2022-08-22,90,0,0,0\n" // Xuân La, Hà Nội
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		importLists(t, e, []listImport{
			{"units-2025.csv", l.units2025, "2025-07-01", "", nil},
			{"units-2022.csv", l.units2022, "2022-01-01", "2025-06-30", l.lineage},
		})
		e.mustImportPlan(t, "ke-hoach-2022.csv", []byte(plan.String()))
		if res := e.mustImport(t, "ngay-hoi-2022.csv", []byte(points)); res.Inserted != 5 {
			t.Fatalf("import: %+v", res)
		}

		t.Run("recorded", func(t *testing.T) {
			rows, tot, err := e.svc.FestivalByProvince(ctx, 2022, movement.Recorded)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 63 || tot.CommunesHeld != 4 || tot.ResidentialAreasHeld != 1 || tot.PlannedPoints != total || tot.Participants != 390 {
				t.Errorf("%d provinces, total %+v", len(rows), tot)
			}
			by := map[string]movement.ProvinceRow{}
			for _, r := range rows {
				by[r.ProvinceCode] = r
			}
			if r := by["02"]; r.CommunesHeld != 2 || r.ResidentialAreasHeld != 1 || r.Participants != 240 || r.PlannedPoints != wantPlan2022(olds, "02") {
				t.Errorf("Hà Giang as recorded: %+v", r)
			}
			if r := by["08"]; r.CommunesHeld != 1 || r.Participants != 60 {
				t.Errorf("Tuyên Quang as recorded: %+v", r)
			}
		})

		t.Run("current", func(t *testing.T) {
			rows, tot, err := e.svc.FestivalByProvince(ctx, 2022, movement.Current)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 34 || tot.CommunesHeld != 4 || tot.ResidentialAreasHeld != 1 || tot.PlannedPoints != total || tot.Participants != 390 {
				t.Errorf("%d provinces, total %+v", len(rows), tot)
			}
			sum := 0
			for _, r := range rows {
				if r.ProvinceCode == "02" {
					t.Errorf("Hà Giang has a row of its own in the current view: %+v", r)
				}
				if r.PlannedPoints != wantPlan[r.ProvinceCode] {
					t.Errorf("province %s %s: plan %d, want %d (the plans of the 2022 provinces it holds)", r.ProvinceCode, r.ProvinceName, r.PlannedPoints, wantPlan[r.ProvinceCode])
				}
				sum += r.PlannedPoints
				switch r.ProvinceCode {
				case "08":
					if r.CommunesHeld != 3 || r.ResidentialAreasHeld != 1 || r.Participants != 300 {
						t.Errorf("Tuyên Quang today: %+v, want Hà Giang's points and its own", r)
					}
				case "01":
					if r.CommunesHeld != 1 || r.Participants != 90 {
						t.Errorf("Hà Nội today: %+v", r)
					}
				}
			}
			if sum != total {
				t.Errorf("the provinces' plans add up to %d, want %d", sum, total)
			}
			if f := e.figures(t, "00691", 2022, movement.Current); f.CommunePoints != 1 || f.AreaPoints != 1 || f.Participants != 160 {
				t.Errorf("00691 (Quang Trung's main successor): %+v", f)
			}
			if _, err := e.svc.FestivalFigures(ctx, "02", 2022, movement.Current); !errs.Is(err, errs.NotFound) {
				t.Errorf("Hà Giang in the current view: %v, want not found", err)
			}
			if f := e.figures(t, "02", 2022, movement.Recorded); f.CommunePoints != 2 {
				t.Errorf("Hà Giang as recorded: %+v", f)
			}
		})

		t.Run("conference report", func(t *testing.T) {
			for _, c := range []struct {
				view movement.View
				code string
				held int
			}{{movement.Current, "08", 3}, {movement.Recorded, "02", 2}} {
				r, err := e.svc.ConferenceReport(ctx, 2022, c.view)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, p := range r.Provinces {
					if p.ProvinceCode == c.code {
						found = p.CommunesHeld == c.held
					}
				}
				if !found || r.Held != 4 || r.Planned != total {
					t.Errorf("%s: province %s not with %d communes, or national %d/%d", c.view, c.code, c.held, r.Held, r.Planned)
				}
			}
		})
	})
}

// wantPlan2022 is the plan the test file gives old province code.
func wantPlan2022(olds []string, code string) int {
	for i, o := range olds {
		if o == code {
			return 10 + i
		}
	}
	return 0
}
