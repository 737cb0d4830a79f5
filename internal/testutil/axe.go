package testutil

import (
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored from npm (see axe/README.md). It is
// injected through the DevTools protocol, not as a page script, so the
// pages' Content-Security-Policy does not block it.
//
//go:embed axe/axe.min.js
var axeSource string

// Violation is an accessibility rule an axe-core run found broken.
type Violation struct {
	ID      string          `json:"id"`
	Impact  string          `json:"impact"` // minor, moderate, serious or critical
	Help    string          `json:"help"`
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element breaking the rule.
type ViolationNode struct {
	Target  []string `json:"target"` // CSS selectors leading to the element
	HTML    string   `json:"html"`
	Summary string   `json:"summary"`
}

// Serious reports whether the violation is serious or critical.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

// String describes the violation and the elements breaking it.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %s  %s", strings.Join(n.Target, " "), n.HTML)
		if n.Summary != "" {
			fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
	}
	return b.String()
}

// axeRun runs every rule on the whole document and returns the violations
// in a shape Go can decode (a target inside a shadow root is a list of
// selectors; it is joined).
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({
		target: n.target.map(s => Array.isArray(s) ? s.join(' >>> ') : String(s)),
		html: n.html, summary: n.failureSummary || ''
	}))
})))`

// Axe runs axe-core on the page the browser shows and returns the
// violations. It fails t if axe cannot run.
func (b *Browser) Axe(t testing.TB) []Violation {
	t.Helper()
	loaded, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object' && typeof window.axe.run === 'function'`))
	if err != nil {
		t.Fatalf("axe: %v (screenshot: %s)", err, b.Screenshot("axe"))
	}
	if !loaded {
		if err := chromedp.Do(b.Ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			t.Fatalf("axe: inject: %v", err)
		}
	}
	vs, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]Violation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: run: %v (screenshot: %s)", err, b.Screenshot("axe"))
	}
	return vs
}
