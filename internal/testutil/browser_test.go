package testutil

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserScreenshotOnFailure runs itself again in a child process that
// fails with t.Errorf after its last browser step, and checks that the page
// the child's browser showed was saved before the browser closed.
func TestBrowserScreenshotOnFailure(t *testing.T) {
	if os.Getenv("TOANDAN_TEST_FAIL_ON_PURPOSE") != "" {
		b := NewBrowser(t)
		b.Do(chromedp.Navigate(`data:text/html,<h1 style="color:red">failed on purpose</h1>`))
		t.Error("failed on purpose")
		return
	}
	if os.Getenv("TOANDAN_TEST_CHROMIUM") == "" {
		NewBrowser(t) // skips, or fails in CI, with its message
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrowserScreenshotOnFailure$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TOANDAN_TEST_FAIL_ON_PURPOSE=1", "TOANDAN_TEST_SCREENSHOTS="+dir)
	out, err := cmd.CombinedOutput()
	if _, failed := err.(*exec.ExitError); !failed {
		t.Fatalf("the child test did not fail (%v):\n%s", err, out)
	}
	path := filepath.Join(dir, "TestBrowserScreenshotOnFailure-failed.png")
	png, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no screenshot of the failed test: %v; its output:\n%s", err, out)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 1000 {
		t.Errorf("%s is not a screenshot (%d bytes)", path, len(png))
	}
	if !bytes.Contains(out, []byte(path)) {
		t.Errorf("the child's log does not name the screenshot %s:\n%s", path, out)
	}
}
