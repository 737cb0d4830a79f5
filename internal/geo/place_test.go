package geo_test

import (
	"context"
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

// placeOf fails the test unless code has a place on d, and returns it with
// the code of its police unit.
func placeOf(t *testing.T, s *geo.Service, code, d string) (geo.Place, string) {
	t.Helper()
	p, err := s.PlaceAt(context.Background(), code, d)
	if err != nil {
		t.Fatalf("PlaceAt(%s, %s): %v", code, d, err)
	}
	pu, err := p.Police()
	if err != nil {
		t.Fatalf("PlaceAt(%s, %s).Police(): %v", code, d, err)
	}
	return p, pu.Code
}

func TestPlaceAt(t *testing.T) {
	const d = "2026-11-30"
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		importFixture2025(t, s)
		mustImport(t, s, importArgs{file: "zone.csv", from: geo.ReformDate,
			units: []byte("code,name,type,parent_code\n01999,Mẫu,special_zone,04\n")})

		p, police := placeOf(t, s, "00004", d)
		if p.Unit.Name != "Ba Đình" || p.Unit.Level != geo.LevelCommune || p.Province.Code != "01" || police != "CA-00004" || p.Remote {
			t.Errorf("place of 00004: %+v, police %s", p, police)
		}
		pu, _ := p.Police()
		if pu.Name != "Công an phường Ba Đình" || pu.Level != "commune" || pu.ProvinceCode != "01" || pu.ID == 0 {
			t.Errorf("police of 00004: %+v", pu)
		}
		if p, police := placeOf(t, s, "01", d); p.Unit.Level != geo.LevelProvince || p.Province.Code != "01" || police != "CA-01" || p.Remote {
			t.Errorf("place of 01: %+v, police %s", p, police)
		}
		if p, _ := placeOf(t, s, "01999", d); !p.Remote || p.Province.Code != "04" {
			t.Errorf("a special zone: %+v, want remote in 04", p)
		}
		for _, code := range []string{"99999", ""} {
			if _, err := s.PlaceAt(ctx, code, d); !errs.Is(err, errs.NotFound) {
				t.Errorf("PlaceAt(%q): %v, want NotFound", code, err)
			}
		}
		if _, err := s.PlaceAt(ctx, "00004", "2025-06-30"); !errs.Is(err, errs.NotFound) {
			t.Errorf("PlaceAt(00004) before the reform: %v, want NotFound", err)
		}

		// A unit in force whose parent is not: the place of each part says
		// what is wrong, as ProvinceOf does.
		if _, err := db.Exec(ctx, "INSERT INTO units (code, name, type, level, parent_code, valid_from) VALUES ('77001', 'Mồ côi', 'commune', 'commune', 'ZZ', '2025-07-01')"); err != nil {
			t.Fatal(err)
		}
		s.InvalidatePlaces()
		_, want := s.ProvinceOf(ctx, "77001", d)
		if _, err := s.PlaceAt(ctx, "77001", d); err == nil || err.Error() != want.Error() {
			t.Errorf("PlaceAt of a commune without a province: %v, want %v", err, want)
		}

		// A commune no police unit covers has a place, but no police.
		if _, err := db.Exec(ctx, "DELETE FROM police_jurisdiction WHERE commune_code = '00190'"); err != nil {
			t.Fatal(err)
		}
		s.InvalidatePlaces()
		p, err := s.PlaceAt(ctx, "00190", d)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Police()
		if _, want := s.PoliceForCommune(ctx, "00190"); !errs.Is(err, errs.NotFound) || err.Error() != want.Error() {
			t.Errorf("police of an uncovered commune: %v, want %v", err, want)
		}
	})
}

