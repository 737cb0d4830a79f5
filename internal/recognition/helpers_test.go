package recognition_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"toandan/internal/account"
	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/recognition"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// env is the whole application on one engine with the sample communes
// (T0101 ward and T0102 commune in Hà Nội 01; T7901 ward in Hồ Chí Minh
// 79), the wards of fixtureWards, one officer of each kind, and a
// recognition service over a fake festival source and an in-memory file
// store.
type env struct {
	ctx   context.Context
	srv   *testutil.Server
	svc   *recognition.Service
	db    *store.DB
	clk   *clock.Fixed
	fest  *fakeFestival
	files *memFiles
	users map[string]account.User
}

// fixtureWards adds wards (and one commune) to some provinces, for the
// model ward pilot.
const fixtureWards = `code,name,type,parent_code,full_name
W0102,Thử Hai,ward,01,Phường Thử Hai
W0103,Thử Ba,ward,01,Phường Thử Ba
W7902,Thử Bảy Hai,ward,79,Phường Thử Bảy Hai
W7903,Thử Bảy Ba,ward,79,Phường Thử Bảy Ba
W4801,Biển Một,ward,48,Phường Biển Một
W4802,Biển Hai,ward,48,Phường Biển Hai
W4803,Biển Ba,ward,48,Phường Biển Ba
W3101,Cảng Một,ward,31,Phường Cảng Một
W9201,Sông Một,ward,92,Phường Sông Một
W9202,Sông Hai,ward,92,Phường Sông Hai
W9203,Sông Ba,ward,92,Phường Sông Ba
W0401,Núi Một,ward,04,Phường Núi Một
W1901,Đồi Một,ward,19,Phường Đồi Một
W2201,Vịnh Một,ward,22,Phường Vịnh Một
X2201,Vịnh Hai,commune,22,Xã Vịnh Hai
`

// Officers every env has.
var officers = []struct {
	name string
	role account.Role
	unit string
}{
	{"xa-t0101", account.Commune, "T0101"},
	{"xa-t0102", account.Commune, "T0102"},
	{"xa-t7901", account.Commune, "T7901"},
	{"tinh-01", account.Province, "01"},
	{"tinh-79", account.Province, "79"},
	{"vks-01", account.Procuracy, "01"},
	{"bo-cong-an", account.Ministry, geo.Nation},
	{"quan-tri", account.Admin, geo.Nation},
}

// forEachEngine runs fn on SQLite and on PostgreSQL, each with a fresh
// application, in parallel with the other tests.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, eng))
		})
	}
}

func newEnv(t *testing.T, eng store.Engine) *env {
	t.Helper()
	srv := testutil.NewServer(t, eng)
	srv.ImportCSV(t, testutil.SampleCommunes, geo.ReformDate)
	srv.ImportCSV(t, fixtureWards, geo.ReformDate)
	e := &env{ctx: context.Background(), srv: srv, db: srv.Main.DB, clk: srv.Clock,
		fest: &fakeFestival{figures: map[string][3]int{}}, files: &memFiles{m: map[string][]byte{}}, users: map[string]account.User{}}
	e.svc = &recognition.Service{DB: srv.Main.DB, Geo: srv.Main.Geo, Clock: srv.Clock, Festival: e.fest, Files: e.files}
	for _, o := range officers {
		srv.CreateUser(t, o.name, o.role, o.unit)
		u, err := srv.Main.Accounts.ByUsername(e.ctx, o.name)
		if err != nil {
			t.Fatalf("user %s: %v", o.name, err)
		}
		e.users[o.name] = u
	}
	return e
}

// user returns an officer of the env.
func (e *env) user(t testing.TB, name string) account.User {
	t.Helper()
	u, ok := e.users[name]
	if !ok {
		t.Fatalf("no officer %s", name)
	}
	return u
}

// fakeFestival is the test's own festival source: figures per unit and
// year, as the movement package would compute them.
type fakeFestival struct {
	mu      sync.Mutex
	figures map[string][3]int // "unit/year" → held, area points, planned
	views   []bool
}

func (f *fakeFestival) set(unit string, year, held, area, planned int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.figures[fmt.Sprintf("%s/%d", unit, year)] = [3]int{held, area, planned}
}

func (f *fakeFestival) FestivalFigures(ctx context.Context, unit string, year int, current bool) (int, int, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.views = append(f.views, current)
	v := f.figures[fmt.Sprintf("%s/%d", unit, year)]
	return v[0], v[1], v[2], nil
}

// memFiles is an in-memory file store.
type memFiles struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (f *memFiles) Put(ctx context.Context, name string, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[name] = append([]byte(nil), data...)
	return nil
}

func (f *memFiles) Get(ctx context.Context, name string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.m[name]
	if !ok {
		return nil, fmt.Errorf("no file %s", name)
	}
	return b, nil
}

// wantCode fails the test unless err is a domain error with code.
func wantCode(t testing.TB, err error, code errs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %s error, got none", code)
	}
	if errs.CodeOf(err) != code {
		t.Fatalf("want a %s error, got %v", code, err)
	}
}

