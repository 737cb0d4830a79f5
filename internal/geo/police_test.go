package geo_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

func TestSetJurisdiction(t *testing.T) {
	const (
		a     = "00004" // Ba Đình, Hà Nội
		b     = "00190" // Ô Chợ Dừa, Hà Nội
		c     = "00235" // Đống Đa, Hà Nội
		other = "01273" // Thục Phán, Cao Bằng
	)
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		importFixture2025(t, s)

		jurisdiction := func(code string) []string {
			t.Helper()
			p, err := s.PoliceUnit(ctx, code)
			if err != nil {
				t.Fatalf("PoliceUnit(%s): %v", code, err)
			}
			return p.Communes
		}
		policeOf := func(commune string) string {
			t.Helper()
			p, err := s.PoliceForCommune(ctx, commune)
			if err != nil {
				t.Fatalf("PoliceForCommune(%s): %v", commune, err)
			}
			return p.Code
		}

		pa, err := s.PoliceForCommune(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if pa.Code != geo.PoliceCode(a) || pa.Name != "Công an phường Ba Đình" || pa.ProvinceCode != "01" || !slices.Equal(pa.Communes, []string{a}) {
			t.Fatalf("police of %s before: %+v", a, pa)
		}
		if got := policeOf(b); got != "CA-"+b {
			t.Fatalf("police of %s before: %s", b, got)
		}

		audits := countRows(t, db, "audit_log")
		if err := s.SetJurisdiction(ctx, "CA-"+a, []string{a, b}, "user:1"); err != nil {
			t.Fatal(err)
		}
		if got := jurisdiction("CA-" + a); !slices.Equal(got, []string{a, b}) {
			t.Errorf("CA-%s covers %v, want [%s %s]", a, got, a, b)
		}
		if got := jurisdiction("CA-" + b); len(got) != 0 {
			t.Errorf("CA-%s still covers %v", b, got)
		}
		if got := policeOf(b); got != "CA-"+a {
			t.Errorf("PoliceForCommune(%s) = %s, want CA-%s", b, got, a)
		}
		if got := policeOf(a); got != "CA-"+a {
			t.Errorf("PoliceForCommune(%s) = %s, want CA-%s", a, got, a)
		}
		if n := countRows(t, db, "audit_log"); n != audits+1 {
			t.Errorf("audit_log: %d rows, want %d", n, audits+1)
		}

		// Moving B on again, to C's unit, takes it from A's.
		if err := s.SetJurisdiction(ctx, "CA-"+c, []string{c, b}, "user:1"); err != nil {
			t.Fatal(err)
		}
		if got := jurisdiction("CA-" + a); !slices.Equal(got, []string{a}) {
			t.Errorf("CA-%s covers %v after B moved on, want [%s]", a, got, a)
		}
		if got := policeOf(b); got != "CA-"+c {
			t.Errorf("PoliceForCommune(%s) = %s, want CA-%s", b, got, c)
		}

		t.Run("rejected", func(t *testing.T) {
			for _, tc := range []struct {
				name     string
				unit     string
				communes []string
				code     errs.Code
				field    string
			}{
				{"commune of another province", "CA-" + a, []string{a, other}, errs.Invalid, "communes"},
				{"a province", "CA-" + a, []string{a, "01"}, errs.Invalid, "communes"},
				{"no commune", "CA-" + a, nil, errs.Invalid, "communes"},
				{"unknown commune", "CA-" + a, []string{a, "99999"}, errs.NotFound, ""},
				{"province police unit", "CA-01", []string{a}, errs.Invalid, ""},
				{"unknown police unit", "CA-99999", []string{a}, errs.NotFound, ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := tableCounts(t, db)
					err := s.SetJurisdiction(ctx, tc.unit, tc.communes, "user:1")
					if e, ok := errs.As(err); !ok || e.Code != tc.code || e.Field != tc.field {
						t.Errorf("SetJurisdiction(%s, %v) = %v, want %s on field %q", tc.unit, tc.communes, err, tc.code, tc.field)
					}
					sameCounts(t, before, tableCounts(t, db))
				})
			}
			if got := jurisdiction("CA-" + a); !slices.Equal(got, []string{a}) {
				t.Errorf("CA-%s covers %v after rejected changes, want [%s]", a, got, a)
			}
			if got := policeOf(other); got != "CA-"+other {
				t.Errorf("PoliceForCommune(%s) = %s after a rejected move", other, got)
			}
		})

		t.Run("PoliceUnitsOf", func(t *testing.T) {
			ps, err := s.PoliceUnitsOf(ctx, "04")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.Code)
			}
			if !slices.Equal(got, []string{"CA-04", "CA-" + other}) {
				t.Errorf("PoliceUnitsOf(04) = %v", got)
			}
		})

		if _, err := s.PoliceForCommune(ctx, "99999"); !errs.Is(err, errs.NotFound) {
			t.Errorf("PoliceForCommune(99999): %v, want NotFound", err)
		}
		verifyAudit(t, db)
	})
}

