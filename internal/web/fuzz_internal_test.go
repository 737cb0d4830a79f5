package web

import (
	"bytes"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
	"toandan/internal/media"
)

// plainName is a file name every multipart reader keeps as a file name.
var plainName = regexp.MustCompile(`^[\p{L}\p{N}_-][\p{L}\p{N} ._-]*$`)

// control is a byte no header value may hold (RFC 9110, 5.5).
func control(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// FuzzReportForm drives the report form of /to-giac from the submitted
// body to the intake handed to the service: parseUpload, then
// intakeFromForm. Any body is either refused with an input error (400,
// never a 500) or read so that every field reaches the intake as sent;
// checking the values is the service's job (see crimesource's
// FuzzValidateRest).
//
// mode%3 picks the body: 0 a URL-encoded form, 1 a well-formed multipart
// form with mode/3%4 copies of one attachment, 2 raw bytes (file) sent as
// multipart with the boundary name.
//
// testdata/fuzz holds the inputs that failed it: "NaN" and "+Inf" were
// read as map coordinates (point_*), and one that showed a file name with
// a control character is no well-formed form (filename_control).
func FuzzReportForm(f *testing.F) {
	report := func(mode uint8, description, anonymous, lat, lon, fullName, name string, file []byte) {
		f.Add(mode, "trat_tu_xa_hoi", "01", "00004", "Số 12 ngõ 34 phố Hàng Bạc, phường Hoàn Kiếm", description, anonymous, "",
			"2026-11-29T21:30", lat, lon, fullName, "001099012345", "0912 345 678", "Số 5 Lê Duẩn, Hà Nội", "nguyenvana@example.vn", name, file)
	}
	report(0, "Có một nhóm thanh niên tụ tập đánh bạc ở quán nước đầu ngõ vào mỗi tối.", "1", "21.0285", "105.8542", "", "", nil)
	report(0, "Tôi bị lừa chuyển khoản 20 triệu đồng qua Zalo, đối tượng xưng là cán bộ công an.", "0", "", "", "Nguyễn Văn Ánh", "", nil)
	report(1, "Xe tải chở cát quá tải chạy ban đêm trên đê, làm hỏng mặt đường.", "0", " 10.7769 ", "106.7009", "Trần Thị Bích Ngọc", "ảnh hiện trường.jpg", []byte("\xff\xd8\xff\xe0 không phải ảnh thật"))
	report(4, "Có người lạ đột nhập kho hàng của hợp tác xã lúc nửa đêm.", "1", "21,03", "105,85", "", "biên-bản.pdf", []byte("%PDF-1.4\n"))
	report(10, "Nhiều tệp đính kèm quá số lượng cho phép.", "1", "", "", "", "a.png", []byte("\x89PNG\r\n\x1a\n"))
	report(1, "Tệp quá lớn so với giới hạn.", "1", "", "", "", "video.mp4", bytes.Repeat([]byte{0}, 200))
	report(0, "Ngắn", "0", "1e400", "105", "Lê  Văn\u00a0Tám", "", nil)
	f.Add(uint8(2), "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "XyZ",
		[]byte("--XyZ\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nMô tả sự việc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.jpg\"\r\n\r\n\xff\xd8\xff\r\n--XyZ--\r\n"))
	f.Add(uint8(2), "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "XyZ", []byte("--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.jpg\"\r\n\r\nkhông kết thúc"))
	f.Add(uint8(2), "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", []byte("--\r\n"))

	lim := media.Limits{MaxFiles: 2, MaxFileBytes: 64}
	s := &Server{Sources: &crimesource.Service{Limits: lim}}
	f.Fuzz(func(t *testing.T, mode uint8, category, province, commune, address, description, anonymous, timeUnknown, occurredAt,
		lat, lon, fullName, idNumber, phone, reporterAddress, email, fileName string, file []byte) {
		form := url.Values{
			"category": {category}, "province_code": {province}, "commune_code": {commune}, "address": {address},
			"description": {description}, "anonymous": {anonymous}, "time_unknown": {timeUnknown}, "occurred_at": {occurredAt},
			"lat": {lat}, "lon": {lon}, "full_name": {fullName}, "id_number": {idNumber}, "phone": {phone},
			"reporter_address": {reporterAddress}, "email": {email},
		}
		copies := int(mode/3) % 4
		var body []byte
		var contentType string
		switch mode % 3 {
		case 0:
			body, contentType = []byte(form.Encode()), "application/x-www-form-urlencoded"
		case 1:
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for k, v := range form {
				if err := mw.WriteField(k, v[0]); err != nil {
					t.Fatal(err)
				}
			}
			for range copies {
				fw, err := mw.CreateFormFile("attachments", fileName)
				if err != nil {
					t.Fatal(err)
				}
				fw.Write(file)
			}
			mw.Close()
			body, contentType = buf.Bytes(), mw.FormDataContentType()
		case 2:
			body, contentType = file, "multipart/form-data; boundary="+fileName
		}
		r := httptest.NewRequest(http.MethodPost, "/to-giac", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		files, err := s.parseUpload(httptest.NewRecorder(), r)

		// What a well-formed body must give.
		// (A control character in a file name makes the part's header
		// unreadable: the body is then malformed, as a raw one may be.
		// Browsers escape line breaks and quotes in file names.)
		wellFormed := mode%3 == 0 || mode%3 == 1 && (copies == 0 || !strings.ContainsFunc(fileName, control))
		nonEmpty := copies > 0 && len(file) > 0 && mode%3 == 1
		wantRefused := nonEmpty && plainName.MatchString(fileName) && (int64(len(file)) > lim.MaxFileBytes || copies > lim.MaxFiles)
		if err != nil {
			e, ok := errs.As(err)
			if !ok || e.Code != errs.Invalid || e.Message == "" || (e.Field != "" && e.Field != "attachments") {
				t.Fatalf("parseUpload error %#v is not an input error about the form or its attachments", err)
			}
			if wellFormed && (e.Field != "attachments" || !nonEmpty) {
				t.Fatalf("well-formed form (mode %d) refused: %v", mode, err)
			}
			return
		}
		if wantRefused {
			t.Fatalf("%d attachments of %d bytes accepted; the limits are %d files of %d bytes", copies, len(file), lim.MaxFiles, lim.MaxFileBytes)
		}
		if len(files) > lim.MaxFiles {
			t.Fatalf("%d attachments accepted, the limit is %d", len(files), lim.MaxFiles)
		}
		for _, u := range files {
			if len(u.Data) == 0 || int64(len(u.Data)) > lim.MaxFileBytes {
				t.Fatalf("attachment %q of %d bytes accepted", u.Name, len(u.Data))
			}
			if wellFormed && !bytes.Equal(u.Data, file) {
				t.Fatalf("attachment %q changed on the way", u.Name)
			}
		}
		if nonEmpty && plainName.MatchString(fileName) && len(files) != copies {
			t.Fatalf("%d attachments named %q sent, %d read", copies, fileName, len(files))
		}
		if mode%3 == 2 {
			// Whatever the raw body held, the intake is what the form says.
			form = url.Values{}
			for k := range r.PostForm {
				form.Set(k, r.PostFormValue(k))
			}
		}

		in := intakeFromForm(r, files)
		got := map[string]string{"category": in.Category, "province_code": in.ProvinceCode, "commune_code": in.CommuneCode,
			"address": in.Address, "description": in.Description}
		for k, v := range got {
			if v != form.Get(k) {
				t.Fatalf("%s: sent %q, intake has %q", k, form.Get(k), v)
			}
		}
		if in.Anonymous != (form.Get("anonymous") != "0") {
			t.Fatalf("anonymous=%q gave Anonymous=%v", form.Get("anonymous"), in.Anonymous)
		}
		if want := form.Get("occurred_at"); form.Get("time_unknown") == "1" && in.OccurredAt != "" || form.Get("time_unknown") != "1" && in.OccurredAt != want {
			t.Fatalf("time_unknown=%q occurred_at=%q gave %q", form.Get("time_unknown"), want, in.OccurredAt)
		}
		if in.Anonymous != (in.Reporter == nil) {
			t.Fatalf("Anonymous=%v with reporter %+v", in.Anonymous, in.Reporter)
		}
		if rp := in.Reporter; rp != nil {
			if (*rp != crimesource.Reporter{FullName: form.Get("full_name"), IDNumber: form.Get("id_number"), Phone: form.Get("phone"),
				Address: form.Get("reporter_address"), Email: form.Get("email")}) {
				t.Fatalf("reporter %+v is not what was sent", *rp)
			}
		}
		if (in.Lat == nil) != (in.Lon == nil) {
			t.Fatal("a point with only one coordinate")
		}
		a, errA := strconv.ParseFloat(strings.TrimSpace(form.Get("lat")), 64)
		b, errB := strconv.ParseFloat(strings.TrimSpace(form.Get("lon")), 64)
		finite := errA == nil && errB == nil && !math.IsNaN(a) && !math.IsNaN(b) && !math.IsInf(a, 0) && !math.IsInf(b, 0)
		if finite != (in.Lat != nil) {
			t.Fatalf("lat=%q lon=%q gave a point: %v", form.Get("lat"), form.Get("lon"), in.Lat != nil)
		}
		if in.Lat != nil && (*in.Lat != a || *in.Lon != b) {
			t.Fatalf("lat=%q lon=%q read as %v, %v", form.Get("lat"), form.Get("lon"), *in.Lat, *in.Lon)
		}
		if len(in.Files) != len(files) {
			t.Fatalf("%d attachments read, %d in the intake", len(files), len(in.Files))
		}
	})
}