// wantField fails the test unless err is an input error about field.
func wantField(t testing.TB, err error, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != errs.Invalid || e.Field != field {
		t.Fatalf("want an input error on %q, got %v", field, err)
	}
}

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// count returns the number of rows of table matching where.
func (e *env) count(t testing.TB, table string, where ...any) int {
	t.Helper()
	q := "SELECT COUNT(*) FROM " + table
	var args []any
	if len(where) > 0 {
		q += " WHERE " + where[0].(string)
		args = where[1:]
	}
	var n int
	if err := e.db.QueryRow(e.ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// area registers a residential area of commune.
func (e *env) area(t testing.TB, commune, name string) geo.Area {
	t.Helper()
	a, err := e.srv.Main.Geo.CreateArea(e.ctx, commune, geo.AreaInput{Name: name, Kind: "to_dan_pho"}, e.user(t, "quan-tri").ID, "test")
	if err != nil {
		t.Fatalf("create area %s: %v", name, err)
	}
	return a
}

// assessAll self-assesses every criterion of a cycle: met unless listed in
// notMet.
func (e *env) assessAll(t testing.TB, u account.User, c recognition.Cycle, notMet ...string) {
	t.Helper()
	cs, err := e.svc.CriteriaSet(e.ctx, c.SetID)
	must(t, err)
	for _, cr := range cs.Criteria {
		met := true
		for _, n := range notMet {
			if n == cr.Code {
				met = false
			}
		}
		if _, err := e.svc.Assess(e.ctx, u, c.ID, cr.Code, met, "Minh chứng tiêu chí "+cr.Code, nil); err != nil {
			t.Fatalf("assess %s of cycle %d: %v", cr.Code, c.ID, err)
		}
	}
}

// run takes a cycle of a subject, as the administrator, to outcome:
// registered, submitted, returned, recognised or not_recognised (criterion
// 1 self-assessed as not met).
func (e *env) run(t testing.TB, year int, kind, code, outcome string) recognition.Cycle {
	t.Helper()
	admin := e.user(t, "quan-tri")
	c, err := e.svc.Register(e.ctx, admin, year, kind, code)
	if err != nil {
		t.Fatalf("register %s %s %d: %v", kind, code, year, err)
	}
	if outcome == recognition.StatusRegistered {
		return c
	}
	if outcome == recognition.StatusNotRecognised {
		e.assessAll(t, admin, c, "1")
	} else {
		e.assessAll(t, admin, c)
	}
	if c, err = e.svc.Submit(e.ctx, admin, c.ID); err != nil {
		t.Fatalf("submit %s %s: %v", kind, code, err)
	}
	switch outcome {
	case recognition.StatusSubmitted:
		return c
	case recognition.StatusReturned:
		c, err = e.svc.Decide(e.ctx, admin, c.ID, false, "Bổ sung hồ sơ.")
	default:
		c, err = e.svc.Decide(e.ctx, admin, c.ID, true, "")
	}
	if err != nil {
		t.Fatalf("decide %s %s: %v", kind, code, err)
	}
	if c.Status != outcome {
		t.Fatalf("%s %s %d: status %s, want %s (%s)", kind, code, year, c.Status, outcome, c.DecisionNote)
	}
	return c
}

// status returns a cycle's status as stored.
func (e *env) status(t testing.TB, id int64) string {
	t.Helper()
	var st string
	if err := e.db.QueryRow(e.ctx, "SELECT status FROM recognition_cycles WHERE id = ?", id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// insertCycles records decided commune cycles directly, for indicator
// tests that need hundreds of them; the workflow that produces them is
// tested on its own.
func (e *env) insertCycles(t testing.TB, year int, kind, status string, codes []string) {
	t.Helper()
	var setID int64
	if err := e.db.QueryRow(e.ctx, "SELECT id FROM criteria_sets WHERE subject_kind = ? ORDER BY effective_from DESC LIMIT 1", kind).Scan(&setID); err != nil {
		t.Fatal(err)
	}
	err := e.db.InTx(e.ctx, func(tx *store.Tx) error {
		for i := 0; i < len(codes); i += 200 {
			part := codes[i:min(i+200, len(codes))]
			var args []any
			for _, c := range part {
				args = append(args, setID, year, kind, c, c, status, "2026-01-01T00:00:00.000000Z")
			}
			if _, err := tx.Exec(e.ctx, `INSERT INTO recognition_cycles (set_id, year, subject_kind, subject_code, commune_code, status, registered_at) VALUES `+
				store.Placeholders(len(part), 7), args...); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, err)
}

// codes returns prefix followed by the numbers from..to, zero-padded to 4.
func codes(prefix string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, prefix+fmt.Sprintf("%04d", i))
	}
	return out
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// contains fails the test unless s holds every part.
func contains(t testing.TB, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Fatalf("%q does not contain %q", s, p)
		}
	}
}
