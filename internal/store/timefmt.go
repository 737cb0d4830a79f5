package store

import (
	"fmt"
	"time"
)

// Times are stored as fixed-width UTC text on both engines, so that they sort
// and compare as strings and a month is a prefix (substr(at, 1, 7)).
const timeLayout = "2006-01-02T15:04:05.000000Z"

// DateLayout is how calendar dates (validity of units, holidays) are stored.
const DateLayout = "2006-01-02"

// FormatTime renders t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// ParseTime reads a stored time.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: bad stored time %q: %w", s, err)
	}
	return t, nil
}

// FormatDate renders the calendar date of t (in t's own location).
func FormatDate(t time.Time) string { return t.Format(DateLayout) }
