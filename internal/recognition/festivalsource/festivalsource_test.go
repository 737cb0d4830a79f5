package festivalsource_test

import (
	"context"
	"math"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/recognition"
	"toandan/internal/recognition/festivalsource"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// TestIndicatorsFromMovement computes the festival indicators from points
// recorded through the movement service.
func TestIndicatorsFromMovement(t *testing.T) {
	t.Parallel()
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := testutil.NewServer(t, eng)
			srv.ImportCSV(t, testutil.SampleCommunes, geo.ReformDate)
			user := func(name string, role account.Role, unit string) account.User {
				t.Helper()
				srv.CreateUser(t, name, role, unit)
				u, err := srv.Main.Accounts.ByUsername(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				return u
			}
			xa, xa2, tinh := user("xa-t0101", account.Commune, "T0101"), user("xa-t0102", account.Commune, "T0102"), user("tinh-01", account.Province, "01")
			mv := &movement.Service{DB: srv.Main.DB, Geo: srv.Main.Geo, Clock: srv.Clock}
			rec := &recognition.Service{DB: srv.Main.DB, Geo: srv.Main.Geo, Clock: srv.Clock, Festival: festivalsource.Movement{Service: mv}}

			// The residential area exists before the festival day.
			srv.Clock.Set(time.Date(2026, 8, 1, 3, 0, 0, 0, time.UTC))
			a, err := srv.Main.Geo.CreateArea(ctx, "T0101", geo.AreaInput{Name: "Tổ dân phố 1", Kind: "to_dan_pho"}, xa.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			srv.Clock.Set(testutil.DefaultNow)
			if err := mv.SetPlan(ctx, tinh, 2026, "01", 4, "Kế hoạch của Công an tỉnh"); err != nil {
				t.Fatal(err)
			}
			for _, p := range []struct {
				u  account.User
				in movement.PointInput
			}{
				{xa, movement.PointInput{Year: 2026, Commune: "T0101", HeldOn: "2026-08-19", Place: "Nhà văn hóa", Participants: 300}},
				{xa, movement.PointInput{Year: 2026, Commune: "T0101", AreaID: a.ID, HeldOn: "2026-08-15", Place: "Sân tổ dân phố", Participants: 120}},
				{xa2, movement.PointInput{Year: 2026, Commune: "T0102", HeldOn: "2026-08-18", Place: "Sân ủy ban", Participants: 200}},
			} {
				if _, err := mv.RecordPoint(ctx, p.u, p.in); err != nil {
					t.Fatalf("record point %+v: %v", p.in, err)
				}
			}
			for _, tc := range []struct {
				code, unit string
				want       float64
			}{
				{recognition.CommunePointsHeld, "01", 2},
				{recognition.ResidentialAreaPoints, "01", 1},
				{recognition.HeldVsPlanPct, "01", 50},
				{recognition.CommunePointsHeld, "VN", 2},
				{recognition.CommunePointsHeld, "T0101", 1},
				{recognition.CommunePointsHeld, "79", 0},
			} {
				v, err := rec.Indicator(ctx, tc.code, tc.unit, 2026)
				if err != nil {
					t.Fatalf("%s %s: %v", tc.code, tc.unit, err)
				}
				if math.Abs(v-tc.want) > 1e-9 {
					t.Errorf("%s %s = %v, want %v", tc.code, tc.unit, v, tc.want)
				}
			}
			_, err = rec.Indicator(ctx, recognition.HeldVsPlanPct, "79", 2026)
			if !recognition.IsNoData(err) {
				t.Fatalf("held vs plan without a plan: %v", err)
			}
		})
	}
}
