package testutil

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/app"
	"toandan/internal/auth/secret"
	"toandan/internal/clock"
	"toandan/internal/config"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// Server is the whole application behind a real HTTP listener, on a fresh
// database, with a clock the test controls.
type Server struct {
	*httptest.Server
	Main  *app.Main
	Clock *clock.Fixed
}

// DefaultNow is the fixed time test servers start at: 30 Nov 2026, 10:00 in
// Vietnam.
var DefaultNow = time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)

// NewServer starts the application on engine e. Passwords are hashed with
// cheap parameters so tests stay fast; everything else is as in production.
func NewServer(t testing.TB, e store.Engine) *Server {
	t.Helper()
	dir := t.TempDir()
	dsn := NewDSN(t, e)
	if e == store.SQLite {
		dsn = ""
	}
	clk := clock.NewFixed(DefaultNow)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("TOANDAN_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	m, err := app.Open(context.Background(), config.Config{Addr: "127.0.0.1:0", DataDir: dir, DB: dsn}, logger, clk)
	if err != nil {
		t.Fatalf("open app on %s: %v", e, err)
	}
	m.Accounts.Settings.PasswordParams = secret.FastParams()
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(func() {
		srv.Close()
		m.Close()
	})
	return &Server{Server: srv, Main: m, Clock: clk}
}

// ImportGeo imports a units file (and lineage) from the TOANDAN_TEST_GEO
// folder, skipping the test when it is not set.
func (s *Server) ImportGeo(t testing.TB, file, validFrom, validTo, lineage string) geo.ImportResult {
	t.Helper()
	dir := GeoDir(t)
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	var lin []byte
	if lineage != "" {
		if lin, err = os.ReadFile(filepath.Join(dir, lineage)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Main.Geo.Import(context.Background(), geo.ImportOptions{FileName: file, ValidFrom: validFrom, ValidTo: validTo, Actor: "test"}, data, lineage, lin)
	if err != nil {
		t.Fatalf("import %s: %v", file, err)
	}
	return res
}

// ImportCSV imports units given as CSV text, valid from validFrom.
func (s *Server) ImportCSV(t testing.TB, csvText, validFrom string) {
	t.Helper()
	_, err := s.Main.Geo.Import(context.Background(), geo.ImportOptions{FileName: "fixture.csv", ValidFrom: validFrom, Actor: "test"}, []byte(csvText), "", nil)
	if err != nil {
		t.Fatalf("import fixture: %v", err)
	}
}

// CreateUser makes an account and returns its password.
func (s *Server) CreateUser(t testing.TB, username string, role account.Role, unit string) string {
	t.Helper()
	pw := "mat-khau-" + username + "-2026"
	if _, err := s.Main.Accounts.Create(context.Background(), account.NewUser{Username: username, Role: role, UnitCode: unit, Password: pw}, "test"); err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return pw
}

// NewClient returns a browser-like client with a cookie jar that does not
// follow redirects, so tests can see them.
func (s *Server) NewClient(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Login signs username in through the login form and returns the client
// holding the session. It fails the test unless the login fully succeeds
// (roles that need TOTP must enrol first; see account tests).
func (s *Server) Login(t testing.TB, username, password string) *http.Client {
	t.Helper()
	c := s.NewClient(t)
	res, err := c.PostForm(s.URL+"/dang-nhap", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/can-bo" {
		t.Fatalf("login %s: status %d, location %q", username, res.StatusCode, res.Header.Get("Location"))
	}
	return c
}

// Get fetches path and returns status and body.
func (s *Server) Get(t testing.TB, c *http.Client, path string) (int, string) {
	t.Helper()
	res, err := c.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// PostForm posts a form to path and returns status and body.
func (s *Server) PostForm(t testing.TB, c *http.Client, path string, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// SampleCommunes is a tiny commune list for tests that do not need the real
// one: two communes in Hà Nội (01), one in Hồ Chí Minh (79).
const SampleCommunes = `code,name,type,parent_code,full_name
T0101,Mẫu Một,ward,01,Phường Mẫu Một
T0102,Mẫu Hai,commune,01,Xã Mẫu Hai
T7901,Mẫu Ba,ward,79,Phường Mẫu Ba
`
