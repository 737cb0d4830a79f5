package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/crimesource"
	"toandan/internal/testutil"
)

// policeState is every police unit's name and jurisdiction, for checking
// that a refused request changed nothing.
func policeState(t *testing.T, srv *testutil.Server) string {
	t.Helper()
	rows, err := srv.Main.DB.Query(context.Background(), `SELECT p.code, p.name, COALESCE(j.commune_code, '') FROM police_units p
		LEFT JOIN police_jurisdiction j ON j.police_unit_id = p.id ORDER BY p.code, j.commune_code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var code, name, commune string
		if err := rows.Scan(&code, &name, &commune); err != nil {
			t.Fatal(err)
		}
		b.WriteString(code + "|" + name + "|" + commune + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// policeAudits returns the police units' audit entries as
// "actor action object detail".
func policeAudits(t *testing.T, srv *testutil.Server) []string {
	t.Helper()
	rows, err := srv.Main.DB.Query(context.Background(), "SELECT actor, action, object, detail FROM audit_log WHERE action LIKE 'police.%' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var f [4]string
		if err := rows.Scan(&f[0], &f[1], &f[2], &f[3]); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(f[:], " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// reportIn receives a citizen's report about commune and returns the code
// of the police unit that received it.
func reportIn(t *testing.T, srv *testutil.Server, commune string) string {
	t.Helper()
	ctx := context.Background()
	rec, err := srv.Main.Sources.Submit(ctx, crimesource.Intake{Category: "cong_nghe_cao", CommuneCode: commune, Address: "Số 2 ngõ Thử",
		Description: "Có người gọi điện giả danh công an yêu cầu chuyển tiền.", Anonymous: true}, crimesource.Actor{})
	if err != nil {
		t.Fatalf("report about %s: %v", commune, err)
	}
	var code string
	if err := srv.Main.DB.QueryRow(ctx, "SELECT p.code FROM sources s JOIN police_units p ON p.id = s.receiving_unit_id WHERE s.id = ?", rec.ID).Scan(&code); err != nil {
		t.Fatal(err)
	}
	return code
}

func policeForm(name string, communes ...string) url.Values {
	return url.Values{"name": {name}, "communes": communes}
}

// TestPoliceUnitPages: the list of a province's police units with its CSV,
// who may rename a unit and change its jurisdiction, the refusals that keep
// every commune with one unit, the audit, and that a new report about a
// commune moved to another unit goes to that unit.
func TestPoliceUnitPages(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)
			other := srv.Login(t, "tinh-hcm", srv.CreateUser(t, "tinh-hcm", account.Province, "79"))
			const list = "/can-bo/dia-ban/01/don-vi-cong-an"
			const edit = "/can-bo/don-vi-cong-an/CA-T0101"

			// Before: each commune's reports go to its own unit; reading
			// the place now also fills the places kept in memory.
			if got := reportIn(t, srv.Server, "T0102"); got != "CA-T0102" {
				t.Fatalf("a report about T0102 went to %s before any change", got)
			}

			t.Run("list", func(t *testing.T) {
				r := get(t, srv.Server, srv.Prov, list)
				for _, want := range []string{"Công an phường Mẫu Một", "Công an xã Mẫu Hai", "CA-01", `href="/can-bo/don-vi-cong-an/CA-T0101"`, `href="?dinh-dang=csv"`} {
					if r.Status != http.StatusOK || !strings.Contains(r.Body, want) {
						t.Errorf("province officer's list: status %d, lacks %q:\n%s", r.Status, want, excerpt(r.Body))
					}
				}
				if strings.Contains(r.Body, "Mẫu Ba") {
					t.Error("Hà Nội's list shows a unit of Hồ Chí Minh")
				}
				if r := get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/01"); !strings.Contains(r.Body, `href="/can-bo/dia-ban/01/don-vi-cong-an"`) {
					t.Error("the province page does not link to its police units")
				}
				r = get(t, srv.Server, srv.Prov, list+"?dinh-dang=csv")
				if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
					t.Fatalf("CSV: status %d, %s", r.Status, r.Header.Get("Content-Type"))
				}
				recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				want := [][]string{{"ma", "ten", "cap", "so_xa", "ma_xa", "ten_xa"},
					{"CA-01", "Công an thành phố Hà Nội", "Cấp tỉnh", "0", "", ""},
					{"CA-T0101", "Công an phường Mẫu Một", "Cấp xã", "1", "T0101", "Phường Mẫu Một"},
					{"CA-T0102", "Công an xã Mẫu Hai", "Cấp xã", "1", "T0102", "Xã Mẫu Hai"}}
				if !slices.EqualFunc(recs, want, slices.Equal) {
					t.Errorf("CSV:\n%q\nwant\n%q", recs, want)
				}
				// A commune officer reads their unit on their commune's page,
				// not the province's list; another province's officer sees
				// nothing of Hà Nội.
				for _, c := range []struct {
					who    string
					client *http.Client
					path   string
				}{
					{"commune officer", srv.A, list},
					{"commune officer, CSV", srv.A, list + "?dinh-dang=csv"},
					{"another province's officer", other, list},
					{"another province's officer, CSV", other, list + "?dinh-dang=csv"},
				} {
					if r := get(t, srv.Server, c.client, c.path); r.Status != http.StatusNotFound {
						t.Errorf("%s: GET %s: status %d, want 404", c.who, c.path, r.Status)
					}
				}
				if r := get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0101/don-vi-cong-an"); r.Status != http.StatusNotFound {
					t.Errorf("the list of a commune: status %d, want 404", r.Status)
				}
			})

			t.Run("refused", func(t *testing.T) {
				before, audits := policeState(t, srv.Server), len(policeAudits(t, srv.Server))
				move := policeForm("Công an phường Mẫu Một", "T0101", "T0102")
				for _, c := range []struct {
					who    string
					client *http.Client
					path   string
					want   int
				}{
					{"commune officer, own unit", srv.A, edit, http.StatusForbidden},
					{"commune officer, neighbour's unit", srv.B, edit, http.StatusForbidden},
					{"another province's officer", other, edit, http.StatusNotFound},
					{"province officer, another province's unit", srv.Prov, "/can-bo/don-vi-cong-an/CA-T7901", http.StatusNotFound},
					{"province officer, a unit that does not exist", srv.Prov, "/can-bo/don-vi-cong-an/CA-T9999", http.StatusNotFound},
				} {
					if r := get(t, srv.Server, c.client, c.path); r.Status != c.want {
						t.Errorf("%s: GET %s: status %d, want %d", c.who, c.path, r.Status, c.want)
					}
					if r := post(t, srv.Server, c.client, c.path, move); r.Status != c.want {
						t.Errorf("%s: POST %s: status %d, want %d", c.who, c.path, r.Status, c.want)
					}
				}
				// Another site cannot make a provincial officer's browser do it.
				r := post(t, srv.Server, srv.Prov, edit, move, "Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example")
				if r.Status != http.StatusForbidden {
					t.Errorf("cross-origin POST: status %d, want 403", r.Status)
				}
				// Form errors, each by its field, with the choices kept.
				for _, c := range []struct {
					what  string
					form  url.Values
					field string
					text  string
				}{
					{"no name", policeForm(" ", "T0101", "T0102"), "name-err", "Vui lòng nhập tên đơn vị công an"},
					{"no commune", policeForm("Công an phường Mẫu Một"), "communes-err", "ít nhất một xã"},
					{"the unit's commune left out", policeForm("Công an phường Mẫu Một", "T0102"), "communes-err", "Không thể bỏ Phường Mẫu Một khỏi địa bàn"},
				} {
					r := post(t, srv.Server, srv.Prov, edit, c.form)
					if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="`+c.field+`"`) || !strings.Contains(r.Body, c.text) {
						t.Errorf("%s: status %d; want 400 with %q by the field:\n%s", c.what, r.Status, c.text, excerpt(r.Body))
					}
					checked := strings.Contains(r.Body, `value="T0102" checked`)
					if checked != slices.Contains(c.form["communes"], "T0102") {
						t.Errorf("%s: the choice of T0102 is not kept", c.what)
					}
				}
				if got := policeState(t, srv.Server); got != before {
					t.Errorf("refused requests changed the police units:\n%s\nwas\n%s", got, before)
				}
				if n := len(policeAudits(t, srv.Server)); n != audits {
					t.Errorf("refused requests wrote %d audit entries", n-audits)
				}
			})

			t.Run("rename and move", func(t *testing.T) {
				r := get(t, srv.Server, srv.Prov, edit)
				for _, want := range []string{`value="Công an phường Mẫu Một"`, `value="T0101" checked`, `value="T0102">`, "đang thuộc Công an xã Mẫu Hai"} {
					if r.Status != http.StatusOK || !strings.Contains(r.Body, want) {
						t.Errorf("edit page: status %d, lacks %q:\n%s", r.Status, want, excerpt(r.Body))
					}
				}
				if strings.Contains(r.Body, "T7901") {
					t.Error("the edit page offers a commune of another province")
				}
				r = post(t, srv.Server, srv.Prov, edit, policeForm("Công an phường Mẫu Một – Mẫu Hai", "T0101", "T0102"))
				if r.Status != http.StatusSeeOther || r.Location() != list+"?ok=sua" {
					t.Fatalf("save: status %d, location %q:\n%s", r.Status, r.Location(), excerpt(r.Body))
				}
				r = get(t, srv.Server, srv.Prov, r.Location())
				for _, want := range []string{"Đã lưu thay đổi của đơn vị công an.", "Công an phường Mẫu Một – Mẫu Hai", "Không phụ trách xã nào"} {
					if !strings.Contains(r.Body, want) {
						t.Errorf("list after the change lacks %q:\n%s", want, excerpt(r.Body))
					}
				}
				u, err := srv.Main.Accounts.ByUsername(context.Background(), "tinh-hn")
				if err != nil {
					t.Fatal(err)
				}
				actor := "user:" + strconv.FormatInt(u.ID, 10)
				want := []string{
					actor + " police.rename police:CA-T0101 from=Công an phường Mẫu Một to=Công an phường Mẫu Một – Mẫu Hai",
					actor + " police.jurisdiction police:CA-T0101 communes=T0101,T0102; moved T0102 from CA-T0102",
				}
				if got := policeAudits(t, srv.Server); !slices.Equal(got, want) {
					t.Errorf("audit:\n%q\nwant\n%q", got, want)
				}
				// A new report about T0102 goes to its new unit at once; the
				// one received before stays where it was.
				if got := reportIn(t, srv.Server, "T0102"); got != "CA-T0101" {
					t.Errorf("a new report about T0102 went to %s, want CA-T0101", got)
				}
				var old string
				if err := srv.Main.DB.QueryRow(context.Background(), `SELECT p.code FROM sources s JOIN police_units p ON p.id = s.receiving_unit_id
					ORDER BY s.id LIMIT 1`).Scan(&old); err != nil || old != "CA-T0102" {
					t.Errorf("the earlier report is now at %s (%v), want CA-T0102", old, err)
				}
				// The commune page names the new unit.
				if r := get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0102"); !strings.Contains(r.Body, "Đơn vị công an phụ trách: <strong>Công an phường Mẫu Một – Mẫu Hai</strong>") ||
					!strings.Contains(r.Body, `href="/can-bo/don-vi-cong-an/CA-T0101"`) {
					t.Errorf("T0102's page does not name its new unit with a link to edit it:\n%s", excerpt(r.Body))
				}
				if r := get(t, srv.Server, srv.B, "/can-bo/dia-ban/T0102"); strings.Contains(r.Body, "/can-bo/don-vi-cong-an/") {
					t.Error("a commune officer is offered to edit the police unit")
				}
				// Saving the same again changes nothing.
				r = post(t, srv.Server, srv.Prov, edit, policeForm("Công an phường Mẫu Một – Mẫu Hai", "T0101", "T0102"))
				if r.Status != http.StatusSeeOther || r.Location() != list+"?ok=khong-doi" || len(policeAudits(t, srv.Server)) != 2 {
					t.Errorf("unchanged save: status %d, location %q", r.Status, r.Location())
				}
				// T0102's former unit takes it back by choosing it.
				r = post(t, srv.Server, srv.Prov, "/can-bo/don-vi-cong-an/CA-T0102", policeForm("Công an xã Mẫu Hai", "T0102"))
				if r.Status != http.StatusSeeOther {
					t.Fatalf("take T0102 back: status %d:\n%s", r.Status, excerpt(r.Body))
				}
				if got := reportIn(t, srv.Server, "T0102"); got != "CA-T0102" {
					t.Errorf("after taking it back a report about T0102 went to %s", got)
				}
			})

			t.Run("admin", func(t *testing.T) {
				pw := srv.CreateUser(t, "quan-tri", account.Admin, "VN")
				adm, _ := enrolTOTP(t, srv.Server, "quan-tri", pw)
				r := post(t, srv.Server, adm, "/can-bo/don-vi-cong-an/CA-T7901", policeForm("Công an phường Mẫu Ba (mới)", "T7901"))
				if r.Status != http.StatusSeeOther || r.Location() != "/can-bo/dia-ban/79/don-vi-cong-an?ok=sua" {
					t.Fatalf("admin renames CA-T7901: status %d, location %q:\n%s", r.Status, r.Location(), excerpt(r.Body))
				}
				if r := get(t, srv.Server, adm, "/can-bo/dia-ban/79/don-vi-cong-an"); !strings.Contains(r.Body, "Công an phường Mẫu Ba (mới)") {
					t.Errorf("the renamed unit is not listed:\n%s", excerpt(r.Body))
				}
				r = get(t, srv.Server, adm, "/can-bo/dia-ban/VN/don-vi-cong-an")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "CA-VN") || !strings.Contains(r.Body, "CA-79") || strings.Contains(r.Body, "CA-T0101") {
					t.Errorf("the nation's list: status %d; want the national and province units only:\n%s", r.Status, excerpt(r.Body))
				}
				// The province police have no communes to choose.
				r = post(t, srv.Server, adm, "/can-bo/don-vi-cong-an/CA-79", policeForm("Công an Thành phố Hồ Chí Minh", "T7901"))
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Chỉ đơn vị công an cấp xã") {
					t.Errorf("communes for the province police: status %d:\n%s", r.Status, excerpt(r.Body))
				}
				// The national intake unit is the administrator's alone.
				if r := get(t, srv.Server, srv.Prov, "/can-bo/don-vi-cong-an/CA-VN"); r.Status != http.StatusNotFound {
					t.Errorf("province officer GET CA-VN: status %d, want 404", r.Status)
				}
				if r := get(t, srv.Server, adm, "/can-bo/don-vi-cong-an/CA-VN"); r.Status != http.StatusOK {
					t.Errorf("admin GET CA-VN: status %d, want 200", r.Status)
				}
			})
		})
	}
}
