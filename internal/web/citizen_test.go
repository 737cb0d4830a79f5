package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/abuse"
	"toandan/internal/crimesource"
	"toandan/internal/testutil"
)

var (
	receiptCodePattern  = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)
	trackingCodePattern = regexp.MustCompile(`^TG-2026-[0-9A-HJKMNP-TV-Z]+$`)
	receiptShown        = regexp.MustCompile(`id="receipt-code">([^<]*)<`)
	trackingShown       = regexp.MustCompile(`id="tracking-code">([^<]*)<`)
	// urlAttr finds the URLs a page makes the browser load or go to.
	urlAttr = regexp.MustCompile(`(?i)\s(src|href|action|formaction|srcset|poster|data|manifest)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
)

// upload is a file part of a multipart form, in the field "attachments".
type upload struct {
	name, contentType string
	data              []byte
}

// postMultipart submits form as multipart/form-data, as the citizen and
// officer forms do, with files in "attachments".
func postMultipart(t *testing.T, srv *testutil.Server, c *http.Client, path string, form url.Values, files ...upload) reply {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range form[k] {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.name))
		h.Set("Content-Type", f.contentType)
		p, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write(f.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return send(t, c, req)
}

// reportForm is a complete anonymous report for commune T0101.
func reportForm(description string) url.Values {
	return url.Values{
		"category":      {"cong_nghe_cao"},
		"province_code": {"01"},
		"commune_code":  {"T0101"},
		"address":       {"Số 12 ngõ Mẫu"},
		"occurred_at":   {"2026-11-29T21:30"},
		"description":   {description},
		"anonymous":     {"1"},
	}
}

// identified turns a report form into one with the reporter's identity.
func identified(f url.Values) url.Values {
	f.Set("anonymous", "0")
	f.Set("full_name", "Nguyễn Văn An")
	f.Set("id_number", "001099012345")
	f.Set("phone", "0912345678")
	f.Set("reporter_address", "Số 5 ngõ 10 phố Mẫu")
	return f
}

// submitReport sends a report through the citizen form and returns the
// tracking and receipt codes shown on the receipt page.
func submitReport(t *testing.T, srv *testutil.Server, form url.Values, files ...upload) (tracking, receipt string) {
	t.Helper()
	r := postMultipart(t, srv, srv.NewClient(t), "/to-giac", form, files...)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /to-giac: status %d, want 201:\n%s", r.Status, r.Body)
	}
	rm, tm := receiptShown.FindStringSubmatch(r.Body), trackingShown.FindStringSubmatch(r.Body)
	if rm == nil || tm == nil || !receiptCodePattern.MatchString(rm[1]) || !trackingCodePattern.MatchString(tm[1]) {
		t.Fatalf("receipt page shows receipt %q, tracking %q:\n%s", rm, tm, r.Body)
	}
	return tm[1], rm[1]
}

// follow looks a report up through the citizen follow page.
func follow(t *testing.T, srv *testutil.Server, receipt string) reply {
	t.Helper()
	return post(t, srv, srv.NewClient(t), "/theo-doi", url.Values{"receipt_code": {receipt}})
}

func countSources(t *testing.T, srv *testutil.Server) int {
	t.Helper()
	var n int
	if err := srv.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM sources").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// jpegWithGPS returns a small JPEG carrying an EXIF block that names a GPS
// position and the phone that took it.
func jpegWithGPS(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := 0; y < 24; y++ {
		for x := 0; x < 32; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00")
	payload = append(payload, "GPSLatitude 21/1 1/1 4/1 N GPSLongitude 105/1 51/1 12/1 E Make Google Model Pixel 9\x00"...)
	out := append([]byte{}, plain[:2]...)
	out = append(out, 0xFF, 0xE1, byte((len(payload)+2)>>8), byte(len(payload)+2))
	out = append(out, payload...)
	return append(out, plain[2:]...)
}

// noCookies fails if a citizen page set a cookie.
func noCookies(t *testing.T, r reply, what string) {
	t.Helper()
	if sc := r.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Errorf("%s sets cookies %q; citizen pages must set none", what, sc)
	}
}

// pageURLs returns the URLs in a page's src, href, action… attributes.
func pageURLs(body string) []string {
	var out []string
	for _, m := range urlAttr.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(strings.Trim(m[2], `"'`)))
	}
	return out
}

