package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/testutil"
)

// accountObject is a request on the account of the commune officer of the
// scope's commune, whose id replaces {id}.
func accountObject(method, path string) builder {
	return func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
		id := strconv.Itoa(missingID)
		if sc != scopeMissing {
			id = strconv.FormatInt(f.actor("xa-"+f.commune(a, sc)).user.ID, 10)
		}
		c := call{method: method, path: strings.Replace(path, "{id}", id, 1)}
		if method == http.MethodPost {
			c.form = url.Values{}
		}
		return c, true
	}
}

// shownPassword finds the password a page shows once.
var shownPassword = regexp.MustCompile(`<code class="secret" id="mat-khau">([^<]+)</code>`)

// sessionClient is a client holding the session token.
func sessionClient(t *testing.T, srv *testutil.Server, token string) *http.Client {
	t.Helper()
	c := srv.NewClient(t)
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.Jar.SetCookies(base, []*http.Cookie{{Name: "toandan_session", Value: token}})
	return c
}

// signedOut fails unless the session token no longer opens the workspace.
func signedOut(t *testing.T, srv *testutil.Server, token, what string) {
	t.Helper()
	if _, _, err := srv.Main.Accounts.Session(context.Background(), token); !errs.Is(err, errs.Unauthorized) {
		t.Errorf("%s: the session is still open (%v)", what, err)
	}
	if r := get(t, srv, sessionClient(t, srv, token), "/can-bo"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/dang-nhap") {
		t.Errorf("%s: /can-bo answers %d, %q; want the login page", what, r.Status, r.Location())
	}
}

