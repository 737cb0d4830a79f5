package account_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/audit"
	"toandan/internal/auth/secret"
	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// testNow is the fixed "now" of every test: 30 Nov 2026, 10:00 in Vietnam.
var testNow = time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)

// msgBadLogin is the one message for every wrong username or password, so
// that a login form tells an attacker nothing about which accounts exist.
const msgBadLogin = "Tên đăng nhập hoặc mật khẩu không đúng."

// env is an account service on a real database, wired as the app wires it.
type env struct {
	ctx context.Context
	db  *store.DB
	clk *clock.Fixed
	geo *geo.Service
	svc *account.Service
}

// newEnv adds the built-in provinces and the sample communes to db (T0101
// and T0102 in Hà Nội 01, T7901 in Hồ Chí Minh 79) and returns a service on
// a fixed clock with cheap password hashing.
func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFixed(testNow)
	if err := geo.EnsureBuiltins(ctx, db, store.FormatTime(clk.Now())); err != nil {
		t.Fatalf("EnsureBuiltins: %v", err)
	}
	g := &geo.Service{DB: db, Clock: clk}
	if _, err := g.Import(ctx, geo.ImportOptions{FileName: "s.csv", ValidFrom: "2025-07-01", Actor: "test"},
		[]byte(testutil.SampleCommunes), "", nil); err != nil {
		t.Fatalf("import sample communes: %v", err)
	}
	st := account.DefaultSettings()
	st.PasswordParams = secret.FastParams()
	return &env{ctx: ctx, db: db, clk: clk, geo: g, svc: &account.Service{DB: db, Geo: g, Clock: clk, Settings: st}}
}

// password is the password create gives username.
func password(username string) string { return "mat-khau-" + username + "-2026" }

// create makes an account with password(username) and fails the test on error.
func (e *env) create(t *testing.T, username string, role account.Role, unit string) account.User {
	t.Helper()
	u, err := e.svc.Create(e.ctx, account.NewUser{Username: username, DisplayName: "Cán bộ " + username, Role: role,
		UnitCode: unit, Password: password(username)}, "test")
	if err != nil {
		t.Fatalf("create %s (%s, %s): %v", username, role, unit, err)
	}
	return u
}

// login signs username in with its right password and fails the test on error.
func (e *env) login(t *testing.T, username string) (string, account.Session) {
	t.Helper()
	token, sess, err := e.svc.Login(e.ctx, username, password(username), "192.0.2.1", "test")
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	if token == "" {
		t.Fatalf("login %s: empty token", username)
	}
	return token, sess
}

// totpKey reads a user's TOTP secret from the database, as the
// authenticator app holds it after scanning the QR code.
func (e *env) totpKey(t *testing.T, userID int64) []byte {
	t.Helper()
	var key []byte
	if err := e.db.QueryRow(e.ctx, "SELECT totp_secret FROM users WHERE id = ?", userID).Scan(&key); err != nil {
		t.Fatalf("read totp secret of user %d: %v", userID, err)
	}
	if len(key) == 0 {
		t.Fatalf("user %d has no totp secret", userID)
	}
	return key
}

// code is what the user's authenticator app shows now.
func (e *env) code(t *testing.T, userID int64) string {
	t.Helper()
	return secret.TOTPCode(e.totpKey(t, userID), e.clk.Now())
}

// enrol turns TOTP on for userID through the session token (which may be
// empty) and returns the recovery codes.
func (e *env) enrol(t *testing.T, userID int64, token string) []string {
	t.Helper()
	if _, _, err := e.svc.BeginTOTP(e.ctx, userID); err != nil {
		t.Fatalf("BeginTOTP: %v", err)
	}
	codes, err := e.svc.ConfirmTOTP(e.ctx, userID, token, e.code(t, userID))
	if err != nil {
		t.Fatalf("ConfirmTOTP: %v", err)
	}
	return codes
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// failedLogins and lockedUntil read the throttling state of a user.
func (e *env) failedLogins(t *testing.T, userID int64) int {
	t.Helper()
	return e.count(t, "SELECT failed_logins FROM users WHERE id = ?", userID)
}

func (e *env) lockedUntil(t *testing.T, userID int64) string {
	t.Helper()
	var s string
	if err := e.db.QueryRow(e.ctx, "SELECT locked_until FROM users WHERE id = ?", userID).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// verifyAudit fails the test unless the audit chain holds.
func (e *env) verifyAudit(t *testing.T) {
	t.Helper()
	n, p, err := audit.Verify(e.ctx, e.db)
	if err != nil {
		t.Fatalf("audit.Verify: %v", err)
	}
	if p != nil {
		t.Fatalf("audit chain broken after %d entries: %s", n, p)
	}
}

// wantCode fails the test unless err is a domain error with code c.
func wantCode(t *testing.T, what string, err error, c errs.Code) {
	t.Helper()
	if !errs.Is(err, c) {
		t.Fatalf("%s: error %v (code %s), want code %s", what, err, errs.CodeOf(err), c)
	}
}

// wantField fails the test unless err is an Invalid error about field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != errs.Invalid || e.Field != field {
		t.Fatalf("%s: error %v, want an invalid %q field error", what, err, field)
	}
}

// wantBadLogin fails the test unless err is the generic wrong-credentials error.
func wantBadLogin(t *testing.T, what string, err error) {
	t.Helper()
	wantCode(t, what, err, errs.Unauthorized)
	if m := errs.Message(err); m != msgBadLogin {
		t.Fatalf("%s: message %q, want %q", what, m, msgBadLogin)
	}
}

func userObject(id int64) string { return fmt.Sprintf("user:%d", id) }
