package geo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

// square is a closed ring around (lon, lat).
func square(lon, lat float64) string {
	return fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]", lon, lat, lon+0.5, lat, lon+0.5, lat+0.5, lon, lat+0.5, lon, lat)
}

// feature is a feature with a Polygon around (lon, lat) and the given
// properties (JSON object members).
func feature(props string, lon, lat float64) string {
	return `{"type":"Feature","properties":{` + props + `},"geometry":{"type":"Polygon","coordinates":[` + square(lon, lat) + `]}}`
}

func collection(features ...string) []byte {
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`)
}

// sourceShape is the geometry of one feature of the source file, decoded
// independently of the code under test.
type sourceShape struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// vertices counts the positions of a Polygon or MultiPolygon.
func vertices(t *testing.T, g sourceShape) int {
	t.Helper()
	var polys [][][][]float64
	if g.Type == "Polygon" {
		var p [][][]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			t.Fatal(err)
		}
		polys = [][][][]float64{p}
	} else if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range polys {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

func boundaryCount(t *testing.T, db *store.DB) int {
	t.Helper()
	return countRows(t, db, "province_boundaries")
}

// TestImportBoundariesReal imports the 34 provinces of the real file: every
// province gets its shape with every vertex of the file, stored smaller than
// the file, and a second import changes nothing.
func TestImportBoundariesReal(t *testing.T) {
	t.Parallel()
	data := geoFile(t, "provinces-2025.geojson")
	var src struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   sourceShape    `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &src); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, f := range src.Features {
		want[f.Properties["code"].(string)] = vertices(t, f.Geometry)
	}
	if len(want) != 34 {
		t.Fatalf("the file has %d provinces, want 34", len(want))
	}
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		res, err := s.ImportBoundaries(ctx, geo.BoundaryOptions{FileName: "provinces-2025.geojson", ValidFrom: geo.ReformDate, Actor: "test"}, data)
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if res.Features != 34 || res.Inserted != 34 || res.Updated != 0 || res.Unchanged != 0 {
			t.Errorf("result %+v, want 34 features, 34 inserted", res)
		}
		if res.Bytes <= 0 || res.Bytes >= len(data) {
			t.Errorf("stored %d bytes of geometry for a file of %d: want less, and more than nothing", res.Bytes, len(data))
		}
		bs, err := s.Boundaries(ctx, s.Today())
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != 34 {
			t.Fatalf("%d boundaries in force today, want 34", len(bs))
		}
		for _, b := range bs {
			var g sourceShape
			if err := json.Unmarshal(b.Geometry, &g); err != nil {
				t.Fatalf("boundary of %s: %v", b.ProvinceCode, err)
			}
			if g.Type != "MultiPolygon" {
				t.Errorf("boundary of %s is a %s, want the file's MultiPolygon", b.ProvinceCode, g.Type)
			}
			if n := vertices(t, g); n != want[b.ProvinceCode] {
				t.Errorf("boundary of %s has %d vertices, the file %d: nothing may be simplified", b.ProvinceCode, n, want[b.ProvinceCode])
			}
			if b.ValidFrom != geo.ReformDate {
				t.Errorf("boundary of %s from %s, want %s", b.ProvinceCode, b.ValidFrom, geo.ReformDate)
			}
		}
		if n := countRows(t, db, "geo_imports"); n != 1 {
			t.Errorf("%d imports recorded, want 1", n)
		}
		verifyAudit(t, db)

		again, err := s.ImportBoundaries(ctx, geo.BoundaryOptions{FileName: "provinces-2025.geojson", ValidFrom: geo.ReformDate, Actor: "test"}, data)
		if err != nil {
			t.Fatalf("second import: %v", err)
		}
		if again.Changed() || again.Unchanged != 34 {
			t.Errorf("second import %+v, want 34 unchanged and nothing changed", again)
		}
		if n := countRows(t, db, "geo_imports"); n != 1 {
			t.Errorf("%d imports recorded after an import that changed nothing, want 1", n)
		}
	})
}

