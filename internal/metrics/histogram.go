package metrics

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
)

// DefBuckets are the default histogram buckets, suited to request latencies
// measured in seconds. They are used when Histogram is given no buckets.
// Treat the slice as read-only; Histogram copies the buckets it is given.
var DefBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Histogram counts observations in configurable buckets and tracks their sum
// and count. It is safe for concurrent use.
type Histogram struct {
	upper []float64 // shared, read-only bucket upper bounds without +Inf

	mu     sync.Mutex
	counts []uint64 // non-cumulative; counts[len(upper)] is the +Inf bucket
	sum    float64
	count  uint64
}

// Observe records v. It is counted in every bucket whose upper bound is
// greater than or equal to v.
func (h *Histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.upper, v) // first bound >= v, or len(upper)
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.count++
	h.mu.Unlock()
}

// snapshot returns cumulative bucket counts (the last one being +Inf), the
// sum and the count, taken consistently.
func (h *Histogram) snapshot() (cumulative []uint64, sum float64, count uint64) {
	cumulative = make([]uint64, len(h.counts))
	h.mu.Lock()
	var acc uint64
	for i, c := range h.counts {
		acc += c
		cumulative[i] = acc
	}
	sum, count = h.sum, h.count
	h.mu.Unlock()
	return cumulative, sum, count
}

// HistogramVec is a histogram family partitioned by label values.
type HistogramVec struct {
	v *vec[Histogram]
}

// Histogram registers a histogram family with the given name, help text,
// bucket upper bounds and label names. Buckets must be strictly increasing
// and not NaN; a trailing +Inf is optional (it is always exposed), and nil or
// empty buckets mean [DefBuckets]. It panics on invalid buckets, on an
// invalid name or label name, on the reserved label name "le", and if the
// name or one of its _bucket, _sum and _count sample names is already
// registered.
func (r *Registry) Histogram(name, help string, buckets []float64, labelNames ...string) *HistogramVec {
	upper := checkBuckets(name, buckets)
	if slices.Contains(labelNames, "le") {
		panic(fmt.Sprintf("metrics: histogram %q: label name \"le\" is reserved", name))
	}
	hv := &HistogramVec{v: newVec(name, help, labelNames, func() *Histogram {
		return &Histogram{upper: upper, counts: make([]uint64, len(upper)+1)}
	})}
	r.register(hv, name, name+"_bucket", name+"_sum", name+"_count")
	return hv
}

// checkBuckets validates buckets and returns a private copy without a
// trailing +Inf.
func checkBuckets(name string, buckets []float64) []float64 {
	if len(buckets) == 0 {
		buckets = DefBuckets
	}
	upper := slices.Clone(buckets)
	if math.IsInf(upper[len(upper)-1], +1) {
		upper = upper[:len(upper)-1]
	}
	for i, b := range upper {
		if math.IsNaN(b) || math.IsInf(b, +1) {
			panic(fmt.Sprintf("metrics: histogram %q: invalid bucket bound %v", name, b))
		}
		if i > 0 && b <= upper[i-1] {
			panic(fmt.Sprintf("metrics: histogram %q: buckets must be strictly increasing, got %v", name, buckets))
		}
	}
	return upper
}

// WithLabelValues returns the histogram for the given label values, in the
// order of the label names given at registration, creating it on first use.
// It panics if the number of values is wrong.
func (hv *HistogramVec) WithLabelValues(vals ...string) *Histogram { return hv.v.with(vals) }

func (hv *HistogramVec) meta() (string, string, string) {
	return hv.v.name, hv.v.help, typeHistogram
}

func (hv *HistogramVec) writeSamples(b *bytes.Buffer) {
	name, labelNames := hv.v.name, hv.v.labelNames
	for _, s := range hv.v.sorted() {
		h := s.metric
		cumulative, sum, count := h.snapshot()
		for i, c := range cumulative {
			le := math.Inf(+1)
			if i < len(h.upper) {
				le = h.upper[i]
			}
			writeSample(b, name+"_bucket", labelNames, s.values, "le", formatFloat(le), float64(c))
		}
		writeSample(b, name+"_sum", labelNames, s.values, "", "", sum)
		writeSample(b, name+"_count", labelNames, s.values, "", "", float64(count))
	}
}
