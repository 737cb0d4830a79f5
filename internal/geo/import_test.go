package geo_test

import (
	"context"
	"strings"
	"testing"

	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

// TestImport2025 imports the official two-level list twice: the first import
// adds every commune and its police unit, the second changes nothing.
func TestImport2025(t *testing.T) {
	data := geoFile(t, "units-2025.csv")
	file := csvRows(t, data)
	perProvince := map[string]int{}
	for _, r := range file {
		if r["parent_code"] != "" {
			perProvince[r["parent_code"]]++
		}
	}
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		imp := importArgs{file: "units-2025.csv", units: data, from: "2025-07-01"}

		res := mustImport(t, s, imp)
		if res.Rows != 3355 || res.Inserted != 3321 || res.Unchanged != 34 || res.Updated != 0 || res.Closed != 0 || res.PoliceUnits != 3321 {
			t.Errorf("first import: %+v; want 3355 rows, 3321 inserted, 34 unchanged (built-in), 3321 police units", res)
		}
		if !res.Changed() {
			t.Error("first import: Changed() = false")
		}
		wantTypes := map[string]int{"municipality": 6, "province": 28, "commune": 2621, "ward": 687, "special_zone": 13}
		for typ, n := range wantTypes {
			if res.ByTypeInFile[typ] != n {
				t.Errorf("ByTypeInFile[%s] = %d, want %d", typ, res.ByTypeInFile[typ], n)
			}
		}

		const d = "2025-08-01"
		ps, err := s.Provinces(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 34 {
			t.Fatalf("Provinces(%s) = %d, want 34", d, len(ps))
		}
		total := 0
		byType := map[string]int{}
		for _, p := range ps {
			cs, err := s.Children(ctx, p.Code, d)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != perProvince[p.Code] {
				t.Errorf("province %s %s: %d children, the file has %d", p.Code, p.Name, len(cs), perProvince[p.Code])
			}
			total += len(cs)
			for _, c := range cs {
				byType[c.Type]++
				if c.Level != geo.LevelCommune {
					t.Errorf("child %s of %s has level %s", c.Code, p.Code, c.Level)
				}
			}
		}
		if total != 3321 {
			t.Errorf("children of all provinces: %d, want 3321", total)
		}
		for typ, n := range map[string]int{"commune": 2621, "ward": 687, "special_zone": 13} {
			if byType[typ] != n {
				t.Errorf("%s: %d, want %d", typ, byType[typ], n)
			}
		}
		if perProvince["01"] != 126 || perProvince["79"] != 168 {
			t.Errorf("file: Hà Nội %d, TP HCM %d communes; README says 126 and 168", perProvince["01"], perProvince["79"])
		}

		if got := policeByLevel(t, db); got["commune"] != 3321 || got["province"] != 34 || got["national"] != 1 {
			t.Errorf("police units by level: %v, want 3321 commune, 34 province, 1 national", got)
		}
		for _, c := range []struct{ code, name, province string }{
			{"00004", "Công an phường Ba Đình", "01"},
			{"11948", "Công an đặc khu Bạch Long Vĩ", "31"},
			{"25270", "Công an xã Lộc Ninh", "75"},
		} {
			p, err := s.PoliceForCommune(ctx, c.code)
			if err != nil {
				t.Fatalf("PoliceForCommune(%s): %v", c.code, err)
			}
			if p.Code != "CA-"+c.code || p.Name != c.name || p.Level != "commune" || p.ProvinceCode != c.province ||
				len(p.Communes) != 1 || p.Communes[0] != c.code {
				t.Errorf("PoliceForCommune(%s) = %+v, want CA-%s %q in %s covering only %s", c.code, p, c.code, c.name, c.province, c.code)
			}
		}
		if n := countRows(t, db, "geo_imports"); n != 1 {
			t.Errorf("geo_imports: %d rows, want 1", n)
		}
		verifyAudit(t, db)

		// The same file again: nothing changes, not even the import log.
		before := tableCounts(t, db)
		dump := dumpUnits(t, db)
		res = mustImport(t, s, imp)
		if res.Changed() {
			t.Errorf("second import changed something: %+v", res)
		}
		if res.Unchanged != 3355 || res.Inserted != 0 || res.PoliceUnits != 0 {
			t.Errorf("second import: %+v, want all 3355 unchanged", res)
		}
		sameCounts(t, before, tableCounts(t, db))
		if dumpUnits(t, db) != dump {
			t.Error("second import changed the units table")
		}
	})
}

