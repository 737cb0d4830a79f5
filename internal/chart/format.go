package chart

import (
	"math"
	"strconv"
	"strings"
)

// nbsp keeps a number and its sign on one line ("98,9 %").
const nbsp = "\u00a0"

// Number writes v the Vietnamese way: "." between thousands and "," before
// the decimals, with at most decimals digits after the comma and no
// trailing zeros (1.234; 1.234,5; 98,9). A value that is not a number (NaN,
// ±Inf) is written "–".
func Number(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	decimals = max(0, min(decimals, 6))
	// Halves round away from zero, as people round (12,5 → 13), not to
	// even as strconv does.
	p := math.Pow(10, float64(decimals))
	s := strconv.FormatFloat(math.Round(math.Abs(v)*p)/p, 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	if v < 0 && (strings.Trim(whole, "0") != "" || frac != "") {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	return b.String()
}

// Int writes a count the Vietnamese way (1.234).
func Int(n int) string { return Number(float64(n), 0) }

// Percent writes a percentage the Vietnamese way, with a no-break space
// before the sign: "98,9 %", "100 %".
func Percent(v float64, decimals int) string { return Number(v, decimals) + nbsp + "%" }

// Share returns part as a percentage of whole, 0 when whole is 0.
func Share(part, whole int) float64 {
	if whole <= 0 {
		return 0
	}
	return float64(part) * 100 / float64(whole)
}

// value writes v as a chart shows it: a percentage when the unit is "%",
// else a number.
func (o Options) value(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if o.Unit == "%" {
		return Percent(v, o.Decimals)
	}
	return Number(v, o.Decimals)
}

// spoken writes v as a sentence says it: with its unit ("12 nguồn tin").
func (o Options) spoken(v float64) string {
	if math.IsNaN(v) {
		return "không có số liệu"
	}
	if o.Unit == "" || o.Unit == "%" {
		return o.value(v)
	}
	return Number(v, o.Decimals) + nbsp + o.Unit
}
