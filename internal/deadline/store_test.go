package deadline_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/deadline"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

func load(t *testing.T, db *store.DB) (*deadline.Rules, *deadline.DBCalendar) {
	t.Helper()
	ctx := context.Background()
	rs, err := deadline.LoadRules(ctx, db)
	if err != nil {
		t.Fatalf("LoadRules: %v", err)
	}
	cal, err := deadline.LoadCalendar(ctx, db)
	if err != nil {
		t.Fatalf("LoadCalendar: %v", err)
	}
	return rs, cal
}

// TestSeededRules checks the seeded rule set against LEGAL.md sections 1-2:
// every code and version, and each rule's due time from one start, Tue
// 03/03/2026 10:00, on the seeded calendar.
func TestSeededRules(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		rs, cal := load(t, db)

		var got []string
		for _, r := range rs.All() {
			got = append(got, r.Code+"/"+r.Version)
		}
		want := []string{
			"commune_transfer/2018", "commune_transfer/2022",
			"commune_transfer_remote/2018", "commune_transfer_remote/2022",
			"commune_transfer_urgent/2018", "commune_transfer_urgent/2022",
			"decision/2018", "decision_extended/2018", "file_handover/2018",
			"initiation_to_procuracy/2020", "procuracy_extension/2018", "procuracy_notice/2018",
			"resolve_after_cancel/2018", "resolve_after_resumption/2018",
			"resumption_notice/2018", "suspension_to_procuracy/2018",
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("seeded rules:\n got %v\nwant %v", got, want)
		}

		for _, r := range rs.All() {
			if r.Name == "" || r.Basis == "" || !r.ReceiptDayIsDayOne {
				t.Errorf("%s/%s: name %q, basis %q, day one %v", r.Code, r.Version, r.Name, r.Basis, r.ReceiptDayIsDayOne)
			}
			if wantMove := r.Unit != deadline.Hours; r.DayOffMoves != wantMove {
				t.Errorf("%s/%s (%s): DayOffMoves = %v, want %v", r.Code, r.Version, r.Unit, r.DayOffMoves, wantMove)
			}
		}

		start := vn(2026, 3, 3, 10, 0)
		tests := []struct {
			code   string
			amount int
			unit   deadline.Unit
			want   time.Time
		}{
			{deadline.CommuneTransferUrgent, 24, deadline.Hours, vn(2026, 3, 4, 10, 0)},
			{deadline.CommuneTransferRemote, 48, deadline.Hours, vn(2026, 3, 5, 10, 0)},
			{deadline.CommuneTransfer, 7, deadline.Days, vn(2026, 3, 10, 0, 0)},   // last day Mon 09/03
			{deadline.ProcuracyNotice, 3, deadline.Days, vn(2026, 3, 6, 0, 0)},    // Thu 05/03
			{deadline.FileHandover, 5, deadline.Days, vn(2026, 3, 10, 0, 0)},      // Sat 07/03 -> Mon 09/03
			{deadline.Decision, 20, deadline.Days, vn(2026, 3, 24, 0, 0)},         // Sun 22/03 -> Mon 23/03
			{deadline.DecisionExtended, 2, deadline.Months, vn(2026, 5, 5, 0, 0)}, // Sun 03/05 -> Mon 04/05
			{deadline.ProcuracyExtension, 2, deadline.Months, vn(2026, 5, 5, 0, 0)},
			{deadline.SuspensionToProcuracy, 24, deadline.Hours, vn(2026, 3, 4, 10, 0)},
			{deadline.ResolveAfterCancel, 1, deadline.Months, vn(2026, 4, 4, 0, 0)},     // Fri 03/04
			{deadline.ResolveAfterResumption, 1, deadline.Months, vn(2026, 4, 4, 0, 0)}, // Fri 03/04
			{deadline.ResumptionNotice, 3, deadline.Days, vn(2026, 3, 6, 0, 0)},
			{deadline.InitiationToProcuracy, 24, deadline.Hours, vn(2026, 3, 4, 10, 0)},
		}
		for _, tt := range tests {
			t.Run(tt.code, func(t *testing.T) {
				r, err := rs.For(tt.code, start)
				if err != nil {
					t.Fatal(err)
				}
				if r.Amount != tt.amount || r.Unit != tt.unit {
					t.Errorf("rule = %d %s, want %d %s", r.Amount, r.Unit, tt.amount, tt.unit)
				}
				if got := deadline.Due(r, start, cal); !got.Equal(tt.want) {
					t.Errorf("Due = %v, want %v", got.In(clock.Vietnam), tt.want)
				}
			})
		}

		// Notes carry LEGAL.md's UNCONFIRMED marks.
		for _, code := range []string{deadline.ProcuracyNotice, deadline.SuspensionToProcuracy, deadline.ResumptionNotice,
			deadline.CommuneTransferUrgent, deadline.CommuneTransfer, deadline.Decision} {
			r, err := rs.For(code, start)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.Note, "UNCONFIRMED") {
				t.Errorf("%s: note %q lacks UNCONFIRMED", code, r.Note)
			}
		}
	})
}

