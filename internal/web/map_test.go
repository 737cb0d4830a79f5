package web_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/crimesource"
	"toandan/internal/dashboard"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// report receives an anonymous citizen's report for commune.
func report(t *testing.T, srv *testutil.Server, commune string) {
	t.Helper()
	if _, err := srv.Main.Sources.Submit(context.Background(), crimesource.Intake{Category: "cong_nghe_cao", CommuneCode: commune,
		Description: "Bị lừa chuyển tiền qua mạng xã hội, cần công an xác minh.", Anonymous: true}, crimesource.Actor{}); err != nil {
		t.Fatalf("report for %s: %v", commune, err)
	}
}

// tile is one province of the map page's grid.
type tile struct{ Class, Name, Text string }

var tilePattern = regexp.MustCompile(`<li class="(lop-\d)">(?:<a href="[^"]*">|<span class="name">)([^<]+)</(?:a|span)>\s*<span class="value">([^<]+)</span></li>`)

// tiles reads the grid of a map page, by province name.
func tiles(t *testing.T, body string) map[string]tile {
	t.Helper()
	out := map[string]tile{}
	for _, m := range tilePattern.FindAllStringSubmatch(body, -1) {
		out[m[2]] = tile{m[1], m[2], m[3]}
	}
	return out
}

var legendPattern = regexp.MustCompile(`<li><span class="swatch (lop-\d)" aria-hidden="true"></span>([^<]+)</li>`)

func legendOf(body string) []string {
	var out []string
	for _, m := range legendPattern.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out
}

// mapFile is the JSON of the map, as the script reads it.
type mapFile struct {
	Type      string `json:"type"`
	Indicator struct {
		Code string `json:"code"`
	} `json:"indicator"`
	Year   int `json:"year"`
	Legend []struct {
		Class, Label, Fill string
	} `json:"legend"`
	Features []struct {
		Type       string `json:"type"`
		Properties struct {
			Code  string   `json:"code"`
			Name  string   `json:"name"`
			Value *float64 `json:"value"`
			Text  string   `json:"text"`
			Class string   `json:"class"`
			Fill  string   `json:"fill"`
		} `json:"properties"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
	WithoutBoundary []string `json:"without_boundary"`
	Focus           []string `json:"focus"`
}

func mapJSON(t *testing.T, srv *testutil.Server, c *http.Client, query string) mapFile {
	t.Helper()
	r := get(t, srv, c, "/can-bo/ban-do/du-lieu.json"+query)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("map data %s: status %d, type %q\n%s", query, r.Status, r.Header.Get("Content-Type"), excerpt(r.Body))
	}
	var m mapFile
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("map data %s: %v", query, err)
	}
	return m
}

// TestMapWithoutBoundaries: before any boundary is imported the map page is
// a grid of the 34 provinces coloured by the same classes, with no script;
// a province's officer sees only their province's figure.
func TestMapWithoutBoundaries(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, geo.ReformDate)
			report(t, srv, "T0101")
			report(t, srv, "T0102")
			report(t, srv, "T7901")
			bo := officer(t, srv, "bo-cong-an", account.Ministry, "VN")
			hcm := officer(t, srv, "tinh-79", account.Province, "79")

			r := get(t, srv, bo, "/can-bo/ban-do")
			if r.Status != http.StatusOK {
				t.Fatalf("map page: status %d\n%s", r.Status, excerpt(r.Body))
			}
			for _, bad := range []string{`id="ban-do"`, "map.js", "leaflet"} {
				if strings.Contains(r.Body, bad) {
					t.Errorf("map page without boundaries has %s", bad)
				}
			}
			if !strings.Contains(r.Body, "Chưa có ranh giới tỉnh") {
				t.Error("map page does not say why there is no map")
			}
			grid := tiles(t, r.Body)
			if len(grid) != 34 {
				t.Fatalf("grid of %d provinces, want 34", len(grid))
			}
			// 2 and 1 sources: classes 0, 1 and 2.
			for name, want := range map[string]tile{
				"Thành phố Hà Nội":      {"lop-3", "Thành phố Hà Nội", "2 nguồn tin"},
				"Thành phố Hồ Chí Minh": {"lop-2", "Thành phố Hồ Chí Minh", "1 nguồn tin"},
				"Tỉnh Cà Mau":           {"lop-1", "Tỉnh Cà Mau", "0 nguồn tin"},
			} {
				if grid[name] != want {
					t.Errorf("tile of %s: %+v, want %+v", name, grid[name], want)
				}
			}
			if got, want := strings.Join(legendOf(r.Body), "; "), "lop-1 0; lop-2 1; lop-3 2"; got != want {
				t.Errorf("legend %q, want %q", got, want)
			}

			// The officer of 79 sees 79's figure only; the legend is made
			// of what they see.
			r = get(t, srv, hcm, "/can-bo/ban-do")
			grid = tiles(t, r.Body)
			if got := grid["Thành phố Hà Nội"]; got.Class != "lop-0" || got.Text != "Ngoài phạm vi" {
				t.Errorf("officer of 79 sees Hà Nội as %+v, want it out of scope", got)
			}
			if got := grid["Thành phố Hồ Chí Minh"]; got.Class != "lop-2" || got.Text != "1 nguồn tin" {
				t.Errorf("officer of 79 sees their city as %+v", got)
			}
			if strings.Contains(r.Body, "don-vi=01&amp;") {
				t.Error("officer of 79 gets a link to Hà Nội's dashboard")
			}
			if got, want := strings.Join(legendOf(r.Body), "; "), "lop-1 0; lop-2 1; lop-0 Ngoài phạm vi quản lý"; got != want {
				t.Errorf("legend of 79 %q, want %q", got, want)
			}

			// The data has nothing to draw and says so.
			m := mapJSON(t, srv, bo, "")
			if m.Type != "FeatureCollection" || len(m.Features) != 0 || len(m.WithoutBoundary) != 34 || m.Indicator.Code != dashboard.MapReceived || m.Year != 2026 {
				t.Errorf("map data without boundaries: type %q, %d features, %d without boundary, indicator %q, year %d",
					m.Type, len(m.Features), len(m.WithoutBoundary), m.Indicator.Code, m.Year)
			}
			for _, q := range []string{"?chi-so=dan-so", "?nam=1990", "?nam=abc"} {
				r := get(t, srv, bo, "/can-bo/ban-do/du-lieu.json"+q)
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"error"`) {
					t.Errorf("map data %s: status %d, body %q; want 400 with an error", q, r.Status, r.Body)
				}
				if r := get(t, srv, bo, "/can-bo/ban-do"+q); r.Status != http.StatusBadRequest {
					t.Errorf("map page %s: status %d, want 400", q, r.Status)
				}
			}
		})
	}
}

