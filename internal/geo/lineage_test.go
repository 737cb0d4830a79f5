package geo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

// realLists holds the real files a lineage test imports.
type realLists struct {
	units2022, units2025, lineage []byte
	links                         []map[string]string
}

func loadRealLists(t *testing.T) realLists {
	t.Helper()
	l := realLists{
		units2022: geoFile(t, "units-2022.csv"),
		units2025: geoFile(t, "units-2025.csv"),
		lineage:   geoFile(t, "lineage-2025.csv"),
	}
	l.links = csvRows(t, l.lineage)
	return l
}

func import2022(t *testing.T, s *geo.Service, l realLists) geo.ImportResult {
	t.Helper()
	return mustImport(t, s, importArgs{file: "units-2022.csv", units: l.units2022, from: "2025-03-01", to: "2025-06-30",
		lineageName: "lineage-2025.csv", lineage: l.lineage})
}

func import2025(t *testing.T, s *geo.Service, l realLists) geo.ImportResult {
	t.Helper()
	return mustImport(t, s, importArgs{file: "units-2025.csv", units: l.units2025, from: "2025-07-01"})
}

// check2022Import checks what the historical import did: every unit in,
// every link in, and no police unit for a geography of the past.
func check2022Import(t *testing.T, res geo.ImportResult, l realLists) {
	t.Helper()
	if res.Rows != 63+696+10035 || res.Inserted != res.Rows || res.LineageRows != 10604 || res.LineageNew != 10604 || res.PoliceUnits != 0 {
		t.Errorf("2022 import: rows %d inserted %d lineage %d/%d police %d; want 10794 rows all inserted, 10604 links, no police unit",
			res.Rows, res.Inserted, res.LineageRows, res.LineageNew, res.PoliceUnits)
	}
	if res.ByTypeInFile["urban_district"] != 49 || res.ByTypeInFile["township"] != 617 || res.ByTypeInFile["ward"] != 1726 {
		t.Errorf("2022 types: %v", res.ByTypeInFile)
	}
	_ = l
}

