package web_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/account"
)

// xssPayloads are what an attacker types into every text field: markup, an
// attribute break, a link scheme, a break out of a textarea, and template
// syntax that must stay text.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`javascript:alert(1)`,
	`</textarea><script>alert(2)</script>`,
	`{{.}}`,
}

// xssRaw finds user markup that reached a page unescaped.
var xssRaw = []*regexp.Regexp{
	regexp.MustCompile(`(?i)<script>alert`),
	regexp.MustCompile(`(?i)<img src=x onerror`),
	regexp.MustCompile(`(?i)</textarea><script`),
	regexp.MustCompile(`(?i)\s(?:href|src|action|formaction|data|poster)\s*=\s*["']?\s*javascript:`),
}

// xssValue is the value a field gets: the payload first, so that a value
// that could become a link starts with its scheme, then a tag naming the
// field, so that the test knows which field a page shows.
func xssValue(payload, field string) string { return payload + " #" + field }

// xssCheck fails unless the answer has the status wanted, holds no user
// markup unescaped, and shows each of values as escaped text.
func xssCheck(t *testing.T, r reply, what string, status int, values ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d", what, r.Status, status)
	}
	for _, re := range xssRaw {
		if loc := re.FindStringIndex(r.Body); loc != nil {
			t.Errorf("%s: user markup unescaped: …%s…", what, r.Body[max(loc[0]-80, 0):min(loc[1]+80, len(r.Body))])
		}
	}
	for _, v := range values {
		if esc := template.HTMLEscapeString(v); !strings.Contains(r.Body, esc) {
			t.Errorf("%s: does not show %q as text (%q)", what, v, esc)
		}
	}
}

// xssRound is one payload tried in every field of every form.
type xssRound struct {
	srv        movementServer
	inv, admin *http.Client
	payload    string
	n          int // the round's number, for values that must differ
}

func (x xssRound) v(field string) string { return xssValue(x.payload, field) }

// TestXSSSweep posts script payloads in every citizen and staff text field
// through the real forms, then reads every page that shows the field, and
// the forms sent back with an error that keep what was typed.
func TestXSSSweep(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newMovementServer(t, e)
			s := srv.Server
			// Every round reports from the same address; the per-client
			// limit is not what this test is about.
			s.Main.Guard.Strict = s.Main.Guard.Normal
			inv, _ := enrolTOTP(t, s, "dtv-hn", s.CreateUser(t, "dtv-hn", account.Investigator, "01"))
			admin, _ := enrolTOTP(t, s, "quan-tri", s.CreateUser(t, "quan-tri", account.Admin, "VN"))
			for i, p := range xssPayloads {
				t.Run(strconv.Itoa(i+1), func(t *testing.T) {
					x := xssRound{srv: srv, inv: inv, admin: admin, payload: p, n: i}
					t.Run("sources", x.sources)
					t.Run("geography and movement", x.movement)
					t.Run("accounts", x.accounts)
					t.Run("reflected", x.reflected)
				})
			}
		})
	}
}

