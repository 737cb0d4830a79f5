package chart

import (
	"html/template"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Progress draws a horizontal gauge: value as a bar on a track from 0, and
// the target as a mark across it, with both numbers written out and "Đạt
// chỉ tiêu" or "Chưa đạt chỉ tiêu" in words, so that nothing depends on
// colour. A NaN target means there is none. The optional Options give the
// unit ("%" for a share, whose track then runs to 100), the decimals, the
// track's end (Max) and how the target reads (Comparator, ">=" by
// default).
func Progress(title string, value, target float64, opts ...Options) template.HTML {
	var opt Options
	if len(opts) > 0 {
		opt = opts[0]
	}
	cmp := comparator(opt.Comparator)
	hasTarget := !math.IsNaN(target) && !math.IsInf(target, 0)
	hi := clean(value)
	if hasTarget {
		hi = max(hi, clean(target))
	}
	top := opt.Max
	if top <= 0 {
		top = niceAxis(hi, 0, opt.Decimals).top
		if opt.Unit == "%" {
			top = max(100, top)
		}
	}
	s := &svg{id: chartID(opt, "progress", title, nil, nil, value, target)}
	met := hasTarget && Meets(value, cmp, target)

	const left, trackW, trackY, trackH = 8.0, width - 16, 28.0, 16.0
	s.text(left, 18, "", opt.value(value), ` font-size="16" font-weight="bold"`)
	name, plan := opt.TargetName, opt.TargetName != ""
	if !plan {
		name = "chỉ tiêu"
	}
	if hasTarget {
		word := "Chưa đạt " + name
		if met {
			word = "Đạt " + name
		}
		s.text(width-left, 18, "end", word, ` font-size="13"`)
	}
	s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="#ececec" stroke="%s"/>`, f(left), f(trackY), f(trackW), f(trackH), axisInk)
	if w := min(clean(value), top) / top * trackW; w > 0 {
		s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, f(left), f(trackY), f(w), f(trackH), colour(0))
	}
	h := trackY + trackH + 6
	if hasTarget {
		tx := left + min(clean(target), top)/top*trackW
		// A white edge keeps the black mark visible over the bar.
		s.printf(`<path d="M%s %sV%s" stroke="%s" stroke-width="6"/><path d="M%s %sV%s" stroke="#000000" stroke-width="3"/>`,
			f(tx), f(trackY-5), f(trackY+trackH+5), paper, f(tx), f(trackY-5), f(trackY+trackH+5))
		label := capitalize(name) + " " + symbol(cmp) + " " + opt.value(target)
		if plan {
			label = capitalize(name) + " " + opt.value(target)
		}
		lw := textWidth(label, fontSize)
		switch {
		case tx-lw/2 < left:
			s.text(left, trackY+trackH+19, "", label, "")
		case tx+lw/2 > width-left:
			s.text(width-left, trackY+trackH+19, "end", label, "")
		default:
			s.text(tx, trackY+trackH+19, "middle", label, "")
		}
		h = trackY + trackH + 26
	}
	return s.finish(h, title, describeProgress(title, value, target, top, hasTarget, met, cmp, name, plan, opt))
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Meets reports whether value meets target under comparator (">=", "<="
// or "="), allowing for the rounding of computed ratios.
func Meets(value float64, comparator string, target float64) bool {
	const eps = 1e-9
	switch comparator {
	case "<=":
		return value <= target+eps
	case "=":
		return math.Abs(value-target) <= eps
	}
	return value >= target-eps
}

func comparator(c string) string {
	switch c {
	case "<=", "=":
		return c
	}
	return ">="
}

// symbol writes a comparator as a reader expects it.
func symbol(c string) string {
	switch c {
	case "<=":
		return "≤"
	case "=":
		return "="
	}
	return "≥"
}

func describeProgress(title string, value, target, top float64, hasTarget, met bool, cmp, name string, plan bool, opt Options) string {
	var b strings.Builder
	b.WriteString("Thanh tiến độ: ")
	b.WriteString(strings.TrimSuffix(title, "."))
	b.WriteString(". ")
	if opt.Desc != "" {
		b.WriteString(strings.TrimSuffix(opt.Desc, "."))
		b.WriteString(". ")
	}
	b.WriteString("Hiện đạt " + opt.spoken(value))
	switch {
	case !hasTarget:
		b.WriteString(", chưa có " + name + ".")
	case plan:
		b.WriteString("; " + name + " " + opt.spoken(target) + ": ")
	default:
		b.WriteString("; " + name + " " + symbol(cmp) + " " + opt.spoken(target) + ": ")
	}
	if hasTarget {
		switch {
		case met:
			b.WriteString("đạt.")
		case cmp == ">=" && !math.IsNaN(value):
			b.WriteString("chưa đạt, còn thiếu " + opt.spoken(target-value) + ".")
		case cmp == "<=" && !math.IsNaN(value):
			b.WriteString("chưa đạt, vượt " + opt.spoken(value-target) + ".")
		default:
			b.WriteString("chưa đạt.")
		}
	}
	b.WriteString(" Thang đo từ 0 đến " + opt.spoken(top) + ".")
	return b.String()
}
