package app

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"toandan/internal/clock"
)

// feed runs a geography import's stages through p: 10,794 rows written,
// reported every 100 rows, step apart.
func feed(p *progress, clk *clock.Fixed, step time.Duration) {
	p.rows("units read", 10794, 0)
	p.rows("checking", 0, 0)
	for i := 0; i < 10794; i += 100 {
		p.rows("writing units", i, 10794)
		clk.Advance(step)
	}
	p.rows("writing units", 10794, 10794)
	p.rows("saving", 0, 0)
}

func TestProgress(t *testing.T) {
	for _, term := range []bool{false, true} {
		name := "log"
		if term {
			name = "terminal"
		}
		t.Run(name, func(t *testing.T) {
			clk := clock.NewFixed(time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC))
			var b bytes.Buffer
			p := &progress{w: &b, term: term, clock: clk, start: clk.Now(), at: clk.Now()}
			// 108 reports: 54 seconds in a log, 5.4 on a terminal.
			if term {
				feed(p, clk, 50*time.Millisecond)
			} else {
				feed(p, clk, 500*time.Millisecond)
			}
			p.end(nil)
			out := b.String()
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if !term {
				// A line a stage, and in a long stage one every 5 seconds
				// at most: 54 seconds give 10 lines between start and end.
				want := []string{"units read: 10794", "checking...", "writing units... 10794/10794", "saving...", "done in 54.0 s"}
				var got []string
				n := 0
				for _, l := range lines {
					if strings.HasPrefix(l, "writing units... ") && l != want[2] {
						n++
						continue
					}
					got = append(got, l)
				}
				if strings.Join(got, "|") != strings.Join(want, "|") || n == 0 || n > 11 || strings.Contains(out, "\r") {
					t.Errorf("%d lines in between, output:\n%s", n, out)
				}
				return
			}
			// On a terminal too every stage has a line of its own, then
			// the time taken; the line of the stage under way is redrawn
			// in place, at most every 100 ms, ending on its full count.
			if len(lines) != 5 || lines[4] != "done in 5.4 s" {
				t.Fatalf("%d lines:\n%q", len(lines), out)
			}
			draws := strings.Split(lines[2], "\r")
			if last := draws[len(draws)-1]; last != "writing units... 10794/10794" || len(draws) < 40 || len(draws) > 60 {
				t.Errorf("%d redraws, the last %q", len(draws), last)
			}
			if !strings.HasPrefix(out, "\runits read: 10794\n\rchecking...\n") || !strings.HasSuffix(out, "\rsaving...\ndone in 5.4 s\n") {
				t.Errorf("output:\n%q", out)
			}
		})
	}

	// A shorter line blanks what is left of a longer one; a failed command
	// ends its line without saying it is done.
	clk := clock.NewFixed(time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC))
	var b bytes.Buffer
	p := &progress{w: &b, term: true, clock: clk, start: clk.Now(), at: clk.Now()}
	p.bytes("unpacking", 900<<20, 1000<<20)
	clk.Advance(time.Second)
	p.bytes("unpacking", 1000<<20, 1000<<20)
	p.end(errors.New("archive damaged"))
	if want := "\runpacking... 900.0/1000.0 MB\runpacking... 1000.0/1000.0 MB\n"; b.String() != want {
		t.Errorf("terminal:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	p = &progress{w: &b, term: true, clock: clk, start: clk.Now(), at: clk.Now()}
	p.rows("writing lineage", 10000, 10604)
	p.rows("writing lineage", 10604, 10604)
	p.rows("saving", 0, 0)
	clk.Advance(90 * time.Second)
	p.end(nil)
	if want := "\rwriting lineage... 10000/10604\rwriting lineage... 10604/10604\n\rsaving...\ndone in 1 min 30 s\n"; b.String() != want {
		t.Errorf("terminal:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	p = &progress{w: &b, term: true, clock: clk, start: clk.Now(), at: clk.Now()}
	p.show("x", "a longer line", true)
	p.show("x", "short", true)
	p.end(errors.New("stopped"))
	if want := "\ra longer line\rshort        \n"; b.String() != want {
		t.Errorf("terminal:\n%q\nwant\n%q", b.String(), want)
	}
}