// sources: the citizen's report, reply and identity, the officer's entry
// and every action's text, on the inbox, the source page with its
// timeline and messages, the citizen's follow page and the reveal page.
func (x xssRound) sources(t *testing.T) {
	s, a := x.srv.Server, x.srv.A

	// A refused report keeps every field typed, escaped.
	all := url.Values{"category": {"cong_nghe_cao"}, "province_code": {"01"}, "commune_code": {"T0101"}, "anonymous": {"0"}}
	var typed []string
	for _, f := range []string{"address", "description", "occurred_at", "full_name", "id_number", "phone", "reporter_address", "email", "lat", "lon"} {
		all.Set(f, x.v("c-"+f))
		typed = append(typed, x.v("c-"+f))
	}
	r := postMultipart(t, s, s.NewClient(t), "/to-giac", all)
	xssCheck(t, r, "refused report form", http.StatusBadRequest, typed...)

	// The citizen's report with an identity: the name cannot hold markup,
	// the contact address can.
	form := identified(reportForm(x.v("c-desc")))
	form.Set("address", x.v("c-addr"))
	form.Set("full_name", "Nguyễn Văn O'Brien")
	form.Set("reporter_address", x.v("c-raddr"))
	tracking, receipt := submitReport(t, s, form)
	r = postMultipart(t, s, s.NewClient(t), "/theo-doi/tra-loi", url.Values{"receipt_code": {receipt}, "message": {x.v("c-reply")}})
	xssCheck(t, r, "citizen reply", http.StatusOK, x.v("c-reply"))
	r = postMultipart(t, s, s.NewClient(t), "/theo-doi/tra-loi", url.Values{"receipt_code": {receipt}, "message": {x.v("c-reply2")}},
		upload{"anh.jpg", "image/jpeg", []byte("<!DOCTYPE html><p>not a photo</p>")})
	xssCheck(t, r, "refused citizen reply", http.StatusBadRequest, x.v("c-reply2"))

	// The officer's entry, refused and then accepted.
	entry := url.Values{"kind": {"tin_bao"}, "channel": {"agency"}, "category": {"trat_tu_xa_hoi"}}
	typed = nil
	for _, f := range []string{"address", "occurred_at", "reporter_org", "postmarked_on", "full_name", "id_number", "phone", "reporter_address", "email"} {
		entry.Set(f, x.v("a-"+f))
		typed = append(typed, x.v("a-"+f))
	}
	r = postMultipart(t, s, a, "/can-bo/nguon-tin", entry)
	xssCheck(t, r, "refused officer entry", http.StatusBadRequest, typed...)
	entry = url.Values{"kind": {"tin_bao"}, "channel": {"agency"}, "category": {"trat_tu_xa_hoi"},
		"description": {x.v("a-desc")}, "address": {x.v("a-addr")}, "reporter_org": {x.v("a-org")}}
	r = postMultipart(t, s, a, "/can-bo/nguon-tin", entry)
	m := createdLoc.FindStringSubmatch(r.Location())
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("officer entry: status %d, location %q:\n%s", r.Status, r.Location(), r.Body)
	}
	entered := m[1]

	inbox := get(t, s, a, "/can-bo/nguon-tin")
	xssCheck(t, inbox, "inbox", http.StatusOK, x.v("c-desc"), x.v("a-desc"))
	reported := inboxIDs(inbox.Body)[tracking]
	if reported == "" {
		t.Fatalf("report %s not in the inbox", tracking)
	}
	page := "/can-bo/nguon-tin/" + reported

	// Every action's text on the citizen's report; the reference number
	// goes with each (it is kept, not shown).
	for _, f := range []url.Values{
		{"action": {"note"}, "note": {x.v("a-note")}},
		{"action": {"message"}, "message": {x.v("a-msg")}},
		{"action": {"register"}, "category": {"cong_nghe_cao"}, "note": {x.v("a-reg")}},
		{"action": {"preliminary_check"}, "note": {x.v("a-check")}},
	} {
		f.Set("ref", x.v("a-ref"))
		act(t, x.srv.sampleServer, a, reported, f)
	}
	r = postMultipart(t, s, a, page+"/thao-tac", url.Values{"action": {"merge"}, "target": {x.v("a-target")}, "note": {x.v("a-merge")}})
	xssCheck(t, r, "refused merge", http.StatusBadRequest, x.v("a-target"))
	r = postMultipart(t, s, a, page+"/thao-tac", url.Values{"action": {"message"}, "message": {x.v("a-msg2")}},
		upload{"anh.jpg", "image/jpeg", []byte("<!DOCTYPE html><p>not a photo</p>")})
	xssCheck(t, r, "refused message", http.StatusBadRequest, x.v("a-msg2"))

	xssCheck(t, get(t, s, a, page), "source page", http.StatusOK,
		x.v("c-desc"), x.v("c-addr"), x.v("c-reply"), x.v("a-note"), x.v("a-msg"), x.v("a-reg"), x.v("a-check"))
	xssCheck(t, follow(t, s, receipt), "follow page", http.StatusOK, x.v("c-reply"), x.v("a-msg"))

	// The investigator reveals the identity: shown once, escaped.
	act(t, x.srv.sampleServer, a, reported, url.Values{"action": {"transfer_investigation"}, "note": {x.v("a-transfer")}})
	r = post(t, s, x.inv, page+"/danh-tinh", url.Values{"reason": {x.v("i-reason")}})
	xssCheck(t, r, "reveal page", http.StatusOK, x.v("c-raddr"), "Nguyễn Văn O'Brien", "001099012345")
	act(t, x.srv.sampleServer, x.inv, reported, url.Values{"action": {"notify_procuracy"}, "ref": {x.v("i-ref")}, "note": {x.v("i-note")}})
	xssCheck(t, get(t, s, x.inv, page), "investigator's source page", http.StatusOK,
		"Lý do: "+x.v("i-reason"), x.v("a-transfer"), x.v("i-note"))

	// The officer's entry sent to another agency.
	act(t, x.srv.sampleServer, a, entered, url.Values{"action": {"transfer_agency"}, "agency": {x.v("a-agency")}, "ref": {x.v("a-ref")}})
	xssCheck(t, get(t, s, a, "/can-bo/nguon-tin/"+entered), "entered source page", http.StatusOK,
		x.v("a-desc"), x.v("a-addr"), x.v("a-org"), "Chuyển đến "+x.v("a-agency")+".")
}

