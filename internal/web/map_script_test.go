package web_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"toandan/internal/account"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// TestBrowserMap: in Chromium, under the site's content security policy,
// static/map.js draws the 34 provinces with Leaflet in the server's colours,
// with a legend; the grid stays under the map.
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
	b.SetSession(srv.URL, signIn(t, srv, "bo-cong-an", srv.CreateUser(t, "bo-cong-an", account.Ministry, "VN")))
	b.Do(
		chromedp.Navigate(srv.URL+"/can-bo/ban-do"),
		chromedp.WaitVisible(chromedp.CSS(`#ban-do path.leaflet-interactive`)),
		chromedp.WaitVisible(chromedp.CSS(`#ban-do .map-legend`)),
	)
	if n := testutil.Eval[int](b, `document.querySelectorAll("#ban-do path.leaflet-interactive").length`); n != 34 {
		t.Errorf("the map draws %d provinces, want 34", n)
	}
	// Hà Nội's one report puts it in the top class, drawn in its colour.
	fills := testutil.Eval[[]string](b, `[...document.querySelectorAll("#ban-do path.leaflet-interactive")].map(p => p.getAttribute("fill"))`)
	dark := 0
	for _, f := range fills {
		if f == "#c6dbef" {
			dark++
		}
	}
	if dark != 1 {
		t.Errorf("%d provinces drawn in the class of 1 report, want Hà Nội alone (fills %v)", dark, fills)
	}
	if h := testutil.Eval[float64](b, `document.getElementById("ban-do").getBoundingClientRect().height`); h < 200 {
		t.Errorf("the map is %.0f px high: its style did not apply", h)
	}
	if n := testutil.Eval[int](b, `document.querySelectorAll(".province-grid li").length`); n != 34 {
		t.Errorf("the grid under the map has %d provinces, want 34", n)
	}
	if s := b.Text("#ban-do .map-legend"); s == "" {
		t.Error("the map has an empty legend")
	}
	if os.Getenv("TOANDAN_TEST_SCREENSHOTS") != "" {
		t.Logf("screenshot: %s", b.Screenshot("map"))
	}
}
