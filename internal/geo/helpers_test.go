package geo_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"toandan/internal/audit"
	"toandan/internal/clock"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

// testNow is the fixed "now" of every test: 30 Nov 2026, 10:00 in Vietnam,
// after both the 2025 reform and the April 2026 changes.
func testNow() time.Time { return time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC) }

// newService adds the built-ins to db, as the app does at start-up, and
// returns a service on a fixed clock.
func newService(t *testing.T, db *store.DB) *geo.Service {
	t.Helper()
	if err := geo.EnsureBuiltins(context.Background(), db, store.FormatTime(testNow())); err != nil {
		t.Fatalf("EnsureBuiltins: %v", err)
	}
	return &geo.Service{DB: db, Clock: clock.NewFixed(testNow())}
}

// geoFile reads one of the real lists named by TOANDAN_TEST_GEO, or skips.
func geoFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdb.GeoDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// csvRows parses a CSV with a header into one map per row, so that tests
// take their expectations from the real files rather than from the code.
func csvRows(t *testing.T, data []byte) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("read csv: %v", err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

type importArgs struct {
	file        string
	units       []byte
	from, to    string
	lineageName string
	lineage     []byte
}

func runImport(ctx context.Context, s *geo.Service, a importArgs) (geo.ImportResult, error) {
	return s.Import(ctx, geo.ImportOptions{FileName: a.file, ValidFrom: a.from, ValidTo: a.to, Actor: "system"},
		a.units, a.lineageName, a.lineage)
}

// mustImport imports and fails the test on any error.
func mustImport(t *testing.T, s *geo.Service, a importArgs) geo.ImportResult {
	t.Helper()
	res, err := runImport(context.Background(), s, a)
	if err != nil {
		t.Fatalf("import %s: %v", a.file, err)
	}
	return res
}

// countedTables are the tables an import or an edit may write.
var countedTables = []string{"units", "unit_lineage", "police_units", "police_jurisdiction", "geo_imports", "audit_log", "residential_areas"}

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func tableCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, tb := range countedTables {
		m[tb] = countRows(t, db, tb)
	}
	return m
}

func sameCounts(t *testing.T, before, after map[string]int) {
	t.Helper()
	for _, tb := range countedTables {
		if before[tb] != after[tb] {
			t.Errorf("%s: %d rows before, %d after", tb, before[tb], after[tb])
		}
	}
}

// dumpUnits renders every column of every units row, ordered by id.
func dumpUnits(t *testing.T, db *store.DB) string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT id, code, name, full_name, name_en, type, level, parent_code,
		valid_from, COALESCE(valid_to, '(null)'), source FROM units ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id int64
		var f [10]string
		if err := rows.Scan(&id, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9]); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d\x1f%s\n", id, strings.Join(f[:], "\x1f"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// policeByLevel counts police units per level.
func policeByLevel(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(context.Background(), "SELECT level, COUNT(*) FROM police_units GROUP BY level")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var l string
		var n int
		if err := rows.Scan(&l, &n); err != nil {
			t.Fatal(err)
		}
		m[l] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// communesByType counts the commune-level units in force on d per type.
func communesByType(t *testing.T, db *store.DB, d string) map[string]int {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT type, COUNT(*) FROM units WHERE level = 'commune'
		AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?) GROUP BY type`, d, d)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var typ string
		var n int
		if err := rows.Scan(&typ, &n); err != nil {
			t.Fatal(err)
		}
		m[typ] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// verifyAudit fails the test when the audit chain does not hold.
func verifyAudit(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, problem, err := audit.Verify(context.Background(), db)
	if err != nil {
		t.Fatalf("audit.Verify: %v", err)
	}
	if problem != nil {
		t.Fatalf("audit chain broken: %s", problem)
	}
	return n
}

// importError returns err as an *ImportError or fails the test.
func importError(t *testing.T, err error) *geo.ImportError {
	t.Helper()
	var ie *geo.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v (%T), want *geo.ImportError", err, err)
	}
	return ie
}

func codes(us []geo.Unit) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Code
	}
	return out
}

// Small hand-written lists, with real codes and names, for the tests that
// need a geography but not the whole country.

// fixture2025 are a few communes of the two-level geography under the
// built-in provinces Hà Nội (01) and Cao Bằng (04).
const fixture2025 = `code,name,type,parent_code,full_name,name_en
00004,Ba Đình,ward,01,Phường Ba Đình,Ba Dinh
00256,Hai Bà Trưng,ward,01,Phường Hai Bà Trưng,Hai Ba Trung
00190,Ô Chợ Dừa,ward,01,Phường Ô Chợ Dừa,O Cho Dua
00091,Phú Thượng,ward,01,Phường Phú Thượng,Phu Thuong
00235,Đống Đa,ward,01,Phường Đống Đa,Dong Da
00097,Hồng Hà,ward,01,Phường Hồng Hà,Hong Ha
01273,Thục Phán,ward,04,Phường Thục Phán,Thuc Phan
`

// fixture2022 is a piece of the three-level geography in force from
// 1 Mar 2025 to 30 Jun 2025.
const fixture2022 = `code,name,type,parent_code,full_name,name_en,level
01,Hà Nội,municipality,,Thành phố Hà Nội,Ha Noi,province
02,Hà Giang,province,,Tỉnh Hà Giang,Ha Giang,province
001,Ba Đình,urban_district,01,Quận Ba Đình,Ba Dinh,district
002,Hoàn Kiếm,urban_district,01,Quận Hoàn Kiếm,Hoan Kiem,district
024,Hà Giang,provincial_city,02,Thành phố Hà Giang,Ha Giang,district
00001,Phúc Xá,ward,001,Phường Phúc Xá,Phuc Xa,commune
00004,Trúc Bạch,ward,001,Phường Trúc Bạch,Truc Bach,commune
00037,Phúc Tân,ward,002,Phường Phúc Tân,Phuc Tan,commune
00688,Quang Trung,ward,024,Phường Quang Trung,Quang Trung,commune
`

func importFixture2025(t *testing.T, s *geo.Service) geo.ImportResult {
	t.Helper()
	return mustImport(t, s, importArgs{file: "fixture-2025.csv", units: []byte(fixture2025), from: geo.ReformDate})
}

func importFixture2022(t *testing.T, s *geo.Service) geo.ImportResult {
	t.Helper()
	return mustImport(t, s, importArgs{file: "fixture-2022.csv", units: []byte(fixture2022), from: "2025-03-01", to: "2025-06-30"})
}
