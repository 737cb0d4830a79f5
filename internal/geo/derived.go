package geo

import (
	"context"
	"sync"
	"time"
)

// maxDerived bounds how many derived values are kept at once.
const maxDerived = 8

// derivedCache keeps values computed from the geography tables alone (units,
// lineage, police units), as the place cache keeps places: for placeTTL, and
// dropped by InvalidatePlaces, which every change of those tables through
// this package calls.
type derivedCache struct {
	mu     sync.Mutex
	values map[string]*derivedValue
}

type derivedValue struct {
	ready chan struct{} // closed once computed
	at    time.Time     // when the computation began, by the service's clock
	v     any
	err   error
}

// Derived returns the value kept under key, computing it with load when it
// is missing, older than placeTTL or invalidated since. load must read
// nothing but the geography tables, and the value must not be changed by
// anyone once returned. One caller computes; the others wait for it.
func (s *Service) Derived(ctx context.Context, key string, load func(ctx context.Context) (any, error)) (any, error) {
	now := s.Clock.Now()
	c := &s.derived
	c.mu.Lock()
	dv := c.values[key]
	if dv != nil {
		select {
		case <-dv.ready:
			if age := now.Sub(dv.at); dv.err != nil || age < 0 || age >= placeTTL {
				dv = nil
			}
		default: // being computed
		}
	}
	if dv == nil {
		dv = &derivedValue{ready: make(chan struct{}), at: now}
		if c.values == nil || len(c.values) >= maxDerived {
			c.values = map[string]*derivedValue{}
		}
		c.values[key] = dv
		c.mu.Unlock()
		// Computed without the caller's deadline: others wait for it.
		dv.v, dv.err = load(context.WithoutCancel(ctx))
		close(dv.ready)
		return dv.v, dv.err
	}
	c.mu.Unlock()
	select {
	case <-dv.ready:
		return dv.v, dv.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
