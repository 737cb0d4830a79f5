package geo_test

import (
	"context"
	"testing"

	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

func TestEnsureBuiltins(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)

		ps, err := s.Provinces(ctx, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 34 {
			t.Fatalf("Provinces on 2026-11-30: %d, want 34", len(ps))
		}
		for _, p := range ps {
			if p.Level != geo.LevelProvince || p.ParentCode != "" || p.ValidFrom != geo.ReformDate || p.ValidTo != "" {
				t.Errorf("province %s: level %q parent %q valid %s–%s, want province, no parent, from %s, open",
					p.Code, p.Level, p.ParentCode, p.ValidFrom, p.ValidTo, geo.ReformDate)
			}
		}
		// The built-ins describe the two-level geography only.
		if old, err := s.Provinces(ctx, "2025-06-30"); err != nil || len(old) != 0 {
			t.Errorf("Provinces on 2025-06-30: %d, %v; want none", len(old), err)
		}
		if got := policeByLevel(t, db); got["province"] != 34 || got["national"] != 1 || got["commune"] != 0 {
			t.Errorf("police units by level: %v, want 34 province, 1 national", got)
		}
		p, err := s.PoliceUnit(ctx, geo.PoliceCode("01"))
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "Công an thành phố Hà Nội" || p.Level != "province" || p.ProvinceCode != "01" {
			t.Errorf("police of 01: %+v", p)
		}
		if _, err := s.PoliceUnit(ctx, geo.NationalIntakeCode); err != nil {
			t.Errorf("national intake unit: %v", err)
		}

		// Running again at the next start changes nothing.
		before := tableCounts(t, db)
		dump := dumpUnits(t, db)
		if err := geo.EnsureBuiltins(ctx, db, store.FormatTime(testNow())); err != nil {
			t.Fatal(err)
		}
		sameCounts(t, before, tableCounts(t, db))
		if dumpUnits(t, db) != dump {
			t.Error("second EnsureBuiltins changed the units table")
		}
	})
}

// TestBuiltinsMatchOfficialList checks the built-in provinces against the
// province rows of units-2025.csv, field by field.
func TestBuiltinsMatchOfficialList(t *testing.T) {
	var want []map[string]string
	for _, r := range csvRows(t, geoFile(t, "units-2025.csv")) {
		if r["parent_code"] == "" {
			want = append(want, r)
		}
	}
	if len(want) != 34 {
		t.Fatalf("units-2025.csv has %d province rows, want 34", len(want))
	}
	check := func(t *testing.T, got []geo.Unit) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%d provinces, want %d", len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.Code != w["code"] || g.Name != w["name"] || g.Type != w["type"] || g.FullName != w["full_name"] || g.NameEN != w["name_en"] {
				t.Errorf("province %d: got %s|%s|%s|%s|%s, file has %s|%s|%s|%s|%s", i,
					g.Code, g.Name, g.Type, g.FullName, g.NameEN,
					w["code"], w["name"], w["type"], w["full_name"], w["name_en"])
			}
		}
	}
	t.Run("BuiltinProvinces", func(t *testing.T) { check(t, geo.BuiltinProvinces()) })
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		ps, err := s.Provinces(context.Background(), geo.ReformDate)
		if err != nil {
			t.Fatal(err)
		}
		check(t, ps)
	})
}
