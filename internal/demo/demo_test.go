package demo_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/auth/secret"
	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/demo"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/recognition"
	"toandan/internal/store"
	"toandan/internal/testdb"
	"toandan/internal/testutil"
)

// seeded is a demo written into a fresh application.
type seeded struct {
	srv *testutil.Server
	res demo.Result
	s   demo.Services
}

func services(srv *testutil.Server) demo.Services {
	m := srv.Main
	return demo.Services{DB: m.DB, Geo: m.Geo, Accounts: m.Accounts, Sources: m.Sources, Movement: m.Movement,
		Recognition: m.Recognition, Clock: srv.Clock}
}

// seed writes a demo of a size with seed n into srv, ending at the test
// servers' fixed now.
func seed(t *testing.T, srv *testutil.Server, n int64, size, geoDir string) seeded {
	t.Helper()
	s := services(srv)
	res, err := demo.Seed(context.Background(), s, demo.Options{Seed: n, Size: size, GeoDir: geoDir, Now: testutil.DefaultNow})
	if err != nil {
		t.Fatalf("seed %d on %s: %v", n, srv.Main.DB.Engine, err)
	}
	t.Logf("seed %d on %s (%s): %v", n, srv.Main.DB.Engine, res.Geography, res.Elapsed.Round(time.Millisecond))
	return seeded{srv: srv, res: res, s: s}
}

// digest lists what a history holds, leaving out what is random by design
// (tracking and receipt codes, file names, password hashes, TOTP secrets).
func digest(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	queries := []string{
		"SELECT code, name, type, parent_code, valid_from, COALESCE(valid_to, '') FROM units ORDER BY code, valid_from",
		"SELECT old_code, new_code, merge_type, is_main, changed_on FROM unit_lineage ORDER BY old_code, new_code",
		"SELECT commune_code, name, kind, valid_from, COALESCE(valid_to, '') FROM residential_areas ORDER BY id",
		"SELECT username, display_name, role, unit_code, created_at FROM users ORDER BY id",
		`SELECT kind, channel, category, province_code, commune_code, address, occurred_at, description, anonymous, reporter_org,
			received_at, postmarked_on, receiving_unit_id, unit_id, register_year, register_no, registered_at, status, urgent, extended,
			procuracy_extended, procuracy_notified_at, COALESCE(assigned_to, 0), COALESCE(merged_into, 0), outcome, decided_at, closed_at
			FROM sources ORDER BY id`,
		"SELECT source_id, at, actor, kind FROM source_events ORDER BY id",
		"SELECT source_id, at, from_reporter, body FROM source_messages ORDER BY id",
		"SELECT source_id, rule_code, started_at, due_at, met_at, cancelled_at FROM source_deadlines ORDER BY id",
		"SELECT year, province_code, planned_points, source FROM festival_plans ORDER BY year, province_code",
		`SELECT year, commune_code, commune_valid_from, COALESCE(area_id, 0), held_on, place, participants, guests, commendations_collective,
			commendations_individual, gifts_vnd, models_launched, notes, status, review_note, created_at FROM festival_points ORDER BY id`,
		"SELECT commune_code, COALESCE(area_id, 0), name, type_code, started_on, members, status, ended_on FROM grassroots_models ORDER BY id",
		"SELECT model_id, period, effective, note, evaluated_at FROM model_evaluations ORDER BY id",
		"SELECT year, subject_kind, subject_code, commune_code, status, registered_at, decided_at, decision_note FROM recognition_cycles ORDER BY id",
		"SELECT cycle_id, at, actor, kind FROM recognition_events ORDER BY id",
		"SELECT indicator, scope_kind, scope, year, comparator, value, legal_source, created_at FROM targets ORDER BY id",
		// geo's area entries carry the wall-clock time, not the services'
		// clock, so their times are left out.
		"SELECT seq, CASE WHEN action LIKE 'area.%' THEN '' ELSE at END, actor, action FROM audit_log ORDER BY seq",
	}
	var out []string
	for _, q := range queries {
		rows, err := db.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		table := strings.Fields(q[strings.Index(q, " FROM ")+6:])[0]
		h := sha256.New()
		n := 0
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(h, "%s|", v.String)
			}
			h.Write([]byte{'\n'})
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		out = append(out, fmt.Sprintf("%s: %d rows %s", table, n, hex.EncodeToString(h.Sum(nil))[:16]))
	}
	return out
}

