package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/crimesource"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

var (
	receiptPattern  = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)
	trackingPattern = regexp.MustCompile(`^TG-2026-[0-9A-HJKMNP-TV-Z]+$`)
)

// answer is a whole HTTP answer, read.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends body to path with the given method and content type.
func call(t *testing.T, srv *testutil.Server, method, path, contentType string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{Status: res.StatusCode, Header: res.Header, Body: b}
}

func postJSON(t *testing.T, srv *testutil.Server, path, body string) answer {
	t.Helper()
	return call(t, srv, http.MethodPost, path, "application/json", []byte(body))
}

// decode reads a JSON answer into v, failing unless it is JSON.
func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json; status %d, body %s", ct, a.Status, a.Body)
	}
	if err := json.Unmarshal(a.Body, v); err != nil {
		t.Fatalf("body is not JSON of the expected shape: %v\n%s", err, a.Body)
	}
}

type receiptBody struct {
	TrackingCode string    `json:"tracking_code"`
	ReceiptCode  string    `json:"receipt_code"`
	ReceivedAt   time.Time `json:"received_at"`
	RegisterNo   int       `json:"register_no"`
	RegisterYear int       `json:"register_year"`
	Unit         string    `json:"unit"`
}

type statusBody struct {
	TrackingCode string    `json:"tracking_code"`
	Status       string    `json:"status"`
	StatusText   string    `json:"status_text"`
	Unit         string    `json:"unit"`
	ReceivedAt   time.Time `json:"received_at"`
	Closed       bool      `json:"closed"`
	Messages     []struct {
		At           time.Time `json:"at"`
		FromReporter bool      `json:"from_reporter"`
		Body         string    `json:"body"`
	} `json:"messages"`
}

// submit posts a report that must be received, and returns the receipt.
func submit(t *testing.T, srv *testutil.Server, body string) receiptBody {
	t.Helper()
	a := postJSON(t, srv, "/api/v1/reports", body)
	if a.Status != http.StatusCreated {
		t.Fatalf("POST /api/v1/reports: status %d, want 201:\n%s", a.Status, a.Body)
	}
	var rec receiptBody
	a.decode(t, &rec)
	return rec
}