// TestImportBoundariesBad: a bad file imports nothing, and the error names
// the feature at fault by its index.
func TestImportBoundariesBad(t *testing.T) {
	t.Parallel()
	good := feature(`"code":"01"`, 105.5, 21)
	cases := []struct {
		name    string
		data    []byte
		feature int    // -1: about the whole file
		reason  string // part of the message
	}{
		{"not JSON", []byte("code,geometry\n01,x\n"), -1, "không phải GeoJSON"},
		{"a Feature, not a FeatureCollection", []byte(good), -1, "FeatureCollection"},
		{"a geometry, not a FeatureCollection", []byte(`{"type":"Polygon","coordinates":[` + square(105, 21) + `]}`), -1, "FeatureCollection"},
		{"no features", collection(), -1, "không có đối tượng"},
		{"unknown province code", collection(good, feature(`"code":"79"`, 106.5, 10.5), feature(`"code":"99"`, 107, 11)), 2, "không có tỉnh, thành phố mã 99"},
		{"a commune's code", collection(good, feature(`"code":"00004"`, 105.8, 21)), 1, "mã 00004"},
		{"a Point", collection(good, `{"type":"Feature","properties":{"code":"79"},"geometry":{"type":"Point","coordinates":[106.7,10.8]}}`), 1, "Polygon hoặc MultiPolygon"},
		{"a LineString", collection(`{"type":"Feature","properties":{"code":"79"},"geometry":{"type":"LineString","coordinates":[[106.7,10.8],[106.8,10.9]]}}`), 0, "Polygon hoặc MultiPolygon"},
		{"no geometry", collection(good, `{"type":"Feature","properties":{"code":"79"},"geometry":null}`), 1, "thiếu hình"},
		{"ring too short", collection(good, `{"type":"Feature","properties":{"code":"79"},"geometry":{"type":"Polygon","coordinates":[[[106,10],[107,10],[106,10]]]}}`), 1, "ring too short"},
		{"ring open", collection(good, `{"type":"Feature","properties":{"code":"79"},"geometry":{"type":"Polygon","coordinates":[[[106,10],[107,10],[107,11],[106,11],[106.1,10]]]}}`), 1, "không khép kín"},
		{"position out of range", collection(good, feature(`"code":"79"`, 200, 10)), 1, "ngoài WGS84"},
		{"a Polygon's coordinates in a MultiPolygon", collection(good, `{"type":"Feature","properties":{"code":"79"},"geometry":{"type":"MultiPolygon","coordinates":[`+square(106, 10)+`]}}`), 1, "bad MultiPolygon coordinates"},
		{"no code", collection(good, feature(`"name":"Hồ Chí Minh"`, 106.5, 10.5)), 1, "thiếu mã tỉnh"},
		{"code as a number", collection(good, feature(`"code":79`, 106.5, 10.5)), 1, "phải là chuỗi"},
		{"duplicate code", collection(good, feature(`"ma_tinh":"79"`, 106.5, 10.5), feature(`"province_code":"01"`, 105, 20)), 2, "trùng với features[0]"},
		{"not a Feature", collection(good, `{"type":"Polygon","coordinates":[`+square(106, 10)+`]}`), 1, `cần type "Feature"`},
	}
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		// One boundary is there already; a refused file must leave it.
		if _, err := s.ImportBoundaries(ctx, geo.BoundaryOptions{FileName: "first.geojson", ValidFrom: geo.ReformDate, Actor: "test"},
			collection(feature(`"code":"48"`, 108, 16))); err != nil {
			t.Fatal(err)
		}
		before := tableCounts(t, db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.ImportBoundaries(ctx, geo.BoundaryOptions{FileName: "bad.geojson", ValidFrom: geo.ReformDate, Actor: "test"}, c.data)
				var be *geo.BoundaryError
				if !errors.As(err, &be) {
					t.Fatalf("error %v (%T), want a *geo.BoundaryError", err, err)
				}
				if be.Feature != c.feature {
					t.Errorf("error about feature %d, want %d: %v", be.Feature, c.feature, err)
				}
				if c.feature >= 0 && !strings.Contains(err.Error(), fmt.Sprintf("features[%d]", c.feature)) {
					t.Errorf("error %q does not name features[%d]", err, c.feature)
				}
				if !strings.Contains(err.Error(), c.reason) {
					t.Errorf("error %q does not say %q", err, c.reason)
				}
				if !strings.HasPrefix(err.Error(), "bad.geojson: ") {
					t.Errorf("error %q does not name the file", err)
				}
				sameCounts(t, before, tableCounts(t, db))
				if n := boundaryCount(t, db); n != 1 {
					t.Errorf("%d boundaries after a refused file, want the 1 there before", n)
				}
			})
		}
		// The provinces in force on the date decide: before the reform
		// there were none of the 34 (none imported here).
		_, err := s.ImportBoundaries(ctx, geo.BoundaryOptions{FileName: "early.geojson", ValidFrom: "2025-06-30", Actor: "test"}, collection(good))
		if be := new(geo.BoundaryError); !errors.As(err, &be) || be.Feature != 0 {
			t.Errorf("a province not yet in force: error %v, want one about features[0]", err)
		}
		if _, err := s.ImportBoundaries(ctx, geo.BoundaryOptions{FileName: "x.geojson", ValidFrom: "30/06/2025", Actor: "test"}, collection(good)); err == nil {
			t.Error("a bad date was accepted")
		}
		sameCounts(t, before, tableCounts(t, db))
	})
}

