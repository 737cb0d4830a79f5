package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

func remoteForm(basis, from string) url.Values {
	return url.Values{"basis": {basis}, "valid_from": {from}}
}

// remoteListing returns a commune's stored listing as "basis|from", or "".
func remoteListing(t *testing.T, srv *testutil.Server, commune string) string {
	t.Helper()
	rows, err := srv.Main.DB.Query(context.Background(), "SELECT note, valid_from FROM remote_communes WHERE commune_code = ?", commune)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := ""
	for rows.Next() {
		var n, f string
		if err := rows.Scan(&n, &f); err != nil {
			t.Fatal(err)
		}
		out = n + "|" + f
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// urgentTransferLimit receives an urgent walk-in report at the police of
// commune, entered by officer, and returns its open transfer limit's rule
// and due time.
func urgentTransferLimit(t *testing.T, srv *testutil.Server, officer, commune string) (string, string) {
	t.Helper()
	ctx := context.Background()
	u, err := srv.Main.Accounts.ByUsername(ctx, officer)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := srv.Main.Sources.Submit(ctx, crimesource.Intake{Kind: crimesource.KindDenunciation, Channel: "walk_in", Category: "trat_tu_xa_hoi",
		CommuneCode: commune, Description: "Bắt quả tang đối tượng trộm cắp xe máy", Anonymous: true, Urgent: true},
		crimesource.Actor{UserID: u.ID, Role: string(u.Role), Unit: u.UnitCode})
	if err != nil {
		t.Fatal(err)
	}
	var rule, due string
	if err := srv.Main.DB.QueryRow(ctx, "SELECT rule_code, due_at FROM source_deadlines WHERE source_id = ? AND met_at = '' AND cancelled_at = ''", rec.ID).
		Scan(&rule, &due); err != nil {
		t.Fatalf("open limit of %s: %v", rec.TrackingCode, err)
	}
	return rule, due
}

// TestRemoteCommunePages: who may list a commune as remote on the
// geography pages, what the pages show, and that a report received in a
// commune once it is listed has 48 hours to be transferred.
func TestRemoteCommunePages(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)
			other := srv.Login(t, "tinh-hcm", srv.CreateUser(t, "tinh-hcm", account.Province, "79"))
			today := clock.Today(srv.Clock)
			const basis = "Quyết định 861/QĐ-TTg ngày 04/6/2021 (xã khu vực III)"
			audits := func() int {
				var n int
				if err := srv.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'geo.remote.%'").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}

			// Before any listing the commune police have 24 hours.
			if rule, _ := urgentTransferLimit(t, srv.Server, "xa-b", "T0102"); rule != "commune_transfer_urgent" {
				t.Fatalf("before the listing: limit %s, want commune_transfer_urgent", rule)
			}

			t.Run("refused", func(t *testing.T) {
				// A commune officer reads the listing of their commune but
				// may not change it.
				r := get(t, srv.Server, srv.B, "/can-bo/dia-ban/T0102")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "chưa được đánh dấu là xã vùng sâu, vùng xa") || strings.Contains(r.Body, "/vung-xa") {
					t.Errorf("commune officer's page: status %d; want the state without a form:\n%s", r.Status, excerpt(r.Body))
				}
				for _, c := range []struct {
					who    string
					client *http.Client
					path   string
					want   int
				}{
					{"commune officer, own commune", srv.B, "/can-bo/dia-ban/T0102/vung-xa", http.StatusForbidden},
					{"commune officer, unmark", srv.B, "/can-bo/dia-ban/T0102/vung-xa/xoa", http.StatusForbidden},
					{"another province's officer", other, "/can-bo/dia-ban/T0102/vung-xa", http.StatusNotFound},
					{"another province's officer, unmark", other, "/can-bo/dia-ban/T0102/vung-xa/xoa", http.StatusNotFound},
					{"province officer, other province", srv.Prov, "/can-bo/dia-ban/T7901/vung-xa", http.StatusNotFound},
				} {
					if r := post(t, srv.Server, c.client, c.path, remoteForm(basis, today)); r.Status != c.want {
						t.Errorf("%s: POST %s: status %d, want %d", c.who, c.path, r.Status, c.want)
					}
				}
				// Another site cannot make a provincial officer's browser do it.
				r = post(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0102/vung-xa", remoteForm(basis, today),
					"Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example")
				if r.Status != http.StatusForbidden {
					t.Errorf("cross-origin POST: status %d, want 403", r.Status)
				}
				// The other province's officer does not see the commune.
				if r := get(t, srv.Server, other, "/can-bo/dia-ban/T0102"); r.Status != http.StatusNotFound {
					t.Errorf("another province's officer GET T0102: status %d, want 404", r.Status)
				}
				if got := remoteListing(t, srv.Server, "T0102"); got != "" {
					t.Errorf("refused requests stored %q", got)
				}
				if n := audits(); n != 0 {
					t.Errorf("refused requests wrote %d audit entries", n)
				}
			})

			t.Run("form errors", func(t *testing.T) {
				r := post(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0102/vung-xa", remoteForm("  ", "2026-12-01"))
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Vui lòng ghi căn cứ pháp lý") || !strings.Contains(r.Body, `id="basis-err"`) ||
					!strings.Contains(r.Body, `value="2026-12-01"`) {
					t.Errorf("no basis: status %d; want 400 with the error by the field and the date kept:\n%s", r.Status, excerpt(r.Body))
				}
				r = post(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0102/vung-xa", remoteForm(basis, "1/12/2026"))
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="valid-from-err"`) || !strings.Contains(r.Body, "khu vực III") {
					t.Errorf("bad date: status %d; want 400 with the error by the field and the basis kept:\n%s", r.Status, excerpt(r.Body))
				}
				if r := post(t, srv.Server, srv.Prov, "/can-bo/dia-ban/01/vung-xa", remoteForm(basis, today)); r.Status != http.StatusBadRequest {
					t.Errorf("listing a province: status %d, want 400", r.Status)
				}
				if got := remoteListing(t, srv.Server, "T0102"); got != "" {
					t.Errorf("refused forms stored %q", got)
				}
			})

			t.Run("province officer lists and unlists", func(t *testing.T) {
				r := get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0102")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, `action="/can-bo/dia-ban/T0102/vung-xa"`) || !strings.Contains(r.Body, `value="`+today+`"`) {
					t.Fatalf("province officer's commune page: status %d; want the form, dated today:\n%s", r.Status, excerpt(r.Body))
				}
				r = post(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0102/vung-xa", remoteForm(basis, today))
				if r.Status != http.StatusSeeOther || r.Location() != "/can-bo/dia-ban/T0102?ok=vung-xa" {
					t.Fatalf("list T0102: status %d, location %q:\n%s", r.Status, r.Location(), excerpt(r.Body))
				}
				if got := remoteListing(t, srv.Server, "T0102"); got != basis+"|"+today {
					t.Errorf("stored %q", got)
				}
				r = get(t, srv.Server, srv.B, "/can-bo/dia-ban/T0102?ok=vung-xa")
				if r.Status != http.StatusOK || !strings.Contains(r.Body, "Căn cứ: "+basis) || !strings.Contains(r.Body, "48 giờ") {
					t.Errorf("commune page after listing: status %d; want the basis and 48 hours:\n%s", r.Status, excerpt(r.Body))
				}
				if r := get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/01"); !strings.Contains(r.Body, `Mẫu Hai</a> <span class="tag">vùng sâu, vùng xa</span>`) ||
					strings.Contains(r.Body, `Mẫu Một</a> <span class="tag">`) {
					t.Errorf("province page does not tag T0102 alone:\n%s", excerpt(r.Body))
				}
				u, err := srv.Main.Accounts.ByUsername(context.Background(), "tinh-hn")
				if err != nil {
					t.Fatal(err)
				}
				var actor string
				if err := srv.Main.DB.QueryRow(context.Background(), "SELECT actor FROM audit_log WHERE action = 'geo.remote.mark' AND object = 'unit:T0102'").Scan(&actor); err != nil || actor != "user:"+strconv.FormatInt(u.ID, 10) {
					t.Errorf("audit of the listing: actor %q, %v", actor, err)
				}

				// A report received now in T0102 has 48 hours by the clock.
				rule, due := urgentTransferLimit(t, srv.Server, "xa-b", "T0102")
				if want := store.FormatTime(srv.Clock.Now().Add(48 * time.Hour)); rule != "commune_transfer_remote" || due != want {
					t.Errorf("after the listing: limit %s due %s, want commune_transfer_remote due %s", rule, due, want)
				}
				// T0101, not listed, keeps 24 hours.
				if rule, _ := urgentTransferLimit(t, srv.Server, "xa-a", "T0101"); rule != "commune_transfer_urgent" {
					t.Errorf("T0101: limit %s, want commune_transfer_urgent", rule)
				}

				r = post(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0102/vung-xa/xoa", url.Values{})
				if r.Status != http.StatusSeeOther || r.Location() != "/can-bo/dia-ban/T0102?ok=bo-vung-xa" {
					t.Fatalf("unlist T0102: status %d, location %q", r.Status, r.Location())
				}
				if got := remoteListing(t, srv.Server, "T0102"); got != "" {
					t.Errorf("still stored after unlisting: %q", got)
				}
				if rule, _ := urgentTransferLimit(t, srv.Server, "xa-b", "T0102"); rule != "commune_transfer_urgent" {
					t.Errorf("after unlisting: limit %s, want commune_transfer_urgent", rule)
				}
				if n := audits(); n != 2 {
					t.Errorf("%d audit entries for one listing and one unlisting, want 2", n)
				}
			})

			t.Run("listing from a later date", func(t *testing.T) {
				r := post(t, srv.Server, srv.Prov, "/can-bo/dia-ban/T0102/vung-xa", remoteForm(basis, "2026-12-15"))
				if r.Status != http.StatusSeeOther {
					t.Fatalf("list from 15/12: status %d:\n%s", r.Status, excerpt(r.Body))
				}
				if r := get(t, srv.Server, srv.Prov, "/can-bo/dia-ban/01"); !strings.Contains(r.Body, "vùng sâu, vùng xa từ 15/12/2026") {
					t.Errorf("province page does not give the listing's date:\n%s", excerpt(r.Body))
				}
				if rule, _ := urgentTransferLimit(t, srv.Server, "xa-b", "T0102"); rule != "commune_transfer_urgent" {
					t.Errorf("before the listing's date: limit %s, want commune_transfer_urgent", rule)
				}
				srv.Clock.Set(time.Date(2026, 12, 15, 8, 0, 0, 0, clock.Vietnam))
				if rule, _ := urgentTransferLimit(t, srv.Server, "xa-b", "T0102"); rule != "commune_transfer_remote" {
					t.Errorf("on the listing's date: limit %s, want commune_transfer_remote", rule)
				}
			})

			t.Run("admin", func(t *testing.T) {
				pw := srv.CreateUser(t, "quan-tri", account.Admin, "VN")
				adm, _ := enrolTOTP(t, srv.Server, "quan-tri", pw)
				r := post(t, srv.Server, adm, "/can-bo/dia-ban/T7901/vung-xa", remoteForm("Quyết định thử", clock.Today(srv.Clock)))
				if r.Status != http.StatusSeeOther || remoteListing(t, srv.Server, "T7901") == "" {
					t.Errorf("admin lists T7901: status %d:\n%s", r.Status, excerpt(r.Body))
				}
			})
		})
	}
}
