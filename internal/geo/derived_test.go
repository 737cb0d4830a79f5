package geo_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/geo"
)

// A derived value is computed once for concurrent callers, kept for a
// minute, and computed again after a change of the geography (an import
// invalidates it) or after the minute.
func TestDerived(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFixed(time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC))
	s := &geo.Service{Clock: clk}
	var loads atomic.Int32
	load := func(context.Context) (any, error) {
		n := loads.Add(1)
		time.Sleep(10 * time.Millisecond)
		return int(n), nil
	}
	get := func() int {
		t.Helper()
		v, err := s.Derived(ctx, "k", load)
		if err != nil {
			t.Fatal(err)
		}
		return v.(int)
	}
	var wg sync.WaitGroup
	got := make([]int, 8)
	for i := range got {
		wg.Go(func() { v, _ := s.Derived(ctx, "k", load); got[i] = v.(int) })
	}
	wg.Wait()
	for _, v := range got {
		if v != 1 {
			t.Fatalf("concurrent callers got %v, want all the first computation", got)
		}
	}
	clk.Advance(59 * time.Second)
	if v := get(); v != 1 {
		t.Errorf("after 59 s: computation %d, want the kept one", v)
	}
	s.InvalidatePlaces()
	if v := get(); v != 2 {
		t.Errorf("after an invalidation: computation %d, want a new one", v)
	}
	clk.Advance(time.Minute)
	if v := get(); v != 3 {
		t.Errorf("after a minute: computation %d, want a new one", v)
	}
	// A failure is not kept.
	boom := errors.New("boom")
	if _, err := s.Derived(ctx, "e", func(context.Context) (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failing load: %v", err)
	}
	if v, err := s.Derived(ctx, "e", load); err != nil || v.(int) != 4 {
		t.Errorf("after a failure: %v, %v; want a new computation", v, err)
	}
}
