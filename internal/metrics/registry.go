package metrics

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentType is the Content-Type of the Prometheus text exposition format
// produced by [Registry.WriteTo] and served by [Registry.Handler].
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Metric types as spelled on "# TYPE" lines.
const (
	typeCounter   = "counter"
	typeGauge     = "gauge"
	typeHistogram = "histogram"
)

// family is a registered metric family: one name, help text and type, and
// any number of series.
type family interface {
	// meta returns the family name, help text and type.
	meta() (name, help, typ string)
	// writeSamples appends the sample lines of all series, sorted by label
	// values, to b.
	writeSamples(b *bytes.Buffer)
}

// Registry holds a set of metric families and renders them in the
// Prometheus text format. The zero value is not usable; create one with
// [New]. A Registry must not be copied after first use.
type Registry struct {
	mu       sync.Mutex
	families map[string]family
	// taken maps every sample name a family may emit (for histograms this
	// includes the _bucket, _sum and _count suffixes) to the family name,
	// so that two families can never produce clashing sample lines.
	taken   map[string]string
	created time.Time

	httpOnce    sync.Once
	httpMetrics *httpMetrics

	collectors []func(context.Context)
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{
		families: make(map[string]family),
		taken:    make(map[string]string),
		created:  time.Now(),
	}
}

// register adds f to the registry. It panics if the name is invalid or any
// of the sample names f emits is already in use.
func (r *Registry) register(f family, sampleNames ...string) {
	name, _, _ := f.meta()
	if !validMetricName(name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range sampleNames {
		if owner, ok := r.taken[s]; ok {
			if owner == name {
				panic(fmt.Sprintf("metrics: metric %q registered twice", name))
			}
			panic(fmt.Sprintf("metrics: metric %q conflicts with registered metric %q", name, owner))
		}
	}
	for _, s := range sampleNames {
		r.taken[s] = name
	}
	r.families[name] = f
}

// Collect registers fn to run at the start of every scrape, before any
// family is written. It lets gauges whose values live outside the process
// (e.g. in a database several processes share) be set by one query per
// scrape rather than one per gauge. fn gets the scrape request's context
// (context.Background for WriteTo) and must be safe for concurrent use.
func (r *Registry) Collect(fn func(ctx context.Context)) {
	if fn == nil {
		panic("metrics: Collect: nil function")
	}
	r.mu.Lock()
	r.collectors = append(r.collectors, fn)
	r.mu.Unlock()
}

// WriteTo writes all registered metrics to w in the Prometheus text
// exposition format (version 0.0.4). Families are sorted by name and series
// by label values. Collectors and gauge functions run during the call.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	r.render(context.Background(), &b)
	return b.WriteTo(w)
}

// Handler returns an HTTP handler that serves the registry in the
// Prometheus text exposition format.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var b bytes.Buffer
		r.render(req.Context(), &b)
		h := w.Header()
		h.Set("Content-Type", ContentType)
		h.Set("Content-Length", strconv.Itoa(b.Len()))
		_, _ = b.WriteTo(w)
	})
}

// render runs the collectors, then appends the exposition of all families
// to b.
func (r *Registry) render(ctx context.Context, b *bytes.Buffer) {
	r.mu.Lock()
	collectors := slices.Clone(r.collectors)
	r.mu.Unlock()
	// Outside the lock, like gauge functions: collectors set metrics of
	// this registry.
	for _, fn := range collectors {
		fn(ctx)
	}
	r.mu.Lock()
	fams := make([]family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()

	// Sort and write outside the registry lock: gauge functions run user
	// code and must be free to use the registry.
	slices.SortFunc(fams, func(a, b family) int {
		an, _, _ := a.meta()
		bn, _, _ := b.meta()
		return strings.Compare(an, bn)
	})
	for _, f := range fams {
		name, help, typ := f.meta()
		var samples bytes.Buffer
		f.writeSamples(&samples)
		if samples.Len() == 0 {
			// A labelled family without any series yet; like the
			// official client, omit it entirely.
			continue
		}
		if help != "" {
			b.WriteString("# HELP ")
			b.WriteString(name)
			b.WriteByte(' ')
			b.WriteString(escapeHelp(help))
			b.WriteByte('\n')
		}
		b.WriteString("# TYPE ")
		b.WriteString(name)
		b.WriteByte(' ')
		b.WriteString(typ)
		b.WriteByte('\n')
		_, _ = samples.WriteTo(b)
	}
}

// writeSample appends one sample line. If extraName is not empty, the label
// extraName="extraValue" is appended after the regular labels (used for the
// histogram "le" label).
func writeSample(b *bytes.Buffer, name string, labelNames, labelValues []string, extraName, extraValue string, v float64) {
	b.WriteString(name)
	if len(labelNames) > 0 || extraName != "" {
		b.WriteByte('{')
		for i, ln := range labelNames {
			if i > 0 {
				b.WriteByte(',')
			}
			writeLabel(b, ln, labelValues[i])
		}
		if extraName != "" {
			if len(labelNames) > 0 {
				b.WriteByte(',')
			}
			writeLabel(b, extraName, extraValue)
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(formatFloat(v))
	b.WriteByte('\n')
}

func writeLabel(b *bytes.Buffer, name, value string) {
	b.WriteString(name)
	b.WriteString(`="`)
	b.WriteString(escapeLabelValue(value))
	b.WriteByte('"')
}

// escapeHelp escapes backslashes and newlines in a HELP text.
func escapeHelp(s string) string { return escape(s, false) }

// escapeLabelValue escapes backslashes, double quotes and newlines in a
// label value.
func escapeLabelValue(s string) string { return escape(s, true) }

func escape(s string, quote bool) string {
	if !strings.ContainsAny(s, "\\\n\"") {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '"' && quote:
			sb.WriteString(`\"`)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// formatFloat formats v the way Prometheus does.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, +1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	default:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
}

// validMetricName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]*.
func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' ||
			i > 0 && c >= '0' && c <= '9'
		if !ok {
			return false
		}
	}
	return true
}

// validLabelName reports whether s matches [a-zA-Z_][a-zA-Z0-9_]* and does
// not start with the reserved prefix "__".
func validLabelName(s string) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for i, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' ||
			i > 0 && c >= '0' && c <= '9'
		if !ok {
			return false
		}
	}
	return true
}
