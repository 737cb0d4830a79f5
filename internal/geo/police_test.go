package geo_test

import (
	"context"
	"slices"
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
