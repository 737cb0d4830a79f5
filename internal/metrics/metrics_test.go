package metrics

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// expose renders r and fails the test on error.
func expose(t *testing.T, r *Registry) string {
	t.Helper()
	var b strings.Builder
	n, err := r.WriteTo(&b)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if int(n) != b.Len() {
		t.Fatalf("WriteTo returned n=%d, wrote %d bytes", n, b.Len())
	}
	return b.String()
}

// sampleValue returns the value of the sample line starting with series
// (name plus labels), or fails the test.
func sampleValue(t *testing.T, out, series string) float64 {
	t.Helper()
	for line := range strings.Lines(out) {
		rest, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), series+" ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(rest, 64)
		if err != nil {
			t.Fatalf("sample %s: %v", series, err)
		}
		return v
	}
	t.Fatalf("sample %s not found in:\n%s", series, out)
	return 0
}

func TestExposition(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *Registry)
		want  string
	}{
		{
			name: "empty registry",
			setup: func(r *Registry) {
			},
			want: "",
		},
		{
			name: "counter with labels sorted by label values",
			setup: func(r *Registry) {
				c := r.Counter("app_requests_total", "Requests handled.", "path", "code")
				c.WithLabelValues("/b", "200").Add(2)
				c.WithLabelValues("/a", "500").Inc()
				c.WithLabelValues("/a", "200").Inc()
				c.WithLabelValues("/a", "200").Add(0.5)
			},
			want: `# HELP app_requests_total Requests handled.
# TYPE app_requests_total counter
app_requests_total{path="/a",code="200"} 1.5
app_requests_total{path="/a",code="500"} 1
app_requests_total{path="/b",code="200"} 2
`,
		},
		{
			name: "unlabelled counter is exposed at zero",
			setup: func(r *Registry) {
				r.Counter("jobs_total", "Jobs.")
			},
			want: `# HELP jobs_total Jobs.
# TYPE jobs_total counter
jobs_total 0
`,
		},
		{
			name: "labelled family without series is omitted",
			setup: func(r *Registry) {
				r.Counter("jobs_total", "Jobs.", "queue")
				r.Histogram("jobs_seconds", "Job duration.", nil, "queue")
			},
			want: "",
		},
		{
			name: "gauge",
			setup: func(r *Registry) {
				g := r.Gauge("app_in_flight", "In-flight requests.").WithLabelValues()
				g.Set(3)
				g.Dec()
				g.Add(0.5)
				g.Inc()
				g.Add(-1)
			},
			want: `# HELP app_in_flight In-flight requests.
# TYPE app_in_flight gauge
app_in_flight 2.5
`,
		},
		{
			name: "gauge func evaluated at scrape time",
			setup: func(r *Registry) {
				v := 1.0
				r.GaugeFunc("app_temperature", "Temperature.", func() float64 { return v })
				v = 1e21
			},
			want: `# HELP app_temperature Temperature.
# TYPE app_temperature gauge
app_temperature 1e+21
`,
		},
		{
			name: "empty help omits HELP line",
			setup: func(r *Registry) {
				r.Gauge("x", "").WithLabelValues().Set(math.Inf(-1))
			},
			want: `# TYPE x gauge
x -Inf
`,
		},
		{
			name: "histogram without labels",
			setup: func(r *Registry) {
				h := r.Histogram("app_latency_seconds", "Latency.", []float64{0.5, 1, 2.5}).WithLabelValues()
				for _, v := range []float64{0.25, 0.5, 0.75, 3} {
					h.Observe(v)
				}
			},
			want: `# HELP app_latency_seconds Latency.
# TYPE app_latency_seconds histogram
app_latency_seconds_bucket{le="0.5"} 2
app_latency_seconds_bucket{le="1"} 3
app_latency_seconds_bucket{le="2.5"} 3
app_latency_seconds_bucket{le="+Inf"} 4
app_latency_seconds_sum 4.5
app_latency_seconds_count 4
`,
		},
		{
			name: "histogram with labels and explicit +Inf bucket",
			setup: func(r *Registry) {
				h := r.Histogram("size_bytes", "Sizes.", []float64{100, math.Inf(+1)}, "kind")
				h.WithLabelValues("b").Observe(1000)
				h.WithLabelValues("a").Observe(100)
			},
			want: `# HELP size_bytes Sizes.
# TYPE size_bytes histogram
size_bytes_bucket{kind="a",le="100"} 1
size_bytes_bucket{kind="a",le="+Inf"} 1
size_bytes_sum{kind="a"} 100
size_bytes_count{kind="a"} 1
size_bytes_bucket{kind="b",le="100"} 0
size_bytes_bucket{kind="b",le="+Inf"} 1
size_bytes_sum{kind="b"} 1000
size_bytes_count{kind="b"} 1
`,
		},
		{
			name: "default buckets",
			setup: func(r *Registry) {
				r.Histogram("d", "D.", nil).WithLabelValues().Observe(0.3)
			},
			want: `# HELP d D.
# TYPE d histogram
d_bucket{le="0.005"} 0
d_bucket{le="0.01"} 0
d_bucket{le="0.025"} 0
d_bucket{le="0.05"} 0
d_bucket{le="0.1"} 0
d_bucket{le="0.25"} 0
d_bucket{le="0.5"} 1
d_bucket{le="1"} 1
d_bucket{le="2.5"} 1
d_bucket{le="5"} 1
d_bucket{le="10"} 1
d_bucket{le="+Inf"} 1
d_sum 0.3
d_count 1
`,
		},
		{
			name: "families sorted by name",
			setup: func(r *Registry) {
				r.Counter("zeta_total", "Z.").WithLabelValues().Inc()
				r.Gauge("alpha", "A.", "k").WithLabelValues("v").Set(-2)
				h := r.Histogram("mid_seconds", "M.", []float64{1}, "route")
				h.WithLabelValues("/x").Observe(0.5)
			},
			want: `# HELP alpha A.
# TYPE alpha gauge
alpha{k="v"} -2
# HELP mid_seconds M.
# TYPE mid_seconds histogram
mid_seconds_bucket{route="/x",le="1"} 1
mid_seconds_bucket{route="/x",le="+Inf"} 1
mid_seconds_sum{route="/x"} 0.5
mid_seconds_count{route="/x"} 1
# HELP zeta_total Z.
# TYPE zeta_total counter
zeta_total 1
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			tt.setup(r)
			if got := expose(t, r); got != tt.want {
				t.Errorf("exposition mismatch\ngot:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestEscaping(t *testing.T) {
	tests := []struct {
		name  string
		help  string
		value string
		want  string
	}{
		{
			name:  "plain",
			help:  "Plain help.",
			value: "plain",
			want:  "# HELP m Plain help.\n# TYPE m counter\nm{l=\"plain\"} 1\n",
		},
		{
			name:  "backslash",
			help:  `C:\dir`,
			value: `C:\dir`,
			want:  "# HELP m C:\\\\dir\n# TYPE m counter\nm{l=\"C:\\\\dir\"} 1\n",
		},
		{
			name:  "double quote only escaped in label values",
			help:  `say "hi"`,
			value: `say "hi"`,
			want:  "# HELP m say \"hi\"\n# TYPE m counter\nm{l=\"say \\\"hi\\\"\"} 1\n",
		},
		{
			name:  "newline",
			help:  "two\nlines",
			value: "two\nlines",
			want:  "# HELP m two\\nlines\n# TYPE m counter\nm{l=\"two\\nlines\"} 1\n",
		},
		{
			name:  "invalid UTF-8 replaced",
			help:  "h",
			value: "a\xffb",
			want:  "# HELP m h\n# TYPE m counter\nm{l=\"a\uFFFDb\"} 1\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			r.Counter("m", tt.help, "l").WithLabelValues(tt.value).Inc()
			if got := expose(t, r); got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestFormatFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{-1.5, "-1.5"},
		{0.005, "0.005"},
		{1234567, "1.234567e+06"},
		{1e-7, "1e-07"},
		{math.Inf(+1), "+Inf"},
		{math.Inf(-1), "-Inf"},
		{math.NaN(), "NaN"},
	}
	for _, tt := range tests {
		if got := formatFloat(tt.in); got != tt.want {
			t.Errorf("formatFloat(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRegistrationPanics(t *testing.T) {
	tests := []struct {
		name      string
		register  func(r *Registry)
		wantPanic bool
	}{
		{"valid names", func(r *Registry) { r.Counter("a:b_c9", "", "_x", "y1") }, false},
		{"name starting with colon", func(r *Registry) { r.Gauge(":x", "") }, false},
		{"empty name", func(r *Registry) { r.Counter("", "") }, true},
		{"name starting with digit", func(r *Registry) { r.Counter("9x", "") }, true},
		{"name with dash", func(r *Registry) { r.Gauge("a-b", "") }, true},
		{"name with dot", func(r *Registry) { r.GaugeFunc("a.b", "", func() float64 { return 0 }) }, true},
		{"label with colon", func(r *Registry) { r.Counter("x", "", "a:b") }, true},
		{"label starting with digit", func(r *Registry) { r.Counter("x", "", "1a") }, true},
		{"reserved label prefix", func(r *Registry) { r.Counter("x", "", "__name") }, true},
		{"duplicate label", func(r *Registry) { r.Counter("x", "", "a", "a") }, true},
		{"histogram le label", func(r *Registry) { r.Histogram("x", "", nil, "le") }, true},
		{"unsorted buckets", func(r *Registry) { r.Histogram("x", "", []float64{1, 0.5}) }, true},
		{"equal buckets", func(r *Registry) { r.Histogram("x", "", []float64{1, 1}) }, true},
		{"NaN bucket", func(r *Registry) { r.Histogram("x", "", []float64{math.NaN()}) }, true},
		{"nil gauge func", func(r *Registry) { r.GaugeFunc("x", "", nil) }, true},
		{"same counter twice", func(r *Registry) { r.Counter("x", ""); r.Counter("x", "") }, true},
		{"counter then gauge", func(r *Registry) { r.Counter("x", ""); r.Gauge("x", "") }, true},
		{"gauge then gauge func", func(r *Registry) {
			r.Gauge("x", "")
			r.GaugeFunc("x", "", func() float64 { return 0 })
		}, true},
		{"histogram then its _count", func(r *Registry) { r.Histogram("x", "", nil); r.Counter("x_count", "") }, true},
		{"_sum then histogram", func(r *Registry) { r.Gauge("x_sum", ""); r.Histogram("x", "", nil) }, true},
		{"runtime twice", func(r *Registry) { r.RegisterRuntime(); r.RegisterRuntime() }, true},
		{"instrument twice is fine", func(r *Registry) {
			r.InstrumentHTTP(http.NotFoundHandler(), nil)
			r.InstrumentHTTP(http.NotFoundHandler(), nil)
		}, false},
		{"too few label values", func(r *Registry) { r.Counter("x", "", "a", "b").WithLabelValues("1") }, true},
		{"too many label values", func(r *Registry) { r.Gauge("x", "").WithLabelValues("1") }, true},
		{"negative counter add", func(r *Registry) { r.Counter("x", "").WithLabelValues().Add(-1) }, true},
		{"NaN counter add", func(r *Registry) { r.Counter("x", "").WithLabelValues().Add(math.NaN()) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); (p != nil) != tt.wantPanic {
					t.Errorf("panic = %v, want panic: %v", p, tt.wantPanic)
				}
			}()
			tt.register(New())
		})
	}
}

func TestConcurrency(t *testing.T) {
	const goroutines, perGoroutine = 64, 1000
	tests := []struct {
		name   string
		work   func(r *Registry) func(i int) // returns the per-goroutine body
		series string
		want   float64
	}{
		{
			name: "counter Inc",
			work: func(r *Registry) func(int) {
				c := r.Counter("c_total", "", "k")
				return func(int) { c.WithLabelValues("v").Inc() }
			},
			series: `c_total{k="v"}`,
			want:   goroutines * perGoroutine,
		},
		{
			name: "counter Add across many series",
			work: func(r *Registry) func(int) {
				c := r.Counter("c_total", "", "k")
				return func(i int) {
					c.WithLabelValues(strconv.Itoa(i % 4)).Add(0.5)
					c.WithLabelValues("sum").Add(2)
				}
			},
			series: `c_total{k="sum"}`,
			want:   2 * goroutines * perGoroutine,
		},
		{
			name: "gauge Inc and Dec",
			work: func(r *Registry) func(int) {
				g := r.Gauge("g", "").WithLabelValues()
				return func(i int) {
					g.Inc()
					if i%2 == 0 {
						g.Dec()
					}
				}
			},
			series: "g",
			want:   goroutines * perGoroutine / 2,
		},
		{
			name: "histogram Observe",
			work: func(r *Registry) func(int) {
				h := r.Histogram("h", "", []float64{1}, "k")
				return func(i int) { h.WithLabelValues("v").Observe(float64(i % 3)) }
			},
			series: `h_count{k="v"}`,
			want:   goroutines * perGoroutine,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			body := tt.work(r)
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() {
					for i := range perGoroutine {
						body(i)
					}
				})
			}
			// Scrape concurrently with the updates.
			wg.Go(func() {
				for range 20 {
					if _, err := r.WriteTo(discard{}); err != nil {
						t.Error(err)
					}
				}
			})
			wg.Wait()
			if got := sampleValue(t, expose(t, r), tt.series); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.series, got, tt.want)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestHandler(t *testing.T) {
	r := New()
	r.Counter("hits_total", "Hits.", "page").WithLabelValues("home").Add(3)

	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))

	if rec.Code != http.StatusOK {
		t.Errorf("status = %d, want 200", rec.Code)
	}
	if got := rec.Header().Get("Content-Type"); got != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got, want := rec.Body.String(), expose(t, r); got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
}

func TestRegisterRuntime(t *testing.T) {
	before := time.Now()
	r := New()
	after := time.Now()
	r.RegisterRuntime()
	out := expose(t, r)

	tests := []struct {
		series string
		ok     func(v float64) bool
	}{
		{"go_goroutines", func(v float64) bool { return v >= 1 }},
		{"go_memstats_heap_alloc_bytes", func(v float64) bool { return v > 0 }},
		{"process_start_time_seconds", func(v float64) bool {
			return v >= float64(before.Unix()) && v <= float64(after.Unix()+1)
		}},
	}
	for _, tt := range tests {
		if !strings.Contains(out, "# TYPE "+tt.series+" gauge\n") {
			t.Errorf("missing TYPE line for %s", tt.series)
		}
		if v := sampleValue(t, out, tt.series); !tt.ok(v) {
			t.Errorf("%s = %v, out of range", tt.series, v)
		}
	}
}

func TestInstrumentHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("implicit 200"))
	})
	mux.HandleFunc("GET /silent", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /hints", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusNoContent)
		w.WriteHeader(http.StatusInternalServerError) // superfluous, ignored
	})
	mux.HandleFunc("GET /flush", func(w http.ResponseWriter, _ *http.Request) {
		w.(http.Flusher).Flush()
	})

	tests := []struct {
		name     string
		route    func(*http.Request) string
		method   string
		target   string
		wantCode int      // status seen by the client; 0 skips the check
		want     []string // sample series expected to have value 1
	}{
		{
			name:     "pattern route and explicit status",
			route:    func(r *http.Request) string { return r.Pattern },
			method:   http.MethodGet,
			target:   "/items/42",
			wantCode: http.StatusCreated,
			want: []string{
				`http_requests_total{route="GET /items/{id}",method="GET",code="201"}`,
				`http_request_duration_seconds_count{route="GET /items/{id}",method="GET"}`,
			},
		},
		{
			name:     "implicit 200 on Write",
			route:    func(r *http.Request) string { return r.Pattern },
			method:   http.MethodPost,
			target:   "/items",
			wantCode: http.StatusOK,
			want:     []string{`http_requests_total{route="POST /items",method="POST",code="200"}`},
		},
		{
			name:     "default 200 when nothing is written",
			route:    func(r *http.Request) string { return r.Pattern },
			method:   http.MethodGet,
			target:   "/silent",
			wantCode: http.StatusOK,
			want:     []string{`http_requests_total{route="GET /silent",method="GET",code="200"}`},
		},
		{
			name:     "informational status is not final",
			route:    func(r *http.Request) string { return r.Pattern },
			method:   http.MethodGet,
			target:   "/hints",
			wantCode: 0, // httptest.ResponseRecorder keeps the 103; skip the check

			want: []string{`http_requests_total{route="GET /hints",method="GET",code="204"}`},
		},
		{
			name:     "flush through Flusher assertion",
			route:    func(r *http.Request) string { return r.Pattern },
			method:   http.MethodGet,
			target:   "/flush",
			wantCode: http.StatusOK,
			want:     []string{`http_requests_total{route="GET /flush",method="GET",code="200"}`},
		},
		{
			name:     "unmatched route is other",
			route:    func(r *http.Request) string { return r.Pattern },
			method:   http.MethodGet,
			target:   "/nope",
			wantCode: http.StatusNotFound,
			want: []string{
				`http_requests_total{route="other",method="GET",code="404"}`,
				`http_request_duration_seconds_count{route="other",method="GET"}`,
			},
		},
		{
			name:     "nil route func and unknown method",
			route:    nil,
			method:   "BREW",
			target:   "/items/1",
			wantCode: http.StatusMethodNotAllowed,
			want:     []string{`http_requests_total{route="other",method="OTHER",code="405"}`},
		},
		{
			name:     "custom route func",
			route:    func(*http.Request) string { return "static" },
			method:   http.MethodHead,
			target:   "/items/7",
			wantCode: http.StatusCreated,
			want:     []string{`http_requests_total{route="static",method="HEAD",code="201"}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			h := r.InstrumentHTTP(mux, tt.route)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, nil))
			if tt.wantCode != 0 && rec.Code != tt.wantCode {
				t.Fatalf("response status = %d, want %d", rec.Code, tt.wantCode)
			}
			out := expose(t, r)
			for _, series := range tt.want {
				if v := sampleValue(t, out, series); v != 1 {
					t.Errorf("%s = %v, want 1", series, v)
				}
			}
			if n := strings.Count(out, "\nhttp_requests_total{"); n != 1 {
				t.Errorf("got %d http_requests_total series, want 1:\n%s", n, out)
			}
		})
	}
}

