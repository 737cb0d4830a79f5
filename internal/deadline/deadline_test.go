package deadline_test

import (
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/deadline"
	"toandan/internal/errs"
)

// vn is a wall-clock time in Vietnam.
func vn(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Vietnam)
}

func day(y int, m time.Month, d int) deadline.Date { return deadline.Date{Year: y, Month: m, Day: d} }

// testCal is weekends plus explicit holidays, less explicit working days.
type testCal struct {
	off, work map[deadline.Date]bool
}

func (c testCal) DayOff(d deadline.Date) bool {
	if c.work[d] {
		return false
	}
	if c.off[d] {
		return true
	}
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// noDaysOff is a calendar without any day off.
type noDaysOff struct{}

func (noDaysOff) DayOff(deadline.Date) bool { return false }

func rule(amount int, unit deadline.Unit, dayOne, moves bool) deadline.Rule {
	return deadline.Rule{Code: "t", Version: "1", Amount: amount, Unit: unit, EffectiveFrom: "2018-01-01",
		ReceiptDayIsDayOne: dayOne, DayOffMoves: moves}
}

func TestDueDays(t *testing.T) {
	tests := []struct {
		name  string
		rule  deadline.Rule
		start time.Time
		cal   deadline.Calendar
		want  time.Time
	}{
		{"receipt day is day one: 20 days from 01/03 ends 24:00 20/03",
			rule(20, deadline.Days, true, true), vn(2025, 3, 1, 15, 0), deadline.Weekends, vn(2025, 3, 21, 0, 0)},
		{"counted from the next day: ends 24:00 21/03",
			rule(20, deadline.Days, false, true), vn(2025, 3, 1, 15, 0), deadline.Weekends, vn(2025, 3, 22, 0, 0)},
		{"start at 23:59 still counts its own day",
			rule(20, deadline.Days, true, true), vn(2025, 3, 1, 23, 59), deadline.Weekends, vn(2025, 3, 21, 0, 0)},
		{"start given in UTC is counted on its Vietnam date",
			rule(5, deadline.Days, true, true), time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC), deadline.Weekends, vn(2026, 3, 10, 0, 0)},
		{"last day on a Saturday moves to Monday",
			rule(5, deadline.Days, true, true), vn(2026, 3, 3, 10, 0), deadline.Weekends, vn(2026, 3, 10, 0, 0)},
		{"last day on a Sunday moves to Monday",
			rule(20, deadline.Days, true, true), vn(2026, 3, 3, 10, 0), deadline.Weekends, vn(2026, 3, 24, 0, 0)},
		{"without DayOffMoves a Saturday stays the last day",
			rule(5, deadline.Days, true, false), vn(2026, 3, 3, 10, 0), deadline.Weekends, vn(2026, 3, 8, 0, 0)},
		{"a Saturday marked as a working day does not move",
			rule(5, deadline.Days, true, true), vn(2026, 3, 3, 10, 0),
			testCal{work: map[deadline.Date]bool{day(2026, 3, 7): true}}, vn(2026, 3, 8, 0, 0)},
		{"holidays then a weekend: 30/04 and 01/05 then Sat, Sun move to Mon 04/05",
			rule(20, deadline.Days, true, true), vn(2026, 4, 11, 8, 0),
			testCal{off: map[deadline.Date]bool{day(2026, 4, 30): true, day(2026, 5, 1): true}}, vn(2026, 5, 5, 0, 0)},
		{"a nil calendar means weekends",
			rule(5, deadline.Days, true, true), vn(2026, 3, 3, 10, 0), nil, vn(2026, 3, 10, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deadline.Due(tt.rule, tt.start, tt.cal); !got.Equal(tt.want) {
				t.Errorf("Due = %v, want %v", got.In(clock.Vietnam), tt.want)
			}
		})
	}
}

