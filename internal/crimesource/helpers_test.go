package crimesource_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// env is the whole application on one engine, with the sample communes
// (T0101, T0102 in Hà Nội 01; T7901 in Hồ Chí Minh 79) and one officer of
// each kind that the tests need.
type env struct {
	ctx context.Context
	srv *testutil.Server
	svc *crimesource.Service
	db  *store.DB
	clk *clock.Fixed
}

// Usernames of the officers every env has.
const (
	communeT0101 = "xa-t0101"    // commune police of T0101
	communeT0102 = "xa-t0102"    // commune police of T0102
	province01   = "tinh-01"     // provincial movement staff of Hà Nội
	investig01   = "dieutra-01"  // investigation body of Hà Nội
	investig79   = "dieutra-79"  // investigation body of Hồ Chí Minh
	procuracy01  = "vienkiemsat" // procuracy liaison of Hà Nội
	ministryVN   = "bo-cong-an"  // ministry, whole country
	communeT7901 = "xa-t7901"    // commune police of T7901
)

// forEachEngine runs fn on SQLite and on PostgreSQL, each with a fresh
// application. Each env is its own world, so the test and its engine
// subtests run in parallel with the others: most of the time goes to
// creating and migrating databases.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, eng, testutil.SampleCommunes))
		})
	}
}

// newEnv starts the application on engine eng with the communes of
// communes (CSV) and the standard officers.
func newEnv(t *testing.T, eng store.Engine, communes string) *env {
	t.Helper()
	srv := testutil.NewServer(t, eng)
	srv.ImportCSV(t, communes, "2025-07-01")
	e := &env{ctx: context.Background(), srv: srv, svc: srv.Main.Sources, db: srv.Main.DB, clk: srv.Clock}
	for _, u := range []struct {
		name string
		role account.Role
		unit string
	}{
		{communeT0101, account.Commune, "T0101"},
		{communeT0102, account.Commune, "T0102"},
		{communeT7901, account.Commune, "T7901"},
		{province01, account.Province, "01"},
		{investig01, account.Investigator, "01"},
		{investig79, account.Investigator, "79"},
		{procuracy01, account.Procuracy, "01"},
		{ministryVN, account.Ministry, "VN"},
	} {
		srv.CreateUser(t, u.name, u.role, u.unit)
	}
	return e
}

// actor returns the crimesource actor of an officer.
func (e *env) actor(t testing.TB, username string) crimesource.Actor {
	t.Helper()
	u, err := e.srv.Main.Accounts.ByUsername(e.ctx, username)
	if err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return crimesource.Actor{UserID: u.ID, Role: string(u.Role), Unit: u.UnitCode}
}

// report is a valid anonymous online report about commune.
func report(commune, description string) crimesource.Intake {
	return crimesource.Intake{Category: "cong_nghe_cao", CommuneCode: commune, Description: description, Anonymous: true}
}

// submit receives in from a citizen (or from officer, when given) and fails
// the test on error.
func (e *env) submit(t testing.TB, in crimesource.Intake, officer ...string) crimesource.Receipt {
	t.Helper()
	var a crimesource.Actor
	if len(officer) > 0 {
		a = e.actor(t, officer[0])
	}
	rec, err := e.svc.Submit(e.ctx, in, a)
	if err != nil {
		t.Fatalf("submit %+v: %v", in, err)
	}
	return rec
}

// act takes a step and fails the test on error.
func (e *env) act(t testing.TB, officer string, id int64, a crimesource.Action) {
	t.Helper()
	if err := e.svc.Act(e.ctx, e.actor(t, officer), id, a); err != nil {
		t.Fatalf("%s: %s on source %d: %v", officer, a.Kind, id, err)
	}
}

// count returns the number of rows of table.
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

// unitOf returns the codes of the receiving and the holding police unit of
// a source.
func (e *env) unitOf(t testing.TB, id int64) (receiving, holding string) {
	t.Helper()
	err := e.db.QueryRow(e.ctx, `SELECT r.code, h.code FROM sources s JOIN police_units r ON r.id = s.receiving_unit_id
		JOIN police_units h ON h.id = s.unit_id WHERE s.id = ?`, id).Scan(&receiving, &holding)
	if err != nil {
		t.Fatalf("units of source %d: %v", id, err)
	}
	return receiving, holding
}

// status returns a source's status.
func (e *env) status(t testing.TB, id int64) string {
	t.Helper()
	var s string
	if err := e.db.QueryRow(e.ctx, "SELECT status FROM sources WHERE id = ?", id).Scan(&s); err != nil {
		t.Fatalf("status of %d: %v", id, err)
	}
	return s
}

// dl is one row of source_deadlines as the tests compare it: State is
// "open", "met" or "cancelled".
type dl struct {
	Rule    string
	Started string
	Due     string
	State   string
}

func (d dl) String() string { return fmt.Sprintf("%s[%s→%s %s]", d.Rule, d.Started, d.Due, d.State) }

// deadlines returns the limits of a source in the order they were started.
func (e *env) deadlines(t testing.TB, id int64) []dl {
	t.Helper()
	rows, err := e.db.Query(e.ctx, "SELECT rule_code, started_at, due_at, met_at, cancelled_at FROM source_deadlines WHERE source_id = ? ORDER BY id", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []dl
	for rows.Next() {
		var d dl
		var met, cancelled string
		if err := rows.Scan(&d.Rule, &d.Started, &d.Due, &met, &cancelled); err != nil {
			t.Fatal(err)
		}
		switch {
		case met != "" && cancelled != "":
			t.Fatalf("deadline %s both met and cancelled", d.Rule)
		case met != "":
			d.State = "met"
		case cancelled != "":
			d.State = "cancelled"
		default:
			d.State = "open"
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantDeadlines compares the limits of a source with want.
func (e *env) wantDeadlines(t testing.TB, id int64, want ...dl) {
	t.Helper()
	got := e.deadlines(t, id)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("deadlines of source %d:\n got %v\nwant %v", id, got, want)
	}
}

// vn returns an instant given in Vietnam time.
func vn(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Vietnam)
}

// at renders a Vietnam time as stored.
func at(y int, m time.Month, d, h, min int) string { return store.FormatTime(vn(y, m, d, h, min)) }

// endOf renders "24:00 (Vietnam) on the day d/m/y", how Art. 134(1) ends a
// day or month limit, as stored.
func endOf(y int, m time.Month, d int) string { return store.FormatTime(vn(y, m, d+1, 0, 0)) }

// wantErr checks that err is a domain error with code and, for Invalid,
// field.
func wantErr(t testing.TB, err error, code errs.Code, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s %s", code, field)
	}
	de, ok := errs.As(err)
	if !ok {
		t.Fatalf("got %v (not a domain error), want %s %s", err, code, field)
	}
	if de.Code != code || de.Field != field {
		t.Fatalf("got %s field %q (%v), want %s field %q", de.Code, de.Field, err, code, field)
	}
}

// filesOnDisk counts the attachment files stored under the data folder.
func (e *env) filesOnDisk(t testing.TB) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(e.srv.Main.Config.DataDir, "files"), func(p string, d os.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return filepath.SkipAll
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// storedFile returns the path of an attachment's file on disk.
func (e *env) storedFile(t testing.TB, attachmentID int64) string {
	t.Helper()
	var name string
	if err := e.db.QueryRow(e.ctx, "SELECT stored_name FROM attachments WHERE id = ?", attachmentID).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(name, `/\.`) || len(name) < 3 {
		t.Fatalf("stored name %q is not a generated name", name)
	}
	return filepath.Join(e.srv.Main.Config.DataDir, "files", name[:2], name)
}
