package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/testutil"
)

// officer creates an account of a role that signs in without a second
// factor and returns its signed-in client.
func officer(t *testing.T, srv *testutil.Server, name string, role account.Role, unit string) *http.Client {
	t.Helper()
	return srv.Login(t, name, srv.CreateUser(t, name, role, unit))
}

var warningLocation = regexp.MustCompile(`^/can-bo/canh-bao/([0-9]+)\?ok=(tao|dang)$`)

// writeWarning posts the new-warning form and returns the new warning's id.
func writeWarning(t *testing.T, srv *testutil.Server, c *http.Client, unit, title, body string, publish bool) int64 {
	t.Helper()
	form := url.Values{"unit": {unit}, "category": {"lua_dao_qua_mang"}, "title": {title}, "body": {body}}
	if publish {
		form.Set("dang", "1")
	}
	r := post(t, srv, c, "/can-bo/canh-bao", form)
	m := warningLocation.FindStringSubmatch(r.Location())
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("write warning %q: status %d, location %q\n%s", title, r.Status, r.Location(), excerpt(r.Body))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

type warningRow struct {
	Unit, Title, Body, Status, PublishedAt string
}

func warningByID(t *testing.T, srv *testutil.Server, id int64) warningRow {
	t.Helper()
	var w warningRow
	if err := srv.Main.DB.QueryRow(context.Background(), "SELECT unit_code, title, body, status, published_at FROM warnings WHERE id = ?", id).
		Scan(&w.Unit, &w.Title, &w.Body, &w.Status, &w.PublishedAt); err != nil {
		t.Fatalf("warning %d: %v", id, err)
	}
	return w
}

func countWarnings(t *testing.T, srv *testutil.Server) int {
	t.Helper()
	var n int
	if err := srv.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM warnings").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// warningAudit lists the audit actions on a warning, oldest first.
func warningAudit(t *testing.T, srv *testutil.Server, id int64) []string {
	t.Helper()
	rows, err := srv.Main.DB.Query(context.Background(), "SELECT action FROM audit_log WHERE object = ? ORDER BY seq", "warning:"+strconv.FormatInt(id, 10))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// portalTitles are the titles the portal's home page lists, in order.
func portalTitles(t *testing.T, srv *testutil.Server, query string) []string {
	t.Helper()
	r := get(t, srv, srv.NewClient(t), "/"+query)
	if r.Status != http.StatusOK {
		t.Fatalf("portal %s: status %d", query, r.Status)
	}
	var out []string
	for _, m := range regexp.MustCompile(`<a href="/canh-bao/[0-9]+">([^<]*)</a>`).FindAllStringSubmatch(r.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestWarnings: a province's officer writes, publishes, edits and takes
// down their province's warnings, and nobody else's; the Ministry writes
// for the nation; the portal shows only what is published, nation-wide
// and for the province chosen, newest first; every change is audited.
func TestWarnings(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			hn := officer(t, srv, "tinh-01", account.Province, "01")
			hcm := officer(t, srv, "tinh-79", account.Province, "79")
			bo := officer(t, srv, "bo-cong-an", account.Ministry, "VN")
			xa := officer(t, srv, "xa-T0101", account.Commune, "T0101")
			anon := srv.NewClient(t)

			// A draft is not on the portal.
			draft := writeWarning(t, srv, hn, "01", "Giả danh nhân viên điện lực", "Đối tượng gọi điện báo cắt điện, yêu cầu chuyển tiền.", false)
			if w := warningByID(t, srv, draft); w.Unit != "01" || w.Status != "draft" || w.PublishedAt != "" {
				t.Errorf("new warning %+v, want a draft of 01", w)
			}
			if got := portalTitles(t, srv, "?tinh=01"); len(got) != 0 {
				t.Errorf("portal of 01 lists %q before anything is published", got)
			}
			if r := get(t, srv, anon, "/canh-bao/"+strconv.FormatInt(draft, 10)); r.Status != http.StatusNotFound {
				t.Errorf("a draft on the portal: status %d, want 404", r.Status)
			}

			// A province officer writes for their province only: another
			// province and the nation are not found, and nothing is stored.
			before := countWarnings(t, srv)
			for _, unit := range []string{"79", "VN", "T9999"} {
				r := post(t, srv, hn, "/can-bo/canh-bao", url.Values{"unit": {unit}, "category": {"lua_dao"}, "title": {"Cảnh báo của tỉnh khác"},
					"body": {"Nội dung"}, "dang": {"1"}})
				if r.Status != http.StatusNotFound {
					t.Errorf("officer of 01 writes for %s: status %d, want 404", unit, r.Status)
				}
			}
			// A commune's code inside the province is not a province.
			if r := post(t, srv, hn, "/can-bo/canh-bao", url.Values{"unit": {"T0101"}, "category": {"lua_dao"}, "title": {"Cảnh báo xã"}, "body": {"Nội dung"}}); r.Status != http.StatusBadRequest {
				t.Errorf("officer of 01 writes for a commune: status %d, want 400", r.Status)
			}
			// A commune officer may not write at all.
			if r := post(t, srv, xa, "/can-bo/canh-bao", url.Values{"unit": {"01"}, "category": {"lua_dao"}, "title": {"Cảnh báo"}, "body": {"Nội dung"}}); r.Status != http.StatusForbidden {
				t.Errorf("commune officer writes a warning: status %d, want 403", r.Status)
			}
			if r := get(t, srv, xa, "/can-bo/canh-bao"); r.Status != http.StatusForbidden {
				t.Errorf("commune officer lists warnings: status %d, want 403", r.Status)
			}
			// A form with a mistake comes back with what was typed.
			r := post(t, srv, hn, "/can-bo/canh-bao", url.Values{"unit": {"01"}, "category": {"lua_dao"}, "title": {"  "}, "body": {"Nội dung đã gõ"}})
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Vui lòng nhập tiêu đề") || !strings.Contains(r.Body, "Nội dung đã gõ") {
				t.Errorf("warning without a title: status %d, want 400 with the message and the text typed\n%s", r.Status, excerpt(r.Body))
			}
			if n := countWarnings(t, srv); n != before {
				t.Fatalf("%d warnings after refused forms, want %d", n, before)
			}

			// Publishing puts it on the province's portal only.
			srv.Clock.Advance(time.Hour)
			if r := post(t, srv, hn, "/can-bo/canh-bao/"+strconv.FormatInt(draft, 10)+"/dang", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("publish: status %d\n%s", r.Status, excerpt(r.Body))
			}
			if got := portalTitles(t, srv, "?tinh=01"); !slices.Equal(got, []string{"Giả danh nhân viên điện lực"}) {
				t.Errorf("portal of 01 lists %q, want the published warning", got)
			}
			for _, q := range []string{"", "?tinh=79", "?tinh=99"} {
				if got := portalTitles(t, srv, q); len(got) != 0 {
					t.Errorf("portal %q lists %q, want none of 01's warnings", q, got)
				}
			}
			r = get(t, srv, anon, "/canh-bao/"+strconv.FormatInt(draft, 10))
			if r.Status != http.StatusOK || !strings.Contains(r.Body, "Đối tượng gọi điện báo cắt điện") || !strings.Contains(r.Body, "Thành phố Hà Nội") {
				t.Errorf("published warning page: status %d\n%s", r.Status, excerpt(r.Body))
			}

			// The Ministry's nation-wide warning, published later, comes
			// first everywhere.
			srv.Clock.Advance(time.Hour)
			nation := writeWarning(t, srv, bo, "VN", "Lừa đảo cài ứng dụng giả mạo", "Không cài ứng dụng theo đường link lạ.", true)
			if got := portalTitles(t, srv, "?tinh=01"); !slices.Equal(got, []string{"Lừa đảo cài ứng dụng giả mạo", "Giả danh nhân viên điện lực"}) {
				t.Errorf("portal of 01 lists %q, want the nation's then 01's, newest first", got)
			}
			if got := portalTitles(t, srv, ""); !slices.Equal(got, []string{"Lừa đảo cài ứng dụng giả mạo"}) {
				t.Errorf("portal lists %q, want the nation-wide warning", got)
			}
			// The Ministry may write for any province too.
			forHCM := writeWarning(t, srv, bo, "79", "Trộm cắp xe máy ban đêm", "Khóa xe cẩn thận.", false)

			// Nobody touches another province's or the nation's warning.
			for _, x := range []struct {
				who  *http.Client
				name string
				id   int64
			}{{hcm, "officer of 79", draft}, {hn, "officer of 01", nation}, {hn, "officer of 01", forHCM}} {
				ids := "/can-bo/canh-bao/" + strconv.FormatInt(x.id, 10)
				before := warningByID(t, srv, x.id)
				for _, c := range []struct{ method, path string }{
					{http.MethodGet, ids}, {http.MethodPost, ids}, {http.MethodPost, ids + "/dang"}, {http.MethodPost, ids + "/go"},
				} {
					var r reply
					if c.method == http.MethodGet {
						r = get(t, srv, x.who, c.path)
					} else {
						r = post(t, srv, x.who, c.path, url.Values{"unit": {before.Unit}, "category": {"lua_dao"}, "title": {"Đã sửa"}, "body": {"Đã sửa"}})
					}
					if r.Status != http.StatusNotFound {
						t.Errorf("%s: %s %s: status %d, want 404", x.name, c.method, c.path, r.Status)
					}
				}
				if after := warningByID(t, srv, x.id); after != before {
					t.Errorf("%s changed warning %d: %+v → %+v", x.name, x.id, before, after)
				}
			}
			if r := get(t, srv, hcm, "/can-bo/canh-bao"); r.Status != http.StatusOK || strings.Contains(r.Body, "Giả danh nhân viên điện lực") ||
				!strings.Contains(r.Body, "Trộm cắp xe máy ban đêm") {
				t.Errorf("officer of 79's list: status %d; want their province's warnings only\n%s", r.Status, excerpt(r.Body))
			}
			if r := get(t, srv, bo, "/can-bo/canh-bao"); !strings.Contains(r.Body, "Giả danh nhân viên điện lực") || !strings.Contains(r.Body, "Lừa đảo cài ứng dụng giả mạo") {
				t.Errorf("the Ministry's list does not hold every warning\n%s", excerpt(r.Body))
			}

			// Editing a published warning keeps it published, with the new
			// text.
			id := strconv.FormatInt(draft, 10)
			r = post(t, srv, hn, "/can-bo/canh-bao/"+id, url.Values{"unit": {"01"}, "category": {"lua_dao"}, "title": {"Giả danh nhân viên điện lực, nước"},
				"body": {"Đối tượng gọi điện báo cắt điện, cắt nước."}})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("edit: status %d\n%s", r.Status, excerpt(r.Body))
			}
			if got := portalTitles(t, srv, "?tinh=01"); !slices.Contains(got, "Giả danh nhân viên điện lực, nước") {
				t.Errorf("portal of 01 lists %q after the edit", got)
			}

			// Taking it down removes it from the portal and keeps it.
			if r := post(t, srv, hn, "/can-bo/canh-bao/"+id+"/go", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("unpublish: status %d\n%s", r.Status, excerpt(r.Body))
			}
			if w := warningByID(t, srv, draft); w.Status != "unpublished" {
				t.Errorf("taken-down warning is %s", w.Status)
			}
			if got := portalTitles(t, srv, "?tinh=01"); !slices.Equal(got, []string{"Lừa đảo cài ứng dụng giả mạo"}) {
				t.Errorf("portal of 01 lists %q after the take-down", got)
			}
			if r := get(t, srv, anon, "/canh-bao/"+id); r.Status != http.StatusNotFound {
				t.Errorf("taken-down warning on the portal: status %d, want 404", r.Status)
			}
			if r := post(t, srv, hn, "/can-bo/canh-bao/"+id+"/go", nil); r.Status != http.StatusConflict {
				t.Errorf("taking down twice: status %d, want 409", r.Status)
			}

			if got, want := warningAudit(t, srv, draft), []string{"warning.create", "warning.publish", "warning.update", "warning.unpublish"}; !slices.Equal(got, want) {
				t.Errorf("audit of the province's warning: %q, want %q", got, want)
			}
			if got, want := warningAudit(t, srv, nation), []string{"warning.create", "warning.publish"}; !slices.Equal(got, want) {
				t.Errorf("audit of the nation-wide warning: %q, want %q", got, want)
			}
		})
	}
}

// TestWarningsXSS: markup typed in a warning is text on every page that
// shows it: the portal's list and page, the staff list and form, and the
// form sent back with an error.
func TestWarningsXSS(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			bo := officer(t, srv, "bo-cong-an", account.Ministry, "VN")
			anon := srv.NewClient(t)
			for i, p := range xssPayloads {
				title, body := xssValue(p, "title"+strconv.Itoa(i)), xssValue(p, "body"+strconv.Itoa(i))
				id := strconv.FormatInt(writeWarning(t, srv, bo, "VN", title, "Đoạn đầu "+body+"\nĐoạn sau "+body, true), 10)
				xssCheck(t, get(t, srv, anon, "/"), "portal", http.StatusOK, title, "Đoạn đầu "+body)
				xssCheck(t, get(t, srv, anon, "/canh-bao/"+id), "warning page", http.StatusOK, title, "Đoạn sau "+body)
				xssCheck(t, get(t, srv, bo, "/can-bo/canh-bao"), "staff list", http.StatusOK, title)
				xssCheck(t, get(t, srv, bo, "/can-bo/canh-bao/"+id), "edit form", http.StatusOK, title, "Đoạn sau "+body)
				r := post(t, srv, bo, "/can-bo/canh-bao", url.Values{"unit": {"VN"}, "category": {"khac"}, "title": {title}, "body": {strings.Repeat("x", 10001)}})
				xssCheck(t, r, "refused form", http.StatusBadRequest, title)
			}
		})
	}
}