func count(t *testing.T, srv *testutil.Server, table string) int {
	t.Helper()
	var n int
	if err := srv.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// jpegWithGPS returns a small JPEG carrying an EXIF block that names a GPS
// position and the phone that took it, as a phone camera's photo would.
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
	// "Exif\0\0", a big-endian TIFF header with an empty IFD0, then the
	// words a real EXIF block holds.
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00")
	payload = append(payload, "GPSLatitude 21/1 1/1 4/1 N GPSLongitude 105/1 51/1 12/1 E Make Google Model Pixel 9\x00"...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, plain[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	out = append(out, plain[2:]...)
	if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
		t.Fatalf("test JPEG does not decode: %v", err)
	}
	return out
}

type filePart struct {
	name, contentType string
	data              []byte
}

// multipartReport builds a multipart body with the report JSON in "report"
// and files in "attachments".
func multipartReport(t *testing.T, report string, files ...filePart) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("report", report); err != nil {
		t.Fatal(err)
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
	return w.FormDataContentType(), buf.Bytes()
}

const validDescription = "Tôi bị lừa đảo chuyển khoản 5 triệu đồng qua mạng xã hội."

func TestReportAPI(t *testing.T) {
	t.Parallel()
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			ctx := context.Background()
			var anonReceipt receiptBody

			t.Run("anonymous", func(t *testing.T) {
				a := postJSON(t, srv, "/api/v1/reports", `{"category":"cong_nghe_cao","commune_code":"T0101","province_code":"01",
					"address":"Số 1 phố Mẫu","occurred_at":"2026-11-29T21:30","description":"`+validDescription+`",
					"location":{"lat":21.03,"lon":105.85}}`)
				if a.Status != http.StatusCreated {
					t.Fatalf("status %d, want 201:\n%s", a.Status, a.Body)
				}
				var rec receiptBody
				a.decode(t, &rec)
				if !trackingPattern.MatchString(rec.TrackingCode) {
					t.Errorf("tracking_code %q, want TG-2026-…", rec.TrackingCode)
				}
				if !receiptPattern.MatchString(rec.ReceiptCode) {
					t.Errorf("receipt_code %q does not match %s", rec.ReceiptCode, receiptPattern)
				}
				if !rec.ReceivedAt.Equal(testutil.DefaultNow) {
					t.Errorf("received_at %v, want the server's clock %v", rec.ReceivedAt, testutil.DefaultNow)
				}
				if rec.RegisterNo != 1 || rec.RegisterYear != 2026 || rec.Unit != "Công an phường Mẫu Một" {
					t.Errorf("register %d/%d at %q, want 1/2026 at Công an phường Mẫu Một", rec.RegisterNo, rec.RegisterYear, rec.Unit)
				}
				if cc := a.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q, want no-store", cc)
				}
				if loc := a.Header.Get("Location"); strings.Contains(loc, rec.ReceiptCode) || !strings.Contains(loc, rec.TrackingCode) {
					t.Errorf("Location %q: want the tracking code and never the receipt code", loc)
				}
				var anon int
				var sealed []byte
				var hash []byte
				if err := srv.Main.DB.QueryRow(ctx, "SELECT anonymous, identity_sealed, receipt_hash FROM sources WHERE tracking_code = ?", rec.TrackingCode).
					Scan(&anon, &sealed, &hash); err != nil {
					t.Fatal(err)
				}
				if anon != 1 || len(sealed) != 0 {
					t.Errorf("stored anonymous=%d with %d bytes of identity, want an anonymous source without identity", anon, len(sealed))
				}
				if len(hash) == 0 || bytes.Contains(hash, []byte(rec.ReceiptCode)) {
					t.Errorf("receipt_hash %q: want a hash, never the code", hash)
				}
				anonReceipt = rec
			})

			t.Run("identified", func(t *testing.T) {
				rec := submit(t, srv, `{"category":"kinh_te","province_code":"01","description":"Cơ sở sản xuất hàng giả tại khu công nghiệp.",
					"reporter":{"full_name":"Nguyễn Văn An","id_number":"001099012345","phone":"+84 912 345 678","address":"Số 5 ngõ 10 phố Mẫu","email":"an@example.vn"}}`)
				if !receiptPattern.MatchString(rec.ReceiptCode) || rec.Unit != "Công an thành phố Hà Nội" {
					t.Errorf("receipt %+v: want a receipt code and the province police (no commune given)", rec)
				}
				var anon int
				var sealed []byte
				if err := srv.Main.DB.QueryRow(ctx, "SELECT anonymous, identity_sealed FROM sources WHERE tracking_code = ?", rec.TrackingCode).Scan(&anon, &sealed); err != nil {
					t.Fatal(err)
				}
				if anon != 0 || len(sealed) == 0 {
					t.Fatalf("stored anonymous=%d with %d bytes of identity, want a sealed identity", anon, len(sealed))
				}
				for _, clear := range []string{"Nguyễn Văn An", "001099012345", "0912345678", "an@example.vn"} {
					if bytes.Contains(sealed, []byte(clear)) {
						t.Errorf("sealed identity holds %q in clear", clear)
					}
				}

				// anonymous:true wins over a reporter given by mistake: nothing
				// of the identity is kept.
				rec = submit(t, srv, `{"category":"kinh_te","description":"Một vụ việc khác cần báo tin.","anonymous":true,
					"reporter":{"full_name":"Trần Thị Bình","id_number":"001099054321","phone":"0912000111","address":"Hà Nội"}}`)
				if err := srv.Main.DB.QueryRow(ctx, "SELECT anonymous, identity_sealed FROM sources WHERE tracking_code = ?", rec.TrackingCode).Scan(&anon, &sealed); err != nil {
					t.Fatal(err)
				}
				if anon != 1 || len(sealed) != 0 {
					t.Errorf("anonymous:true with a reporter stored anonymous=%d with %d bytes of identity", anon, len(sealed))
				}
			})

			t.Run("bad input", func(t *testing.T) {
				reporter := func(id, phone string) string {
					return `{"category":"kinh_te","description":"` + validDescription + `","reporter":{"full_name":"Nguyễn Văn An","id_number":"` + id +
						`","phone":"` + phone + `","address":"Số 5 ngõ 10"}}`
				}
				cases := []struct{ name, body, field string }{
					{"unknown category", `{"category":"khong_co","description":"` + validDescription + `"}`, "category"},
					{"no category", `{"description":"` + validDescription + `"}`, "category"},
					{"unknown commune", `{"category":"kinh_te","commune_code":"99999","description":"` + validDescription + `"}`, "commune_code"},
					{"commune of another province", `{"category":"kinh_te","commune_code":"T7901","province_code":"01","description":"` + validDescription + `"}`, "commune_code"},
					{"short description", `{"category":"kinh_te","description":"ngắn quá"}`, "description"},
					{"bad id number", reporter("12345", "0912345678"), "reporter.id_number"},
					{"bad phone", reporter("001099012345", "12ab"), "reporter.phone"},
					{"unknown field", `{"category":"kinh_te","description":"` + validDescription + `","foo":1}`, "foo"},
					{"wrong type", `{"category":"kinh_te","description":"` + validDescription + `","anonymous":"yes"}`, "anonymous"},
					{"wrong nested type", `{"category":"kinh_te","description":"` + validDescription + `","reporter":{"phone":912345678}}`, "reporter.phone"},
					{"malformed JSON", `{"category":"kinh_te",`, "body"},
					{"two objects", `{"category":"kinh_te","description":"` + validDescription + `"} {}`, "body"},
					{"too large", `{"category":"kinh_te","description":"` + strings.Repeat("a", 70<<10) + `"}`, "body"},
				}
				before := count(t, srv, "sources")
				for _, c := range cases {
					t.Run(c.name, func(t *testing.T) {
						a := postJSON(t, srv, "/api/v1/reports", c.body)
						var body apiError
						a.decode(t, &body)
						if a.Status != http.StatusBadRequest || body.Error.Code != "invalid" || body.Error.Field != c.field || body.Error.Message == "" {
							t.Errorf("status %d, error %+v; want 400 invalid on field %q with a message", a.Status, body.Error, c.field)
						}
					})
				}
				if n := count(t, srv, "sources"); n != before {
					t.Errorf("sources: %d after refused reports, want %d", n, before)
				}
			})

			t.Run("multipart photo stripped", func(t *testing.T) {
				photo := jpegWithGPS(t)
				for _, s := range []string{"Exif", "GPSLatitude", "Pixel 9"} {
					if !bytes.Contains(photo, []byte(s)) {
						t.Fatalf("test photo lacks %q", s)
					}
				}
				ct, body := multipartReport(t, `{"category":"trat_tu_xa_hoi","commune_code":"T0101","description":"Nhóm thanh niên tụ tập gây rối, có ảnh kèm theo."}`,
					filePart{"IMG_20261129.jpg", "image/jpeg", photo})
				a := call(t, srv, http.MethodPost, "/api/v1/reports", ct, body)
				if a.Status != http.StatusCreated {
					t.Fatalf("status %d, want 201:\n%s", a.Status, a.Body)
				}
				var rec receiptBody
				a.decode(t, &rec)
				var attID int64
				var stripped int
				if err := srv.Main.DB.QueryRow(ctx, `SELECT a.id, a.metadata_stripped FROM attachments a JOIN sources s ON s.id = a.source_id
					WHERE s.tracking_code = ?`, rec.TrackingCode).Scan(&attID, &stripped); err != nil {
					t.Fatalf("attachment of %s: %v", rec.TrackingCode, err)
				}
				if stripped != 1 {
					t.Errorf("metadata_stripped = %d, want 1", stripped)
				}
				srv.CreateUser(t, "dtv-api", account.Investigator, "01")
				var uid int64
				if err := srv.Main.DB.QueryRow(ctx, "SELECT id FROM users WHERE username = ?", "dtv-api").Scan(&uid); err != nil {
					t.Fatal(err)
				}
				data, typ, err := srv.Main.Sources.File(ctx, crimesource.Actor{UserID: uid, Role: "investigator", Unit: "01"}, attID)
				if err != nil {
					t.Fatalf("read attachment %d: %v", attID, err)
				}
				if typ != "image/jpeg" {
					t.Errorf("content type %q, want image/jpeg", typ)
				}
				for _, s := range []string{"Exif", "GPSLatitude", "Pixel 9"} {
					if bytes.Contains(data, []byte(s)) {
						t.Errorf("stored photo still holds %q", s)
					}
				}
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
				if err != nil || cfg.Width != 32 || cfg.Height != 24 {
					t.Errorf("stored photo: %v, %dx%d; want a 32x24 JPEG", err, cfg.Width, cfg.Height)
				}
				if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
					t.Errorf("stored photo does not decode: %v", err)
				}
				// At rest the file is sealed: no JPEG bytes on disk.
				n := 0
				filepath.WalkDir(filepath.Join(srv.Main.Config.DataDir, "files"), func(p string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					b, err := os.ReadFile(p)
					if err != nil {
						return err
					}
					n++
					if bytes.HasPrefix(b, []byte{0xFF, 0xD8}) || bytes.Contains(b, data[len(data)/2:len(data)/2+32]) {
						t.Errorf("%s holds the photo in clear", p)
					}
					return nil
				})
				if n == 0 {
					t.Errorf("no stored file found under %s", srv.Main.Config.DataDir)
				}
			})

			t.Run("multipart wrong type", func(t *testing.T) {
				before, files := count(t, srv, "sources"), count(t, srv, "attachments")
				ct, body := multipartReport(t, `{"category":"khac","description":"`+validDescription+`"}`,
					filePart{"anh.jpg", "image/jpeg", []byte("Đây là một tệp văn bản, không phải ảnh.\n")})
				a := call(t, srv, http.MethodPost, "/api/v1/reports", ct, body)
				var e apiError
				a.decode(t, &e)
				if a.Status != http.StatusBadRequest || e.Error.Field != "attachments" {
					t.Errorf("text file named .jpg: status %d, error %+v; want 400 on attachments", a.Status, e.Error)
				}
				// The JSON of a multipart report is checked as strictly.
				ct, body = multipartReport(t, `{"category":"khac","description":"`+validDescription+`","foo":true}`)
				a = call(t, srv, http.MethodPost, "/api/v1/reports", ct, body)
				e = apiError{}
				a.decode(t, &e)
				if a.Status != http.StatusBadRequest || e.Error.Field != "foo" {
					t.Errorf("multipart with an unknown field: status %d, error %+v; want 400 on foo", a.Status, e.Error)
				}
				if n, f := count(t, srv, "sources"), count(t, srv, "attachments"); n != before || f != files {
					t.Errorf("sources %d, attachments %d after refused uploads; want %d, %d", n, f, before, files)
				}
			})

			t.Run("lookup and reply", func(t *testing.T) {
				if anonReceipt.ReceiptCode == "" {
					t.Skip("no receipt from the anonymous report")
				}
				a := postJSON(t, srv, "/api/v1/reports/lookup", `{"receipt_code":"`+anonReceipt.ReceiptCode+`"}`)
				var st statusBody
				a.decode(t, &st)
				if a.Status != http.StatusOK || st.TrackingCode != anonReceipt.TrackingCode || st.Status != "received" ||
					st.StatusText != crimesource.CitizenStatus("received") || st.Unit != "Công an phường Mẫu Một" || st.Closed {
					t.Errorf("lookup: status %d, %+v", a.Status, st)
				}
				if !bytes.Contains(a.Body, []byte(`"messages":[]`)) {
					t.Errorf("lookup without messages: want \"messages\":[]; got %s", a.Body)
				}
				if cc := a.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("lookup Cache-Control %q, want no-store", cc)
				}
				// Typed loosely: lower case, spaces instead of dashes.
				loose := strings.ToLower(strings.ReplaceAll(anonReceipt.ReceiptCode, "-", " "))
				if a := postJSON(t, srv, "/api/v1/reports/lookup", `{"receipt_code":"`+loose+`"}`); a.Status != http.StatusOK {
					t.Errorf("lookup with %q: status %d:\n%s", loose, a.Status, a.Body)
				}

				msg := "Tôi có thêm ảnh chụp màn hình tin nhắn của đối tượng."
				a = postJSON(t, srv, "/api/v1/reports/reply", `{"receipt_code":"`+anonReceipt.ReceiptCode+`","message":"`+msg+`"}`)
				a.decode(t, &st)
				if a.Status != http.StatusOK || len(st.Messages) != 1 || st.Messages[0].Body != msg || !st.Messages[0].FromReporter {
					t.Fatalf("reply: status %d, %+v", a.Status, st)
				}
				a = postJSON(t, srv, "/api/v1/reports/lookup", `{"receipt_code":"`+anonReceipt.ReceiptCode+`"}`)
				a.decode(t, &st)
				if a.Status != http.StatusOK || len(st.Messages) != 1 || st.Messages[0].Body != msg {
					t.Errorf("lookup after reply: status %d, %+v", a.Status, st)
				}

				// An empty reply with the right code is the citizen's slip, not
				// a guess: it is refused on the message and costs no wait.
				a = postJSON(t, srv, "/api/v1/reports/reply", `{"receipt_code":"`+anonReceipt.ReceiptCode+`","message":"  "}`)
				var e apiError
				a.decode(t, &e)
				if a.Status != http.StatusBadRequest || e.Error.Field != "message" {
					t.Errorf("empty reply: status %d, %+v; want 400 on message", a.Status, e.Error)
				}
				if a := postJSON(t, srv, "/api/v1/reports/lookup", `{"receipt_code":"`+anonReceipt.ReceiptCode+`"}`); a.Status != http.StatusOK {
					t.Errorf("lookup right after an empty reply with the right code: status %d, want 200 (no back-off):\n%s", a.Status, a.Body)
				}
			})

			t.Run("wrong codes back off", func(t *testing.T) {
				if anonReceipt.ReceiptCode == "" {
					t.Skip("no receipt from the anonymous report")
				}
				right := `{"receipt_code":"` + anonReceipt.ReceiptCode + `"}`
				wrong := `{"receipt_code":"0000-0000-0000-0000"}`
				a := postJSON(t, srv, "/api/v1/reports/lookup", wrong)
				var e apiError
				a.decode(t, &e)
				if a.Status != http.StatusBadRequest || e.Error.Field != "receipt_code" || !strings.Contains(e.Error.Message, "Mã tiếp nhận không đúng") {
					t.Fatalf("wrong code: status %d, %+v; want 400 on receipt_code", a.Status, e.Error)
				}
				tooMany := func(what, body, path string) int {
					t.Helper()
					a := postJSON(t, srv, path, body)
					var e apiError
					a.decode(t, &e)
					secs, err := strconv.Atoi(a.Header.Get("Retry-After"))
					if a.Status != http.StatusTooManyRequests || e.Error.Code != "too_many_requests" || err != nil || secs < 1 {
						t.Errorf("%s during the wait: status %d, Retry-After %q, %+v; want 429 with Retry-After", what, a.Status, a.Header.Get("Retry-After"), e.Error)
					}
					return secs
				}
				tooMany("another wrong code", wrong, "/api/v1/reports/lookup")
				secs := tooMany("the right code", right, "/api/v1/reports/lookup")
				msgs := count(t, srv, "source_messages")
				tooMany("a reply", `{"receipt_code":"`+anonReceipt.ReceiptCode+`","message":"Bổ sung thông tin trong lúc phải chờ."}`, "/api/v1/reports/reply")
				if n := count(t, srv, "source_messages"); n != msgs {
					t.Errorf("a reply refused during the wait was saved: %d messages, want %d", n, msgs)
				}
				if secs > 1 {
					srv.Clock.Advance(time.Duration(secs-1) * time.Second)
					tooMany("the right code before the wait ends", right, "/api/v1/reports/lookup")
				}
				srv.Clock.Advance(time.Second + time.Millisecond)
				if a := postJSON(t, srv, "/api/v1/reports/lookup", right); a.Status != http.StatusOK {
					t.Errorf("right code after the wait: status %d:\n%s", a.Status, a.Body)
				}
				// Malformed codes count as wrong too.
				if a := postJSON(t, srv, "/api/v1/reports/lookup", `{"receipt_code":"abc"}`); a.Status != http.StatusBadRequest {
					t.Errorf("malformed code: status %d, want 400", a.Status)
				}
				tooMany("right code after a malformed one", right, "/api/v1/reports/lookup")
				srv.Clock.Advance(time.Minute)
				if a := postJSON(t, srv, "/api/v1/reports/lookup", right); a.Status != http.StatusOK {
					t.Errorf("right code after the wait: status %d:\n%s", a.Status, a.Body)
				}
			})

			t.Run("submission limit", func(t *testing.T) {
				// Start a fresh window: the reports above counted too.
				srv.Clock.Advance(61 * time.Minute)
				for i := 1; i <= 30; i++ {
					submit(t, srv, fmt.Sprintf(`{"category":"khac","province_code":"79","description":"Báo tin số %d trong một giờ."}`, i))
				}
				before := count(t, srv, "sources")
				a := postJSON(t, srv, "/api/v1/reports", `{"category":"khac","province_code":"79","description":"Báo tin số 31 trong một giờ."}`)
				var e apiError
				a.decode(t, &e)
				secs, err := strconv.Atoi(a.Header.Get("Retry-After"))
				if a.Status != http.StatusTooManyRequests || err != nil || secs < 1 || secs > 3600 {
					t.Fatalf("31st report: status %d, Retry-After %q; want 429 with Retry-After within the hour:\n%s", a.Status, a.Header.Get("Retry-After"), a.Body)
				}
				if e.Error.Code != "too_many_requests" || !strings.Contains(e.Error.Message, "Vui lòng thử lại sau") || !strings.Contains(e.Error.Message, "113") {
					t.Errorf("31st report: error %+v; want a Vietnamese message naming 113", e.Error)
				}
				if n := count(t, srv, "sources"); n != before {
					t.Errorf("sources: %d after the refused report, want %d", n, before)
				}
				srv.Clock.Advance(time.Duration(secs) * time.Second)
				submit(t, srv, `{"category":"khac","province_code":"79","description":"Báo tin sau khi hết thời gian chờ."}`)
			})
		})
	}
}

