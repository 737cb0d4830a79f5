package movement_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/audit"
	"toandan/internal/auth/secret"
	"toandan/internal/clock"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
	"toandan/internal/xlsx"
)

// testNow is the fixed "now" of every test: 30 Nov 2026, 10:00 in Vietnam.
func testNow() time.Time { return testutil.DefaultNow }

// env is one fresh database with the services a test needs.
type env struct {
	db  *store.DB
	geo *geo.Service
	acc *account.Service
	svc *movement.Service
	clk *clock.Fixed
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	if err := geo.EnsureBuiltins(context.Background(), db, store.FormatTime(testNow())); err != nil {
		t.Fatalf("EnsureBuiltins: %v", err)
	}
	clk := clock.NewFixed(testNow())
	g := &geo.Service{DB: db, Clock: clk}
	settings := account.DefaultSettings()
	settings.PasswordParams = secret.FastParams()
	return &env{
		db:  db,
		geo: g,
		acc: &account.Service{DB: db, Geo: g, Clock: clk, Settings: settings},
		svc: &movement.Service{DB: db, Geo: g, Clock: clk},
		clk: clk,
	}
}

func (e *env) importUnits(t testing.TB, name, data, from, to, lineage string) geo.ImportResult {
	t.Helper()
	var lin []byte
	if lineage != "" {
		lin = []byte(lineage)
	}
	res, err := e.geo.Import(context.Background(), geo.ImportOptions{FileName: name, ValidFrom: from, ValidTo: to, Actor: "test"},
		[]byte(data), "lineage.csv", lin)
	if err != nil {
		t.Fatalf("geo import %s: %v", name, err)
	}
	return res
}

func (e *env) user(t testing.TB, username string, role account.Role, unit string) account.User {
	t.Helper()
	u, err := e.acc.Create(context.Background(), account.NewUser{Username: username, Role: role, UnitCode: unit,
		Password: "mat-khau-" + username + "-2026"}, "test")
	if err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

func (e *env) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e *env) mustImport(t testing.TB, name string, data []byte) movement.ImportResult {
	t.Helper()
	res, err := e.svc.ImportFestival(context.Background(), name, data, "test")
	if err != nil {
		t.Fatalf("ImportFestival %s: %v", name, err)
	}
	return res
}

func (e *env) mustImportPlan(t testing.TB, name string, data []byte) movement.ImportResult {
	t.Helper()
	res, err := e.svc.ImportFestivalPlan(context.Background(), name, data, "test")
	if err != nil {
		t.Fatalf("ImportFestivalPlan %s: %v", name, err)
	}
	return res
}

func (e *env) byProvince(t testing.TB, year int, view movement.View) (map[string]movement.ProvinceRow, []movement.ProvinceRow, movement.ProvinceRow) {
	t.Helper()
	rows, total, err := e.svc.FestivalByProvince(context.Background(), year, view)
	if err != nil {
		t.Fatalf("FestivalByProvince(%d, %s): %v", year, view, err)
	}
	m := map[string]movement.ProvinceRow{}
	for _, r := range rows {
		m[r.ProvinceCode] = r
	}
	return m, rows, total
}

func (e *env) figures(t testing.TB, unit string, year int, view movement.View) movement.Figures {
	t.Helper()
	f, err := e.svc.FestivalFigures(context.Background(), unit, year, view)
	if err != nil {
		t.Fatalf("FestivalFigures(%s, %d, %s): %v", unit, year, view, err)
	}
	return f
}