func TestDueMonths(t *testing.T) {
	tests := []struct {
		name  string
		rule  deadline.Rule
		start time.Time
		cal   deadline.Calendar
		want  time.Time
	}{
		{"2 months from 31/12 ends 28/02",
			rule(2, deadline.Months, true, true), vn(2024, 12, 31, 9, 0), deadline.Weekends, vn(2025, 3, 1, 0, 0)},
		{"2 months from 31/12 ends 29/02 in a leap year",
			rule(2, deadline.Months, true, true), vn(2027, 12, 31, 9, 0), deadline.Weekends, vn(2028, 3, 1, 0, 0)},
		{"1 month from 31/01 ends 28/02",
			rule(1, deadline.Months, true, true), vn(2025, 1, 31, 9, 0), deadline.Weekends, vn(2025, 3, 1, 0, 0)},
		{"1 month from 31/01 ends 29/02 in a leap year",
			rule(1, deadline.Months, true, true), vn(2028, 1, 31, 9, 0), deadline.Weekends, vn(2028, 3, 1, 0, 0)},
		{"1 month from 31/01/2026 ends Sat 28/02 and moves to Mon 02/03",
			rule(1, deadline.Months, true, true), vn(2026, 1, 31, 9, 0), deadline.Weekends, vn(2026, 3, 3, 0, 0)},
		{"1 month from 31/01/2026 without days off ends 28/02",
			rule(1, deadline.Months, true, true), vn(2026, 1, 31, 9, 0), noDaysOff{}, vn(2026, 3, 1, 0, 0)},
		{"same-numbered day: 1 month from 03/03 ends 03/04",
			rule(1, deadline.Months, true, true), vn(2026, 3, 3, 10, 0), deadline.Weekends, vn(2026, 4, 4, 0, 0)},
		{"the receipt-day flag does not shorten a month limit",
			rule(1, deadline.Months, false, true), vn(2026, 3, 3, 10, 0), deadline.Weekends, vn(2026, 4, 4, 0, 0)},
		{"across a year: 2 months from 15/11/2026 ends 15/01/2027",
			rule(2, deadline.Months, true, true), vn(2026, 11, 15, 9, 0), deadline.Weekends, vn(2027, 1, 16, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deadline.Due(tt.rule, tt.start, tt.cal); !got.Equal(tt.want) {
				t.Errorf("Due = %v, want %v", got.In(clock.Vietnam), tt.want)
			}
		})
	}
}

func TestDueHours(t *testing.T) {
	tests := []struct {
		name  string
		rule  deadline.Rule
		start time.Time
		want  time.Time
	}{
		{"24 hours cross midnight into a Saturday without moving",
			rule(24, deadline.Hours, true, false), vn(2026, 3, 6, 20, 0), vn(2026, 3, 7, 20, 0)},
		{"48 hours cross a weekend without moving",
			rule(48, deadline.Hours, true, false), vn(2026, 3, 6, 20, 0), vn(2026, 3, 8, 20, 0)},
		{"24 hours from late Saturday end late Sunday",
			rule(24, deadline.Hours, true, false), vn(2026, 3, 7, 23, 30), vn(2026, 3, 8, 23, 30)},
		{"the receipt-day flag does not touch an hour limit",
			rule(24, deadline.Hours, false, false), vn(2026, 3, 3, 10, 15), vn(2026, 3, 4, 10, 15)},
		{"with DayOffMoves an hour limit ending on Saturday ends 24:00 Monday",
			rule(24, deadline.Hours, true, true), vn(2026, 3, 6, 20, 0), vn(2026, 3, 10, 0, 0)},
		{"with DayOffMoves a limit ending 24:00 Friday belongs to Friday",
			rule(24, deadline.Hours, true, true), vn(2026, 3, 6, 0, 0), vn(2026, 3, 7, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deadline.Due(tt.rule, tt.start, deadline.Weekends); !got.Equal(tt.want) {
				t.Errorf("Due = %v, want %v", got.In(clock.Vietnam), tt.want)
			}
		})
	}
}

func TestStartFor(t *testing.T) {
	received := vn(2026, 3, 2, 9, 0)
	tests := []struct {
		name      string
		postmark  string
		wantStart time.Time
		wantDue   time.Time // 20 days, receipt day one, weekends move
	}{
		{"the postmark date counts", "2026-02-27", vn(2026, 2, 27, 0, 0), vn(2026, 3, 19, 0, 0)},
		{"no postmark: from receipt", "", received, vn(2026, 3, 24, 0, 0)},
		{"postmark on the day of receipt", "2026-03-02", vn(2026, 3, 2, 0, 0), vn(2026, 3, 24, 0, 0)},
		{"an invalid postmark is ignored", "27/02/2026", received, vn(2026, 3, 24, 0, 0)},
		{"a postmark after receipt is ignored", "2026-03-05", received, vn(2026, 3, 24, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := deadline.StartFor(received, tt.postmark)
			if !start.Equal(tt.wantStart) {
				t.Fatalf("StartFor = %v, want %v", start, tt.wantStart)
			}
			if got := deadline.Due(rule(20, deadline.Days, true, true), start, deadline.Weekends); !got.Equal(tt.wantDue) {
				t.Errorf("Due = %v, want %v", got.In(clock.Vietnam), tt.wantDue)
			}
		})
	}
}

