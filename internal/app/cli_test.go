package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"toandan/internal/app"
	"toandan/internal/clock"
	"toandan/internal/config"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// syncBuffer is an output a running server may write to while the test
// waits.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is the environment a command line runs in: a data folder of its own
// and, on PostgreSQL, a fresh database.
type env struct {
	vars map[string]string
	clk  *clock.Fixed
}

func newEnv(t *testing.T, e store.Engine) *env {
	t.Helper()
	v := map[string]string{"TOANDAN_DATA": t.TempDir()}
	if e == store.Postgres {
		v["TOANDAN_DB"] = testutil.NewDSN(t, store.Postgres)
	}
	return &env{vars: v, clk: clock.NewFixed(testutil.DefaultNow)}
}

func (v *env) cli(stdin string) (*app.CLI, *syncBuffer, *syncBuffer) {
	out, errOut := &syncBuffer{}, &syncBuffer{}
	return &app.CLI{
		Stdin:  strings.NewReader(stdin),
		Stdout: out,
		Stderr: errOut,
		Getenv: func(k string) string { return v.vars[k] },
		Clock:  v.clk,
	}, out, errOut
}

// run executes one command line and returns its exit code and output.
func (v *env) run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	c, out, errOut := v.cli(stdin)
	code := c.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

// db opens the environment's database directly, as an operator would.
func (v *env) db(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), v.vars["TOANDAN_DB"], v.vars["TOANDAN_DATA"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (v *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	db := v.db(t)
	defer db.Close()
	var n int
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// login checks a password through the real account service.
func (v *env) login(t *testing.T, username, password string) error {
	t.Helper()
	m, err := app.Open(context.Background(), config.Config{DataDir: v.vars["TOANDAN_DATA"], DB: v.vars["TOANDAN_DB"]},
		slog.New(slog.NewTextHandler(io.Discard, nil)), v.clk)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_, _, err = m.Accounts.Login(context.Background(), username, password, "127.0.0.1", "cli-test")
	return err
}

var engines = []store.Engine{store.SQLite, store.Postgres}

func TestCLIBasics(t *testing.T) {
	t.Parallel()
	v := &env{vars: map[string]string{"TOANDAN_DATA": t.TempDir()}, clk: clock.NewFixed(testutil.DefaultNow)}
	cases := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"version"}, 0, "toandan " + app.Version(), ""},
		{[]string{"help"}, 0, "Usage:", ""},
		{nil, 2, "", "Usage:"},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"user"}, 2, "", "user needs a subcommand: create, passwd"},
		{[]string{"user", "delete"}, 2, "", `unknown command "user" "delete"`},
		{[]string{"user", "create", "--username", "u1"}, 2, "", "needs --username, --role and --unit"},
		{[]string{"geo", "import", "x.csv"}, 2, "", "--valid-from"},
	}
	for _, c := range cases {
		name := strings.Join(c.args, " ")
		if name == "" {
			name = "no arguments"
		}
		t.Run(name, func(t *testing.T) {
			code, out, errOut := v.run(t, "", c.args...)
			if code != c.code || !strings.Contains(out, c.stdout) || !strings.Contains(errOut, c.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q", code, out, errOut, c.code, c.stdout, c.stderr)
			}
		})
	}
	// An unknown flag is refused before anything is opened.
	if code, _, errOut := v.run(t, "", "migrate", "--no-such-flag"); code == 0 || !strings.Contains(errOut, "flag provided but not defined: -no-such-flag") {
		t.Errorf("migrate --no-such-flag: exit %d, stderr %q", code, errOut)
	}
	// None of that created a database.
	if _, err := os.Stat(filepath.Join(v.vars["TOANDAN_DATA"], "toandan.db")); !os.IsNotExist(err) {
		t.Errorf("commands without database work touched the data folder: %v", err)
	}
}

var migratedPattern = regexp.MustCompile(`^database schema at version (\d+) of (\d+) \((sqlite|postgres)\)\n$`)

