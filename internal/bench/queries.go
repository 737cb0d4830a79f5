package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"time"

	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/geo"
)

// login signs username in and returns a client holding the session.
func (w *world) login(username string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := client(4)
	c.Jar = jar
	res, err := c.PostForm(w.in.url+"/dang-nhap", url.Values{"username": {username}, "password": {benchPassword}})
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("login %s: status %d", username, res.StatusCode)
	}
	return c, nil
}

// get fetches path and reads the whole body.
func get(c *http.Client, base, path string) error {
	res, err := c.Get(base + path)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	return nil
}

// timed calls do repeatedly, one at a time, for the scenario's time (at
// least min calls) after two unmeasured calls, and returns the result.
func (b *runner) timed(ctx context.Context, name, target string, limitMS float64, minCalls int, do func(rng *rand.Rand) error) Result {
	rng := rand.New(rand.NewPCG(7, uint64(len(name))))
	for range 2 {
		do(rng)
	}
	lat := &latencies{}
	var errCount int64
	resetPeakRSS()
	t0 := time.Now()
	for n := 0; ctx.Err() == nil && (n < minCalls || time.Since(t0) < b.opt.Duration/2); n++ {
		s := time.Now()
		if err := do(rng); err != nil {
			if errCount++; errCount == 1 {
				b.progress("%s: first error: %v", name, err)
			}
			continue
		}
		lat.add(time.Since(s))
	}
	r := Result{Scenario: name, Target: target, Errors: errCount, PeakRSSMB: peakRSSMB()}
	lat.fill(&r, time.Since(t0))
	r.Met = r.P95 < limitMS && errCount == 0
	return r
}

// dashboard measures the national, a province's and a commune's dashboard
// pages (every query behind them) and the province map, over HTTP.
func (b *runner) dashboard(ctx context.Context, w *world) ([]Result, error) {
	c, err := w.login(w.ministry)
	if err != nil {
		return nil, err
	}
	provinces := geo.BuiltinProvinces()
	year := time.Now().In(vnZone()).Year()
	note := fmt.Sprintf("%d reports; server and client in one process", w.reports)
	var out []Result
	for _, d := range []struct {
		name string
		path func(rng *rand.Rand) string
	}{
		{"dashboard-national", func(*rand.Rand) string { return "/can-bo/so-lieu?don-vi=" + geo.Nation + "&nam=" + strconv.Itoa(year) }},
		{"dashboard-province", func(rng *rand.Rand) string {
			return "/can-bo/so-lieu?don-vi=" + provinces[rng.IntN(len(provinces))].Code + "&nam=" + strconv.Itoa(year)
		}},
		{"dashboard-commune", func(rng *rand.Rand) string {
			return "/can-bo/so-lieu?don-vi=" + w.communes[rng.IntN(len(w.communes))].code + "&nam=" + strconv.Itoa(year)
		}},
		{"dashboard-map", func(*rand.Rand) string { return "/can-bo/ban-do" }},
	} {
		b.progress("%s: measuring", d.name)
		r := b.timed(ctx, d.name, "p95 < 50 ms; server RSS < 200 MB", 50, 20, func(rng *rand.Rand) error {
			return get(c, w.in.url, d.path(rng))
		})
		r.Met = r.Met && r.PeakRSSMB < 200
		r.Note = note
		out = append(out, r)
	}
	return out, nil
}

// inbox measures a commune officer's newest 50 and the page after them.
func (b *runner) inbox(ctx context.Context, w *world) (Result, error) {
	src := w.in.m.Sources
	b.progress("inbox: measuring")
	r := b.timed(ctx, "inbox", "p95 < 10 ms", 10, 200, func(rng *rand.Rand) error {
		cm := w.communes[rng.IntN(len(w.communes))]
		actor := crimesource.Actor{UserID: 1, Role: "commune", Unit: cm.code}
		p, err := src.Inbox(ctx, actor, crimesource.Filter{Limit: 50})
		if err != nil {
			return err
		}
		if p.Next == "" {
			return nil
		}
		f := crimesource.Filter{Limit: 50}
		if err := f.ParseCursor(p.Next); err != nil {
			return err
		}
		_, err = src.Inbox(ctx, actor, f)
		return err
	})
	r.Note = fmt.Sprintf("two pages (newest 50, then the next 50 by keyset) of one commune among %d, %d reports", len(w.communes), w.reports)
	return r, nil
}

