package abuse

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"toandan/internal/clock"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func TestLimiter(t *testing.T) {
	type step struct {
		advance   time.Duration
		key       string
		wantOK    bool
		wantRetry time.Duration
	}
	tests := []struct {
		name  string
		limit int
		steps []step
	}{
		{"allows N then refuses until the window ends", 3, []step{
			{0, "a", true, 0},
			{10 * time.Second, "a", true, 0},
			{10 * time.Second, "a", true, 0},
			{0, "a", false, 40 * time.Second},
			{30 * time.Second, "a", false, 10 * time.Second},
		}},
		{"a new window allows again", 2, []step{
			{0, "a", true, 0},
			{0, "a", true, 0},
			{0, "a", false, time.Minute},
			{time.Minute, "a", true, 0},
			{0, "a", true, 0},
			{0, "a", false, time.Minute},
		}},
		{"refused requests do not extend the window", 1, []step{
			{0, "a", true, 0},
			{50 * time.Second, "a", false, 10 * time.Second},
			{9 * time.Second, "a", false, time.Second},
			{time.Second, "a", true, 0},
		}},
		{"keys are independent", 1, []step{
			{0, "a", true, 0},
			{0, "a", false, time.Minute},
			{0, "b", true, 0},
			{0, "b", false, time.Minute},
			{30 * time.Second, "c", true, 0},
			{0, "a", false, 30 * time.Second},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFixed(t0)
			l := NewLimiter(tt.limit, time.Minute, clk)
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				ok, retry := l.Allow(s.key)
				if ok != s.wantOK || retry != s.wantRetry {
					t.Fatalf("step %d: Allow(%q) = %v, %v; want %v, %v", i, s.key, ok, retry, s.wantOK, s.wantRetry)
				}
			}
		})
	}
}

func TestLimiterForgetsExpiredKeys(t *testing.T) {
	clk := clock.NewFixed(t0)
	l := NewLimiter(5, time.Minute, clk)
	for i := range 1000 {
		l.Allow(strconv.Itoa(i))
	}
	if n := l.Len(); n != 1000 {
		t.Fatalf("Len = %d, want 1000", n)
	}
	clk.Advance(time.Minute)
	l.Allow("late")
	if n := l.Len(); n != 1 {
		t.Fatalf("after the window, Len = %d, want 1", n)
	}
}

func TestLimiterCapEvictsOldest(t *testing.T) {
	clk := clock.NewFixed(t0)
	l := NewLimiter(1, time.Hour, clk)
	const n = 2 * MaxKeys
	for i := range n {
		if i%1000 == 0 {
			clk.Advance(time.Millisecond) // keep the order by age meaningful
		}
		if ok, _ := l.Allow(strconv.Itoa(i)); !ok {
			t.Fatalf("first Allow(%d) refused", i)
		}
	}
	if got := l.Len(); got != MaxKeys {
		t.Fatalf("Len = %d, want %d", got, MaxKeys)
	}
	// The newest keys are still counted; the oldest were forgotten.
	if ok, _ := l.Allow(strconv.Itoa(n - 1)); ok {
		t.Error("newest key allowed twice in its window")
	}
	if ok, _ := l.Allow("0"); !ok {
		t.Error("oldest key still tracked past the cap")
	}
	if got := l.Len(); got > MaxKeys {
		t.Errorf("Len = %d, over the cap", got)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	clk := clock.NewFixed(t0)
	l := NewLimiter(500, time.Minute, clk)
	var allowed [4]atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for range 400 {
				key := g % 4
				if ok, _ := l.Allow(strconv.Itoa(key)); ok {
					allowed[key].Add(1)
				}
			}
		})
	}
	wg.Wait()
	for k := range allowed {
		if got := allowed[k].Load(); got != 500 {
			t.Errorf("key %d: %d allowed of 1600, want 500", k, got)
		}
	}
}

func TestKeyFor(t *testing.T) {
	a := KeyFor([]byte("secret"), "report", "203.0.113.7")
	if len(a) != 32 {
		t.Fatalf("KeyFor length %d, want 32 hex chars", len(a))
	}
	for _, tt := range []struct {
		name   string
		secret string
		parts  []string
	}{
		{"other secret", "secret2", []string{"report", "203.0.113.7"}},
		{"other address", "secret", []string{"report", "203.0.113.8"}},
		{"parts not concatenated", "secret", []string{"repor", "t203.0.113.7"}},
	} {
		if b := KeyFor([]byte(tt.secret), tt.parts...); b == a {
			t.Errorf("%s: same key %s", tt.name, b)
		}
	}
	if b := KeyFor([]byte("secret"), "report", "203.0.113.7"); b != a {
		t.Errorf("KeyFor not deterministic: %s vs %s", a, b)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "1"},
		{time.Millisecond, "1"},
		{time.Second, "1"},
		{time.Second + time.Nanosecond, "2"},
		{90 * time.Second, "90"},
	} {
		if got := RetryAfter(tt.d); got != tt.want {
			t.Errorf("RetryAfter(%v) = %s, want %s", tt.d, got, tt.want)
		}
	}
}
