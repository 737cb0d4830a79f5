package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/auth/secret"
	"toandan/internal/testutil"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			pw := srv.CreateUser(t, "tinh-hn", account.Province, "01")

			t.Run("anonymous sent to login", func(t *testing.T) {
				for _, path := range []string{"/can-bo", "/can-bo/dia-ban/01", "/can-bo/khu-dan-cu/1"} {
					r := get(t, srv, srv.NewClient(t), path)
					loc, err := url.Parse(r.Location())
					if err != nil {
						t.Fatal(err)
					}
					if r.Status != http.StatusSeeOther || loc.Path != "/dang-nhap" || loc.Query().Get("next") != path {
						t.Errorf("GET %s: status %d, location %q; want 303 to /dang-nhap?next=%s", path, r.Status, r.Location(), path)
					}
				}
				// A state-changing request is not replayed after login.
				r := post(t, srv, srv.NewClient(t), "/can-bo/dia-ban/T0101/khu-dan-cu", url.Values{"name": {"Thôn 1"}, "kind": {"thon"}})
				if r.Status != http.StatusSeeOther || r.Location() != "/dang-nhap?next="+url.QueryEscape("/can-bo") {
					t.Errorf("anonymous POST: status %d, location %q", r.Status, r.Location())
				}
			})

			t.Run("bad password", func(t *testing.T) {
				c := srv.NewClient(t)
				for _, u := range []string{"tinh-hn", "khong-co-ai"} {
					r := post(t, srv, c, "/dang-nhap", url.Values{"username": {u}, "password": {"sai-mat-khau-2026"}})
					if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Tên đăng nhập hoặc mật khẩu không đúng") {
						t.Errorf("login %s with a bad password: status %d; want 401 with the message:\n%s", u, r.Status, r.Body)
					}
					for _, ck := range r.Cookies() {
						if ck.Name == "toandan_session" && ck.Value != "" {
							t.Errorf("login %s with a bad password set a session", u)
						}
					}
				}
				if r := post(t, srv, c, "/dang-nhap", url.Values{"username": {"tinh-hn"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Vui lòng nhập tên đăng nhập và mật khẩu") {
					t.Errorf("login without a password: status %d:\n%s", r.Status, r.Body)
				}
				if r := get(t, srv, c, "/can-bo"); r.Status != http.StatusSeeOther {
					t.Errorf("/can-bo after failed logins: status %d, want 303 to login", r.Status)
				}
			})

			t.Run("next", func(t *testing.T) {
				cases := []struct{ next, want string }{
					{"/can-bo/dia-ban/01", "/can-bo/dia-ban/01"},
					{"//evil.example", "/can-bo"},
					{"//evil.example/can-bo", "/can-bo"},
					{"/\\evil.example", "/can-bo"},
					{"/\t/evil.example", "/can-bo"},
					{"/\n/evil.example", "/can-bo"},
					{"https://evil.example/", "/can-bo"},
					{"javascript:alert(1)", "/can-bo"},
					{"", "/can-bo"},
				}
				for _, c := range cases {
					// The login limiter allows 10 attempts a minute from one address.
					srv.Clock.Advance(time.Minute)
					r := post(t, srv, srv.NewClient(t), "/dang-nhap", url.Values{"username": {"tinh-hn"}, "password": {pw}, "next": {c.next}})
					if r.Status != http.StatusSeeOther || r.Location() != c.want {
						t.Errorf("login with next=%q: status %d, location %q; want 303 to %s", c.next, r.Status, r.Location(), c.want)
					}
				}
			})

			t.Run("logout", func(t *testing.T) {
				srv.Clock.Advance(time.Minute)
				c := srv.Login(t, "tinh-hn", pw)
				if r := get(t, srv, c, "/can-bo"); r.Status != http.StatusOK || !strings.Contains(r.Body, "tinh-hn") {
					t.Fatalf("/can-bo signed in: status %d", r.Status)
				}
				if r := post(t, srv, c, "/dang-xuat", nil); r.Status != http.StatusSeeOther || r.Location() != "/dang-nhap" {
					t.Errorf("logout: status %d, location %q", r.Status, r.Location())
				}
				if r := get(t, srv, c, "/can-bo"); r.Status != http.StatusSeeOther {
					t.Errorf("/can-bo after logout: status %d, want 303 to login", r.Status)
				}
			})
		})
	}
}

