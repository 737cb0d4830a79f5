package chart

import (
	"html/template"
	"math"
	"strings"
)

// Bar draws a bar chart of series over labels: one bar per series in each
// group, or the series stacked with opt.Stacked; columns by default, rows
// with opt.Horizontal (for long labels). A single series, or the stacks,
// carry their value as a direct label when it fits. Values are counts or
// shares and are drawn from 0; negative values are drawn as 0.
func Bar(title string, labels []string, series []Series, opt Options) template.HTML {
	s := &svg{id: chartID(opt, "bar", title, labels, series)}
	desc := describe(barKind(series, opt), title, labels, series, opt)
	s.patterns(len(series))
	var h float64
	if opt.Horizontal {
		h = s.hbars(labels, series, opt)
	} else {
		h = s.columns(labels, series, opt)
	}
	return s.finish(h, title, desc)
}

func barKind(series []Series, opt Options) string {
	switch {
	case len(series) > 1 && opt.Stacked && opt.Horizontal:
		return "Biểu đồ thanh ngang chồng"
	case len(series) > 1 && opt.Stacked:
		return "Biểu đồ cột chồng"
	case len(series) > 1 && opt.Horizontal:
		return "Biểu đồ thanh ngang ghép"
	case len(series) > 1:
		return "Biểu đồ cột ghép"
	case opt.Horizontal:
		return "Biểu đồ thanh ngang"
	}
	return "Biểu đồ cột"
}

