package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"toandan/internal/testutil"
	"toandan/internal/xlsx"
)

var headline = regexp.MustCompile(`Toàn quốc tổ chức <strong>([\d.]+)</strong> điểm Ngày hội cấp xã(?: trên kế hoạch <strong>([\d.]+)</strong> điểm \(([\d,]+)%\))?: <strong class="verdict (\w+)">([^<]+)</strong>`)

// reportHeadline reads the national figures off the conference report:
// commune-level points held, planned (empty without a plan) and the
// verdict.
func reportHeadline(t *testing.T, srv *testutil.Server, c *http.Client, path string) (held, planned, verdict string) {
	t.Helper()
	r := get(t, srv, c, path)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d:\n%s", path, r.Status, r.Body)
	}
	m := headline.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("GET %s: no national headline:\n%s", path, r.Body)
	}
	if want := map[string]string{"vượt kế hoạch": "met", "đạt kế hoạch": "met", "chưa đạt kế hoạch": "missed", "chưa có kế hoạch": "none"}[m[5]]; m[4] != want {
		t.Errorf("verdict %q coloured %q, want %q", m[5], m[4], want)
	}
	return m[1], m[2], m[5]
}

func setPlan(t *testing.T, srv *testutil.Server, c *http.Client, province string, planned int) {
	t.Helper()
	r := post(t, srv, c, "/can-bo/phong-trao/ngay-hoi/ke-hoach", url.Values{"year": {"2026"}, "province": {province}, "planned": {fmt.Sprint(planned)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("plan %s=%d: status %d:\n%s", province, planned, r.Status, r.Body)
	}
}

func TestConferenceReport(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newMovementServer(t, e)
			s := srv.Server
			const path = "/bao-cao/ngay-hoi/2026"

			post(t, s, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn Đông", "thon", ""))
			area := areaByName(t, s, "Thôn Đông")
			for _, p := range []struct {
				c    *http.Client
				form url.Values
			}{
				{srv.A, pointForm(2026, "T0101", 0, "2026-08-19", 350)},
				{srv.A, pointForm(2026, "T0101", area.ID, "2026-08-12", 120)},
				{srv.B, pointForm(2026, "T0102", 0, "2026-08-18", 200)},
			} {
				if r := post(t, s, p.c, "/can-bo/phong-trao/ngay-hoi/diem", p.form); r.Status != http.StatusSeeOther {
					t.Fatalf("record: status %d:\n%s", r.Status, r.Body)
				}
			}

			// No plan yet: nothing to exceed or fall short of.
			if held, planned, verdict := reportHeadline(t, s, srv.A, path); held != "2" || planned != "" || verdict != "chưa có kế hoạch" {
				t.Errorf("no plan: held %s planned %q verdict %q", held, planned, verdict)
			}
			setPlan(t, s, srv.Prov, "01", 3)
			setPlan(t, s, srv.Ministry, "79", 2)
			if held, planned, verdict := reportHeadline(t, s, srv.Prov, path); held != "2" || planned != "5" || verdict != "chưa đạt kế hoạch" {
				t.Errorf("2 of 5: held %s planned %s verdict %q", held, planned, verdict)
			}
			setPlan(t, s, srv.Ministry, "79", 0)
			setPlan(t, s, srv.Prov, "01", 2)
			if held, planned, verdict := reportHeadline(t, s, srv.B, path); held != "2" || planned != "2" || verdict != "đạt kế hoạch" {
				t.Errorf("2 of 2: held %s planned %s verdict %q", held, planned, verdict)
			}
			setPlan(t, s, srv.Prov, "01", 1)
			if held, planned, verdict := reportHeadline(t, s, srv.Ministry, path); held != "2" || planned != "1" || verdict != "vượt kế hoạch" {
				t.Errorf("2 of 1: held %s planned %s verdict %q", held, planned, verdict)
			}
			// A returned point leaves the roll-up until corrected.
			points := pointsOf(t, s)
			if r := post(t, s, srv.Prov, fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d/duyet", points[0].ID), url.Values{"decision": {"return"}, "note": {"Sai ngày"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("return: %d", r.Status)
			}
			if held, planned, verdict := reportHeadline(t, s, srv.A, path); held != "1" || planned != "1" || verdict != "đạt kế hoạch" {
				t.Errorf("after a return: held %s planned %s verdict %q", held, planned, verdict)
			}

			r := get(t, s, srv.A, path)
			for _, want := range []string{
				`<td>01</td><td>Hà Nội</td><td class="num">1</td><td class="num">1</td><td class="num">320</td>`, // T0102's point and the area point
				"<strong>1</strong> khu dân cư tổ chức điểm Ngày hội",
				`<link rel="stylesheet" href="/static/style.css">`, `class="no-print report-tools"`,
				"1. Kết quả chung", "2. Kết quả theo tỉnh, thành phố", "3. Xây dựng Công an phường điển hình, kiểu mẫu", "4. Công nhận xã, phường, đặc khu",
				"Chưa có chỉ tiêu về số Công an phường",
			} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("report lacks %q", want)
				}
			}
			css := get(t, s, srv.A, "/static/style.css")
			for _, want := range []string{"@page{size:A4", "@media print{", ".top,footer,form,.skip,.subnav,.no-print"} {
				if !strings.Contains(css.Body, want) {
					t.Errorf("stylesheet lacks %q", want)
				}
			}

			t.Run("views and access", func(t *testing.T) {
				if r := get(t, s, srv.A, path+"?xem=recorded"); r.Status != http.StatusOK || !strings.Contains(r.Body, "<strong>theo địa bàn khi ghi nhận</strong>") {
					t.Errorf("recorded view: status %d", r.Status)
				}
				if held, _, _ := reportHeadline(t, s, srv.A, path+"?xem=recorded"); held != "1" {
					t.Errorf("recorded view: held %s, want 1", held)
				}
				for p, want := range map[string]int{path + "?xem=khac": 400, path + "?dinh-dang=pdf": 400, "/bao-cao/ngay-hoi/abc": 404, "/bao-cao/ngay-hoi/1990": 404} {
					if r := get(t, s, srv.A, p); r.Status != want {
						t.Errorf("GET %s: status %d, want %d", p, r.Status, want)
					}
				}
				for _, p := range []string{path, path + "?dinh-dang=csv", path + "?dinh-dang=xlsx"} {
					if r := get(t, s, s.NewClient(t), p); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/dang-nhap") {
						t.Errorf("signed out GET %s: status %d, location %q", p, r.Status, r.Location())
					}
				}
			})

			t.Run("downloads", func(t *testing.T) {
				r := get(t, s, srv.A, path+"?dinh-dang=csv")
				if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
					r.Header.Get("Content-Disposition") != `attachment; filename="bao-cao-ngay-hoi-2026-current.csv"` {
					t.Fatalf("CSV: status %d, headers %v", r.Status, r.Header)
				}
				recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
				if err != nil {
					t.Fatalf("CSV: %v\n%s", err, r.Body)
				}
				want := []string{"province_code", "province_name", "communes_held", "residential_areas_held", "planned_points", "participants"}
				if len(recs) < 3 || fmt.Sprint(recs[0][:6]) != fmt.Sprint(want) {
					t.Fatalf("CSV header %q, want %q first", recs[0], want)
				}
				rows := map[string][]string{}
				for _, rec := range recs[1:] {
					rows[rec[0]] = rec
				}
				if len(rows) != 35 || rows["79"] == nil {
					t.Errorf("CSV: %d rows, want the 34 provinces and the total", len(rows))
				}
				if got := rows["01"]; fmt.Sprint(got[:6]) != fmt.Sprint([]string{"01", "Hà Nội", "1", "1", "1", "320"}) {
					t.Errorf("CSV row 01: %q", got)
				}
				last := recs[len(recs)-1]
				if fmt.Sprint(last[:6]) != fmt.Sprint([]string{"TOTAL", "Toàn quốc", "1", "1", "1", "320"}) {
					t.Errorf("CSV last row %q, want the national TOTAL", last)
				}

				r = get(t, s, srv.A, path+"?dinh-dang=xlsx&xem=recorded")
				if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "PK") || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
					r.Header.Get("Content-Disposition") != `attachment; filename="bao-cao-ngay-hoi-2026-recorded.xlsx"` {
					t.Errorf("XLSX: status %d, type %q, disposition %q, starts %q", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"), r.Body[:min(4, len(r.Body))])
				}
			})

			t.Run("model wards and recognition", func(t *testing.T) {
				for _, f := range []url.Values{
					{"indicator": {"recognised_model_wards"}, "scope": {"each:municipality"}, "year": {"2026"}, "comparator": {">="}, "value": {"1"}, "legal_source": {"Kế hoạch thí điểm Công an phường điển hình"}},
					{"indicator": {"communes_recognised_pct"}, "scope": {"01"}, "year": {"2026"}, "comparator": {">="}, "value": {"50"}, "legal_source": {"Nghị quyết Thành ủy"}},
					// Another indicator stays out of both sections.
					{"indicator": {"active_models"}, "scope": {"VN"}, "year": {"2026"}, "comparator": {">="}, "value": {"7"}, "legal_source": {"Không thuộc báo cáo"}},
				} {
					if r := post(t, s, srv.Ministry, "/can-bo/phong-trao/chi-tieu", f); r.Status != http.StatusSeeOther {
						t.Fatalf("create target: %d:\n%s", r.Status, r.Body)
					}
				}
				// Hà Nội's ward T0101 is recognised as a model ward police.
				cycle := register(t, s, srv.A, "model_ward:T0101")
				assessAll(t, s, srv.A, cycle)
				if r := post(t, s, srv.A, cycle+"/gui", nil); r.Status != http.StatusSeeOther {
					t.Fatalf("submit: %d:\n%s", r.Status, r.Body)
				}
				if r := post(t, s, srv.Prov, cycle+"/quyet-dinh", url.Values{"decision": {"approve"}}); r.Status != http.StatusSeeOther {
					t.Fatalf("approve: %d:\n%s", r.Status, r.Body)
				}

				r := get(t, s, srv.Prov, path)
				sec3 := section(r.Body, "3. Xây dựng Công an phường", "4. Công nhận")
				sec4 := section(r.Body, "4. Công nhận", "</main>")
				for _, want := range []string{"Từng thành phố trực thuộc trung ương", "≥ 1 phường", "Kế hoạch thí điểm Công an phường điển hình",
					`<span class="state at-risk">Có nguy cơ không đạt</span>`, "Các đơn vị chưa đạt chỉ tiêu (5/6)", "<li>Thành phố Hồ Chí Minh: 0 phường</li>", "<li>Thành phố Cần Thơ: 0 phường</li>"} {
					if !strings.Contains(sec3, want) {
						t.Errorf("model ward section lacks %q:\n%s", want, sec3)
					}
				}
				if strings.Contains(sec3, "<li>Thành phố Hà Nội") {
					t.Errorf("Hà Nội, with a recognised model ward, is listed below target:\n%s", sec3)
				}
				for _, want := range []string{"<td>Thành phố Hà Nội</td><td>≥ 50%</td><td>0%</td>", `<span class="state at-risk">Có nguy cơ không đạt</span>`, "Nghị quyết Thành ủy"} {
					if !strings.Contains(sec4, want) {
						t.Errorf("recognition section lacks %q:\n%s", want, sec4)
					}
				}
				if strings.Contains(r.Body, "Không thuộc báo cáo") {
					t.Errorf("the report shows a target of another indicator")
				}

				// The workbook holds the whole report: the table by province,
				// then both sections of targets.
				x := get(t, s, srv.Prov, path+"?dinh-dang=xlsx")
				rows, err := xlsx.ReadRows(strings.NewReader(x.Body), int64(len(x.Body)), 0)
				if err != nil {
					t.Fatalf("XLSX: %v", err)
				}
				var flat []string
				for _, row := range rows {
					flat = append(flat, strings.Join(row, "|"))
				}
				all := strings.Join(flat, "\n")
				for _, want := range []string{"TOTAL|Toàn quốc", "Chỉ tiêu Công an phường điển hình năm 2026", "Mã đơn vị|Đơn vị|Chỉ tiêu|Thực tế|Đánh giá|Căn cứ",
					"|Thành phố Hồ Chí Minh|≥ 1 phường|0 phường|Có nguy cơ không đạt|Kế hoạch thí điểm Công an phường điển hình",
					"Chỉ tiêu công nhận “An toàn về an ninh, trật tự” năm 2026", "01|Thành phố Hà Nội|≥ 50%|0%|Có nguy cơ không đạt|Nghị quyết Thành ủy"} {
					if !strings.Contains(all, want) {
						t.Errorf("XLSX lacks %q:\n%s", want, all)
					}
				}
				if strings.Index(all, "TOTAL|") > strings.Index(all, "Chỉ tiêu Công an phường") || strings.Contains(all, "Không thuộc báo cáo") {
					t.Errorf("XLSX sections out of place:\n%s", all)
				}
			})
		})
	}
}

// section returns the part of body from the first from to the next to.
func section(body, from, to string) string {
	i := strings.Index(body, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], to)
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}
