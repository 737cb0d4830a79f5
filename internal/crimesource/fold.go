package crimesource

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and strips Vietnamese diacritics, so that "lua dao"
// finds "Lừa đảo". đ/Đ, which has no combining form, maps to d.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Query is a parsed search: terms that must all appear.
type Query struct {
	Terms []string
}

// ParseQuery folds and splits a search box's text into terms. Quotes group
// words into one term; terms shorter than two characters are dropped; at most
// eight terms are kept.
func ParseQuery(s string) Query {
	var q Query
	s = Fold(s)
	if len(s) > 200 {
		s = s[:200]
	}
	var cur strings.Builder
	inQuote := false
	flush := func() {
		t := strings.TrimSpace(cur.String())
		cur.Reset()
		t = strings.Join(strings.Fields(t), " ")
		if len([]rune(t)) >= 2 && len(q.Terms) < 8 {
			q.Terms = append(q.Terms, t)
		}
	}
	for _, r := range s {
		switch {
		case r == '"':
			flush()
			inQuote = !inQuote
		case !inQuote && (unicode.IsSpace(r) || r == ','):
			flush()
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || unicode.IsSpace(r):
			cur.WriteRune(r)
		default:
			// Punctuation separates words; LIKE wildcards never reach SQL.
			if inQuote {
				cur.WriteRune(' ')
			} else {
				flush()
			}
		}
	}
	flush()
	return q
}