func TestSeededRuleVersions(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		rs, cal := load(t, db)
		tests := []struct {
			name        string
			code        string
			received    time.Time
			wantVersion string
			wantDue     time.Time
		}{
			{"2021: commune transfer was 24 hours", deadline.CommuneTransfer, vn(2021, 6, 15, 10, 0), "2018", vn(2021, 6, 16, 10, 0)},
			{"2021: urgent 24 hours", deadline.CommuneTransferUrgent, vn(2021, 6, 15, 10, 0), "2018", vn(2021, 6, 16, 10, 0)},
			{"2021: remote 48 hours", deadline.CommuneTransferRemote, vn(2021, 6, 15, 10, 0), "2018", vn(2021, 6, 17, 10, 0)},
			{"13/01/2022 still the 2018 version", deadline.CommuneTransfer, vn(2022, 1, 13, 22, 0), "2018", vn(2022, 1, 14, 22, 0)},
			{"from 14/01/2022: 7 days (Thu 20/01)", deadline.CommuneTransfer, vn(2022, 1, 14, 8, 0), "2022", vn(2022, 1, 21, 0, 0)},
			{"from 14/01/2022: urgent 24 hours", deadline.CommuneTransferUrgent, vn(2022, 1, 14, 8, 0), "2022", vn(2022, 1, 15, 8, 0)},
			{"2026: remote 48 hours", deadline.CommuneTransferRemote, vn(2026, 3, 6, 20, 0), "2022", vn(2026, 3, 8, 20, 0)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r, err := rs.For(tt.code, tt.received)
				if err != nil {
					t.Fatal(err)
				}
				if r.Version != tt.wantVersion {
					t.Fatalf("version = %s, want %s", r.Version, tt.wantVersion)
				}
				if got := deadline.Due(r, tt.received, cal); !got.Equal(tt.wantDue) {
					t.Errorf("Due = %v, want %v", got.In(clock.Vietnam), tt.wantDue)
				}
			})
		}
		if _, err := rs.For(deadline.CommuneTransfer, vn(2018, 2, 1, 0, 0)); !errs.Is(err, errs.NotFound) {
			t.Errorf("before the joint circular: err = %v, want not found", err)
		}
	})
}

func TestSeededDecisionDue(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		rs, cal := load(t, db)
		received := vn(2026, 3, 3, 10, 0)
		tests := []struct {
			name                string
			extended, procuracy bool
			want                time.Time
		}{
			{"20 days", false, false, vn(2026, 3, 24, 0, 0)},
			{"extended to 2 months", true, false, vn(2026, 5, 5, 0, 0)},
			{"procuracy extension: 4 months after receipt", true, true, vn(2026, 7, 4, 0, 0)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := deadline.DecisionDue(rs, received, tt.extended, tt.procuracy, cal)
				if err != nil || !got.Equal(tt.want) {
					t.Fatalf("DecisionDue = %v, %v; want %v", got.In(clock.Vietnam), err, tt.want)
				}
			})
		}
		// The ceiling is 4 months after receipt: never later than the same
		// day 4 months on, on a day when nothing moves it.
		got, err := deadline.DecisionDue(rs, received, true, true, cal)
		if err != nil {
			t.Fatal(err)
		}
		if ceiling := deadline.DateOf(received).AddMonths(4).AddDays(1).Start(); got.After(ceiling) {
			t.Errorf("DecisionDue = %v, after the 4-month ceiling %v", got, ceiling)
		}
		if err := deadline.CheckProcuracyExtension(true, true); !errs.Is(err, errs.Conflict) {
			t.Errorf("second procuracy extension: err = %v, want conflict", err)
		}
	})
}

