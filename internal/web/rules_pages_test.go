package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/store"
)

// The time-limit rules are shown to every officer with their legal basis;
// only an administrator edits the calendar of days off, and a day added
// there moves the limits computed after it.
func TestRulesAndCalendarPage(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			s := newSampleServer(t, e)
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
			if r := post(t, s.Server, admin, "/can-bo/thoi-han/ngay", url.Values{"day": {"2026-12-24"}, "name": {"Ngày nghỉ đặc biệt"}, "kind": {"holiday"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("admin adds a day off: status %d", r.Status)
			}
			var name string
			if err := s.Main.DB.QueryRow(context.Background(), "SELECT name FROM days_off WHERE day = '2026-12-24'").Scan(&name); err != nil || name != "Ngày nghỉ đặc biệt" {
				t.Fatalf("day off not stored: %q %v", name, err)
			}
			if r := post(t, s.Server, admin, "/can-bo/thoi-han/ngay/2026-12-24/xoa", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("admin removes a day off: status %d", r.Status)
			}
			var n int
			s.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM days_off WHERE day = '2026-12-24'").Scan(&n)
			if n != 0 {
				t.Error("day off still there after removal")
			}
			var audited int
			s.Main.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action IN ('calendar.set', 'calendar.remove')").Scan(&audited)
			if audited != 2 {
				t.Errorf("%d calendar changes audited, want 2", audited)
			}
		})
	}
}