func TestCLIMigrate(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			v := newEnv(t, e)
			for range 2 { // the second run finds nothing to do
				code, out, errOut := v.run(t, "", "migrate")
				m := migratedPattern.FindStringSubmatch(out)
				if code != 0 || m == nil || m[1] != m[2] || m[1] == "0" || m[3] != string(e) {
					t.Fatalf("migrate: exit %d, stdout %q, stderr %q", code, out, errOut)
				}
			}
			// The data folder given as a flag wins over the environment.
			dir := t.TempDir()
			if e == store.SQLite {
				if code, _, errOut := v.run(t, "", "migrate", "--data", dir); code != 0 {
					t.Fatalf("migrate --data: exit %d: %s", code, errOut)
				}
				if _, err := os.Stat(filepath.Join(dir, "toandan.db")); err != nil {
					t.Errorf("migrate --data %s: %v", dir, err)
				}
			}
		})
	}
}

var shownPassword = regexp.MustCompile(`(?m)^password \(shown once\): (\S+)$`)

func TestCLIUsers(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			v := newEnv(t, e)

			// A commune officer must belong to a commune, not a province.
			code, out, errOut := v.run(t, "mat-khau-xa-2026\n", "user", "create", "--username", "tinh-u1", "--role", "commune", "--unit", "01")
			if code != 1 || !strings.Contains(errOut, "cấp xã") || !strings.Contains(errOut, "cấp tỉnh") {
				t.Errorf("commune user on a province: exit %d, stdout %q, stderr %q; want exit 1 naming the levels", code, out, errOut)
			}
			if n := v.count(t, "SELECT COUNT(*) FROM users"); n != 0 {
				t.Fatalf("users after a refused creation: %d", n)
			}

			// Password from stdin.
			code, out, errOut = v.run(t, "mat-khau-tinh-2026\n", "user", "create", "--username", "tinh-u1", "--role", "province", "--unit", "01", "--name", "Nguyễn Văn A")
			if code != 0 || !strings.Contains(out, "created user tinh-u1 (province, unit 01)") || shownPassword.MatchString(out) {
				t.Fatalf("user create: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if err := v.login(t, "tinh-u1", "mat-khau-tinh-2026"); err != nil {
				t.Errorf("login with the password given on stdin: %v", err)
			}
			// The same name twice is refused.
			if code, _, errOut := v.run(t, "mat-khau-khac-2026\n", "user", "create", "--username", "tinh-u1", "--role", "province", "--unit", "79"); code != 1 || !strings.Contains(errOut, "tinh-u1") {
				t.Errorf("duplicate user: exit %d, stderr %q", code, errOut)
			}

			// No password on stdin: one is generated and shown once.
			code, out, errOut = v.run(t, "", "user", "create", "--username", "dieu-tra-u2", "--role", "investigator", "--unit", "79")
			m := shownPassword.FindStringSubmatch(out)
			if code != 0 || m == nil || !strings.Contains(out, "two-step verification") {
				t.Fatalf("user create without a password: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if err := v.login(t, "dieu-tra-u2", m[1]); err != nil {
				t.Errorf("login with the generated password: %v", err)
			}

			// passwd replaces the password.
			code, out, errOut = v.run(t, "mat-khau-moi-2026\n", "user", "passwd", "--username", "tinh-u1")
			if code != 0 || !strings.Contains(out, "password changed for tinh-u1") {
				t.Fatalf("user passwd: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if err := v.login(t, "tinh-u1", "mat-khau-moi-2026"); err != nil {
				t.Errorf("login with the new password: %v", err)
			}
			if err := v.login(t, "tinh-u1", "mat-khau-tinh-2026"); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("login with the old password: %v, want refused", err)
			}
			code, out, _ = v.run(t, "", "user", "passwd", "--username", "tinh-u1")
			if m := shownPassword.FindStringSubmatch(out); code != 0 || m == nil {
				t.Errorf("user passwd without a password: exit %d, stdout %q", code, out)
			} else if err := v.login(t, "tinh-u1", m[1]); err != nil {
				t.Errorf("login with the generated password: %v", err)
			}
			if code, _, errOut := v.run(t, "mat-khau-moi-2026\n", "user", "passwd", "--username", "khong-co"); code != 1 || errOut == "" {
				t.Errorf("passwd of an unknown user: exit %d, stderr %q", code, errOut)
			}
		})
	}
}

