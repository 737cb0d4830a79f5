package movement_test

import (
	"context"
	"testing"

	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// The current view's geography is kept between roll-ups, but a geography
// import is seen by the next roll-up at once.
func TestRollUpSeesNewGeography(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		imp := func(name, csv string) {
			t.Helper()
			if _, err := e.geo.Import(ctx, geo.ImportOptions{FileName: name, ValidFrom: "2025-07-01", Actor: "test"}, []byte(csv), "", nil); err != nil {
				t.Fatalf("geo import %s: %v", name, err)
			}
		}
		imp("a.csv", testutil.SampleCommunes)
		e.mustImport(t, "a.csv", []byte(festivalHeader+"2026,T0101,,2026-08-19,100,0,0,0\n"))
		if f := e.figures(t, "01", 2026, movement.Current); f.CommunePoints != 1 {
			t.Fatalf("Hà Nội: %+v", f)
		}
		imp("b.csv", testutil.SampleCommunes+"T0199,Mẫu Chín,commune,01,Xã Mẫu Chín\n")
		e.mustImport(t, "b.csv", []byte(festivalHeader+"2026,T0199,,2026-08-20,50,0,0,0\n"))
		if f := e.figures(t, "T0199", 2026, movement.Current); f.CommunePoints != 1 || f.Participants != 50 {
			t.Errorf("the new commune: %+v", f)
		}
		if f := e.figures(t, "01", 2026, movement.Current); f.CommunePoints != 2 || f.Participants != 150 {
			t.Errorf("Hà Nội after the import: %+v", f)
		}
	})
}