// searchTerms are what an officer types: one or two words, with or
// without diacritics.
var searchTerms = []string{"lừa đảo", "ma túy", "ma tuy", "chuyển tiền", "hàng giả", "trộm cắp", "đánh bạc", "cho vay nặng lãi",
	"ô nhiễm", "nuoc thai", "biên giới", "điện thoại", "cướp giật", "xe máy", "ngân hàng"}

// search measures the ministry's search over every report: the first page.
func (b *runner) search(ctx context.Context, w *world) (Result, error) {
	src := w.in.m.Sources
	actor := crimesource.Actor{UserID: 1, Role: "ministry", Unit: geo.Nation}
	hits := 0
	b.progress("search: measuring")
	r := b.timed(ctx, "search", "p95 < 200 ms", 200, 50, func(rng *rand.Rand) error {
		p, err := src.Inbox(ctx, actor, crimesource.Filter{Search: searchTerms[rng.IntN(len(searchTerms))], Limit: 50})
		hits += len(p.Rows)
		return err
	})
	r.Note = fmt.Sprintf("first page of 50 over all %d reports, nation-wide; %.1f rows a search", w.reports, float64(hits)/float64(max(r.Ops, 1)))
	// one rare term too, which must look at more of the index
	return r, nil
}

// export measures the inbox export as CSV and XLSX over HTTP: rows per
// second and the peak memory of the process while streaming Export rows.
func (b *runner) export(ctx context.Context, w *world) ([]Result, error) {
	c, err := w.login(w.ministry)
	if err != nil {
		return nil, err
	}
	c.Timeout = 0
	rows := min(b.opt.Export, w.reports)
	var out []Result
	for _, f := range []string{"csv", "xlsx"} {
		b.progress("export-%s: %d rows", f, rows)
		resetPeakRSS()
		t0 := time.Now()
		n, err := exportRows(c, w.in.url+"/can-bo/nguon-tin?dinh-dang="+f, f, rows)
		if err != nil {
			return out, fmt.Errorf("export %s: %w", f, err)
		}
		d := time.Since(t0)
		ms := float64(d.Microseconds()) / 1000
		r := Result{Scenario: "export-" + f, Ops: int64(n), OpsPerS: float64(n) / d.Seconds(), P50: ms, P95: ms, P99: ms, PeakRSSMB: peakRSSMB(),
			Target: "≥ 100,000 rows/s; peak RSS < 150 MB"}
		r.Met = r.OpsPerS >= 100_000 && r.PeakRSSMB < 150 && n >= rows
		r.Note = fmt.Sprintf("%d rows in %.1f s (the latency columns are the whole export); server and client in one process", n, d.Seconds())
		out = append(out, r)
	}
	return out, nil
}

// exportRows downloads an export, counting rows, and stops after limit
// rows (CSV) or reads it whole (XLSX, whose rows are counted by the server
// limit).
func exportRows(c *http.Client, u, format string, limit int) (int, error) {
	res, err := c.Get(u + "&gioi-han=" + strconv.Itoa(limit))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", res.StatusCode)
	}
	if format == "xlsx" {
		cr := &countingReader{r: res.Body}
		if _, err := io.Copy(io.Discard, cr); err != nil {
			return 0, err
		}
		n, err := strconv.Atoi(res.Trailer.Get("X-Rows"))
		if err != nil {
			return 0, fmt.Errorf("no row count after %d bytes of XLSX", cr.n)
		}
		return n, nil
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := -1 // the header
	for sc.Scan() {
		n++
		if n >= limit {
			break
		}
	}
	return n, sc.Err()
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func vnZone() *time.Location { return clock.Vietnam }
