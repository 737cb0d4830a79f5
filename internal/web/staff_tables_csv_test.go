package web_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/deadline"
	"toandan/internal/geo"
	"toandan/internal/recognition"
	"toandan/internal/warning"
)

// Every table an officer sees downloads as CSV. The test visits every GET
// route of the router, with the request the authorization matrix makes for
// it, as officers of the nation, a province and a commune; each table on an
// HTML page must have its own CSV link, the link must give a CSV file with a
// header, and whoever the page is refused to is refused the file alike.
// Which tables were seen is checked against the templates, so a table the
// fixture never shows fails the test instead of passing it unseen.

// csvTableActors are the officers whose pages are visited: between them
// they see every kind of table (a nation-level officer also sees the
// nation's pages, the others their own unit's).
var csvTableActors = []string{"quan-tri", "tinh-01", "xa-T0101"}

// csvTableTexts are user texts that would run as formulas; the fixture puts
// them into the tables whose exports this test added, and each must come
// back neutralised.
var csvTableTexts = map[string]string{
	"warning":    "=HYPERLINK(\"http://evil.example\",\"Cảnh báo\")",
	"day off":    "+Ngày nghỉ thử công thức",
	"evaluation": "@SUM(1+1) nhận xét",
	"target":     "-1+1 Nghị quyết thử",
	"account":    "=1+1 Nguyễn Văn Công Thức",
}

