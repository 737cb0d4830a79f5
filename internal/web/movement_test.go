package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// movementServer is the sample server with a Ministry officer as well.
type movementServer struct {
	sampleServer
	Ministry *http.Client
}

func newMovementServer(t *testing.T, e store.Engine) movementServer {
	t.Helper()
	srv := newSampleServer(t, e)
	pw := srv.CreateUser(t, "bo-cong-an", account.Ministry, "VN")
	return movementServer{sampleServer: srv, Ministry: srv.Login(t, "bo-cong-an", pw)}
}

// pointForm is a festival point as the form posts it.
func pointForm(year int, commune string, area int64, heldOn string, participants int) url.Values {
	return url.Values{
		"year": {strconv.Itoa(year)}, "commune": {commune}, "area_id": {strconv.FormatInt(area, 10)}, "held_on": {heldOn},
		"place": {"Nhà văn hóa"}, "participants": {strconv.Itoa(participants)}, "guests": {"12"},
		"commendations_collective": {"2"}, "commendations_individual": {"5"}, "gifts_vnd": {"15.000.000"}, "models_launched": {"1"},
		"notes": {"Tổ chức đúng kế hoạch"},
	}
}

// storedPoint is a festival point row as the database holds it.
type storedPoint struct {
	ID                               int64
	Commune, HeldOn, Place, Status   string
	Area                             int64
	Participants, Guests, Collective int
	Individual, Models               int
	Gifts                            int64
	ReviewNote                       string
}