// TestBoundaryVersions: a province's boundary holds from its date until its
// next one; a province left out of a later file keeps the one it had.
func TestBoundaryVersions(t *testing.T) {
	t.Parallel()
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		imp := func(from string, data []byte) geo.BoundaryResult {
			t.Helper()
			res, err := s.ImportBoundaries(ctx, geo.BoundaryOptions{FileName: "b-" + from + ".geojson", ValidFrom: from, Actor: "test"}, data)
			if err != nil {
				t.Fatalf("import from %s: %v", from, err)
			}
			return res
		}
		imp(geo.ReformDate, collection(feature(`"code":"01"`, 105, 21), feature(`"ma_tinh":"75"`, 107, 11)))
		imp("2026-04-30", collection(feature(`"province_code":"75"`, 107.2, 11.1)))
		if res := imp("2026-04-30", collection(feature(`"code":"75"`, 107.3, 11.1))); res.Updated != 1 {
			t.Errorf("re-import of the same date: %+v, want 1 updated", res)
		}
		at := func(d string) map[string]string {
			bs, err := s.Boundaries(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, b := range bs {
				out[b.ProvinceCode] = b.ValidFrom + " " + string(b.Geometry)
			}
			return out
		}
		early, late := at("2026-01-01"), at("2026-06-01")
		if len(early) != 2 || len(late) != 2 {
			t.Fatalf("boundaries: %d early, %d late; want 2 and 2", len(early), len(late))
		}
		if !strings.HasPrefix(early["75"], geo.ReformDate+" ") || !strings.Contains(early["75"], "[107,11]") {
			t.Errorf("Đồng Nai on 2026-01-01: %s, want the 2025 boundary", early["75"])
		}
		if !strings.HasPrefix(late["75"], "2026-04-30 ") || !strings.Contains(late["75"], "[107.3,11.1]") {
			t.Errorf("Đồng Nai on 2026-06-01: %s, want the corrected 2026 boundary", late["75"])
		}
		if early["01"] != late["01"] {
			t.Errorf("Hà Nội changed without a new boundary: %s → %s", early["01"], late["01"])
		}
		if want := `{"type":"Polygon","coordinates":[` + square(105, 21) + `]}`; !strings.HasSuffix(late["01"], " "+want) {
			t.Errorf("stored geometry %s, want the compact %s", late["01"], want)
		}
		if got := at("2025-06-30"); len(got) != 0 {
			t.Errorf("boundaries before the reform: %v, want none", got)
		}
	})
}

// FuzzParseBoundaries: any input is refused with a BoundaryError or gives
// geometries that are valid JSON of a Polygon or MultiPolygon.
func FuzzParseBoundaries(f *testing.F) {
	f.Add(collection(feature(`"code":"01"`, 105, 21)))
	f.Add(collection(feature(`"ma_tinh":"01"`, 105, 21), feature(`"code":"79"`, 106, 10)))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"01"},"geometry":{"type":"MultiPolygon","coordinates":[[[[1,1],[2,1],[2,2],[1,1]]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bs, err := geo.ParseBoundaries("f.geojson", data)
		if err != nil {
			var be *geo.BoundaryError
			if !errors.As(err, &be) {
				t.Fatalf("error %v is not a BoundaryError", err)
			}
			return
		}
		for _, b := range bs {
			var g sourceShape
			if err := json.Unmarshal(b.Geometry, &g); err != nil || (g.Type != "Polygon" && g.Type != "MultiPolygon") {
				t.Fatalf("geometry %s: %v", b.Geometry, err)
			}
		}
	})
}
