package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// The pages are designed for a phone first: 360 CSS pixels wide.
const mobileWidth, mobileHeight = 360, 740

func mobileViewport() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(mobileWidth, mobileHeight, chromedp.EmulatePortrait, chromedp.EmulateMobile)
}

var receiptPattern = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)

// a11y walks pages in one browser and runs axe-core on each.
type a11y struct {
	t     *testing.T
	b     *testutil.Browser
	base  string
	pages []string
}

// open navigates to path and fails unless the page answers below 400.
func (a *a11y) open(path string) {
	a.t.Helper()
	resp, err := chromedp.RunResponse(a.b.Ctx, chromedp.Navigate(a.base+path))
	if err != nil {
		a.t.Fatalf("open %s: %v (screenshot: %s)", path, err, a.b.Screenshot("open-"+slug(path)))
	}
	if resp == nil || resp.Status >= 400 {
		status := int64(0)
		if resp != nil {
			status = resp.Status
		}
		a.t.Fatalf("open %s: status %d (screenshot: %s)", path, status, a.b.Screenshot("open-"+slug(path)))
	}
}

// check runs axe-core on the page shown, named name, as audit does, and
// fails the test if the page is wider than the phone's screen: tables
// scroll inside their own region.
func (a *a11y) check(name string) {
	a.t.Helper()
	a.audit(name)
	if w := testutil.Eval[int](a.b, `document.documentElement.scrollWidth`); w > mobileWidth {
		a.t.Errorf("%s: page is %d px wide on a %d px screen (screenshot: %s)", name, w, mobileWidth, a.b.Screenshot("wide-"+slug(name)))
	}
}

// audit runs axe-core on the page shown, named name, and fails the test on
// any serious or critical violation, listing the elements and saving a
// screenshot. Lesser findings are logged.
func (a *a11y) audit(name string) {
	a.t.Helper()
	a.pages = append(a.pages, name)
	var bad, minor []string
	for _, v := range a.b.Axe(a.t) {
		if v.Serious() {
			bad = append(bad, v.String())
		} else {
			minor = append(minor, fmt.Sprintf("%s %s (%d)", v.Impact, v.ID, len(v.Nodes)))
		}
	}
	if len(minor) > 0 {
		a.t.Logf("%s: lesser axe findings: %s", name, strings.Join(minor, ", "))
	}
	if len(bad) > 0 {
		shot := a.b.Screenshot("a11y-" + slug(name))
		a.t.Errorf("%s: %d serious or critical accessibility violations (screenshot: %s):\n  %s", name, len(bad), shot, strings.Join(bad, "\n  "))
	}
}

