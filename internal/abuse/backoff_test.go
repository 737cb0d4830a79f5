package abuse

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"toandan/internal/clock"
)

func TestBackoffEscalates(t *testing.T) {
	clk := clock.NewFixed(t0)
	b := NewBackoff(clk, time.Second, 10*time.Second, time.Hour)
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	if w := b.Check("k"); w != 0 {
		t.Fatalf("fresh key: Check = %v, want 0", w)
	}
	for i, w := range want {
		b.Fail("k")
		if got := b.Check("k"); got != w {
			t.Fatalf("after failure %d: Check = %v, want %v", i+1, got, w)
		}
		clk.Advance(w / 2)
		if got := b.Check("k"); got != w-w/2 {
			t.Fatalf("half-way after failure %d: Check = %v, want %v", i+1, got, w-w/2)
		}
		clk.Advance(w - w/2)
		if got := b.Check("k"); got != 0 {
			t.Fatalf("wait %d over: Check = %v, want 0", i+1, got)
		}
	}
	if got := b.Check("other"); got != 0 {
		t.Errorf("other key: Check = %v, want 0", got)
	}
	b.Succeed("k")
	b.Fail("k")
	if got := b.Check("k"); got != time.Second {
		t.Errorf("after Succeed then Fail: Check = %v, want base again", got)
	}
}

func TestBackoffHugeCounts(t *testing.T) {
	clk := clock.NewFixed(t0)
	b := NewBackoff(clk, time.Nanosecond, time.Duration(1<<62), time.Duration(1<<62))
	for range 200 {
		b.Fail("k")
	}
	if got := b.Check("k"); got != time.Duration(1<<62) {
		t.Fatalf("Check = %v, want the cap", got)
	}
}

// lookup is how a receipt-code page uses Backoff.
func lookup(b *Backoff, key, code string) string {
	if b.Reserve(key) > 0 {
		return "wait"
	}
	if code != "RIGHT" {
		b.Fail(key)
		return "wrong"
	}
	b.Succeed(key)
	return "found"
}

func TestBackoffRightCodeAfterWait(t *testing.T) {
	type step struct {
		advance time.Duration
		code    string
		want    string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"right code at once", []step{{0, "RIGHT", "found"}, {0, "RIGHT", "found"}}},
		{"right code refused during the wait, accepted after", []step{
			{0, "bad1", "wrong"}, // wait 1s
			{500 * time.Millisecond, "RIGHT", "wait"},
			{500 * time.Millisecond, "bad2", "wrong"}, // wait 2s
			{time.Second, "bad3", "wait"},
			{time.Second, "bad3", "wrong"}, // wait 4s
			{3 * time.Second, "RIGHT", "wait"},
			{time.Second, "RIGHT", "found"},
			{0, "bad4", "wrong"}, // cleared: back to 1s
			{time.Second, "RIGHT", "found"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFixed(t0)
			b := NewBackoff(clk, time.Second, time.Minute, time.Hour)
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				if got := lookup(b, "receipt", s.code); got != s.want {
					t.Fatalf("step %d (%s): %s, want %s", i, s.code, got, s.want)
				}
			}
		})
	}
}

func TestBackoffForgets(t *testing.T) {
	clk := clock.NewFixed(t0)
	b := NewBackoff(clk, time.Second, time.Minute, 10*time.Minute)
	for range 5 {
		b.Fail("k") // 16s wait, 5 failures on record
	}
	clk.Advance(10*time.Minute - time.Second)
	b.Fail("k") // within forgetAfter: escalates to 32s
	if got := b.Check("k"); got != 32*time.Second {
		t.Fatalf("Check = %v, want 32s", got)
	}
	clk.Advance(10 * time.Minute)
	if got := b.Check("k"); got != 0 {
		t.Fatalf("after forgetAfter: Check = %v, want 0", got)
	}
	if n := b.Len(); n != 0 {
		t.Fatalf("after forgetAfter: Len = %d, want 0", n)
	}
	b.Fail("k")
	if got := b.Check("k"); got != time.Second {
		t.Fatalf("after forgetting, first failure waits %v, want base", got)
	}
}

func TestBackoffCap(t *testing.T) {
	clk := clock.NewFixed(t0)
	b := NewBackoff(clk, time.Second, time.Minute, time.Hour)
	for i := range MaxKeys + 10 {
		b.Fail(strconv.Itoa(i))
	}
	if n := b.Len(); n != MaxKeys {
		t.Fatalf("Len = %d, want %d", n, MaxKeys)
	}
}

func TestBackoffReserveIsAtomic(t *testing.T) {
	clk := clock.NewFixed(t0)
	b := NewBackoff(clk, time.Second, time.Minute, time.Hour)
	b.Fail("k")
	clk.Advance(time.Second) // the wait is over: one attempt may go
	// All attempts arrive before any is settled, as in a burst.
	var passed atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			if b.Reserve("k") == 0 {
				passed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := passed.Load(); got != 1 {
		t.Fatalf("%d attempts passed at once, want 1", got)
	}
	if got := b.Check("k"); got != 2*time.Second {
		t.Fatalf("while held: Check = %v, want 2s", got)
	}
	b.Fail("k")
	if got := b.Check("k"); got != 2*time.Second {
		t.Fatalf("after the held attempt failed: Check = %v, want 2s", got)
	}
}

func TestNewBackoffRejectsBadConfig(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("forgetAfter < max accepted")
		}
	}()
	NewBackoff(clock.NewFixed(t0), time.Second, time.Minute, time.Second)
}