func verifyAudit(t testing.TB, db *store.DB) int64 {
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

// dumpPoints renders every stored festival point, for "nothing changed"
// comparisons.
func dumpPoints(t testing.TB, db *store.DB) string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT id, year, commune_code, commune_valid_from, COALESCE(area_id, 0), area_key, held_on, place,
		participants, guests, commendations_collective, commendations_individual, gifts_vnd, models_launched, notes, status, review_note
		FROM festival_points ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, area, gifts int64
		var year, part, guests, cc, ci, models int
		var code, from, key, held, place, notes, status, note string
		if err := rows.Scan(&id, &year, &code, &from, &area, &key, &held, &place, &part, &guests, &cc, &ci, &gifts, &models, &notes, &status, &note); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d|%d|%s|%s|%d|%s|%s|%s|%d|%d|%d|%d|%d|%d|%s|%s|%s\n", id, year, code, from, area, key, held, place, part, guests, cc, ci, gifts, models, notes, status, note)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// geoFile reads one of the real lists named by TOANDAN_TEST_GEO, or skips.
func geoFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testutil.GeoDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// csvRows parses a CSV with a header into one map per row.
func csvRows(t testing.TB, data []byte) []map[string]string {
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

// toXLSX writes CSV text as an XLSX file with the same cells, numbers as
// numbers, as a province office would send it.
func toXLSX(t testing.TB, csvText string) []byte {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := xlsx.NewWriter(&b)
	if err := w.WriteHeader(recs[0]...); err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		cells := make([]any, len(rec))
		for i, c := range rec {
			var n int64
			if _, err := fmt.Sscanf(c, "%d", &n); err == nil && fmt.Sprint(n) == c && !strings.HasPrefix(c, "0") {
				cells[i] = n
			} else if d, err := time.Parse("2006-01-02", c); err == nil {
				cells[i] = d
			} else {
				cells[i] = c
			}
		}
		if err := w.WriteRow(cells...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The sample geography: the tiny 2025 list of testutil.SampleCommunes plus
// one commune in Tuyên Quang (08), and an older three-level list in force
// from 1 Mar to 30 Jun 2025 whose communes the lineage maps onto it:
//
//	X0101, X0102, X0103 (Hà Nội)  → T0101 (merged)
//	X0104 (Hà Nội), split         → T0101 (partial), T0102 (partial, main by the is_main column)
//	X0201…X0206 (Hà Giang, 02)    → T0801 (Tuyên Quang, 08)
//	X7901, X7902 (Hồ Chí Minh)    → T7901
const sampleNew = testutil.SampleCommunes + "T0801,Mẫu Bốn,commune,08,Xã Mẫu Bốn\n"

const sampleOld = `code,name,type,parent_code,full_name,level
01,Hà Nội,municipality,,Thành phố Hà Nội,province
02,Hà Giang,province,,Tỉnh Hà Giang,province
79,Hồ Chí Minh,municipality,,Thành phố Hồ Chí Minh,province
D011,Cũ Một,urban_district,01,Quận Cũ Một,district
D021,Cũ Hai,district,02,Huyện Cũ Hai,district
D791,Cũ Ba,urban_district,79,Quận Cũ Ba,district
X0101,Một,ward,D011,Phường Một,commune
X0102,Hai,ward,D011,Phường Hai,commune
X0103,Ba,ward,D011,Phường Ba,commune
X0104,Bốn,ward,D011,Phường Bốn,commune
X0201,Năm,commune,D021,Xã Năm,commune
X0202,Sáu,commune,D021,Xã Sáu,commune
X0203,Bảy,commune,D021,Xã Bảy,commune
X0204,Tám,commune,D021,Xã Tám,commune
X0205,Chín,commune,D021,Xã Chín,commune
X0206,Mười,township,D021,Thị trấn Mười,commune
X7901,Mười Một,ward,D791,Phường Mười Một,commune
X7902,Mười Hai,ward,D791,Phường Mười Hai,commune
`

const sampleLineage = `old_commune_code,new_commune_code,merge_type,is_main
X0101,T0101,full,
X0102,T0101,full,
X0103,T0101,full,
X0104,T0101,partial,no
X0104,T0102,partial,yes
X0201,T0801,full,
X0202,T0801,full,
X0203,T0801,full,
X0204,T0801,full,
X0205,T0801,full,
X0206,T0801,full,
X7901,T7901,full,
X7902,T7901,full,
`

// newSampleEnv is a fresh database with the sample geography loaded.
func newSampleEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	e := newEnv(t, db)
	e.importUnits(t, "sample-2025.csv", sampleNew, "2025-07-01", "", "")
	e.importUnits(t, "sample-old.csv", sampleOld, "2025-03-01", "2025-06-30", sampleLineage)
	return e
}

// sampleFestivalCSV is a year of points on the sample geography, held on
// the old units before the reform and one on a new unit after it. Hà Giang
// (02) holds points in 5 communes and 7 residential areas.
const sampleFestivalCSV = `year,commune_code,residential_area,held_on,participants,commendations_collective,commendations_individual,gifts_vnd,place,guests,models_launched,notes
2025,X0201,,2025-06-10,201,1,2,1000000,Nhà văn hoá xã,5,1,
2025,X0202,,2025-06-11,202,1,2,1000000,,5,1,
2025,X0203,,2025-06-12,203,1,2,1000000,,5,1,
2025,X0204,,2025-06-13,204,1,2,1000000,,5,1,
2025,X0205,,2025-06-14,205,1,2,1000000,,5,0,
2025,X0201,Thôn Thượng,2025-06-10,11,0,1,200000,,0,0,
2025,X0201,Thôn Hạ,2025-06-10,12,0,1,200000,,0,0,
2025,X0202,Xóm Chợ,2025-06-11,13,0,1,200000,,0,0,
2025,X0202,Bản Phìn,2025-06-11,14,0,1,200000,,0,0,
2025,X0203,Tổ dân phố 1,2025-06-12,15,0,1,200000,,0,0,
2025,X0203,Khu phố Mới,2025-06-12,16,0,1,200000,,0,0,
2025,X0204,Ấp Đông,2025-06-13,17,0,1,200000,,0,0,"ghi chú, có dấu phẩy"
2025,X0101,,2025-05-20,101,2,3,500000,,3,0,
2025,X0102,,2025-05-21,102,2,3,500000,,3,0,
2025,X0103,,2025-05-22,103,2,3,500000,,3,0,
2025,X0104,,2025-05-23,1000,2,3,500000,,3,0,
2025,X7901,,2025-04-30,791,0,0,0,,0,0,
2025,X7902,,2025-04-30,792,0,0,0,,0,0,
2025,T7901,,2025-08-19,7901,0,0,0,,0,0,
`

// samplePlanCSV plans 11 commune points: 12 are held on the recorded
// geography, 4 communes of the current one.
const samplePlanCSV = `year,province_code,planned_points
2025,01,3
2025,08,4
2025,79,4
`
