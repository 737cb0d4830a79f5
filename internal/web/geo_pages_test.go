package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"toandan/internal/account"
)

func areaForm(name, kind, note string) url.Values {
	return url.Values{"name": {name}, "kind": {kind}, "note": {note}}
}

// refused reports whether status is one of the answers that keep a user out
// of data that is not theirs.
func refused(status int) bool { return status == http.StatusForbidden || status == http.StatusNotFound }

// TestAreaAuthorization is the access matrix for geography pages and
// residential areas: each officer reaches their own subtree and nothing else.
func TestAreaAuthorization(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)

			// A creates an area in their own commune.
			r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn Đông", "thon", "gần chợ"))
			if r.Status != http.StatusSeeOther || r.Location() != "/can-bo/dia-ban/T0101?ok=tao" {
				t.Fatalf("A creates in T0101: status %d, location %q:\n%s", r.Status, r.Location(), r.Body)
			}
			area := areaByName(t, srv.Server, "Thôn Đông")
			if area.Commune != "T0101" || area.Kind != "thon" || area.Note != "gần chợ" || area.To != "" {
				t.Fatalf("stored area %+v", area)
			}
			if r := get(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101?ok=tao"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Thôn Đông") || !strings.Contains(r.Body, "Đã thêm khu dân cư.") {
				t.Errorf("A's commune page: status %d, want the new area and a notice:\n%s", r.Status, r.Body)
			}
			editPath := fmt.Sprintf("/can-bo/khu-dan-cu/%d", area.ID)
			n := countAreas(t, srv.Server)

			t.Run("A outside own commune", func(t *testing.T) {
				for _, code := range []string{"T0102", "T7901", "01", "VN"} {
					r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/"+code+"/khu-dan-cu", areaForm("Thôn Lạ "+code, "thon", ""))
					if !refused(r.Status) {
						t.Errorf("A creates in %s: status %d, want 403 or 404", code, r.Status)
					}
				}
				if got := countAreas(t, srv.Server); got != n {
					t.Errorf("areas: %d after refused creations, want %d", got, n)
				}
				for _, path := range []string{"/can-bo/dia-ban/T0102", "/can-bo/dia-ban/01", "/can-bo/dia-ban/VN", "/can-bo/dia-ban/99999"} {
					if r := get(t, srv.Server, srv.A, path); r.Status != http.StatusNotFound {
						t.Errorf("A GET %s: status %d, want 404", path, r.Status)
					}
				}
			})

			t.Run("B on A's area", func(t *testing.T) {
				if r := get(t, srv.Server, srv.B, editPath); !refused(r.Status) || strings.Contains(r.Body, "Thôn Đông") {
					t.Errorf("B GET %s: status %d, want 403 or 404 without the area", editPath, r.Status)
				}
				if r := post(t, srv.Server, srv.B, editPath, areaForm("Thôn Bị Sửa", "xom", "B")); !refused(r.Status) {
					t.Errorf("B POST %s: status %d, want 403 or 404", editPath, r.Status)
				}
				if got := areaByID(t, srv.Server, area.ID); got != area {
					t.Errorf("area after B's attempt: %+v, want %+v", got, area)
				}
				if r := get(t, srv.Server, srv.B, "/can-bo/dia-ban/T0101"); r.Status != http.StatusNotFound || strings.Contains(r.Body, "Thôn Đông") {
					t.Errorf("B GET /can-bo/dia-ban/T0101: status %d, want 404", r.Status)
				}
				// B's own commune works, so the refusals above are about scope.
				if r := get(t, srv.Server, srv.B, "/can-bo/dia-ban/T0102"); r.Status != http.StatusOK || strings.Contains(r.Body, "Thôn Đông") {
					t.Errorf("B GET own commune: status %d", r.Status)
				}
				// Unknown and malformed ids look the same as other people's.
				for _, path := range []string{"/can-bo/khu-dan-cu/999999", "/can-bo/khu-dan-cu/abc"} {
					if r := get(t, srv.Server, srv.B, path); r.Status != http.StatusNotFound {
						t.Errorf("B GET %s: status %d, want 404", path, r.Status)
					}
				}
			})

			t.Run("province officer", func(t *testing.T) {
				r := get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/01")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "Mẫu Một") || !strings.Contains(r.Body, "Mẫu Hai") || strings.Contains(r.Body, "Mẫu Ba") {
					t.Errorf("province GET /can-bo/dia-ban/01: status %d, want both Hà Nội communes and not Mẫu Ba:\n%s", r.Status, r.Body)
				}
				if r := get(t, srv.Server, srv.Prov, "/can-bo/dia-ban"); r.Status != http.StatusSeeOther || r.Location() != "/can-bo/dia-ban/01" {
					t.Errorf("province GET /can-bo/dia-ban: status %d, location %q", r.Status, r.Location())
				}
				r = get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0101")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "Thôn Đông") {
					t.Errorf("province GET T0101: status %d, want the area listed", r.Status)
				}
				if strings.Contains(r.Body, `action="/can-bo/dia-ban/T0101/khu-dan-cu"`) || strings.Contains(r.Body, editPath) {
					t.Errorf("province officer is offered editing on T0101")
				}
				for _, path := range []string{"/can-bo/dia-ban/79", "/can-bo/dia-ban/T7901", "/can-bo/dia-ban/VN"} {
					if r := get(t, srv.Server, srv.Prov, path); r.Status != http.StatusNotFound || strings.Contains(r.Body, "Mẫu Ba") {
						t.Errorf("province GET %s: status %d, want 404", path, r.Status)
					}
				}
				if r := post(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn Tỉnh", "thon", "")); r.Status != http.StatusForbidden {
					t.Errorf("province creates in T0101: status %d, want 403", r.Status)
				}
				if r := post(t, srv.Server, srv.Prov, editPath, areaForm("Thôn Tỉnh Sửa", "thon", "")); r.Status != http.StatusForbidden {
					t.Errorf("province edits A's area: status %d, want 403", r.Status)
				}
				if got := countAreas(t, srv.Server); got != n {
					t.Errorf("areas: %d after the province's attempts, want %d", got, n)
				}
				if got := areaByID(t, srv.Server, area.ID); got != area {
					t.Errorf("area after the province's attempt: %+v", got)
				}
			})

			t.Run("admin", func(t *testing.T) {
				pw := srv.CreateUser(t, "quan-tri", account.Admin, "VN")
				adm, _ := enrolTOTP(t, srv.Server, "quan-tri", pw)
				r := get(t, srv.Server, adm, "/can-bo/dia-ban/VN")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "Hà Nội") || !strings.Contains(r.Body, "Hồ Chí Minh") {
					t.Errorf("admin GET /can-bo/dia-ban/VN: status %d", r.Status)
				}
				if r := get(t, srv.Server, adm, "/can-bo/dia-ban/T7901"); r.Status != http.StatusOK {
					t.Errorf("admin GET T7901: status %d", r.Status)
				}
				if r := post(t, srv.Server, adm, "/can-bo/dia-ban/T7901/khu-dan-cu", areaForm("Khu phố 1", "khu_pho", "")); r.Status != http.StatusSeeOther {
					t.Errorf("admin creates in T7901: status %d:\n%s", r.Status, r.Body)
				}
				if a := areaByName(t, srv.Server, "Khu phố 1"); a.Commune != "T7901" {
					t.Errorf("admin's area: %+v", a)
				}
				// Areas hang under communes only.
				if r := post(t, srv.Server, adm, "/can-bo/dia-ban/79/khu-dan-cu", areaForm("Khu tỉnh", "khac", "")); r.Status != http.StatusBadRequest {
					t.Errorf("admin creates under a province: status %d, want 400", r.Status)
				}
			})

			t.Run("A edits own area", func(t *testing.T) {
				if r := get(t, srv.Server, srv.A, editPath); r.Status != http.StatusOK || !strings.Contains(r.Body, `value="Thôn Đông"`) {
					t.Fatalf("A GET own area: status %d", r.Status)
				}
				r := post(t, srv.Server, srv.A, editPath, areaForm("Thôn Đông Mới", "xom", ""))
				if r.Status != http.StatusSeeOther || r.Location() != "/can-bo/dia-ban/T0101?ok=sua" {
					t.Fatalf("A edits own area: status %d, location %q:\n%s", r.Status, r.Location(), r.Body)
				}
				if got := areaByID(t, srv.Server, area.ID); got.Name != "Thôn Đông Mới" || got.Kind != "xom" {
					t.Errorf("area after A's edit: %+v", got)
				}
			})
		})
	}
}