func pointsOf(t *testing.T, srv *testutil.Server) []storedPoint {
	t.Helper()
	rows, err := srv.Main.DB.Query(context.Background(), `SELECT id, commune_code, COALESCE(area_id, 0), held_on, place, status, participants, guests,
		commendations_collective, commendations_individual, models_launched, gifts_vnd, review_note FROM festival_points ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedPoint
	for rows.Next() {
		var p storedPoint
		if err := rows.Scan(&p.ID, &p.Commune, &p.Area, &p.HeldOn, &p.Place, &p.Status, &p.Participants, &p.Guests,
			&p.Collective, &p.Individual, &p.Models, &p.Gifts, &p.ReviewNote); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// fieldError reports whether body shows msg as the error of a form field.
func fieldError(body, msg string) bool {
	return strings.Contains(body, `class="field-error"`) && strings.Contains(body, msg)
}

func TestFestivalPages(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newMovementServer(t, e)
			s := srv.Server

			// A registers a residential area, then records the commune-level
			// point and one in the area.
			if r := post(t, s, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn Đông", "thon", "")); r.Status != http.StatusSeeOther {
				t.Fatalf("create area: %d", r.Status)
			}
			area := areaByName(t, s, "Thôn Đông")

			r := get(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi/diem-moi?nam=2026")
			if r.Status != http.StatusOK || !strings.Contains(r.Body, `action="/can-bo/phong-trao/ngay-hoi/diem"`) ||
				!strings.Contains(r.Body, fmt.Sprintf(`<option value="%d">Thôn Đông</option>`, area.ID)) {
				t.Fatalf("new point form: status %d, want the form with the area:\n%s", r.Status, r.Body)
			}
			r = post(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi/diem", pointForm(2026, "T0101", 0, "2026-08-19", 350))
			if r.Status != http.StatusSeeOther || r.Location() != "/can-bo/phong-trao/ngay-hoi?nam=2026&ok=ghi" {
				t.Fatalf("record point: status %d, location %q:\n%s", r.Status, r.Location(), r.Body)
			}
			if r := post(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi/diem", pointForm(2026, "T0101", area.ID, "2026-08-10", 120)); r.Status != http.StatusSeeOther {
				t.Fatalf("record area point: status %d:\n%s", r.Status, r.Body)
			}
			points := pointsOf(t, s)
			if len(points) != 2 {
				t.Fatalf("stored points: %+v", points)
			}
			commune, inArea := points[0], points[1]
			if commune.Commune != "T0101" || commune.Area != 0 || commune.HeldOn != "2026-08-19" || commune.Participants != 350 ||
				commune.Gifts != 15_000_000 || commune.Status != "submitted" || inArea.Area != area.ID {
				t.Fatalf("stored points: %+v", points)
			}

			r = get(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi?nam=2026&ok=ghi")
			if r.Status != http.StatusOK {
				t.Fatalf("festival list: status %d", r.Status)
			}
			for _, want := range []string{"Đã ghi điểm tổ chức Ngày hội.", fmt.Sprintf(`href="/can-bo/phong-trao/ngay-hoi/diem/%d">Điểm cấp xã</a>`, commune.ID),
				fmt.Sprintf(`href="/can-bo/phong-trao/ngay-hoi/diem/%d">Thôn Đông</a>`, inArea.ID), "19/08/2026", `<td class="num">350</td>`, "Chờ duyệt"} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("festival list lacks %q:\n%s", want, r.Body)
				}
			}

			t.Run("form errors", func(t *testing.T) {
				cases := []struct {
					name  string
					edit  func(url.Values)
					field string
					msg   string
				}{
					{"date outside the year", func(f url.Values) { f.Set("held_on", "2025-08-19") }, "held_on", "không thuộc năm 2026"},
					{"date in the future", func(f url.Values) { f.Set("held_on", "2026-12-20") }, "held_on", "sau ngày hôm nay"},
					{"not a number", func(f url.Values) { f.Set("participants", "nhiều") }, "participants", "Vui lòng nhập một số nguyên."},
					{"negative", func(f url.Values) { f.Set("guests", "-3") }, "guests", "không được âm"},
					{"duplicate commune point", func(f url.Values) {}, "", "đã có điểm tổ chức Ngày hội cấp xã năm 2026"},
				}
				for _, c := range cases {
					f := pointForm(2026, "T0101", 0, "2026-08-18", 77)
					c.edit(f)
					r := post(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi/diem", f)
					if c.field == "" {
						if r.Status != http.StatusConflict || !strings.Contains(r.Body, c.msg) {
							t.Errorf("%s: status %d, want 409 with %q:\n%s", c.name, r.Status, c.msg, r.Body)
						}
						continue
					}
					if r.Status != http.StatusBadRequest || !fieldError(r.Body, c.msg) || !strings.Contains(r.Body, `id="`+c.field+`" name="`+c.field+`"`) {
						t.Errorf("%s: status %d, want 400 with %q at %s:\n%s", c.name, r.Status, c.msg, c.field, r.Body)
					}
					// What was typed is shown again.
					if !strings.Contains(r.Body, `value="`+f.Get("place")+`"`) {
						t.Errorf("%s: the form lost what was typed", c.name)
					}
				}
				if got := len(pointsOf(t, s)); got != 2 {
					t.Errorf("points after refused forms: %d, want 2", got)
				}
			})

			t.Run("another commune", func(t *testing.T) {
				before := pointsOf(t, s)
				path := fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d", commune.ID)
				if r := get(t, s, srv.B, path); r.Status != http.StatusNotFound || strings.Contains(r.Body, "Nhà văn hóa") {
					t.Errorf("B GET %s: status %d, want 404 without the point", path, r.Status)
				}
				f := pointForm(2026, "T0101", 0, "2026-08-01", 1)
				if r := post(t, s, srv.B, path, f); r.Status != http.StatusNotFound {
					t.Errorf("B POST %s: status %d, want 404", path, r.Status)
				}
				if r := post(t, s, srv.B, path+"/duyet", url.Values{"decision": {"approve"}}); !refused(r.Status) {
					t.Errorf("B approves: status %d, want 403 or 404", r.Status)
				}
				if r := post(t, s, srv.B, "/can-bo/phong-trao/ngay-hoi/diem", pointForm(2026, "T0101", 0, "2026-08-02", 9)); r.Status != http.StatusNotFound {
					t.Errorf("B records for T0101: status %d, want 404", r.Status)
				}
				if r := get(t, s, srv.B, "/can-bo/phong-trao/ngay-hoi?nam=2026&don-vi=T0101"); r.Status != http.StatusNotFound {
					t.Errorf("B lists T0101: status %d, want 404", r.Status)
				}
				// B's own list does not show A's points.
				if r := get(t, s, srv.B, "/can-bo/phong-trao/ngay-hoi?nam=2026"); r.Status != http.StatusOK || strings.Contains(r.Body, path) {
					t.Errorf("B's own list: status %d, or shows A's point", r.Status)
				}
				if after := pointsOf(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Errorf("points changed by B:\nbefore %+v\nafter  %+v", before, after)
				}
			})

			t.Run("edit", func(t *testing.T) {
				path := fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d", commune.ID)
				r := get(t, s, srv.A, path)
				if r.Status != http.StatusOK || !strings.Contains(r.Body, `value="350"`) || !strings.Contains(r.Body, `action="`+path+`"`) {
					t.Fatalf("A's edit page: status %d:\n%s", r.Status, r.Body)
				}
				f := pointForm(2026, "T0101", 0, "2026-08-19", 360)
				f.Set("participants", "sai")
				if r := post(t, s, srv.A, path, f); r.Status != http.StatusBadRequest || !fieldError(r.Body, "Vui lòng nhập một số nguyên.") {
					t.Errorf("edit with a bad number: status %d", r.Status)
				}
				f.Set("participants", "360")
				if r := post(t, s, srv.A, path, f); r.Status != http.StatusSeeOther || r.Location() != path+"?ok=sua" {
					t.Fatalf("edit: status %d, location %q:\n%s", r.Status, r.Location(), r.Body)
				}
				if p := pointsOf(t, s)[0]; p.Participants != 360 || p.Status != "submitted" {
					t.Errorf("after edit: %+v", p)
				}
			})

			t.Run("province reviews and plans", func(t *testing.T) {
				r := get(t, s, srv.Prov, "/can-bo/phong-trao/ngay-hoi?nam=2026")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "Phường Mẫu Một") || !strings.Contains(r.Body, fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d", commune.ID)) ||
					!strings.Contains(r.Body, `action="/can-bo/phong-trao/ngay-hoi/ke-hoach"`) {
					t.Fatalf("province list: status %d, want A's points and the plan form:\n%s", r.Status, r.Body)
				}
				// The province table, with a CSV of its own.
				if !strings.Contains(r.Body, "Kết quả theo tỉnh, thành phố") || !strings.Contains(r.Body, "bang=tinh") {
					t.Errorf("province page lacks the table by province")
				}
				path := fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d", commune.ID)
				if r := post(t, s, srv.Prov, path+"/duyet", url.Values{"decision": {"approve"}}); r.Status != http.StatusSeeOther || r.Location() != path+"?ok=duyet" {
					t.Fatalf("approve: status %d, location %q:\n%s", r.Status, r.Location(), r.Body)
				}
				areaPath := fmt.Sprintf("/can-bo/phong-trao/ngay-hoi/diem/%d", inArea.ID)
				r = post(t, s, srv.Prov, areaPath+"/duyet", url.Values{"decision": {"return"}})
				if r.Status != http.StatusBadRequest || !fieldError(r.Body, "Vui lòng ghi lý do trả lại.") {
					t.Errorf("return without a note: status %d:\n%s", r.Status, r.Body)
				}
				if r := post(t, s, srv.Prov, areaPath+"/duyet", url.Values{"decision": {"return"}, "note": {"Thiếu số người tham dự"}}); r.Status != http.StatusSeeOther {
					t.Errorf("return: status %d:\n%s", r.Status, r.Body)
				}
				ps := pointsOf(t, s)
				if ps[0].Status != "approved" || ps[1].Status != "returned" || ps[1].ReviewNote != "Thiếu số người tham dự" {
					t.Errorf("after review: %+v", ps)
				}
				// A sees the outcome and the note in the list.
				r = get(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi?nam=2026")
				if !strings.Contains(r.Body, "Đã duyệt") || !strings.Contains(r.Body, "Bị trả lại") || !strings.Contains(r.Body, "Thiếu số người tham dự") {
					t.Errorf("A's list after review:\n%s", r.Body)
				}
				// A commune officer cannot review.
				if r := post(t, s, srv.A, path+"/duyet", url.Values{"decision": {"return"}, "note": {"x"}}); r.Status != http.StatusForbidden {
					t.Errorf("A reviews: status %d, want 403", r.Status)
				}

				// Plans: the province sets its own, not another's.
				r = post(t, s, srv.Prov, "/can-bo/phong-trao/ngay-hoi/ke-hoach", url.Values{"year": {"2026"}, "province": {"01"}, "planned": {"nhiều"}})
				if r.Status != http.StatusBadRequest || !fieldError(r.Body, "Vui lòng nhập một số nguyên.") {
					t.Errorf("plan with a bad number: status %d", r.Status)
				}
				r = post(t, s, srv.Prov, "/can-bo/phong-trao/ngay-hoi/ke-hoach", url.Values{"year": {"2026"}, "province": {"01"}, "planned": {"2"}, "source": {"Kế hoạch 12/KH-CAT"}})
				if r.Status != http.StatusSeeOther {
					t.Fatalf("set plan: status %d:\n%s", r.Status, r.Body)
				}
				if r := post(t, s, srv.Prov, "/can-bo/phong-trao/ngay-hoi/ke-hoach", url.Values{"year": {"2026"}, "province": {"79"}, "planned": {"5"}}); r.Status != http.StatusNotFound {
					t.Errorf("province 01 sets 79's plan: status %d, want 404", r.Status)
				}
				if r := post(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi/ke-hoach", url.Values{"year": {"2026"}, "province": {"01"}, "planned": {"9"}}); r.Status != http.StatusForbidden {
					t.Errorf("commune officer sets a plan: status %d, want 403", r.Status)
				}
				// The Ministry sets any province's plan.
				if r := post(t, s, srv.Ministry, "/can-bo/phong-trao/ngay-hoi/ke-hoach", url.Values{"year": {"2026"}, "province": {"79"}, "planned": {"0"}}); r.Status != http.StatusSeeOther {
					t.Errorf("ministry sets 79's plan: status %d:\n%s", r.Status, r.Body)
				}
				r = get(t, s, srv.Prov, "/can-bo/phong-trao/ngay-hoi?nam=2026")
				if !strings.Contains(r.Body, "Kế hoạch 12/KH-CAT") || strings.Contains(r.Body, "Thành phố Hồ Chí Minh</td><td class=\"num\">0") {
					t.Errorf("province's plans: want its own plan only:\n%s", r.Body)
				}
			})

			// B holds a point of its own.
			if r := post(t, s, srv.B, "/can-bo/phong-trao/ngay-hoi/diem", pointForm(2026, "T0102", 0, "2026-08-19", 200)); r.Status != http.StatusSeeOther {
				t.Fatalf("B records: %d:\n%s", r.Status, r.Body)
			}

			t.Run("CSV of the points", func(t *testing.T) {
				r := get(t, s, srv.Prov, "/can-bo/phong-trao/ngay-hoi?nam=2026&dinh-dang=csv")
				if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
					t.Fatalf("points CSV: status %d", r.Status)
				}
				recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(recs) != 4 || recs[0][0] != "id" || recs[0][3] != "ten_xa" {
					t.Fatalf("points CSV: %q", recs)
				}
				byID := map[string][]string{}
				for _, rec := range recs[1:] {
					byID[rec[0]] = rec
				}
				if rec := byID[strconv.FormatInt(commune.ID, 10)]; rec == nil || rec[2] != "T0101" || rec[4] != "Điểm cấp xã" || rec[7] != "360" || rec[11] != "15000000" || rec[13] != "Đã duyệt" {
					t.Errorf("points CSV row of A's point: %q", rec)
				}
				// A commune officer's CSV holds only their commune.
				r = get(t, s, srv.B, "/can-bo/phong-trao/ngay-hoi?nam=2026&dinh-dang=csv")
				if strings.Contains(r.Body, "T0101") || !strings.Contains(r.Body, "T0102") {
					t.Errorf("B's points CSV:\n%s", r.Body)
				}
			})
		})
	}
}

func TestMovementHomeAndModels(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newMovementServer(t, e)
			s := srv.Server

			r := get(t, s, srv.A, "/can-bo/phong-trao")
			if r.Status != http.StatusOK || !strings.Contains(r.Body, "Phong trào Toàn dân bảo vệ ANTQ năm 2026") || !strings.Contains(r.Body, `<a href="/can-bo/phong-trao">Phong trào</a>`) {
				t.Fatalf("movement home: status %d:\n%s", r.Status, r.Body)
			}
			for _, link := range []string{"/can-bo/phong-trao/ngay-hoi?nam=2026", "/can-bo/phong-trao/mo-hinh?nam=2026", "/can-bo/phong-trao/cong-nhan?nam=2026", "/can-bo/phong-trao/chi-tieu?nam=2026", "/bao-cao/ngay-hoi/2026"} {
				if !strings.Contains(r.Body, `href="`+link+`"`) {
					t.Errorf("home lacks a link to %s", link)
				}
			}
			if r := get(t, s, srv.A, "/can-bo/phong-trao?nam=1990"); r.Status != http.StatusBadRequest {
				t.Errorf("year 1990: status %d, want 400", r.Status)
			}
			if r := get(t, s, srv.A, "/can-bo/phong-trao?don-vi=T0102"); r.Status != http.StatusNotFound {
				t.Errorf("A's home for T0102: status %d, want 404", r.Status)
			}
			for _, c := range []*http.Client{srv.Prov, srv.Ministry} {
				if r := get(t, s, c, "/can-bo/phong-trao?nam=2025"); r.Status != http.StatusOK || !strings.Contains(r.Body, "năm 2025") {
					t.Errorf("home: status %d", r.Status)
				}
			}

			// A records a model through the form; a name with markup stays text.
			const evil = `<script>alert(1)</script>`
			if r := get(t, s, srv.A, "/can-bo/phong-trao/mo-hinh/moi"); r.Status != http.StatusOK || !strings.Contains(r.Body, `value="camera_an_ninh"`) {
				t.Fatalf("new model form: status %d", r.Status)
			}
			form := url.Values{"commune": {"T0101"}, "name": {""}, "type": {"camera_an_ninh"}, "started_on": {"2026-02-01"}, "members": {"12"}, "status": {"active"}, "area_id": {"0"}}
			if r := post(t, s, srv.A, "/can-bo/phong-trao/mo-hinh", form); r.Status != http.StatusBadRequest || !fieldError(r.Body, "Vui lòng nhập tên mô hình.") {
				t.Errorf("model without a name: status %d:\n%s", r.Status, r.Body)
			}
			form.Set("name", evil)
			r = post(t, s, srv.A, "/can-bo/phong-trao/mo-hinh", form)
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/can-bo/phong-trao/mo-hinh/") {
				t.Fatalf("create model: status %d, location %q:\n%s", r.Status, r.Location(), r.Body)
			}
			modelPath := strings.TrimSuffix(r.Location(), "?ok=tao")
			for _, path := range []string{"/can-bo/phong-trao/mo-hinh", modelPath, "/can-bo/phong-trao/mo-hinh?don-vi=01"} {
				c := srv.A
				if strings.Contains(path, "don-vi=01") {
					c = srv.Prov
					path = "/can-bo/phong-trao/mo-hinh"
				}
				r := get(t, s, c, path)
				if r.Status != http.StatusOK || strings.Contains(r.Body, evil) || !strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
					t.Errorf("GET %s: status %d; the model name must be escaped:\n%s", path, r.Status, r.Body)
				}
			}
			// The title too.
			if r := get(t, s, srv.A, modelPath); strings.Contains(r.Body, "<title>Mô hình “<script>") {
				t.Errorf("model title not escaped")
			}

			// Evaluate, then edit.
			if r := post(t, s, srv.A, modelPath+"/danh-gia", url.Values{"period": {"2026-Q5"}, "effective": {"1"}}); r.Status != http.StatusBadRequest || !fieldError(r.Body, "Kỳ đánh giá") {
				t.Errorf("bad period: status %d", r.Status)
			}
			if r := post(t, s, srv.A, modelPath+"/danh-gia", url.Values{"period": {"2026"}}); r.Status != http.StatusBadRequest || !fieldError(r.Body, "hiệu quả hay không") {
				t.Errorf("no verdict: status %d", r.Status)
			}
			if r := post(t, s, srv.A, modelPath+"/danh-gia", url.Values{"period": {"2026"}, "effective": {"1"}, "note": {"Giảm trộm cắp"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("evaluate: status %d:\n%s", r.Status, r.Body)
			}
			form.Set("name", "Camera an ninh tổ 3")
			form.Set("members", "15")
			if r := post(t, s, srv.A, modelPath, form); r.Status != http.StatusSeeOther {
				t.Fatalf("edit model: status %d:\n%s", r.Status, r.Body)
			}
			r = get(t, s, srv.A, "/can-bo/phong-trao/mo-hinh")
			if !strings.Contains(r.Body, "Camera an ninh tổ 3") || !strings.Contains(r.Body, `<td class="num">15</td>`) || !strings.Contains(r.Body, "2026: <span class=\"state met\">Hiệu quả</span>") {
				t.Errorf("models list after edit:\n%s", r.Body)
			}
			// Others cannot see or change it.
			if r := get(t, s, srv.B, modelPath); r.Status != http.StatusNotFound {
				t.Errorf("B GET model: %d, want 404", r.Status)
			}
			if r := post(t, s, srv.B, modelPath, form); r.Status != http.StatusNotFound {
				t.Errorf("B edits model: %d, want 404", r.Status)
			}
			if r := post(t, s, srv.Prov, modelPath+"/danh-gia", url.Values{"period": {"2026"}, "effective": {"0"}}); r.Status != http.StatusForbidden {
				t.Errorf("province evaluates: %d, want 403", r.Status)
			}

			// CSV of the models table, and the nation's table by province.
			r = get(t, s, srv.A, "/can-bo/phong-trao/mo-hinh?dinh-dang=csv")
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
			if err != nil || len(recs) != 2 || recs[0][4] != "ten_mo_hinh" || recs[1][4] != "Camera an ninh tổ 3" || recs[1][12] != "có" {
				t.Errorf("models CSV: %v %q", err, recs)
			}
			r = get(t, s, srv.Ministry, "/can-bo/phong-trao/mo-hinh?dinh-dang=csv")
			if !strings.Contains(r.Body, "01,Thành phố Hà Nội,2026,1") {
				t.Errorf("nation's models CSV:\n%s", r.Body)
			}
			// The home page counts the model.
			if r := get(t, s, srv.Prov, "/can-bo/phong-trao"); !strings.Contains(r.Body, "<strong>1</strong> mô hình hoạt động") {
				t.Errorf("province home does not count the model:\n%s", r.Body)
			}
		})
	}
}

var cycleLocation = regexp.MustCompile(`^/can-bo/phong-trao/cong-nhan/(\d+)\?ok=dang-ky$`)

func cycleStatusOf(t *testing.T, srv *testutil.Server, id string) string {
	t.Helper()
	var st string
	if err := srv.Main.DB.QueryRow(context.Background(), "SELECT status FROM recognition_cycles WHERE id = ?", id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// register registers subject for 2026 through the page and returns the
// cycle's path.
func register(t *testing.T, srv *testutil.Server, c *http.Client, subject string) string {
	t.Helper()
	r := post(t, srv, c, "/can-bo/phong-trao/cong-nhan", url.Values{"year": {"2026"}, "subject": {subject}})
	m := cycleLocation.FindStringSubmatch(r.Location())
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("register %s: status %d, location %q:\n%s", subject, r.Status, r.Location(), r.Body)
	}
	return "/can-bo/phong-trao/cong-nhan/" + m[1]
}

// assessAll assesses every criterion listed on a cycle page as met.
func assessAll(t *testing.T, srv *testutil.Server, c *http.Client, path string) {
	t.Helper()
	r := get(t, srv, c, path)
	forms := regexp.MustCompile(`action="`+regexp.QuoteMeta(path)+`/tieu-chi/([^"]+)"`).FindAllStringSubmatch(r.Body, -1)
	if len(forms) == 0 {
		t.Fatalf("%s offers no criterion to assess:\n%s", path, r.Body)
	}
	for _, f := range forms {
		if r := post(t, srv, c, path+"/tieu-chi/"+f[1], url.Values{"met": {"1"}, "evidence": {"Biên bản họp"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("assess %s: status %d:\n%s", f[1], r.Status, r.Body)
		}
	}
}

func TestRecognitionPages(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newMovementServer(t, e)
			s := srv.Server
			post(t, s, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn Đông", "thon", ""))
			area := areaByName(t, s, "Thôn Đông")

			r := get(t, s, srv.A, "/can-bo/phong-trao/cong-nhan?nam=2026")
			for _, want := range []string{fmt.Sprintf(`value="residential_area:%d"`, area.ID), `value="commune:T0101"`, `value="model_ward:T0101"`} {
				if r.Status != http.StatusOK || !strings.Contains(r.Body, want) {
					t.Errorf("register form of a ward officer lacks %s (status %d)", want, r.Status)
				}
			}
			// A commune (not a ward) is not offered the model ward pilot.
			if r := get(t, s, srv.B, "/can-bo/phong-trao/cong-nhan?nam=2026"); strings.Contains(r.Body, `value="model_ward:`) {
				t.Errorf("B (a xã) is offered the model ward pilot")
			}
			if r := post(t, s, srv.B, "/can-bo/phong-trao/cong-nhan", url.Values{"year": {"2026"}, "subject": {"model_ward:T0102"}}); r.Status != http.StatusBadRequest || !fieldError(r.Body, "không phải là phường") {
				t.Errorf("B registers a model ward: status %d:\n%s", r.Status, r.Body)
			}

			// The residential area: registered, assessed, submitted, approved.
			cycle := register(t, s, srv.A, fmt.Sprintf("residential_area:%d", area.ID))
			id := strings.TrimPrefix(cycle, "/can-bo/phong-trao/cong-nhan/")
			if r := post(t, s, srv.A, "/can-bo/phong-trao/cong-nhan", url.Values{"year": {"2026"}, "subject": {fmt.Sprintf("residential_area:%d", area.ID)}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "đã đăng ký năm 2026") {
				t.Errorf("register twice: status %d", r.Status)
			}
			r = get(t, s, srv.A, cycle+"?ok=dang-ky")
			for _, want := range []string{"Đã đăng ký", "Thông tư số 124/2021/TT-BCA", "Tiêu chí 1.", "Tiêu chí 5.", "Chưa xác nhận:", `enctype="multipart/form-data"`, "Đã tự đánh giá</dt><dd>0/5"} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("cycle page lacks %q", want)
				}
			}
			if r := post(t, s, srv.A, cycle+"/gui", nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Chưa tự đánh giá tiêu chí 1, 2, 3, 4, 5") {
				t.Errorf("submit before assessing: status %d:\n%s", r.Status, r.Body)
			}
			if r := post(t, s, srv.A, cycle+"/tieu-chi/1", url.Values{"evidence": {"x"}}); r.Status != http.StatusBadRequest || !fieldError(r.Body, "Vui lòng chọn đạt hoặc không đạt.") {
				t.Errorf("assess without a verdict: status %d:\n%s", r.Status, r.Body)
			}
			r = postMultipart(t, s, srv.A, cycle+"/tieu-chi/1", url.Values{"met": {"1"}, "evidence": {"Nghị quyết chi bộ"}}, upload{name: "a.exe", contentType: "application/octet-stream", data: []byte("MZ\x90\x00 not a document")})
			if r.Status != http.StatusBadRequest || !fieldError(r.Body, "Chỉ nhận tệp PDF hoặc ảnh") {
				t.Errorf("assess with an executable: status %d:\n%s", r.Status, r.Body)
			}
			pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
			r = postMultipart(t, s, srv.A, cycle+"/tieu-chi/1", url.Values{"met": {"1"}, "evidence": {"Nghị quyết chi bộ"}}, upload{name: "nghị quyết.pdf", contentType: "application/pdf", data: pdf})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("assess with a file: status %d:\n%s", r.Status, r.Body)
			}
			assessAll(t, s, srv.A, cycle) // criterion 1 again, without a file: the file stays
			f := get(t, s, srv.A, cycle+"/tieu-chi/1/tep")
			if f.Status != http.StatusOK || f.Body != string(pdf) || f.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(f.Header.Get("Content-Disposition"), "attachment;") {
				t.Errorf("file: status %d, type %q, disposition %q", f.Status, f.Header.Get("Content-Type"), f.Header.Get("Content-Disposition"))
			}
			// B sees nothing of it.
			for _, path := range []string{cycle, cycle + "/tieu-chi/1/tep"} {
				if r := get(t, s, srv.B, path); r.Status != http.StatusNotFound {
					t.Errorf("B GET %s: status %d, want 404", path, r.Status)
				}
			}
			if r := post(t, s, srv.B, cycle+"/tieu-chi/2", url.Values{"met": {"0"}}); r.Status != http.StatusNotFound {
				t.Errorf("B assesses: status %d, want 404", r.Status)
			}
			if r := post(t, s, srv.B, cycle+"/gui", nil); r.Status != http.StatusNotFound {
				t.Errorf("B submits: status %d, want 404", r.Status)
			}
			if r := post(t, s, srv.A, cycle+"/gui", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("submit: status %d:\n%s", r.Status, r.Body)
			}
			if r := post(t, s, srv.A, cycle+"/quyet-dinh", url.Values{"decision": {"approve"}}); r.Status != http.StatusForbidden {
				t.Errorf("A decides: status %d, want 403", r.Status)
			}
			r = post(t, s, srv.Prov, cycle+"/quyet-dinh", url.Values{"decision": {"return"}})
			if r.Status != http.StatusBadRequest || !fieldError(r.Body, "Vui lòng ghi lý do trả lại hồ sơ.") {
				t.Errorf("return without a note: status %d:\n%s", r.Status, r.Body)
			}
			if r := post(t, s, srv.Prov, cycle+"/quyet-dinh", url.Values{"decision": {"approve"}, "note": {"Đủ điều kiện"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("approve: status %d:\n%s", r.Status, r.Body)
			}
			if st := cycleStatusOf(t, s, id); st != "recognised" {
				t.Fatalf("area cycle: %s, want recognised", st)
			}
			r = get(t, s, srv.A, cycle)
			for _, want := range []string{"Được công nhận", "Đủ điều kiện", "<strong>Đăng ký</strong>", "<strong>Tự đánh giá</strong>", "<strong>Gửi xét duyệt</strong>", "<strong>Công nhận</strong> — tinh-hn", "nghị quyết.pdf"} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("decided cycle page lacks %q", want)
				}
			}
			if strings.Contains(r.Body, "/gui\"") || strings.Contains(r.Body, cycle+"/tieu-chi/1\"") {
				t.Errorf("a decided cycle still offers assessment or submission")
			}

			// The commune: criterion 1 needs an effective model, checked
			// against the data when submitting.
			communeCycle := register(t, s, srv.A, "commune:T0101")
			assessAll(t, s, srv.A, communeCycle)
			r = post(t, s, srv.A, communeCycle+"/gui", nil)
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "chưa có mô hình tự quản nào được đánh giá hoạt động hiệu quả") {
				t.Fatalf("submit without an effective model: status %d:\n%s", r.Status, r.Body)
			}
			r = post(t, s, srv.A, "/can-bo/phong-trao/mo-hinh", url.Values{"commune": {"T0101"}, "name": {"Tổ tự quản số 1"}, "type": {"to_tu_quan"},
				"started_on": {"2026-01-15"}, "members": {"9"}, "status": {"active"}})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("create model: %d:\n%s", r.Status, r.Body)
			}
			modelPath := strings.TrimSuffix(r.Location(), "?ok=tao")
			if r := post(t, s, srv.A, modelPath+"/danh-gia", url.Values{"period": {"2026-H1"}, "effective": {"1"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("evaluate: %d:\n%s", r.Status, r.Body)
			}
			if r := post(t, s, srv.A, communeCycle+"/gui", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("submit with an effective model: status %d:\n%s", r.Status, r.Body)
			}
			if r := post(t, s, srv.Prov, communeCycle+"/quyet-dinh", url.Values{"decision": {"approve"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("approve commune: status %d:\n%s", r.Status, r.Body)
			}
			if st := cycleStatusOf(t, s, strings.TrimPrefix(communeCycle, "/can-bo/phong-trao/cong-nhan/")); st != "recognised" {
				t.Errorf("commune cycle: %s, want recognised", st)
			}

			// The lists, and their CSV.
			r = get(t, s, srv.Prov, "/can-bo/phong-trao/cong-nhan?nam=2026")
			if r.Status != http.StatusOK || !strings.Contains(r.Body, "Thôn Đông, Phường Mẫu Một") || strings.Count(r.Body, ">Được công nhận</span>") != 2 {
				t.Errorf("province's cycle list:\n%s", r.Body)
			}
			r = get(t, s, srv.Prov, "/can-bo/phong-trao/cong-nhan?nam=2026&loai=commune&dinh-dang=csv")
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
			if err != nil || len(recs) != 2 || recs[0][0] != "id" || recs[1][2] != "commune" || recs[1][8] != "recognised" {
				t.Errorf("cycles CSV: %v %q", err, recs)
			}
			if r := get(t, s, srv.B, "/can-bo/phong-trao/cong-nhan?nam=2026"); strings.Contains(r.Body, "Thôn Đông") {
				t.Errorf("B's list shows A's cycles")
			}
		})
	}
}

