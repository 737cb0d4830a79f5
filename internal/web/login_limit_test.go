package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/testutil"
)

// TestLoginLimit: sign-in attempts are limited to 10 a minute from one
// address, whatever the username and whether the password was right; the
// 11th is refused with 429 and a Vietnamese message before the password is
// checked, and no session is opened.
func TestLoginLimit(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			pw := srv.CreateUser(t, "tinh-hn", account.Province, "01")
			const limited = "Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau ít phút."

			// Bad attempts name unknown accounts, so that no account is
			// locked (that is a different refusal, after 5 failures).
			for i := 1; i <= 10; i++ {
				r := post(t, srv, srv.NewClient(t), "/dang-nhap", url.Values{"username": {"khong-co-" + strconv.Itoa(i)}, "password": {"sai-mat-khau-2026"}})
				if r.Status != http.StatusUnauthorized {
					t.Fatalf("attempt %d of 10 with a bad password: status %d, want 401", i, r.Status)
				}
			}
			for _, u := range []string{"tinh-hn", "nguoi-khac"} {
				c := srv.NewClient(t)
				r := post(t, srv, c, "/dang-nhap", url.Values{"username": {u}, "password": {pw}})
				if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, limited) {
					t.Errorf("11th attempt (%s): status %d; want 429 with %q:\n%s", u, r.Status, limited, r.Body)
				}
				if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
					t.Errorf("11th attempt (%s): Retry-After %q, want 1 to 60 seconds", u, r.Header.Get("Retry-After"))
				}
				for _, ck := range r.Cookies() {
					if ck.Name == "toandan_session" && ck.Value != "" {
						t.Errorf("refused attempt (%s) set a session cookie", u)
					}
				}
				if r := get(t, srv, c, "/can-bo"); r.Status != http.StatusSeeOther {
					t.Errorf("/can-bo after a refused login: status %d, want 303 to login", r.Status)
				}
			}
			// The second-factor form shares the limit: codes cannot be
			// tried from an address that has used up its attempts.
			r := post(t, srv, srv.NewClient(t), "/dang-nhap/xac-thuc", url.Values{"code": {"123456"}})
			if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Quá nhiều lần thử. Vui lòng thử lại sau ít phút.") {
				t.Errorf("code after the limit: status %d; want 429 with a message:\n%s", r.Status, r.Body)
			}

			// The limit belongs to the address: behind a trusted proxy on
			// loopback, another client address still signs in while the
			// exhausted one is refused.
			srv.Main.Config.TrustedProxies = "127.0.0.1/32"
			proxied := httptest.NewServer(srv.Main.Handler())
			t.Cleanup(proxied.Close)
			via := &testutil.Server{Server: proxied, Main: srv.Main, Clock: srv.Clock}
			from := func(ip, username, password string) reply {
				return post(t, via, via.NewClient(t), "/dang-nhap", url.Values{"username": {username}, "password": {password}}, "X-Forwarded-For", ip)
			}
			for i := 1; i <= 10; i++ {
				if r := from("203.0.113.9", "khong-co-"+strconv.Itoa(i), "sai-mat-khau-2026"); r.Status != http.StatusUnauthorized {
					t.Fatalf("attempt %d from 203.0.113.9: status %d, want 401", i, r.Status)
				}
			}
			if r := from("203.0.113.9", "tinh-hn", pw); r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, limited) {
				t.Errorf("11th attempt from 203.0.113.9: status %d; want 429", r.Status)
			}
			if r := from("198.51.100.20", "tinh-hn", pw); r.Status != http.StatusSeeOther || r.Location() != "/can-bo" {
				t.Errorf("first attempt from 198.51.100.20: status %d, location %q; want 303 to /can-bo", r.Status, r.Location())
			}

			// A minute later the window has passed.
			srv.Clock.Advance(time.Minute)
			if r := post(t, srv, srv.NewClient(t), "/dang-nhap", url.Values{"username": {"tinh-hn"}, "password": {pw}}); r.Status != http.StatusSeeOther || r.Location() != "/can-bo" {
				t.Errorf("login a minute later: status %d, location %q; want 303 to /can-bo", r.Status, r.Location())
			}
		})
	}
}
