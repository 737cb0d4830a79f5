package geo_test

import (
	"context"
	"strings"
	"testing"

	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

func TestAreas(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		importFixture2025(t, s)
		const commune = "00004"
		today := s.Today()
		if today != "2026-11-30" {
			t.Fatalf("Today() = %s", today)
		}

		audits := countRows(t, db, "audit_log")
		a, err := s.CreateArea(ctx, commune, geo.AreaInput{Name: "  Tổ dân phố   số 1 ", Kind: "to_dan_pho", Note: " gần chợ "}, 7, "user:7")
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.CommuneCode != commune || a.Name != "Tổ dân phố số 1" || a.Kind != "to_dan_pho" || a.Note != "gần chợ" || a.ValidFrom != today {
			t.Errorf("CreateArea = %+v", a)
		}
		if n := countRows(t, db, "audit_log"); n != audits+1 {
			t.Errorf("audit_log: %d rows after create, want %d", n, audits+1)
		}
		b, err := s.CreateArea(ctx, commune, geo.AreaInput{Name: "Khu phố Ấp Bắc", Kind: "khu_pho"}, 7, "user:7")
		if err != nil {
			t.Fatal(err)
		}
		// The same name under another commune is fine.
		if _, err := s.CreateArea(ctx, "00190", geo.AreaInput{Name: "Tổ dân phố số 1", Kind: "to_dan_pho"}, 7, "user:7"); err != nil {
			t.Errorf("same name in another commune: %v", err)
		}

		as, err := s.Areas(ctx, commune, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 2 || as[0].ID != b.ID || as[1].ID != a.ID {
			t.Errorf("Areas(%s) = %+v, want %d and %d by name", commune, as, b.ID, a.ID)
		}
		if got, err := s.Area(ctx, a.ID); err != nil || got != a {
			t.Errorf("Area(%d) = %+v, %v; want %+v", a.ID, got, err, a)
		}
		if _, err := s.Area(ctx, a.ID+1000); !errs.Is(err, errs.NotFound) {
			t.Errorf("Area(unknown): %v, want NotFound", err)
		}

		t.Run("bad input", func(t *testing.T) {
			for _, c := range []struct {
				name    string
				commune string
				in      geo.AreaInput
				code    errs.Code
				field   string
			}{
				{"duplicate name", commune, geo.AreaInput{Name: "Tổ dân phố số 1", Kind: "to_dan_pho"}, errs.Invalid, "name"},
				{"duplicate name, other spacing and kind", commune, geo.AreaInput{Name: " Tổ  dân phố số 1", Kind: "thon"}, errs.Invalid, "name"},
				{"duplicate name in decomposed form", commune, geo.AreaInput{Name: "To\u0302\u0309 da\u0302n pho\u0302\u0301 so\u0302\u0301 1", Kind: "to_dan_pho"}, errs.Invalid, "name"},
				{"empty name", commune, geo.AreaInput{Name: "  ", Kind: "thon"}, errs.Invalid, "name"},
				{"name too long", commune, geo.AreaInput{Name: strings.Repeat("ấ", 121), Kind: "thon"}, errs.Invalid, "name"},
				{"note too long", commune, geo.AreaInput{Name: "Thôn Mới", Kind: "thon", Note: strings.Repeat("x", 1001)}, errs.Invalid, "note"},
				{"bad kind", commune, geo.AreaInput{Name: "Thôn Mới", Kind: "lang"}, errs.Invalid, "kind"},
				{"no kind", commune, geo.AreaInput{Name: "Thôn Mới"}, errs.Invalid, "kind"},
				{"under a province", "01", geo.AreaInput{Name: "Thôn Mới", Kind: "thon"}, errs.Invalid, ""},
				{"under an unknown commune", "99999", geo.AreaInput{Name: "Thôn Mới", Kind: "thon"}, errs.NotFound, ""},
			} {
				t.Run(c.name, func(t *testing.T) {
					before := tableCounts(t, db)
					_, err := s.CreateArea(ctx, c.commune, c.in, 7, "user:7")
					e, ok := errs.As(err)
					if !ok || e.Code != c.code || e.Field != c.field {
						t.Errorf("CreateArea: %v, want %s on field %q", err, c.code, c.field)
					}
					sameCounts(t, before, tableCounts(t, db))
				})
			}
		})

		t.Run("update", func(t *testing.T) {
			before := countRows(t, db, "audit_log")
			u, err := s.UpdateArea(ctx, a.ID, geo.AreaInput{Name: "Tổ dân phố số 2", Kind: "to_dan_pho", Note: "đổi tên"}, "user:7")
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != a.ID || u.Name != "Tổ dân phố số 2" || u.Note != "đổi tên" || u.CommuneCode != commune {
				t.Errorf("UpdateArea = %+v", u)
			}
			got, err := s.Area(ctx, a.ID)
			if err != nil || got.Name != "Tổ dân phố số 2" || got.Note != "đổi tên" {
				t.Errorf("Area after update = %+v, %v", got, err)
			}
			if n := countRows(t, db, "audit_log"); n != before+1 {
				t.Errorf("audit_log: %d rows after update, want %d", n, before+1)
			}
			// Keeping its own name is no conflict.
			if _, err := s.UpdateArea(ctx, a.ID, geo.AreaInput{Name: "Tổ dân phố số 2", Kind: "khac"}, "user:7"); err != nil {
				t.Errorf("update keeping the name: %v", err)
			}
			// The old name is free again.
			if _, err := s.CreateArea(ctx, commune, geo.AreaInput{Name: "Tổ dân phố số 1", Kind: "to_dan_pho"}, 7, "user:7"); err != nil {
				t.Errorf("reuse of the old name: %v", err)
			}

			n := countRows(t, db, "audit_log")
			for _, c := range []struct {
				name  string
				id    int64
				in    geo.AreaInput
				code  errs.Code
				field string
			}{
				{"to another area's name", a.ID, geo.AreaInput{Name: "Khu phố Ấp Bắc", Kind: "khu_pho"}, errs.Invalid, "name"},
				{"empty name", a.ID, geo.AreaInput{Name: "", Kind: "khu_pho"}, errs.Invalid, "name"},
				{"bad kind", a.ID, geo.AreaInput{Name: "Tổ 3", Kind: "?"}, errs.Invalid, "kind"},
				{"unknown area", a.ID + 1000, geo.AreaInput{Name: "Tổ 3", Kind: "khac"}, errs.NotFound, ""},
			} {
				_, err := s.UpdateArea(ctx, c.id, c.in, "user:7")
				if e, ok := errs.As(err); !ok || e.Code != c.code || e.Field != c.field {
					t.Errorf("%s: %v, want %s on field %q", c.name, err, c.code, c.field)
				}
			}
			if got, _ := s.Area(ctx, a.ID); got.Name != "Tổ dân phố số 2" {
				t.Errorf("failed updates changed the area: %+v", got)
			}
			if m := countRows(t, db, "audit_log"); m != n {
				t.Errorf("failed updates wrote %d audit entries", m-n)
			}
		})

		// create a, b, other commune's, the two updates and the reuse.
		if got, want := countRows(t, db, "audit_log"), audits+6; got != want {
			t.Errorf("audit_log: %d rows, want %d", got, want)
		}
		verifyAudit(t, db)
	})
}