// checkResolve asks Resolve about old codes after the reform, and compares
// with lineage-2025.csv.
func checkResolve(t *testing.T, s *geo.Service, l realLists) {
	t.Helper()
	ctx := context.Background()
	const d = "2025-08-01"

	type want struct {
		commune, name, typ, province string
		main, partial                bool
	}
	cases := []struct {
		name, old, date string
		want            []want // Main first, then by code
	}{
		{
			// lineage: 00001,00097,Phường Phúc Xá,Phường Hồng Hà,commune,01,full
			name: "full merge", old: "00001", date: d,
			want: []want{{"00097", "Hồng Hà", "ward", "01", true, false}},
		},
		{
			// Xuân La was split four ways; Tây Hồ kept its code 00103, so it
			// is the main successor although 00091 is lower.
			name: "split, one successor kept the old code", old: "00103", date: d,
			want: []want{
				{"00103", "Tây Hồ", "ward", "01", true, true},
				{"00091", "Phú Thượng", "ward", "01", false, true},
				{"00160", "Nghĩa Đô", "ward", "01", false, true},
				{"00611", "Xuân Đỉnh", "ward", "01", false, true},
			},
		},
		{
			// Điện Biên went to four wards, none with its code: the lowest
			// new code is the main successor.
			name: "split, no successor kept the old code", old: "00019", date: d,
			want: []want{
				{"00004", "Ba Đình", "ward", "01", true, true},
				{"00070", "Hoàn Kiếm", "ward", "01", false, true},
				{"00190", "Ô Chợ Dừa", "ward", "01", false, true},
				{"00226", "Văn Miếu - Quốc Tử Giám", "ward", "01", false, true},
			},
		},
		{
			// A split across provinces: Quang Trung (Hà Giang) went to the
			// two wards of Hà Giang city, now in Tuyên Quang (08).
			name: "split into another province", old: "00688", date: d,
			want: []want{
				{"00691", "Hà Giang 2", "ward", "08", true, true},
				{"00694", "Hà Giang 1", "ward", "08", false, true},
			},
		},
		{
			name: "code reused by its successor", old: "00004", date: d,
			want: []want{{"00004", "Ba Đình", "ward", "01", true, false}},
		},
		{
			name: "island district became a special zone", old: "318", date: d,
			want: []want{{"11948", "Bạch Long Vĩ", "special_zone", "31", true, false}},
		},
		{
			name: "island district Côn Đảo", old: "755", date: d,
			want: []want{{"26732", "Côn Đảo", "special_zone", "79", true, false}},
		},
		{
			// 07693 was dissolved before 1 Mar 2025 and is not in units-2022,
			// but its link still resolves.
			name: "old code absent from the 2022 list", old: "07693", date: d,
			want: []want{{"07682", "Tân An", "ward", "24", true, false}},
		},
		{
			name: "before the reform: itself, in its 2022 province", old: "00001", date: "2025-05-01",
			want: []want{{"00001", "Phúc Xá", "ward", "01", true, false}},
		},
		{
			name: "island district before the reform", old: "318", date: "2025-05-01",
			want: []want{{"318", "Bạch Long Vĩ", "district", "31", true, false}},
		},
		{
			name: "last day before the reform", old: "00103", date: "2025-06-30",
			want: []want{{"00103", "Xuân La", "ward", "01", true, false}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ss, err := s.Resolve(ctx, c.old, c.date)
			if err != nil {
				t.Fatalf("Resolve(%s, %s): %v", c.old, c.date, err)
			}
			var got []want
			for _, x := range ss {
				got = append(got, want{x.Commune.Code, x.Commune.Name, x.Commune.Type, x.Province.Code, x.Main, x.Partial})
				if !x.Commune.InForce(c.date) || !x.Province.InForce(c.date) || x.Province.Level != geo.LevelProvince {
					t.Errorf("successor %s / province %s not in force on %s", x.Commune.Code, x.Province.Code, c.date)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Resolve(%s, %s):\n got %v\nwant %v", c.old, c.date, got, c.want)
			}
			m, err := s.MainSuccessor(ctx, c.old, c.date)
			if err != nil || m.Commune.Code != c.want[0].commune {
				t.Errorf("MainSuccessor(%s, %s) = %s, %v; want %s", c.old, c.date, m.Commune.Code, err, c.want[0].commune)
			}
		})
	}

	t.Run("2022 unit before the reform", func(t *testing.T) {
		ss, err := s.Resolve(ctx, "00001", "2025-05-01")
		if err != nil {
			t.Fatal(err)
		}
		x := ss[0]
		if x.Commune.ParentCode != "001" || x.Commune.ValidFrom != "2025-03-01" || x.Commune.ValidTo != "2025-06-30" {
			t.Errorf("commune: %+v, want the 2022 version under district 001", x.Commune)
		}
		if x.Province.Title() != "Thành phố Hà Nội" || x.Province.ValidFrom != "2025-03-01" || x.Province.ValidTo != "2025-06-30" {
			t.Errorf("province: %+v, want the 2022 version of Hà Nội", x.Province)
		}
	})

	t.Run("not found", func(t *testing.T) {
		for _, q := range []struct{ code, date string }{
			{"99998", d},
			{"00001", "2025-01-01"}, // before the first list imported
			{"", d},
		} {
			ss, err := s.Resolve(ctx, q.code, q.date)
			if !errs.Is(err, errs.NotFound) {
				t.Errorf("Resolve(%q, %s) = %v, %v; want NotFound", q.code, q.date, ss, err)
			}
		}
	})

	// A sample of every old code in the file, checked against its rows.
	t.Run("sample against the file", func(t *testing.T) {
		byOld := map[string][]map[string]string{}
		var olds []string
		for _, r := range l.links {
			o := r["old_commune_code"]
			if _, ok := byOld[o]; !ok {
				olds = append(olds, o)
			}
			byOld[o] = append(byOld[o], r)
		}
		if len(olds) != 10035+12+5 {
			t.Fatalf("%d old codes in the lineage file, want 10052", len(olds))
		}
		checked := 0
		for i, o := range olds {
			rs := byOld[o]
			if i%97 != 0 && len(rs) < 4 {
				continue
			}
			checked++
			ss, err := s.Resolve(ctx, o, d)
			if err != nil {
				t.Errorf("Resolve(%s): %v", o, err)
				continue
			}
			var wantCodes, gotCodes []string
			wantMain := ""
			for _, r := range rs {
				wantCodes = append(wantCodes, r["new_commune_code"])
				if r["new_commune_code"] == o {
					wantMain = o
				}
			}
			slices.Sort(wantCodes)
			if wantMain == "" {
				wantMain = wantCodes[0]
			}
			mains := 0
			for _, x := range ss {
				gotCodes = append(gotCodes, x.Commune.Code)
				if x.Main {
					mains++
					if x.Commune.Code != wantMain {
						t.Errorf("Resolve(%s): main %s, want %s", o, x.Commune.Code, wantMain)
					}
				}
				for _, r := range rs {
					if r["new_commune_code"] != x.Commune.Code {
						continue
					}
					if x.Province.Code != r["new_province_code"] {
						t.Errorf("Resolve(%s) → %s in province %s, file says %s", o, x.Commune.Code, x.Province.Code, r["new_province_code"])
					}
					if x.Partial != (r["merge_type"] == "partial") {
						t.Errorf("Resolve(%s) → %s partial %v, file says %s", o, x.Commune.Code, x.Partial, r["merge_type"])
					}
				}
			}
			slices.Sort(gotCodes)
			if !slices.Equal(gotCodes, wantCodes) || mains != 1 {
				t.Errorf("Resolve(%s): %v with %d main, want %v with one main", o, gotCodes, mains, wantCodes)
			}
		}
		if checked < 100 {
			t.Errorf("only %d old codes checked", checked)
		}
	})
}

// checkHierarchyReal runs the tree questions on both real geographies.
func checkHierarchyReal(t *testing.T, s *geo.Service, l realLists) {
	t.Helper()
	ctx := context.Background()
	var hanoi2022Districts, hanoi2022Communes, hanoi2025 int
	districtsOf01 := map[string]bool{}
	for _, r := range csvRows(t, l.units2022) {
		if r["parent_code"] == "01" {
			hanoi2022Districts++
			districtsOf01[r["code"]] = true
		}
	}
	for _, r := range csvRows(t, l.units2022) {
		if districtsOf01[r["parent_code"]] {
			hanoi2022Communes++
		}
	}
	for _, r := range csvRows(t, l.units2025) {
		if r["parent_code"] == "01" {
			hanoi2025++
		}
	}
	for _, c := range []struct {
		date               string
		children, communes int
		childLevel         string
	}{
		{"2025-05-01", hanoi2022Districts, hanoi2022Communes, geo.LevelDistrict},
		{"2025-08-01", hanoi2025, hanoi2025, geo.LevelCommune},
	} {
		ch, err := s.Children(ctx, "01", c.date)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch) != c.children || ch[0].Level != c.childLevel {
			t.Errorf("Children(01, %s): %d %s units, want %d %s", c.date, len(ch), ch[0].Level, c.children, c.childLevel)
		}
		cs, err := s.CommunesOf(ctx, "01", c.date)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != c.communes {
			t.Errorf("CommunesOf(01, %s): %d, want %d", c.date, len(cs), c.communes)
		}
	}
	if hanoi2022Districts != 30 || hanoi2022Communes != 526 || hanoi2025 != 126 {
		t.Errorf("file counts for Hà Nội: %d districts, %d communes (2022), %d (2025)", hanoi2022Districts, hanoi2022Communes, hanoi2025)
	}
	p, err := s.ProvinceOf(ctx, "00001", "2025-05-01")
	if err != nil || p.Code != "01" || p.ValidFrom != "2025-03-01" {
		t.Errorf("ProvinceOf(00001, 2025-05-01) = %+v, %v; want the 2022 Hà Nội", p, err)
	}
	// 00688 was in Hà Giang (02), which no longer exists; its successors
	// lie in Tuyên Quang (08).
	p, err = s.ProvinceOf(ctx, "00688", "2025-05-01")
	if err != nil || p.Code != "02" {
		t.Errorf("ProvinceOf(00688, 2025-05-01) = %s, %v; want 02", p.Code, err)
	}
	for _, c := range []struct {
		scope, code, date string
		want              bool
	}{
		{"001", "00001", "2025-05-01", true},
		{"01", "00001", "2025-05-01", true},
		{"02", "00001", "2025-05-01", false},
		{"01", "00001", "2025-08-01", false}, // 00001 is no unit after the reform
		{"001", "00004", "2025-08-01", false},
		{"01", "00004", "2025-08-01", true},
		{"02", "00688", "2025-05-01", true},
		{"08", "00691", "2025-08-01", true},
		{"02", "00691", "2025-08-01", false},
	} {
		got, err := s.Within(ctx, c.scope, c.code, c.date)
		if err != nil || got != c.want {
			t.Errorf("Within(%s, %s, %s) = %v, %v; want %v", c.scope, c.code, c.date, got, err, c.want)
		}
	}
}