func sameDigest(a, b []string) (bool, string) {
	for i := range a {
		if a[i] != b[i] {
			return false, a[i] + " ≠ " + b[i]
		}
	}
	return len(a) == len(b), ""
}

// TestSeed writes the same seed twice and a different seed once on SQLite,
// all in parallel, and checks that the same seed gives the same history;
// when TOANDAN_TEST_POSTGRES is set, a tiny history is also written on both
// engines and must come out the same. It then checks what the history
// holds.
func TestSeed(t *testing.T) {
	t.Parallel()
	type run struct {
		srv  *testutil.Server
		seed int64
		size string
		got  seeded
	}
	var runs []*run
	for _, n := range []int64{7, 7, 8} {
		runs = append(runs, &run{srv: testutil.NewServer(t, store.SQLite), seed: n, size: "small"})
	}
	if len(testdb.Engines()) > 1 {
		runs = append(runs, &run{srv: testutil.NewServer(t, store.SQLite), seed: 5, size: "tiny"},
			&run{srv: testutil.NewServer(t, store.Postgres), seed: 5, size: "tiny"})
	} else {
		t.Log("PostgreSQL run skipped: set TOANDAN_TEST_POSTGRES to a connection URL to run it")
	}
	// The servers belong to this test, not to the subtests, so that they
	// outlive them.
	t.Run("seeds", func(t *testing.T) {
		for i, r := range runs {
			t.Run(fmt.Sprintf("%d-%s-%s-%d", i, r.srv.Main.DB.Engine, r.size, r.seed), func(t *testing.T) {
				t.Parallel()
				r.got = seed(t, r.srv, r.seed, r.size, "")
			})
		}
	})
	if t.Failed() {
		return
	}
	first := digest(t, runs[0].got.s.DB)
	if ok, diff := sameDigest(first, digest(t, runs[1].got.s.DB)); !ok {
		t.Errorf("the same seed gave different histories: %s", diff)
	}
	if ok, _ := sameDigest(first, digest(t, runs[2].got.s.DB)); ok {
		t.Errorf("seeds 7 and 8 gave the same history")
	}
	if len(runs) > 3 {
		if ok, diff := sameDigest(digest(t, runs[3].got.s.DB), digest(t, runs[4].got.s.DB)); !ok {
			t.Errorf("SQLite and PostgreSQL histories differ: %s", diff)
		}
	}
	checkHistory(t, runs[0].got)
	checkSampleGeography(t, runs[0].got)
}

