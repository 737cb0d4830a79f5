// Package deadline is the time-limit engine of the Criminal Procedure Code:
// it turns a rule ("20 days from receipt", Art. 147(1)) and a start into the
// instant the limit ends, counted as Art. 134 says, and tells how many days
// are left. The rules and the calendar of days off are data (tables
// deadline_rules and days_off), so an amendment or a new holiday is a new
// row, not a code change.
//
// Dates are reckoned in Vietnam time (clock.Vietnam). A limit that ends "at
// 24:00 on the last day" is returned as the instant 00:00 of the day after,
// so that "overdue" is simply now >= due.
package deadline

import (
	"fmt"
	"time"

	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/store"
)

// Unit is the unit of a time limit (Art. 134(1)). Years are allowed by the
// Code but no rule of this system uses them.
type Unit string

const (
	Hours  Unit = "hours"
	Days   Unit = "days"
	Months Unit = "months"
)

// Valid reports whether u is a known unit.
func (u Unit) Valid() bool { return u == Hours || u == Days || u == Months }

// Rule is one version of a time limit, with its legal basis and the dates it
// is in force.
type Rule struct {
	Code    string // stable code used by other packages, e.g. "decision"
	Version string // e.g. "2018", "2022"; (Code, Version) is unique
	Name    string // Vietnamese, shown to officers
	Amount  int
	Unit    Unit
	Basis   string // legal basis, Vietnamese
	// EffectiveFrom and EffectiveTo bound the version in force, YYYY-MM-DD,
	// both inclusive; an empty EffectiveTo means still in force.
	EffectiveFrom string
	EffectiveTo   string
	// ReceiptDayIsDayOne counts the start day as day 1 of a day limit
	// (received 01/03, 20 days: ends 24:00 on 20/03 rather than 21/03). Art.
	// 134 does not settle it; true gives the earlier date. It has no effect on
	// hour limits, which run by the clock, nor on month limits, which Art.
	// 134(1) ends on the same-numbered day of the later month.
	ReceiptDayIsDayOne bool
	// DayOffMoves makes a limit whose last day is a day off end on the next
	// working day instead (Art. 134(1)).
	DayOffMoves bool
	Note        string // what is unconfirmed, and why a flag is set as it is
}

// Date is a calendar day in Vietnam.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in Vietnam.
func DateOf(t time.Time) Date {
	y, m, d := t.In(clock.Vietnam).Date()
	return Date{y, m, d}
}

// ParseDate reads a YYYY-MM-DD date, rejecting days that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(store.DateLayout, s)
	if err != nil || t.Format(store.DateLayout) != s {
		return Date{}, fmt.Errorf("deadline: bad date %q", s)
	}
	y, m, d := t.Date()
	return Date{y, m, d}, nil
}

// String renders d as YYYY-MM-DD, the stored form.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Start returns 00:00 of d in Vietnam.
func (d Date) Start() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, clock.Vietnam) }

// AddDays returns the day n days after d (before, if n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, clock.Vietnam))
}

// AddMonths returns the same-numbered day n months after d, or that month's
// last day if it has no such day (31/12 + 2 months = 28/02 or 29/02).
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 12, 0, 0, 0, clock.Vietnam)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), first.Month(), min(d.Day, last)}
}

// Weekday returns d's day of the week.
func (d Date) Weekday() time.Weekday { return d.Start().Weekday() }

// Sub returns the number of days from e to d.
func (d Date) Sub(e Date) int {
	// Noon UTC on both sides keeps the division exact.
	a := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	b := time.Date(e.Year, e.Month, e.Day, 12, 0, 0, 0, time.UTC)
	return int(a.Sub(b).Hours() / 24)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Sub(e) < 0 }

// Calendar tells which days are days off (weekly rest days and public
// holidays, less make-up working days).
type Calendar interface {
	DayOff(d Date) bool
}

// Weekends is a calendar whose only days off are Saturdays and Sundays. A nil
// Calendar given to Due means Weekends: without the holiday list a limit can
// only end earlier, never later, than it should.
var Weekends Calendar = weekends{}

type weekends struct{}

func (weekends) DayOff(d Date) bool { return isWeekend(d) }

func isWeekend(d Date) bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// maxMove bounds the search for a working day, so that a calendar that
// reports every day off cannot hang the caller. The longest real break (Tết)
// is about nine days.
const maxMove = 60

// nextWorkingDay returns d if it is a working day, else the first working
// day after it.
func nextWorkingDay(d Date, cal Calendar) Date {
	for i := 0; i < maxMove && cal.DayOff(d); i++ {
		d = d.AddDays(1)
	}
	return d
}

