package metrics

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// httpMetrics are the metrics recorded by InstrumentHTTP; they are
// registered once per registry and shared by all instrumented handlers.
type httpMetrics struct {
	requests *CounterVec
	duration *HistogramVec
}

func (r *Registry) httpMetricsOnce() *httpMetrics {
	r.httpOnce.Do(func() {
		r.httpMetrics = &httpMetrics{
			requests: r.Counter("http_requests_total",
				"Total number of HTTP requests by route, method and status code.",
				"route", "method", "code"),
			duration: r.Histogram("http_request_duration_seconds",
				"HTTP request latency in seconds by route and method.",
				DefBuckets, "route", "method"),
		}
	})
	return r.httpMetrics
}

// InstrumentHTTP wraps next so that every request increments
// http_requests_total{route,method,code} and is observed in
// http_request_duration_seconds{route,method}. The metrics are registered on
// the first call and shared by all handlers instrumented on r.
//
// route maps a request to a low-cardinality route label; it returns "" (or
// route is nil) to use "other". It is called after next has served the
// request, so when next is an [http.ServeMux], route can return r.Pattern,
// which the mux sets on the request while routing (unmatched requests have
// an empty pattern and are labelled "other"). Methods other than the
// standard ones are labelled "OTHER" to bound cardinality.
//
// The status code is taken from the first final WriteHeader call and
// defaults to 200. Requests whose handler panics are not recorded.
func (r *Registry) InstrumentHTTP(next http.Handler, route func(*http.Request) string) http.Handler {
	m := r.httpMetricsOnce()
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, req)
		elapsed := time.Since(start).Seconds()

		rt := ""
		if route != nil {
			rt = route(req)
		}
		if rt == "" {
			rt = "other"
		}
		method := normalizeMethod(req.Method)
		m.requests.WithLabelValues(rt, method, strconv.Itoa(sw.status)).Inc()
		m.duration.WithLabelValues(rt, method).Observe(elapsed)
	})
}

// normalizeMethod returns the standard method names unchanged and "OTHER"
// for anything else.
func normalizeMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodConnect,
		http.MethodOptions, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// statusWriter records the response status code. Optional interfaces of the
// underlying writer (Hijacker, deadlines, ...) remain reachable through
// http.ResponseController thanks to Unwrap.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

// WriteHeader records the first final (non-1xx, or 101) status code.
func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps io.Copy into the response efficient (e.g. sendfile).
func (w *statusWriter) ReadFrom(src io.Reader) (int64, error) {
	w.wroteHeader = true
	return io.Copy(w.ResponseWriter, src)
}

// Flush implements http.Flusher for handlers that type-assert it; it is a
// no-op if the underlying writer cannot flush.
func (w *statusWriter) Flush() {
	w.wroteHeader = true
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