// auditRows returns the audit entries with action, as "object|detail".
func auditRows(t *testing.T, db *store.DB, action string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), "SELECT object, detail FROM audit_log WHERE action = ? ORDER BY id", action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o, d string
		if err := rows.Scan(&o, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, o+"|"+d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEditPoliceUnit: renaming a police unit and changing its jurisdiction
// together, the refusals that keep every commune covered by one unit, and
// that the place of a moved commune names its new unit at once.
func TestEditPoliceUnit(t *testing.T) {
	const (
		a     = "00004" // Ba Đình, Hà Nội
		b     = "00190" // Ô Chợ Dừa, Hà Nội
		c     = "00235" // Đống Đa, Hà Nội
		other = "01273" // Thục Phán, Cao Bằng
	)
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		importFixture2025(t, s)
		d := s.Today()
		if _, police := placeOf(t, s, b, d); police != "CA-"+b {
			t.Fatalf("police of %s before: %s", b, police)
		}

		// Rename and take B from its own unit, in one edit.
		changed, err := s.EditPoliceUnit(ctx, "CA-"+a, geo.PoliceEdit{Name: "  Công an phường   Ba Đình (cụm) ", Communes: []string{b, a, b}}, "user:7")
		if err != nil || !changed {
			t.Fatalf("EditPoliceUnit: %v, changed %v", err, changed)
		}
		pa, err := s.PoliceUnit(ctx, "CA-"+a)
		if err != nil {
			t.Fatal(err)
		}
		if pa.Name != "Công an phường Ba Đình (cụm)" || !slices.Equal(pa.Communes, []string{a, b}) {
			t.Errorf("after the edit: %q covers %v", pa.Name, pa.Communes)
		}
		if pb, err := s.PoliceUnit(ctx, "CA-"+b); err != nil || len(pb.Communes) != 0 {
			t.Errorf("CA-%s after B moved away: %+v, %v", b, pb, err)
		}
		// The place, read before the edit, names the new unit at once.
		if p, police := placeOf(t, s, b, d); police != "CA-"+a {
			t.Errorf("police of %s after the move: %s, want CA-%s", b, police, a)
		} else if pu, _ := p.Police(); pu.Name != "Công an phường Ba Đình (cụm)" {
			t.Errorf("place of %s names its police %q", b, pu.Name)
		}
		if got := auditRows(t, db, "police.rename"); !slices.Equal(got, []string{"police:CA-" + a + "|from=Công an phường Ba Đình to=Công an phường Ba Đình (cụm)"}) {
			t.Errorf("rename audit: %q", got)
		}
		if got := auditRows(t, db, "police.jurisdiction"); !slices.Equal(got, []string{"police:CA-" + a + "|communes=" + a + "," + b + "; moved " + b + " from CA-" + b}) {
			t.Errorf("jurisdiction audit: %q", got)
		}

		// The same edit again changes nothing and writes nothing.
		before := tableCounts(t, db)
		if changed, err := s.EditPoliceUnit(ctx, "CA-"+a, geo.PoliceEdit{Name: "Công an phường Ba Đình (cụm)", Communes: []string{a, b}}, "user:7"); err != nil || changed {
			t.Errorf("repeated edit: %v, changed %v", err, changed)
		}
		sameCounts(t, before, tableCounts(t, db))

		t.Run("rejected", func(t *testing.T) {
			long := strings.Repeat("Công an ", 30)
			for _, tc := range []struct {
				name  string
				unit  string
				in    geo.PoliceEdit
				code  errs.Code
				field string
				msg   string
			}{
				{"no name", "CA-" + a, geo.PoliceEdit{Name: "  ", Communes: []string{a, b}}, errs.Invalid, "name", "Vui lòng nhập tên"},
				{"long name", "CA-" + a, geo.PoliceEdit{Name: long, Communes: []string{a, b}}, errs.Invalid, "name", "dài quá"},
				{"control character", "CA-" + a, geo.PoliceEdit{Name: "Công an\x00", Communes: []string{a, b}}, errs.Invalid, "name", "không hợp lệ"},
				{"empty jurisdiction", "CA-" + a, geo.PoliceEdit{Name: "Công an phường Ba Đình"}, errs.Invalid, "communes", "ít nhất một xã"},
				// Leaving B out would leave it without a unit: it moves
				// only by being taken by another.
				{"commune left out", "CA-" + a, geo.PoliceEdit{Name: "Công an phường Ba Đình", Communes: []string{a}}, errs.Invalid, "communes", "Không thể bỏ Phường Ô Chợ Dừa"},
				{"commune of another province", "CA-" + a, geo.PoliceEdit{Name: "X", Communes: []string{a, b, other}}, errs.Invalid, "communes", "không thuộc tỉnh"},
				{"province police with communes", "CA-01", geo.PoliceEdit{Name: "Công an Hà Nội", Communes: []string{a}}, errs.Invalid, "", "cấp xã"},
				{"unknown unit", "CA-99999", geo.PoliceEdit{Name: "X"}, errs.NotFound, "", ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := tableCounts(t, db)
					_, err := s.EditPoliceUnit(ctx, tc.unit, tc.in, "user:7")
					if e, ok := errs.As(err); !ok || e.Code != tc.code || e.Field != tc.field || !strings.Contains(e.Message, tc.msg) {
						t.Errorf("EditPoliceUnit(%s, %+v) = %v, want %s on field %q saying %q", tc.unit, tc.in, err, tc.code, tc.field, tc.msg)
					}
					sameCounts(t, before, tableCounts(t, db))
				})
			}
			if err := s.SetJurisdiction(ctx, "CA-"+a, []string{a}, "user:7"); !errs.Is(err, errs.Invalid) {
				t.Errorf("SetJurisdiction leaving %s out: %v, want Invalid", b, err)
			}
			if p, _ := s.PoliceUnit(ctx, "CA-"+a); p.Name != "Công an phường Ba Đình (cụm)" || !slices.Equal(p.Communes, []string{a, b}) {
				t.Errorf("after rejected edits: %q covers %v", p.Name, p.Communes)
			}
		})

		t.Run("a unit with no commune left", func(t *testing.T) {
			// CA-b covers nothing since B moved: it may be renamed without
			// a commune, but not set to cover none.
			if changed, err := s.EditPoliceUnit(ctx, "CA-"+b, geo.PoliceEdit{Name: "Công an phường Ô Chợ Dừa (đã hợp nhất)"}, "user:7"); err != nil || !changed {
				t.Errorf("rename an empty unit: %v, changed %v", err, changed)
			}
			if err := s.SetJurisdiction(ctx, "CA-"+b, nil, "user:7"); !errs.Is(err, errs.Invalid) {
				t.Errorf("SetJurisdiction(CA-%s, none): %v, want Invalid", b, err)
			}
			// Taking B back undoes the move.
			if changed, err := s.EditPoliceUnit(ctx, "CA-"+b, geo.PoliceEdit{Name: "Công an phường Ô Chợ Dừa", Communes: []string{b}}, "user:7"); err != nil || !changed {
				t.Fatalf("take %s back: %v, changed %v", b, err, changed)
			}
			if _, police := placeOf(t, s, b, d); police != "CA-"+b {
				t.Errorf("police of %s after taking it back: %s", b, police)
			}
		})

		t.Run("province police", func(t *testing.T) {
			if changed, err := s.EditPoliceUnit(ctx, "CA-01", geo.PoliceEdit{Name: "Công an Thành phố Hà Nội"}, "user:7"); err != nil || !changed {
				t.Errorf("rename the province police: %v, changed %v", err, changed)
			}
			if p, _ := s.PoliceUnit(ctx, "CA-01"); p.Name != "Công an Thành phố Hà Nội" || len(p.Communes) != 0 {
				t.Errorf("province police: %+v", p)
			}
		})

		t.Run("communes no longer in force stay", func(t *testing.T) {
			// A commune that ended before today, covered by C's unit.
			if _, err := db.Exec(ctx, "INSERT INTO units (code, name, type, level, parent_code, valid_from, valid_to) VALUES ('00229', 'Cũ', 'ward', 'commune', '01', '2025-07-01', '2026-03-31')"); err != nil {
				t.Fatal(err)
			}
			pc, err := s.PoliceUnit(ctx, "CA-"+c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(ctx, "INSERT INTO police_jurisdiction (police_unit_id, commune_code) VALUES (?, '00229')", pc.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.EditPoliceUnit(ctx, "CA-"+c, geo.PoliceEdit{Name: pc.Name, Communes: []string{c, "00097"}}, "user:7"); err != nil {
				t.Fatal(err)
			}
			if p, _ := s.PoliceUnit(ctx, "CA-"+c); !slices.Equal(p.Communes, []string{"00097", "00229", c}) {
				t.Errorf("CA-%s covers %v, want the ended commune kept", c, p.Communes)
			}
			// Choosing it is refused: it is not in force.
			if _, err := s.EditPoliceUnit(ctx, "CA-"+a, geo.PoliceEdit{Name: "X", Communes: []string{a, b, "00229"}}, "user:7"); !errs.Is(err, errs.NotFound) {
				t.Errorf("choosing an ended commune: %v, want NotFound", err)
			}
		})

		t.Run("one unit per commune", func(t *testing.T) {
			// The database refuses a second unit for a commune.
			_, err := db.Exec(ctx, "INSERT INTO police_jurisdiction (police_unit_id, commune_code) VALUES ((SELECT id FROM police_units WHERE code = 'CA-01'), ?)", a)
			if !store.IsUniqueViolation(err) {
				t.Errorf("a second unit for %s: %v, want a unique violation", a, err)
			}
		})

		t.Run("migration of an older database", func(t *testing.T) {
			// Before migration 16 a commune could be listed under two
			// units; the migration keeps the unit with the lowest id, the
			// one routing used.
			for _, q := range []string{"DROP INDEX police_jurisdiction_commune", "CREATE INDEX police_jurisdiction_commune ON police_jurisdiction (commune_code)",
				"INSERT INTO police_jurisdiction (police_unit_id, commune_code) VALUES ((SELECT id FROM police_units WHERE code = 'CA-00097'), '" + a + "')"} {
				if _, err := db.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			ms, err := store.Migrations()
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(ms, func(m store.Migration) bool { return m.Version == 16 })
			if i < 0 {
				t.Fatal("no migration 16")
			}
			if _, err := db.Exec(ctx, ms[i].SQL); err != nil {
				t.Fatalf("migration 16: %v", err)
			}
			if p, _ := s.PoliceUnit(ctx, "CA-"+a); !slices.Equal(p.Communes, []string{a}) {
				t.Errorf("CA-%s covers %v after the migration", a, p.Communes)
			}
			if p, _ := s.PoliceUnit(ctx, "CA-00097"); len(p.Communes) != 0 {
				t.Errorf("CA-00097 covers %v after the migration", p.Communes)
			}
			_, err = db.Exec(ctx, "INSERT INTO police_jurisdiction (police_unit_id, commune_code) VALUES ((SELECT id FROM police_units WHERE code = 'CA-01'), ?)", a)
			if !store.IsUniqueViolation(err) {
				t.Errorf("a second unit for %s after the migration: %v, want a unique violation", a, err)
			}
		})

		t.Run("PoliceUnitsOf", func(t *testing.T) {
			ps, err := s.PoliceUnitsOf(ctx, "01")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			var order []string
			for _, p := range ps {
				got[p.Code] = p.Communes
				order = append(order, p.Code)
			}
			if order[0] != "CA-01" || len(got["CA-01"]) != 0 || !slices.Equal(got["CA-"+a], []string{a}) || !slices.Equal(got["CA-"+c], []string{"00097", "00229", c}) || len(got["CA-00097"]) != 0 || len(got) != 7 {
				t.Errorf("PoliceUnitsOf(01) = %v", got)
			}
			ps, err = s.PoliceUnitsOf(ctx, geo.Nation)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) < 2 || ps[0].Code != geo.NationalIntakeCode || ps[1].Level != "province" {
				t.Errorf("PoliceUnitsOf(VN) starts %+v", ps[:min(len(ps), 2)])
			}
		})
		verifyAudit(t, db)
	})
}
