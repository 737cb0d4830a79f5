// Package chart draws small, accessible charts as inline SVG on the server:
// bars (grouped or stacked, vertical or horizontal), monthly lines and a
// progress gauge with its target mark. Pages work without JavaScript, so
// the charts are plain markup: no scripts, no external fonts, no inline
// style (the Content-Security-Policy forbids it; presentation attributes
// only).
//
// Every chart is an <svg role="img"> named by its <title> and described by
// a <desc> that states its numbers in Vietnamese, so a screen reader user
// gets the data, not "image". Series differ by pattern, line dash and marker
// shape as well as by colour, and every colour has at least 3:1 contrast with
// the white background. The viewBox is 360 units wide and the SVG takes the
// width of its container (width="100%"): on a 360 px phone one unit is one
// pixel, so text is never smaller than 12 px there. Pages should cap the
// width in their stylesheet (e.g. svg.chart { max-width: 40rem; height: auto }).
//
// The same data must be readable as a table next to the chart and
// exportable as CSV: SeriesTable builds that table from a chart's data, and
// Table from any rows. Output is deterministic, so charts are tested
// against golden files.
package chart

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Series is one named row of values, one per label. NaN marks a value that
// is not known; it is drawn as a gap and read as "không có số liệu".
type Series struct {
	Name   string
	Values []float64
}

// Options tune a chart. The zero value draws plain counts.
type Options struct {
	// Stacked stacks a bar chart's series instead of grouping them.
	Stacked bool
	// Horizontal draws one row per label, with the label above its bars:
	// for long labels such as crime categories or province names.
	Horizontal bool
	// Unit follows the values: "%" writes percentages ("98,9 %"); any
	// other word is used in the description ("12 nguồn tin").
	Unit string
	// Decimals is the most digits shown after the comma.
	Decimals int
	// Max is the end of the value axis; 0 takes it from the data (and 100
	// for a percentage gauge).
	Max float64
	// ShortLabels, when given, are drawn on the axis instead of the labels
	// (e.g. "T1" for "Tháng 1"); the description and the table keep the
	// full labels.
	ShortLabels []string
	// Desc is a sentence put before the numbers in the description.
	Desc string
	// Comparator is how Progress reads its target: ">=" (the default),
	// "<=" or "=".
	Comparator string
	// TargetName is what Progress calls its target, in lower case:
	// "chỉ tiêu" by default, "kế hoạch" for a plan (written without a
	// comparator: "Kế hoạch 5.500").
	TargetName string
	// ID prefixes the ids inside the SVG; by default it is derived from
	// the chart's content, so two different charts on a page never share
	// an id.
	ID string
}

// Layout constants, in viewBox units (px on a 360 px screen).
const (
	width     = 360.0
	fontSize  = 12.0
	smallGap  = 4.0
	plotH     = 160.0
	legendRow = 20.0
)

// Text colours: #222 on white is 15.9:1; axis and track lines #767676 4.5:1.
const (
	ink      = "#222222"
	axisInk  = "#767676"
	gridInk  = "#d0d0d0"
	paper    = "#ffffff"
	fontFace = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
)

// palette: contrast with white of 8.6:1, 4.8:1, 5.1:1, 9.5:1 (all above the
// 3:1 that graphical objects need, WCAG 1.4.11), and told apart by pattern
// too, so no reader depends on the hue.
var palette = []string{"#1f4e79", "#b34700", "#2e7d32", "#6a1b9a"}

// dashes tell the lines of a line chart apart without colour.
var dashes = []string{"", "6 3", "2 3", "8 3 2 3"}

func colour(i int) string { return palette[i%len(palette)] }

// svg is a chart being written.
type svg struct {
	b  strings.Builder
	id string
}

