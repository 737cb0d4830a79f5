package abuse

import (
	"container/list"
	"sync"
	"time"

	"toandan/internal/clock"
)

// Backoff makes each failure for a key cost a longer wait: base after the
// first, then 2·base, 4·base… up to max. It guards guesses such as receipt
// codes. During the wait every attempt is refused, even one with the right
// code, so guessing gains nothing from speed; once the wait is over the right
// code works again. A key with no failure for forgetAfter is forgotten.
//
// Use, per attempt:
//
//	if wait := b.Reserve(key); wait > 0 {
//		// refuse, whatever the code; say when to retry
//	}
//	if right { b.Succeed(key) } else { b.Fail(key) }
//
// Check is the same test without holding the key, for showing the wait.
type Backoff struct {
	clk         clock.Clock
	base, max   time.Duration
	forgetAfter time.Duration
	maxKeys     int

	mu    sync.Mutex
	keys  map[string]*list.Element // of *backoffEntry
	order *list.List               // by last touched, oldest first
}

type backoffEntry struct {
	key   string
	fails int
	last  time.Time // last failure or reservation
	until time.Time // no attempt accepted before this
}

// NewBackoff returns a Backoff. It panics unless 0 < base <= max <=
// forgetAfter: forgetting a key while it must still wait would undo the wait.
func NewBackoff(clk clock.Clock, base, max, forgetAfter time.Duration) *Backoff {
	if base <= 0 || max < base || forgetAfter < max {
		panic("abuse: NewBackoff needs 0 < base <= max <= forgetAfter")
	}
	return &Backoff{
		clk: clk, base: base, max: max, forgetAfter: forgetAfter, maxKeys: MaxKeys,
		keys: map[string]*list.Element{}, order: list.New(),
	}
}

// Check returns how long key must still wait before an attempt is accepted;
// 0 means go.
func (b *Backoff) Check(key string) (wait time.Duration) {
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweep(now)
	if el, ok := b.keys[key]; ok {
		return max(el.Value.(*backoffEntry).until.Sub(now), 0)
	}
	return 0
}

// Reserve is Check, and when it returns 0 it also holds key as if this
// attempt had failed, until Fail or Succeed settles it. Check then Fail is not
// atomic: many attempts sent at once could all pass Check the moment a wait
// ends. With Reserve exactly one passes.
func (b *Backoff) Reserve(key string) (wait time.Duration) {
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweep(now)
	el, ok := b.keys[key]
	if !ok {
		el = b.insert(key)
	}
	e := el.Value.(*backoffEntry)
	if w := e.until.Sub(now); w > 0 {
		return w
	}
	e.last, e.until = now, now.Add(b.wait(e.fails+1))
	b.order.MoveToBack(el)
	return 0
}

// Fail records a failed attempt: key must wait base, then twice as long
// after each further failure, at most max. Attempts refused by Check or
// Reserve are not failures and must not be reported.
func (b *Backoff) Fail(key string) {
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweep(now)
	el, ok := b.keys[key]
	if !ok {
		el = b.insert(key)
	}
	e := el.Value.(*backoffEntry)
	if b.wait(e.fails) < b.max {
		e.fails++
	}
	e.last, e.until = now, now.Add(b.wait(e.fails))
	b.order.MoveToBack(el)
}

// Succeed clears key: the next attempt is accepted at once.
func (b *Backoff) Succeed(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if el, ok := b.keys[key]; ok {
		b.remove(el)
	}
}

// Len is how many keys are tracked, for metrics and tests.
func (b *Backoff) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.keys)
}

// wait is the wait after n failures: 0, base, 2·base, 4·base… capped at max.
func (b *Backoff) wait(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	d := b.base
	for i := 1; i < n && d < b.max; i++ {
		if d > b.max/2 {
			return b.max
		}
		d *= 2
	}
	return min(d, b.max)
}

func (b *Backoff) insert(key string) *list.Element {
	for len(b.keys) >= b.maxKeys {
		b.remove(b.order.Front())
	}
	el := b.order.PushBack(&backoffEntry{key: key})
	b.keys[key] = el
	return el
}

// sweep forgets keys untouched for forgetAfter. Since forgetAfter >= max, such
// a key has no wait left. The list is ordered by last touch, so it stops at
// the first live one.
func (b *Backoff) sweep(now time.Time) {
	for el := b.order.Front(); el != nil; el = b.order.Front() {
		if now.Sub(el.Value.(*backoffEntry).last) < b.forgetAfter {
			return
		}
		b.remove(el)
	}
}

func (b *Backoff) remove(el *list.Element) {
	delete(b.keys, el.Value.(*backoffEntry).key)
	b.order.Remove(el)
}