func TestCategoriesAPI(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, store.SQLite)
	var cats []map[string]string
	if st := getJSON(t, srv, "/api/v1/categories", &cats); st != http.StatusOK {
		t.Fatalf("categories: status %d", st)
	}
	if len(cats) < 2 || cats[len(cats)-1]["code"] != "khac" {
		t.Fatalf("categories %v: want the list ending with khac", cats)
	}
	for _, c := range cats {
		if len(c) != 2 || c["code"] == "" || c["name"] == "" {
			t.Errorf("category %v: want exactly a code and a name", c)
		}
	}
	// Every listed code is one a report may use.
	rec := submit(t, srv, `{"category":"`+cats[0]["code"]+`","description":"`+validDescription+`"}`)
	if !receiptPattern.MatchString(rec.ReceiptCode) {
		t.Errorf("report under %s: receipt %+v", cats[0]["code"], rec)
	}
}

// apiRoutes reads the route patterns under /api/v1 registered in the API and
// web packages' code: each mux.Handle or mux.HandleFunc call with a literal
// pattern.
func apiRoutes(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{".", "../web"} {
		fset := token.NewFileSet()
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				c, ok := n.(*ast.CallExpr)
				if !ok || len(c.Args) != 2 {
					return true
				}
				sel, ok := c.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") {
					return true
				}
				lit, ok := c.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					if dir == "." {
						t.Errorf("%s: a route whose pattern is not a literal cannot be checked against openapi.json", fset.Position(c.Pos()))
					}
					return true
				}
				p, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				_, path, _ := strings.Cut(p, " ")
				if !strings.Contains(p, " ") {
					path = p
				}
				if strings.HasPrefix(path, "/api/v1/") || path == "/api/v1" {
					out = append(out, p)
				}
				return true
			})
		}
	}
	return out
}