// movement: residential areas, festival points, plans, models,
// recognition, targets and days off, on the pages that list and show them
// and on the conference report.
func (x xssRound) movement(t *testing.T) {
	s, a, prov, ministry := x.srv.Server, x.srv.A, x.srv.Prov, x.srv.Ministry

	// A residential area.
	if r := post(t, s, a, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm(x.v("g-name"), "thon", x.v("g-note"))); r.Status != http.StatusSeeOther {
		t.Fatalf("create area: status %d:\n%s", r.Status, r.Body)
	}
	area := areaByName(t, s, x.v("g-name"))
	areaPath := fmt.Sprintf("/can-bo/khu-dan-cu/%d", area.ID)
	r := post(t, s, a, areaPath, areaForm(x.v("g-name2"), "", x.v("g-note2")))
	xssCheck(t, r, "refused area edit", http.StatusBadRequest, x.v("g-name2"), x.v("g-note2"))
	xssCheck(t, get(t, s, a, "/can-bo/dia-ban/T0101"), "commune page", http.StatusOK, x.v("g-name"), x.v("g-note"))
	xssCheck(t, get(t, s, a, areaPath), "area page", http.StatusOK, x.v("g-name"), x.v("g-note"))

	// A festival point in the area, refused, recorded, returned.
	xssCheck(t, get(t, s, a, "/can-bo/phong-trao/ngay-hoi/diem-moi?nam=2026"), "new point form", http.StatusOK, x.v("g-name"))
	f := pointForm(2026, "T0101", area.ID, fmt.Sprintf("2026-08-%02d", 10+x.n), 120)
	f.Set("place", x.v("f-place2"))
	f.Set("notes", x.v("f-notes2"))
	f.Set("participants", "nhiều")
	xssCheck(t, post(t, s, a, "/can-bo/phong-trao/ngay-hoi/diem", f), "refused point", http.StatusBadRequest, x.v("f-place2"), x.v("f-notes2"))
	f.Set("place", x.v("f-place"))
	f.Set("notes", x.v("f-notes"))
	f.Set("participants", "120")
	if r := post(t, s, a, "/can-bo/phong-trao/ngay-hoi/diem", f); r.Status != http.StatusSeeOther {
		t.Fatalf("record point: status %d:\n%s", r.Status, r.Body)
	}
	var point int64
	for _, p := range pointsOf(t, s) {
		if p.Area == area.ID {
			point = p.ID
		}
	}
	pointPath := fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d", point)
	if r := post(t, s, prov, pointPath+"/duyet", url.Values{"decision": {"return"}, "note": {x.v("f-review")}}); r.Status != http.StatusSeeOther {
		t.Fatalf("return point: status %d:\n%s", r.Status, r.Body)
	}
	xssCheck(t, get(t, s, a, "/can-bo/phong-trao/ngay-hoi?nam=2026"), "festival list", http.StatusOK, x.v("g-name"), x.v("f-place"), x.v("f-review"))
	xssCheck(t, get(t, s, a, pointPath), "point page", http.StatusOK, x.v("g-name"), x.v("f-place"), x.v("f-notes"), x.v("f-review"))
	xssCheck(t, get(t, s, prov, pointPath), "point page, province", http.StatusOK, x.v("f-place"), x.v("f-notes"), x.v("f-review"))

	// The province's plan.
	plan := url.Values{"year": {"2026"}, "province": {"01"}, "planned": {"nhiều"}, "source": {x.v("f-plan2")}}
	xssCheck(t, post(t, s, prov, "/can-bo/phong-trao/ngay-hoi/ke-hoach", plan), "refused plan", http.StatusBadRequest, x.v("f-plan2"))
	plan.Set("planned", "3")
	plan.Set("source", x.v("f-plan"))
	if r := post(t, s, prov, "/can-bo/phong-trao/ngay-hoi/ke-hoach", plan); r.Status != http.StatusSeeOther {
		t.Fatalf("plan: status %d:\n%s", r.Status, r.Body)
	}
	xssCheck(t, get(t, s, prov, "/can-bo/phong-trao/ngay-hoi?nam=2026"), "festival list, province", http.StatusOK, x.v("f-plan"), x.v("f-place"), x.v("f-review"))

	// A model and its evaluation.
	model := url.Values{"commune": {"T0101"}, "name": {x.v("m-name2")}, "type": {"to_tu_quan"}, "started_on": {"2026-01-15"},
		"members": {"nhiều"}, "status": {"active"}, "area_id": {strconv.FormatInt(area.ID, 10)}}
	xssCheck(t, post(t, s, a, "/can-bo/phong-trao/mo-hinh", model), "refused model", http.StatusBadRequest, x.v("m-name2"))
	model.Set("name", x.v("m-name"))
	model.Set("members", "9")
	r = post(t, s, a, "/can-bo/phong-trao/mo-hinh", model)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create model: status %d:\n%s", r.Status, r.Body)
	}
	modelPath := strings.TrimSuffix(r.Location(), "?ok=tao")
	r = post(t, s, a, modelPath+"/danh-gia", url.Values{"period": {"2026"}, "note": {x.v("m-eval2")}})
	xssCheck(t, r, "refused evaluation", http.StatusBadRequest, x.v("m-eval2"))
	if r := post(t, s, a, modelPath+"/danh-gia", url.Values{"period": {"2026"}, "effective": {"1"}, "note": {x.v("m-eval")}}); r.Status != http.StatusSeeOther {
		t.Fatalf("evaluate: status %d:\n%s", r.Status, r.Body)
	}
	xssCheck(t, get(t, s, a, "/can-bo/phong-trao/mo-hinh"), "models list", http.StatusOK, x.v("m-name"), x.v("g-name"))
	xssCheck(t, get(t, s, prov, "/can-bo/phong-trao/mo-hinh"), "models list, province", http.StatusOK, x.v("m-name"))
	xssCheck(t, get(t, s, a, modelPath), "model page", http.StatusOK, x.v("m-name"), x.v("m-eval"), x.v("g-name"))

	// The area's recognition: evidence (with a file whose name is the
	// payload), submission and the province's decision.
	cycle := register(t, s, a, fmt.Sprintf("residential_area:%d", area.ID))
	r = post(t, s, a, cycle+"/tieu-chi/1", url.Values{"evidence": {x.v("r-ev2")}})
	xssCheck(t, r, "refused assessment", http.StatusBadRequest, x.v("r-ev2"))
	codes := regexp.MustCompile(`action="`+regexp.QuoteMeta(cycle)+`/tieu-chi/([^"]+)"`).FindAllStringSubmatch(get(t, s, a, cycle).Body, -1)
	if len(codes) == 0 {
		t.Fatalf("cycle %s offers no criterion", cycle)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	for i, c := range codes {
		var files []upload
		if i == 0 {
			files = append(files, upload{x.payload + ".pdf", "application/pdf", pdf})
		}
		if r := postMultipart(t, s, a, cycle+"/tieu-chi/"+c[1], url.Values{"met": {"1"}, "evidence": {x.v("r-ev")}}, files...); r.Status != http.StatusSeeOther {
			t.Fatalf("assess %s: status %d:\n%s", c[1], r.Status, r.Body)
		}
	}
	if r := post(t, s, a, cycle+"/gui", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: status %d:\n%s", r.Status, r.Body)
	}
	r = post(t, s, prov, cycle+"/quyet-dinh", url.Values{"decision": {"khac"}, "note": {x.v("r-dec2")}})
	xssCheck(t, r, "refused decision", http.StatusBadRequest, x.v("r-dec2"))
	if r := post(t, s, prov, cycle+"/quyet-dinh", url.Values{"decision": {"return"}, "note": {x.v("r-dec")}}); r.Status != http.StatusSeeOther {
		t.Fatalf("return cycle: status %d:\n%s", r.Status, r.Body)
	}
	xssCheck(t, get(t, s, a, cycle), "cycle page", http.StatusOK, x.v("g-name"), x.v("r-ev"), x.v("r-dec"))
	xssCheck(t, get(t, s, a, "/can-bo/phong-trao/cong-nhan?nam=2026"), "cycles list", http.StatusOK, x.v("g-name"))
	xssCheck(t, get(t, s, prov, "/can-bo/phong-trao/cong-nhan?nam=2026"), "cycles list, province", http.StatusOK, x.v("g-name"))

	// Targets, on the targets page and the conference report.
	target := targetForm("recognised_model_wards", "each:municipality", "2026", ">=", "nhiều")
	target.Set("legal_source", x.v("t-legal2"))
	target.Set("note", x.v("t-note2"))
	xssCheck(t, post(t, s, ministry, "/can-bo/phong-trao/chi-tieu", target), "refused target", http.StatusBadRequest, x.v("t-legal2"), x.v("t-note2"))
	target.Set("value", "1")
	target.Set("legal_source", x.v("t-legal"))
	target.Set("note", x.v("t-note"))
	share := targetForm("communes_recognised_pct", "01", "2026", ">=", "50")
	share.Set("legal_source", x.v("t-share"))
	for _, f := range []url.Values{target, share} {
		if r := post(t, s, ministry, "/can-bo/phong-trao/chi-tieu", f); r.Status != http.StatusSeeOther {
			t.Fatalf("create target: status %d:\n%s", r.Status, r.Body)
		}
	}
	xssCheck(t, get(t, s, ministry, "/can-bo/phong-trao/chi-tieu?nam=2026"), "targets page", http.StatusOK, x.v("t-legal"), x.v("t-note"), x.v("t-share"))
	xssCheck(t, get(t, s, prov, "/bao-cao/ngay-hoi/2026"), "conference report", http.StatusOK, x.v("t-legal"), x.v("t-share"))
	for _, c := range []*http.Client{a, prov, ministry} {
		xssCheck(t, get(t, s, c, "/can-bo/phong-trao?nam=2026"), "movement home", http.StatusOK)
	}

	// Days off.
	day := url.Values{"day": {x.v("d-day")}, "name": {x.v("d-name2")}, "kind": {"holiday"}}
	xssCheck(t, post(t, s, x.admin, "/can-bo/thoi-han/ngay", day), "refused day off", http.StatusBadRequest, x.v("d-day"), x.v("d-name2"))
	day.Set("day", fmt.Sprintf("2026-12-%02d", 21+x.n))
	day.Set("name", x.v("d-name"))
	if r := post(t, s, x.admin, "/can-bo/thoi-han/ngay", day); r.Status != http.StatusSeeOther {
		t.Fatalf("day off: status %d:\n%s", r.Status, r.Body)
	}
	xssCheck(t, get(t, s, a, "/can-bo/thoi-han"), "rules page", http.StatusOK, x.v("d-name"))
}

