// Package clock lets code that depends on the time (deadlines, sessions,
// lockouts) be tested with a fixed "now".
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Real is the system clock.
type Real struct{}

func (Real) Now() time.Time { return time.Now() }

// Fixed is a clock that only moves when told to.
type Fixed struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixed returns a clock stopped at t.
func NewFixed(t time.Time) *Fixed { return &Fixed{t: t} }

func (f *Fixed) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Advance moves the clock forward by d.
func (f *Fixed) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// Set moves the clock to t.
func (f *Fixed) Set(t time.Time) {
	f.mu.Lock()
	f.t = t
	f.mu.Unlock()
}

// Vietnam is the time zone in which dates (validity of units, deadlines) are
// reckoned: UTC+7, no daylight saving.
var Vietnam = time.FixedZone("ICT", 7*60*60)

// Today returns the calendar date of now in Vietnam, as YYYY-MM-DD.
func Today(c Clock) string { return c.Now().In(Vietnam).Format("2006-01-02") }