// clean returns v as a bar length: 0 for what is not a positive number.
func clean(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

// stackTotal sums label i over the series, NaN when no series has a value.
func stackTotal(series []Series, i int) float64 {
	sum, any := 0.0, false
	for _, se := range series {
		if v := at(se, i); !math.IsNaN(v) {
			sum += clean(v)
			any = true
		}
	}
	if !any {
		return math.NaN()
	}
	return sum
}

// columns draws vertical bars and returns the height used.
func (s *svg) columns(labels []string, series []Series, opt Options) float64 {
	ax := niceAxis(dataMax(labels, series, opt.Stacked), opt.Max, opt.Decimals)
	left := 8 + tickWidth(ax, opt) + smallGap
	plotW := width - left - 8
	slot := plotW / float64(max(len(labels), 1))
	short := axisLabels(labels, opt)
	rotate, labH := labelRoom(short, slot)
	top := 6 + s.legend(series, 6, false) + 16
	s.valueAxis(ax, opt, left, top, plotW, plotH)
	scale := func(v float64) float64 { return min(clean(v), ax.top) / ax.top * plotH }
	groupW := slot * 0.72
	direct := len(series) == 1 || opt.Stacked
	var texts []string
	for i := range labels {
		if direct {
			v := stackTotal(series, i)
			texts = append(texts, opt.value(v))
			if textWidth(texts[i], fontSize) > slot-2 {
				direct = false
			}
		}
	}
	for j := range series {
		s.printf(`<g fill="%s" stroke="%s">`, s.fill(j), colour(j))
		for i := range labels {
			gx := left + slot*float64(i) + (slot-groupW)/2
			v := at(series[j], i)
			if math.IsNaN(v) || clean(v) == 0 {
				continue
			}
			if opt.Stacked {
				base := 0.0
				for _, below := range series[:j] {
					base += clean(at(below, i))
				}
				y0 := top + plotH - scale(base)
				y1 := top + plotH - scale(base+v)
				if y0-y1 <= 0 {
					continue
				}
				s.printf(`<rect x="%s" y="%s" width="%s" height="%s"/>`, f(gx), f(y1), f(groupW), f(y0-y1))
				continue
			}
			bw := groupW / float64(len(series))
			bh := scale(v)
			s.printf(`<rect x="%s" y="%s" width="%s" height="%s"/>`, f(gx+bw*float64(j)), f(top+plotH-bh), f(bw), f(bh))
		}
		s.b.WriteString("</g>")
	}
	if direct {
		s.b.WriteString(`<g text-anchor="middle">`)
		for i := range labels {
			v := stackTotal(series, i)
			if math.IsNaN(v) {
				continue
			}
			x := left + slot*(float64(i)+0.5)
			s.text(x, top+plotH-scale(v)-smallGap, "", texts[i], "")
		}
		s.b.WriteString("</g>")
	}
	s.xLabels(short, left, slot, top+plotH+fontSize+4, rotate)
	return top + plotH + labH + 4
}

// hbars draws horizontal bars, each label on its own line above its bars
// and each value at the end of its bar, and returns the height used.
func (s *svg) hbars(labels []string, series []Series, opt Options) float64 {
	ax := niceAxis(dataMax(labels, series, opt.Stacked), opt.Max, opt.Decimals)
	valueW := 0.0
	for i := range labels {
		if opt.Stacked || len(series) == 1 {
			valueW = max(valueW, textWidth(opt.value(stackTotal(series, i)), fontSize))
			continue
		}
		for _, se := range series {
			valueW = max(valueW, textWidth(opt.value(at(se, i)), fontSize))
		}
	}
	const left = 8.0
	plotW := width - left - 8 - valueW - smallGap
	scale := func(v float64) float64 { return min(clean(v), ax.top) / ax.top * plotW }
	y := 6 + s.legend(series, 6, false)
	first := y
	short := axisLabels(labels, opt)
	for i := range labels {
		s.text(left, y+fontSize, "", fit(short[i], width-2*left, fontSize), "")
		y += fontSize + 6
		if opt.Stacked || len(series) == 1 {
			x := left
			for j, se := range series {
				w := scale(at(se, i))
				if w > 0 {
					s.printf(`<rect x="%s" y="%s" width="%s" height="14" fill="%s" stroke="%s"/>`, f(x), f(y), f(w), s.fill(j), colour(j))
				}
				x += w
			}
			s.text(x+smallGap, y+11, "", opt.value(stackTotal(series, i)), "")
			y += 14
		} else {
			for j, se := range series {
				v := at(se, i)
				w := scale(v)
				if w > 0 {
					s.printf(`<rect x="%s" y="%s" width="%s" height="12" fill="%s" stroke="%s"/>`, f(left), f(y), f(w), s.fill(j), colour(j))
				}
				s.text(left+w+smallGap, y+10, "", opt.value(v), "")
				y += 14
			}
		}
		y += 8
	}
	if len(labels) > 0 {
		s.printf(`<path d="M%s %sV%s" stroke="%s" stroke-width="1"/>`, f(left), f(first), f(y-8), axisInk)
	}
	return y
}

// describe states a chart's numbers in Vietnamese: per label for one
// series or for bars, with the highest value and, for counts, the total.
func describe(kind, title string, labels []string, series []Series, opt Options) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteString(": ")
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
	if len(series) > 1 {
		b.WriteString("Các loạt số liệu: ")
		for j, se := range series {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(se.Name)
		}
		b.WriteString(". ")
	}
	for i, l := range labels {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(l)
		b.WriteString(": ")
		if len(series) == 1 {
			b.WriteString(opt.spoken(at(series[0], i)))
			continue
		}
		for j, se := range series {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(se.Name + " " + opt.spoken(at(se, i)))
		}
		if opt.Stacked {
			b.WriteString(", tổng " + opt.spoken(stackTotal(series, i)))
		}
	}
	b.WriteString(".")
	if len(series) == 1 {
		best, total, any := -1, 0.0, false
		for i := range labels {
			v := at(series[0], i)
			if math.IsNaN(v) {
				continue
			}
			any = true
			total += v
			if best < 0 || v > at(series[0], best) {
				best = i
			}
		}
		if any && len(labels) > 1 {
			b.WriteString(" Cao nhất: " + labels[best] + " (" + opt.spoken(at(series[0], best)) + ").")
			if opt.Unit != "%" {
				b.WriteString(" Tổng: " + opt.spoken(total) + ".")
			}
		}
	}
	return b.String()
}