// sameOriginOnly fails if a page refers to another origin.
func sameOriginOnly(t *testing.T, body, what string) {
	t.Helper()
	for _, u := range pageURLs(body) {
		if u == "" || strings.HasPrefix(u, "#") || (strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && !strings.HasPrefix(u, "/\\")) {
			continue
		}
		t.Errorf("%s refers to %q; citizen pages use relative URLs only", what, u)
	}
	for _, s := range []string{"http://", "https://", "url(//"} {
		if strings.Contains(body, s) {
			t.Errorf("%s contains %q", what, s)
		}
	}
}

// codeNotInURLs fails if the receipt code shows in a Location header or in
// any URL of the page.
func codeNotInURLs(t *testing.T, r reply, code, what string) {
	t.Helper()
	variants := []string{code, strings.ReplaceAll(code, "-", "")}
	for _, v := range variants {
		if strings.Contains(r.Location(), v) {
			t.Errorf("%s: Location %q holds the receipt code", what, r.Location())
		}
		for _, u := range pageURLs(r.Body) {
			if strings.Contains(strings.ToUpper(u), v) {
				t.Errorf("%s: URL %q in the page holds the receipt code", what, u)
			}
		}
	}
}

func gzipSize(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Len()
}

// TestReportForm covers the citizen's report form without JavaScript:
// plain form posts from the first page to the receipt.
func TestReportForm(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			c := srv.NewClient(t)

			home := get(t, srv, c, "/")
			if home.Status != http.StatusOK {
				t.Errorf("home: status %d", home.Status)
			}
			noCookies(t, home, "GET /")
			sameOriginOnly(t, home.Body, "GET /")

			r := get(t, srv, c, "/to-giac")
			if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.Body, `<html lang="vi">`) {
				t.Fatalf("GET /to-giac: status %d, Content-Type %q", r.Status, r.Header.Get("Content-Type"))
			}
			for _, s := range []string{"Tố giác tội phạm", "Gửi tin tố giác", "gửi ẩn danh", `<select id="category" name="category"`, `enctype="multipart/form-data"`} {
				if !strings.Contains(r.Body, s) {
					t.Errorf("GET /to-giac lacks %q", s)
				}
			}
			cats, err := srv.Main.Sources.Categories(context.Background())
			if err != nil || len(cats) == 0 {
				t.Fatalf("categories: %v %v", cats, err)
			}
			for _, cat := range cats {
				if !strings.Contains(r.Body, `<option value="`+cat.Code+`">`+html.EscapeString(cat.Name)+`</option>`) {
					t.Errorf("category %s (%s) not offered", cat.Code, cat.Name)
				}
			}
			provSelect := regexp.MustCompile(`(?s)<select id="province_code"[^>]*>(.*?)</select>`).FindStringSubmatch(r.Body)
			if provSelect == nil {
				t.Fatalf("no province select:\n%s", r.Body)
			}
			if n := len(regexp.MustCompile(`<option value="[0-9]{2}"`).FindAllString(provSelect[1], -1)); n != 34 {
				t.Errorf("province select offers %d provinces, want 34", n)
			}
			for _, p := range []string{`<option value="01">Hà Nội</option>`, `<option value="79">Hồ Chí Minh</option>`} {
				if !strings.Contains(provSelect[1], p) {
					t.Errorf("province select lacks %s", p)
				}
			}
			if strings.Contains(r.Body, "pow_challenge") || strings.Contains(r.Body, "pow.js") {
				t.Errorf("proof of work is off, yet the form carries it")
			}
			noCookies(t, r, "GET /to-giac")
			sameOriginOnly(t, r.Body, "GET /to-giac")

			t.Run("page weight", func(t *testing.T) {
				total := gzipSize(t, []byte(r.Body))
				var css, js int
				for _, u := range pageURLs(r.Body) {
					if !strings.HasPrefix(u, "/static/") {
						continue
					}
					a := get(t, srv, c, u)
					if a.Status != http.StatusOK {
						t.Errorf("GET %s: status %d", u, a.Status)
						continue
					}
					switch {
					case strings.HasSuffix(u, ".css"):
						css++
						sameOriginOnly(t, a.Body, u)
					case strings.HasSuffix(u, ".js"):
						js++
					}
					total += gzipSize(t, []byte(a.Body))
				}
				if css == 0 || js == 0 {
					t.Errorf("found %d style sheets and %d scripts on the report page; the weight check is not measuring them", css, js)
				}
				if total > 30<<10 {
					t.Errorf("report page with its CSS and JS: %d bytes gzipped, want at most 30 KB", total)
				}
				t.Logf("report page with %d CSS and %d JS: %d bytes gzipped", css, js, total)
			})

			t.Run("choose province without JavaScript", func(t *testing.T) {
				n := countSources(t, srv)
				form := url.Values{"chon_tinh": {"1"}, "province_code": {"01"}, "category": {"ma_tuy"},
					"address": {"Ngõ 5 phố Mẫu"}, "description": {"Tôi đang viết dở <mô tả> & chưa xong"}, "anonymous": {"1"}}
				r := postMultipart(t, srv, c, "/to-giac", form)
				if r.Status != http.StatusOK {
					t.Fatalf("status %d, want 200:\n%s", r.Status, r.Body)
				}
				for _, s := range []string{`<option value="T0101">Mẫu Một</option>`, `<option value="T0102">Mẫu Hai</option>`,
					`<option value="01" selected>`, `<option value="ma_tuy" selected>`, `value="Ngõ 5 phố Mẫu"`,
					`Tôi đang viết dở &lt;mô tả&gt; &amp; chưa xong</textarea>`} {
					if !strings.Contains(r.Body, s) {
						t.Errorf("re-rendered form lacks %s", s)
					}
				}
				if strings.Contains(r.Body, "T7901") {
					t.Errorf("communes of another province listed")
				}
				if strings.Contains(r.Body, `class="error"`) {
					t.Errorf("choosing a province shows an error")
				}
				if got := countSources(t, srv); got != n {
					t.Errorf("choosing a province saved a report: %d sources, want %d", got, n)
				}
				noCookies(t, r, "POST /to-giac chon_tinh")
			})

			var tracking, receipt string
			t.Run("complete anonymous report", func(t *testing.T) {
				n := countSources(t, srv)
				r := postMultipart(t, srv, c, "/to-giac", reportForm("Có người gọi điện giả danh ngân hàng đòi mã OTP."),
					upload{"anh.jpg", "image/jpeg", jpegWithGPS(t)})
				if r.Status != http.StatusCreated {
					t.Fatalf("status %d, want 201:\n%s", r.Status, r.Body)
				}
				rm, tm := receiptShown.FindStringSubmatch(r.Body), trackingShown.FindStringSubmatch(r.Body)
				if rm == nil || !receiptCodePattern.MatchString(rm[1]) {
					t.Fatalf("receipt code shown as %q, want %s:\n%s", rm, receiptCodePattern, r.Body)
				}
				if tm == nil || !trackingCodePattern.MatchString(tm[1]) {
					t.Fatalf("tracking code shown as %q", tm)
				}
				tracking, receipt = tm[1], rm[1]
				if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("receipt page Cache-Control %q, want no-store", cc)
				}
				if !strings.Contains(r.Body, "Công an phường Mẫu Một") || !strings.Contains(r.Body, "1/2026") {
					t.Errorf("receipt page lacks the receiving unit and register number")
				}
				noCookies(t, r, "POST /to-giac")
				sameOriginOnly(t, r.Body, "receipt page")
				codeNotInURLs(t, r, receipt, "receipt page")
				if got := countSources(t, srv); got != n+1 {
					t.Errorf("sources: %d, want %d", got, n+1)
				}
				var anon, files int
				if err := srv.Main.DB.QueryRow(context.Background(), `SELECT s.anonymous, (SELECT COUNT(*) FROM attachments a WHERE a.source_id = s.id)
					FROM sources s WHERE s.tracking_code = ?`, tracking).Scan(&anon, &files); err != nil {
					t.Fatal(err)
				}
				if anon != 1 || files != 1 {
					t.Errorf("stored anonymous=%d with %d attachments, want 1 and 1", anon, files)
				}
			})

			t.Run("missing description", func(t *testing.T) {
				n := countSources(t, srv)
				form := reportForm("")
				form.Set("address", "Chợ Mẫu, cổng số 2")
				r := postMultipart(t, srv, c, "/to-giac", form)
				if r.Status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400:\n%s", r.Status, r.Body)
				}
				for _, s := range []string{"Vui lòng mô tả sự việc", `aria-invalid="true" aria-describedby="description-err"`,
					`value="Chợ Mẫu, cổng số 2"`, `<option value="cong_nghe_cao" selected>`, `<option value="T0101" selected>`, `value="2026-11-29T21:30"`} {
					if !strings.Contains(r.Body, s) {
						t.Errorf("form with an error lacks %s", s)
					}
				}
				if got := countSources(t, srv); got != n {
					t.Errorf("sources: %d after a refused report, want %d", got, n)
				}
				noCookies(t, r, "POST /to-giac with an error")
			})

			t.Run("follow", func(t *testing.T) {
				if receipt == "" {
					t.Skip("no report submitted")
				}
				r := get(t, srv, c, "/theo-doi")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, `name="receipt_code"`) || !strings.Contains(r.Body, `action="/theo-doi"`) {
					t.Errorf("GET /theo-doi: status %d", r.Status)
				}
				noCookies(t, r, "GET /theo-doi")
				sameOriginOnly(t, r.Body, "GET /theo-doi")

				r = post(t, srv, c, "/theo-doi", url.Values{"receipt_code": {receipt}})
				if r.Status != http.StatusOK || !strings.Contains(r.Body, crimesource.CitizenStatus(crimesource.StatusReceived)) ||
					!strings.Contains(r.Body, tracking) || !strings.Contains(r.Body, "Công an phường Mẫu Một") {
					t.Errorf("POST /theo-doi: status %d; want the status in plain words, the tracking code and the unit:\n%s", r.Status, r.Body)
				}
				if strings.Contains(r.Body, crimesource.StatusName(crimesource.StatusReceived)) {
					t.Errorf("the follow page shows the officers' status name")
				}
				if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("follow page Cache-Control %q, want no-store", cc)
				}
				noCookies(t, r, "POST /theo-doi")
				sameOriginOnly(t, r.Body, "follow page")
				codeNotInURLs(t, r, receipt, "follow page")

				msg := "Tôi nhớ thêm số điện thoại đã gọi cho tôi: 0900000000."
				r = postMultipart(t, srv, c, "/theo-doi/tra-loi", url.Values{"receipt_code": {receipt}, "message": {msg}})
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "Đã gửi thông tin bổ sung.") || !strings.Contains(r.Body, msg) {
					t.Errorf("reply: status %d; want the notice and the message:\n%s", r.Status, r.Body)
				}
				noCookies(t, r, "POST /theo-doi/tra-loi")
				codeNotInURLs(t, r, receipt, "reply page")
				// The message stays with the report.
				if r := post(t, srv, c, "/theo-doi", url.Values{"receipt_code": {strings.ToLower(receipt)}}); r.Status != http.StatusOK || !strings.Contains(r.Body, msg) {
					t.Errorf("follow after the reply (code in lower case): status %d, want the message", r.Status)
				}

				r = post(t, srv, c, "/theo-doi", url.Values{"receipt_code": {"0000-0000-0000-0000"}})
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Mã tiếp nhận không đúng") || strings.Contains(r.Body, tracking) {
					t.Errorf("wrong code: status %d; want 400 with “Mã tiếp nhận không đúng” and nothing of the report:\n%s", r.Status, r.Body)
				}
				noCookies(t, r, "POST /theo-doi with a wrong code")
				// Right after a wrong code even the right one waits.
				r = post(t, srv, c, "/theo-doi", url.Values{"receipt_code": {receipt}})
				if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || strings.Contains(r.Body, tracking) {
					t.Errorf("right code during the wait: status %d, Retry-After %q; want 429", r.Status, r.Header.Get("Retry-After"))
				}
				codeNotInURLs(t, r, receipt, "follow page during the wait")
				secs, _ := strconv.Atoi(r.Header.Get("Retry-After"))
				srv.Clock.Advance(time.Duration(secs)*time.Second + time.Millisecond)
				if r := post(t, srv, c, "/theo-doi", url.Values{"receipt_code": {receipt}}); r.Status != http.StatusOK {
					t.Errorf("right code after the wait: status %d", r.Status)
				}
			})
		})
	}
}