// esc escapes text for XML content and attribute values.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		default:
			if r < 0x20 && r != '\t' && r != '\n' {
				continue // not allowed in XML 1.0
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// f writes a coordinate with at most one decimal.
func f(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func (s *svg) printf(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// finish wraps the body in the svg element, with the accessible name and
// description first.
func (s *svg) finish(height float64, title, desc string) template.HTML {
	var h strings.Builder
	fmt.Fprintf(&h, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %s %s" width="100%%" role="img" aria-labelledby="%s-t %s-d" font-family="%s" font-size="%s" fill="%s">`,
		f(width), f(math.Ceil(height)), s.id, s.id, esc(fontFace), f(fontSize), ink)
	fmt.Fprintf(&h, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, s.id, esc(title), s.id, esc(desc))
	h.WriteString(s.b.String())
	h.WriteString("</svg>")
	// Every piece of text went through esc and every number through f or
	// Number: the markup is ours and safe to inline.
	return template.HTML(h.String())
}

// text writes a text element; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor, txt string, extra string) {
	a := ""
	if anchor != "" && anchor != "start" {
		a = ` text-anchor="` + anchor + `"`
	}
	s.printf(`<text x="%s" y="%s"%s%s>%s</text>`, f(x), f(y), a, extra, esc(txt))
}

// chartID derives an id from everything that makes a chart what it is.
func chartID(opt Options, kind, title string, labels []string, series []Series, extra ...float64) string {
	if opt.ID != "" {
		return opt.ID
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "%s\x00%s\x00%q\x00", kind, title, labels)
	for _, s := range series {
		fmt.Fprintf(h, "%s\x00%v\x00", s.Name, s.Values)
	}
	fmt.Fprintf(h, "%v\x00%v %v %s %d %v", extra, opt.Stacked, opt.Horizontal, opt.Unit, opt.Decimals, opt.Max)
	return fmt.Sprintf("ch%08x", h.Sum32())
}

// fill returns the fill of series i: solid for the first, a pattern drawn
// in the series' colour on white for the others.
func (s *svg) fill(i int) string {
	if i%len(palette) == 0 {
		return colour(i)
	}
	return fmt.Sprintf("url(#%s-p%d)", s.id, i%len(palette))
}

// patterns defines the patterns of series 1 to n-1 (at most three).
func (s *svg) patterns(n int) {
	if n < 2 {
		return
	}
	s.b.WriteString("<defs>")
	for i := 1; i < min(n, len(palette)); i++ {
		c := colour(i)
		switch i {
		case 1: // diagonal stripes
			s.printf(`<pattern id="%s-p1" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="%s"/><rect width="3" height="6" fill="%s"/></pattern>`, s.id, paper, c)
		case 2: // dots
			s.printf(`<pattern id="%s-p2" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="%s"/><circle cx="2.5" cy="2.5" r="1.6" fill="%s"/></pattern>`, s.id, paper, c)
		case 3: // cross-hatch
			s.printf(`<pattern id="%s-p3" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/><path d="M0 3H6M3 0V6" stroke="%s" stroke-width="1.5"/></pattern>`, s.id, paper, c)
		}
	}
	s.b.WriteString("</defs>")
}

// textWidth estimates the width of txt at size: no font is loaded, so the
// layout leaves room for the widest common sans-serif faces.
func textWidth(txt string, size float64) float64 {
	w := 0.0
	for _, r := range txt {
		switch {
		case r == ' ' || r == '\u00a0' || r == '.' || r == ',' || r == ':' || r == ';' || r == '(' || r == ')' || r == 'i' || r == 'l' || r == 'j' || r == 'I':
			w += 0.3
		case unicode.IsDigit(r):
			w += 0.58
		case r == 'm' || r == 'w' || r == 'M' || r == 'W' || r == '%':
			w += 0.88
		case unicode.IsUpper(r):
			w += 0.68
		default:
			w += 0.56
		}
	}
	return w * size
}

// fit shortens txt with an ellipsis until it fits in w at size.
func fit(txt string, w, size float64) string {
	if textWidth(txt, size) <= w {
		return txt
	}
	rs := []rune(txt)
	for len(rs) > 1 {
		rs = rs[:len(rs)-1]
		t := strings.TrimRight(string(rs), " ,") + "…"
		if textWidth(t, size) <= w {
			return t
		}
	}
	return "…"
}

// axis is a value axis from 0 to top in steps.
type axis struct {
	top, step float64
	decimals  int
}

// niceAxis chooses an axis from 0 with about four steps of 1, 2, 2.5 or 5
// times a power of ten covering hi. Counts (decimals 0) get whole steps.
func niceAxis(hi float64, fixedTop float64, decimals int) axis {
	if fixedTop > 0 {
		hi = fixedTop
	}
	if !(hi > 0) || math.IsInf(hi, 0) {
		hi = 1
	}
	rough := hi / 4
	mag := math.Pow(10, math.Floor(math.Log10(rough)))
	step := 10 * mag
	for _, k := range []float64{1, 2, 2.5, 5, 10} {
		st := k * mag
		if decimals == 0 && st != math.Trunc(st) {
			continue
		}
		if st >= rough-1e-12 {
			step = st
			break
		}
	}
	if decimals == 0 && step < 1 {
		step = 1
	}
	top := math.Ceil(hi/step-1e-9) * step
	if fixedTop > 0 {
		top = fixedTop
	}
	d := 0
	for d < 6 && math.Abs(step*math.Pow(10, float64(d))-math.Round(step*math.Pow(10, float64(d)))) > 1e-9 {
		d++
	}
	return axis{top: top, step: step, decimals: max(d, 0)}
}

func (a axis) ticks() []float64 {
	var out []float64
	for i := 0; ; i++ {
		v := float64(i) * a.step
		if v > a.top+1e-9 || i > 20 {
			break
		}
		out = append(out, v)
	}
	return out
}

// dataMax is the highest value to show: the largest value, or the largest
// stack when stacked.
func dataMax(labels []string, series []Series, stacked bool) float64 {
	hi := 0.0
	for i := range labels {
		sum := 0.0
		for _, s := range series {
			v := at(s, i)
			if math.IsNaN(v) || v < 0 {
				continue
			}
			if stacked {
				sum += v
			} else {
				hi = max(hi, v)
			}
		}
		hi = max(hi, sum)
	}
	return hi
}

// at returns series s's value for label i, NaN when missing.
func at(s Series, i int) float64 {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return math.NaN()
}

// legend draws the series names with their swatches (pattern, or line and
// marker for lines) from y, wrapping to the width; it returns the height
// used.
func (s *svg) legend(series []Series, y float64, lines bool) float64 {
	if len(series) < 2 {
		return 0
	}
	x, row := 8.0, 0
	for i, se := range series {
		w := 18 + textWidth(se.Name, fontSize)
		if x > 8 && x+w > width-8 {
			x, row = 8, row+1
		}
		cy := y + float64(row)*legendRow + 10
		if lines {
			s.printf(`<path d="M%s %sh16" stroke="%s" stroke-width="2" fill="none"%s/>`, f(x), f(cy), colour(i), dashAttr(i))
			s.marker(i, x+8, cy)
		} else {
			s.printf(`<rect x="%s" y="%s" width="14" height="14" fill="%s" stroke="%s"/>`, f(x), f(cy-7), s.fill(i), colour(i))
		}
		s.text(x+18, cy+4, "", fit(se.Name, width-16-x-18, fontSize), "")
		x += w + 12
	}
	return float64(row+1)*legendRow + smallGap
}

func dashAttr(i int) string {
	if d := dashes[i%len(dashes)]; d != "" {
		return ` stroke-dasharray="` + d + `"`
	}
	return ""
}

// marker draws series i's point marker: circle, square, triangle, diamond.
func (s *svg) marker(i int, x, y float64) {
	c := colour(i)
	switch i % 4 {
	case 0:
		s.printf(`<circle cx="%s" cy="%s" r="3.5" fill="%s"/>`, f(x), f(y), c)
	case 1:
		s.printf(`<rect x="%s" y="%s" width="7" height="7" fill="%s"/>`, f(x-3.5), f(y-3.5), c)
	case 2:
		s.printf(`<path d="M%s %sl4 7h-8z" fill="%s"/>`, f(x), f(y-4.5), c)
	case 3:
		s.printf(`<path d="M%s %sl4.5 4.5l-4.5 4.5l-4.5-4.5z" fill="%s"/>`, f(x), f(y-4.5), c)
	}
}

// valueAxis draws the gridlines and tick labels of a vertical value axis
// for a plot from (left, top) of height h and width w.
func (s *svg) valueAxis(ax axis, opt Options, left, top, w, h float64) {
	s.printf(`<g stroke="%s" stroke-width="1">`, gridInk)
	for _, v := range ax.ticks()[1:] {
		y := top + h - v/ax.top*h
		s.printf(`<path d="M%s %sh%s"/>`, f(left), f(y), f(w))
	}
	s.b.WriteString("</g>")
	s.printf(`<g text-anchor="end">`)
	for _, v := range ax.ticks() {
		y := top + h - v/ax.top*h
		s.text(left-smallGap, y+4, "", tickLabel(v, ax, opt), "")
	}
	s.b.WriteString("</g>")
	s.printf(`<path d="M%s %sh%s" stroke="%s" stroke-width="1"/>`, f(left), f(top+h), f(w), axisInk)
}

func tickLabel(v float64, ax axis, opt Options) string {
	if opt.Unit == "%" {
		return Number(v, ax.decimals) + "%"
	}
	return Number(v, ax.decimals)
}

// tickWidth is the room the widest tick label needs.
func tickWidth(ax axis, opt Options) float64 {
	w := 0.0
	for _, v := range ax.ticks() {
		w = max(w, textWidth(tickLabel(v, ax, opt), fontSize))
	}
	return w
}

// axisLabels returns the labels to draw on the axis.
func axisLabels(labels []string, opt Options) []string {
	if len(opt.ShortLabels) == len(labels) {
		return opt.ShortLabels
	}
	return labels
}

// xLabels draws the category labels under a plot, one per slot, rotated
// when they do not fit side by side; it returns the height used.
func (s *svg) xLabels(labels []string, left, slot, y float64, rotate bool) {
	for i, l := range labels {
		x := left + slot*(float64(i)+0.5)
		if rotate {
			s.printf(`<text x="%s" y="%s" text-anchor="end" transform="rotate(-45 %s %s)">%s</text>`, f(x), f(y), f(x), f(y), esc(fit(l, 110, fontSize)))
			continue
		}
		s.text(x, y, "middle", l, "")
	}
}

// labelRoom tells whether labels fit side by side in slots of width slot
// and, if not, the height that rotated labels need.
func labelRoom(labels []string, slot float64) (rotate bool, height float64) {
	widest := 0.0
	for _, l := range labels {
		widest = max(widest, textWidth(l, fontSize))
	}
	if widest <= slot-2 {
		return false, fontSize + 8
	}
	return true, min(widest, 110)*0.71 + fontSize + 8
}
