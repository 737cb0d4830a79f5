package testutil

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser is a headless Chromium driven over the DevTools protocol.
type Browser struct {
	Ctx context.Context
	t   testing.TB
}

// NewBrowser starts the Chromium named by TOANDAN_TEST_CHROMIUM, or skips the
// test with a message saying how to enable browser tests. The browser makes
// no connection except to the test server. If the test fails, the page the
// browser shows at its end is saved as a screenshot, as Screenshot does.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	bin := os.Getenv("TOANDAN_TEST_CHROMIUM")
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but TOANDAN_TEST_CHROMIUM is not: browser tests must run in CI")
		}
		t.Skip("browser tests skipped: set TOANDAN_TEST_CHROMIUM to a Chromium binary (e.g. /usr/bin/chromium) to run them")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(390, 844),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(tab, 3*time.Minute)
	started := false
	t.Cleanup(func() {
		// Before the contexts are cancelled, which closes the browser: a
		// failure reported with t.Errorf, or after the last browser step,
		// leaves no screenshot otherwise. The tab's own context is used,
		// so that a test that ran out of time is shown too.
		if started && t.Failed() {
			end := &Browser{Ctx: tab, t: t}
			t.Logf("browser: the test failed; screenshot of the last page: %s", end.Screenshot("failed"))
		}
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	// The browser is started on the tab's context, not on the test's
	// timeout: chromedp ties the browser's life to the context of its first
	// action, and a browser closed by the timeout could not show where the
	// test stopped.
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", bin, err)
	}
	started = true
	return &Browser{Ctx: ctx, t: t}
}

// stepTimeout bounds one step (Do, Text, Follow), so that a step that
// never ends (an element that never appears, a click that loads nothing)
// fails the test with a screenshot while the browser is still there.
const stepTimeout = time.Minute

// Do performs actions; on failure it saves a screenshot named after the
// test in the folder TOANDAN_TEST_SCREENSHOTS (or the system's temp folder)
// and fails the test.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		path := b.Screenshot("failure")
		b.t.Fatalf("browser: %v (screenshot: %s)", err, path)
	}
}

// Text returns the text of the first element matching a CSS selector.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		path := b.Screenshot("failure")
		b.t.Fatalf("browser: text of %s: %v (screenshot: %s)", sel, err, path)
	}
	return s
}

// Eval evaluates a JavaScript expression and returns its value.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		path := b.Screenshot("failure")
		b.t.Fatalf("browser: eval %q: %v (screenshot: %s)", expr, err, path)
	}
	return v
}

// Screenshot saves a full-page PNG and returns its path.
func (b *Browser) Screenshot(name string) string {
	dir := os.Getenv("TOANDAN_TEST_SCREENSHOTS")
	if dir == "" {
		dir = os.TempDir()
	}
	os.MkdirAll(dir, 0o755)
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "(no screenshot: " + err.Error() + ")"
	}
	safe := strings.NewReplacer("/", "_", " ", "_").Replace(b.t.Name() + "-" + name)
	path := filepath.Join(dir, safe+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return "(no screenshot: " + err.Error() + ")"
	}
	return path
}

// SetSession signs the browser in by setting the session cookie for the
// server at baseURL (no cookie: signed out).
func (b *Browser) SetSession(baseURL, token string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.Ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		b.t.Fatalf("browser: clear cookies: %v", err)
	}
	if token == "" {
		return
	}
	httpOnly := true
	if _, err := chromedp.Call(b.Ctx, network.SetCookie, network.SetCookieParams{Name: "toandan_session", Value: token, URL: baseURL, HTTPOnly: &httpOnly}); err != nil {
		b.t.Fatalf("browser: set cookie: %v", err)
	}
}

// Follow performs an action that leads to a new page (a click on a submit
// button or a link) and waits until that page has loaded, so that the next
// step never acts on the old page.
func (b *Browser) Follow(a chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, a)
	if err != nil {
		path := b.Screenshot("failure")
		b.t.Fatalf("browser: %v (screenshot: %s)", err, path)
	}
	if resp != nil && resp.Status >= 500 {
		b.t.Fatalf("browser: %s answered %d", resp.URL, resp.Status)
	}
}
