package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toandan/internal/testutil"
)

// TestCLIImportBoundaries: the real file's 34 provinces are imported once;
// a file with a bad feature imports nothing and names the feature.
func TestCLIImportBoundaries(t *testing.T) {
	t.Parallel()
	file := filepath.Join(testutil.GeoDir(t), "provinces-2025.geojson")
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			v := newEnv(t, e)
			count := func() int { return v.count(t, "SELECT COUNT(*) FROM province_boundaries") }

			code, out, errOut := v.run(t, "", "geo", "import-boundaries", "--valid-from", "2025-07-01", file)
			if code != 0 || !strings.Contains(out, "34 provinces read: 34 new, 0 replaced, 0 unchanged") {
				t.Fatalf("import: exit %d\nstdout %s\nstderr %s", code, out, errOut)
			}
			if n := count(); n != 34 {
				t.Errorf("%d boundaries stored, want 34", n)
			}
			code, out, errOut = v.run(t, "", "geo", "import-boundaries", "--valid-from", "2025-07-01", file)
			if code != 0 || !strings.Contains(out, "nothing changed") {
				t.Errorf("second import: exit %d, stdout %s", code, out)
			}
			if want := "reading GeoJSON...\nprovinces read: 34\nchecking...\nwriting boundaries... 34/34\nsaving...\ndone in 0.0 s\n"; errOut != want {
				t.Errorf("second import progress: %q, want %q", errOut, want)
			}

			// Valid features first, then a province that does not exist: all
			// or nothing.
			bad := filepath.Join(t.TempDir(), "bad.geojson")
			ring := `[[[105,21],[106,21],[106,22],[105,21]]]`
			if err := os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[
				{"type":"Feature","properties":{"code":"01"},"geometry":{"type":"Polygon","coordinates":`+ring+`}},
				{"type":"Feature","properties":{"ma_tinh":"99"},"geometry":{"type":"Polygon","coordinates":`+ring+`}}]}`), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut = v.run(t, "", "geo", "import-boundaries", "--valid-from", "2026-01-01", bad)
			if code != 1 || !strings.Contains(errOut, "nothing was imported") || !strings.Contains(errOut, "features[1] (mã 99)") {
				t.Errorf("bad file: exit %d\nstdout %s\nstderr %s", code, out, errOut)
			}
			// The progress stops where the import did, without "done".
			if !strings.HasPrefix(errOut, "reading GeoJSON...\nprovinces read: 2\nchecking...\ntoandan: import failed") {
				t.Errorf("progress of a refused file: %q", errOut)
			}
			if n := count(); n != 34 {
				t.Errorf("%d boundaries after a refused file, want 34", n)
			}
			// Not a FeatureCollection.
			if err := os.WriteFile(bad, []byte(`{"type":"Feature","properties":{"code":"01"},"geometry":null}`), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := v.run(t, "", "geo", "import-boundaries", "--valid-from", "2026-01-01", bad); code != 1 || !strings.Contains(errOut, "FeatureCollection") {
				t.Errorf("a Feature alone: exit %d, stderr %s", code, errOut)
			}

			for _, args := range [][]string{
				{"geo", "import-boundaries", file},
				{"geo", "import-boundaries", "--valid-from", "2025-07-01"},
			} {
				if code, _, errOut := v.run(t, "", args...); code != 2 || !strings.Contains(errOut, "import-boundaries needs") {
					t.Errorf("%q: exit %d, stderr %s; want a usage error", args, code, errOut)
				}
			}
		})
	}
}
