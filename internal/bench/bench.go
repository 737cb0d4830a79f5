// Package bench measures the system against its performance targets: it
// builds its own temporary data, runs each scenario for a bounded time and
// reports throughput, latency percentiles and peak memory. `toandan bench`
// is its command line; docs/PERFORMANCE.md holds the figures.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Options choose what runs and on what.
type Options struct {
	Scenarios []string      // empty: all that can run
	Postgres  string        // postgres:// URL for intake-postgres; empty skips it
	Dir       string        // parent of the temporary data folders
	Duration  time.Duration // of each load scenario
	Clients   int           // concurrent clients of the intake scenarios
	Reports   int           // reports in the dashboard/inbox/search/export data
	Years     int           // over which those reports are spread
	Export    int           // reports exported by the export scenario
	GeoDir    string        // official lists (units-2022.csv, units-2025.csv, lineage-2025.csv); empty: a made-up list of the same size
	JSON      bool          // one JSON object per scenario instead of the table
	Keep      bool          // keep the temporary data
	Out       io.Writer     // results
	Progress  io.Writer     // progress lines
}

// Scenarios lists every scenario in the order they run.
var Scenarios = []string{"baseline", "intake", "intake-postgres", "geo-import", "dashboard", "inbox", "search", "export"}

// Result is one scenario's measurement.
type Result struct {
	Scenario  string  `json:"scenario"`
	Ops       int64   `json:"ops"`
	OpsPerS   float64 `json:"ops_per_s"`
	P50       float64 `json:"p50_ms"`
	P95       float64 `json:"p95_ms"`
	P99       float64 `json:"p99_ms"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	Errors    int64   `json:"errors"`
	Target    string  `json:"target"`
	Met       bool    `json:"met"`
	Note      string  `json:"note,omitempty"`
}

// Run runs the chosen scenarios and writes their results.
func Run(ctx context.Context, opt Options) ([]Result, error) {
	opt.defaults()
	want := map[string]bool{}
	for _, s := range opt.Scenarios {
		if !slices.Contains(Scenarios, s) {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", s, strings.Join(Scenarios, ", "))
		}
		want[s] = true
	}
	all := len(want) == 0
	run := func(s string) bool { return all || want[s] }
	b := &runner{opt: opt}
	defer b.cleanup()
	var results []Result
	emit := func(rs ...Result) {
		for _, r := range rs {
			results = append(results, r)
			if opt.JSON {
				json.NewEncoder(opt.Out).Encode(r)
			}
			b.progress("%s: %s", r.Scenario, r.summary())
		}
	}
	var baseline *Result
	if run("baseline") || run("intake") {
		r, err := b.baseline(ctx)
		if err != nil {
			return results, fmt.Errorf("baseline: %w", err)
		}
		baseline = &r
		emit(r)
	}
	if run("intake") {
		r, err := b.intake(ctx, "", baseline)
		if err != nil {
			return results, fmt.Errorf("intake: %w", err)
		}
		emit(r)
	}
	if run("intake-postgres") {
		if opt.Postgres == "" {
			if !all {
				return results, fmt.Errorf("intake-postgres needs --db postgres://…")
			}
			b.progress("intake-postgres: skipped (give --db postgres://… to run it)")
		} else {
			r, err := b.intake(ctx, opt.Postgres, nil)
			if err != nil {
				return results, fmt.Errorf("intake-postgres: %w", err)
			}
			emit(r)
		}
	}
	if run("geo-import") {
		r, err := b.geoImport(ctx)
		if err != nil {
			return results, fmt.Errorf("geo-import: %w", err)
		}
		emit(r)
	}
	if run("dashboard") || run("inbox") || run("search") || run("export") {
		w, err := b.world(ctx)
		if err != nil {
			return results, fmt.Errorf("data: %w", err)
		}
		if run("dashboard") {
			rs, err := b.dashboard(ctx, w)
			if err != nil {
				return results, fmt.Errorf("dashboard: %w", err)
			}
			emit(rs...)
		}
		if run("inbox") {
			r, err := b.inbox(ctx, w)
			if err != nil {
				return results, fmt.Errorf("inbox: %w", err)
			}
			emit(r)
		}
		if run("search") {
			r, err := b.search(ctx, w)
			if err != nil {
				return results, fmt.Errorf("search: %w", err)
			}
			emit(r)
		}
		if run("export") {
			rs, err := b.export(ctx, w)
			if err != nil {
				return results, fmt.Errorf("export: %w", err)
			}
			emit(rs...)
		}
	}
	if !opt.JSON {
		WriteTable(opt.Out, results)
	}
	return results, nil
}

func (o *Options) defaults() {
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Clients <= 0 {
		o.Clients = 64
	}
	if o.Reports <= 0 {
		o.Reports = 5_000_000
	}
	if o.Years <= 0 {
		o.Years = 3
	}
	if o.Export <= 0 {
		o.Export = 1_000_000
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
}

// WriteTable prints results as an aligned table.
func WriteTable(w io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tops\tops/s\tp50 ms\tp95 ms\tp99 ms\tpeak RSS MB\terrors\ttarget\tmet\t")
	for _, r := range rs {
		met := "yes"
		if !r.Met {
			met = "NO"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.0f\t%d\t%s\t%s\t\n", r.Scenario, r.Ops, r.OpsPerS, r.P50, r.P95, r.P99, r.PeakRSSMB, r.Errors, r.Target, met)
	}
	tw.Flush()
	for _, r := range rs {
		if r.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Scenario, r.Note)
		}
	}
}

func (r Result) summary() string {
	s := fmt.Sprintf("%.0f ops/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, peak RSS %.0f MB", r.OpsPerS, r.P50, r.P95, r.P99, r.PeakRSSMB)
	if r.Errors > 0 {
		s += fmt.Sprintf(", %d errors", r.Errors)
	}
	if r.Note != "" {
		s += "; " + r.Note
	}
	return s
}

type runner struct {
	opt      Options
	mu       sync.Mutex
	cleanups []func()
	geoOnce  sync.Once
	geo      *geography
}

func (b *runner) progress(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.opt.Progress, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}

func (b *runner) onCleanup(f func()) { b.cleanups = append(b.cleanups, f) }

func (b *runner) cleanup() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}

// tempDir makes a data folder that goes at the end unless Keep.
func (b *runner) tempDir(name string) (string, error) {
	dir, err := os.MkdirTemp(b.opt.Dir, "toandan-bench-"+name+"-")
	if err != nil {
		return "", err
	}
	if !b.opt.Keep {
		b.onCleanup(func() { os.RemoveAll(dir) })
	} else {
		b.progress("%s data kept in %s", name, dir)
	}
	return dir, nil
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// fill sets the count and percentiles of r.
func (l *latencies) fill(r *Result, elapsed time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	slices.Sort(l.d)
	r.Ops = int64(len(l.d))
	if elapsed > 0 {
		r.OpsPerS = float64(len(l.d)) / elapsed.Seconds()
	}
	r.P50, r.P95, r.P99 = pct(l.d, 50), pct(l.d, 95), pct(l.d, 99)
}

func pct(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(d)))) - 1
	i = max(0, min(i, len(d)-1))
	return float64(d[i].Microseconds()) / 1000
}

// resetPeakRSS starts a new peak-memory measurement of this process (Linux:
// clear_refs 5 resets VmHWM). It collects garbage first so that a
// scenario does not inherit the previous one's heap, and returns the
// memory it freed to the system.
func resetPeakRSS() {
	runtime.GC()
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSSMB is the most memory this process held since the last reset, in
// MB; 0 where /proc is missing.
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}
