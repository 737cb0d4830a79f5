package crimesource_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/crimesource"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Lừa đảo qua mạng", "lua dao qua mang"},
		{"LỪA ĐẢO", "lua dao"},
		{norm.NFD.String("Lừa đảo"), "lua dao"},
		{"Đắk Lắk", "dak lak"},
		{"đường", "duong"},
		{"Nguyễn Thị Ngọc Ánh", "nguyen thi ngoc anh"},
		{"TG-2026-7K3Q9M2P", "tg-2026-7k3q9m2p"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := crimesource.Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"lua dao", []string{"lua", "dao"}},
		{"Lừa   ĐẢO", []string{"lua", "dao"}},
		{norm.NFD.String("lừa đảo"), []string{"lua", "dao"}},
		{`"lừa đảo" qua mạng`, []string{"lua dao", "qua", "mang"}},
		{`"  lừa    đảo  "`, []string{"lua dao"}},
		{`"lừa đảo`, []string{"lua dao"}}, // unclosed quote
		{`""`, nil},
		{"a b cd", []string{"cd"}}, // one-letter terms match too much
		{"lua,dao;mang.com", []string{"lua", "dao", "mang", "com"}},
		{"O'Brien", []string{"brien"}},
		{"TG-2026-7K3Q", []string{"tg-2026-7k3q"}},
		{"100%", []string{"100"}},
		{"tiền_tiết", []string{"tien", "tiet"}},
		{`"50%_giảm"`, []string{"50 giam"}},
		{"%", nil},
		{"_", nil},
		{"%%__%%", nil},
		{`\%`, nil},
		{`a\_b`, nil},
		{"'; DROP TABLE sources; --", []string{"drop", "table", "sources", "--"}},
		{"aa bb cc dd ee ff gg hh ii jj", []string{"aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh"}},
		{"", nil},
		{"   \t\n", nil},
	}
	for _, tc := range tests {
		got := crimesource.ParseQuery(tc.in).Terms
		if !slices.Equal(got, tc.want) {
			t.Errorf("ParseQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}

	// A very long box is cut, not refused, and still gives clean terms.
	long := strings.Repeat("lừa đảo ", 100)
	if q := crimesource.ParseQuery(long); len(q.Terms) != 8 {
		t.Errorf("long query: %d terms, want 8", len(q.Terms))
	}
	// Every ASCII character alone, and inside a word, keeps the wildcards
	// out.
	for c := byte(0); c < 128; c++ {
		for _, s := range []string{string(c), "ab" + string(c) + "cd", `"ab` + string(c) + `cd"`} {
			checkTerms(t, s, crimesource.ParseQuery(s).Terms)
		}
	}
}

// checkTerms holds for the terms of any query: safe to put between LIKE
// wildcards as they are.
func checkTerms(t *testing.T, in string, terms []string) {
	t.Helper()
	if len(terms) > 8 {
		t.Errorf("ParseQuery(%q): %d terms", in, len(terms))
	}
	for _, term := range terms {
		if strings.ContainsAny(term, `%_\"'`) {
			t.Errorf("ParseQuery(%q): term %q holds a wildcard, escape or quote", in, term)
		}
		if !utf8.ValidString(term) {
			t.Errorf("ParseQuery(%q): term %q is not valid UTF-8", in, term)
		}
		if utf8.RuneCountInString(term) < 2 {
			t.Errorf("ParseQuery(%q): term %q is shorter than 2", in, term)
		}
		if term != strings.TrimSpace(term) || strings.Contains(term, "  ") {
			t.Errorf("ParseQuery(%q): term %q has stray spaces", in, term)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"lua dao", `"lừa đảo" qua mạng`, "%", "_", `\%`, "100%_", "Đắk Lắk", `"unclosed`, "\xff\xfe", strings.Repeat("é", 150)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkTerms(t, s, crimesource.ParseQuery(s).Terms)
	})
}