// TestPlaceAtInvalidation checks that PlaceAt sees at once every change this
// process makes, and within a minute one that another instance makes.
func TestPlaceAtInvalidation(t *testing.T) {
	const (
		a = "00004" // Ba Đình, Hà Nội
		b = "00190" // Ô Chợ Dừa, Hà Nội
	)
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		clk := s.Clock.(*clock.Fixed)
		d := s.Today()
		importFixture2025(t, s)
		// Another instance on the same database, with its own memory.
		other := &geo.Service{DB: db, Clock: clk}

		if _, police := placeOf(t, s, b, d); police != "CA-"+b {
			t.Fatalf("police of %s: %s", b, police)
		}
		placeOf(t, other, b, d)

		t.Run("jurisdiction", func(t *testing.T) {
			if err := s.SetJurisdiction(ctx, "CA-"+a, []string{a, b}, "user:1"); err != nil {
				t.Fatal(err)
			}
			if _, police := placeOf(t, s, b, d); police != "CA-"+a {
				t.Errorf("police of %s after SetJurisdiction: %s, want CA-%s", b, police, a)
			}
		})

		t.Run("import", func(t *testing.T) {
			if _, err := s.PlaceAt(ctx, "00099", d); !errs.Is(err, errs.NotFound) {
				t.Fatalf("PlaceAt(00099) before its import: %v", err)
			}
			// A new commune, and a corrected name of the same version.
			mustImport(t, s, importArgs{file: "fix.csv", from: geo.ReformDate,
				units: []byte("code,name,type,parent_code\n00099,Mới,ward,01\n00004,Ba Đình Mới,ward,01\n")})
			p, police := placeOf(t, s, "00099", d)
			if p.Province.Code != "01" || police != "CA-00099" {
				t.Errorf("new commune: %+v, police %s", p, police)
			}
			if p, _ := placeOf(t, s, a, d); p.Unit.Name != "Ba Đình Mới" {
				t.Errorf("renamed commune: %q", p.Unit.Name)
			}
		})

		t.Run("another instance", func(t *testing.T) {
			// other read its places before s changed them: it keeps them
			// for up to a minute, then reads them again.
			if _, police := placeOf(t, other, b, d); police != "CA-"+b {
				t.Errorf("the other instance, at once: police of %s is %s, want the one it read (CA-%s)", b, police, b)
			}
			clk.Advance(59 * time.Second)
			placeOf(t, other, b, d)
			clk.Advance(2 * time.Second)
			if _, police := placeOf(t, other, b, d); police != "CA-"+a {
				t.Errorf("the other instance, a minute on: police of %s is %s, want CA-%s", b, police, a)
			}
			if p, _ := placeOf(t, other, a, clock.Today(clk)); p.Unit.Name != "Ba Đình Mới" {
				t.Errorf("the other instance, a minute on: name %q", p.Unit.Name)
			}
			// A clock set back does not keep places either.
			if _, err := db.Exec(ctx, "INSERT INTO remote_communes (commune_code) VALUES (?)", b); err != nil {
				t.Fatal(err)
			}
			clk.Advance(-time.Hour)
			if p, _ := placeOf(t, other, b, clock.Today(clk)); !p.Remote {
				t.Errorf("remote_communes edited, clock set back: %s not remote", b)
			}
		})
	})
}

// TestPlaceAtMatchesQueries compares every place of the real list of 2025
// with what the service's single-unit queries say.
func TestPlaceAtMatchesQueries(t *testing.T) {
	data := geoFile(t, "units-2025.csv")
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		mustImport(t, s, importArgs{file: "units-2025.csv", units: data, from: geo.ReformDate})
		const d = "2026-11-30"
		for i, r := range csvRows(t, data) {
			code := r["code"]
			if r["parent_code"] != "" && i%5 != 0 { // every province, a fifth of the communes
				continue
			}
			p, police := placeOf(t, s, code, d)
			u, err := s.UnitAt(ctx, code, d)
			if err != nil {
				t.Fatal(err)
			}
			prov, err := s.ProvinceOf(ctx, code, d)
			if err != nil {
				t.Fatal(err)
			}
			want := geo.PoliceCode(code)
			if u.Level == geo.LevelCommune {
				pu, err := s.PoliceForCommune(ctx, code)
				if err != nil {
					t.Fatal(err)
				}
				want = pu.Code
			}
			if p.Unit != u || p.Province != prov || police != want || p.Remote != (u.Type == "special_zone") {
				t.Errorf("%s: place %+v, police %s; queries say %+v in %+v, police %s", code, p, police, u, prov, want)
			}
		}
	})
}
