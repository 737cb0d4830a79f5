package web

import (
	"net"
	"net/http"
	"sync"
	"time"

	"toandan/internal/clock"
)

// limiter counts events per key in fixed windows. It guards the login form
// per client address, in front of the per-account lockout kept in the
// database.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	clock  clock.Clock
	counts map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(max int, per time.Duration, c clock.Clock) *limiter {
	return &limiter{max: max, window: per, clock: c, counts: map[string]*window{}}
}

// Allow records one event for key and reports whether it is within the limit.
func (l *limiter) Allow(key string) bool {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) > 10000 {
		for k, w := range l.counts {
			if now.Sub(w.start) >= l.window {
				delete(l.counts, k)
			}
		}
	}
	w, ok := l.counts[key]
	if !ok || now.Sub(w.start) >= l.window {
		l.counts[key] = &window{start: now, n: 1}
		return true
	}
	w.n++
	return w.n <= l.max
}

// clientIP is the peer address of the request.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
