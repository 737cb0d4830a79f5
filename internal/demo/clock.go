package demo

import (
	"sync"
	"time"

	"toandan/internal/clock"
)

// Mover is a clock Seed can move through the history it writes: a *Clock, or
// a *clock.Fixed in tests.
type Mover interface {
	clock.Clock
	Set(t time.Time)
}

// Clock is the clock a demo's services share. It stands still at the time
// Seed sets while the history is written, and follows the system clock once
// UseReal is called, so that one set of services seeds the past and then
// serves the present.
type Clock struct {
	mu    sync.Mutex
	fixed bool
	t     time.Time
}

var _ Mover = (*Clock)(nil)

// NewClock returns a clock that follows the system clock until Set.
func NewClock() *Clock { return &Clock{} }

// Now is the time set last, or the system time after UseReal.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed {
		return c.t
	}
	return time.Now()
}

// Set stops the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.fixed, c.t = true, t
	c.mu.Unlock()
}

// UseReal makes the clock follow the system clock again.
func (c *Clock) UseReal() {
	c.mu.Lock()
	c.fixed = false
	c.mu.Unlock()
}
