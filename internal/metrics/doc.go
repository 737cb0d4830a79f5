// Package metrics is a small, dependency-free implementation of the
// Prometheus text exposition format, version 0.0.4.
//
// It supports counters, gauges, gauge functions and histograms, each with an
// optional set of labels, collectors that set metrics at scrape time, plus a
// few Go runtime gauges and an HTTP middleware that records request counts
// and latencies.
//
// There is no global state: the application creates a [Registry] with [New],
// registers its metrics on it and passes it to the components that need it.
// The registry is exposed over HTTP with [Registry.Handler]:
//
//	reg := metrics.New()
//	reg.RegisterRuntime()
//	jobs := reg.Counter("jobs_processed_total", "Jobs processed.", "queue", "result")
//	jobs.WithLabelValues("email", "ok").Inc()
//
//	mux := http.NewServeMux()
//	mux.Handle("GET /metrics", reg.Handler())
//	handler := reg.InstrumentHTTP(mux, func(r *http.Request) string { return r.Pattern })
//
// Registration mistakes (invalid or duplicate names, invalid label names, a
// wrong number of label values) are programmer errors and cause a panic.
// All metric operations are safe for concurrent use.
package metrics