func TestCheckPostmark(t *testing.T) {
	received := vn(2026, 3, 2, 9, 0)
	for _, ok := range []string{"", "2026-02-27", "2026-03-02"} {
		if err := deadline.CheckPostmark(received, ok); err != nil {
			t.Errorf("CheckPostmark(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"27/02/2026", "2026-02-30", "2026-03-03"} {
		err := deadline.CheckPostmark(received, bad)
		if e, ok := errs.As(err); !ok || e.Code != errs.Invalid || e.Field != "postmarked_on" {
			t.Errorf("CheckPostmark(%q) = %v, want invalid postmarked_on", bad, err)
		}
	}
}

func TestDaysLeftAndState(t *testing.T) {
	dayDue := vn(2026, 3, 24, 0, 0) // 24:00 on Mon 23/03
	hourDue := vn(2026, 3, 4, 10, 0)
	tests := []struct {
		name      string
		due, now  time.Time
		wantLeft  int
		wantState string
	}{
		{"4 days left", dayDue, vn(2026, 3, 19, 23, 59), 4, deadline.StateOK},
		{"3 days left is at risk", dayDue, vn(2026, 3, 20, 0, 0), 3, deadline.StateAtRisk},
		{"3 days left, now given in UTC", dayDue, time.Date(2026, 3, 19, 17, 0, 0, 0, time.UTC), 3, deadline.StateAtRisk},
		{"the day before UTC midnight is still 4 days", dayDue, time.Date(2026, 3, 19, 16, 59, 0, 0, time.UTC), 4, deadline.StateOK},
		{"due today", dayDue, vn(2026, 3, 23, 23, 59), 0, deadline.StateAtRisk},
		{"overdue from 24:00 of the last day", dayDue, vn(2026, 3, 24, 0, 0), -1, deadline.StateOverdue},
		{"overdue by 3 days", dayDue, vn(2026, 3, 26, 8, 0), -3, deadline.StateOverdue},
		{"hour limit later today", hourDue, vn(2026, 3, 4, 9, 0), 0, deadline.StateAtRisk},
		{"hour limit reached", hourDue, vn(2026, 3, 4, 10, 0), 0, deadline.StateOverdue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deadline.DaysLeft(tt.due, tt.now); got != tt.wantLeft {
				t.Errorf("DaysLeft = %d, want %d", got, tt.wantLeft)
			}
			if got := deadline.State(tt.due, tt.now, 3); got != tt.wantState {
				t.Errorf("State = %q, want %q", got, tt.wantState)
			}
		})
	}
}

func TestDate(t *testing.T) {
	for _, s := range []string{"2026-02-29", "2026-13-01", "2026-1-05", "26-01-05", "", "2026-01-05T00:00:00Z"} {
		if _, err := deadline.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	d, err := deadline.ParseDate("2028-02-29")
	if err != nil || d != day(2028, 2, 29) || d.String() != "2028-02-29" {
		t.Errorf("ParseDate(2028-02-29) = %v, %v", d, err)
	}
	if got := day(2025, 12, 31).AddMonths(2); got != day(2026, 2, 28) {
		t.Errorf("AddMonths = %v", got)
	}
	if got := day(2026, 12, 31).AddDays(1); got != day(2027, 1, 1) {
		t.Errorf("AddDays = %v", got)
	}
	if got := day(2026, 3, 1).Sub(day(2026, 2, 1)); got != 28 {
		t.Errorf("Sub = %d", got)
	}
	if got := deadline.DateOf(time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)); got != day(2026, 3, 3) {
		t.Errorf("DateOf = %v, want the Vietnam date", got)
	}
}

// testRules mirrors the seeded versions of the rules these tests need, so
// that the pure tests do not depend on the database.
func testRules(t *testing.T) *deadline.Rules {
	t.Helper()
	rs, err := deadline.NewRules([]deadline.Rule{
		{Code: deadline.Decision, Version: "2018", Amount: 20, Unit: deadline.Days, EffectiveFrom: "2018-01-01", ReceiptDayIsDayOne: true, DayOffMoves: true},
		{Code: deadline.DecisionExtended, Version: "2018", Amount: 2, Unit: deadline.Months, EffectiveFrom: "2018-01-01", ReceiptDayIsDayOne: true, DayOffMoves: true},
		{Code: deadline.ProcuracyExtension, Version: "2018", Amount: 2, Unit: deadline.Months, EffectiveFrom: "2018-01-01", ReceiptDayIsDayOne: true, DayOffMoves: true},
		{Code: deadline.CommuneTransfer, Version: "2018", Amount: 24, Unit: deadline.Hours, EffectiveFrom: "2018-03-01", EffectiveTo: "2022-01-13", ReceiptDayIsDayOne: true},
		{Code: deadline.CommuneTransfer, Version: "2022", Amount: 7, Unit: deadline.Days, EffectiveFrom: "2022-01-14", ReceiptDayIsDayOne: true, DayOffMoves: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestRulesFor(t *testing.T) {
	rs := testRules(t)
	tests := []struct {
		name, code  string
		on          time.Time
		wantVersion string
	}{
		{"2021 receipt uses the 2018 version", deadline.CommuneTransfer, vn(2021, 6, 15, 10, 0), "2018"},
		{"last day of the 2018 version", deadline.CommuneTransfer, vn(2022, 1, 13, 23, 59), "2018"},
		{"first day of the 2022 version, Vietnam date of a UTC time", deadline.CommuneTransfer, time.Date(2022, 1, 13, 17, 30, 0, 0, time.UTC), "2022"},
		{"open-ended version", deadline.CommuneTransfer, vn(2030, 1, 1, 0, 0), "2022"},
		{"before any version", deadline.CommuneTransfer, vn(2018, 2, 28, 12, 0), ""},
		{"unknown code", "no_such_rule", vn(2026, 1, 1, 0, 0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := rs.For(tt.code, tt.on)
			if tt.wantVersion == "" {
				if !errs.Is(err, errs.NotFound) {
					t.Fatalf("For = %+v, %v; want not found", r, err)
				}
				return
			}
			if err != nil || r.Version != tt.wantVersion {
				t.Fatalf("For = %+v, %v; want version %s", r, err, tt.wantVersion)
			}
		})
	}
}

func TestNewRulesRejectsBadRules(t *testing.T) {
	good := deadline.Rule{Code: "x", Version: "1", Amount: 1, Unit: deadline.Days, EffectiveFrom: "2018-01-01"}
	tests := []struct {
		name string
		edit func(*deadline.Rule)
	}{
		{"unknown unit", func(r *deadline.Rule) { r.Unit = "years" }},
		{"zero amount", func(r *deadline.Rule) { r.Amount = 0 }},
		{"bad effective_from", func(r *deadline.Rule) { r.EffectiveFrom = "01/01/2018" }},
		{"bad effective_to", func(r *deadline.Rule) { r.EffectiveTo = "2018-02-30" }},
		{"ends before it starts", func(r *deadline.Rule) { r.EffectiveTo = "2017-12-31" }},
		{"no version", func(r *deadline.Rule) { r.Version = "" }},
	}
	if _, err := deadline.NewRules([]deadline.Rule{good}); err != nil {
		t.Fatalf("good rule refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			if _, err := deadline.NewRules([]deadline.Rule{r}); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestDecisionDue(t *testing.T) {
	rs := testRules(t)
	received := vn(2026, 3, 3, 10, 0)
	tests := []struct {
		name                string
		received            time.Time
		extended, procuracy bool
		cal                 deadline.Calendar
		want                time.Time
	}{
		{"20 days: Sun 22/03 moves to Mon 23/03", received, false, false, deadline.Weekends, vn(2026, 3, 24, 0, 0)},
		{"extended: 2 months, Sun 03/05 moves to Mon 04/05", received, true, false, deadline.Weekends, vn(2026, 5, 5, 0, 0)},
		{"procuracy extension: 4 months after receipt, Fri 03/07", received, true, true, deadline.Weekends, vn(2026, 7, 4, 0, 0)},
		{"4 months from 31/10 end on Sat 28/02, moved to Mon 02/03", vn(2025, 10, 31, 10, 0), true, true, deadline.Weekends, vn(2026, 3, 3, 0, 0)},
		{"4 months from 31/10, no days off: 28/02", vn(2025, 10, 31, 10, 0), true, true, noDaysOff{}, vn(2026, 3, 1, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deadline.DecisionDue(rs, tt.received, tt.extended, tt.procuracy, tt.cal)
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("DecisionDue = %v, %v; want %v", got.In(clock.Vietnam), err, tt.want)
			}
		})
	}
	t.Run("procuracy extension without the 2-month extension is refused", func(t *testing.T) {
		if _, err := deadline.DecisionDue(rs, received, false, true, deadline.Weekends); !errs.Is(err, errs.Invalid) {
			t.Errorf("err = %v, want invalid", err)
		}
	})
}

func TestCheckProcuracyExtension(t *testing.T) {
	tests := []struct {
		name                string
		extended, procuracy bool
		want                errs.Code // "" = allowed
	}{
		{"first extension after the 2-month extension", true, false, ""},
		{"a second procuracy extension is refused", true, true, errs.Conflict},
		{"not before the 2-month extension", false, false, errs.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := deadline.CheckProcuracyExtension(tt.extended, tt.procuracy)
			if tt.want == "" {
				if err != nil {
					t.Errorf("err = %v, want nil", err)
				}
				return
			}
			if !errs.Is(err, tt.want) {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
}
