package web_test

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/crimesource"
)

var (
	inboxLink  = regexp.MustCompile(`<a href="/can-bo/nguon-tin/([0-9]+)">(TG-[^<]+)</a>`)
	fileLink   = regexp.MustCompile(`href="/can-bo/tep/([0-9]+)"`)
	createdLoc = regexp.MustCompile(`^/can-bo/nguon-tin/([0-9]+)\?kq=ok$`)
)

// inboxIDs returns the sources listed on an inbox page, tracking code → id.
func inboxIDs(body string) map[string]string {
	out := map[string]string{}
	for _, m := range inboxLink.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// act posts one action on a source's page and expects the redirect back.
func act(t *testing.T, srv sampleServer, c *http.Client, id string, form url.Values) {
	t.Helper()
	r := postMultipart(t, srv.Server, c, "/can-bo/nguon-tin/"+id+"/thao-tac", form)
	if r.Status != http.StatusSeeOther || r.Location() != "/can-bo/nguon-tin/"+id+"?kq=ok" {
		t.Fatalf("action %s on %s: status %d, location %q; want 303 back to the page:\n%s", form.Get("action"), id, r.Status, r.Location(), r.Body)
	}
}

// TestSourceWorkflow follows a citizen's reports through the officers'
// pages: the commune's inbox, search, CSV, the source page, registration and
// transfer, the investigator's decision and message, identity reveal, files,
// and what the citizen then reads.
func TestSourceWorkflow(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)
			pwInv := srv.CreateUser(t, "dtv-hn", account.Investigator, "01")
			inv, _ := enrolTOTP(t, srv.Server, "dtv-hn", pwInv)

			photo := jpegWithGPS(t)
			fraudForm := identified(reportForm("Lừa đảo qua điện thoại: đối tượng giả danh công an yêu cầu chuyển tiền."))
			fraud, fraudCode := submitReport(t, srv.Server, fraudForm, upload{"bang-chung.pdf", "application/pdf", photo}) // typed by content, not name
			theftForm := reportForm("Trộm cắp xe máy trước cổng chợ lúc nửa đêm.")
			theftForm.Set("category", "trat_tu_xa_hoi")
			theft, _ := submitReport(t, srv.Server, theftForm)

			r := get(t, srv.Server, srv.A, "/can-bo/nguon-tin")
			ids := inboxIDs(r.Body)
			if r.Status != http.StatusOK || ids[fraud] == "" || ids[theft] == "" {
				t.Fatalf("T0101 inbox: status %d, want both reports listed (%s, %s):\n%s", r.Status, fraud, theft, r.Body)
			}
			id := ids[fraud]
			page := "/can-bo/nguon-tin/" + id
			if r := get(t, srv.Server, srv.B, "/can-bo/nguon-tin"); r.Status != http.StatusOK || strings.Contains(r.Body, fraud) || strings.Contains(r.Body, theft) {
				t.Errorf("T0102 inbox: status %d, want neither of T0101's reports", r.Status)
			}

			t.Run("search", func(t *testing.T) {
				r := get(t, srv.Server, srv.A, "/can-bo/nguon-tin?q=lua+dao")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, fraud) || strings.Contains(r.Body, theft) {
					t.Errorf("?q=lua+dao: status %d; want %s and not %s", r.Status, fraud, theft)
				}
				if r := get(t, srv.Server, srv.A, "/can-bo/nguon-tin?q=xe+may"); !strings.Contains(r.Body, theft) || strings.Contains(r.Body, fraud) {
					t.Errorf("?q=xe+may: want %s only", theft)
				}
				if r := get(t, srv.Server, srv.A, "/can-bo/nguon-tin?q="+url.QueryEscape(fraud)); !strings.Contains(r.Body, fraud) || strings.Contains(r.Body, theft) {
					t.Errorf("search by tracking code: want %s only", fraud)
				}
				if r := get(t, srv.Server, srv.A, "/can-bo/nguon-tin?linh-vuc=trat_tu_xa_hoi"); !strings.Contains(r.Body, theft) || strings.Contains(r.Body, fraud) {
					t.Errorf("category filter: want %s only", theft)
				}
			})

			t.Run("csv", func(t *testing.T) {
				recs := readCSV(t, get(t, srv.Server, srv.A, "/can-bo/nguon-tin?dinh-dang=csv"))
				if len(recs) != 3 || recs[0][0] != "ma_theo_doi" || len(recs[0]) < 5 {
					t.Fatalf("CSV: %q; want a header row and two reports", recs)
				}
				seen := map[string]bool{}
				for _, row := range recs[1:] {
					seen[row[0]] = true
				}
				if !seen[fraud] || !seen[theft] {
					t.Errorf("CSV rows %q lack the tracking codes", recs[1:])
				}
				recs = readCSV(t, get(t, srv.Server, srv.A, "/can-bo/nguon-tin?q=lua+dao&dinh-dang=csv"))
				if len(recs) != 2 || recs[1][0] != fraud {
					t.Errorf("CSV with ?q=lua+dao: %q; want only %s", recs, fraud)
				}
			})

			r = get(t, srv.Server, srv.A, page)
			if r.Status != http.StatusOK {
				t.Fatalf("A GET %s: status %d", page, r.Status)
			}
			for _, s := range []string{fraud, "Diễn biến", "<strong>Tiếp nhận</strong>", "Công an phường Mẫu Một", "Có danh tính (đã niêm phong)", "Lừa đảo qua điện thoại"} {
				if !strings.Contains(r.Body, s) {
					t.Errorf("source page lacks %q", s)
				}
			}
			for _, s := range []string{"Nguyễn Văn An", "001099012345", "0912345678", fraudCode, "/danh-tinh"} {
				if strings.Contains(r.Body, s) {
					t.Errorf("commune officer's source page shows %q", s)
				}
			}

			t.Run("other commune refused", func(t *testing.T) {
				if r := get(t, srv.Server, srv.B, page); r.Status != http.StatusNotFound || strings.Contains(r.Body, fraud) {
					t.Errorf("B GET %s: status %d, want 404 without the report", page, r.Status)
				}
				r := postMultipart(t, srv.Server, srv.B, page+"/thao-tac", url.Values{"action": {"register"}})
				if r.Status != http.StatusNotFound {
					t.Errorf("B registers A's source: status %d, want 404", r.Status)
				}
				if r := post(t, srv.Server, srv.B, page+"/danh-tinh", url.Values{"reason": {"Tò mò muốn biết người báo tin"}}); !refused(r.Status) || strings.Contains(r.Body, "Nguyễn Văn An") {
					t.Errorf("B reveals: status %d, want 403 or 404 without the name", r.Status)
				}
			})

			t.Run("commune may not reveal", func(t *testing.T) {
				r := post(t, srv.Server, srv.A, page+"/danh-tinh", url.Values{"reason": {"Cần liên hệ người báo tin để xác minh"}})
				if r.Status != http.StatusForbidden || strings.Contains(r.Body, "Nguyễn Văn An") || strings.Contains(r.Body, "001099012345") {
					t.Errorf("commune reveals: status %d, want 403 without the identity", r.Status)
				}
			})

			act(t, srv, srv.A, id, url.Values{"action": {"register"}, "category": {"cong_nghe_cao"}})
			act(t, srv, srv.A, id, url.Values{"action": {"transfer_investigation"}, "note": {"Chuyển để xác minh."}})
			r = get(t, srv.Server, srv.A, page)
			if !strings.Contains(r.Body, "<dt>Đơn vị đang giải quyết</dt><dd>Công an thành phố Hà Nội</dd>") {
				t.Errorf("after transfer the source is not with Công an thành phố Hà Nội:\n%s", r.Body)
			}
			for _, s := range []string{"<strong>Lập biên bản tiếp nhận</strong>", "<strong>Chuyển cơ quan điều tra</strong>", "Chuyển để xác minh."} {
				if !strings.Contains(r.Body, s) {
					t.Errorf("timeline after transfer lacks %q", s)
				}
			}
			// The commune no longer holds it: it may not register it again.
			if r := postMultipart(t, srv.Server, srv.A, page+"/thao-tac", url.Values{"action": {"register"}}); r.Status < 400 {
				t.Errorf("A registers the transferred source again: status %d", r.Status)
			}

			r = get(t, srv.Server, inv, page)
			if r.Status != http.StatusOK || !strings.Contains(r.Body, `value="decide"`) || !strings.Contains(r.Body, page+"/danh-tinh") {
				t.Fatalf("investigator GET %s: status %d, want the decision and reveal forms:\n%s", page, r.Status, r.Body)
			}
			fm := fileLink.FindStringSubmatch(r.Body)
			if fm == nil {
				t.Fatalf("source page lists no attachment:\n%s", r.Body)
			}
			filePath := "/can-bo/tep/" + fm[1]

			t.Run("file", func(t *testing.T) {
				r := get(t, srv.Server, inv, filePath)
				if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
					t.Fatalf("investigator GET %s: status %d, Content-Type %q, Content-Disposition %q", filePath, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
				}
				if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="tep-`+fm[1]+`.jpg"` {
					t.Errorf("Content-Disposition %q, want attachment named tep-%s.jpg", cd, fm[1])
				}
				if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("file: X-Content-Type-Options %q, Cache-Control %q", r.Header.Get("X-Content-Type-Options"), r.Header.Get("Cache-Control"))
				}
				if strings.Contains(r.Body, "Pixel 9") || strings.Contains(r.Body, "GPSLatitude") {
					t.Errorf("downloaded photo still carries its metadata")
				}
				if _, err := jpeg.Decode(bytes.NewReader([]byte(r.Body))); err != nil {
					t.Errorf("downloaded photo does not decode: %v", err)
				}
				if r := get(t, srv.Server, srv.B, filePath); r.Status != http.StatusNotFound || strings.Contains(r.Body, "\xff\xd8") {
					t.Errorf("B GET %s: status %d, want 404", filePath, r.Status)
				}
				if r := get(t, srv.Server, srv.B, "/can-bo/tep/999999"); r.Status != http.StatusNotFound {
					t.Errorf("unknown file: status %d, want 404", r.Status)
				}
			})

			t.Run("reveal", func(t *testing.T) {
				r := post(t, srv.Server, inv, page+"/danh-tinh", url.Values{"reason": {"ngắn"}})
				if r.Status != http.StatusBadRequest || strings.Contains(r.Body, "Nguyễn Văn An") {
					t.Errorf("reveal with too short a reason: status %d, want 400 without the name", r.Status)
				}
				r = post(t, srv.Server, inv, page+"/danh-tinh", url.Values{"reason": {"Cần liên hệ người báo tin để xác minh thêm"}})
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "Nguyễn Văn An") || !strings.Contains(r.Body, "001099012345") {
					t.Errorf("investigator reveals: status %d, want the name and ID number:\n%s", r.Status, r.Body)
				}
				if r := get(t, srv.Server, inv, page); strings.Contains(r.Body, "Nguyễn Văn An") || !strings.Contains(r.Body, "<strong>Xem danh tính người báo tin</strong>") {
					t.Errorf("after the reveal the page shows the name again, or the reveal is missing from the timeline")
				}
			})

			msg := "Đề nghị anh/chị đến trụ sở Công an thành phố để cung cấp thêm tài liệu."
			act(t, srv, inv, id, url.Values{"action": {"decide"}, "outcome": {"not_prosecute"}, "ref": {"12/QĐ-CSHS"}})
			act(t, srv, inv, id, url.Values{"action": {"message"}, "message": {msg}})
			if r := get(t, srv.Server, inv, page); !strings.Contains(r.Body, "Đã quyết định không khởi tố vụ án") || !strings.Contains(r.Body, msg) {
				t.Errorf("investigator's page after the decision lacks the status or the message")
			}

			r = follow(t, srv.Server, fraudCode)
			st := regexp.MustCompile(`(?s)<p class="status" id="status">(.*?)</p>`).FindStringSubmatch(r.Body)
			if r.Status != http.StatusOK || st == nil || !strings.Contains(st[1], "không khởi tố") {
				t.Errorf("citizen follow after the decision: status %d, status text %q; want “không khởi tố”", r.Status, st)
			}
			if !strings.Contains(r.Body, msg) || !strings.Contains(r.Body, "Công an thành phố Hà Nội") {
				t.Errorf("citizen follow page lacks the investigator's message or the handling unit:\n%s", r.Body)
			}
			for _, s := range []string{"dtv-hn", "12/QĐ-CSHS", "Chuyển để xác minh."} {
				if strings.Contains(r.Body, s) {
					t.Errorf("citizen follow page shows internal handling %q", s)
				}
			}

			t.Run("officer entry", func(t *testing.T) {
				form := url.Values{"channel": {"walk_in"}, "kind": {"to_giac"}, "category": {"trat_tu_xa_hoi"},
					"description": {"Công dân đến trụ sở trình báo bị cướp giật điện thoại."}, "address": {"Đầu ngõ 7"},
					"full_name": {"Lê Thị Cúc"}, "id_number": {"001199000111"}, "phone": {"0987654321"}, "reporter_address": {"Số 7 phố Mẫu"}}
				n := countSources(t, srv.Server)
				r := postMultipart(t, srv.Server, srv.A, "/can-bo/nguon-tin", form)
				m := createdLoc.FindStringSubmatch(r.Location())
				if r.Status != http.StatusSeeOther || m == nil {
					t.Fatalf("officer entry: status %d, location %q; want 303 to the new source:\n%s", r.Status, r.Location(), r.Body)
				}
				r = get(t, srv.Server, srv.A, r.Location())
				for _, s := range []string{"Công dân đến trụ sở trình báo", crimesource.ChannelName("walk_in"), "Có danh tính (đã niêm phong)", "Đã ghi nhận thao tác.", "Công an phường Mẫu Một"} {
					if !strings.Contains(r.Body, s) {
						t.Errorf("new source page lacks %q", s)
					}
				}
				if strings.Contains(r.Body, "Lê Thị Cúc") {
					t.Errorf("new source page shows the sealed name")
				}
				if got := countSources(t, srv.Server); got != n+1 {
					t.Errorf("sources: %d, want %d", got, n+1)
				}
				// A form error keeps what was typed.
				form.Set("description", "")
				r = postMultipart(t, srv.Server, srv.A, "/can-bo/nguon-tin", form)
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `value="Đầu ngõ 7"`) || !strings.Contains(r.Body, "Vui lòng mô tả sự việc") {
					t.Errorf("officer entry without a description: status %d; want 400 with the typed values kept", r.Status)
				}
				// The movement staff of the province do not enter sources.
				if r := postMultipart(t, srv.Server, srv.Prov, "/can-bo/nguon-tin", form); r.Status != http.StatusForbidden {
					t.Errorf("province movement officer enters a source: status %d, want 403", r.Status)
				}
				if got := countSources(t, srv.Server); got != n+1 {
					t.Errorf("sources: %d after refused entries, want %d", got, n+1)
				}
			})

			t.Run("overdue", func(t *testing.T) {
				if r := get(t, srv.Server, srv.A, "/can-bo/nguon-tin?han=overdue"); r.Status != http.StatusOK || strings.Contains(r.Body, theft) {
					t.Errorf("?han=overdue on the day of receipt: status %d, want %s not listed", r.Status, theft)
				}
				srv.Clock.Advance(8 * 24 * time.Hour)
				// Sessions have expired by now: a colleague of the same commune signs in.
				a := srv.Login(t, "xa-a2", srv.CreateUser(t, "xa-a2", account.Commune, "T0101"))
				fresh, _ := submitReport(t, srv.Server, reportForm("Một tin báo mới sau tám ngày."))
				r := get(t, srv.Server, a, "/can-bo/nguon-tin?han=overdue")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, theft) || strings.Contains(r.Body, fresh) {
					t.Errorf("?han=overdue 8 days on: status %d; want %s (7-day transfer limit passed) and not %s:\n%s", r.Status, theft, fresh, r.Body)
				}
				if r := get(t, srv.Server, a, "/can-bo/nguon-tin?han=bogus"); r.Status != http.StatusBadRequest {
					t.Errorf("?han=bogus: status %d, want 400", r.Status)
				}
			})
		})
	}
}

// TestSourceEscaping: what a citizen types is shown as text on the officer's
// pages and on the citizen's own, never as markup.
func TestSourceEscaping(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)
			const attack = `<script>alert(1)</script> "><img src=x onerror=alert(1)>`
			form := reportForm(attack)
			form.Set("address", attack)
			tracking, code := submitReport(t, srv.Server, form)
			if r := postMultipart(t, srv.Server, srv.NewClient(t), "/theo-doi/tra-loi", url.Values{"receipt_code": {code}, "message": {attack}}); r.Status != http.StatusOK {
				t.Fatalf("reply: status %d:\n%s", r.Status, r.Body)
			}
			inbox := get(t, srv.Server, srv.A, "/can-bo/nguon-tin")
			id := inboxIDs(inbox.Body)[tracking]
			if id == "" {
				t.Fatalf("report not in the inbox:\n%s", inbox.Body)
			}
			act(t, srv, srv.A, id, url.Values{"action": {"message"}, "message": {"Trả lời: " + attack}})
			source := get(t, srv.Server, srv.A, "/can-bo/nguon-tin/"+id)
			followPage := follow(t, srv.Server, code)

			escapedScript := "&lt;script&gt;alert(1)&lt;/script&gt;"
			escapedImg := "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
			for _, c := range []struct {
				what string
				r    reply
				min  int // escaped copies expected
			}{
				{"inbox", inbox, 1},
				{"source page", source, 4},     // description, address, reply, officer's message
				{"follow page", followPage, 2}, // reply, officer's message
			} {
				if c.r.Status != http.StatusOK {
					t.Errorf("%s: status %d", c.what, c.r.Status)
				}
				for _, raw := range []string{"<script>alert(1)", "<img src=x", "onerror=alert(1)>"} {
					if strings.Contains(c.r.Body, raw) {
						t.Errorf("%s contains %q unescaped", c.what, raw)
					}
				}
				if n := strings.Count(c.r.Body, escapedScript); n < c.min {
					t.Errorf("%s shows the script as text %d times, want at least %d", c.what, n, c.min)
				}
				if n := strings.Count(c.r.Body, escapedImg); n < c.min {
					t.Errorf("%s shows the image tag as text %d times, want at least %d", c.what, n, c.min)
				}
			}
		})
	}
}