// TestImport2026 applies the April 2026 changes in Đồng Nai on top of the
// 2025 list: changed units get a new version, the old one is closed.
func TestImport2026(t *testing.T) {
	data2025 := geoFile(t, "units-2025.csv")
	data2026 := geoFile(t, "units-2026.csv")
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		mustImport(t, s, importArgs{file: "units-2025.csv", units: data2025, from: "2025-07-01"})
		police := policeByLevel(t, db)

		imp := importArgs{file: "units-2026.csv", units: data2026, from: "2026-04-30"}
		res := mustImport(t, s, imp)
		if res.Closed != 11 || res.Inserted != 11 || res.Updated != 0 || res.Unchanged != 3344 || res.PoliceUnits != 0 {
			t.Errorf("import 2026: %+v; want 11 closed, 11 inserted, 3344 unchanged, no police unit", res)
		}

		for _, c := range []struct{ code, date, typ, fullName string }{
			{"75", "2026-05-01", "municipality", "Thành phố Đồng Nai"},
			{"75", "2026-04-30", "municipality", "Thành phố Đồng Nai"},
			{"75", "2026-04-29", "province", "Tỉnh Đồng Nai"},
			{"25270", "2026-05-01", "ward", "Phường Lộc Ninh"},
			{"25270", "2026-04-29", "commune", "Xã Lộc Ninh"},
			{"26485", "2026-05-01", "ward", "Phường Nhơn Trạch"},
			{"00004", "2026-05-01", "ward", "Phường Ba Đình"},
		} {
			u, err := s.UnitAt(ctx, c.code, c.date)
			if err != nil {
				t.Fatalf("UnitAt(%s, %s): %v", c.code, c.date, err)
			}
			if u.Type != c.typ || u.Title() != c.fullName {
				t.Errorf("UnitAt(%s, %s) = %s %q, want %s %q", c.code, c.date, u.Type, u.Title(), c.typ, c.fullName)
			}
		}

		var versions []geo.Unit
		rows, err := db.Query(ctx, "SELECT type, valid_from, COALESCE(valid_to, '') FROM units WHERE code = '25270' ORDER BY valid_from")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var u geo.Unit
			if err := rows.Scan(&u.Type, &u.ValidFrom, &u.ValidTo); err != nil {
				t.Fatal(err)
			}
			versions = append(versions, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(versions) != 2 ||
			versions[0] != (geo.Unit{Type: "commune", ValidFrom: "2025-07-01", ValidTo: "2026-04-29"}) ||
			versions[1] != (geo.Unit{Type: "ward", ValidFrom: "2026-04-30"}) {
			t.Errorf("versions of 25270: %+v; want commune 2025-07-01–2026-04-29, ward from 2026-04-30", versions)
		}

		if got := communesByType(t, db, "2026-05-01"); got["commune"]+got["ward"]+got["special_zone"] != 3321 ||
			got["commune"] != 2611 || got["ward"] != 697 || got["special_zone"] != 13 {
			t.Errorf("communes in force on 2026-05-01 by type: %v; want 2611 commune, 697 ward, 13 special zone", got)
		}
		if got := communesByType(t, db, "2026-04-29"); got["commune"] != 2621 || got["ward"] != 687 {
			t.Errorf("communes in force on 2026-04-29 by type: %v; want the 2025 counts", got)
		}
		for _, d := range []string{"2026-04-29", "2026-05-01"} {
			ps, err := s.Provinces(ctx, d)
			if err != nil || len(ps) != 34 {
				t.Errorf("Provinces(%s): %d, %v; want 34", d, len(ps), err)
			}
			cs, err := s.Children(ctx, "75", d)
			if err != nil || len(cs) != 95 {
				t.Errorf("Children(75, %s): %d, %v; want 95", d, len(cs), err)
			}
		}
		// Police units follow organisations, not versions: none added.
		if got := policeByLevel(t, db); got["commune"] != police["commune"] || got["province"] != police["province"] {
			t.Errorf("police units %v after the 2026 import, %v before", got, police)
		}
		verifyAudit(t, db)

		before := tableCounts(t, db)
		dump := dumpUnits(t, db)
		if res := mustImport(t, s, imp); res.Changed() {
			t.Errorf("second 2026 import changed something: %+v", res)
		}
		sameCounts(t, before, tableCounts(t, db))
		if dumpUnits(t, db) != dump {
			t.Error("second 2026 import changed the units table")
		}
	})
}