// lastDay returns the day on which a limit ending at due runs out: a limit
// ending at 24:00 (00:00 of the next day) belongs to the day before.
func lastDay(due time.Time) Date { return DateOf(due.Add(-time.Nanosecond)) }

// Due returns the instant the limit r, started at start, ends (Art. 134).
//
// Hours: start + N hours; only when DayOffMoves is set does a limit whose
// last moment falls on a day off move, to 24:00 of the next working day.
// Days: the last day is the start day + N - 1 when ReceiptDayIsDayOne, else
// + N. Months: the last day is the same-numbered day N months later, or that
// month's last day. A day or month limit ends at 24:00 of its last day,
// returned as 00:00 of the next day; when DayOffMoves is set and the last day
// is a day off, the next working day becomes the last day.
func Due(r Rule, start time.Time, cal Calendar) time.Time {
	if cal == nil {
		cal = Weekends
	}
	var last Date
	switch r.Unit {
	case Hours:
		due := start.Add(time.Duration(r.Amount) * time.Hour)
		if !r.DayOffMoves || !cal.DayOff(lastDay(due)) {
			return due
		}
		last = lastDay(due)
	case Months:
		last = DateOf(start).AddMonths(r.Amount)
	default: // Days; LoadRules and NewRules refuse any other unit.
		n := r.Amount
		if r.ReceiptDayIsDayOne {
			n--
		}
		last = DateOf(start).AddDays(n)
	}
	if r.DayOffMoves {
		last = nextWorkingDay(last, cal)
	}
	return last.AddDays(1).Start()
}

// DaysLeft returns the whole calendar days in Vietnam from now's day to the
// last day of a limit ending at due: 0 when it runs out today, negative when
// it ran out that many days ago.
func DaysLeft(due, now time.Time) int { return lastDay(due).Sub(DateOf(now)) }

// States of a running limit, as State reports them.
const (
	StateOK      = "ok"
	StateAtRisk  = "at_risk"
	StateOverdue = "overdue"
)

// State returns StateOverdue once now has reached due, StateAtRisk when at
// most atRiskDays days are left, and StateOK otherwise.
func State(due, now time.Time, atRiskDays int) string {
	switch {
	case !now.Before(due):
		return StateOverdue
	case DaysLeft(due, now) <= atRiskDays:
		return StateAtRisk
	}
	return StateOK
}

// StartFor returns the start of a limit counted from receipt. Art. 134(2)
// counts some papers from an earlier day, filed (YYYY-MM-DD): for papers sent
// by post the sending post office's postmark date, for papers filed through a
// detention facility the day the head of the facility received them. A
// filed day gives 00:00 of that day in Vietnam; without one the limit starts
// at received.
//
// A filed day can only move the start earlier: one that is not a valid date
// or lies after received is ignored, which errs on the side of the earlier
// deadline. Input forms should reject such a day with CheckPostmark or
// CheckFacilityReceipt.
func StartFor(received time.Time, filed string) time.Time {
	if filed == "" {
		return received
	}
	d, err := ParseDate(filed)
	if err != nil || DateOf(received).Before(d) {
		return received
	}
	return d.Start()
}

// CheckPostmark validates a postmark date entered for a paper received at
// received: empty (not sent by post), or a YYYY-MM-DD day not after receipt.
func CheckPostmark(received time.Time, postmarked string) error {
	if postmarked == "" {
		return nil
	}
	d, err := ParseDate(postmarked)
	if err != nil {
		return errs.Field("postmarked_on", "Ngày dấu bưu điện phải có dạng NNNN-TT-NN (ví dụ 2026-03-01).")
	}
	if DateOf(received).Before(d) {
		return errs.Field("postmarked_on", "Ngày dấu bưu điện không thể sau ngày nhận.")
	}
	return nil
}

// CheckFacilityReceipt validates the day the head of a detention facility
// received a paper filed there, for a paper the unit received at received:
// empty (not filed through a facility), or a YYYY-MM-DD day not after
// receipt, and so never in the future.
func CheckFacilityReceipt(received time.Time, day string) error {
	if day == "" {
		return nil
	}
	d, err := ParseDate(day)
	if err != nil {
		return errs.Field("facility_received_on", "Ngày cơ sở giam giữ nhận đơn phải có dạng NNNN-TT-NN (ví dụ 2026-03-01).")
	}
	if DateOf(received).Before(d) {
		return errs.Field("facility_received_on", "Ngày thủ trưởng cơ sở giam giữ nhận đơn không thể sau ngày tiếp nhận nguồn tin.")
	}
	return nil
}