// accounts: the full name and unit an administrator types for a new
// account, on the refused form, the page that shows the password, the list
// and the account's page.
func (x xssRound) accounts(t *testing.T) {
	s := x.srv.Server
	f := url.Values{"username": {"Tên Sai"}, "name": {x.v("u-name2")}, "role": {"commune"}, "unit": {x.v("u-unit")}}
	xssCheck(t, post(t, s, x.admin, "/can-bo/tai-khoan", f), "refused account", http.StatusBadRequest, x.v("u-name2"), x.v("u-unit"))
	f.Set("username", fmt.Sprintf("xss-%d", x.n))
	xssCheck(t, post(t, s, x.admin, "/can-bo/tai-khoan", f), "account with a bad unit", http.StatusBadRequest, x.v("u-name2"), x.v("u-unit"))
	f.Set("name", x.v("u-name"))
	f.Set("unit", "T0101")
	r := post(t, s, x.admin, "/can-bo/tai-khoan", f)
	xssCheck(t, r, "new account", http.StatusCreated, x.v("u-name"))
	id := regexp.MustCompile(`href="/can-bo/tai-khoan/(\d+)"`).FindStringSubmatch(r.Body)
	if id == nil {
		t.Fatalf("the new account's page is not linked:\n%s", r.Body)
	}
	xssCheck(t, get(t, s, x.admin, "/can-bo/tai-khoan"), "accounts list", http.StatusOK, x.v("u-name"))
	xssCheck(t, get(t, s, x.admin, "/can-bo/tai-khoan/"+id[1]), "account page", http.StatusOK, x.v("u-name"))
	xssCheck(t, post(t, s, x.admin, "/can-bo/tai-khoan/"+id[1]+"/vo-hieu-hoa", nil), "refused disabling", http.StatusBadRequest, x.v("u-name"))
}

