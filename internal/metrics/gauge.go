package metrics

import (
	"bytes"
	"math"
	"sync/atomic"
)

// Gauge is a value that can go up and down. It is safe for concurrent use.
type Gauge struct {
	bits atomic.Uint64 // math.Float64bits of the current value
}

// Set sets the gauge to v.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// Inc increments the gauge by 1.
func (g *Gauge) Inc() { addFloat(&g.bits, 1) }

// Dec decrements the gauge by 1.
func (g *Gauge) Dec() { addFloat(&g.bits, -1) }

// Add adds v, which may be negative, to the gauge.
func (g *Gauge) Add(v float64) { addFloat(&g.bits, v) }

// Value returns the current value of the gauge.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

// GaugeVec is a gauge family partitioned by label values.
type GaugeVec struct {
	v *vec[Gauge]
}

// Gauge registers a gauge family with the given name, help text and label
// names. It panics if the name or a label name is invalid, or if the name is
// already registered. Without label names the family has a single series,
// obtained with WithLabelValues().
func (r *Registry) Gauge(name, help string, labelNames ...string) *GaugeVec {
	gv := &GaugeVec{v: newVec(name, help, labelNames, func() *Gauge { return new(Gauge) })}
	r.register(gv, name)
	return gv
}

// WithLabelValues returns the gauge for the given label values, in the order
// of the label names given at registration, creating it on first use. It
// panics if the number of values is wrong.
func (gv *GaugeVec) WithLabelValues(vals ...string) *Gauge { return gv.v.with(vals) }

func (gv *GaugeVec) meta() (string, string, string) { return gv.v.name, gv.v.help, typeGauge }

func (gv *GaugeVec) writeSamples(b *bytes.Buffer) {
	for _, s := range gv.v.sorted() {
		writeSample(b, gv.v.name, gv.v.labelNames, s.values, "", "", s.metric.Value())
	}
}

// gaugeFunc is an unlabelled gauge whose value is computed at scrape time.
type gaugeFunc struct {
	name, help string
	fn         func() float64
}

// GaugeFunc registers an unlabelled gauge whose value is obtained by calling
// fn each time the registry is written. fn must be safe for concurrent use.
// It panics if the name is invalid or already registered, or if fn is nil.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	if fn == nil {
		panic("metrics: GaugeFunc " + name + ": nil function")
	}
	r.register(&gaugeFunc{name: name, help: help, fn: fn}, name)
}

func (g *gaugeFunc) meta() (string, string, string) { return g.name, g.help, typeGauge }

func (g *gaugeFunc) writeSamples(b *bytes.Buffer) {
	writeSample(b, g.name, nil, nil, "", "", g.fn())
}
