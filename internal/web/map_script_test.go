package web_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"toandan/internal/account"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// hanoiFill is the colour of the class of 1 report, Hà Nội's alone.
const hanoiFill = "#c6dbef"

// hanoiPoint scrolls the map into view and returns a point of the screen
// where Hà Nội's shape is the topmost element, for the pointer to rest on.
const hanoiPoint = `(() => {
	document.getElementById("ban-do").scrollIntoView();
	const p = [...document.querySelectorAll("#ban-do path.leaflet-interactive")].find(p => p.getAttribute("fill") === "` + hanoiFill + `");
	const box = p.getBBox();
	for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
		const pt = new DOMPoint(box.x + box.width * i / 20, box.y + box.height * j / 20);
		if (!p.isPointInFill(pt)) continue;
		const s = pt.matrixTransform(p.getScreenCTM());
		if (document.elementFromPoint(s.x, s.y) === p) return [s.x, s.y];
	}
	return [];
})()`

// TestBrowserMap: in Chromium, under the site's content security policy,
// static/map.js draws the 34 provinces with Leaflet in the server's colours,
// with a legend; the grid stays under the map. The map as Leaflet draws it
// passes axe-core for the Ministry and for a province's officer, on a
// desktop screen and on a phone's, with a province's tooltip open and after
// it closed. (TestAccessibility audits the page without boundaries, the
// grid alone.)
func TestBrowserMap(t *testing.T) {
	t.Parallel()
	shapes, err := os.ReadFile(filepath.Join(testutil.GeoDir(t), "provinces-2025.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	srv := testutil.NewServer(t, store.SQLite)
	b := testutil.NewBrowser(t)
	srv.ImportCSV(t, testutil.SampleCommunes, geo.ReformDate)
	if _, err := srv.Main.Geo.ImportBoundaries(context.Background(), geo.BoundaryOptions{FileName: "provinces-2025.geojson", ValidFrom: geo.ReformDate, Actor: "test"}, shapes); err != nil {
		t.Fatal(err)
	}
	report(t, srv, "T0101")
	ministry := signIn(t, srv, "bo-cong-an", srv.CreateUser(t, "bo-cong-an", account.Ministry, "VN"))
	province := signIn(t, srv, "tinh-hn", srv.CreateUser(t, "tinh-hn", account.Province, "01"))
	a := &a11y{t: t, b: b, base: srv.URL}
	for _, c := range []struct {
		name     string
		session  string
		viewport chromedp.Action[chromedp.Void]
		phone    bool
	}{
		{"ministry, desktop", ministry, chromedp.EmulateViewport(1280, 800), false},
		{"ministry, phone", ministry, mobileViewport(), true},
		// Opens on Hà Nội, the other provinces drawn without figures.
		{"province officer, phone", province, mobileViewport(), true},
	} {
		b.SetSession(srv.URL, c.session)
		b.Do(
			c.viewport,
			chromedp.Navigate(srv.URL+"/can-bo/ban-do"),
			chromedp.WaitVisible(chromedp.CSS(`#ban-do path.leaflet-interactive`)),
			chromedp.WaitVisible(chromedp.CSS(`#ban-do .map-legend`)),
		)
		if n := testutil.Eval[int](b, `document.querySelectorAll("#ban-do path.leaflet-interactive").length`); n != 34 {
			t.Errorf("%s: the map draws %d provinces, want 34", c.name, n)
		}
		// Hà Nội's one report puts it in the top class, drawn in its colour.
		fills := testutil.Eval[[]string](b, `[...document.querySelectorAll("#ban-do path.leaflet-interactive")].map(p => p.getAttribute("fill"))`)
		if dark := len(slices.DeleteFunc(slices.Clone(fills), func(f string) bool { return f != hanoiFill })); dark != 1 {
			t.Errorf("%s: %d provinces drawn in the class of 1 report, want Hà Nội alone (fills %v)", c.name, dark, fills)
		}
		if h := testutil.Eval[float64](b, `document.getElementById("ban-do").getBoundingClientRect().height`); h < 200 {
			t.Errorf("%s: the map is %.0f px high: its style did not apply", c.name, h)
		}
		if n := testutil.Eval[int](b, `document.querySelectorAll(".province-grid li").length`); n != 34 {
			t.Errorf("%s: the grid under the map has %d provinces, want 34", c.name, n)
		}
		if s := b.Text("#ban-do .map-legend"); s == "" {
			t.Errorf("%s: the map has an empty legend", c.name)
		}
		if names := testutil.Eval[[]string](b, `[...document.querySelectorAll("#ban-do .leaflet-control-zoom a")].map(a => a.getAttribute("aria-label") + "|" + a.title)`); !slices.Equal(names, []string{"Phóng to|Phóng to", "Thu nhỏ|Thu nhỏ"}) {
			t.Errorf("%s: the zoom buttons are named %q, want them named in Vietnamese", c.name, names)
		}
		if c.phone {
			a.check(c.name)
		} else {
			a.audit(c.name)
		}

		// The pointer on Hà Nội opens its tooltip, which the shape points
		// to; the pointer away closes it, and the reference goes with it.
		xy := testutil.Eval[[]float64](b, hanoiPoint)
		if len(xy) != 2 {
			t.Fatalf("%s: no point of Hà Nội's shape is on the screen", c.name)
		}
		b.Do(
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, xy[0], xy[1]),
			chromedp.WaitVisible(chromedp.CSS(`#ban-do .leaflet-tooltip`)),
		)
		if s := b.Text("#ban-do .leaflet-tooltip"); s == "" || testutil.Eval[string](b, `document.querySelector("#ban-do path[aria-describedby]").getAttribute("aria-describedby") === document.querySelector("#ban-do .leaflet-tooltip").id ? "tied" : ""`) == "" {
			t.Errorf("%s: Hà Nội's tooltip %q is not tied to its shape", c.name, s)
		}
		a.audit(c.name + ", tooltip open")
		b.Do(
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1),
			chromedp.WaitNotPresent(chromedp.CSS(`#ban-do .leaflet-tooltip`)),
		)
		if dangling := testutil.Eval[[]string](b, `[...document.querySelectorAll("[aria-describedby]")].map(e => e.getAttribute("aria-describedby")).filter(id => !document.getElementById(id))`); len(dangling) > 0 {
			t.Errorf("%s: after the tooltip closed, aria-describedby names elements not on the page: %q", c.name, dangling)
		}
		a.audit(c.name + ", tooltip closed")
		if os.Getenv("TOANDAN_TEST_SCREENSHOTS") != "" {
			t.Logf("screenshot: %s", b.Screenshot("map-"+slug(c.name)))
		}
	}
}