// TestCrossOriginPost checks that a page on another site cannot make an
// officer's browser change data.
func TestCrossOriginPost(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)
			n := countAreas(t, srv.Server)
			for _, h := range [][]string{
				{"Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example"},
				{"Sec-Fetch-Site", "same-site", "Origin", "http://evil.localhost"},
				{"Origin", "http://evil.example"},
			} {
				r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn Giả", "thon", ""), h...)
				if r.Status != http.StatusForbidden {
					t.Errorf("POST with %v: status %d, want 403", h, r.Status)
				}
			}
			if got := countAreas(t, srv.Server); got != n {
				t.Fatalf("areas: %d after cross-origin posts, want %d", got, n)
			}
			// The same request from the site itself goes through.
			r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn Thật", "thon", ""),
				"Sec-Fetch-Site", "same-origin", "Origin", srv.URL)
			if r.Status != http.StatusSeeOther || countAreas(t, srv.Server) != n+1 {
				t.Errorf("same-origin POST: status %d, want 303 and one new area", r.Status)
			}
		})
	}
}

func TestAreaFormErrors(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)
			cases := []struct {
				name  string
				form  url.Values
				want  string
				field string
			}{
				{"empty name", areaForm("", "thon", "ghi chú"), "Vui lòng nhập tên khu dân cư", "name"},
				{"blank name", areaForm("   ", "thon", ""), "Vui lòng nhập tên khu dân cư", "name"},
				{"long name", areaForm(strings.Repeat("Đ", 121), "thon", ""), "Tên khu dân cư dài quá 120 ký tự", "name"},
				{"no kind", areaForm("Thôn Bắc", "", ""), "Vui lòng chọn loại khu dân cư", "kind"},
				{"unknown kind", areaForm("Thôn Bắc", "lang", ""), "Vui lòng chọn loại khu dân cư", "kind"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", c.form)
					if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, c.want) {
						t.Errorf("status %d, want 400 with %q:\n%s", r.Status, c.want, r.Body)
					}
					if !strings.Contains(r.Body, `id="`+c.field+`-err"`) {
						t.Errorf("the error is not shown next to field %s", c.field)
					}
					if c.form.Get("note") != "" && !strings.Contains(r.Body, c.form.Get("note")) {
						t.Errorf("the note typed is not kept in the form")
					}
					if n := countAreas(t, srv.Server); n != 0 {
						t.Errorf("areas: %d, want 0", n)
					}
				})
			}

			// Same name twice in one commune is refused in words.
			if r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn Bắc", "thon", "")); r.Status != http.StatusSeeOther {
				t.Fatalf("create: status %d", r.Status)
			}
			r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm("Thôn  Bắc", "xom", ""))
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Xã này đã có khu dân cư tên “Thôn Bắc”") {
				t.Errorf("duplicate name: status %d:\n%s", r.Status, r.Body)
			}
			if n := countAreas(t, srv.Server); n != 1 {
				t.Errorf("areas: %d, want 1", n)
			}
			// Editing shows errors too and changes nothing.
			a := areaByName(t, srv.Server, "Thôn Bắc")
			r = post(t, srv.Server, srv.A, fmt.Sprintf("/can-bo/khu-dan-cu/%d", a.ID), areaForm("", "thon", ""))
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Vui lòng nhập tên khu dân cư") {
				t.Errorf("edit with an empty name: status %d:\n%s", r.Status, r.Body)
			}
			if got := areaByID(t, srv.Server, a.ID); got != a {
				t.Errorf("area after a refused edit: %+v, want %+v", got, a)
			}
		})
	}
}