// auditCount counts the audit entries of action on an account by actor.
func auditCount(t *testing.T, srv *testutil.Server, action string, id, actor int64) int {
	t.Helper()
	var n int
	err := srv.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = ? AND object = ? AND actor = ?",
		action, "user:"+strconv.FormatInt(id, 10), "user:"+strconv.FormatInt(actor, 10)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func userID(t *testing.T, srv *testutil.Server, username string) int64 {
	t.Helper()
	u, err := srv.Main.Accounts.ByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestAccountPages walks the administrator's account pages: create an
// account whose password is shown once, reset its password, disable and
// enable it, unlock it, reset an investigator's second factor; and an
// officer's own password change.
func TestAccountPages(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			ctx := context.Background()
			admin, _ := enrolTOTP(t, srv, "quan-tri", srv.CreateUser(t, "quan-tri", account.Admin, "VN"))
			adminID := userID(t, srv, "quan-tri")
			provPW := srv.CreateUser(t, "tinh-hn", account.Province, "01")
			prov := srv.Login(t, "tinh-hn", provPW)

			// The navigation offers the pages to whom they serve.
			if r := get(t, srv, admin, "/can-bo"); !strings.Contains(r.Body, `href="/can-bo/tai-khoan"`) || !strings.Contains(r.Body, `href="/can-bo/mat-khau"`) {
				t.Errorf("the administrator's workspace links no account pages")
			}
			if r := get(t, srv, prov, "/can-bo"); strings.Contains(r.Body, `href="/can-bo/tai-khoan"`) || !strings.Contains(r.Body, `href="/can-bo/mat-khau"`) {
				t.Errorf("a province officer's workspace: want the password page only")
			}

			// A refused account names the field at fault and keeps what
			// was typed.
			for _, c := range []struct {
				form  url.Values
				field string
				msg   string
			}{
				{url.Values{"username": {"Cán Bộ"}, "role": {"commune"}, "unit": {"T0101"}}, "username", "Tên đăng nhập gồm 3–32 ký tự"},
				{url.Values{"username": {"xa-moi"}, "role": {""}, "unit": {"T0101"}}, "role", "Vai trò"},
				{url.Values{"username": {"xa-moi"}, "role": {"commune"}, "unit": {"01"}}, "unit", "phải thuộc đơn vị cấp xã"},
				{url.Values{"username": {"xa-moi"}, "role": {"commune"}, "unit": {"T9999"}}, "unit", "Không có đơn vị hành chính mã"},
				{url.Values{"username": {"tinh-hn"}, "role": {"province"}, "unit": {"79"}}, "username", "đã có người dùng"},
			} {
				r := post(t, srv, admin, "/can-bo/tai-khoan", c.form)
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="`+c.field+`-err"`) || !strings.Contains(r.Body, c.msg) ||
					!strings.Contains(r.Body, `value="`+c.form.Get("username")+`"`) || shownPassword.MatchString(r.Body) {
					t.Errorf("create %v: status %d; want 400 naming %s with %q:\n%s", c.form, r.Status, c.field, c.msg, excerpt(r.Body))
				}
			}

			// Created: the password is shown once and signs in.
			r := post(t, srv, admin, "/can-bo/tai-khoan", url.Values{"username": {"xa-moi"}, "name": {"Nguyễn Thị Mới"}, "role": {"commune"}, "unit": {"T0101"}})
			m := shownPassword.FindStringSubmatch(r.Body)
			if r.Status != http.StatusCreated || m == nil || !strings.Contains(r.Body, "một lần") {
				t.Fatalf("create: status %d; want 201 showing the password once:\n%s", r.Status, excerpt(r.Body))
			}
			officerPW := m[1]
			officerID := userID(t, srv, "xa-moi")
			page := "/can-bo/tai-khoan/" + strconv.FormatInt(officerID, 10)
			srv.Clock.Advance(61 * time.Second) // past the login limit's window
			officer := srv.Login(t, "xa-moi", officerPW)
			if r := get(t, srv, admin, page); r.Status != http.StatusOK || shownPassword.MatchString(r.Body) || strings.Contains(r.Body, officerPW) {
				t.Errorf("the account page: status %d; it must not show the password again", r.Status)
			}

			// The list and its CSV.
			r = get(t, srv, admin, "/can-bo/tai-khoan")
			for _, want := range []string{`href="` + page + `"`, "Nguyễn Thị Mới", "Công an xã, phường, đặc khu", "Phường Mẫu Một", "Đang hoạt động", "tinh-hn", "quan-tri"} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("the list lacks %q", want)
				}
			}
			r = get(t, srv, admin, "/can-bo/tai-khoan?dinh-dang=csv")
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
			if err != nil || r.Status != http.StatusOK || len(recs) != 4 {
				t.Fatalf("CSV: status %d, %d records, %v:\n%s", r.Status, len(recs), err, r.Body)
			}
			found := false
			for _, rec := range recs {
				found = found || strings.Join(rec, "|") == "xa-moi|Nguyễn Thị Mới|commune|Công an xã, phường, đặc khu|T0101|Phường Mẫu Một|không|active|Đang hoạt động"
			}
			if !found {
				t.Errorf("CSV lacks the new account: %q", recs)
			}

			// Reset password: refused without the confirmation; then the
			// new password is shown once and the old sessions end.
			token := signIn(t, srv, "xa-moi", officerPW)
			if r := post(t, srv, admin, page+"/dat-lai-mat-khau", nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="confirm_password-err"`) {
				t.Errorf("reset without confirmation: status %d:\n%s", r.Status, excerpt(r.Body))
			}
			if _, _, err := srv.Main.Accounts.Session(ctx, token); err != nil {
				t.Fatalf("a refused reset ended a session: %v", err)
			}
			r = post(t, srv, admin, page+"/dat-lai-mat-khau", url.Values{"xac_nhan": {"1"}})
			m = shownPassword.FindStringSubmatch(r.Body)
			if r.Status != http.StatusOK || m == nil || m[1] == officerPW {
				t.Fatalf("reset: status %d; want a new password shown:\n%s", r.Status, excerpt(r.Body))
			}
			signedOut(t, srv, token, "after the password reset")
			if r := get(t, srv, officer, "/can-bo"); r.Status != http.StatusSeeOther {
				t.Errorf("the officer's browser after the reset: status %d", r.Status)
			}
			if _, _, err := srv.Main.Accounts.Login(ctx, "xa-moi", officerPW, "", ""); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("the old password still signs in: %v", err)
			}
			officerPW = m[1]

			// Disable: the sessions end, the password no longer signs in.
			token = signIn(t, srv, "xa-moi", officerPW)
			if r := post(t, srv, admin, page+"/vo-hieu-hoa", nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="confirm_disable-err"`) {
				t.Errorf("disable without confirmation: status %d", r.Status)
			}
			if r := post(t, srv, admin, page+"/vo-hieu-hoa", url.Values{"xac_nhan": {"1"}}); r.Status != http.StatusSeeOther || r.Location() != page+"?ok=vo-hieu" {
				t.Fatalf("disable: status %d, location %q:\n%s", r.Status, r.Location(), excerpt(r.Body))
			}
			signedOut(t, srv, token, "after disabling")
			srv.Clock.Advance(61 * time.Second)
			r = post(t, srv, srv.NewClient(t), "/dang-nhap", url.Values{"username": {"xa-moi"}, "password": {officerPW}})
			if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Tên đăng nhập hoặc mật khẩu không đúng") {
				t.Errorf("login of a disabled account: status %d", r.Status)
			}
			if r := get(t, srv, admin, page+"?ok=vo-hieu"); !strings.Contains(r.Body, "Đã vô hiệu hóa") || !strings.Contains(r.Body, "/kich-hoat") {
				t.Errorf("the page of a disabled account does not say so or offer enabling")
			}

			// Enable.
			if r := post(t, srv, admin, page+"/kich-hoat", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("enable: status %d", r.Status)
			}
			srv.Login(t, "xa-moi", officerPW)

			// Unlock after failed logins.
			for range srv.Main.Accounts.Settings.MaxFailures {
				srv.Main.Accounts.Login(ctx, "xa-moi", "sai-mat-khau-2026", "", "")
			}
			if _, _, err := srv.Main.Accounts.Login(ctx, "xa-moi", officerPW, "", ""); !errs.Is(err, errs.TooMany) {
				t.Fatalf("the account is not locked: %v", err)
			}
			if r := get(t, srv, admin, page); !strings.Contains(r.Body, "Tạm khóa đến") || !strings.Contains(r.Body, "/mo-khoa") {
				t.Errorf("the page of a locked account does not say so or offer unlocking")
			}
			if r := post(t, srv, admin, page+"/mo-khoa", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("unlock: status %d", r.Status)
			}
			signIn(t, srv, "xa-moi", officerPW)

			// Reset an investigator's second factor.
			r = post(t, srv, admin, "/can-bo/tai-khoan", url.Values{"username": {"dtv-hn"}, "role": {"investigator"}, "unit": {"01"}})
			m = shownPassword.FindStringSubmatch(r.Body)
			if r.Status != http.StatusCreated || m == nil || !strings.Contains(r.Body, "bắt buộc dùng xác thực hai bước") {
				t.Fatalf("create an investigator: status %d:\n%s", r.Status, excerpt(r.Body))
			}
			invPW, invID := m[1], userID(t, srv, "dtv-hn")
			srv.Clock.Advance(61 * time.Second)
			inv, _ := enrolTOTP(t, srv, "dtv-hn", invPW)
			invPage := "/can-bo/tai-khoan/" + strconv.FormatInt(invID, 10)
			if r := post(t, srv, admin, invPage+"/dat-lai-xac-thuc", url.Values{"xac_nhan": {"1"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("reset the second factor: status %d:\n%s", r.Status, excerpt(r.Body))
			}
			if r := get(t, srv, inv, "/can-bo"); r.Status != http.StatusSeeOther {
				t.Errorf("the investigator's browser after the reset: status %d", r.Status)
			}
			var codes int
			if err := srv.Main.DB.QueryRow(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?", invID).Scan(&codes); err != nil || codes != 0 {
				t.Errorf("%d recovery codes left (%v)", codes, err)
			}
			r = post(t, srv, srv.NewClient(t), "/dang-nhap", url.Values{"username": {"dtv-hn"}, "password": {invPW}})
			if r.Status != http.StatusSeeOther || r.Location() != "/dang-nhap/dang-ky-xac-thuc" {
				t.Errorf("login after the reset: status %d, location %q; want enrolment", r.Status, r.Location())
			}

			// The administrator's own account: no disabling, no reset.
			self := "/can-bo/tai-khoan/" + strconv.FormatInt(adminID, 10)
			if r := get(t, srv, admin, self); r.Status != http.StatusOK || strings.Contains(r.Body, "/vo-hieu-hoa") || strings.Contains(r.Body, "/dat-lai-mat-khau") {
				t.Errorf("the administrator's own page offers disabling or a reset (status %d)", r.Status)
			}
			for _, action := range []string{"/vo-hieu-hoa", "/dat-lai-mat-khau", "/dat-lai-xac-thuc"} {
				if r := post(t, srv, admin, self+action, url.Values{"xac_nhan": {"1"}}); r.Status != http.StatusConflict {
					t.Errorf("%s on oneself: status %d, want 409", action, r.Status)
				}
			}
			if r := get(t, srv, admin, "/can-bo/tai-khoan"); r.Status != http.StatusOK {
				t.Fatalf("the administrator was signed out by refused actions on their account: %d", r.Status)
			}

			// Every change is in the audit log under the administrator.
			for action, id := range map[string]int64{"user.create": officerID, "user.password_reset": officerID, "user.disable": officerID,
				"user.enable": officerID, "user.unlock": officerID, "user.totp_reset": invID} {
				if n := auditCount(t, srv, action, id, adminID); n != 1 {
					t.Errorf("%d %s entries by the administrator, want 1", n, action)
				}
			}

			// A province officer is refused every management page and action,
			// and nothing changes.
			var before string
			snapshot := func() string {
				var s string
				row := srv.Main.DB.QueryRow(ctx, "SELECT password_hash || disabled || totp_enabled || failed_logins || locked_until FROM users WHERE id = ?", officerID)
				if err := row.Scan(&s); err != nil {
					t.Fatal(err)
				}
				return s
			}
			before = snapshot()
			users := 0
			srv.Main.DB.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&users)
			for _, c := range []struct{ method, path string }{
				{"GET", "/can-bo/tai-khoan"}, {"GET", "/can-bo/tai-khoan?dinh-dang=csv"}, {"GET", "/can-bo/tai-khoan/moi"}, {"POST", "/can-bo/tai-khoan"},
				{"GET", page}, {"POST", page + "/dat-lai-mat-khau"}, {"POST", page + "/dat-lai-xac-thuc"}, {"POST", page + "/vo-hieu-hoa"},
				{"POST", page + "/kich-hoat"}, {"POST", page + "/mo-khoa"}, {"GET", "/can-bo/tai-khoan/" + strconv.Itoa(missingID)},
			} {
				var r reply
				if c.method == "GET" {
					r = get(t, srv, prov, c.path)
				} else {
					r = post(t, srv, prov, c.path, url.Values{"xac_nhan": {"1"}, "username": {"tinh-lau"}, "role": {"admin"}, "unit": {"VN"}})
				}
				if r.Status != http.StatusForbidden {
					t.Errorf("%s %s as a province officer: status %d, want 403", c.method, c.path, r.Status)
				}
			}
			after := 0
			srv.Main.DB.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&after)
			if snapshot() != before || after != users {
				t.Errorf("refused requests changed the accounts")
			}
		})
	}
}

// TestPasswordPage: an officer changes their own password; other sessions
// end, this one stays, and what was typed is never sent back.
func TestPasswordPage(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			ctx := context.Background()
			pw := srv.CreateUser(t, "xa-a", account.Commune, "T0101")
			c := srv.Login(t, "xa-a", pw)
			other := signIn(t, srv, "xa-a", pw)
			const next = "Câu mật khẩu mới 2026"
			if r := get(t, srv, c, "/can-bo/mat-khau"); r.Status != http.StatusOK || !strings.Contains(r.Body, `autocomplete="current-password"`) {
				t.Fatalf("password page: status %d", r.Status)
			}
			for _, f := range []struct {
				form        url.Values
				field, want string
			}{
				{url.Values{"current": {"sai-mat-khau-2026"}, "new": {next}, "confirm": {next}}, "current", "Mật khẩu hiện tại không đúng"},
				{url.Values{"current": {pw}, "new": {next}, "confirm": {next + "!"}}, "confirm", "không khớp"},
				{url.Values{"current": {pw}, "new": {"ngắn"}, "confirm": {"ngắn"}}, "new", "ít nhất 10 ký tự"},
			} {
				r := post(t, srv, c, "/can-bo/mat-khau", f.form)
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="`+f.field+`-err"`) || !strings.Contains(r.Body, f.want) {
					t.Errorf("%v: status %d; want 400 naming %s:\n%s", f.form, r.Status, f.field, excerpt(r.Body))
				}
				for _, typed := range f.form {
					if strings.Contains(r.Body, `value="`+typed[0]+`"`) {
						t.Errorf("the refused form sends back %q", typed[0])
					}
				}
			}
			r := post(t, srv, c, "/can-bo/mat-khau", url.Values{"current": {pw}, "new": {next}, "confirm": {next}})
			if r.Status != http.StatusSeeOther || r.Location() != "/can-bo/mat-khau?ok=1" {
				t.Fatalf("change: status %d, location %q:\n%s", r.Status, r.Location(), excerpt(r.Body))
			}
			if r := get(t, srv, c, r.Location()); r.Status != http.StatusOK || !strings.Contains(r.Body, "Đã đổi mật khẩu") {
				t.Errorf("after the change: status %d", r.Status)
			}
			signedOut(t, srv, other, "the other session")
			if _, _, err := srv.Main.Accounts.Login(ctx, "xa-a", pw, "", ""); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("the old password still signs in: %v", err)
			}
			srv.Clock.Advance(61 * time.Second)
			srv.Login(t, "xa-a", next)
			if n := auditCount(t, srv, "user.password_change", userID(t, srv, "xa-a"), userID(t, srv, "xa-a")); n != 1 {
				t.Errorf("%d user.password_change entries, want 1", n)
			}
		})
	}
}
