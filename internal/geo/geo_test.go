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

// TestHierarchy asks the tree questions on a small two-level geography and a
// small three-level one loaded side by side, where code 00004 names a
// different unit in each.
func TestHierarchy(t *testing.T) {
	const (
		old = "2025-05-01" // three levels: province, district, commune
		now = "2025-08-01" // two levels
	)
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		importFixture2025(t, s)
		importFixture2022(t, s)

		t.Run("Children", func(t *testing.T) {
			for _, c := range []struct {
				code, date string
				want       []string
			}{
				// Vietnamese order: Đ after D and before H, Ô before P.
				{"01", now, []string{"00004", "00235", "00256", "00097", "00190", "00091"}},
				{"04", now, []string{"01273"}},
				{"01", old, []string{"001", "002"}},
				{"001", old, []string{"00001", "00004"}},
				{"001", now, nil},
				{"02", now, nil}, // Hà Giang was merged away
				{"00004", now, nil},
			} {
				us, err := s.Children(ctx, c.code, c.date)
				if err != nil {
					t.Fatal(err)
				}
				if got := codes(us); !slices.Equal(got, c.want) {
					t.Errorf("Children(%s, %s) = %v, want %v", c.code, c.date, got, c.want)
				}
			}
		})

		t.Run("CommunesOf", func(t *testing.T) {
			for _, c := range []struct {
				province, date string
				want           []string
			}{
				{"01", now, []string{"00004", "00091", "00097", "00190", "00235", "00256"}},
				{"01", old, []string{"00001", "00004", "00037"}}, // through districts 001 and 002
				{"02", old, []string{"00688"}},
				{"04", now, []string{"01273"}},
				{"04", old, nil},
			} {
				us, err := s.CommunesOf(ctx, c.province, c.date)
				if err != nil {
					t.Fatal(err)
				}
				if got := codes(us); !slices.Equal(got, c.want) {
					t.Errorf("CommunesOf(%s, %s) = %v, want %v", c.province, c.date, got, c.want)
				}
			}
		})

		t.Run("ProvinceOf", func(t *testing.T) {
			for _, c := range []struct {
				code, date, want, wantFrom string
			}{
				{"00004", now, "01", geo.ReformDate},
				{"00004", old, "01", "2025-03-01"}, // Trúc Bạch, via district 001
				{"00688", old, "02", "2025-03-01"},
				{"001", old, "01", "2025-03-01"},
				{"01273", now, "04", geo.ReformDate},
				{"01", now, "01", geo.ReformDate},
			} {
				p, err := s.ProvinceOf(ctx, c.code, c.date)
				if err != nil {
					t.Fatalf("ProvinceOf(%s, %s): %v", c.code, c.date, err)
				}
				if p.Code != c.want || p.ValidFrom != c.wantFrom || p.Level != geo.LevelProvince {
					t.Errorf("ProvinceOf(%s, %s) = %s from %s, want %s from %s", c.code, c.date, p.Code, p.ValidFrom, c.want, c.wantFrom)
				}
			}
			if _, err := s.ProvinceOf(ctx, "00001", now); !errs.Is(err, errs.NotFound) {
				t.Errorf("ProvinceOf(00001, %s): %v, want NotFound", now, err)
			}
		})

		t.Run("Ancestors", func(t *testing.T) {
			chain, err := s.Ancestors(ctx, "00004", old)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(chain); !slices.Equal(got, []string{"00004", "001", "01"}) || chain[0].Name != "Trúc Bạch" {
				t.Errorf("Ancestors(00004, %s) = %v (%s)", old, got, chain[0].Name)
			}
			chain, err = s.Ancestors(ctx, "00004", now)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(chain); !slices.Equal(got, []string{"00004", "01"}) || chain[0].Name != "Ba Đình" {
				t.Errorf("Ancestors(00004, %s) = %v (%s)", now, got, chain[0].Name)
			}
		})

		t.Run("Within", func(t *testing.T) {
			for _, c := range []struct {
				scope, code, date string
				want              bool
			}{
				{geo.Nation, "00004", now, true},
				{geo.Nation, "nothing", now, true},
				{"01", "00004", now, true},
				{"00004", "00004", now, true},
				{"04", "00004", now, false},
				{"00004", "01", now, false}, // a commune does not hold its province
				{"01", "01273", now, false},
				{"04", "01273", now, true},
				{"001", "00004", old, true},
				{"01", "00004", old, true},
				{"001", "00004", now, false}, // same code, the 2025 ward is not in the old district
				{"002", "00004", old, false},
				{"02", "00688", old, true},
				{"01", "00688", old, false},
				{"01", "00001", now, false}, // no such unit on that date
				{"01", "99999", now, false},
				{"", "00004", now, false},
				{"01", "", now, false},
			} {
				got, err := s.Within(ctx, c.scope, c.code, c.date)
				if err != nil {
					t.Fatalf("Within(%s, %s, %s): %v", c.scope, c.code, c.date, err)
				}
				if got != c.want {
					t.Errorf("Within(%q, %q, %s) = %v, want %v", c.scope, c.code, c.date, got, c.want)
				}
			}
		})

		t.Run("UnitAt", func(t *testing.T) {
			for _, c := range []struct{ code, date, title string }{
				{"00004", old, "Phường Trúc Bạch"},
				{"00004", "2025-06-30", "Phường Trúc Bạch"},
				{"00004", "2025-07-01", "Phường Ba Đình"},
				{"01", old, "Thành phố Hà Nội"},
			} {
				u, err := s.UnitAt(ctx, c.code, c.date)
				if err != nil || u.Title() != c.title {
					t.Errorf("UnitAt(%s, %s) = %q, %v; want %q", c.code, c.date, u.Title(), err, c.title)
				}
			}
			for _, c := range []struct{ code, date string }{
				{"00004", "2025-02-28"},
				{"002", now},
				{"99999", now},
			} {
				if _, err := s.UnitAt(ctx, c.code, c.date); !errs.Is(err, errs.NotFound) {
					t.Errorf("UnitAt(%s, %s): %v, want NotFound", c.code, c.date, err)
				}
			}
		})

		t.Run("Provinces", func(t *testing.T) {
			for _, c := range []struct {
				date string
				want int
			}{
				{"2025-02-28", 0},
				{old, 2}, // the fixture's 01 and 02
				{now, 34},
			} {
				ps, err := s.Provinces(ctx, c.date)
				if err != nil || len(ps) != c.want {
					t.Errorf("Provinces(%s) = %d, %v; want %d", c.date, len(ps), err, c.want)
				}
			}
		})
	})
}