// fieldErrorsTied fails unless every field error on the page is named by
// the aria-describedby of an invalid field, so that a screen reader reads it
// with the field.
func (a *a11y) fieldErrorsTied(name string) {
	a.t.Helper()
	loose := testutil.Eval[[]string](a.b, `Array.from(document.querySelectorAll('.field-error')).filter(p => !p.id ||
		!Array.from(document.querySelectorAll('[aria-invalid=true][aria-describedby]')).some(f => f.getAttribute('aria-describedby').split(/\s+/).includes(p.id))).map(p => p.textContent)`)
	if len(loose) > 0 {
		a.t.Errorf("%s: field errors not tied to their field: %q (screenshot: %s)", name, loose, a.b.Screenshot("errors-"+slug(name)))
	}
	if n := testutil.Eval[int](a.b, `document.querySelectorAll('.field-error').length`); n == 0 {
		a.t.Errorf("%s: no field error shown", name)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func slug(s string) string { return strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_") }

// accessibilityServer is a server with reports, a residential area,
// festival points and a plan, a model, a recognition cycle and a target, so
// that every page audited shows its lists, tables and charts filled in.
type accessibilityServer struct {
	*testutil.Server
	CommunePW, ProvincePW, MinistryPW, AdminPW string
	InvestigatorToken                          string // a signed-in session of dieutra-hn
	Model, Cycle, Point, Transferred, Decided  string // paths
}

func newAccessibilityServer(t *testing.T) accessibilityServer {
	t.Helper()
	srv := testutil.NewServer(t, store.SQLite)
	srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
	s := accessibilityServer{
		Server:     srv,
		CommunePW:  srv.CreateUser(t, "xa-a", account.Commune, "T0101"),
		ProvincePW: srv.CreateUser(t, "tinh-hn", account.Province, "01"),
		MinistryPW: srv.CreateUser(t, "bo-cong-an", account.Ministry, "VN"),
		AdminPW:    srv.CreateUser(t, "quantri", account.Admin, "VN"),
	}
	a := srv.Login(t, "xa-a", s.CommunePW)
	prov := srv.Login(t, "tinh-hn", s.ProvincePW)
	ministry := srv.Login(t, "bo-cong-an", s.MinistryPW)

	for _, r := range []url.Values{
		{"category": {"cong_nghe_cao"}, "province_code": {"01"}, "commune_code": {"T0101"}, "description": {"Lừa đảo qua mạng, giả danh cán bộ ngân hàng."}, "anonymous": {"1"}, "time_unknown": {"1"}},
		{"category": {"cong_nghe_cao"}, "province_code": {"01"}, "commune_code": {"T0101"}, "description": {"Tin nhắn mạo danh công an yêu cầu chuyển tiền."}, "anonymous": {"0"},
			"full_name": {"Nguyễn Văn An"}, "id_number": {"001090012345"}, "phone": {"0912345678"}, "reporter_address": {"Số 5 phố Hàng Bạc"}, "occurred_at": {"2026-11-20T20:30"}},
		{"category": {"trat_tu_xa_hoi"}, "province_code": {"01"}, "commune_code": {"T0101"}, "description": {"Trộm cắp xe máy tại bãi giữ xe chợ."}, "anonymous": {"1"}, "time_unknown": {"1"}},
	} {
		if res := post(t, srv, srv.NewClient(t), "/to-giac", r); res.Status != http.StatusCreated {
			t.Fatalf("report: status %d:\n%s", res.Status, res.Body)
		}
	}
	// The second is registered and transferred to the investigators; the
	// last is decided too, so that the dashboards have a decision to count.
	var ids []int64
	rows, err := srv.Main.DB.Query(context.Background(), "SELECT id FROM sources ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 3 {
		t.Fatalf("%d sources stored, want 3", len(ids))
	}
	s.Transferred, s.Decided = fmt.Sprintf("/can-bo/nguon-tin/%d", ids[1]), fmt.Sprintf("/can-bo/nguon-tin/%d", ids[2])
	s.InvestigatorToken = signIn(t, srv, "dieutra-hn", srv.CreateUser(t, "dieutra-hn", account.Investigator, "01"))
	inv := srv.NewClient(t)
	base, _ := url.Parse(srv.URL)
	inv.Jar.SetCookies(base, []*http.Cookie{{Name: "toandan_session", Value: s.InvestigatorToken}})
	for _, step := range []struct {
		c      *http.Client
		source string
		form   url.Values
	}{
		{a, s.Transferred, url.Values{"action": {"register"}, "category": {"cong_nghe_cao"}}},
		{a, s.Transferred, url.Values{"action": {"transfer_investigation"}, "note": {"Chuyển để xác minh."}}},
		{a, s.Decided, url.Values{"action": {"register"}, "category": {"trat_tu_xa_hoi"}}},
		{a, s.Decided, url.Values{"action": {"transfer_investigation"}, "note": {"Chuyển để xác minh."}}},
		{inv, s.Decided, url.Values{"action": {"decide"}, "outcome": {"not_prosecute"}, "ref": {"12/QĐ-CSHS"}}},
		{inv, s.Decided, url.Values{"action": {"message"}, "message": {"Sự việc không có dấu hiệu tội phạm. Cảm ơn bạn đã báo tin."}}},
	} {
		if r := postMultipart(t, srv, step.c, step.source+"/thao-tac", step.form); r.Status != http.StatusSeeOther {
			t.Fatalf("%s on %s: status %d:\n%s", step.form.Get("action"), step.source, r.Status, r.Body)
		}
	}
	if r := post(t, srv, a, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn Đông", "thon", "Giáp sông")); r.Status != http.StatusSeeOther {
		t.Fatalf("create area: %d", r.Status)
	}
	area := areaByName(t, srv, "Thôn Đông")
	for _, f := range []url.Values{pointForm(2026, "T0101", 0, "2026-08-19", 350), pointForm(2026, "T0101", area.ID, "2026-08-12", 120)} {
		if r := post(t, srv, a, "/can-bo/phong-trao/ngay-hoi/diem", f); r.Status != http.StatusSeeOther {
			t.Fatalf("record point: %d:\n%s", r.Status, r.Body)
		}
	}
	s.Point = fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d", pointsOf(t, srv)[0].ID)
	setPlan(t, srv, prov, "01", 3)
	r := post(t, srv, a, "/can-bo/phong-trao/mo-hinh", url.Values{"commune": {"T0101"}, "name": {"Camera an ninh tổ 3"}, "type": {"camera_an_ninh"},
		"started_on": {"2026-02-01"}, "members": {"12"}, "status": {"active"}, "area_id": {"0"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create model: %d:\n%s", r.Status, r.Body)
	}
	s.Model = strings.TrimSuffix(r.Location(), "?ok=tao")
	if r := post(t, srv, a, s.Model+"/danh-gia", url.Values{"period": {"2026"}, "effective": {"1"}, "note": {"Giảm trộm cắp"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("evaluate model: %d", r.Status)
	}
	s.Cycle = register(t, srv, a, fmt.Sprintf("residential_area:%d", area.ID))
	if r := post(t, srv, a, s.Cycle+"/tieu-chi/1", url.Values{"met": {"1"}, "evidence": {"Nghị quyết chi bộ"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("assess: %d", r.Status)
	}
	for _, f := range []url.Values{
		targetForm("commune_points_held", "VN", "2026", ">=", "1"),
		targetForm("recognised_model_wards", "each:municipality", "2026", ">=", "3"),
	} {
		if r := post(t, srv, ministry, "/can-bo/phong-trao/chi-tieu", f); r.Status != http.StatusSeeOther {
			t.Fatalf("create target: %d:\n%s", r.Status, r.Body)
		}
	}
	return s
}

// TestAccessibility runs axe-core, on a phone-sized screen, on every page a
// citizen sees while reporting and following up, and on the officers' pages
// with data in them. No serious or critical violation is allowed.
func TestAccessibility(t *testing.T) {
	srv := newAccessibilityServer(t)
	srv.Clock.Advance(time.Hour) // the reports sent while seeding no longer count against this client
	b := testutil.NewBrowser(t)
	b.Do(mobileViewport())
	a := &a11y{t: t, b: b, base: srv.URL}

	// The citizen: portal, report form (empty and with errors), receipt,
	// follow-up, login.
	a.open("/")
	a.check("portal /")
	// axe finds what it should: an image without a text alternative.
	b.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector("main").append(Object.assign(document.createElement("img"), {src: "data:image/gif;base64,R0lGODlhAQABAAAAACw=", id: "canary"}))`))
	if vs := b.Axe(t); !slices.ContainsFunc(vs, func(v testutil.Violation) bool {
		return v.ID == "image-alt" && v.Serious() && len(v.Nodes) == 1 && slices.Equal(v.Nodes[0].Target, []string{"#canary"})
	}) {
		t.Fatalf("axe did not report an image without alt text: %v", vs)
	}
	a.open("/to-giac")
	a.check("report form /to-giac")
	// The form sent empty, then with a bad identity number: each error is
	// tied to its field.
	b.Do(chromedp.Evaluate[chromedp.Void](`document.getElementById("report").noValidate = true`))
	b.Follow(chromedp.Click(chromedp.CSS(`#report button[type=submit]:not(.secondary)`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS(`p.field-error`)))
	a.fieldErrorsTied("report form sent empty")
	a.check("report form with an error")
	b.Do(
		chromedp.SetValue(chromedp.ID("category"), "cong_nghe_cao"),
		chromedp.SetValue(chromedp.ID("province_code"), "01"), // fires "change"
		chromedp.WaitReady(chromedp.CSS(`#commune_code option[value="T0101"]`)),
		chromedp.SetValue(chromedp.ID("commune_code"), "T0101"),
		chromedp.SendKeys(chromedp.ID("description"), "Có người lạ thường xuyên dò xét nhà dân vào ban đêm."),
		chromedp.Click(chromedp.CSS(`input[name=time_unknown]`)),
		chromedp.Click(chromedp.CSS(`input[name=anonymous][value="0"]`)),
		chromedp.SendKeys(chromedp.ID("full_name"), "Trần Thị Bình"),
		chromedp.SendKeys(chromedp.ID("id_number"), "12345"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("report").noValidate = true`),
	)
	b.Follow(chromedp.Click(chromedp.CSS(`#report button[type=submit]:not(.secondary)`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS(`p.field-error`)))
	if got := b.Text("p.field-error"); !strings.Contains(got, "12 chữ số") {
		t.Fatalf("the form shows %q, want the identity number's error", got)
	}
	a.fieldErrorsTied("report form with a bad identity number")
	a.check("report form with an identity error")
	// Sent anonymously instead.
	b.Do(chromedp.Click(chromedp.CSS(`input[name=anonymous][value="1"]`)))
	b.Follow(chromedp.Click(chromedp.CSS(`#report button[type=submit]:not(.secondary)`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("receipt-code")))
	receipt := strings.TrimSpace(b.Text("#receipt-code"))
	if !receiptPattern.MatchString(receipt) {
		t.Fatalf("receipt code %q has the wrong form", receipt)
	}
	a.check("receipt page")
	a.open("/theo-doi")
	a.check("follow-up form /theo-doi")
	b.Do(chromedp.SendKeys(chromedp.ID("receipt_code"), receipt))
	b.Follow(chromedp.Submit(chromedp.ID("receipt_code")))
	b.Do(chromedp.WaitVisible(chromedp.ID("status")))
	a.check("follow-up page with a code")
	a.open("/dang-nhap")
	a.check("login /dang-nhap")

	// The commune officer: inbox, a source, the commune's dashboard and
	// geography, the movement pages, the rules.
	b.SetSession(srv.URL, signIn(t, srv.Server, "xa-a", srv.CommunePW))
	a.open("/can-bo")
	a.check("staff home /can-bo")
	a.open("/can-bo/nguon-tin")
	if n := testutil.Eval[int](b, `document.querySelectorAll('td a[href^="/can-bo/nguon-tin/"]').length`); n < 2 {
		t.Fatalf("inbox lists %d reports, want several", n)
	}
	a.check("inbox /can-bo/nguon-tin")
	source := testutil.Eval[string](b, `document.querySelector('td a[href^="/can-bo/nguon-tin/"]').getAttribute('href')`)
	a.open(source)
	b.Do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
	a.check("source page " + source)
	a.open("/can-bo/nguon-tin/moi")
	a.check("source entry form /can-bo/nguon-tin/moi")
	a.open("/can-bo/so-lieu?don-vi=T0101")
	a.check("commune dashboard")
	a.open("/can-bo/dia-ban/T0101")
	a.check("commune geography /can-bo/dia-ban/T0101")
	for _, p := range []string{
		"/can-bo/phong-trao", "/can-bo/phong-trao/ngay-hoi?nam=2026", srv.Point, "/can-bo/phong-trao/ngay-hoi/diem-moi?nam=2026",
		"/can-bo/phong-trao/mo-hinh?nam=2026", srv.Model, "/can-bo/phong-trao/cong-nhan?nam=2026", srv.Cycle,
		"/can-bo/phong-trao/chi-tieu?nam=2026", "/bao-cao/ngay-hoi/2026", "/can-bo/thoi-han",
	} {
		a.open(p)
		a.check("commune officer " + p)
	}

	// The investigator: the inbox, a source to decide on, a decided one.
	b.SetSession(srv.URL, srv.InvestigatorToken)
	a.open("/can-bo/nguon-tin")
	a.check("investigator inbox /can-bo/nguon-tin")
	a.open(srv.Transferred)
	if n := testutil.Eval[int](b, `document.querySelectorAll('form input[name=action][value=decide]').length`); n != 1 {
		t.Fatalf("the investigator is not offered the decision on %s", srv.Transferred)
	}
	b.Do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
	a.check("investigator, source to decide on")
	a.open(srv.Decided)
	b.Do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
	a.check("investigator, decided source")

	// The province officer: the province's dashboard and map, geography,
	// festival plan and targets. This server has no boundaries, so the map
	// is its grid alone; TestBrowserMap audits the map Leaflet draws.
	b.SetSession(srv.URL, signIn(t, srv.Server, "tinh-hn", srv.ProvincePW))
	for _, p := range []string{"/can-bo/so-lieu?don-vi=01", "/can-bo/ban-do", "/can-bo/dia-ban/01", "/can-bo/phong-trao/ngay-hoi?nam=2026", "/can-bo/phong-trao/chi-tieu?nam=2026", "/bao-cao/ngay-hoi/2026",
		"/can-bo/dia-ban/01/don-vi-cong-an", "/can-bo/don-vi-cong-an/CA-T0101"} {
		a.open(p)
		a.check("province officer " + p)
	}
	// The police unit's form sent with no commune: the error is tied to
	// the group of communes.
	b.Do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name=communes]').forEach(c => c.checked = false)`))
	b.Follow(chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS(`p.field-error`)))
	a.fieldErrorsTied("police unit form without a commune")
	a.check("police unit form with an error")

	// The Ministry: the nation's dashboard, map and geography.
	b.SetSession(srv.URL, signIn(t, srv.Server, "bo-cong-an", srv.MinistryPW))
	for _, p := range []string{"/can-bo/so-lieu", "/can-bo/ban-do", "/can-bo/dia-ban", "/can-bo/phong-trao?nam=2026"} {
		a.open(p)
		a.check("ministry " + p)
	}

	// The administrator edits the calendar of days off.
	b.SetSession(srv.URL, signIn(t, srv.Server, "quantri", srv.AdminPW))
	a.open("/can-bo/thoi-han")
	a.check("administrator /can-bo/thoi-han")

	// The administrator's account pages: the list, the form empty and
	// refused, the password shown once, an account with failed logins and
	// its actions, one refused for want of its confirmation; and the
	// password page every officer has, refused.
	a.open("/can-bo/tai-khoan")
	a.check("administrator /can-bo/tai-khoan")
	a.open("/can-bo/tai-khoan/moi")
	a.check("account form /can-bo/tai-khoan/moi")
	b.Do(
		chromedp.SendKeys(chromedp.ID("username"), "xa-moi"),
		chromedp.SendKeys(chromedp.ID("name"), "Lê Văn Mới"),
		chromedp.SetValue(chromedp.ID("role"), "commune"),
		chromedp.SendKeys(chromedp.ID("unit"), "01"),
	)
	b.Follow(chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS(`p.field-error`)))
	a.fieldErrorsTied("account form with a province for a commune role")
	a.check("account form with an error")
	b.Do(chromedp.SetValue(chromedp.ID("unit"), "T0101"))
	b.Follow(chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("mat-khau")))
	a.check("new account's password, shown once")
	if _, _, err := srv.Main.Accounts.Login(context.Background(), "xa-a", "sai-mat-khau-2026", "", ""); !errs.Is(err, errs.Unauthorized) {
		t.Fatalf("a wrong password: %v", err)
	}
	officer, err := srv.Main.Accounts.ByUsername(context.Background(), "xa-a")
	if err != nil {
		t.Fatal(err)
	}
	a.open(fmt.Sprintf("/can-bo/tai-khoan/%d", officer.ID))
	a.check("account page with failed logins")
	b.Do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name=xac_nhan]').forEach(c => c.required = false)`))
	b.Follow(chromedp.Click(chromedp.CSS(`form[action$="/vo-hieu-hoa"] button[type=submit]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS(`p.field-error`)))
	a.fieldErrorsTied("disabling without the confirmation")
	a.check("account page with an error")
	a.open("/can-bo/mat-khau")
	a.check("password page /can-bo/mat-khau")
	b.Do(
		chromedp.SendKeys(chromedp.ID("current"), "sai-mat-khau-2026"),
		chromedp.SendKeys(chromedp.ID("new"), "Câu mật khẩu mới 2026"),
		chromedp.SendKeys(chromedp.ID("confirm"), "Câu mật khẩu mới 2026"),
	)
	b.Follow(chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS(`p.field-error`)))
	a.fieldErrorsTied("password page with a wrong current password")
	a.check("password page with an error")
	t.Logf("axe-core ran on %d pages", len(a.pages))
}

// panelInfo is what a dashboard panel shows, as the browser lays it out.
type panelInfo struct {
	ID     string  `json:"id"`
	Charts int     `json:"charts"`
	Named  bool    `json:"named"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Tables int     `json:"tables"`
	Rows   int     `json:"rows"`
}

const panelsJS = `Array.from(document.querySelectorAll('section.panel')).map(p => {
	const svgs = Array.from(p.querySelectorAll('svg[role=img]'));
	const box = svgs.length ? svgs[0].getBoundingClientRect() : {width: 0, height: 0};
	return {
		id: p.id, charts: svgs.length,
		named: svgs.every(s => (s.getAttribute('aria-labelledby') || '').split(/\s+/).some(id => { const e = document.getElementById(id); return e && e.textContent.trim() !== ''; }) || (s.getAttribute('aria-label') || '') !== ''),
		width: box.width, height: box.height,
		tables: p.querySelectorAll('table').length, rows: p.querySelectorAll('table tbody tr').length,
	};
})`

// TestBrowserDashboards checks that each dashboard, nation, province and
// commune, draws a named chart per panel that fits the phone's screen, with
// its numbers in a table beside it.
func TestBrowserDashboards(t *testing.T) {
	srv := newAccessibilityServer(t)
	b := testutil.NewBrowser(t)
	b.Do(mobileViewport())
	for _, c := range []struct {
		user, pw, path string
		tableOnly      []string // panels that are a table by design at this level
	}{
		// The targets are a table at every level; a province's festival
		// by commune is 0 or 1 per commune; a commune has no plan to chart.
		{"bo-cong-an", srv.MinistryPW, "/can-bo/so-lieu", []string{"chi-tieu"}},
		{"tinh-hn", srv.ProvincePW, "/can-bo/so-lieu?don-vi=01", []string{"chi-tieu", "ngay-hoi-theo-don-vi"}},
		{"xa-a", srv.CommunePW, "/can-bo/so-lieu?don-vi=T0101", []string{"chi-tieu", "ngay-hoi"}},
	} {
		b.SetSession(srv.URL, signIn(t, srv.Server, c.user, c.pw))
		b.Do(chromedp.Navigate(srv.URL+c.path), chromedp.WaitVisible(chromedp.CSS(`section.panel svg[role=img]`)))
		panels := testutil.Eval[[]panelInfo](b, panelsJS)
		if len(panels) < 6 {
			t.Errorf("%s: %d panels, want at least 6", c.path, len(panels))
		}
		charts := 0
		for _, p := range panels {
			if p.Tables != 1 {
				t.Errorf("%s panel %s: %d tables, want its numbers in one table", c.path, p.ID, p.Tables)
			}
			if p.Charts == 0 && slices.Contains(c.tableOnly, p.ID) {
				continue
			}
			charts++
			if p.Charts != 1 || !p.Named || p.Width < 200 || p.Width > mobileWidth || p.Height < 20 || p.Rows < 1 {
				t.Errorf("%s panel %s: %d charts (named %v, %.0f×%.0f px), table with %d rows; want one named chart that fits the %d px screen and a filled table (screenshot: %s)",
					c.path, p.ID, p.Charts, p.Named, p.Width, p.Height, p.Rows, mobileWidth, b.Screenshot("dashboard-"+slug(c.path)))
			}
		}
		t.Logf("%s: %d panels, %d with a chart", c.path, len(panels), charts)
	}
}

// fetched is a response as it travelled.
type fetched struct {
	Path            string
	Type, Encoding  string
	Wire, Plain, Gz int // bytes on the wire, decoded, and gzipped by the test
	Vary            string
}

// fetchGzip gets path asking for gzip, as a browser does, and returns its
// size as sent and decoded. Go's transport does not decode a response when
// the request sets Accept-Encoding itself.
func fetchGzip(t *testing.T, base, path, acceptEncoding string) fetched {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	wire, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, res.StatusCode)
	}
	f := fetched{Path: path, Type: res.Header.Get("Content-Type"), Encoding: res.Header.Get("Content-Encoding"), Wire: len(wire), Vary: res.Header.Get("Vary")}
	plain := wire
	if f.Encoding == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(wire))
		if err != nil {
			t.Fatalf("GET %s: bad gzip: %v", path, err)
		}
		if plain, err = io.ReadAll(zr); err != nil {
			t.Fatalf("GET %s: bad gzip: %v", path, err)
		}
	}
	f.Plain = len(plain)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(plain)
	zw.Close()
	f.Gz = buf.Len()
	return f
}

var subresource = regexp.MustCompile(`<(?:link rel="stylesheet" href|script src|img src)="(/[^"]+)"`)

// pageBudget is the most the citizen report page may weigh on the wire,
// with its stylesheet and scripts.
const pageBudget = 30 * 1024

// TestReportPageWeightAndNoJS measures what a phone downloads to show the
// report form, and submits the form in a browser with JavaScript disabled.
func TestReportPageWeightAndNoJS(t *testing.T) {
	srv := testutil.NewServer(t, store.SQLite)
	srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
	srv.Main.Guard.PoW.Difficulty = 12 // the proof-of-work script is on the page too

	// The page and what it links to, as sent to a client accepting gzip.
	page := fetchGzip(t, srv.URL, "/to-giac", "gzip, deflate, br, zstd")
	res, err := http.Get(srv.URL + "/to-giac") // decoded by the transport
	if err != nil {
		t.Fatal(err)
	}
	html, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	all := []fetched{page}
	for _, m := range subresource.FindAllStringSubmatch(string(html), -1) {
		all = append(all, fetchGzip(t, srv.URL, m[1], "gzip, deflate, br, zstd"))
	}
	if len(all) < 4 {
		t.Fatalf("the report page links %d resources, want the stylesheet and two scripts: %v", len(all)-1, all)
	}
	wire, plain, gz := 0, 0, 0
	for _, f := range all {
		wire, plain, gz = wire+f.Wire, plain+f.Plain, gz+f.Gz
		t.Logf("%-22s %-32s %-5s %6d B on the wire, %6d B decoded, %6d B gzipped", f.Path, f.Type, f.Encoding, f.Wire, f.Plain, f.Gz)
		if f.Encoding != "gzip" {
			t.Errorf("%s (%s) sent without gzip to a client that accepts it", f.Path, f.Type)
		}
		if !strings.Contains(f.Vary, "Accept-Encoding") {
			t.Errorf("%s: Vary %q lacks Accept-Encoding", f.Path, f.Vary)
		}
	}
	t.Logf("report page: %d B on the wire (%d B decoded; %d B if gzipped by a proxy); budget %d B", wire, plain, gz, pageBudget)
	if wire > pageBudget || gz > pageBudget {
		t.Errorf("the report page weighs %d B on the wire (%d B gzipped), over the %d B budget", wire, gz, pageBudget)
	}
	// A client that does not accept gzip, or refuses it, gets plain text;
	// attachments and exports are never compressed.
	for _, ae := range []string{"identity", "gzip;q=0, deflate", "br"} {
		if f := fetchGzip(t, srv.URL, "/static/style.css", ae); f.Encoding != "" || f.Wire != f.Plain || !strings.Contains(f.Vary, "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: style.css sent with encoding %q, %d of %d B, Vary %q", ae, f.Encoding, f.Wire, f.Plain, f.Vary)
		}
	}
	if f := fetchGzip(t, srv.URL, "/healthz", "gzip"); f.Encoding != "" {
		t.Errorf("text/plain health check compressed")
	}
	// A range of a file, and a HEAD request, are sent as they are.
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(method, srv.URL+"/static/style.css", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if method == http.MethodGet {
			req.Header.Set("Range", "bytes=0-9")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if enc := res.Header.Get("Content-Encoding"); enc != "" || (method == http.MethodGet && (res.StatusCode != http.StatusPartialContent || len(body) != 10)) {
			t.Errorf("%s style.css: status %d, encoding %q, %d B", method, res.StatusCode, enc, len(body))
		}
	}

	b := testutil.NewBrowser(t)
	b.Do(mobileViewport())

	// The browser's own count of the bytes it received for the page, the
	// stylesheet and the scripts, cache off.
	if _, err := chromedp.Call(b.Ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	b.Do(chromedp.Navigate(srv.URL + "/to-giac"))
	type entry struct {
		Name     string  `json:"name"`
		Transfer float64 `json:"transfer"`
		Encoded  float64 `json:"encoded"`
		Decoded  float64 `json:"decoded"`
	}
	entries := testutil.Eval[[]entry](b, `performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => ({name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize}))`)
	var transfer, encoded float64
	for _, e := range entries {
		transfer += e.Transfer
		encoded += e.Encoded
		t.Logf("browser: %-40s %6.0f B transferred (%6.0f B body, %6.0f B decoded)", strings.TrimPrefix(e.Name, srv.URL), e.Transfer, e.Encoded, e.Decoded)
	}
	t.Logf("browser: report page %.0f B transferred with headers, %.0f B of bodies, in %d responses", transfer, encoded, len(entries))
	if len(entries) < 4 {
		t.Errorf("browser fetched %d resources for the report page, want the page, its stylesheet and two scripts", len(entries))
	}
	if transfer > pageBudget {
		t.Errorf("browser transferred %.0f B for the report page, over the %d B budget", transfer, pageBudget)
	}

	// Without JavaScript: the province is chosen with the "Chọn tỉnh"
	// button, which reloads the form with its communes, then the report is
	// sent and the receipt code shown.
	if _, err := chromedp.Call(b.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b.Do(
		chromedp.Navigate(srv.URL+"/to-giac"),
		chromedp.WaitVisible(chromedp.ID("pick-province")), // report.js hides it
		chromedp.SetValue(chromedp.ID("category"), "cong_nghe_cao"),
		chromedp.SetValue(chromedp.ID("province_code"), "01"),
	)
	if got := b.Text("#commune_code"); strings.Contains(got, "Mẫu Một") {
		t.Fatalf("communes listed before the province was chosen: %q", got)
	}
	b.Follow(chromedp.Click(chromedp.ID("pick-province")))
	b.Do(
		chromedp.WaitReady(chromedp.CSS(`#commune_code option[value="T0101"]`)),
		chromedp.WaitVisible(chromedp.ID("pick-province")),
		chromedp.SetValue(chromedp.ID("commune_code"), "T0101"),
		chromedp.SendKeys(chromedp.ID("description"), "Trộm cắp xe máy tại bãi giữ xe chợ, xảy ra nhiều lần trong tháng."),
		chromedp.Click(chromedp.CSS(`input[name=time_unknown]`)),
	)
	if v := testutil.Eval[string](b, `document.querySelector('input[name=pow_nonce]').value`); v != "" {
		t.Fatalf("the proof of work ran with JavaScript disabled: nonce %q", v)
	}
	b.Follow(chromedp.Click(chromedp.CSS(`#report button[type=submit]:not(.secondary)`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("receipt-code")))
	if receipt := strings.TrimSpace(b.Text("#receipt-code")); !receiptPattern.MatchString(receipt) {
		t.Fatalf("receipt code %q has the wrong form (screenshot: %s)", receipt, b.Screenshot("nojs-receipt"))
	}
	b.Screenshot("nojs-receipt")
}