// TestMapData: with the real boundaries imported, the map's data holds the
// 34 provinces, each with its shape and its figure, and the figures are
// those of the provinces' dashboards.
func TestMapData(t *testing.T) {
	t.Parallel()
	dir := testutil.GeoDir(t)
	shapes, err := os.ReadFile(filepath.Join(dir, "provinces-2025.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportGeo(t, "units-2025.csv", geo.ReformDate, "", "")
			ctx := context.Background()
			m := srv.Main
			if _, err := m.Geo.ImportBoundaries(ctx, geo.BoundaryOptions{FileName: "provinces-2025.geojson", ValidFrom: geo.ReformDate, Actor: "test"}, shapes); err != nil {
				t.Fatalf("import boundaries: %v", err)
			}
			// Sources in Hà Nội (2) and Hồ Chí Minh (1), left to run late.
			srv.Clock.Set(testutil.DefaultNow.AddDate(0, 0, -20))
			report(t, srv, "00004")
			report(t, srv, "00004")
			report(t, srv, "25747")
			srv.Clock.Set(testutil.DefaultNow)
			// A festival plan of 2 points for Hà Nội, 1 held.
			bo := officer(t, srv, "bo-cong-an", account.Ministry, "VN")
			ministry, err := m.Accounts.ByUsername(ctx, "bo-cong-an")
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Movement.SetPlan(ctx, ministry, 2026, "01", 2, "Kế hoạch thử"); err != nil {
				t.Fatal(err)
			}
			srv.CreateUser(t, "xa-00004", account.Commune, "00004")
			commune, err := m.Accounts.ByUsername(ctx, "xa-00004")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Movement.RecordPoint(ctx, commune, movement.PointInput{Year: 2026, Commune: "00004", HeldOn: "2026-08-19", Place: "Nhà văn hóa", Participants: 100}); err != nil {
				t.Fatal(err)
			}
			// A commune of Hà Nội recognised "An toàn về an ninh, trật tự" in
			// 2026, as the end of a cycle leaves it.
			if _, err := m.DB.Exec(ctx, `INSERT INTO recognition_cycles (set_id, year, subject_kind, subject_code, commune_code, status, registered_at)
				VALUES ((SELECT MIN(id) FROM criteria_sets), 2026, 'commune', '00004', '00004', 'recognised', ?)`, store.FormatTime(testutil.DefaultNow)); err != nil {
				t.Fatal(err)
			}
			// The map is read before the database has planner statistics,
			// as right after an import; it must not need them.
			maps := map[string]mapFile{}
			for _, ind := range dashboard.MapIndicators() {
				maps[ind.Code] = mapJSON(t, srv, bo, "?chi-so="+ind.Code+"&nam=2026")
			}
			if e == store.Postgres {
				// The dashboards that check the map read the units through
				// a query that wants them; a database in service has them.
				if _, err := m.DB.Exec(ctx, "ANALYZE"); err != nil {
					t.Fatal(err)
				}
			}
			dash := &dashboard.Service{DB: m.DB, Geo: m.Geo, Movement: m.Movement, Recognition: m.Recognition, Clock: m.Clock, AtRiskDays: m.Sources.AtRiskDays}
			want := func(code, indicator string) *float64 {
				d, err := dash.Get(ctx, code, 2026)
				if err != nil {
					t.Fatal(err)
				}
				var v float64
				switch indicator {
				case dashboard.MapReceived:
					v = float64(d.Sources.Received)
				case dashboard.MapOverdue:
					v = float64(d.Sources.Overdue)
				case dashboard.MapFestival:
					if d.Festival.Planned == 0 {
						return nil
					}
					v = d.Festival.PlanPct
				case dashboard.MapRecognised:
					if d.Recognition.CommunesRecognisedPct.NoData {
						return nil
					}
					v = d.Recognition.CommunesRecognisedPct.Value
				}
				return &v
			}

			valued := map[string]int{}
			for _, ind := range dashboard.MapIndicators() {
				data := maps[ind.Code]
				if len(data.Features) != 34 || len(data.WithoutBoundary) != 0 {
					t.Fatalf("%s: %d features, %d without boundary; want 34 and 0", ind.Code, len(data.Features), len(data.WithoutBoundary))
				}
				classes := map[string]string{}
				for _, c := range data.Legend {
					classes[c.Class] = c.Fill
				}
				for _, f := range data.Features {
					p := f.Properties
					if f.Type != "Feature" || f.Geometry.Type != "MultiPolygon" || len(f.Geometry.Coordinates) < 100 {
						t.Errorf("%s: %s is a %s %s of %d bytes", ind.Code, p.Code, f.Type, f.Geometry.Type, len(f.Geometry.Coordinates))
					}
					if fill, ok := classes[p.Class]; !ok || fill != p.Fill {
						t.Errorf("%s: %s in class %s (%s), which the legend gives as %q", ind.Code, p.Code, p.Class, p.Fill, fill)
					}
					if p.Value != nil {
						valued[ind.Code]++
					}
					if p.Code != "01" && p.Code != "79" {
						continue
					}
					w := want(p.Code, ind.Code)
					switch {
					case (w == nil) != (p.Value == nil):
						t.Errorf("%s: %s has value %v, its dashboard %v", ind.Code, p.Code, p.Value, w)
					case w != nil && math.Abs(*w-*p.Value) > 1e-9:
						t.Errorf("%s: %s has %v, its dashboard %v", ind.Code, p.Code, *p.Value, *w)
					}
				}
			}
			if valued[dashboard.MapReceived] != 34 || valued[dashboard.MapOverdue] != 34 || valued[dashboard.MapRecognised] != 34 {
				t.Errorf("provinces with a value: %v; want 34 for sources received, overdue and recognition", valued)
			}
			if valued[dashboard.MapFestival] != 1 {
				t.Errorf("%d provinces with a festival figure, want Hà Nội's alone (the only plan)", valued[dashboard.MapFestival])
			}
			// The figures must have something to show.
			for _, x := range []struct{ code, ind string }{{"01", dashboard.MapReceived}, {"79", dashboard.MapOverdue}, {"01", dashboard.MapRecognised}} {
				if w := want(x.code, x.ind); *w == 0 {
					t.Errorf("%s of %s is 0: the test data should make it more", x.ind, x.code)
				}
			}
			if w := want("01", dashboard.MapFestival); w == nil || *w != 50 {
				t.Errorf("Hà Nội's festival: %v, want 50%%", w)
			}

			// A province's officer gets every shape and their own figure,
			// and the map opens on their province.
			hcm := officer(t, srv, "tinh-79", account.Province, "79")
			data := mapJSON(t, srv, hcm, "")
			if len(data.Focus) != 1 || data.Focus[0] != "79" || len(maps[dashboard.MapReceived].Focus) != 0 {
				t.Errorf("focus: %q for the officer of 79, %q for the Ministry; want 79 and none", data.Focus, maps[dashboard.MapReceived].Focus)
			}
			for _, f := range data.Features {
				if own := f.Properties.Code == "79"; own != (f.Properties.Value != nil) || (!own && f.Properties.Text != "Ngoài phạm vi") {
					t.Errorf("officer of 79 gets %s with value %v, text %q", f.Properties.Code, f.Properties.Value, f.Properties.Text)
				}
			}

			// The page loads the map over the grid, from this site only.
			r := get(t, srv, bo, "/can-bo/ban-do?chi-so=qua-han")
			if r.Status != http.StatusOK {
				t.Fatalf("map page: status %d", r.Status)
			}
			for _, s := range []string{`id="ban-do"`, `data-src="/can-bo/ban-do/du-lieu.json?chi-so=qua-han&amp;nam=2026"`,
				`<script src="/static/vendor/leaflet/leaflet.js" defer></script>`, `<script src="/static/map.js" defer></script>`,
				`<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">`} {
				if !strings.Contains(r.Body, s) {
					t.Errorf("map page lacks %s", s)
				}
			}
			if len(tiles(t, r.Body)) != 34 {
				t.Error("map page with boundaries lacks the grid of 34 provinces")
			}
			if strings.Contains(r.Body, "<script>") || strings.Contains(r.Header.Get("Content-Security-Policy"), "unsafe-inline") {
				t.Error("the map page needs an inline script")
			}
			sameOriginOnly(t, r.Body, "map page")
			for path, typ := range map[string]string{"/static/map.js": "text/javascript", "/static/vendor/leaflet/leaflet.js": "text/javascript",
				"/static/vendor/leaflet/leaflet.css": "text/css", "/static/vendor/leaflet/images/layers.png": "image/png"} {
				r := get(t, srv, srv.NewClient(t), path)
				if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), typ) {
					t.Errorf("%s: status %d, type %q", path, r.Status, r.Header.Get("Content-Type"))
				}
			}
		})
	}
}

// TestMapPalette: the style sheet colours the grid as the map is coloured,
// and every class's text is readable on its background (WCAG AA, 4.5:1).
func TestMapPalette(t *testing.T) {
	css, err := os.ReadFile(filepath.Join("static", "style.css"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range dashboard.Palette() {
		rule := "." + c.Key + "{background:" + c.Fill + ";color:" + c.Text + "}"
		if !strings.Contains(string(css), rule) {
			t.Errorf("style.css lacks %s", rule)
		}
		if r := contrast(t, c.Fill, c.Text); r < 4.5 {
			t.Errorf("%s: %s on %s has a contrast of %.2f, want 4.5 or more", c.Key, c.Text, c.Fill, r)
		}
	}
}

// contrast is the WCAG 2 contrast ratio of two #rrggbb colours.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	lum := func(hex string) float64 {
		v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
		if err != nil || len(hex) != 7 {
			t.Fatalf("colour %q", hex)
		}
		ch := func(x uint64) float64 {
			c := float64(x) / 255
			if c <= 0.03928 {
				return c / 12.92
			}
			return math.Pow((c+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(v>>16&0xff) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
