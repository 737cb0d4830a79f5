package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/testutil"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			r := get(t, srv, srv.NewClient(t), "/healthz")
			if r.Status != http.StatusOK || strings.TrimSpace(r.Body) != "ok" {
				t.Errorf("/healthz: %d %q, want 200 ok", r.Status, r.Body)
			}
			// The check really asks the database.
			srv.Main.DB.Close()
			if r := get(t, srv, srv.NewClient(t), "/healthz"); r.Status != http.StatusServiceUnavailable {
				t.Errorf("/healthz with the database closed: %d %q, want 503", r.Status, r.Body)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			c := srv.NewClient(t)
			for _, path := range []string{"/", "/dang-nhap", "/api/v1/geo/units", "/api/v1/geo/units?parent=99", "/khong-co"} {
				r := get(t, srv, c, path)
				if r.Status >= 500 {
					t.Errorf("%s: status %d", path, r.Status)
				}
				csp := r.Header.Get("Content-Security-Policy")
				if !strings.Contains(csp, "frame-ancestors 'none'") {
					t.Errorf("%s: CSP %q lacks frame-ancestors 'none'", path, csp)
				}
				script := ""
				for _, d := range strings.Split(csp, ";") {
					if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src ") {
						script = d
					}
				}
				if script == "" && !strings.Contains(csp, "default-src 'self'") {
					t.Errorf("%s: CSP %q restricts no scripts", path, csp)
				}
				if strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") {
					t.Errorf("%s: script-src %q allows inline scripts", path, script)
				}
				if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("%s: X-Content-Type-Options %q", path, got)
				}
				if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
					t.Errorf("%s: Referrer-Policy %q", path, got)
				}
			}

			pw := srv.CreateUser(t, "tinh-hn", account.Province, "01")
			r := post(t, srv, c, "/dang-nhap", url.Values{"username": {"tinh-hn"}, "password": {pw}})
			var session *http.Cookie
			for _, ck := range r.Cookies() {
				if ck.Name == "toandan_session" {
					session = ck
				}
			}
			if r.Status != http.StatusSeeOther || session == nil || session.Value == "" {
				t.Fatalf("login: status %d, cookies %v; want 303 and a session cookie", r.Status, r.Cookies())
			}
			if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
				t.Errorf("session cookie %s: want HttpOnly, SameSite=Lax, Path=/", session.String())
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			c := srv.NewClient(t)
			get(t, srv, c, "/api/v1/geo/units")
			r := get(t, srv, c, "/metrics")
			if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
				t.Fatalf("/metrics: status %d, Content-Type %q", r.Status, r.Header.Get("Content-Type"))
			}
			if !strings.Contains(r.Body, "# TYPE http_requests_total counter") {
				t.Errorf("/metrics lacks http_requests_total:\n%s", r.Body)
			}
			// The API request made above is counted under its route.
			found := false
			for _, line := range strings.Split(r.Body, "\n") {
				if strings.HasPrefix(line, "http_requests_total{") && strings.Contains(line, "/api/v1/geo/units") && strings.Contains(line, `"200"`) {
					found = true
				}
			}
			if !found {
				t.Errorf("/metrics does not count GET /api/v1/geo/units:\n%s", r.Body)
			}
		})
	}
}