func TestAreaNamesEscaped(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)
			const name = `<script>alert(1)</script>`
			const note = `"><img src=x onerror=alert(2)>`
			if r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm(name, "thon", note)); r.Status != http.StatusSeeOther {
				t.Fatalf("create: status %d:\n%s", r.Status, r.Body)
			}
			a := areaByName(t, srv.Server, name)
			pages := []string{"/can-bo/dia-ban/T0101", fmt.Sprintf("/can-bo/khu-dan-cu/%d", a.ID)}
			for _, path := range pages {
				r := get(t, srv.Server, srv.A, path)
				if r.Status != http.StatusOK {
					t.Fatalf("GET %s: status %d", path, r.Status)
				}
				if !strings.Contains(r.Body, "&lt;script&gt;") {
					t.Errorf("GET %s: the name is not shown escaped", path)
				}
				if strings.Contains(r.Body, "<script") || strings.Contains(r.Body, "<img") {
					t.Errorf("GET %s: raw markup from user input in the page:\n%s", path, r.Body)
				}
			}
			// A form sent back with an error escapes what was typed as well.
			r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm(name, "", note))
			if r.Status != http.StatusBadRequest || strings.Contains(r.Body, "<script") || strings.Contains(r.Body, "<img") {
				t.Errorf("form with an error: status %d, raw markup echoed:\n%s", r.Status, r.Body)
			}
		})
	}
}

