package metrics

import (
	"runtime"
	rtmetrics "runtime/metrics"
)

// heapObjectsMetric is the runtime/metrics equivalent of
// runtime.MemStats.HeapAlloc; reading it does not stop the world.
const heapObjectsMetric = "/memory/classes/heap/objects:bytes"

// RegisterRuntime registers gauges describing the Go runtime and the process:
//
//   - go_goroutines: the current number of goroutines;
//   - go_memstats_heap_alloc_bytes: bytes of allocated heap objects;
//   - process_start_time_seconds: the start time of the process in seconds
//     since the Unix epoch, approximated by the time [New] created the
//     registry (applications create it during startup).
//
// It panics if called twice on the same registry.
func (r *Registry) RegisterRuntime() {
	r.GaugeFunc("go_goroutines",
		"Number of goroutines that currently exist.",
		func() float64 { return float64(runtime.NumGoroutine()) })
	r.GaugeFunc("go_memstats_heap_alloc_bytes",
		"Number of heap bytes allocated and still in use.",
		heapAllocBytes)
	start := float64(r.created.UnixNano()) / 1e9
	r.GaugeFunc("process_start_time_seconds",
		"Start time of the process since unix epoch in seconds.",
		func() float64 { return start })
}

func heapAllocBytes() float64 {
	sample := []rtmetrics.Sample{{Name: heapObjectsMetric}}
	rtmetrics.Read(sample)
	if sample[0].Value.Kind() != rtmetrics.KindUint64 {
		// Not supported by this runtime; fall back to the stop-the-world
		// MemStats.
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc)
	}
	return float64(sample[0].Value.Uint64())
}