// deadlineWriter is a ResponseWriter supporting write deadlines, an optional
// interface the status-capturing wrapper does not implement itself.
type deadlineWriter struct {
	*httptest.ResponseRecorder
	deadline time.Time
}

func (w *deadlineWriter) SetWriteDeadline(d time.Time) error {
	w.deadline = d
	return nil
}

func TestInstrumentHTTPUnwrap(t *testing.T) {
	deadline := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	r := New()
	h := r.InstrumentHTTP(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if _, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok {
			t.Error("wrapped ResponseWriter has no Unwrap method")
		}
		if err := http.NewResponseController(w).SetWriteDeadline(deadline); err != nil {
			t.Errorf("SetWriteDeadline through ResponseController: %v", err)
		}
		w.WriteHeader(http.StatusAccepted)
	}), func(*http.Request) string { return "deadline" })

	dw := &deadlineWriter{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(dw, httptest.NewRequest(http.MethodPut, "/", nil))

	if !dw.deadline.Equal(deadline) {
		t.Errorf("deadline = %v, want %v", dw.deadline, deadline)
	}
	if v := sampleValue(t, expose(t, r), `http_requests_total{route="deadline",method="PUT",code="202"}`); v != 1 {
		t.Errorf("count = %v, want 1", v)
	}
}