// reflected: what a link carries in its query or path and a page repeats.
func (x xssRound) reflected(t *testing.T) {
	s, a := x.srv.Server, x.srv.A
	q := url.QueryEscape(x.payload)
	xssCheck(t, get(t, s, a, "/can-bo/nguon-tin?q="+q), "inbox search", http.StatusOK, x.payload)
	xssCheck(t, get(t, s, a, "/can-bo/phong-trao?nam="+q), "movement year", http.StatusBadRequest, x.payload)
	xssCheck(t, get(t, s, a, "/bao-cao/ngay-hoi/2026?dinh-dang="+q), "report format", http.StatusBadRequest, x.payload)
	xssCheck(t, get(t, s, s.NewClient(t), "/dang-nhap?next="+q), "login", http.StatusOK, x.payload)
	for _, path := range []string{
		"/bao-cao/ngay-hoi/" + url.PathEscape(x.payload),
		"/can-bo/phong-trao/ngay-hoi?nam=2026&xem=" + q,
		"/can-bo/phong-trao/ngay-hoi?nam=2026&don-vi=" + q,
		"/can-bo/phong-trao/cong-nhan?nam=2026&loai=" + q + "&trang-thai=" + q,
		"/can-bo/nguon-tin?han=" + q,
		"/can-bo/nguon-tin?sau=" + q,
		"/can-bo/dia-ban/" + url.PathEscape(x.payload),
		"/to-giac?tinh=" + q,
	} {
		r := get(t, s, a, path)
		if r.Status >= 500 {
			t.Errorf("GET %s: status %d", path, r.Status)
		}
		xssCheck(t, r, "GET "+path, r.Status)
	}
}
