package app

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"toandan/internal/clock"
)

// How often progress is shown within a stage: a terminal line is redrawn
// often enough to look alive; a log (a pipe, a file, the journal) gets a
// line at most this often, so a long import or backup does not flood it.
const (
	redrawEvery = 100 * time.Millisecond
	logEvery    = 5 * time.Second
)

// progress shows on standard error how far a long command has got, so that
// standard output keeps only the command's result (a report may be written
// there). Every stage gets a line of its own. On a terminal the line of the
// stage under way is redrawn in place as its count moves; in a log a
// stage's line is written when it starts if it has no count, when its
// count is complete, and at most every logEvery meanwhile.
type progress struct {
	w     io.Writer
	term  bool
	clock clock.Clock
	start time.Time

	stage string    // the stage under way
	text  string    // its latest line
	shown string    // the line last written or drawn
	width int       // terminal: runes drawn on the current line, 0 at its start
	at    time.Time // when a line was last written or drawn
}

func (c *CLI) progress() *progress {
	now := c.Clock.Now()
	return &progress{w: c.Stderr, term: isTerminal(c.Stderr), clock: c.Clock, start: now, at: now}
}

// show makes text the line of stage. final says the stage's count is
// complete (or that it has none): a log gets the line now.
func (p *progress) show(stage, text string, final bool) {
	now := p.clock.Now()
	started := stage != p.stage
	if started {
		p.endStage()
		p.stage = stage
	}
	p.text = text
	switch {
	case text == p.shown:
	case p.term && (final || started || now.Sub(p.at) >= redrawEvery):
		p.draw(text)
		p.at = now
	case !p.term && (final || now.Sub(p.at) >= logEvery):
		fmt.Fprintln(p.w, text)
		p.shown, p.at = text, now
	}
}

// draw redraws the terminal's current line, blanking what is left of a
// longer one.
func (p *progress) draw(text string) {
	n := utf8.RuneCountInString(text)
	fmt.Fprintf(p.w, "\r%s%s", text, strings.Repeat(" ", max(p.width-n, 0)))
	p.shown, p.width = text, n
}

// endStage leaves the stage under way with its latest line shown.
func (p *progress) endStage() {
	if p.stage == "" {
		return
	}
	switch {
	case p.term:
		if p.text != p.shown {
			p.draw(p.text)
		}
		fmt.Fprintln(p.w)
	case p.text != p.shown:
		fmt.Fprintln(p.w, p.text)
		p.at = p.clock.Now()
	}
	p.stage, p.text, p.shown, p.width = "", "", "", 0
}

// rows is a geo.Progress: a stage's rows done of total, or only a count
// (total 0), or neither.
func (p *progress) rows(stage string, done, total int) {
	switch {
	case total > 0:
		p.show(stage, fmt.Sprintf("%s... %d/%d", stage, done, total), done >= total)
	case done > 0:
		p.show(stage, fmt.Sprintf("%s: %d", stage, done), true)
	default:
		p.show(stage, stage+"...", true)
	}
}

// bytes shows a stage's bytes done of total (0 when unknown) in
// megabytes.
func (p *progress) bytes(stage string, done, total int64) {
	const mb = 1 << 20
	switch {
	case total > 0:
		p.show(stage, fmt.Sprintf("%s... %.1f/%.1f MB", stage, float64(done)/mb, float64(total)/mb), done >= total)
	case done > 0:
		p.show(stage, fmt.Sprintf("%s... %.1f MB", stage, float64(done)/mb), false)
	default:
		p.show(stage, stage+"...", true)
	}
}

// end closes the last stage and, when the command succeeded, says how long
// it took. It must be called before the result goes to standard output,
// which shares the terminal.
func (p *progress) end(err error) {
	p.endStage()
	if err != nil {
		return
	}
	d := p.clock.Now().Sub(p.start)
	if d < time.Minute {
		fmt.Fprintf(p.w, "done in %.1f s\n", d.Seconds())
		return
	}
	d = d.Round(time.Second)
	fmt.Fprintf(p.w, "done in %d min %d s\n", int(d.Minutes()), int(d.Seconds())%60)
}
