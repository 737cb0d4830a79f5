package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// Every scenario runs on a small scale and reports what it measured: the
// benchmark that docs/PERFORMANCE.md quotes must keep working.
func TestScenariosRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a few thousand reports")
	}
	var out, progress bytes.Buffer
	opt := Options{Dir: t.TempDir(), Duration: 700 * time.Millisecond, Clients: 8, Reports: 3000, Export: 1500, JSON: true,
		Out: &out, Progress: &progress, GeoDir: os.Getenv("TOANDAN_TEST_GEO")}
	want := []string{"baseline", "intake", "geo-import", "dashboard-national", "dashboard-province", "dashboard-commune", "dashboard-map",
		"inbox", "search", "export-csv", "export-xlsx"}
	if pg := os.Getenv("TOANDAN_TEST_POSTGRES"); pg != "" {
		opt.Postgres = pg
		want = append(want, "intake-postgres")
	} else {
		t.Log("intake-postgres not run: set TOANDAN_TEST_POSTGRES to a PostgreSQL URL to run it")
	}
	results, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	got := map[string]Result{}
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r Result
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		got[r.Scenario] = r
	}
	if len(got) != len(results) {
		t.Fatalf("%d JSON objects for %d results", len(got), len(results))
	}
	for _, name := range want {
		r, ok := got[name]
		if !ok {
			t.Errorf("no result for %s", name)
			continue
		}
		if r.Ops == 0 || r.OpsPerS <= 0 || r.Errors != 0 || r.Target == "" {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if r := got["export-csv"]; r.Ops != 1500 {
		t.Errorf("export-csv wrote %d rows, want 1500", r.Ops)
	}
	if r := got["export-xlsx"]; r.Ops != 1500 {
		t.Errorf("export-xlsx wrote %d rows, want 1500", r.Ops)
	}
	if r := got["intake"]; !strings.Contains(r.Note, "of baseline") {
		t.Errorf("intake note %q has no ratio to the baseline", r.Note)
	}
}
