package movement_test

import (
	"context"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

func festivalInput(commune string) movement.PointInput {
	return movement.PointInput{Year: 2026, Commune: commune, HeldOn: "2026-08-19", Place: "Sân vận động xã", Participants: 350,
		Guests: 12, CommendationsCollective: 2, CommendationsIndividual: 5, GiftsVND: 15_000_000, ModelsLaunched: 1, Notes: "Có lãnh đạo tỉnh dự."}
}

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

// TestPointAccess: a commune officer enters and changes only their own
// commune's points (another commune's are "not found" and stay as they
// were); a province reviews only its province's; plans are set by the
// province; every change is audited.
func TestPointAccess(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newSampleEnv(t, db)
		admin := e.user(t, "quantri", account.Admin, "VN")
		ministry := e.user(t, "bo.congan", account.Ministry, "VN")
		cb0101 := e.user(t, "cb.t0101", account.Commune, "T0101")
		cb0102 := e.user(t, "cb.t0102", account.Commune, "T0102")
		cb0801 := e.user(t, "cb.t0801", account.Commune, "T0801")
		tinh01 := e.user(t, "tinh01", account.Province, "01")
		tinh79 := e.user(t, "tinh79", account.Province, "79")
		svc := e.svc

		p, err := svc.RecordPoint(ctx, cb0101, festivalInput("T0101"))
		if err != nil {
			t.Fatalf("own commune: %v", err)
		}
		if p.ID == 0 || p.Status != movement.StatusSubmitted || p.CommuneValidFrom != "2025-07-01" || p.CreatedBy != cb0101.ID || p.Source != "form" {
			t.Errorf("recorded point: %+v", p)
		}
		if got, err := svc.Point(ctx, cb0101, p.ID); err != nil || got != p {
			t.Errorf("Point: %+v, %v; want %+v", got, err, p)
		}

		t.Run("another commune's officer", func(t *testing.T) {
			before := dumpPoints(t, db)
			_, err := svc.RecordPoint(ctx, cb0102, festivalInput("T0101"))
			wantCode(t, "record in another commune", err, errs.NotFound)
			in := festivalInput("T0101")
			in.Participants = 1
			_, err = svc.UpdatePoint(ctx, cb0102, p.ID, in)
			wantCode(t, "update another commune's point", err, errs.NotFound)
			_, err = svc.Point(ctx, cb0102, p.ID)
			wantCode(t, "see another commune's point", err, errs.NotFound)
			_, err = svc.UpdatePoint(ctx, cb0102, 987654, in)
			wantCode(t, "update a point that does not exist", err, errs.NotFound)
			if after := dumpPoints(t, db); after != before {
				t.Errorf("points changed:\n%s\nwant\n%s", after, before)
			}
		})

		t.Run("roles", func(t *testing.T) {
			_, err := svc.RecordPoint(ctx, tinh01, festivalInput("T0102"))
			wantCode(t, "province records a point", err, errs.Forbidden)
			_, err = svc.RecordPoint(ctx, ministry, festivalInput("T0102"))
			wantCode(t, "ministry records a point", err, errs.Forbidden)
			_, err = svc.ReviewPoint(ctx, cb0101, p.ID, true, "")
			wantCode(t, "commune reviews", err, errs.Forbidden)
			if _, err := svc.Point(ctx, ministry, p.ID); err != nil {
				t.Errorf("ministry sees the point: %v", err)
			}
		})

		t.Run("review by the province only", func(t *testing.T) {
			before := dumpPoints(t, db)
			_, err := svc.ReviewPoint(ctx, tinh79, p.ID, true, "")
			wantCode(t, "another province approves", err, errs.NotFound)
			if after := dumpPoints(t, db); after != before {
				t.Error("points changed")
			}
			_, err = svc.ReviewPoint(ctx, tinh01, p.ID, false, " ")
			wantCode(t, "return without a reason", err, errs.Invalid)
			got, err := svc.ReviewPoint(ctx, tinh01, p.ID, false, "Thiếu biên bản.")
			if err != nil || got.Status != movement.StatusReturned || got.ReviewNote != "Thiếu biên bản." || got.ReviewedBy != tinh01.ID {
				t.Errorf("return: %+v, %v", got, err)
			}
			in := festivalInput("T0101")
			in.Participants = 360
			got, err = svc.UpdatePoint(ctx, cb0101, p.ID, in)
			if err != nil || got.Status != movement.StatusSubmitted || got.Participants != 360 {
				t.Errorf("correction: %+v, %v", got, err)
			}
			got, err = svc.ReviewPoint(ctx, tinh01, p.ID, true, "")
			if err != nil || got.Status != movement.StatusApproved {
				t.Errorf("approve: %+v, %v", got, err)
			}
			if got, _ := svc.Point(ctx, admin, p.ID); got.Status != movement.StatusApproved || got.Participants != 360 {
				t.Errorf("stored: %+v", got)
			}
		})

		t.Run("residential areas and duplicates", func(t *testing.T) {
			a1, err := e.geo.CreateArea(ctx, "T0101", geo.AreaInput{Name: "Thôn Đông", Kind: "thon"}, cb0101.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			a2, err := e.geo.CreateArea(ctx, "T0102", geo.AreaInput{Name: "Thôn Tây", Kind: "thon"}, cb0102.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			// The area was registered after the festival (today): still its
			// commune's.
			in := festivalInput("T0101")
			in.AreaID = a1.ID
			if _, err := svc.RecordPoint(ctx, cb0101, in); err != nil {
				t.Errorf("area point: %v", err)
			}
			_, err = svc.RecordPoint(ctx, cb0101, in)
			wantCode(t, "second point in the same area", err, errs.Conflict)
			_, err = svc.RecordPoint(ctx, cb0101, festivalInput("T0101"))
			wantCode(t, "second commune-level point", err, errs.Conflict)
			in.AreaID = a2.ID
			_, err = svc.RecordPoint(ctx, cb0101, in)
			if fe, ok := errs.As(err); !ok || fe.Field != "area_id" {
				t.Errorf("another commune's area: %v, want a field error on area_id", err)
			}
			f := e.figures(t, "T0101", 2026, movement.Current)
			if f.CommunePoints != 1 || f.AreaPoints != 1 || f.Participants != 360+350 {
				t.Errorf("T0101 figures: %+v", f)
			}
		})

		t.Run("validation", func(t *testing.T) {
			long := strings.Repeat("x", 201)
			cases := []struct {
				field string
				edit  func(*movement.PointInput)
			}{
				{"year", func(in *movement.PointInput) { in.Year = 0 }},
				{"commune", func(in *movement.PointInput) { in.Commune = " " }},
				{"commune", func(in *movement.PointInput) { in.Commune = "99999" }},
				{"commune", func(in *movement.PointInput) { in.Commune = "01" }},
				{"held_on", func(in *movement.PointInput) { in.HeldOn = "" }},
				{"held_on", func(in *movement.PointInput) { in.HeldOn = "19/08/2026x" }},
				{"held_on", func(in *movement.PointInput) { in.HeldOn = "2025-08-19" }},
				{"held_on", func(in *movement.PointInput) { in.HeldOn = "2026-12-01" }},
				{"participants", func(in *movement.PointInput) { in.Participants = -1 }},
				{"guests", func(in *movement.PointInput) { in.Guests = 2_000_000 }},
				{"commendations_collective", func(in *movement.PointInput) { in.CommendationsCollective = -2 }},
				{"gifts_vnd", func(in *movement.PointInput) { in.GiftsVND = -5 }},
				{"models_launched", func(in *movement.PointInput) { in.ModelsLaunched = -1 }},
				{"place", func(in *movement.PointInput) { in.Place = long }},
				{"area_id", func(in *movement.PointInput) { in.AreaID = 987654 }},
			}
			before := dumpPoints(t, db)
			for _, c := range cases {
				in := festivalInput("T0102")
				c.edit(&in)
				_, err := svc.RecordPoint(ctx, cb0102, in)
				fe, ok := errs.As(err)
				if !ok || fe.Code != errs.Invalid || fe.Field != c.field || fe.Message == "" {
					t.Errorf("%+v: %v, want a field error on %s", in, err, c.field)
				}
			}
			if after := dumpPoints(t, db); after != before {
				t.Error("a rejected input changed the points")
			}
		})

		// Points recorded on old communes are in the charge of the communes
		// that took them over, and of their provinces.
		t.Run("old communes by their main successor", func(t *testing.T) {
			e.mustImport(t, "cu.csv", []byte(festivalHeader+"2025,X0101,,2025-05-20,1,0,0,0\n2025,X0104,,2025-05-20,2,0,0,0\n2025,X0201,,2025-05-20,3,0,0,0\n"))
			ids := map[string]int64{}
			for _, c := range []string{"X0101", "X0104", "X0201"} {
				var id int64
				if err := db.QueryRow(ctx, "SELECT id FROM festival_points WHERE commune_code = ?", c).Scan(&id); err != nil {
					t.Fatal(err)
				}
				ids[c] = id
			}
			edit := func(u account.User, code string) error {
				_, err := svc.UpdatePoint(ctx, u, ids[code], movement.PointInput{HeldOn: "2025-05-21", Participants: 9})
				return err
			}
			for _, c := range []struct {
				who  account.User
				code string
				want errs.Code // "" for allowed
			}{
				{cb0101, "X0101", ""},
				{cb0102, "X0101", errs.NotFound},
				{cb0102, "X0104", ""}, // split: T0102 is the main successor
				{cb0101, "X0104", errs.NotFound},
				{cb0801, "X0201", ""},
				{cb0101, "X0201", errs.NotFound},
			} {
				err := edit(c.who, c.code)
				if c.want == "" && err != nil || c.want != "" && !errs.Is(err, c.want) {
					t.Errorf("%s edits %s: %v, want %q", c.who.Username, c.code, err, c.want)
				}
			}
			_, err := svc.ReviewPoint(ctx, tinh79, ids["X0101"], true, "")
			wantCode(t, "province 79 reviews an old Hà Nội point", err, errs.NotFound)
			if _, err := svc.ReviewPoint(ctx, tinh01, ids["X0101"], true, ""); err != nil {
				t.Errorf("province 01 reviews an old Hà Nội point: %v", err)
			}
			// A date that falls on another version of the unit is refused.
			_, err = svc.UpdatePoint(ctx, cb0101, ids["X0101"], movement.PointInput{HeldOn: "2025-07-02"})
			wantCode(t, "moved past the old unit's end", err, errs.Invalid)
		})

		t.Run("plans", func(t *testing.T) {
			if err := svc.SetPlan(ctx, tinh01, 2026, "01", 10, "Kế hoạch 12/KH-CAT"); err != nil {
				t.Fatalf("SetPlan: %v", err)
			}
			if err := svc.SetPlan(ctx, tinh01, 2026, "01", 12, ""); err != nil {
				t.Fatalf("SetPlan again: %v", err)
			}
			wantCode(t, "plan of another province", svc.SetPlan(ctx, tinh01, 2026, "79", 10, ""), errs.NotFound)
			wantCode(t, "commune sets a plan", svc.SetPlan(ctx, cb0101, 2026, "01", 10, ""), errs.Forbidden)
			wantCode(t, "old province", svc.SetPlan(ctx, admin, 2026, "02", 10, ""), errs.Invalid)
			wantCode(t, "negative plan", svc.SetPlan(ctx, admin, 2026, "79", -1, ""), errs.Invalid)
			wantCode(t, "bad year", svc.SetPlan(ctx, admin, 1990, "79", 1, ""), errs.Invalid)
			plans, err := svc.Plans(ctx, 2026)
			if err != nil || len(plans) != 1 || plans[0].PlannedPoints != 12 || plans[0].UpdatedBy != tinh01.ID || !plans[0].UpdatedAt.Equal(testNow()) {
				t.Errorf("plans: %+v, %v", plans, err)
			}
			if f := e.figures(t, "01", 2026, movement.Current); f.Planned != 12 || f.CommunePoints != 1 || f.PlanPct != 100.0/12 {
				t.Errorf("01 figures: %+v", f)
			}
		})

		t.Run("audit", func(t *testing.T) {
			verifyAudit(t, db)
			for action, want := range map[string]int{
				"festival.point.create": 2, "festival.point.update": 1 + 3, "festival.point.return": 1,
				"festival.point.approve": 2, "festival.plan.set": 2, "festival.import": 1,
			} {
				if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = ?", action); n != want {
					t.Errorf("%s: %d audit entries, want %d", action, n, want)
				}
			}
		})
	})
}
