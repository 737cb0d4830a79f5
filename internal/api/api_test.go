package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"toandan/internal/store"
	"toandan/internal/testutil"
)

// getJSON fetches path from srv and decodes the body into v, returning the
// status. It fails the test unless the answer is JSON.
func getJSON(t *testing.T, srv *testutil.Server, path string, v any) int {
	t.Helper()
	res, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: Content-Type %q, want application/json; body %s", path, ct, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: body is not JSON of the expected shape: %v\n%s", path, err, body)
	}
	return res.StatusCode
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestGeoUnits(t *testing.T) {
	t.Parallel()
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)

			// A fresh server knows the 34 provinces without any import, and
			// each unit has exactly the three documented fields.
			var provs []map[string]string
			if st := getJSON(t, srv, "/api/v1/geo/units", &provs); st != http.StatusOK {
				t.Fatalf("provinces: status %d", st)
			}
			if len(provs) != 34 {
				t.Fatalf("provinces: %d units, want 34", len(provs))
			}
			seen := map[string]bool{}
			for _, p := range provs {
				if len(p) != 3 || p["code"] == "" || p["name"] == "" || p["type"] == "" {
					t.Errorf("province %v: want exactly non-empty code, name and type", p)
				}
				if p["type"] != "province" && p["type"] != "municipality" {
					t.Errorf("province %s has type %q", p["code"], p["type"])
				}
				seen[p["code"]] = true
			}
			for _, code := range []string{"01", "79"} {
				if !seen[code] {
					t.Errorf("province %s missing from %v", code, provs)
				}
			}

			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			var kids []map[string]string
			if st := getJSON(t, srv, "/api/v1/geo/units?parent=01", &kids); st != http.StatusOK {
				t.Fatalf("children of 01: status %d", st)
			}
			// Sorted by name: "Mẫu Hai" before "Mẫu Một"; T7901 belongs to 79.
			want := []map[string]string{
				{"code": "T0102", "name": "Mẫu Hai", "type": "commune"},
				{"code": "T0101", "name": "Mẫu Một", "type": "ward"},
			}
			if len(kids) != len(want) {
				t.Fatalf("children of 01: %v, want %v", kids, want)
			}
			for i := range want {
				for k, v := range want[i] {
					if kids[i][k] != v {
						t.Errorf("child %d: %s = %q, want %q (got %v)", i, k, kids[i][k], v, kids)
					}
				}
			}

			// The date parameter is honoured: the sample communes are in force
			// from their first day on.
			var onFirstDay []map[string]string
			if st := getJSON(t, srv, "/api/v1/geo/units?parent=01&date=2025-07-01", &onFirstDay); st != http.StatusOK || len(onFirstDay) != 2 {
				t.Errorf("children of 01 on 2025-07-01: status %d, %v; want 200 and 2 units", st, onFirstDay)
			}

			errCases := []struct {
				name, path string
				status     int
				code       string
				field      string
			}{
				{"unknown parent", "/api/v1/geo/units?parent=99", http.StatusNotFound, "not_found", ""},
				// The built-in geography starts with the 2025 reform.
				{"parent not yet in force", "/api/v1/geo/units?parent=01&date=2025-06-30", http.StatusNotFound, "not_found", ""},
				{"bad date", "/api/v1/geo/units?date=2026-13-01", http.StatusBadRequest, "invalid", "date"},
				{"date not ISO", "/api/v1/geo/units?parent=01&date=30/11/2026", http.StatusBadRequest, "invalid", "date"},
			}
			for _, c := range errCases {
				t.Run(c.name, func(t *testing.T) {
					var body apiError
					if st := getJSON(t, srv, c.path, &body); st != c.status {
						t.Errorf("status %d, want %d", st, c.status)
					}
					if body.Error.Code != c.code || body.Error.Field != c.field || body.Error.Message == "" {
						t.Errorf("error %+v, want code %q, field %q and a message", body.Error, c.code, c.field)
					}
				})
			}

			var spec struct {
				OpenAPI string                     `json:"openapi"`
				Paths   map[string]json.RawMessage `json:"paths"`
			}
			if st := getJSON(t, srv, "/api/v1/openapi.json", &spec); st != http.StatusOK {
				t.Fatalf("openapi: status %d", st)
			}
			if spec.OpenAPI == "" || spec.Paths["/geo/units"] == nil {
				t.Errorf("openapi.json: version %q, paths %v; want /geo/units described", spec.OpenAPI, spec.Paths)
			}
		})
	}
}

// TestGeoUnitsRealLists checks the API against the official 2025 list: every
// commune-level unit is reachable through its province.
func TestGeoUnitsRealLists(t *testing.T) {
	t.Parallel()
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			testutil.GeoDir(t) // skip before paying for a server
			srv := testutil.NewServer(t, e)
			srv.ImportGeo(t, "units-2025.csv", "2025-07-01", "", "")

			var provs []map[string]string
			if st := getJSON(t, srv, "/api/v1/geo/units", &provs); st != http.StatusOK || len(provs) != 34 {
				t.Fatalf("provinces: status %d, %d units; want 200 and 34", st, len(provs))
			}
			total := 0
			byType := map[string]int{}
			perProvince := map[string]int{}
			codes := map[string]bool{}
			for _, p := range provs {
				var kids []map[string]string
				if st := getJSON(t, srv, "/api/v1/geo/units?parent="+p["code"], &kids); st != http.StatusOK {
					t.Fatalf("children of %s: status %d", p["code"], st)
				}
				total += len(kids)
				perProvince[p["code"]] = len(kids)
				for _, k := range kids {
					byType[k["type"]]++
					if codes[k["code"]] {
						t.Errorf("unit %s listed twice", k["code"])
					}
					codes[k["code"]] = true
				}
			}
			if total != 3321 {
				t.Errorf("children of the 34 provinces: %d, want 3321", total)
			}
			want := map[string]int{"commune": 2621, "ward": 687, "special_zone": 13}
			for typ, n := range want {
				if byType[typ] != n {
					t.Errorf("%s: %d, want %d", typ, byType[typ], n)
				}
			}
			if len(byType) != len(want) {
				t.Errorf("types %v, want only %v", byType, want)
			}
			// Published figures (see vn-admin/README.md).
			for code, n := range map[string]int{"01": 126, "79": 168} {
				if perProvince[code] != n {
					t.Errorf("province %s: %d communes, want %d", code, perProvince[code], n)
				}
			}
		})
	}
}