func readCSV(t *testing.T, r reply) [][]string {
	t.Helper()
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: status %d, Content-Type %q:\n%s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	body, ok := strings.CutPrefix(r.Body, "\ufeff")
	if !ok {
		t.Errorf("CSV does not start with a byte-order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return recs
}

func TestGeoCSV(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)

			recs := readCSV(t, get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/01?dinh-dang=csv"))
			if len(recs) != 3 || !slices.Equal(recs[0], []string{"ma", "ten", "loai", "so_don_vi_con"}) {
				t.Fatalf("province CSV: %v; want a header and two communes", recs)
			}
			got := map[string][]string{}
			for _, rec := range recs[1:] {
				got[rec[0]] = rec
			}
			if got["T0101"] == nil || got["T0101"][1] != "Mẫu Một" || got["T0102"] == nil || got["T0102"][1] != "Mẫu Hai" {
				t.Errorf("province CSV rows: %v", recs[1:])
			}
			// Outside the officer's scope there is no CSV either.
			if r := get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/79?dinh-dang=csv"); r.Status != http.StatusNotFound || strings.Contains(r.Body, "T7901") {
				t.Errorf("province CSV of 79: status %d", r.Status)
			}

			formulas := []string{`=HYPERLINK("x")`, "+1", "-1+2", "@SUM(A1)"}
			for i, f := range formulas {
				if r := post(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101/khu-dan-cu", areaForm(f, "thon", fmt.Sprintf("=%d", i))); r.Status != http.StatusSeeOther {
					t.Fatalf("create %q: status %d:\n%s", f, r.Status, r.Body)
				}
			}
			recs = readCSV(t, get(t, srv.Server, srv.A, "/can-bo/dia-ban/T0101?dinh-dang=csv"))
			if len(recs) != 1+len(formulas) || !slices.Equal(recs[0], []string{"id", "ten", "loai", "ghi_chu", "tu_ngay"}) {
				t.Fatalf("commune CSV: %v", recs)
			}
			names := map[string]bool{}
			for _, rec := range recs[1:] {
				names[rec[1]] = true
				for _, cell := range rec {
					if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
						t.Errorf("commune CSV cell %q could run as a formula", cell)
					}
				}
				if rec[2] != "Thôn" || rec[4] != "2026-11-30" {
					t.Errorf("commune CSV row %v", rec)
				}
			}
			for _, f := range formulas {
				if !names["'"+f] {
					t.Errorf("commune CSV lacks %q (got %v)", "'"+f, recs[1:])
				}
			}
			// Province officers see the areas counted in their CSV.
			recs = readCSV(t, get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/01?dinh-dang=csv"))
			for _, rec := range recs[1:] {
				want := "0"
				if rec[0] == "T0101" {
					want = fmt.Sprint(len(formulas))
				}
				if rec[3] != want {
					t.Errorf("province CSV %s: %s areas, want %s", rec[0], rec[3], want)
				}
			}
		})
	}
}