// TestImportVersions covers the versioning rules on a small list: a new
// version closes the old one, a same-day correction is made in place, an
// identical list is a no-op.
func TestImportVersions(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		res := importFixture2025(t, s)
		if res.Inserted != 7 || res.PoliceUnits != 7 {
			t.Fatalf("fixture import: %+v", res)
		}

		steps := []struct {
			name        string
			units, from string
			inserted    int
			updated     int
			closed      int
			unchanged   int
			check       string // code whose version on date is checked
			date, title string
		}{
			{
				name:     "renamed from a later date",
				units:    "code,name,type,parent_code\n00097,Hồng Hà Mới,ward,01\n",
				from:     "2026-01-01",
				inserted: 1, closed: 1,
				check: "00097", date: "2025-12-31", title: "Phường Hồng Hà",
			},
			{
				name:    "same-day correction",
				units:   "code,name,type,parent_code\n00097,Hồng Hà 2,ward,01\n",
				from:    "2026-01-01",
				updated: 1,
				check:   "00097", date: "2026-01-01", title: "Phường Hồng Hà 2",
			},
			{
				name:      "same again",
				units:     "code,name,type,parent_code\n00097,Hồng Hà 2,ward,01\n",
				from:      "2026-01-01",
				unchanged: 1,
				check:     "00097", date: "2026-06-01", title: "Phường Hồng Hà 2",
			},
			{
				name:      "byte-order mark and NFD names",
				units:     "\ufeffcode,name,type,parent_code\n00097,Ho\u0302\u0300ng Ha\u0300 2,ward,01\n",
				from:      "2026-01-01",
				unchanged: 1,
				check:     "00097", date: "2026-06-01", title: "Phường Hồng Hà 2",
			},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				res, err := runImport(ctx, s, importArgs{file: "step.csv", units: []byte(st.units), from: st.from})
				if err != nil {
					t.Fatal(err)
				}
				if res.Inserted != st.inserted || res.Updated != st.updated || res.Closed != st.closed || res.Unchanged != st.unchanged {
					t.Errorf("result %+v, want inserted %d updated %d closed %d unchanged %d", res, st.inserted, st.updated, st.closed, st.unchanged)
				}
				u, err := s.UnitAt(ctx, st.check, st.date)
				if err != nil {
					t.Fatal(err)
				}
				if u.Title() != st.title {
					t.Errorf("UnitAt(%s, %s).Title() = %q, want %q", st.check, st.date, u.Title(), st.title)
				}
			})
		}
		if n := verifyAudit(t, db); n != 3 {
			t.Errorf("audit entries: %d, want 3 (fixture, new version, correction)", n)
		}
	})
}

