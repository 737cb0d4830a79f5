package metrics

import (
	"bytes"
	"fmt"
	"math"
	"sync/atomic"
)

// Counter is a monotonically increasing value. It is safe for concurrent
// use.
type Counter struct {
	bits atomic.Uint64 // math.Float64bits of the current value
}

// Inc increments the counter by 1.
func (c *Counter) Inc() { c.Add(1) }

// Add adds v to the counter. It panics if v is negative or NaN.
func (c *Counter) Add(v float64) {
	if v < 0 || math.IsNaN(v) {
		panic(fmt.Sprintf("metrics: counter cannot be increased by %v", v))
	}
	addFloat(&c.bits, v)
}

// Value returns the current value of the counter.
func (c *Counter) Value() float64 { return math.Float64frombits(c.bits.Load()) }

// CounterVec is a counter family partitioned by label values.
type CounterVec struct {
	v *vec[Counter]
}

// Counter registers a counter family with the given name, help text and
// label names. It panics if the name or a label name is invalid, or if the
// name is already registered. Without label names the family has a single
// series, obtained with WithLabelValues().
func (r *Registry) Counter(name, help string, labelNames ...string) *CounterVec {
	cv := &CounterVec{v: newVec(name, help, labelNames, func() *Counter { return new(Counter) })}
	r.register(cv, name)
	return cv
}

// WithLabelValues returns the counter for the given label values, in the
// order of the label names given at registration, creating it on first use.
// It panics if the number of values is wrong.
func (cv *CounterVec) WithLabelValues(vals ...string) *Counter { return cv.v.with(vals) }

func (cv *CounterVec) meta() (string, string, string) { return cv.v.name, cv.v.help, typeCounter }

func (cv *CounterVec) writeSamples(b *bytes.Buffer) {
	for _, s := range cv.v.sorted() {
		writeSample(b, cv.v.name, cv.v.labelNames, s.values, "", "", s.metric.Value())
	}
}

// addFloat atomically adds delta to the float64 stored as bits in u.
func addFloat(u *atomic.Uint64, delta float64) {
	for {
		old := u.Load()
		next := math.Float64bits(math.Float64frombits(old) + delta)
		if u.CompareAndSwap(old, next) {
			return
		}
	}
}