func TestUnitTitleAndInForce(t *testing.T) {
	cases := []struct {
		u     geo.Unit
		title string
		in    map[string]bool
	}{
		{
			u:     geo.Unit{Name: "Ba Đình", FullName: "Phường Ba Đình", Type: "ward", ValidFrom: "2025-07-01"},
			title: "Phường Ba Đình",
			in:    map[string]bool{"2025-06-30": false, "2025-07-01": true, "2099-01-01": true},
		},
		{
			u:     geo.Unit{Name: "Lộc Ninh", Type: "commune", ValidFrom: "2025-07-01", ValidTo: "2026-04-29"},
			title: "Xã Lộc Ninh",
			in:    map[string]bool{"2025-07-01": true, "2026-04-29": true, "2026-04-30": false},
		},
		{
			u:     geo.Unit{Name: "Bạch Long Vĩ", Type: "special_zone", ValidFrom: "2025-07-01"},
			title: "Đặc khu Bạch Long Vĩ",
		},
		{
			u:     geo.Unit{Name: "Nơi khác", Type: "unknown", ValidFrom: "2025-07-01"},
			title: "Nơi khác",
		},
	}
	for _, c := range cases {
		t.Run(c.title, func(t *testing.T) {
			if got := c.u.Title(); got != c.title {
				t.Errorf("Title() = %q, want %q", got, c.title)
			}
			for d, want := range c.in {
				if got := c.u.InForce(d); got != want {
					t.Errorf("InForce(%s) = %v, want %v", d, got, want)
				}
			}
		})
	}
}
