package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/store"
)

// The time-limit rules are shown to every officer with their legal basis;
// only an administrator edits the calendar of days off, and a change there
// also moves the due time of the running limits that counted on that day.
func TestRulesAndCalendarPage(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			s := newSampleServer(t, e)
			// Received Mon 30/11/2026 at commune T0101: 7 days end Sun
			// 06/12, moved to Mon 07/12.
			rec, err := s.Main.Sources.Submit(context.Background(), crimesource.Intake{Category: "khac", CommuneCode: "T0101",
				Description: "Tố giác hành vi trộm cắp tài sản", Anonymous: true}, crimesource.Actor{})
			if err != nil {
				t.Fatal(err)
			}
			due := func() string {
				t.Helper()
				var d string
				if err := s.Main.DB.QueryRow(context.Background(), "SELECT due_at FROM source_deadlines WHERE source_id = ?", rec.ID).Scan(&d); err != nil {
					t.Fatal(err)
				}
				return d
			}
			endOf := func(day int) string { return store.FormatTime(time.Date(2026, 12, day+1, 0, 0, 0, 0, clock.Vietnam)) }
			if got := due(); got != endOf(7) {
				t.Fatalf("transfer limit due %s, want end of 07/12", got)
			}
			r := get(t, s.Server, s.A, "/can-bo/thoi-han")
			if r.Status != http.StatusOK || !strings.Contains(r.Body, "Điều 147") || !strings.Contains(r.Body, "Tết") {
				t.Fatalf("rules page: status %d, missing the rules or the calendar", r.Status)
			}
			if strings.Contains(r.Body, `action="/can-bo/thoi-han/ngay"`) {
				t.Error("a commune officer is offered the calendar form")
			}
			if r := post(t, s.Server, s.A, "/can-bo/thoi-han/ngay", url.Values{"day": {"2026-12-24"}, "name": {"Thử"}, "kind": {"holiday"}}); r.Status != http.StatusForbidden {
				t.Errorf("commune officer adds a day off: status %d, want 403", r.Status)
			}
			if r := post(t, s.Server, s.Prov, "/can-bo/thoi-han/ngay/2026-01-01/xoa", nil); r.Status != http.StatusForbidden {
				t.Errorf("province officer removes a day off: status %d, want 403", r.Status)
			}
			pw := s.CreateUser(t, "quantri", account.Admin, "VN")
			admin, _ := enrolTOTP(t, s.Server, "quantri", pw)
			if r := post(t, s.Server, admin, "/can-bo/thoi-han/ngay", url.Values{"day": {"2026-13-01"}, "name": {"Sai"}, "kind": {"holiday"}}); r.Status != http.StatusBadRequest {
				t.Errorf("bad date: status %d, want 400", r.Status)
			}
			r = post(t, s.Server, admin, "/can-bo/thoi-han/ngay", url.Values{"day": {"2026-12-07"}, "name": {"Ngày nghỉ đặc biệt"}, "kind": {"holiday"}})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("admin adds a day off: status %d", r.Status)
			}
			var name string
			if err := s.Main.DB.QueryRow(context.Background(), "SELECT name FROM days_off WHERE day = '2026-12-07'").Scan(&name); err != nil || name != "Ngày nghỉ đặc biệt" {
				t.Fatalf("day off not stored: %q %v", name, err)
			}
			// The running limit now ends on Tue 08/12, and the page says so.
			if got := due(); got != endOf(8) {
				t.Errorf("transfer limit due %s after the new day off, want end of 08/12", got)
			}
			if page := get(t, s.Server, admin, r.Header.Get("Location")); !strings.Contains(page.Body, "Đã tính lại hạn của 1 thời hạn") {
				t.Errorf("page after the edit (%s) does not say a limit moved", r.Header.Get("Location"))
			}
			if r := post(t, s.Server, admin, "/can-bo/thoi-han/ngay/2026-12-07/xoa", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("admin removes a day off: status %d", r.Status)
			}
			var n int
			s.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM days_off WHERE day = '2026-12-07'").Scan(&n)
			if n != 0 {
				t.Error("day off still there after removal")
			}
			if got := due(); got != endOf(7) {
				t.Errorf("transfer limit due %s after the removal, want end of 07/12", got)
			}
			var audited int
			s.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action IN ('calendar.set', 'calendar.remove')").Scan(&audited)
			if audited != 2 {
				t.Errorf("%d calendar changes audited, want 2", audited)
			}
		})
	}
}
