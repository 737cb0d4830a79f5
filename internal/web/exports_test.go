package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/store"
	"toandan/internal/testutil"
	"toandan/internal/xlsx"
)

// expFormulas are user texts a spreadsheet would run as formulas, one for
// each character that starts one. Fields trim blanks, so the tab and the
// carriage return reach the export as the formula behind them.
var expFormulas = []string{
	`=HYPERLINK("http://evil.example/?x","bấm vào đây")`,
	"+84912345678 gọi điện lừa đảo",
	"-2+3 ghi chú số âm",
	"@SUM(1+1) ô tính",
	"\t=1+1 bắt đầu bằng tab",
	"\r=1+1 bắt đầu bằng CR",
}

// expTable is an export read back: its header and rows.
type expTable struct {
	what   string
	header []string
	rows   [][]string
	// rest are the rows after the first empty one (a workbook's further
	// sections), checked for formulas only.
	rest [][]string
}

// expCSV downloads a CSV export and parses it, with or without the
// byte-order mark the web tables carry.
func expCSV(t *testing.T, srv *testutil.Server, c *http.Client, path string) expTable {
	t.Helper()
	r := get(t, srv, c, path)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET %s: status %d, Content-Type %q, Content-Disposition %q:\n%s", path, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"), r.Body)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("GET %s: %v\n%s", path, err, r.Body)
	}
	return expTable{what: path, header: recs[0], rows: recs[1:]}
}

// expXLSX downloads an XLSX export and reads its first sheet back.
func expXLSX(t *testing.T, srv *testutil.Server, c *http.Client, path string) expTable {
	t.Helper()
	r := get(t, srv, c, path)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET %s: status %d, Content-Disposition %q", path, r.Status, r.Header.Get("Content-Disposition"))
	}
	rows, err := xlsx.ReadRows(strings.NewReader(r.Body), int64(len(r.Body)), 0)
	if err != nil || len(rows) == 0 {
		t.Fatalf("GET %s: %v", path, err)
	}
	tb := expTable{what: path, header: rows[0], rows: rows[1:]}
	for i, row := range tb.rows {
		if strings.Join(row, "") == "" {
			tb.rows, tb.rest = tb.rows[:i], tb.rows[i+1:]
			break
		}
	}
	return tb
}