func targetForm(indicator, scope, year, comparator, value string) url.Values {
	return url.Values{"indicator": {indicator}, "scope": {scope}, "year": {year}, "comparator": {comparator}, "value": {value},
		"legal_source": {"Văn bản " + indicator + " " + scope}}
}

func TestTargetPages(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newMovementServer(t, e)
			s := srv.Server
			// One festival point in Hà Nội, so that some targets hold.
			if r := post(t, s, srv.A, "/can-bo/phong-trao/ngay-hoi/diem", pointForm(2026, "T0101", 0, "2026-08-19", 100)); r.Status != http.StatusSeeOther {
				t.Fatalf("record: %d", r.Status)
			}

			r := get(t, s, srv.Ministry, "/can-bo/phong-trao/chi-tieu")
			if r.Status != http.StatusOK || !strings.Contains(r.Body, `method="post" action="/can-bo/phong-trao/chi-tieu"`) || !strings.Contains(r.Body, `value="each:municipality"`) {
				t.Fatalf("targets page: status %d, want the create form:\n%s", r.Status, r.Body)
			}
			for _, c := range []struct {
				name  string
				form  url.Values
				field string
				msg   string
			}{
				{"no indicator", targetForm("", "VN", "2026", ">=", "1"), "indicator", "Vui lòng chọn chỉ tiêu."},
				{"not a number", targetForm("commune_points_held", "VN", "2026", ">=", "nhiều"), "value", "Vui lòng nhập giá trị chỉ tiêu là một số"},
				{"share above 100", targetForm("communes_recognised_pct", "VN", "2026", ">=", "120"), "value", "Tỷ lệ không được vượt quá 100%"},
				{"bad comparator", targetForm("commune_points_held", "VN", "2026", ">", "1"), "comparator", "Vui lòng chọn phép so sánh"},
			} {
				r := post(t, s, srv.Ministry, "/can-bo/phong-trao/chi-tieu", c.form)
				if r.Status != http.StatusBadRequest || !fieldError(r.Body, c.msg) || !strings.Contains(r.Body, `id="`+c.field+`" name="`+c.field+`"`) {
					t.Errorf("%s: status %d, want 400 with %q:\n%s", c.name, r.Status, c.msg, r.Body)
				}
			}

			for _, f := range []url.Values{
				targetForm("commune_points_held", "VN", "2026", ">=", "1"),                   // met: 1 point held
				targetForm("recognised_model_wards", "each:municipality", "2026", ">=", "3"), // at risk: none yet, the year runs
				targetForm("recognised_model_wards", "01", "2025", ">=", "1"),                // missed: 2025 is over
			} {
				if r := post(t, s, srv.Ministry, "/can-bo/phong-trao/chi-tieu", f); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/can-bo/phong-trao/chi-tieu?nam=") {
					t.Fatalf("create target %v: status %d, location %q:\n%s", f, r.Status, r.Location(), r.Body)
				}
			}
			// The province sets one for a commune of its own, and none elsewhere.
			if r := post(t, s, srv.Prov, "/can-bo/phong-trao/chi-tieu", targetForm("active_models", "T0101", "2026", ">=", "1")); r.Status != http.StatusSeeOther {
				t.Errorf("province target for T0101: status %d:\n%s", r.Status, r.Body)
			}
			if r := post(t, s, srv.Prov, "/can-bo/phong-trao/chi-tieu", targetForm("active_models", "79", "2026", ">=", "1")); r.Status != http.StatusNotFound {
				t.Errorf("province target for 79: status %d, want 404", r.Status)
			}
			if r := post(t, s, srv.Prov, "/can-bo/phong-trao/chi-tieu", targetForm("active_models", "each:province", "2026", ">=", "1")); r.Status != http.StatusForbidden {
				t.Errorf("province target for each province: status %d, want 403", r.Status)
			}
			if r := post(t, s, srv.A, "/can-bo/phong-trao/chi-tieu", targetForm("active_models", "T0101", "2026", ">=", "0")); r.Status != http.StatusForbidden {
				t.Errorf("commune officer sets a target: status %d, want 403", r.Status)
			}

			r = get(t, s, srv.Ministry, "/can-bo/phong-trao/chi-tieu?nam=2026")
			for _, want := range []string{
				`<span class="state met">Đạt</span>`, `<span class="state at-risk">Có nguy cơ không đạt</span>`,
				"Văn bản commune_points_held VN", "≥ 1 điểm", "Từng thành phố trực thuộc trung ương", "≥ 3 phường",
				"Đơn vị chưa đạt (6)", "<li>Thành phố Hà Nội: 0 phường</li>", "Phường Mẫu Một", // the province's target on T0101
			} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("targets 2026 lack %q", want)
				}
			}
			r = get(t, s, srv.Ministry, "/can-bo/phong-trao/chi-tieu?nam=2025")
			if !strings.Contains(r.Body, `<span class="state missed">Không đạt</span>`) || strings.Contains(r.Body, `class="state met"`) {
				t.Errorf("targets 2025: want one missed target:\n%s", r.Body)
			}
			// A commune officer sees the targets on their commune only.
			r = get(t, s, srv.A, "/can-bo/phong-trao/chi-tieu?nam=2026")
			if !strings.Contains(r.Body, "Số mô hình tự quản hoạt động trong năm") || strings.Contains(r.Body, "Văn bản commune_points_held VN") ||
				strings.Contains(r.Body, `method="post" action="/can-bo/phong-trao/chi-tieu"`) {
				t.Errorf("A's targets: want T0101's only and no form:\n%s", r.Body)
			}
			// The home page sums the states up.
			if r := get(t, s, srv.Ministry, "/can-bo/phong-trao"); !strings.Contains(r.Body, `<span class="state met">Đạt</span> 1 · <span class="state at-risk">Có nguy cơ không đạt</span> 2`) {
				t.Errorf("ministry home: want 1 met and 2 at risk:\n%s", section(r.Body, "<h2>Chỉ tiêu</h2>", "<h2>Báo cáo"))
			}

			r = get(t, s, srv.Ministry, "/can-bo/phong-trao/chi-tieu?nam=2026&dinh-dang=csv")
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
			if err != nil || len(recs) != 4 || recs[0][1] != "chi_tieu" {
				t.Fatalf("targets CSV: %v %q", err, recs)
			}
			states := map[string]string{}
			for _, rec := range recs[1:] {
				states[rec[1]+"/"+rec[4]] = rec[11]
			}
			if states["commune_points_held/VN"] != "met" || states["recognised_model_wards/municipality"] != "at_risk" || states["active_models/T0101"] != "at_risk" {
				t.Errorf("targets CSV states: %v", states)
			}
		})
	}
}