// TestResolve2025First loads the 2025 list, then the pre-reform list with
// its lineage, then the 2026 changes.
func TestResolve2025First(t *testing.T) {
	l := loadRealLists(t)
	data2026 := geoFile(t, "units-2026.csv")
	var notIn2022 int
	for _, r := range l.links {
		if r["old_code_in_units_2022"] == "no" {
			notIn2022++
		}
	}
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		import2025(t, s, l)
		police := countRows(t, db, "police_units")
		res := import2022(t, s, l)
		check2022Import(t, res, l)
		if want := fmt.Sprintf("%d ", notIn2022); len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], want) {
			t.Errorf("warnings %q, want one about %d links whose old code is not in the 2022 list", res.Warnings, notIn2022)
		}
		if n := countRows(t, db, "police_units"); n != police {
			t.Errorf("police units: %d after the historical import, %d before", n, police)
		}
		checkResolve(t, s, l)
		checkHierarchyReal(t, s, l)

		// Importing the historical list and lineage again changes nothing.
		before := tableCounts(t, db)
		if res := import2022(t, s, l); res.Changed() {
			t.Errorf("second 2022 import changed something: %+v", res)
		}
		sameCounts(t, before, tableCounts(t, db))

		// After the April 2026 changes an old code resolves to the 2026
		// version of its successor, and to the 2025 version before them.
		mustImport(t, s, importArgs{file: "units-2026.csv", units: data2026, from: "2026-04-30"})
		for _, c := range []struct {
			old, date, typ, provinceType string
		}{
			{"25288", "2026-05-01", "ward", "municipality"}, // 25288,25270,Xã Lộc Thuận,Xã Lộc Ninh,commune,75,full
			{"25288", "2025-08-01", "commune", "province"},
			{"25270", "2026-05-01", "ward", "municipality"},
		} {
			ss, err := s.Resolve(ctx, c.old, c.date)
			if err != nil {
				t.Fatalf("Resolve(%s, %s): %v", c.old, c.date, err)
			}
			if len(ss) != 1 || ss[0].Commune.Code != "25270" || ss[0].Commune.Type != c.typ ||
				ss[0].Province.Code != "75" || ss[0].Province.Type != c.provinceType {
				t.Errorf("Resolve(%s, %s) = %+v; want 25270 %s in 75 (%s)", c.old, c.date, ss, c.typ, c.provinceType)
			}
		}
		verifyAudit(t, db)
	})
}