// check fails if a text cell could run as a formula or a figure is not a
// plain number, and unless each of texts (user input as typed) is in some
// cell, neutralised with a leading quote.
func (tb expTable) check(t *testing.T, numeric []string, texts ...string) {
	t.Helper()
	isNum := map[int]bool{}
	for _, name := range numeric {
		i := tb.col(t, name)
		isNum[i] = true
	}
	for _, row := range tb.rows {
		for i, cell := range row {
			switch {
			case isNum[i]:
				if _, err := strconv.ParseFloat(cell, 64); cell != "" && err != nil {
					t.Errorf("%s: %s is %q, not a number (row %q)", tb.what, tb.header[i], cell, row)
				}
			case cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])):
				t.Errorf("%s: %s cell %q could run as a formula", tb.what, tb.header[min(i, len(tb.header)-1)], cell)
			}
		}
	}
	for _, row := range tb.rest {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("%s: cell %q below the table could run as a formula", tb.what, cell)
			}
		}
	}
	for _, text := range texts {
		want := strings.TrimSpace(text)
		found := false
		for _, row := range tb.rows {
			for _, cell := range row {
				if strings.Contains(cell, want) {
					found = true
					if !strings.HasPrefix(cell, "'") {
						t.Errorf("%s: cell %q holds %q without a leading quote", tb.what, cell, want)
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: no cell holds %q; rows %q", tb.what, want, tb.rows)
		}
	}
}

func (tb expTable) col(t *testing.T, name string) int {
	t.Helper()
	for i, h := range tb.header {
		if h == name {
			return i
		}
	}
	t.Fatalf("%s: no column %q in %q", tb.what, name, tb.header)
	return -1
}

// row returns the first row whose column name holds value.
func (tb expTable) row(t *testing.T, name, value string) []string {
	t.Helper()
	i := tb.col(t, name)
	for _, r := range tb.rows {
		if r[i] == value {
			return r
		}
	}
	t.Fatalf("%s: no row with %s = %q", tb.what, name, value)
	return nil
}

// TestExportsNeutraliseFormulas puts text starting with = + - @, a tab or
// a carriage return in every user field that reaches a CSV or XLSX export,
// downloads each export and checks that such cells start with a quote
// while figures stay plain numbers.
func TestExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newMovementServer(t, e)
			s := srv.Server
			ctx := context.Background()
			s.Main.Guard.Strict = s.Main.Guard.Normal // six reports from one address

			var provinces []string
			rows, err := s.Main.DB.Query(ctx, "SELECT code FROM units WHERE level = 'province' AND code <> '01' ORDER BY code")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				provinces = append(provinces, c)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if len(provinces) < len(expFormulas) {
				t.Fatalf("only %d provinces besides 01", len(provinces))
			}

			for k, f := range expFormulas {
				// A citizen's report: its description is the inbox summary.
				submitReport(t, s, reportForm(f))
				// A residential area of kind "khác", named as typed: the
				// name reaches the points, models and cycles tables too.
				if r := post(t, s, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm(f, "khac", f)); r.Status != http.StatusSeeOther {
					t.Fatalf("area %q: status %d:\n%s", f, r.Status, r.Body)
				}
				area := areaByName(t, s, strings.TrimSpace(f))
				point := pointForm(2026, "T0101", area.ID, fmt.Sprintf("2026-08-%02d", 10+k), 350)
				point.Set("place", f)
				point.Set("notes", f)
				if r := post(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi/diem", point); r.Status != http.StatusSeeOther {
					t.Fatalf("point %q: status %d:\n%s", f, r.Status, r.Body)
				}
				model := url.Values{"commune": {"T0101"}, "name": {f}, "type": {"to_tu_quan"}, "started_on": {"2026-01-15"},
					"members": {"12"}, "status": {"active"}, "area_id": {strconv.FormatInt(area.ID, 10)}}
				if r := post(t, s, srv.A, "/can-bo/phong-trao/mo-hinh", model); r.Status != http.StatusSeeOther {
					t.Fatalf("model %q: status %d:\n%s", f, r.Status, r.Body)
				}
				target := targetForm("commune_points_held", "VN", "2026", ">=", strconv.Itoa(k+1))
				target.Set("legal_source", f)
				if r := post(t, s, srv.Ministry, "/can-bo/phong-trao/chi-tieu", target); r.Status != http.StatusSeeOther {
					t.Fatalf("target %q: status %d:\n%s", f, r.Status, r.Body)
				}
				plan := url.Values{"year": {"2026"}, "province": {provinces[k]}, "planned": {"2"}, "source": {f}}
				if r := post(t, s, srv.Ministry, "/can-bo/phong-trao/ngay-hoi/ke-hoach", plan); r.Status != http.StatusSeeOther {
					t.Fatalf("plan %q: status %d:\n%s", f, r.Status, r.Body)
				}
				cycle := register(t, s, srv.A, fmt.Sprintf("residential_area:%d", area.ID))
				assessAll(t, s, srv.A, cycle)
				if r := post(t, s, srv.A, cycle+"/gui", nil); r.Status != http.StatusSeeOther {
					t.Fatalf("submit %s: status %d:\n%s", cycle, r.Status, r.Body)
				}
				if r := post(t, s, srv.Prov, cycle+"/quyet-dinh", url.Values{"decision": {"return"}, "note": {f}}); r.Status != http.StatusSeeOther {
					t.Fatalf("return %s: status %d:\n%s", cycle, r.Status, r.Body)
				}
			}
			if r := post(t, s, srv.Prov, "/can-bo/phong-trao/ngay-hoi/ke-hoach", url.Values{"year": {"2026"}, "province": {"01"}, "planned": {"4"}, "source": {"Kế hoạch 12/KH-CAT"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("plan of 01: status %d:\n%s", r.Status, r.Body)
			}
			// Unit names come from imported files, from outside as well;
			// they are stored as read, blanks included.
			const provName, communeName = `=HYPERLINK("http://evil.example","Hà Nội")`, "+Mẫu Một"
			tabName, crName := "\t=2+2 tỉnh bắt đầu bằng tab", "\r=3+3 tỉnh bắt đầu bằng CR"
			for code, name := range map[string]string{"01": provName, "T0101": communeName, provinces[0]: tabName, provinces[1]: crName} {
				if _, err := s.Main.DB.Exec(ctx, "UPDATE units SET name = ?, full_name = ? WHERE code = ?", name, name, code); err != nil {
					t.Fatal(err)
				}
			}

			t.Run("geography", func(t *testing.T) {
				expCSV(t, s, srv.A, "/can-bo/dia-ban/T0101?dinh-dang=csv").check(t, []string{"id"}, expFormulas...)
				expCSV(t, s, srv.Prov, "/can-bo/dia-ban/01?dinh-dang=csv").check(t, []string{"so_don_vi_con"}, communeName)
				expCSV(t, s, srv.Ministry, "/can-bo/dia-ban/VN?dinh-dang=csv").check(t, []string{"so_don_vi_con"}, provName, tabName, crName)
			})
			t.Run("inbox", func(t *testing.T) {
				all := expCSV(t, s, srv.A, "/can-bo/nguon-tin?dinh-dang=csv")
				all.check(t, []string{"so_tiep_nhan", "nam", "so_ngay_con_lai"}, expFormulas...)
				book := expXLSX(t, s, srv.A, "/can-bo/nguon-tin?dinh-dang=xlsx")
				book.check(t, []string{"so_tiep_nhan", "nam", "so_ngay_con_lai"}, expFormulas...)
				if fmt.Sprint(book.header) != fmt.Sprint(all.header) || len(book.rows) != len(all.rows) || len(all.rows) < 3 {
					t.Fatalf("XLSX export %q with %d rows, CSV %q with %d", book.header, len(book.rows), all.header, len(all.rows))
				}
				for i := range all.rows {
					if book.rows[i][0] != all.rows[i][0] {
						t.Fatalf("row %d: XLSX %q, CSV %q", i, book.rows[i][0], all.rows[i][0])
					}
				}
				// gioi-han keeps the newest rows; the count comes as a trailer.
				res, err := srv.A.Get(s.URL + "/can-bo/nguon-tin?dinh-dang=csv&gioi-han=2")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff"))).ReadAll()
				if err != nil || len(recs) != 3 || recs[1][0] != all.rows[0][0] || recs[2][0] != all.rows[1][0] || res.Trailer.Get("X-Rows") != "2" {
					t.Fatalf("gioi-han=2: %v, rows %q, X-Rows %q", err, recs, res.Trailer.Get("X-Rows"))
				}
				if r := get(t, s, srv.A, "/can-bo/nguon-tin?dinh-dang=csv&gioi-han=0"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Giới hạn số dòng") {
					t.Fatalf("gioi-han=0: status %d", r.Status)
				}
			})
			t.Run("festival", func(t *testing.T) {
				points := expCSV(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi?nam=2026&dinh-dang=csv")
				points.check(t, []string{"id", "nam", "nguoi_tham_du", "dai_bieu_khach_moi", "khen_thuong_tap_the", "khen_thuong_ca_nhan", "qua_tang_vnd", "mo_hinh_ra_mat"},
					append([]string{communeName}, expFormulas...)...)
				row := points.row(t, "dia_diem", "'"+strings.TrimSpace(expFormulas[2]))
				if got := []string{row[points.col(t, "nguoi_tham_du")], row[points.col(t, "dai_bieu_khach_moi")], row[points.col(t, "qua_tang_vnd")]}; fmt.Sprint(got) != "[350 12 15000000]" {
					t.Errorf("points CSV figures %q, want [350 12 15000000]", got)
				}
				expCSV(t, s, srv.Ministry, "/can-bo/phong-trao/ngay-hoi?nam=2026&dinh-dang=csv&bang=ke-hoach").check(t, []string{"nam", "so_diem_ke_hoach"},
					append([]string{provName, tabName, crName}, expFormulas...)...)
				expCSV(t, s, srv.Prov, "/can-bo/phong-trao/ngay-hoi?nam=2026&dinh-dang=csv&bang=ke-hoach").check(t, []string{"nam", "so_diem_ke_hoach"}, provName)
				byProvince := expCSV(t, s, srv.Ministry, "/can-bo/phong-trao/ngay-hoi?nam=2026&dinh-dang=csv&bang=tinh")
				byProvince.check(t, []string{"communes_held", "residential_areas_held", "planned_points", "participants", "guests",
					"commendations_collective", "commendations_individual", "gifts_vnd", "plan_pct"}, provName, tabName, crName)
				if got := byProvince.row(t, "province_code", "01")[byProvince.col(t, "participants")]; got != "2100" {
					t.Errorf("by province: participants of 01 %q, want 2100", got)
				}
			})
			t.Run("models", func(t *testing.T) {
				expCSV(t, s, srv.A, "/can-bo/phong-trao/mo-hinh?dinh-dang=csv").check(t, []string{"id", "so_thanh_vien"}, append([]string{communeName}, expFormulas...)...)
				expCSV(t, s, srv.Ministry, "/can-bo/phong-trao/mo-hinh?dinh-dang=csv").check(t, []string{"nam", "so_mo_hinh_hoat_dong"}, provName, tabName, crName)
			})
			t.Run("targets", func(t *testing.T) {
				expCSV(t, s, srv.Ministry, "/can-bo/phong-trao/chi-tieu?nam=2026&dinh-dang=csv").check(t, []string{"id", "nam", "gia_tri"}, expFormulas...)
			})
			t.Run("recognition", func(t *testing.T) {
				expCSV(t, s, srv.A, "/can-bo/phong-trao/cong-nhan?nam=2026&dinh-dang=csv").check(t, []string{"id", "nam"}, expFormulas...)
			})
			t.Run("conference report", func(t *testing.T) {
				figures := []string{"communes_held", "residential_areas_held", "planned_points", "participants", "guests",
					"commendations_collective", "commendations_individual", "gifts_vnd", "plan_pct"}
				rep := expCSV(t, s, srv.A, "/bao-cao/ngay-hoi/2026?dinh-dang=csv")
				rep.check(t, figures, provName, tabName, crName)
				if got := rep.row(t, "province_code", "TOTAL")[rep.col(t, "participants")]; got != "2100" {
					t.Errorf("report CSV: national participants %q, want 2100", got)
				}
				book := expXLSX(t, s, srv.A, "/bao-cao/ngay-hoi/2026?dinh-dang=xlsx")
				book.check(t, []string{"Số xã tổ chức", "Số khu dân cư tổ chức", "Kế hoạch (điểm)", "Người tham dự", "Đại biểu, khách mời",
					"Khen thưởng tập thể", "Khen thưởng cá nhân", "Quà tặng (đồng)", "Tỷ lệ so với kế hoạch (%)"}, provName, tabName, crName)
				if got := book.row(t, "Mã tỉnh", "01")[book.col(t, "Người tham dự")]; got != "2100" {
					t.Errorf("report XLSX: participants of 01 %q, want 2100", got)
				}
			})
		})
	}
}

// expHTML is an HTML page renamed to look like a photo.
var expHTML = []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")

// expPNG returns a small PNG.
func expPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{200, 10, 10, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// expStored counts what uploads leave behind: attachment rows and files
// under <data>/files.
type expStored struct{ rows, files, messages, sources int }

func expCountStored(t *testing.T, srv *testutil.Server) expStored {
	t.Helper()
	var n expStored
	for q, dst := range map[string]*int{"SELECT COUNT(*) FROM attachments": &n.rows, "SELECT COUNT(*) FROM source_messages": &n.messages,
		"SELECT COUNT(*) FROM sources": &n.sources} {
		if err := srv.Main.DB.QueryRow(context.Background(), q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(srv.Main.Config.DataDir, "files")
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			n.files++
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return n
}

// TestUploads: files are typed by their content, served as attachments of
// that type, and a file that is not what it claims, or too big, is refused
// in words with nothing stored, on the citizen's and the officer's forms.
func TestUploads(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)
			s := srv.Server
			s.Main.Guard.Strict = s.Main.Guard.Normal
			pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
			tracking, receipt := submitReport(t, s, reportForm("Tin báo kèm tài liệu và ảnh chụp màn hình."),
				upload{"anh.jpg", "image/jpeg", pdf}, upload{"trang.html", "text/html", expPNG(t)})
			id := inboxIDs(get(t, s, srv.A, "/can-bo/nguon-tin").Body)[tracking]
			if id == "" {
				t.Fatalf("report %s not in the inbox", tracking)
			}
			page := "/can-bo/nguon-tin/" + id

			t.Run("served by content", func(t *testing.T) {
				links := fileLink.FindAllStringSubmatch(get(t, s, srv.A, page).Body, -1)
				seen := map[string]bool{}
				for _, m := range links {
					if seen[m[1]] {
						continue
					}
					seen[m[1]] = true
					r := get(t, s, srv.A, "/can-bo/tep/"+m[1])
					want, ext := "application/pdf", ".pdf"
					if strings.HasPrefix(r.Body, "\x89PNG") {
						want, ext = "image/png", ".png"
					}
					if r.Status != http.StatusOK || r.Header.Get("Content-Type") != want {
						t.Errorf("file %s: status %d, Content-Type %q, want %s", m[1], r.Status, r.Header.Get("Content-Type"), want)
					}
					if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="tep-`+m[1]+ext+`"` {
						t.Errorf("file %s: Content-Disposition %q, want an attachment named tep-%s%s", m[1], cd, m[1], ext)
					}
					if r.Header.Get("X-Content-Type-Options") != "nosniff" {
						t.Errorf("file %s: X-Content-Type-Options %q", m[1], r.Header.Get("X-Content-Type-Options"))
					}
				}
				if len(seen) != 2 {
					t.Errorf("source page links %d files, want 2", len(seen))
				}
			})

			// Each form, with one bad file: what it answers and what it must
			// say.
			forms := []struct {
				name string
				send func(upload) reply
			}{
				{"report", func(f upload) reply {
					return postMultipart(t, s, s.NewClient(t), "/to-giac", reportForm("Báo tin kèm một tệp không hợp lệ."), f)
				}},
				{"reply", func(f upload) reply {
					return postMultipart(t, s, s.NewClient(t), "/theo-doi/tra-loi", url.Values{"receipt_code": {receipt}, "message": {"Gửi thêm ảnh."}}, f)
				}},
				{"officer action", func(f upload) reply {
					return postMultipart(t, s, srv.A, page+"/thao-tac", url.Values{"action": {"note"}, "note": {"Bổ sung tài liệu."}}, f)
				}},
				{"officer entry", func(f upload) reply {
					return postMultipart(t, s, srv.A, "/can-bo/nguon-tin", url.Values{"channel": {"walk_in"}, "kind": {"to_giac"}, "category": {"ma_tuy"},
						"description": {"Công dân trình báo kèm ảnh chụp."}, "anonymous": {"1"}}, f)
				}},
			}
			refused := func(t *testing.T, f upload, msg ...string) {
				t.Helper()
				for _, form := range forms {
					before := expCountStored(t, s)
					r := form.send(f)
					if r.Status != http.StatusBadRequest {
						t.Errorf("%s with %s: status %d, want 400:\n%s", form.name, f.name, r.Status, r.Body)
					}
					for _, m := range msg {
						if !strings.Contains(r.Body, m) {
							t.Errorf("%s with %s: the page does not say %q:\n%s", form.name, f.name, m, r.Body)
						}
					}
					if after := expCountStored(t, s); after != before {
						t.Errorf("%s with %s: stored %+v, before %+v", form.name, f.name, after, before)
					}
				}
			}

			t.Run("HTML named .jpg", func(t *testing.T) {
				refused(t, upload{"anh.jpg", "image/jpeg", expHTML}, "không phải ảnh, video hoặc PDF được chấp nhận")
				r := postMultipart(t, s, s.NewClient(t), "/to-giac", reportForm("Báo tin kèm một tệp không hợp lệ."), upload{"anh.jpg", "image/jpeg", expHTML})
				if !strings.Contains(r.Body, "vui lòng chọn lại tệp") || !strings.Contains(r.Body, "Báo tin kèm một tệp không hợp lệ.</textarea>") {
					t.Errorf("refused report: the form should keep the text and ask for the files again:\n%s", r.Body)
				}
			})

			t.Run("too big", func(t *testing.T) {
				limit := s.Main.Sources.Limits.MaxFileBytes
				s.Main.Sources.Limits.MaxFileBytes = 1024
				defer func() { s.Main.Sources.Limits.MaxFileBytes = limit }()
				big := append(append([]byte{}, pdf...), bytes.Repeat([]byte("%\n"), 1024)...)
				refused(t, upload{"bien-ban.pdf", "application/pdf", big}, "Tệp “bien-ban.pdf” quá lớn: mỗi tệp tối đa 1 KB.")
				// A file under the limit still goes through.
				before := expCountStored(t, s)
				r := postMultipart(t, s, s.NewClient(t), "/theo-doi/tra-loi", url.Values{"receipt_code": {receipt}, "message": {"Gửi biên bản."}},
					upload{"bien-ban.pdf", "application/pdf", pdf})
				if after := expCountStored(t, s); r.Status != http.StatusOK || after.rows != before.rows+1 || after.files != before.files+1 {
					t.Errorf("reply with a small file: status %d, stored %+v, before %+v", r.Status, after, before)
				}
			})
		})
	}
}

// TestUploadRefusalKeepsLookupWait: a reply refused for its file still
// checks the receipt code under the escalating wait, so it cannot be used
// to try codes faster, or to read a report while the wait runs.
func TestUploadRefusalKeepsLookupWait(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			tracking, receipt := submitReport(t, srv, reportForm("Báo tin để thử mã tiếp nhận khi tệp bị từ chối."))
			wrong := "0000-0000-0000-0000"
			bad := upload{"anh.jpg", "image/jpeg", expHTML}
			answer := func(code string, files ...upload) reply {
				return postMultipart(t, srv, srv.NewClient(t), "/theo-doi/tra-loi", url.Values{"receipt_code": {code}, "message": {"Thêm thông tin."}}, files...)
			}
			wait := func(r reply) {
				secs, _ := strconv.Atoi(r.Header.Get("Retry-After"))
				srv.Clock.Advance(time.Duration(secs)*time.Second + time.Millisecond)
			}

			// During the wait after a wrong code, even the right one shows
			// nothing, whatever the request carries.
			r := follow(t, srv, wrong)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("wrong code: status %d", r.Status)
			}
			for _, files := range [][]upload{nil, {bad}} {
				r = answer(receipt, files...)
				if r.Status != http.StatusTooManyRequests || strings.Contains(r.Body, tracking) {
					t.Errorf("reply with the right code during the wait (%d files): status %d, tracking code shown %v; want 429 and nothing of the report",
						len(files), r.Status, strings.Contains(r.Body, tracking))
				}
			}
			wait(r)

			// A wrong code sent with a refused file counts as a wrong code.
			if r := answer(wrong, bad); r.Status != http.StatusBadRequest || strings.Contains(r.Body, tracking) {
				t.Errorf("wrong code with a bad file: status %d", r.Status)
			}
			r = answer(receipt, bad)
			if r.Status != http.StatusTooManyRequests || strings.Contains(r.Body, tracking) {
				t.Errorf("right code right after a wrong one sent with a bad file: status %d, tracking code shown %v; want 429",
					r.Status, strings.Contains(r.Body, tracking))
			}
			wait(r)

			// With the right code and no wait, the refusal shows the
			// conversation again so the citizen can retry.
			r = answer(receipt, bad)
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, tracking) || !strings.Contains(r.Body, "không phải ảnh, video hoặc PDF") {
				t.Errorf("right code with a bad file: status %d; want 400 with the report and the reason:\n%s", r.Status, r.Body)
			}
		})
	}
}

// expForwarded is the client address a trusted proxy forwards.
const expForwarded = "203.0.113.77"

// expHeaderTransport adds header pairs to every request.
type expHeaderTransport struct {
	next   http.RoundTripper
	header []string
}

func (h expHeaderTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	for i := 0; i+1 < len(h.header); i += 2 {
		req.Header.Set(h.header[i], h.header[i+1])
	}
	return h.next.RoundTrip(req)
}

// TestPrivacyNoClientAddress: anonymous reports, replies and look-ups, sent
// directly and through a trusted proxy that names the client, leave the
// client's address in no column of the tables about the report, and
// citizen pages set no cookie.
func TestPrivacyNoClientAddress(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			// The same application behind a proxy on 127.0.0.1, which it
			// trusts to name the client in X-Forwarded-For.
			srv.Main.Config.TrustedProxies = "127.0.0.1/32"
			hs := httptest.NewServer(srv.Main.Handler())
			t.Cleanup(hs.Close)
			proxied := &testutil.Server{Server: hs, Main: srv.Main, Clock: srv.Clock}

			for _, via := range []*testutil.Server{srv, proxied} {
				c := srv.NewClient(t)
				c.Transport = expHeaderTransport{next: http.DefaultTransport, header: []string{"X-Forwarded-For", expForwarded, "X-Real-IP", expForwarded, "X-Forwarded-Proto", "https"}}
				pages := map[string]reply{"GET /": get(t, via, c, "/"), "GET /to-giac": get(t, via, c, "/to-giac"), "GET /theo-doi": get(t, via, c, "/theo-doi")}
				// HSTS answers X-Forwarded-Proto only from a trusted proxy:
				// proof that the forwarded address is believed there.
				if hsts := pages["GET /"].Header.Get("Strict-Transport-Security") != ""; hsts != (via == proxied) {
					t.Fatalf("via %s: forwarding headers believed %v, want %v", via.URL, hsts, via == proxied)
				}
				r := postMultipart(t, via, c, "/to-giac", reportForm("Tin báo ẩn danh, không được lưu địa chỉ của người gửi."),
					upload{"anh.jpg", "image/jpeg", jpegWithGPS(t)})
				pages["POST /to-giac"] = r
				m := receiptShown.FindStringSubmatch(r.Body)
				if r.Status != http.StatusCreated || m == nil {
					t.Fatalf("report via %s: status %d:\n%s", via.URL, r.Status, r.Body)
				}
				pages["POST /theo-doi"] = post(t, via, c, "/theo-doi", url.Values{"receipt_code": {m[1]}})
				pages["POST /theo-doi/tra-loi"] = postMultipart(t, via, c, "/theo-doi/tra-loi", url.Values{"receipt_code": {m[1]}, "message": {"Tôi gửi thêm một ảnh."}},
					upload{"anh2.jpg", "image/jpeg", jpegWithGPS(t)})
				pages["POST /theo-doi wrong code"] = post(t, via, c, "/theo-doi", url.Values{"receipt_code": {"0000-0000-0000-0000"}})
				for what, r := range pages {
					if r.Status >= 500 {
						t.Errorf("%s: status %d", what, r.Status)
					}
					noCookies(t, r, what)
				}
				if ck := c.Jar.Cookies(mustURL(t, via.URL)); len(ck) > 0 {
					t.Errorf("the citizen's browser holds cookies %v", ck)
				}
			}

			tables := map[string]int{}
			for _, table := range []string{"sources", "source_events", "source_messages", "attachments", "audit_log"} {
				tables[table] = expScanFor(t, srv.Main.DB, table, "127.0.0.1", expForwarded)
			}
			if tables["sources"] != 2 || tables["source_messages"] != 2 || tables["attachments"] != 4 || tables["source_events"] < 4 || tables["audit_log"] < 4 {
				t.Errorf("rows scanned %v; want 2 sources and their messages, files, events and audit entries", tables)
			}
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// expScanFor reads every column of every row of table and fails if any
// holds one of needles. It returns the number of rows read.
func expScanFor(t *testing.T, db *store.DB, table string, needles ...string) int {
	t.Helper()
	rows, err := db.Query(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		n++
		for i, v := range vals {
			var text string
			switch v := v.(type) {
			case nil:
			case []byte:
				text = string(v)
			case string:
				text = v
			default:
				text = fmt.Sprint(v)
			}
			for _, needle := range needles {
				if strings.Contains(text, needle) {
					t.Errorf("%s.%s holds the client address %s: %q", table, cols[i], needle, text)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}
