package movement_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

const festivalHeader = "year,commune_code,residential_area,held_on,participants,commendations_collective,commendations_individual,gifts_vnd\n"

func TestImportFestival(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newSampleEnv(t, db)

		// XLSX first, then the same data as CSV: the CSV finds everything
		// already there.
		t.Run("xlsx then the same csv", func(t *testing.T) {
			res := e.mustImport(t, "ngay-hoi-2025.xlsx", toXLSX(t, sampleFestivalCSV))
			if res != (movement.ImportResult{Rows: 19, Inserted: 19, AreasCreated: 7}) {
				t.Fatalf("xlsx import: %+v", res)
			}
			before := dumpPoints(t, db)
			res = e.mustImport(t, "ngay-hoi-2025.csv", []byte(sampleFestivalCSV))
			if res != (movement.ImportResult{Rows: 19, Unchanged: 19}) {
				t.Errorf("csv import of the same data: %+v, want 19 unchanged", res)
			}
			if after := dumpPoints(t, db); after != before {
				t.Errorf("the csv changed the points:\n%s\nwant\n%s", after, before)
			}
			e.mustImportPlan(t, "plan-2025.csv", []byte(samplePlanCSV))
			m, _, total := e.byProvince(t, 2025, movement.Recorded)
			checkRow(t, "02 after xlsx", m["02"], wantRow{5, 7, 0, 1113, 25, 6_400_000})
			checkRow(t, "TOTAL after xlsx", total, wantRow{12, 7, 11, 11903, 37, 8_400_000})
			var notes string
			if err := db.QueryRow(ctx, "SELECT notes FROM festival_points WHERE commune_code = 'X0204' AND area_key <> ''").Scan(&notes); err != nil || notes != "ghi chú, có dấu phẩy" {
				t.Errorf("notes %q, %v", notes, err)
			}
		})

		t.Run("same file twice adds nothing", func(t *testing.T) {
			points, areas, entries := e.count(t, "SELECT COUNT(*) FROM festival_points"), e.count(t, "SELECT COUNT(*) FROM residential_areas"), verifyAudit(t, db)
			res := e.mustImport(t, "ngay-hoi-2025.csv", []byte(sampleFestivalCSV))
			if res.Inserted+res.Updated+res.AreasCreated != 0 || res.Unchanged != 19 {
				t.Errorf("second import: %+v", res)
			}
			if p, a, n := e.count(t, "SELECT COUNT(*) FROM festival_points"), e.count(t, "SELECT COUNT(*) FROM residential_areas"), verifyAudit(t, db); p != points || a != areas || n != entries {
				t.Errorf("points %d→%d, areas %d→%d, audit entries %d→%d", points, p, areas, a, entries, n)
			}
		})

		t.Run("areas created under the old commune with their kind", func(t *testing.T) {
			want := map[string]string{"Thôn Thượng": "thon", "Thôn Hạ": "thon", "Xóm Chợ": "xom", "Bản Phìn": "ban",
				"Tổ dân phố 1": "to_dan_pho", "Khu phố Mới": "khu_pho", "Ấp Đông": "ap"}
			rows, err := db.Query(ctx, "SELECT commune_code, name, kind, valid_from, COALESCE(valid_to, '') FROM residential_areas")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var code, name, kind, from, to string
				if err := rows.Scan(&code, &name, &kind, &from, &to); err != nil {
					t.Fatal(err)
				}
				n++
				if want[name] != kind || !strings.HasPrefix(code, "X02") || from != "2025-03-01" || to != "2025-06-30" {
					t.Errorf("area %s %q kind %s valid %s..%s; want kind %s, valid as its commune 2025-03-01..2025-06-30", code, name, kind, from, to, want[name])
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != len(want) {
				t.Errorf("%d areas, want %d", n, len(want))
			}
		})

		t.Run("a changed line updates its point and keeps absent columns", func(t *testing.T) {
			admin := e.user(t, "quantri", account.Admin, "VN")
			var id int64
			if err := db.QueryRow(ctx, "SELECT id FROM festival_points WHERE commune_code = 'X0201' AND area_key = ''").Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.ReviewPoint(ctx, admin, id, true, ""); err != nil {
				t.Fatal(err)
			}
			// No place, guests, models or notes columns; a date as typed in
			// Vietnam; a name differing in case finds the same area.
			res := e.mustImport(t, "sua.csv", []byte(festivalHeader+
				"2025,X0201,,10/06/2025,250,1,2,1000000\n"+
				"2025,X0201,thôn thượng,2025-06-10,11,0,1,200000\n"))
			if res != (movement.ImportResult{Rows: 2, Updated: 1, Unchanged: 1}) {
				t.Errorf("update import: %+v", res)
			}
			p, err := e.svc.Point(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Participants != 250 || p.HeldOn != "2025-06-10" || p.Place != "Nhà văn hoá xã" || p.Guests != 5 || p.ModelsLaunched != 1 || p.Status != movement.StatusSubmitted {
				t.Errorf("after update: %+v", p)
			}
		})

		t.Run("old code with an old date, not with a 2026 date", func(t *testing.T) {
			res := e.mustImport(t, "cu.csv", []byte(festivalHeader+"2025,X0206,,2025-06-30,60,0,0,0\n"))
			if res.Inserted != 1 {
				t.Errorf("old code on 30 Jun 2025: %+v", res)
			}
			var from string
			if err := db.QueryRow(ctx, "SELECT commune_valid_from FROM festival_points WHERE commune_code = 'X0206'").Scan(&from); err != nil || from != "2025-03-01" {
				t.Errorf("commune_valid_from %q, %v; want the old version's 2025-03-01", from, err)
			}
			_, err := e.svc.ImportFestival(ctx, "moi.csv", []byte(festivalHeader+"2026,X0206,,2026-03-01,60,0,0,0\n"), "test")
			if err == nil || err.Error() != "moi.csv:2: mã xã X0206 không có hiệu lực vào ngày 2026-03-01 (unknown commune: no commune-level unit with this code on that date)" {
				t.Errorf("old code in 2026: %v", err)
			}
		})

		t.Run("bad files import nothing", func(t *testing.T) {
			good := "2025,X0202,Thôn Mới Hoàn Toàn,2025-06-11,5,0,0,0\n2025,X0203,,2025-06-12,999,0,0,0\n"
			cases := []struct {
				name, file string
				data       string
				want       string // the whole error, or its start
			}{
				{"bad row on the last line", "a.csv", festivalHeader + good + "2025,99999,,2025-06-12,1,0,0,0\n",
					"a.csv:4: mã xã 99999 không có hiệu lực"},
				{"bad encoding", "b.csv", festivalHeader + good + "2025,X0204,Th\xf4n,2025-06-13,1,0,0,0\n",
					"b.csv:4: không phải UTF-8"},
				{"missing column", "c.csv", "year,commune_code,residential_area,held_on,participants,commendations_collective,commendations_individual\n2025,X0202,,2025-06-11,1,0,0\n",
					`c.csv:1: thiếu cột "gifts_vnd"`},
				{"bad number", "d.csv", festivalHeader + good + "2025,X0204,,2025-06-13,1.000,0,0,0\n",
					`d.csv:4: cột participants: "1.000" không phải số nguyên không âm`},
				{"negative number", "e.csv", festivalHeader + "2025,X0204,,2025-06-13,10,0,-1,0\n" + good,
					`e.csv:2: cột commendations_individual: "-1" không phải số`},
				{"date outside the year", "f.csv", festivalHeader + good + "2025,X0204,,2024-12-31,1,0,0,0\n",
					"f.csv:4: ngày tổ chức 2024-12-31 không thuộc năm 2025 (date outside the year)"},
				{"bad date", "g.csv", festivalHeader + good + "2025,X0204,,2025-02-30,1,0,0,0\n",
					`g.csv:4: ngày tổ chức "2025-02-30" không hợp lệ`},
				{"date in the future", "h.csv", festivalHeader + "2026,T0101,,2026-12-01,1,0,0,0\n",
					"h.csv:2: ngày tổ chức 2026-12-01 sau ngày hôm nay"},
				{"unknown commune before its list", "i.csv", festivalHeader + good + "2025,T0101,,2025-06-30,1,0,0,0\n",
					"i.csv:4: mã xã T0101 không có hiệu lực vào ngày 2025-06-30"},
				{"duplicate line", "j.csv", festivalHeader + good + "2025,X0202,thôn mới hoàn toàn,2025-06-11,6,0,0,0\n",
					"j.csv:4: trùng với dòng 2"},
				{"bad year", "k.csv", festivalHeader + "20x5,X0204,,2025-06-13,1,0,0,0\n", `k.csv:2: năm "20x5" không hợp lệ`},
				{"header only", "l.csv", festivalHeader, "l.csv:2: không có dòng dữ liệu nào"},
				{"empty", "m.csv", "", "m.csv:1: tệp rỗng"},
				{"broken quotes", "n.csv", festivalHeader + good + "2025,X0204,\"Thôn,2025-06-13,1,0,0,0\n", "n.csv:4: CSV lỗi"},
				{"short line", "o.csv", festivalHeader + good + "2025,X0204,,2025-06-13\n", "o.csv:4: có 4 cột, cần 8"},
				{"broken xlsx", "p.xlsx", "PK\x03\x04 not really a zip", "p.xlsx: không đọc được tệp XLSX"},
				{"xlsx, bad last row", "q.xlsx", string(toXLSX(t, festivalHeader+good+"2025,X0204,,2025-06-13,1,0,0,abc\n")),
					`q.xlsx:4: cột gifts_vnd: "abc" không phải số`},
				{"commune-level unit only", "r.csv", festivalHeader + "2025,D021,,2025-06-13,1,0,0,0\n", "r.csv:2: mã xã D021 không có hiệu lực"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := dumpPoints(t, db)
					areas := e.count(t, "SELECT COUNT(*) FROM residential_areas")
					_, err := e.svc.ImportFestival(ctx, c.file, []byte(c.data), "test")
					var ie *geo.ImportError
					if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), c.want) {
						t.Fatalf("error %v, want a geo.ImportError starting %q", err, c.want)
					}
					if after := dumpPoints(t, db); after != before {
						t.Error("points changed")
					}
					if n := e.count(t, "SELECT COUNT(*) FROM residential_areas"); n != areas {
						t.Errorf("areas %d → %d", areas, n)
					}
				})
			}
		})

		t.Run("plans", func(t *testing.T) {
			res := e.mustImportPlan(t, "plan-2025.csv", []byte(samplePlanCSV))
			if res != (movement.ImportResult{Rows: 3, Unchanged: 3}) {
				t.Errorf("same plan again: %+v", res)
			}
			res = e.mustImportPlan(t, "plan-2025b.xlsx", toXLSX(t, "year,province_code,planned_points,source\n2025,01,5,KH 333/KH-BCĐ\n2025,96,2,\n"))
			if res != (movement.ImportResult{Rows: 2, Inserted: 1, Updated: 1}) {
				t.Errorf("plan update: %+v", res)
			}
			plans, err := e.svc.Plans(ctx, 2025)
			if err != nil {
				t.Fatal(err)
			}
			if len(plans) != 4 || plans[0].ProvinceCode != "01" || plans[0].PlannedPoints != 5 || plans[0].Source != "KH 333/KH-BCĐ" || plans[3].Source != "plan-2025b.xlsx" {
				t.Errorf("plans: %+v", plans)
			}
			for _, c := range []struct{ data, want string }{
				// Hà Giang (02) is not a province on 31 Dec 2025.
				{"year,province_code,planned_points\n2025,01,3\n2025,02,4\n", `p.csv:3: mã tỉnh "02" không có trong năm 2025`},
				{"year,province_code,planned_points\n2025,01,3\n2025,01,4\n", "p.csv:3: trùng với dòng 2"},
				{"year,province_code,planned_points\n2025,01,-3\n", `p.csv:2: cột planned_points: "-3" không phải số`},
				{"year,province_code,planned_points\n2025,01,\n", "p.csv:2: thiếu số điểm kế hoạch"},
				{"year,province_code\n2025,01\n", `p.csv:1: thiếu cột "planned_points"`},
			} {
				before, _ := e.svc.Plans(ctx, 2025)
				_, err := e.svc.ImportFestivalPlan(ctx, "p.csv", []byte(c.data), "test")
				if err == nil || !strings.HasPrefix(err.Error(), c.want) {
					t.Errorf("plan import %q: %v, want %q", c.data, err, c.want)
				}
				if after, _ := e.svc.Plans(ctx, 2025); len(after) != len(before) || after[0] != before[0] {
					t.Errorf("plans changed by a failed import")
				}
			}
		})
		verifyAudit(t, db)
	})
}

func TestAreaKindOf(t *testing.T) {
	for name, want := range map[string]string{
		"Thôn 3": "thon", "thôn Đông": "thon", "Thôn": "thon", "Xóm Chợ": "xom", "Ấp Bình An": "ap", "Bản Phìn": "ban",
		"Tổ dân phố số 4": "to_dan_pho", "Khu phố 2": "khu_pho", "Bảng Lớn": "khac", "Thônxa": "khac",
		"Khu dân cư số 1": "khac", "Tổ 5": "khac", "Làng Sen": "khac",
	} {
		if got := movement.AreaKindOf(name); got != want {
			t.Errorf("AreaKindOf(%q) = %s, want %s", name, got, want)
		}
	}
}