// TestResolveLineageFirst loads the pre-reform list with its lineage into a
// fresh database (only the built-in provinces exist on the reform date), then
// the 2025 list: the links must be accepted and resolve once it is in.
func TestResolveLineageFirst(t *testing.T) {
	l := loadRealLists(t)
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		res := import2022(t, s, l)
		check2022Import(t, res, l)

		// Before the 2025 list is in, the old code leads nowhere on a later
		// date, but is itself on an earlier one.
		if _, err := s.Resolve(ctx, "00001", "2025-08-01"); !errs.Is(err, errs.NotFound) {
			t.Errorf("Resolve(00001) before the 2025 list: %v, want NotFound", err)
		}
		if ss, err := s.Resolve(ctx, "00001", "2025-05-01"); err != nil || ss[0].Commune.Code != "00001" {
			t.Errorf("Resolve(00001, 2025-05-01) = %v, %v", ss, err)
		}

		res = import2025(t, s, l)
		if res.Inserted != 3321 || res.Unchanged != 34 || res.PoliceUnits != 3321 {
			t.Errorf("2025 import after 2022: %+v", res)
		}
		checkResolve(t, s, l)
		checkHierarchyReal(t, s, l)
		verifyAudit(t, db)
	})
}

// TestMainSuccessorRule checks the rule that picks the one successor that
// counts a split commune, on small lists: an explicit column wins, else the
// successor that kept the old code, else the lowest new code.
func TestMainSuccessorRule(t *testing.T) {
	cases := []struct {
		name     string
		lineage  string
		old      string
		wantMain string
		wantAll  []string
	}{
		{
			name:     "kept code",
			lineage:  "old_commune_code,new_commune_code,merge_type\n00097,00103,partial\n00097,00097,partial\n",
			old:      "00097",
			wantMain: "00097",
			wantAll:  []string{"00097", "00103"},
		},
		{
			name:     "lowest new code",
			lineage:  "old_commune_code,new_commune_code,merge_type\n00019,00226,partial\n00019,00190,partial\n00019,00070,partial\n",
			old:      "00019",
			wantMain: "00070",
			wantAll:  []string{"00070", "00190", "00226"},
		},
		{
			name:     "explicit column",
			lineage:  "old_commune_code,new_commune_code,merge_type,is_main\n00097,00097,partial,no\n00097,00103,partial,yes\n",
			old:      "00097",
			wantMain: "00103",
			wantAll:  []string{"00097", "00103"},
		},
	}
	const units = `code,name,type,parent_code,full_name,name_en
00070,Hoàn Kiếm,ward,01,Phường Hoàn Kiếm,Hoan Kiem
00097,Hồng Hà,ward,01,Phường Hồng Hà,Hong Ha
00103,Tây Hồ,ward,01,Phường Tây Hồ,Tay Ho
00190,Ô Chợ Dừa,ward,01,Phường Ô Chợ Dừa,O Cho Dua
00226,Văn Miếu - Quốc Tử Giám,ward,01,Phường Văn Miếu - Quốc Tử Giám,Van Mieu - Quoc Tu Giam
`
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				// The explicit case re-imports the links of the first
				// case with another main: the stored links are updated.
				mustImport(t, s, importArgs{file: "units.csv", units: []byte(units), from: geo.ReformDate,
					lineageName: "lineage.csv", lineage: []byte(c.lineage)})
				ss, err := s.Resolve(ctx, c.old, "2025-08-01")
				if err != nil {
					t.Fatal(err)
				}
				var all []string
				mains := 0
				for _, x := range ss {
					all = append(all, x.Commune.Code)
					if x.Main {
						mains++
						if x.Commune.Code != c.wantMain {
							t.Errorf("main %s, want %s", x.Commune.Code, c.wantMain)
						}
					}
					if !x.Partial {
						t.Errorf("%s not partial", x.Commune.Code)
					}
				}
				slices.Sort(all)
				if !slices.Equal(all, c.wantAll) || mains != 1 || ss[0].Commune.Code != c.wantMain {
					t.Errorf("Resolve(%s) = %v (%d main, first %s), want %v with main %s first", c.old, all, mains, ss[0].Commune.Code, c.wantAll, c.wantMain)
				}
			})
		}
	})
}