func TestCLIGeoImportBadFile(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			v := newEnv(t, e)
			if code, _, errOut := v.run(t, "", "migrate"); code != 0 {
				t.Fatalf("migrate: %s", errOut)
			}
			before := v.count(t, "SELECT COUNT(*) FROM units")
			path := filepath.Join(t.TempDir(), "bad-units.csv")
			data := "code,name,type,parent_code,full_name\n" +
				"T0101,Mẫu Một,ward,01,Phường Mẫu Một\n" +
				"T9901,Mẫu Lạc,ward,99,Phường Mẫu Lạc\n"
			if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := v.run(t, "", "geo", "import", "--valid-from", "2025-07-01", path)
			if code != 1 || !strings.Contains(errOut, "bad-units.csv:3:") || !strings.Contains(errOut, "nothing was imported") {
				t.Errorf("bad import: exit %d, stdout %q, stderr %q; want exit 1 naming bad-units.csv:3:", code, out, errOut)
			}
			if after := v.count(t, "SELECT COUNT(*) FROM units"); after != before {
				t.Errorf("units: %d after a failed import, want %d", after, before)
			}
			if n := v.count(t, "SELECT COUNT(*) FROM units WHERE code = ?", "T0101"); n != 0 {
				t.Errorf("the good line of a failed import was kept")
			}
			if code, _, errOut := v.run(t, "", "geo", "import", "--valid-from", "2025-07-01", filepath.Join(t.TempDir(), "missing.csv")); code != 1 || !strings.Contains(errOut, "missing.csv") {
				t.Errorf("missing file: exit %d, stderr %q", code, errOut)
			}
		})
	}
}

func TestCLIGeoImportRealList(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			file := filepath.Join(testutil.GeoDir(t), "units-2025.csv")
			v := newEnv(t, e)
			code, out, errOut := v.run(t, "", "geo", "import", "--valid-from", "2025-07-01", file)
			// Standard output holds the result only; the progress is on
			// standard error, a line a stage as it is not a terminal.
			heading := "importing " + file + " (in force 2025-07-01 to now)...\n"
			if code != 0 || out != heading+"3355 rows read: 3321 new versions, 0 corrected, 0 closed, 34 unchanged; 3321 police units created\n" {
				t.Fatalf("first import: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			stages := []string{"units read: 3355", "checking...", "writing units... 3355/3355", "police units... 3355/3355", "saving...", "done in 0.0 s"}
			if !hasLines(errOut, stages...) || strings.Contains(errOut, "\r") || strings.Count(errOut, "writing units") != 1 {
				t.Errorf("first import progress: %q; want the lines %q", errOut, stages)
			}
			if n := v.count(t, "SELECT COUNT(*) FROM units WHERE level = 'commune' AND valid_to IS NULL"); n != 3321 {
				t.Errorf("communes in force: %d, want 3321", n)
			}
			code, out, errOut = v.run(t, "", "geo", "import", "--valid-from", "2025-07-01", file)
			if code != 0 || out != heading+"3355 rows read: 0 new versions, 0 corrected, 0 closed, 3355 unchanged; 0 police units created\n"+
				"nothing changed: the database already holds this list\n" {
				t.Errorf("second import: exit %d, stdout %q, stderr %q; want nothing changed", code, out, errOut)
			}
			if errOut != strings.Join(stages, "\n")+"\n" {
				t.Errorf("second import progress: %q; want the lines %q", errOut, stages)
			}
		})
	}
}

func TestCLIAuditVerify(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			v := newEnv(t, e)
			for _, u := range []string{"tinh-u1", "dieu-tra-u2"} {
				if code, _, errOut := v.run(t, "mat-khau-tinh-2026\n", "user", "create", "--username", u, "--role", "province", "--unit", "01"); code != 0 {
					t.Fatalf("user create: %s", errOut)
				}
			}
			code, out, errOut := v.run(t, "", "audit", "verify")
			if code != 0 || !strings.Contains(out, "audit log intact: 2 entries") {
				t.Fatalf("audit verify: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			db := v.db(t)
			if _, err := db.Exec(context.Background(), "UPDATE audit_log SET detail = 'x' WHERE seq = 1"); err != nil {
				t.Fatal(err)
			}
			db.Close()
			code, out, errOut = v.run(t, "", "audit", "verify")
			if code != 1 || !strings.Contains(errOut, "entry 1") || strings.Contains(out, "intact") {
				t.Errorf("audit verify after tampering: exit %d, stdout %q, stderr %q; want exit 1 naming entry 1", code, out, errOut)
			}
		})
	}
}
