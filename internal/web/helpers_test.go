package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/auth/secret"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// engines are the engines every test here runs on; the PostgreSQL subtests
// skip without TOANDAN_TEST_POSTGRES.
var engines = []store.Engine{store.SQLite, store.Postgres}

// reply is a whole HTTP answer, read.
type reply struct {
	Status int
	Header http.Header
	Body   string
	res    *http.Response
}

func (r reply) Location() string { return r.Header.Get("Location") }

func (r reply) Cookies() []*http.Cookie { return r.res.Cookies() }

func send(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{Status: res.StatusCode, Header: res.Header, Body: string(b), res: res}
}

func get(t *testing.T, srv *testutil.Server, c *http.Client, path string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, c, req)
}

// post submits a form; header pairs (name, value) are added to the request.
func post(t *testing.T, srv *testutil.Server, c *http.Client, path string, form url.Values, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return send(t, c, req)
}

// countAreas counts every residential area row, whatever its validity.
func countAreas(t *testing.T, srv *testutil.Server) int {
	t.Helper()
	var n int
	if err := srv.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM residential_areas").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// areaRow is a residential area as stored.
type areaRow struct {
	ID                            int64
	Commune, Name, Kind, Note, To string
}

func areaByName(t *testing.T, srv *testutil.Server, name string) areaRow {
	t.Helper()
	var a areaRow
	err := srv.Main.DB.QueryRow(context.Background(),
		"SELECT id, commune_code, name, kind, note, COALESCE(valid_to, '') FROM residential_areas WHERE name = ?", name).
		Scan(&a.ID, &a.Commune, &a.Name, &a.Kind, &a.Note, &a.To)
	if err != nil {
		t.Fatalf("area %q: %v", name, err)
	}
	return a
}

func areaByID(t *testing.T, srv *testutil.Server, id int64) areaRow {
	t.Helper()
	var a areaRow
	err := srv.Main.DB.QueryRow(context.Background(),
		"SELECT id, commune_code, name, kind, note, COALESCE(valid_to, '') FROM residential_areas WHERE id = ?", id).
		Scan(&a.ID, &a.Commune, &a.Name, &a.Kind, &a.Note, &a.To)
	if err != nil {
		t.Fatalf("area %d: %v", id, err)
	}
	return a
}

var secretPattern = regexp.MustCompile(`<code class="secret">([A-Z2-7 ]+)</code>`)

// enrolTOTP signs a user of a TOTP role in and sets up two-step verification
// through the pages, as a person with an authenticator app would. It returns
// the signed-in client and the TOTP key. The clock is advanced past the step
// it used, so the next code the caller computes is fresh.
func enrolTOTP(t *testing.T, srv *testutil.Server, username, password string) (*http.Client, []byte) {
	t.Helper()
	c := srv.NewClient(t)
	r := post(t, srv, c, "/dang-nhap", url.Values{"username": {username}, "password": {password}})
	if r.Status != http.StatusSeeOther || r.Location() != "/dang-nhap/dang-ky-xac-thuc" {
		t.Fatalf("login %s: status %d, location %q; want 303 to the enrolment page", username, r.Status, r.Location())
	}
	// Until enrolled, the workspace sends the user back to enrolment.
	if r := get(t, srv, c, "/can-bo"); r.Status != http.StatusSeeOther || r.Location() != "/dang-nhap/dang-ky-xac-thuc" {
		t.Fatalf("/can-bo before enrolment: status %d, location %q", r.Status, r.Location())
	}
	r = get(t, srv, c, "/dang-nhap/dang-ky-xac-thuc")
	m := secretPattern.FindStringSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		t.Fatalf("enrolment page: status %d, no secret shown:\n%s", r.Status, r.Body)
	}
	key, err := secret.DecodeSecret(m[1])
	if err != nil {
		t.Fatalf("secret %q: %v", m[1], err)
	}
	// A wrong code is refused with a message and the secret shown again.
	wrong := "000000"
	if secret.TOTPCode(key, srv.Clock.Now()) == wrong {
		wrong = "111111"
	}
	r = post(t, srv, c, "/dang-nhap/dang-ky-xac-thuc", url.Values{"code": {wrong}, "secret": {m[1]}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Mã xác thực không đúng") {
		t.Fatalf("enrol with a wrong code: status %d; want 400 with a message:\n%s", r.Status, r.Body)
	}
	if again := secretPattern.FindStringSubmatch(r.Body); again == nil || again[1] != m[1] {
		t.Fatalf("enrol with a wrong code: secret shown again as %q, want %q", again, m[1])
	}
	r = post(t, srv, c, "/dang-nhap/dang-ky-xac-thuc", url.Values{"code": {secret.TOTPCode(key, srv.Clock.Now())}, "secret": {m[1]}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "mã khôi phục") || !strings.Contains(r.Body, `<ul class="codes"><li><code>`) {
		t.Fatalf("enrol: status %d; want 200 with recovery codes:\n%s", r.Status, r.Body)
	}
	if r := get(t, srv, c, "/can-bo"); r.Status != http.StatusOK {
		t.Fatalf("/can-bo after enrolment: status %d, location %q", r.Status, r.Location())
	}
	srv.Clock.Advance(30 * time.Second)
	return c, key
}

// loginTOTP signs an enrolled user in with password and a fresh code.
func loginTOTP(t *testing.T, srv *testutil.Server, username, password string, key []byte) *http.Client {
	t.Helper()
	c := srv.NewClient(t)
	r := post(t, srv, c, "/dang-nhap", url.Values{"username": {username}, "password": {password}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/dang-nhap/xac-thuc") {
		t.Fatalf("login %s: status %d, location %q; want 303 to /dang-nhap/xac-thuc", username, r.Status, r.Location())
	}
	r = post(t, srv, c, "/dang-nhap/xac-thuc", url.Values{"code": {secret.TOTPCode(key, srv.Clock.Now())}, "next": {"/can-bo"}})
	if r.Status != http.StatusSeeOther || r.Location() != "/can-bo" {
		t.Fatalf("second factor for %s: status %d, location %q:\n%s", username, r.Status, r.Location(), r.Body)
	}
	srv.Clock.Advance(30 * time.Second)
	return c
}

// sampleServer is a server with the sample communes and the usual officers:
// commune officers of T0101 and T0102 and a provincial officer of Hà Nội.
type sampleServer struct {
	*testutil.Server
	A, B, Prov *http.Client
}

func newSampleServer(t *testing.T, e store.Engine) sampleServer {
	t.Helper()
	srv := testutil.NewServer(t, e)
	srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
	pa := srv.CreateUser(t, "xa-a", account.Commune, "T0101")
	pb := srv.CreateUser(t, "xa-b", account.Commune, "T0102")
	pp := srv.CreateUser(t, "tinh-hn", account.Province, "01")
	return sampleServer{
		Server: srv,
		A:      srv.Login(t, "xa-a", pa),
		B:      srv.Login(t, "xa-b", pb),
		Prov:   srv.Login(t, "tinh-hn", pp),
	}
}