// TestImportErrors feeds bad files: each must name the line at fault and
// leave the database as it was.
func TestImportErrors(t *testing.T) {
	const head = "code,name,type,parent_code,full_name,name_en\n"
	const goodLineage = "old_commune_code,new_commune_code,merge_type\n00004,00004,full\n"
	cases := []struct {
		name        string
		units       string
		from, to    string
		lineage     string
		wantLine    int
		wantReason  string
		lineageFile bool
	}{
		{
			name:       "unknown parent",
			units:      head + "00004,Ba Đình,ward,01,Phường Ba Đình,Ba Dinh\n26734,Long Sơn,commune,77,Xã Long Sơn,Long Son\n",
			wantLine:   3,
			wantReason: "unknown parent_code",
		},
		{
			name:       "duplicate code",
			units:      head + "00004,Ba Đình,ward,01,,\n00008,Ngọc Hà,ward,01,,\n00025,Giảng Võ,ward,01,,\n00004,Ba Đình,ward,01,,\n",
			wantLine:   5,
			wantReason: "duplicate code",
		},
		{
			name:       "invalid UTF-8",
			units:      head + "00004,Ba Đình,ward,01,,\n00008,Ng\xe1c H\xe0,ward,01,,\n00025,Giảng Võ,ward,01,,\n",
			wantLine:   3,
			wantReason: "UTF-8",
		},
		{
			name:       "missing column",
			units:      "code,name,parent_code\n00004,Ba Đình,01\n",
			wantLine:   1,
			wantReason: `missing column "type"`,
		},
		{
			name:       "unknown type",
			units:      head + "00004,Ba Đình,ward,01,,\n00008,Ngọc Hà,village,01,,\n",
			wantLine:   3,
			wantReason: "unknown type",
		},
		{
			name:        "bad merge_type in lineage",
			units:       head + "00004,Ba Đình,ward,01,,\n",
			lineage:     "old_commune_code,new_commune_code,merge_type\n00001,00004,full\n00004,00004,merged\n",
			wantLine:    3,
			wantReason:  "merge_type",
			lineageFile: true,
		},
		{
			name:        "unknown new code in lineage, after units were written",
			units:       head + "00004,Ba Đình,ward,01,,\n00008,Ngọc Hà,ward,01,,\n00025,Giảng Võ,ward,01,,\n",
			lineage:     "old_commune_code,new_commune_code,merge_type\n00001,00004,full\n00006,00008,full\n00031,99999,full\n",
			wantLine:    4,
			wantReason:  "unknown new code",
			lineageFile: true,
		},
		{
			name:       "commune under a commune",
			units:      head + "00008,Ngọc Hà,ward,00004,,\n",
			wantLine:   2,
			wantReason: "không thể chứa",
		},
		{
			name:       "province with a parent",
			units:      head + "75,Đồng Nai,province,01,,\n",
			wantLine:   2,
			wantReason: "has no parent_code",
		},
		{
			name:       "commune without a parent",
			units:      head + "00008,Ngọc Hà,ward,,,\n",
			wantLine:   2,
			wantReason: "parent_code is empty",
		},
		{
			name:       "empty name",
			units:      head + "00008,Ngọc Hà,ward,01,,\n00025, ,ward,01,,\n",
			wantLine:   3,
			wantReason: "name is empty",
		},
		{
			name:       "bad code",
			units:      head + "00008,Ngọc Hà,ward,01,,\n00-25,Giảng Võ,ward,01,,\n",
			wantLine:   3,
			wantReason: "bad code",
		},
		{
			name:       "too few columns",
			units:      head + "00008,Ngọc Hà,ward,01,,\n00025,Giảng Võ,ward\n",
			wantLine:   3,
			wantReason: "columns",
		},
		{
			name:       "broken quoting",
			units:      head + "00008,Ngọc Hà,ward,01,,\n00025,\"Giảng \"Võ\",ward,01,,\n",
			wantLine:   3,
			wantReason: "CSV",
		},
		{
			name:       "header only",
			units:      head,
			wantLine:   2,
			wantReason: "no data rows",
		},
		{
			name:       "level does not match type",
			units:      "code,name,type,parent_code,level\n00008,Ngọc Hà,ward,01,district\n",
			wantLine:   2,
			wantReason: "level does not match type",
		},
		{
			name:       "bad valid_from",
			units:      head + "00008,Ngọc Hà,ward,01,,\n",
			from:       "2025-13-01",
			wantLine:   0,
			wantReason: "YYYY-MM-DD",
		},
		{
			name:       "valid_to before valid_from",
			units:      head + "00008,Ngọc Hà,ward,01,,\n",
			to:         "2025-06-30",
			wantLine:   0,
			wantReason: "trước ngày hiệu lực",
		},
	}
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		importFixture2025(t, s)
		if _, err := runImport(ctx, s, importArgs{file: "lineage-base.csv", units: []byte(fixture2025), from: geo.ReformDate,
			lineageName: "lineage.csv", lineage: []byte(goodLineage)}); err != nil {
			t.Fatalf("good lineage: %v", err)
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				from := c.from
				if from == "" {
					from = geo.ReformDate
				}
				var lineage []byte
				if c.lineage != "" {
					lineage = []byte(c.lineage)
				}
				before := tableCounts(t, db)
				dump := dumpUnits(t, db)
				res, err := runImport(ctx, s, importArgs{file: "bad.csv", units: []byte(c.units), from: from, to: c.to,
					lineageName: "bad-lineage.csv", lineage: lineage})
				if err == nil {
					t.Fatalf("import succeeded: %+v", res)
				}
				ie := importError(t, err)
				wantFile := "bad.csv"
				if c.lineageFile {
					wantFile = "bad-lineage.csv"
				}
				if ie.File != wantFile || ie.Line != c.wantLine || !strings.Contains(ie.Reason, c.wantReason) {
					t.Errorf("got %s line %d %q; want %s line %d, reason containing %q", ie.File, ie.Line, ie.Reason, wantFile, c.wantLine, c.wantReason)
				}
				if !strings.Contains(err.Error(), wantFile) {
					t.Errorf("error text %q does not name the file", err)
				}
				sameCounts(t, before, tableCounts(t, db))
				if dumpUnits(t, db) != dump {
					t.Error("units table changed")
				}
			})
		}
		verifyAudit(t, db)
	})
}

