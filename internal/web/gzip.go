package web

import (
	"bufio"
	"compress/gzip"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// compressible are the media types worth compressing: text that shrinks
// several times. Images, video, PDF and archives are compressed already.
var compressible = map[string]bool{
	"text/html":              true,
	"text/css":               true,
	"application/javascript": true,
	"text/javascript":        true, // what Go serves .js files as
	"application/json":       true,
	"image/svg+xml":          true,
}

// gzipMinSize is the size under which a response whose length is known is
// sent as it is: the gzip header and trailer would eat the gain.
const gzipMinSize = 512

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

// gzipped compresses responses of the compressible types with gzip when the
// client accepts it, so that a page and its stylesheet and script reach a
// phone on a slow connection in a few round trips. Responses that carry an
// encoding already, partial content and bodiless answers pass unchanged.
// Every compressible response says Vary: Accept-Encoding, compressed or not,
// so that caches keep the two forms apart.
func gzipped(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gw := &gzipWriter{ResponseWriter: w, accept: acceptsGzip(r.Header.Get("Accept-Encoding")) && r.Method != http.MethodHead}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

// acceptsGzip reports whether an Accept-Encoding header admits gzip with a
// non-zero quality, by name or through "*".
func acceptsGzip(header string) bool {
	star, gz := false, -1
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		ok := true
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q <= 0 {
					ok = false
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "gzip", "x-gzip":
			if ok {
				gz = 1
			} else if gz < 0 {
				gz = 0
			}
		case "*":
			star = ok
		}
	}
	if gz >= 0 {
		return gz == 1
	}
	return star
}

// headerHasToken reports whether a comma-separated header lists token.
func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// gzipWriter decides when the header is written whether to compress.
type gzipWriter struct {
	http.ResponseWriter
	accept  bool
	decided bool
	gz      *gzip.Writer
}

func (g *gzipWriter) WriteHeader(status int) {
	if !g.decided && status >= 200 {
		g.decide(status, nil)
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if !g.decided {
		g.decide(http.StatusOK, p)
		g.ResponseWriter.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		return g.gz.Write(p)
	}
	return g.ResponseWriter.Write(p)
}

// decide sets the headers for a compressed or plain answer. first is the
// start of the body when the handler wrote without a header, for sniffing
// the type as net/http would.
func (g *gzipWriter) decide(status int, first []byte) {
	g.decided = true
	h := g.Header()
	if status == http.StatusNoContent || status == http.StatusNotModified || status == http.StatusPartialContent {
		return
	}
	if h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return
	}
	ct := h.Get("Content-Type")
	if ct == "" && len(first) > 0 {
		if _, haveType := h["Content-Type"]; !haveType {
			ct = http.DetectContentType(first)
			h.Set("Content-Type", ct)
		}
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !compressible[mt] {
		return
	}
	if !headerHasToken(h.Values("Vary"), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if !g.accept {
		return
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n < gzipMinSize {
		return
	}
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	if et := h.Get("Etag"); et != "" && !strings.HasPrefix(et, "W/") {
		h.Set("Etag", "W/"+et)
	}
	g.gz = gzipWriters.Get().(*gzip.Writer)
	g.gz.Reset(g.ResponseWriter)
}

// close ends the gzip stream and returns the compressor to the pool.
func (g *gzipWriter) close() {
	if g.gz == nil {
		return
	}
	g.gz.Close()
	g.gz.Reset(nil)
	gzipWriters.Put(g.gz)
	g.gz = nil
}

// Flush sends what is compressed so far.
func (g *gzipWriter) Flush() {
	if !g.decided {
		g.decide(http.StatusOK, nil)
		g.ResponseWriter.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		g.gz.Flush()
	}
	http.NewResponseController(g.ResponseWriter).Flush()
}

// Hijack is passed through; a hijacked connection is not compressed.
func (g *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(g.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }
