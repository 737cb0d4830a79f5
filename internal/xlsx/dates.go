package xlsx

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// dateFormat says how a number format shows a date serial; the zero value
// means it is not a date format.
type dateFormat struct {
	date    bool // shows a calendar day
	time    bool // shows a time of day
	seconds bool // shows seconds
}

func (f dateFormat) isDate() bool { return f.date || f.time }

// builtinDateFormats are the built-in number formats (ECMA-376 §18.8.30)
// that show dates or times. 46 ([h]:mm:ss) is left out on purpose: it shows
// a duration, and a duration of 25 hours is not "1900-01-01 01:00".
var builtinDateFormats = map[int]dateFormat{
	14: {date: true},                // m/d/yyyy
	15: {date: true},                // d-mmm-yy
	16: {date: true},                // d-mmm
	17: {date: true},                // mmm-yy
	18: {time: true},                // h:mm AM/PM
	19: {time: true, seconds: true}, // h:mm:ss AM/PM
	20: {time: true},                // h:mm
	21: {time: true, seconds: true}, // h:mm:ss
	22: {date: true, time: true},    // m/d/yyyy h:mm
	45: {time: true, seconds: true}, // mm:ss
	47: {time: true, seconds: true}, // mmss.0
}

// classifyFormat reads a custom format code such as "dd/mm/yyyy;@" or
// `[$-42A]h:mm "giờ"` and tells whether it shows a date or a time. Only the
// first section counts: it is the one for positive numbers, and dates are
// positive.
func classifyFormat(code string) dateFormat {
	code = strings.ToLower(code)
	var b strings.Builder
	elapsed := false
scan:
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"': // literal text
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				break scan
			}
			i += j + 1
		case '\\', '_', '*': // escaped char, padding, fill: the next char is not a token
			i++
		case '[': // colour, condition, locale, or an elapsed-time token
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				break scan
			}
			if isElapsed(code[i+1 : i+1+j]) {
				elapsed = true
			}
			i += j + 1
		case ';':
			break scan
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	s = strings.ReplaceAll(s, "am/pm", "")
	s = strings.ReplaceAll(s, "a/p", "")
	if elapsed {
		return dateFormat{}
	}
	hasY := strings.ContainsRune(s, 'y')
	hasD := strings.ContainsRune(s, 'd')
	hasM := strings.ContainsRune(s, 'm')
	hasH := strings.ContainsRune(s, 'h')
	hasS := strings.ContainsRune(s, 's')
	// "m" is minutes next to h or s, months otherwise; a format with a day
	// or a year shows a date whatever its m's are.
	return dateFormat{
		date:    hasY || hasD || (hasM && !hasH && !hasS),
		time:    hasH || hasS,
		seconds: hasS,
	}
}

func isElapsed(tok string) bool {
	if tok == "" {
		return false
	}
	for i := 1; i < len(tok); i++ {
		if tok[i] != tok[0] {
			return false
		}
	}
	return tok[0] == 'h' || tok[0] == 'm' || tok[0] == 's'
}

// maxSerial is 9999-12-31, the last day Excel can show.
const maxSerial = 2958465

// serialText renders a date serial the way the importers want it:
// "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" when the format or the value has a
// time of day, "HH:MM[:SS]" for a bare time. ok is false for serials Excel
// would not show as a date (negative, past 9999).
func serialText(v float64, f dateFormat, date1904 bool) (string, bool) {
	if math.IsNaN(v) || v < 0 || v >= maxSerial+1 {
		return "", false
	}
	days := math.Floor(v)
	secs := int(math.Round((v - days) * 86400))
	if secs >= 86400 {
		days++
		secs -= 86400
	}
	withTime := f.time || secs != 0
	withSecs := f.seconds || secs%60 != 0
	b := make([]byte, 0, 19)
	if f.time && !f.date && days == 0 {
		return string(appendClock(b, secs, withSecs)), true
	}
	d := int(days)
	if date1904 {
		b = time.Date(1904, 1, 1+d, 0, 0, 0, 0, time.UTC).AppendFormat(b, time.DateOnly)
	} else {
		switch {
		case d == 60:
			// Excel's 1900 calendar has a 29 February that never was
			// (a Lotus 1-2-3 bug kept for compatibility); show what
			// Excel shows.
			b = append(b, "1900-02-29"...)
		case d < 60:
			b = time.Date(1899, 12, 31+d, 0, 0, 0, 0, time.UTC).AppendFormat(b, time.DateOnly)
		default:
			b = time.Date(1899, 12, 30+d, 0, 0, 0, 0, time.UTC).AppendFormat(b, time.DateOnly)
		}
	}
	if withTime {
		b = append(b, ' ')
		b = appendClock(b, secs, withSecs)
	}
	return string(b), true
}

func appendClock(b []byte, secs int, withSecs bool) []byte {
	b = append2(b, secs/3600)
	b = append(b, ':')
	b = append2(b, secs/60%60)
	if withSecs {
		b = append(b, ':')
		b = append2(b, secs%60)
	}
	return b
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// isoText renders the value of a t="d" cell (an ISO 8601 date, time or
// both) in the same shapes as serialText. ok is false when it does not
// parse.
func isoText(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", time.DateOnly} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if layout == time.DateOnly {
			return t.Format(time.DateOnly), true
		}
		if t.Second() != 0 {
			return t.Format(time.DateTime), true
		}
		return t.Format("2006-01-02 15:04"), true
	}
	for _, layout := range []string{"15:04:05.999999999", "15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Second() != 0 {
				return t.Format(time.TimeOnly), true
			}
			return t.Format("15:04"), true
		}
	}
	return "", false
}

// timeSerial converts t's wall clock (in t's own location) to an Excel
// serial in the 1900 date system. whole reports a time of 00:00. ok is
// false for times Excel cannot hold: before 1900-01-01 or after 9999-12-31.
func timeSerial(t time.Time) (serial float64, whole, ok bool) {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	secs := hh*3600 + mm*60 + ss
	ns := t.Nanosecond()
	whole = secs == 0 && ns == 0
	// Unix days rather than Sub: a time.Duration overflows past 292 years.
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + 25569 // 25569 = 1970-01-01 counted from 1899-12-30
	if days < 61 {
		days-- // before the phantom 1900-02-29, serials count from 1899-12-31
	}
	if days < 1 || days > maxSerial {
		return 0, whole, false
	}
	if whole {
		return float64(days), true, true
	}
	return float64(days) + (float64(secs)+float64(ns)/1e9)/86400, false, true
}

// numberText renders a number cell's literal: integers without a decimal
// part ("5813", not "5813.0"), other values as written except that binary
// noise past Excel's 15 significant digits is rounded away, as Excel does
// when it shows the value ("0.30000000000000004" → "0.3").
func numberText(lit string) string {
	v, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(v, 0) {
		return lit
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 14, 64), 64)
	if err != nil || r == v {
		return lit
	}
	if a := math.Abs(r); a >= 1e-6 && a < 1e15 {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	return strconv.FormatFloat(r, 'E', -1, 64)
}