func TestSeededCalendar(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		_, cal := load(t, db)
		tests := []struct {
			day  string
			want bool
		}{
			{"2025-01-01", true}, {"2025-01-02", false},
			{"2025-01-24", false}, {"2025-01-27", true}, {"2025-01-31", true}, {"2025-02-03", false},
			{"2025-04-07", true}, {"2025-04-30", true}, {"2025-05-01", true}, {"2025-05-02", false},
			{"2025-09-01", true}, {"2025-09-02", true}, {"2025-09-03", false},
			{"2026-01-01", true}, {"2026-01-02", false},
			{"2026-02-13", false}, {"2026-02-16", true}, {"2026-02-17", true}, {"2026-02-20", true}, {"2026-02-23", false},
			{"2026-04-26", true}, {"2026-04-27", true}, {"2026-04-28", false},
			{"2026-04-30", true}, {"2026-05-01", true},
			{"2026-09-01", true}, {"2026-09-02", true}, {"2026-09-03", false},
			{"2027-01-01", true}, {"2027-02-03", false}, {"2027-02-04", true}, {"2027-02-06", true},
			{"2027-02-10", true}, {"2027-02-11", false},
			{"2027-04-16", true}, {"2027-04-30", true}, {"2027-05-03", true}, {"2027-05-04", false},
			{"2027-09-02", true}, {"2027-09-03", true}, {"2027-09-06", false},
			{"2026-03-07", true}, {"2026-03-08", true}, {"2026-03-04", false},
		}
		for _, tt := range tests {
			d, err := deadline.ParseDate(tt.day)
			if err != nil {
				t.Fatal(err)
			}
			if got := cal.DayOff(d); got != tt.want {
				t.Errorf("DayOff(%s, %s) = %v, want %v", tt.day, d.Weekday(), got, tt.want)
			}
		}

		// Labour Code Art. 112: 11 holiday days a year.
		holidays := map[int]int{}
		for _, e := range cal.Entries() {
			if e.Kind == deadline.KindHoliday {
				holidays[e.Day.Year]++
			}
		}
		for _, y := range []int{2025, 2026, 2027} {
			if holidays[y] != 11 {
				t.Errorf("%d: %d holiday days, want 11", y, holidays[y])
			}
		}

		// A 20-day limit from 26/01/2026 ends in the Tết break 14-22/02
		// whichever way the receipt day counts, and moves to Mon 23/02.
		for _, dayOne := range []bool{true, false} {
			r := rule(20, deadline.Days, dayOne, true)
			if got, want := deadline.Due(r, vn(2026, 1, 26, 9, 0), cal), vn(2026, 2, 24, 0, 0); !got.Equal(want) {
				t.Errorf("Tết 2026, day one %v: Due = %v, want %v", dayOne, got.In(clock.Vietnam), want)
			}
		}
		// Giỗ Tổ 2026 falls on a Sunday; its substitute Monday is off too.
		if got, want := deadline.Due(rule(4, deadline.Days, true, true), vn(2026, 4, 23, 9, 0), cal), vn(2026, 4, 29, 0, 0); !got.Equal(want) {
			t.Errorf("Giỗ Tổ 2026: Due = %v, want %v", got.In(clock.Vietnam), want)
		}
		// An hour limit runs through Tết without moving.
		r := rule(48, deadline.Hours, true, false)
		if got, want := deadline.Due(r, vn(2026, 2, 16, 9, 0), cal), vn(2026, 2, 18, 9, 0); !got.Equal(want) {
			t.Errorf("hours in Tết: Due = %v, want %v", got.In(clock.Vietnam), want)
		}
	})
}

