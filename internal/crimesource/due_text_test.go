package crimesource_test

import (
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/crimesource"
)

// A limit counted in days or months ends at 24:00 of its last day (Art.
// 134(1)), stored as 00:00 of the day after; pages and files must name the
// last day, not the next one.
func TestDueText(t *testing.T) {
	for _, tc := range []struct {
		name      string
		due       time.Time
		text, csv string
	}{
		{"end of a day", time.Date(2026, 12, 8, 0, 0, 0, 0, clock.Vietnam), "24:00 ngày 07/12/2026", "2026-12-07 24:00"},
		{"end of a year", time.Date(2027, 1, 1, 0, 0, 0, 0, clock.Vietnam), "24:00 ngày 31/12/2026", "2026-12-31 24:00"},
		{"end of a day, given in UTC", time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC), "24:00 ngày 07/12/2026", "2026-12-07 24:00"},
		{"an hour limit", time.Date(2026, 12, 1, 10, 0, 0, 0, clock.Vietnam), "10:00 ngày 01/12/2026", "2026-12-01 10:00"},
		{"a minute past midnight", time.Date(2026, 12, 8, 0, 1, 0, 0, clock.Vietnam), "00:01 ngày 08/12/2026", "2026-12-08 00:01"},
		{"UTC midnight is 07:00 in Vietnam", time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC), "07:00 ngày 08/12/2026", "2026-12-08 07:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := crimesource.DueVN(tc.due); got != tc.text {
				t.Errorf("DueVN(%s) = %q, want %q", tc.due, got, tc.text)
			}
			if got := crimesource.DueStamp(tc.due); got != tc.csv {
				t.Errorf("DueStamp(%s) = %q, want %q", tc.due, got, tc.csv)
			}
		})
	}
}
