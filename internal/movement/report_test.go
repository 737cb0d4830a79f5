package movement_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"toandan/internal/account"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
	"toandan/internal/xlsx"
)

func TestVerdict(t *testing.T) {
	for _, c := range []struct {
		held, planned int
		want          string
	}{
		{5813, 5500, "vượt kế hoạch"},
		{5500, 5500, "đạt kế hoạch"},
		{5499, 5500, "chưa đạt kế hoạch"},
		{0, 1, "chưa đạt kế hoạch"},
		{3, 0, "chưa có kế hoạch"},
	} {
		if got := movement.Verdict(c.held, c.planned); got != c.want {
			t.Errorf("Verdict(%d, %d) = %q, want %q", c.held, c.planned, got, c.want)
		}
	}
}

// rowCells is a ProvinceRow as the CSV should show it.
func rowCells(r movement.ProvinceRow) []string {
	return []string{r.ProvinceCode, r.ProvinceName, strconv.Itoa(r.CommunesHeld), strconv.Itoa(r.ResidentialAreasHeld),
		strconv.Itoa(r.PlannedPoints), strconv.Itoa(r.Participants), strconv.Itoa(r.Guests), strconv.Itoa(r.CommendationsCollective),
		strconv.Itoa(r.CommendationsIndividual), strconv.FormatInt(r.GiftsVND, 10), fmt.Sprintf("%.1f", r.PlanPct)}
}

func TestConferenceReportOutputs(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newSampleEnv(t, db)
		e.mustImportPlan(t, "plan-2025.csv", []byte(samplePlanCSV))
		e.mustImport(t, "ngay-hoi-2025.csv", []byte(sampleFestivalCSV))

		recorded, err := e.svc.ConferenceReport(ctx, 2025, movement.Recorded)
		if err != nil {
			t.Fatal(err)
		}
		if recorded.Held != 12 || recorded.Planned != 11 || recorded.AreasHeld != 7 || recorded.Verdict != "vượt kế hoạch" ||
			recorded.Date != "2025-12-31" || len(recorded.Provinces) != 35 || recorded.Unplaced != 0 {
			t.Errorf("recorded report: %+v", recorded)
		}
		current, err := e.svc.ConferenceReport(ctx, 2025, movement.Current)
		if err != nil {
			t.Fatal(err)
		}
		if current.Held != 4 || current.Planned != 11 || current.Verdict != "chưa đạt kế hoạch" || len(current.Provinces) != 34 {
			t.Errorf("current report: %+v", current)
		}
		// One more planned point in Hà Nội makes the recorded 12 exactly
		// the plan.
		admin := e.user(t, "quantri", account.Admin, "VN")
		if err := e.svc.SetPlan(ctx, admin, 2025, "01", 4, ""); err != nil {
			t.Fatal(err)
		}
		if r, err := e.svc.ConferenceReport(ctx, 2025, movement.Recorded); err != nil || r.Verdict != "đạt kế hoạch" || r.Planned != 12 {
			t.Errorf("after the plan change: %q %d, %v", r.Verdict, r.Planned, err)
		}

		t.Run("csv", func(t *testing.T) {
			var b bytes.Buffer
			if err := movement.WriteCSV(&b, recorded); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&b).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			header := []string{"province_code", "province_name", "communes_held", "residential_areas_held", "planned_points",
				"participants", "guests", "commendations_collective", "commendations_individual", "gifts_vnd", "plan_pct"}
			if !slices.Equal(recs[0], header) {
				t.Errorf("header %v", recs[0])
			}
			if len(recs) != 1+len(recorded.Provinces)+1 {
				t.Fatalf("%d lines, want header + %d provinces + TOTAL", len(recs), len(recorded.Provinces))
			}
			for i, p := range recorded.Provinces {
				if !slices.Equal(recs[i+1], rowCells(p)) {
					t.Errorf("line %d: %v, want %v", i+2, recs[i+1], rowCells(p))
				}
			}
			last := recs[len(recs)-1]
			if !slices.Equal(last, []string{"TOTAL", "Toàn quốc", "12", "7", "11", "11903", "37", "13", "29", "8400000", "109.1"}) {
				t.Errorf("TOTAL line %v", last)
			}
			var ha movement.ProvinceRow
			for _, p := range recorded.Provinces {
				if p.ProvinceCode == "02" {
					ha = p
				}
			}
			if got := rowCells(ha); !slices.Equal(got, []string{"02", "Hà Giang", "5", "7", "0", "1113", "25", "5", "17", "6400000", "0.0"}) {
				t.Errorf("Hà Giang line %v", got)
			}
		})

		t.Run("xlsx", func(t *testing.T) {
			var b bytes.Buffer
			if err := movement.WriteXLSX(&b, current); err != nil {
				t.Fatal(err)
			}
			rows, err := xlsx.ReadRows(bytes.NewReader(b.Bytes()), int64(b.Len()), 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1+34+1 || rows[0][0] != "Mã tỉnh" || rows[0][2] != "Số xã tổ chức" {
				t.Fatalf("%d rows, header %v", len(rows), rows[0])
			}
			for i, p := range append(slices.Clone(current.Provinces), current.Total) {
				want := rowCells(p)
				got := rows[i+1]
				// Trailing zero cells are written; the percentage is a number.
				pctGot, _ := strconv.ParseFloat(got[10], 64)
				pctWant, _ := strconv.ParseFloat(want[10], 64)
				if !slices.Equal(got[:10], want[:10]) || pctGot != pctWant {
					t.Errorf("row %d: %v, want %v", i+2, got, want)
				}
			}
		})
	})
}