func TestEditCalendar(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		handover := rule(5, deadline.Days, true, true)
		start := vn(2026, 3, 3, 10, 0) // last day Sat 07/03

		_, cal := load(t, db)
		if got, want := deadline.Due(handover, start, cal), vn(2026, 3, 10, 0, 0); !got.Equal(want) {
			t.Fatalf("before: Due = %v, want %v", got.In(clock.Vietnam), want)
		}
		// A Saturday worked as a make-up day does not move the limit.
		if err := deadline.AddDayOff(ctx, db, "2026-03-07", "Làm bù", deadline.KindWorkingDay); err != nil {
			t.Fatal(err)
		}
		_, cal = load(t, db)
		if got, want := deadline.Due(handover, start, cal), vn(2026, 3, 8, 0, 0); !got.Equal(want) {
			t.Errorf("working Saturday: Due = %v, want %v", got.In(clock.Vietnam), want)
		}

		// A new holiday on a weekday (24/11, the pending Ngày Văn hóa Việt Nam).
		if err := deadline.AddDayOff(ctx, db, " 2026-11-24 ", "Ngày Văn hóa Việt Nam", deadline.KindHoliday); err != nil {
			t.Fatal(err)
		}
		// Entering a seeded day again replaces it, note included.
		if err := deadline.AddDayOff(ctx, db, "2027-02-04", "Tết Âm lịch Đinh Mùi (đã xác nhận)", deadline.KindHoliday); err != nil {
			t.Fatal(err)
		}
		// Removing the substitute Monday of Giỗ Tổ 2026 makes it a working day.
		if err := deadline.RemoveDayOff(ctx, db, "2026-04-27"); err != nil {
			t.Fatal(err)
		}
		_, cal = load(t, db)
		if !cal.DayOff(day(2026, 11, 24)) {
			t.Error("24/11/2026 not a day off after AddDayOff")
		}
		if cal.DayOff(day(2026, 4, 27)) {
			t.Error("27/04/2026 still a day off after RemoveDayOff")
		}
		for _, e := range cal.Entries() {
			if e.Day == day(2027, 2, 4) && (e.Name != "Tết Âm lịch Đinh Mùi (đã xác nhận)" || e.Note != "") {
				t.Errorf("replaced entry = %+v", e)
			}
		}

		if err := deadline.RemoveDayOff(ctx, db, "2026-04-27"); !errs.Is(err, errs.NotFound) {
			t.Errorf("remove twice: err = %v, want not found", err)
		}
		if err := deadline.RemoveDayOff(ctx, db, "27/04/2026"); !isField(err, "day") {
			t.Errorf("remove bad date: err = %v, want invalid day", err)
		}

		bad := []struct {
			name, day, dayName, kind, field string
		}{
			{"no such day", "2026-02-30", "X", deadline.KindHoliday, "day"},
			{"day first", "27/04/2026", "X", deadline.KindHoliday, "day"},
			{"no zero padding", "2026-4-27", "X", deadline.KindHoliday, "day"},
			{"empty day", "", "X", deadline.KindHoliday, "day"},
			{"unknown kind", "2026-04-28", "X", "festival", "kind"},
			{"working day on a Wednesday", "2026-03-04", "X", deadline.KindWorkingDay, "kind"},
			{"no name", "2026-04-28", "  ", deadline.KindHoliday, "name"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				err := deadline.AddDayOff(ctx, db, tt.day, tt.dayName, tt.kind)
				if !isField(err, tt.field) {
					t.Errorf("err = %v, want invalid %s", err, tt.field)
				}
			})
		}
	})
}

func isField(err error, field string) bool {
	e, ok := errs.As(err)
	return ok && e.Code == errs.Invalid && e.Field == field
}