// checkHistory checks what any demo must hold.
func checkHistory(t *testing.T, d seeded) {
	ctx := context.Background()
	db := d.s.DB
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	t.Run("every status", func(t *testing.T) {
		for _, st := range []string{crimesource.StatusReceived, crimesource.StatusRegistered, crimesource.StatusVerifying, crimesource.StatusProsecuted,
			crimesource.StatusNotProsecuted, crimesource.StatusSuspended, crimesource.StatusNotCrime, crimesource.StatusTransferredOut, crimesource.StatusMerged} {
			if n := count("SELECT COUNT(*) FROM sources WHERE status = ?", st); n == 0 {
				t.Errorf("no source is %s", st)
			}
		}
		for what, q := range map[string]string{
			"extended and open":          "SELECT COUNT(*) FROM sources WHERE extended = 1 AND status = 'verifying'",
			"extended by the procuracy":  "SELECT COUNT(*) FROM sources WHERE procuracy_extended = 1",
			"resumed":                    "SELECT COUNT(*) FROM source_events WHERE kind = 'resume'",
			"suspension cancelled":       "SELECT COUNT(*) FROM source_events WHERE kind = 'cancel_suspension'",
			"suspended with a ground":    "SELECT COUNT(*) FROM source_events WHERE kind = 'decide' AND data LIKE '%\"ground\"%'",
			"anonymous":                  "SELECT COUNT(*) FROM sources WHERE anonymous = 1",
			"identified":                 "SELECT COUNT(*) FROM sources WHERE identity_sealed IS NOT NULL",
			"officer messages":           "SELECT COUNT(*) FROM source_messages WHERE from_reporter = 0",
			"reporter replies":           "SELECT COUNT(*) FROM source_messages WHERE from_reporter = 1",
			"identity revealed":          "SELECT COUNT(*) FROM source_events WHERE kind = 'identity_reveal'",
			"photos":                     "SELECT COUNT(*) FROM attachments",
			"received before the reform": "SELECT COUNT(*) FROM sources WHERE received_at < '2025-06-30'",
		} {
			if count(q) == 0 {
				t.Errorf("no source %s", what)
			}
		}
		for _, c := range crimesource.Channels {
			if count("SELECT COUNT(*) FROM sources WHERE channel = ?", c.Code) == 0 {
				t.Errorf("no source came by %s", c.Code)
			}
		}
		// At the end of the history (the clock stands there), some limits
		// are at risk and some overdue, for the Ministry and in each
		// featured province.
		for _, u := range []string{"bocongan", "dieutra.hanoi", "dieutra.hochiminh", "dieutra.thainguyen"} {
			acc, err := d.s.Accounts.ByUsername(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := d.s.Sources.CountFor(ctx, crimesource.Actor{UserID: acc.ID, Role: string(acc.Role), Unit: acc.UnitCode})
			if err != nil {
				t.Fatal(err)
			}
			if cs.AtRisk == 0 || cs.Overdue == 0 || cs.Open == 0 {
				t.Errorf("%s sees %+v: want some at risk and some overdue", u, cs)
			}
		}
	})

	t.Run("users sign in", func(t *testing.T) {
		roles := map[account.Role]bool{}
		for _, u := range d.res.Users {
			roles[u.Role] = true
			token, sess, err := d.s.Accounts.Login(ctx, u.Username, u.Password, "127.0.0.1", "test")
			if err != nil {
				t.Errorf("login %s: %v", u.Username, err)
				continue
			}
			if !account.RequiresTOTP(u.Role) {
				if sess.MFA != account.MFANone || u.TOTPSecret != "" {
					t.Errorf("%s: MFA %v, secret %q", u.Username, sess.MFA, u.TOTPSecret)
				}
				continue
			}
			if sess.MFA != account.MFAVerify || len(u.RecoveryCodes) == 0 {
				t.Errorf("%s: MFA %v with %d recovery codes, want a second factor enrolled", u.Username, sess.MFA, len(u.RecoveryCodes))
				continue
			}
			raw, err := secret.DecodeSecret(u.TOTPSecret)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.s.Accounts.VerifySecondFactor(ctx, token, secret.TOTPCode(raw, d.s.Clock.Now()), "127.0.0.1"); err != nil {
				t.Errorf("%s: second factor: %v", u.Username, err)
			}
		}
		for _, r := range account.Roles {
			if !roles[r.Role] {
				t.Errorf("no account handed out for role %s", r.Role)
			}
		}
		if d.res.OtherUsers == 0 {
			t.Error("no accounts carry the other provinces' history")
		}
	})

	t.Run("targets", func(t *testing.T) {
		ts, err := d.s.Recognition.Targets(ctx, geo.Nation, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{
			"communes_recognised_pct unit:19 2025 >= 99":         false,
			"recognised_model_wards each:municipality 2023 >= 3": false,
			"recognised_model_wards each:province 2023 >= 1":     false,
			"recognised_model_wards each:municipality 2026 >= 3": false,
			"held_vs_plan_pct unit:VN 2022 >= 100":               false,
		}
		states := map[string]bool{}
		for _, tg := range ts {
			k := fmt.Sprintf("%s %s:%s %d %s %g", tg.Indicator, tg.ScopeKind, tg.Scope, tg.Year, tg.Comparator, tg.Value)
			if _, ok := want[k]; ok {
				want[k] = true
			}
			r, err := d.s.Recognition.TargetStatus(ctx, tg)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			states[r.State] = true
			if k == "communes_recognised_pct unit:19 2025 >= 99" && r.State != recognition.StateMet {
				t.Errorf("%s: %s with %.1f%%, want met", k, r.State, r.Actual)
			}
		}
		for k, ok := range want {
			if !ok {
				t.Errorf("no target %s", k)
			}
		}
		for _, st := range []string{recognition.StateMet, recognition.StateAtRisk, recognition.StateMissed} {
			if !states[st] {
				t.Errorf("no target is %s", st)
			}
		}
	})

	t.Run("movement", func(t *testing.T) {
		for y := 2022; y <= 2026; y++ {
			if count("SELECT COUNT(*) FROM festival_points WHERE year = ?", y) == 0 || count("SELECT COUNT(*) FROM festival_plans WHERE year = ?", y) == 0 {
				t.Errorf("no festival points or plans in %d", y)
			}
		}
		for what, q := range map[string]string{
			"approved points":              "SELECT COUNT(*) FROM festival_points WHERE status = 'approved'",
			"returned points":              "SELECT COUNT(*) FROM festival_points WHERE status = 'returned' OR review_note <> ''",
			"points in residential areas":  "SELECT COUNT(*) FROM festival_points WHERE area_id IS NOT NULL",
			"effective models":             "SELECT COUNT(*) FROM model_evaluations WHERE effective = 1",
			"models not effective":         "SELECT COUNT(*) FROM model_evaluations WHERE effective = 0",
			"returned cycles":              "SELECT COUNT(*) FROM recognition_events WHERE kind = 'returned'",
			"cycles not recognised":        "SELECT COUNT(*) FROM recognition_cycles WHERE status = 'not_recognised'",
			"cycles still submitted":       "SELECT COUNT(*) FROM recognition_cycles WHERE status = 'submitted'",
			"model wards in 2023":          "SELECT COUNT(*) FROM recognition_cycles WHERE subject_kind = 'model_ward' AND year = 2023 AND status = 'recognised'",
			"model wards after the reform": "SELECT COUNT(*) FROM recognition_cycles WHERE subject_kind = 'model_ward' AND year = 2025",
		} {
			if count(q) == 0 {
				t.Errorf("no %s", what)
			}
		}
		for _, kind := range []string{recognition.KindResidentialArea, recognition.KindCommune, recognition.KindModelWard} {
			if count("SELECT COUNT(*) FROM recognition_cycles WHERE subject_kind = ? AND status = 'recognised'", kind) == 0 {
				t.Errorf("no %s recognised", kind)
			}
		}
		if v, err := d.s.Recognition.Indicator(ctx, recognition.HeldVsPlanPct, geo.Nation, 2022); err != nil || v <= 100 {
			t.Errorf("2022 festival: %.1f%% of plan, %v; want above plan", v, err)
		}
		if n := count("SELECT COUNT(DISTINCT type_code) FROM grassroots_models"); n < 4 {
			t.Errorf("models of %d types, want several", n)
		}
	})

	t.Run("used database refused", func(t *testing.T) {
		_, err := demo.Seed(ctx, d.s, demo.Options{Seed: 1, Now: testutil.DefaultNow})
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("second seed: %v, want a conflict", err)
		}
	})
}

// checkSampleGeography checks the labelled sample communes of a demo
// without official lists.
func checkSampleGeography(t *testing.T, d seeded) {
	ctx := context.Background()
	for _, p := range geo.BuiltinProvinces() {
		cs, err := d.s.Geo.CommunesOf(ctx, p.Code, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) < 3 {
			t.Errorf("province %s has %d communes, want at least 3", p.Code, len(cs))
		}
		for _, c := range cs {
			if !strings.HasPrefix(c.Code, "M"+p.Code) || !strings.Contains(c.Title(), " mẫu ") {
				t.Errorf("commune %s %q is not labelled as a sample", c.Code, c.Title())
			}
		}
		police, err := d.s.Geo.PoliceForCommune(ctx, cs[0].Code)
		if err != nil || police.Level != "commune" {
			t.Errorf("police of %s: %+v, %v", cs[0].Code, police, err)
		}
	}
	old, err := d.s.Geo.Provinces(ctx, "2023-06-01")
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 63 {
		t.Errorf("%d provinces in 2023, want 63", len(old))
	}
	areas, err := d.s.Geo.Areas(ctx, "M0101", "2026-11-30")
	if err != nil || len(areas) < 2 {
		t.Errorf("areas of M0101: %d, %v", len(areas), err)
	}
	for _, a := range areas {
		if !strings.HasPrefix(a.Name, "Tổ dân phố ") || a.Kind != "to_dan_pho" {
			t.Errorf("area %q (%s) of a ward in Hà Nội", a.Name, a.Kind)
		}
	}
}

// TestSeedRealGeography writes a small demo over the official lists named
// by TOANDAN_TEST_GEO, with the festival figures of the November 2022
// conference.
func TestSeedRealGeography(t *testing.T) {
	t.Parallel()
	dir := testutil.GeoDir(t)
	d := seed(t, testutil.NewServer(t, store.SQLite), 3, "small", dir)
	ctx := context.Background()
	today := "2026-11-30"
	n := 0
	for _, p := range geo.BuiltinProvinces() {
		cs, err := d.s.Geo.CommunesOf(ctx, p.Code, today)
		if err != nil {
			t.Fatal(err)
		}
		n += len(cs)
	}
	if n != 3321 {
		t.Errorf("%d communes today, want 3321", n)
	}
	if u, err := d.s.Geo.UnitAt(ctx, "75", today); err != nil || u.Type != "municipality" {
		t.Errorf("Đồng Nai today: %+v, %v (the 2026 list makes it a centrally-run city)", u, err)
	}
	f, err := d.srv.Main.Movement.FestivalFigures(ctx, geo.Nation, 2022, "recorded")
	if err != nil {
		t.Fatal(err)
	}
	if f.CommunePoints != 5813 || f.PlanPct <= 100 {
		t.Errorf("2022: %d commune-level points, %.1f%% of plan; want 5813, above plan", f.CommunePoints, f.PlanPct)
	}
	hg, err := d.srv.Main.Movement.FestivalFigures(ctx, "02", 2022, "recorded")
	if err != nil {
		t.Fatal(err)
	}
	if hg.CommunePoints != 76 || hg.AreaPoints != 117 {
		t.Errorf("Hà Giang 2022: %d communes and %d areas, want 76 and 117", hg.CommunePoints, hg.AreaPoints)
	}
	v, err := d.s.Recognition.Indicator(ctx, recognition.CommunesRecognisedPct, "19", 2025)
	if err != nil || v < 99 {
		t.Errorf("communes recognised in Thái Nguyên in 2025: %.1f%%, %v; want at least 99%%", v, err)
	}
	checkHistory(t, d)
}

func TestClock(t *testing.T) {
	c := demo.NewClock()
	if d := time.Since(c.Now()); d < 0 || d > time.Minute {
		t.Fatalf("a new clock is %v off the system time", d)
	}
	at := time.Date(2023, 5, 1, 8, 0, 0, 0, clock.Vietnam)
	c.Set(at)
	if !c.Now().Equal(at) || clock.Today(c) != "2023-05-01" {
		t.Fatalf("set clock says %v", c.Now())
	}
	c.UseReal()
	if d := time.Since(c.Now()); d < 0 || d > time.Minute {
		t.Fatalf("after UseReal the clock is %v off the system time", d)
	}
}

func TestSeedOptions(t *testing.T) {
	srv := testutil.NewServer(t, store.SQLite)
	s := services(srv)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, s, demo.Options{Size: "huge", Now: testutil.DefaultNow}); err == nil {
		t.Error("size huge accepted")
	}
	if _, err := demo.Seed(ctx, s, demo.Options{Now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("a history ending before the reform accepted")
	}
	other := *s.Movement
	other.Clock = clock.NewFixed(testutil.DefaultNow)
	s.Movement = &other
	if _, err := demo.Seed(ctx, s, demo.Options{Now: testutil.DefaultNow}); err == nil || !strings.Contains(err.Error(), "movement") {
		t.Errorf("a service on another clock: %v", err)
	}
}