// TestImportBadRowAtEnd appends one bad row to the whole official list:
// nothing of the thousands of good rows before it may be imported.
func TestImportBadRowAtEnd(t *testing.T) {
	data := geoFile(t, "units-2025.csv")
	const lastLine = 3357 // header + 3355 rows, then the appended row
	cases := []struct {
		name, row, reason string
	}{
		{"unknown parent", "26734,Long Sơn,commune,77,Xã Long Sơn,Long Son\n", "unknown parent_code"},
		{"duplicate of the first commune", "00004,Ba Đình,ward,01,Phường Ba Đình,Ba Dinh\n", "duplicate code"},
		{"unknown type", "26734,Long Sơn,village,75,Xã Long Sơn,Long Son\n", "unknown type"},
		{"invalid UTF-8", "26734,Long S\xf5n,commune,75,Xã Long Sơn,Long Son\n", "UTF-8"},
	}
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		importFixture2025(t, s)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := tableCounts(t, db)
				bad := append(append([]byte(nil), data...), c.row...)
				_, err := runImport(ctx, s, importArgs{file: "units-2025-bad.csv", units: bad, from: geo.ReformDate})
				ie := importError(t, err)
				if ie.Line != lastLine || !strings.Contains(ie.Reason, c.reason) {
					t.Errorf("got line %d %q, want line %d %q", ie.Line, ie.Reason, lastLine, c.reason)
				}
				sameCounts(t, before, tableCounts(t, db))
			})
		}
		// A lineage row that fails only after all units and police units
		// were written in the transaction: all of it is rolled back.
		t.Run("bad lineage row after the units were written", func(t *testing.T) {
			before := tableCounts(t, db)
			dump := dumpUnits(t, db)
			lineage := "old_commune_code,new_commune_code,merge_type\n00001,00097,full\n00004,00004,full\n00031,99999,full\n"
			_, err := runImport(ctx, s, importArgs{file: "units-2025.csv", units: data, from: geo.ReformDate,
				lineageName: "lineage-bad.csv", lineage: []byte(lineage)})
			ie := importError(t, err)
			if ie.File != "lineage-bad.csv" || ie.Line != 4 || !strings.Contains(ie.Reason, "99999") {
				t.Errorf("got %s line %d %q, want lineage-bad.csv line 4 about 99999", ie.File, ie.Line, ie.Reason)
			}
			sameCounts(t, before, tableCounts(t, db))
			if dumpUnits(t, db) != dump {
				t.Error("units table changed")
			}
		})
		verifyAudit(t, db)
	})
}