var powChallenge = regexp.MustCompile(`name="pow_challenge" value="([A-Za-z0-9._-]+)"`)

// TestReportProofOfWork: with proof of work on, a solved challenge earns the
// normal limit; a citizen without JavaScript is still heard, under the
// stricter one.
func TestReportProofOfWork(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			srv.Main.Guard.PoW.Difficulty = 8
			c := srv.NewClient(t)

			challenge := func() string {
				t.Helper()
				r := get(t, srv, c, "/to-giac")
				m := powChallenge.FindStringSubmatch(r.Body)
				if r.Status != http.StatusOK || m == nil || !strings.Contains(r.Body, `data-pow="8"`) || !strings.Contains(r.Body, `<script src="/static/pow.js"`) {
					t.Fatalf("GET /to-giac with PoW on: status %d, want a challenge, its difficulty and pow.js:\n%s", r.Status, r.Body)
				}
				return m[1]
			}
			if r := get(t, srv, c, "/static/pow.js"); r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") {
				t.Errorf("GET /static/pow.js: status %d, Content-Type %q", r.Status, r.Header.Get("Content-Type"))
			}

			ch := challenge()
			nonce := abuse.Solve(ch, 8)
			form := reportForm("Báo tin kèm lời giải chống gửi tự động.")
			form.Set("pow_challenge", ch)
			form.Set("pow_nonce", nonce)
			if r := postMultipart(t, srv, c, "/to-giac", form); r.Status != http.StatusCreated {
				t.Fatalf("report with a solved challenge: status %d:\n%s", r.Status, r.Body)
			}

			// Without JavaScript the nonce stays empty: accepted, six an hour.
			for i := 1; i <= 6; i++ {
				form := reportForm(fmt.Sprintf("Báo tin số %d từ điện thoại không chạy JavaScript.", i))
				form.Set("pow_challenge", challenge())
				form.Set("pow_nonce", "")
				if r := postMultipart(t, srv, c, "/to-giac", form); r.Status != http.StatusCreated {
					t.Fatalf("report %d without a nonce: status %d, want 201:\n%s", i, r.Status, r.Body)
				}
			}
			n := countSources(t, srv)
			form = reportForm("Báo tin thứ bảy không có lời giải.")
			form.Set("pow_challenge", challenge())
			r := postMultipart(t, srv, c, "/to-giac", form)
			if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "Bạn đã gửi nhiều tin") {
				t.Fatalf("7th report without a nonce: status %d, Retry-After %q; want 429 with a message:\n%s", r.Status, r.Header.Get("Retry-After"), r.Body)
			}
			if !strings.Contains(r.Body, "Báo tin thứ bảy không có lời giải.</textarea>") {
				t.Errorf("refused report: what the citizen typed is not kept")
			}
			// A proof already used counts as none.
			form = reportForm("Gửi lại lời giải cũ.")
			form.Set("pow_challenge", ch)
			form.Set("pow_nonce", nonce)
			if r := postMultipart(t, srv, c, "/to-giac", form); r.Status != http.StatusTooManyRequests {
				t.Errorf("report with a reused proof: status %d, want 429 (strict limit)", r.Status)
			}
			if got := countSources(t, srv); got != n {
				t.Errorf("sources: %d after refused reports, want %d", got, n)
			}
			// A fresh solved challenge is still under the normal limit.
			ch = challenge()
			form = reportForm("Báo tin với lời giải mới.")
			form.Set("pow_challenge", ch)
			form.Set("pow_nonce", abuse.Solve(ch, 8))
			if r := postMultipart(t, srv, c, "/to-giac", form); r.Status != http.StatusCreated {
				t.Errorf("report with a fresh solved challenge after the strict limit: status %d, want 201:\n%s", r.Status, r.Body)
			}
		})
	}
}
