package chart

import (
	"html/template"
	"math"
	"strings"
)

// Line draws series over labels as lines, e.g. a value per month. Each
// series has its own dash and marker shape as well as its colour; a NaN
// value breaks the line (a month not yet reached, say).
func Line(title string, labels []string, series []Series, opt Options) template.HTML {
	s := &svg{id: chartID(opt, "line", title, labels, series)}
	desc := describeLines(title, labels, series, opt)
	ax := niceAxis(dataMax(labels, series, false), opt.Max, opt.Decimals)
	left := 8 + tickWidth(ax, opt) + smallGap
	plotW := width - left - 8
	slot := plotW / float64(max(len(labels), 1))
	short := axisLabels(labels, opt)
	rotate, labH := labelRoom(short, slot)
	top := 6 + s.legend(series, 6, true) + 12
	s.valueAxis(ax, opt, left, top, plotW, plotH)
	y := func(v float64) float64 { return top + plotH - min(clean(v), ax.top)/ax.top*plotH }
	x := func(i int) float64 { return left + slot*(float64(i)+0.5) }
	for j, se := range series {
		var runs [][]int
		var run []int
		for i := range labels {
			if math.IsNaN(at(se, i)) {
				if len(run) > 0 {
					runs = append(runs, run)
				}
				run = nil
				continue
			}
			run = append(run, i)
		}
		if len(run) > 0 {
			runs = append(runs, run)
		}
		for _, r := range runs {
			if len(r) < 2 {
				continue
			}
			var pts []string
			for _, i := range r {
				pts = append(pts, f(x(i))+","+f(y(at(se, i))))
			}
			s.printf(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"%s/>`, strings.Join(pts, " "), colour(j), dashAttr(j))
		}
		for _, r := range runs {
			for _, i := range r {
				s.marker(j, x(i), y(at(se, i)))
			}
		}
	}
	s.xLabels(short, left, slot, top+plotH+fontSize+4, rotate)
	return s.finish(top+plotH+labH+4, title, desc)
}

// describeLines states each series of a line chart in turn, with its
// highest and lowest value.
func describeLines(title string, labels []string, series []Series, opt Options) string {
	var b strings.Builder
	b.WriteString("Biểu đồ đường: ")
	b.WriteString(strings.TrimSuffix(title, "."))
	b.WriteString(". ")
	if opt.Desc != "" {
		b.WriteString(strings.TrimSuffix(opt.Desc, "."))
		b.WriteString(". ")
	}
	if len(labels) == 0 || len(series) == 0 {
		b.WriteString("Không có số liệu.")
		return b.String()
	}
	for j, se := range series {
		if j > 0 {
			b.WriteString(" ")
		}
		b.WriteString(se.Name)
		b.WriteString(": ")
		hi, lo := -1, -1
		for i, l := range labels {
			if i > 0 {
				b.WriteString(", ")
			}
			v := at(se, i)
			b.WriteString(l + " " + opt.spoken(v))
			if math.IsNaN(v) {
				continue
			}
			if hi < 0 || v > at(se, hi) {
				hi = i
			}
			if lo < 0 || v < at(se, lo) {
				lo = i
			}
		}
		b.WriteString(".")
		if hi >= 0 && len(labels) > 1 {
			b.WriteString(" Cao nhất: " + labels[hi] + " (" + opt.spoken(at(se, hi)) + "); thấp nhất: " + labels[lo] + " (" + opt.spoken(at(se, lo)) + ").")
		}
	}
	return b.String()
}
