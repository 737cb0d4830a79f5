package abuse

import (
	"container/list"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"toandan/internal/clock"
)

// MaxKeys is how many keys a Limiter or a Backoff tracks at most. Past it the
// oldest are forgotten, which bounds memory (about 200 bytes a key) whatever
// the flood.
const MaxKeys = 100_000

// KeyFor returns an opaque key for parts (an address, a form name…): the hex
// of HMAC-SHA256(secret, parts) truncated to 16 bytes. Without the secret the
// key cannot be tied back to an address. Each part is length-prefixed, so
// ("ab", "c") and ("a", "bc") give different keys.
func KeyFor(secret []byte, parts ...string) string {
	m := hmac.New(sha256.New, secret)
	var n [binary.MaxVarintLen64]byte
	for _, p := range parts {
		m.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// RetryAfter formats d for a Retry-After header: whole seconds, rounded up,
// at least 1.
func RetryAfter(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10)
}

// Limiter allows at most limit requests per key in each window. A key's
// window opens at its first request and lasts window; requests refused do not
// count. (Fixed windows anchored per key: at most 2·limit can pass in a short
// span straddling two windows, which is fine for flood control and keeps the
// state to one counter a key.)
type Limiter struct {
	limit   int
	window  time.Duration
	clk     clock.Clock
	maxKeys int

	mu    sync.Mutex
	keys  map[string]*list.Element // of *limitEntry
	order *list.List               // by window start, oldest first
}

type limitEntry struct {
	key   string
	start time.Time
	n     int
}

// NewLimiter returns a Limiter of limit requests per window. It panics if
// limit < 1 or window <= 0: such a limiter is a programming error.
func NewLimiter(limit int, window time.Duration, clk clock.Clock) *Limiter {
	if limit < 1 || window <= 0 {
		panic("abuse: NewLimiter needs limit >= 1 and window > 0")
	}
	return &Limiter{
		limit: limit, window: window, clk: clk, maxKeys: MaxKeys,
		keys: map[string]*list.Element{}, order: list.New(),
	}
}

// Allow counts one request for key. When it is over the limit, ok is false
// and retryAfter says when the key's window ends.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.clk.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)

	if el, found := l.keys[key]; found {
		e := el.Value.(*limitEntry)
		if now.Before(e.start.Add(l.window)) {
			if e.n >= l.limit {
				return false, min(e.start.Add(l.window).Sub(now), l.window)
			}
			e.n++
			return true, 0
		}
		// Unreachable after sweep unless the clock went backwards earlier;
		// reopen the window all the same.
		e.start, e.n = now, 1
		l.order.MoveToBack(el)
		return true, 0
	}
	for len(l.keys) >= l.maxKeys {
		l.evictFront()
	}
	l.keys[key] = l.order.PushBack(&limitEntry{key: key, start: now, n: 1})
	return true, 0
}

// Len is how many keys are tracked, for metrics and tests.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// sweep forgets keys whose window has ended. The list is ordered by window
// start, so it stops at the first live one: amortised O(1) per call.
func (l *Limiter) sweep(now time.Time) {
	for el := l.order.Front(); el != nil; el = l.order.Front() {
		if now.Before(el.Value.(*limitEntry).start.Add(l.window)) {
			return
		}
		l.evictFront()
	}
}

func (l *Limiter) evictFront() {
	el := l.order.Front()
	delete(l.keys, el.Value.(*limitEntry).key)
	l.order.Remove(el)
}