// TestTOTP walks an investigator through enrolment and a later sign-in with
// a code, over HTTP only.
func TestTOTP(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			pw := srv.CreateUser(t, "dieu-tra", account.Investigator, "01")

			// Enrolment: login → enrolment page → code → recovery codes → /can-bo.
			c, key := enrolTOTP(t, srv, "dieu-tra", pw)
			if r := get(t, srv, c, "/can-bo/dia-ban/01"); r.Status != http.StatusOK {
				t.Errorf("enrolled investigator on /can-bo/dia-ban/01: status %d", r.Status)
			}
			// Enrolment cannot be restarted once TOTP is on.
			if r := get(t, srv, c, "/dang-nhap/dang-ky-xac-thuc"); r.Status != http.StatusConflict {
				t.Errorf("enrolment page after enrolment: status %d, want 409", r.Status)
			}

			// A fresh login now asks for a code.
			srv.Clock.Advance(time.Minute)
			used := srv.Clock.Now()
			c2 := srv.NewClient(t)
			r := post(t, srv, c2, "/dang-nhap", url.Values{"username": {"dieu-tra"}, "password": {pw}})
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/dang-nhap/xac-thuc") {
				t.Fatalf("login: status %d, location %q; want 303 to /dang-nhap/xac-thuc", r.Status, r.Location())
			}
			if r := get(t, srv, c2, "/can-bo"); r.Status != http.StatusSeeOther || r.Location() != "/dang-nhap/xac-thuc" {
				t.Errorf("/can-bo before the code: status %d, location %q", r.Status, r.Location())
			}
			if r := get(t, srv, c2, "/dang-nhap/xac-thuc"); r.Status != http.StatusOK {
				t.Errorf("code form: status %d", r.Status)
			}
			if r := post(t, srv, c2, "/dang-nhap/xac-thuc", url.Values{"code": {"12345"}}); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Mã xác thực không đúng") {
				t.Errorf("malformed code: status %d:\n%s", r.Status, r.Body)
			}
			r = post(t, srv, c2, "/dang-nhap/xac-thuc", url.Values{"code": {secret.TOTPCode(key, used)}, "next": {"/can-bo"}})
			if r.Status != http.StatusSeeOther || r.Location() != "/can-bo" {
				t.Fatalf("code: status %d, location %q:\n%s", r.Status, r.Location(), r.Body)
			}
			if r := get(t, srv, c2, "/can-bo"); r.Status != http.StatusOK {
				t.Errorf("/can-bo after the code: status %d", r.Status)
			}

			// The same code cannot sign in a second session, even within its
			// 30 seconds; the next step's code can.
			c3 := srv.NewClient(t)
			post(t, srv, c3, "/dang-nhap", url.Values{"username": {"dieu-tra"}, "password": {pw}})
			if r := post(t, srv, c3, "/dang-nhap/xac-thuc", url.Values{"code": {secret.TOTPCode(key, used)}}); r.Status != http.StatusUnauthorized {
				t.Errorf("replayed code: status %d, location %q; want 401", r.Status, r.Location())
			}
			if r := get(t, srv, c3, "/can-bo"); r.Status != http.StatusSeeOther {
				t.Errorf("/can-bo after a replayed code: status %d, want 303", r.Status)
			}
			srv.Clock.Advance(30 * time.Second)
			if r := post(t, srv, c3, "/dang-nhap/xac-thuc", url.Values{"code": {secret.TOTPCode(key, srv.Clock.Now())}}); r.Status != http.StatusSeeOther || r.Location() != "/can-bo" {
				t.Errorf("next code: status %d, location %q", r.Status, r.Location())
			}
		})
	}
}