// TestOpenAPICoversRoutes checks that every route under /api/v1 is described
// in openapi.json with its method, that every operation described is served,
// and that every $ref in the document resolves.
func TestOpenAPICoversRoutes(t *testing.T) {
	t.Parallel()
	routes := apiRoutes(t)
	for _, want := range []string{"POST /api/v1/reports", "POST /api/v1/reports/lookup", "POST /api/v1/reports/reply", "GET /api/v1/categories", "GET /api/v1/geo/units"} {
		found := false
		for _, r := range routes {
			found = found || r == want
		}
		if !found {
			t.Fatalf("route %q not found in the code (found %v): the route reader is broken", want, routes)
		}
	}

	srv := testutil.NewServer(t, store.SQLite)
	var spec map[string]any
	if st := getJSON(t, srv, "/api/v1/openapi.json", &spec); st != http.StatusOK {
		t.Fatalf("openapi.json: status %d", st)
	}
	paths, _ := spec["paths"].(map[string]any)
	for _, r := range routes {
		method, path, ok := strings.Cut(r, " ")
		if !ok {
			method, path = "", r
		}
		rel := strings.TrimPrefix(path, "/api/v1")
		item, ok := paths[rel].(map[string]any)
		if !ok {
			t.Errorf("route %q: path %q missing from openapi.json", r, rel)
			continue
		}
		if method == "" {
			if len(item) == 0 {
				t.Errorf("route %q: no operation described", r)
			}
			continue
		}
		op, ok := item[strings.ToLower(method)].(map[string]any)
		if !ok {
			t.Errorf("route %q: openapi.json describes %s without %s", r, rel, method)
			continue
		}
		if resp, _ := op["responses"].(map[string]any); len(resp) == 0 {
			t.Errorf("route %q: no responses described", r)
		}
	}

	// The other way: every operation described is served. The mux answers an
	// unknown path or method with plain text; every API handler with JSON.
	for rel, item := range paths {
		for method := range item.(map[string]any) {
			m := strings.ToUpper(method)
			if m != http.MethodGet && m != http.MethodPost && m != http.MethodPut && m != http.MethodDelete && m != http.MethodPatch {
				continue
			}
			a := call(t, srv, m, "/api/v1"+rel, "application/json", nil)
			if a.Status == http.StatusNotFound && !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") || a.Status == http.StatusMethodNotAllowed {
				t.Errorf("%s /api/v1%s is described but not served: status %d %s", m, rel, a.Status, a.Body)
			}
		}
	}

	// Every $ref points at something.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if k == "$ref" {
					ref, _ := y.(string)
					var cur any = spec
					for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
						m, _ := cur.(map[string]any)
						cur = m[part]
					}
					if !strings.HasPrefix(ref, "#/") || cur == nil {
						t.Errorf("$ref %q does not resolve", ref)
					}
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(spec)
}
