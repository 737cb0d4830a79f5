package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"toandan/internal/store"
	"toandan/internal/testutil"
)

// A citizen who changes province before the first list of communes has
// arrived gets the communes of the province now chosen: the slower answer
// for the first province must not replace them, nor undo the commune
// picked from them.
func TestReportFormLatestProvinceWins(t *testing.T) {
	srv := testutil.NewServer(t, store.SQLite)
	b := testutil.NewBrowser(t)
	srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
	b.Do(
		chromedp.Navigate(srv.URL+"/to-giac"),
		chromedp.WaitVisible(chromedp.ID("province_code")),
		// The communes of 79 arrive late, as on a slow network.
		chromedp.Evaluate[chromedp.Void](`(() => {
			const fetch0 = window.fetch;
			window.fetch = (u, o) => String(u).includes("parent=79")
				? new Promise(r => setTimeout(r, 400)).then(() => fetch0(u, o))
				: fetch0(u, o);
		})()`),
		chromedp.SetValue(chromedp.ID("province_code"), "79"),
		chromedp.SetValue(chromedp.ID("province_code"), "01"),
		chromedp.WaitReady(chromedp.CSS(`#commune_code option[value="T0101"]`)),
		chromedp.SetValue(chromedp.ID("commune_code"), "T0101"),
		chromedp.Sleep(800*time.Millisecond), // the late answer has come by now
	)
	codes := testutil.Eval[string](b, `[...document.querySelectorAll("#commune_code option")].map(o => o.value).join(",")`)
	if strings.Contains(codes, "T7901") || !strings.Contains(codes, "T0101") {
		t.Errorf("communes listed after choosing 79 then 01: %q", codes)
	}
	if v := testutil.Eval[string](b, `document.getElementById("commune_code").value`); v != "T0101" {
		t.Errorf("the commune chosen became %q", v)
	}
}