func ExampleRegistry_WriteTo() {
	r := New()
	r.Counter("jobs_total", "Jobs processed.", "result").WithLabelValues("ok").Add(2)
	var b strings.Builder
	_, _ = r.WriteTo(&b)
	fmt.Print(b.String())
	// Output:
	// # HELP jobs_total Jobs processed.
	// # TYPE jobs_total counter
	// jobs_total{result="ok"} 2
}

// TestInstrumentHTTPRealServer checks status capture against the real
// net/http server, which (unlike httptest.ResponseRecorder) sends 1xx
// responses separately from the final one.
func TestInstrumentHTTPRealServer(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    int
	}{
		{"early hints then 204", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusNoContent)
		}, http.StatusNoContent},
		{"body only", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "hello")
		}, http.StatusOK},
		{"io.Copy uses ReadFrom", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusTeapot)
			_, _ = io.Copy(w, strings.NewReader("tea"))
		}, http.StatusTeapot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			mux := http.NewServeMux()
			mux.Handle("GET /x", tt.handler)
			srv := httptest.NewServer(r.InstrumentHTTP(mux, func(r *http.Request) string { return r.Pattern }))
			defer srv.Close()

			resp, err := srv.Client().Get(srv.URL + "/x")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("client saw status %d, want %d", resp.StatusCode, tt.want)
			}
			series := fmt.Sprintf(`http_requests_total{route="GET /x",method="GET",code="%d"}`, tt.want)
			if v := sampleValue(t, expose(t, r), series); v != 1 {
				t.Errorf("%s = %v, want 1", series, v)
			}
		})
	}
}

// A collector runs before the families are written, with the scrape
// request's context, so the values it sets are in the same scrape.
func TestCollect(t *testing.T) {
	r := New()
	g := r.Gauge("rows", "Rows in a shared table.", "table")
	type key struct{}
	var seen []any
	r.Collect(func(ctx context.Context) {
		seen = append(seen, ctx.Value(key{}))
		g.WithLabelValues("jobs").Add(2)
	})

	if v := sampleValue(t, expose(t, r), `rows{table="jobs"}`); v != 2 {
		t.Errorf("after WriteTo: rows = %v, want 2", v)
	}
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req = req.WithContext(context.WithValue(req.Context(), key{}, "scrape"))
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, req)
	if v := sampleValue(t, rec.Body.String(), `rows{table="jobs"}`); v != 4 {
		t.Errorf("after Handler: rows = %v, want 4", v)
	}
	if len(seen) != 2 || seen[0] != nil || seen[1] != "scrape" {
		t.Errorf("collector saw contexts carrying %v, want [<nil> scrape]", seen)
	}
}