var (
	tablePattern = regexp.MustCompile(`(?s)<table[ >].*?</table>`)
	theadPattern = regexp.MustCompile(`(?s)<thead>(.*?)</thead>`)
	tbodyPattern = regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`)
	csvLink      = regexp.MustCompile(`<a [^>]*href="([^"]*dinh-dang=csv[^"]*)"`)
	tagPattern   = regexp.MustCompile(`<[^>]*>`)
	actionToken  = regexp.MustCompile(`(?s){{-?\s*(.*?)\s*-?}}`)
)

func TestStaffTablesExportCSV(t *testing.T) {
	t.Parallel()
	templates := templateTables(t)
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newAuthzFixture(t, e)
			f.addTableRows(t)
			rules := authzRules()
			seen := map[string]bool{} // rendered table headers
			downloads := map[string][][]string{}
			pageOf := map[string]string{} // CSV link → a page that shows it
			pages := 0
			for _, p := range f.patterns() {
				if !strings.HasPrefix(p, "GET ") {
					continue
				}
				r, ok := rules[p]
				if !ok {
					t.Errorf("route %q has no entry in the authorization matrix, so this test cannot build a request for it", p)
					continue
				}
				for _, name := range csvTableActors {
					a := f.actor(name)
					c, ok := r.req(t, f, a, scopeOwn)
					if !ok || c.method != http.MethodGet || c.session != "" || r.expect(a, scopeOwn) != allow {
						continue
					}
					for _, path := range nationVariants(a, c.path) {
						res := f.send(t, a, call{method: http.MethodGet, path: path})
						if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
							continue
						}
						pages++
						for _, tb := range pageTables(t, path, res.Body) {
							seen[tb.head] = true
							what := p + " (" + path + " as " + a.name + "), table “" + tb.head + "”"
							if tb.link == "" {
								t.Errorf("%s: no CSV link (a link with dinh-dang=csv next to the table)", what)
								continue
							}
							key := a.name + " " + tb.link
							recs, ok := downloads[key]
							if !ok {
								recs = downloadCSV(t, f, a, what, tb.link)
								downloads[key] = recs
							}
							if _, ok := pageOf[tb.link]; !ok {
								pageOf[tb.link] = path
							}
							if recs != nil && tb.rows && len(recs) < 2 {
								t.Errorf("%s: the table has rows, its CSV (%s) none", what, tb.link)
							}
						}
					}
				}
			}
			// A download is refused to whoever the page is refused to, in
			// the same way.
			refusals := 0
			for link, path := range pageOf {
				u, err := url.Parse(link)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range f.actors {
					pg := f.send(t, a, call{method: http.MethodGet, path: path})
					if pg.Status == http.StatusOK {
						continue
					}
					refusals++
					got := f.send(t, a, call{method: http.MethodGet, path: u.RequestURI()})
					if got.Status != pg.Status || got.Location() != pg.Location() {
						t.Errorf("%s as %s: status %d, location %q; the page %s answers %d, %q", link, a.name, got.Status, got.Location(), path, pg.Status, pg.Location())
					}
				}
			}
			for _, tt := range templates {
				found := false
				for head := range seen {
					if tt.head.MatchString(head) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("the table of %s headed %q was on no page the test visited: make the fixture show it, so that its CSV link is checked", tt.file, tt.text)
				}
			}
			for what, text := range csvTableTexts {
				want := "'" + strings.TrimSpace(text)
				found := false
				for _, recs := range downloads {
					for _, rec := range recs {
						for _, cell := range rec {
							found = found || strings.Contains(cell, want)
						}
					}
				}
				if !found {
					t.Errorf("the %s text %q is in no CSV download as %q", what, text, want)
				}
			}
			t.Logf("%s: %d pages, %d kinds of table, %d CSV downloads, %d refused downloads", e, pages, len(seen), len(downloads), refusals)
		})
	}
}

// addTableRows adds to the matrix's fixture what its tables need to have
// rows: a festival plan, a model evaluation, a national recognition target,
// a warning, a day off and an account; texts come from csvTableTexts.
func (f *authzFixture) addTableRows(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	m := f.srv.Main
	admin := f.actor("quan-tri").user
	if err := m.Movement.SetPlan(ctx, admin, 2026, "01", 3, "Kế hoạch thử"); err != nil {
		t.Fatalf("plan: %v", err)
	}
	if _, err := m.Recognition.Evaluate(ctx, f.actor("xa-T0101").user, f.models["T0101"], "2026", true, csvTableTexts["evaluation"]); err != nil {
		t.Fatalf("evaluation: %v", err)
	}
	if _, err := m.Recognition.CreateTarget(ctx, admin, recognition.Target{Indicator: recognition.CommunesRecognisedPct,
		ScopeKind: recognition.ScopeUnit, Scope: geo.Nation, Year: 2026, Comparator: ">=", Value: 50, LegalSource: csvTableTexts["target"]}); err != nil {
		t.Fatalf("recognition target: %v", err)
	}
	if _, err := m.Warnings.Create(ctx, admin, warning.Input{Unit: "01", Category: "lua_dao_qua_mang", Title: csvTableTexts["warning"],
		Body: "Nội dung cảnh báo thử nghiệm."}, false); err != nil {
		t.Fatalf("warning: %v", err)
	}
	if err := deadline.AddDayOff(ctx, m.DB, "2031-01-03", csvTableTexts["day off"], deadline.KindHoliday); err != nil {
		t.Fatalf("day off: %v", err)
	}
	if _, err := m.Accounts.Create(ctx, account.NewUser{Username: "cong-thuc", DisplayName: csvTableTexts["account"], Role: account.Commune,
		UnitCode: "T0101", Password: "mat-khau-cong-thuc-2026"}, "test"); err != nil {
		t.Fatalf("account: %v", err)
	}
}

// nationVariants is the path, and for a nation-level officer the same page
// of the nation when the path names the officer's own province.
func nationVariants(a *actor, path string) []string {
	out := []string{path}
	if a.nation() {
		r := strings.NewReplacer("don-vi="+a.ownP, "don-vi="+geo.Nation, "/dia-ban/"+a.ownP, "/dia-ban/"+geo.Nation)
		if v := r.Replace(path); v != path {
			out = append(out, v)
		}
	}
	return out
}

// shownTable is a table of a page: its header text, whether its body has
// rows, and the CSV link that goes with it (resolved against the page).
type shownTable struct {
	head string
	rows bool
	link string
}

// pageTables finds the tables of a page and pairs each with a CSV link: the
// nearest unclaimed one between the previous table and this one, or else the
// first unclaimed one between this table and the next. Two tables of a page
// may not share a link.
func pageTables(t *testing.T, path, body string) []shownTable {
	t.Helper()
	base, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	spans := tablePattern.FindAllStringIndex(body, -1)
	type link struct {
		at   int
		href string
	}
	var links []link
	for _, m := range csvLink.FindAllStringSubmatchIndex(body, -1) {
		ref, err := url.Parse(html.UnescapeString(body[m[2]:m[3]]))
		if err != nil {
			t.Errorf("%s: CSV link %q: %v", path, body[m[2]:m[3]], err)
			continue
		}
		links = append(links, link{at: m[0], href: base.ResolveReference(ref).String()})
	}
	claimed := map[int]bool{}
	used := map[string]string{}
	out := make([]shownTable, 0, len(spans))
	for i, sp := range spans {
		table := body[sp[0]:sp[1]]
		var st shownTable
		if m := tbodyPattern.FindStringSubmatch(table); m != nil {
			st.rows = strings.Contains(m[1], "<tr")
		}
		if m := theadPattern.FindStringSubmatch(table); m != nil {
			st.head = plainText(m[1])
		}
		prevEnd, nextStart := 0, len(body)
		if i > 0 {
			prevEnd = spans[i-1][1]
		}
		if i+1 < len(spans) {
			nextStart = spans[i+1][0]
		}
		pick := -1
		for j, l := range links {
			if !claimed[j] && l.at > prevEnd && l.at < sp[0] {
				pick = j // the nearest before the table wins
			}
		}
		if pick < 0 {
			for j, l := range links {
				if !claimed[j] && l.at > sp[1] && l.at < nextStart {
					pick = j
					break
				}
			}
		}
		if pick >= 0 {
			claimed[pick] = true
			st.link = links[pick].href
			if other, ok := used[st.link]; ok {
				t.Errorf("%s: tables “%s” and “%s” share the CSV link %s", path, other, st.head, st.link)
			}
			used[st.link] = st.head
		}
		out = append(out, st)
	}
	return out
}

// downloadCSV follows a CSV link as a and returns its records, or nil after
// reporting what is wrong with it. A text cell must not run as a formula.
func downloadCSV(t *testing.T, f *authzFixture, a *actor, what, link string) [][]string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Errorf("%s: CSV link %q: %v", what, link, err)
		return nil
	}
	res := f.send(t, a, call{method: http.MethodGet, path: u.RequestURI()})
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("%s: GET %s: status %d, Content-Type %q; want 200 text/csv\n%s", what, link, res.Status, res.Header.Get("Content-Type"), excerpt(res.Body))
		return nil
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Errorf("%s: GET %s: %d records, %v", what, link, len(recs), err)
		return nil
	}
	for i, h := range recs[0] {
		if strings.TrimSpace(h) == "" {
			t.Errorf("%s: GET %s: header %q has an empty column %d", what, link, recs[0], i+1)
		}
	}
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if formulaCell(cell) {
				t.Errorf("%s: GET %s: cell %q could run as a formula", what, link, cell)
			}
		}
	}
	return recs
}

// formulaCell reports whether a spreadsheet would read cell as a formula:
// it starts with = + - @, a tab or a carriage return and is not a number.
func formulaCell(cell string) bool {
	if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return false
	}
	_, err := strconv.ParseFloat(cell, 64)
	return err != nil
}

// plainText is the text of an HTML fragment with single spaces.
func plainText(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagPattern.ReplaceAllString(s, " "))), " ")
}

// templateTable is a table of a template: the file, the header as written,
// and a pattern its rendered header text matches.
type templateTable struct {
	file string
	text string
	head *regexp.Regexp
}

// templateTables reads every table out of the page templates. A header's
// pattern keeps the fixed text; actions and whatever {{if}}, {{range}} or
// {{with}} enclose match anything.
func templateTables(t *testing.T) []templateTable {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("templates", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v (%d files)", err, len(files))
	}
	var out []templateTable
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range tablePattern.FindAllString(string(b), -1) {
			m := theadPattern.FindStringSubmatch(table)
			if m == nil {
				t.Errorf("%s: a table without <thead>: this test cannot tell it apart", file)
				continue
			}
			out = append(out, templateTable{file: filepath.Base(file), text: plainText(m[1]), head: headPattern(m[1])})
		}
	}
	return out
}

func headPattern(thead string) *regexp.Regexp {
	var parts []string
	wild := func() {
		if len(parts) == 0 || parts[len(parts)-1] != ".*" {
			parts = append(parts, ".*")
		}
	}
	depth, at := 0, 0
	for _, m := range actionToken.FindAllStringSubmatchIndex(thead, -1) {
		if depth == 0 {
			if text := plainText(thead[at:m[0]]); text != "" {
				parts = append(parts, strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`))
			}
		}
		action := thead[m[2]:m[3]]
		switch word, _, _ := strings.Cut(action, " "); word {
		case "if", "range", "with", "block":
			depth++
		case "end":
			depth--
		}
		wild()
		at = m[1]
	}
	if text := plainText(thead[at:]); text != "" {
		parts = append(parts, strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`))
	}
	return regexp.MustCompile(`^\s*` + strings.Join(parts, `\s*`) + `\s*$`)
}
