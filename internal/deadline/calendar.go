package deadline

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"toandan/internal/errs"
)

// Kinds of days_off rows.
const (
	KindHoliday    = "holiday"     // a public holiday (Labour Code Art. 112) or civil-service break day
	KindSubstitute = "substitute"  // a day off given for a holiday that fell on a weekly rest day
	KindWorkingDay = "working_day" // a Saturday or Sunday worked to make up a swapped day
)

// DayEntry is one row of the calendar of days off.
type DayEntry struct {
	Day  Date
	Name string
	Kind string
	Note string // what is unconfirmed about a seeded day
}

// DBCalendar is the calendar held in days_off: Saturdays and Sundays are
// days off unless marked working_day, and holiday and substitute rows are
// days off whatever their weekday.
type DBCalendar struct {
	days map[Date]DayEntry
}

// querier reads rows: a *store.DB, or a *store.Tx to read what the
// transaction has written.
type querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// execer writes: a *store.DB, or a *store.Tx.
type execer interface {
	Exec(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// LoadCalendar reads the calendar of days off from db, a *store.DB or a
// *store.Tx.
func LoadCalendar(ctx context.Context, db querier) (*DBCalendar, error) {
	rows, err := db.Query(ctx, "SELECT day, name, kind, note FROM days_off ORDER BY day")
	if err != nil {
		return nil, fmt.Errorf("deadline: load calendar: %w", err)
	}
	defer rows.Close()
	c := &DBCalendar{days: map[Date]DayEntry{}}
	for rows.Next() {
		var e DayEntry
		var day string
		if err := rows.Scan(&day, &e.Name, &e.Kind, &e.Note); err != nil {
			return nil, fmt.Errorf("deadline: load calendar: %w", err)
		}
		if e.Day, err = ParseDate(day); err != nil {
			return nil, fmt.Errorf("deadline: load calendar: %w", err)
		}
		c.days[e.Day] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deadline: load calendar: %w", err)
	}
	return c, nil
}

// DayOff reports whether d is a day off.
func (c *DBCalendar) DayOff(d Date) bool {
	if e, ok := c.days[d]; ok {
		return e.Kind != KindWorkingDay
	}
	return isWeekend(d)
}

// Entries returns the rows of the calendar, by day.
func (c *DBCalendar) Entries() []DayEntry {
	out := make([]DayEntry, 0, len(c.days))
	for _, e := range c.days {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out
}

// AddDayOff adds a row to the calendar, or replaces the row of that day. A
// replaced row loses its note: an administrator who enters a day has checked
// it against the official announcement.
//
// db is a *store.DB or a *store.Tx. A change to the calendar moves the due
// times of running limits: crimesource.Service.SetDayOff makes it and
// moves them in one transaction.
func AddDayOff(ctx context.Context, db execer, day, name, kind string) error {
	d, err := parseDayField(day)
	if err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return errs.Field("name", "Vui lòng nhập tên ngày.")
	case utf8.RuneCountInString(name) > 200:
		return errs.Field("name", "Tên ngày không được dài quá 200 ký tự.")
	}
	switch kind {
	case KindHoliday, KindSubstitute:
	case KindWorkingDay:
		if !isWeekend(d) {
			return errs.Field("kind", "Ngày %s là %s: chỉ thứ Bảy hoặc Chủ nhật mới có thể đánh dấu là ngày làm việc bù.",
				d.display(), weekdayName[d.Weekday()])
		}
	default:
		return errs.Field("kind", "Loại ngày phải là ngày lễ, ngày nghỉ bù hoặc ngày làm việc bù.")
	}
	_, err = db.Exec(ctx, `INSERT INTO days_off (day, name, kind, note) VALUES (?, ?, ?, '')
		ON CONFLICT (day) DO UPDATE SET name = excluded.name, kind = excluded.kind, note = ''`,
		d.String(), name, kind)
	if err != nil {
		return fmt.Errorf("deadline: add day off %s: %w", d, err)
	}
	return nil
}

// RemoveDayOff deletes the calendar row of day. db is a *store.DB or a
// *store.Tx; see AddDayOff.
func RemoveDayOff(ctx context.Context, db execer, day string) error {
	d, err := parseDayField(day)
	if err != nil {
		return err
	}
	res, err := db.Exec(ctx, "DELETE FROM days_off WHERE day = ?", d.String())
	if err != nil {
		return fmt.Errorf("deadline: remove day off %s: %w", d, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("deadline: remove day off %s: %w", d, err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "Ngày %s không có trong lịch ngày nghỉ.", d.display())
	}
	return nil
}

// Reach returns the earliest and the latest due time (both inclusive) of a
// limit that a change to the days off from first to last can move; cal is
// the calendar after the change.
//
// A limit's last day is the first working day on or after its nominal last
// day (Due), so it depends on a day D only when D lies between the two. The
// days from the nominal last day up to the old last day are all days off,
// so a limit moved by a change to D had as last day D itself (D became a
// day off) or the first working day after D (D became a working day). That
// working day is the same on the calendars before and after the change,
// which differ only from first to last.
func Reach(first, last Date, cal Calendar) (from, to time.Time) {
	if cal == nil {
		cal = Weekends
	}
	// An hour limit that moves ends after 00:00 of its last day.
	return first.Start(), nextWorkingDay(last.AddDays(1), cal).AddDays(1).Start()
}

func parseDayField(day string) (Date, error) {
	d, err := ParseDate(strings.TrimSpace(day))
	if err != nil {
		return Date{}, errs.Field("day", "Ngày phải có dạng NNNN-TT-NN và là ngày có thật (ví dụ 2026-04-27).")
	}
	return d, nil
}

// weekdayName gives the Vietnamese name of a day of the week.
var weekdayName = [...]string{
	time.Sunday: "Chủ nhật", time.Monday: "thứ Hai", time.Tuesday: "thứ Ba", time.Wednesday: "thứ Tư",
	time.Thursday: "thứ Năm", time.Friday: "thứ Sáu", time.Saturday: "thứ Bảy",
}
