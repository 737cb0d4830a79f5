package dashboard_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// realWorld is the application on the official geography (TOANDAN_TEST_GEO:
// 34 provinces, 3,321 communes, the pre-reform list and its lineage, with
// its splits and partial merges) with a commune-level festival point in
// every commune in 2026, and in every pre-reform commune in May 2025,
// which the current view hands on through the lineage. It skips without
// TOANDAN_TEST_GEO.
func realWorld(tb testing.TB, eng store.Engine) *world {
	tb.Helper()
	dir := testutil.GeoDir(tb)
	srv := testutil.NewServer(tb, eng)
	srv.ImportGeo(tb, "units-2025.csv", "2025-07-01", "", "")
	srv.ImportGeo(tb, "units-2022.csv", "2025-03-01", "2025-06-30", "lineage-2025.csv")
	var csv strings.Builder
	csv.WriteString("year,commune_code,residential_area,held_on,participants,commendations_collective,commendations_individual,gifts_vnd\n")
	for _, l := range []struct{ file, year, held string }{{"units-2025.csv", "2026", "2026-08-19"}, {"units-2022.csv", "2025", "2025-05-01"}} {
		data, err := os.ReadFile(filepath.Join(dir, l.file))
		if err != nil {
			tb.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Split(line, ",")
			if len(f) > 3 && len(f[0]) == 5 && (f[2] == "commune" || f[2] == "ward" || f[2] == "special_zone" || f[2] == "township") {
				fmt.Fprintf(&csv, "%s,%s,,%s,%d,0,0,0\n", l.year, f[0], l.held, 20+i%90)
			}
		}
	}
	if _, err := srv.Main.Movement.ImportFestival(context.Background(), "real.csv", []byte(csv.String()), "test"); err != nil {
		tb.Fatal(err)
	}
	return &world{ctx: context.Background(), srv: srv, db: srv.Main.DB, clk: srv.Clock, now: srv.Clock.Now()}
}

// TestRealGeographyRows checks the commune rows against movement on the
// official geography: in 2025 every province's rows add up to its figures
// (no commune needed a roll-up of its own), and in a small province every
// row is what movement's roll-up of the commune says.
func TestRealGeographyRows(t *testing.T) {
	t.Parallel()
	w := realWorld(t, store.SQLite)
	svc := w.service()
	for _, p := range geo.BuiltinProvinces() {
		d, err := svc.Get(w.ctx, p.Code, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if d.Festival.RollUps != 0 || d.Festival.CommunePoints == 0 {
			t.Errorf("%s: %d communes rolled up, figures %+v", p.Code, d.Festival.RollUps, d.Festival.Figures)
		}
		if p.Code != "12" { // Lai Châu, 38 communes
			continue
		}
		for _, r := range d.Festival.Rows {
			f, err := w.srv.Main.Movement.FestivalFigures(w.ctx, r.Code, 2025, movement.Current)
			if err != nil {
				t.Fatal(err)
			}
			if r.CommunePoints != f.CommunePoints || r.AreaPoints != f.AreaPoints || r.Participants != f.Participants {
				t.Errorf("%s: row %+v, movement %+v", r.Code, r, f)
			}
		}
	}
}

// BenchmarkGet reads dashboards of realWorld: the nation, the province with
// the most communes (Thanh Hóa, 166), Hà Nội and one ward, in 2026, and
// Thanh Hóa in 2025, whose points the lineage places.
func BenchmarkGet(b *testing.B) {
	for _, eng := range testutil.Engines() {
		b.Run(string(eng), func(b *testing.B) {
			w := realWorld(b, eng)
			svc := w.service()
			for _, c := range []struct {
				unit string
				year int
			}{{geo.Nation, 2026}, {"38", 2026}, {"01", 2026}, {"00004", 2026}, {"38", 2025}} {
				unit, year := c.unit, c.year
				b.Run(fmt.Sprintf("%s/%d", unit, year), func(b *testing.B) {
					for b.Loop() {
						d, err := svc.Get(b.Context(), unit, year)
						if err != nil {
							b.Fatal(err)
						}
						if d.Festival.CommunePoints == 0 {
							b.Fatalf("no festival points: %+v", d.Festival.Figures)
						}
					}
				})
			}
		})
	}
}
