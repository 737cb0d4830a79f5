package metrics

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// series is one labelled child of a vec.
type series[M any] struct {
	values []string
	metric *M
}

// vec is the label-handling core shared by counters, gauges and histograms.
type vec[M any] struct {
	name, help string
	labelNames []string
	newMetric  func() *M

	mu     sync.RWMutex
	series map[string]*series[M]
}

func newVec[M any](name, help string, labelNames []string, newMetric func() *M) *vec[M] {
	seen := make(map[string]bool, len(labelNames))
	for _, ln := range labelNames {
		if !validLabelName(ln) {
			panic(fmt.Sprintf("metrics: metric %q: invalid label name %q", name, ln))
		}
		if seen[ln] {
			panic(fmt.Sprintf("metrics: metric %q: duplicate label name %q", name, ln))
		}
		seen[ln] = true
	}
	v := &vec[M]{
		name:       name,
		help:       help,
		labelNames: slices.Clone(labelNames),
		newMetric:  newMetric,
		series:     make(map[string]*series[M]),
	}
	if len(labelNames) == 0 {
		// An unlabelled metric has exactly one series; create it now so it
		// is exposed (with its zero value) from the start.
		v.with(nil)
	}
	return v
}

// with returns the series for the given label values, creating it if
// needed. It panics if the number of values does not match the number of
// label names. Invalid UTF-8 in values is replaced with U+FFFD, which also
// guarantees that the 0xff key separator cannot occur inside a value.
func (v *vec[M]) with(values []string) *M {
	if len(values) != len(v.labelNames) {
		panic(fmt.Sprintf("metrics: metric %q: got %d label values, want %d (%v)",
			v.name, len(values), len(v.labelNames), v.labelNames))
	}
	sanitized, cloned := values, false
	for i, val := range values {
		if !utf8.ValidString(val) {
			if !cloned {
				sanitized, cloned = slices.Clone(values), true
			}
			sanitized[i] = strings.ToValidUTF8(val, "\uFFFD")
		}
	}
	key := strings.Join(sanitized, "\xff")

	v.mu.RLock()
	s, ok := v.series[key]
	v.mu.RUnlock()
	if ok {
		return s.metric
	}

	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.series[key]; ok {
		return s.metric
	}
	s = &series[M]{values: slices.Clone(sanitized), metric: v.newMetric()}
	v.series[key] = s
	return s.metric
}

// sorted returns a snapshot of all series sorted by label values.
func (v *vec[M]) sorted() []*series[M] {
	v.mu.RLock()
	out := make([]*series[M], 0, len(v.series))
	for _, s := range v.series {
		out = append(out, s)
	}
	v.mu.RUnlock()
	slices.SortFunc(out, func(a, b *series[M]) int { return slices.Compare(a.values, b.values) })
	return out
}
