package movement_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// realLists are the official lists of TOANDAN_TEST_GEO.
type realLists struct {
	units2022, units2025, units2026, lineage []byte
	old                                      map[string]map[string]string // units-2022 rows by code
	newParent                                map[string]string            // 2025 commune → its province
	succ                                     map[string][]string          // old commune → new communes
}

func loadRealLists(t testing.TB) realLists {
	t.Helper()
	l := realLists{
		units2022: geoFile(t, "units-2022.csv"),
		units2025: geoFile(t, "units-2025.csv"),
		units2026: geoFile(t, "units-2026.csv"),
		lineage:   geoFile(t, "lineage-2025.csv"),
		old:       map[string]map[string]string{},
		newParent: map[string]string{},
		succ:      map[string][]string{},
	}
	for _, r := range csvRows(t, l.units2022) {
		l.old[r["code"]] = r
	}
	for _, r := range csvRows(t, l.units2025) {
		l.newParent[r["code"]] = r["parent_code"]
	}
	for _, r := range csvRows(t, l.lineage) {
		l.succ[r["old_commune_code"]] = append(l.succ[r["old_commune_code"]], r["new_commune_code"])
	}
	return l
}

// mainOf is the main successor by the rule the lineage file implies (it has
// no is_main column): the successor that kept the old code, else the lowest
// new code. It is computed here from the file, not by the code under test.
func (l realLists) mainOf(old string) string {
	ss := append([]string(nil), l.succ[old]...)
	sort.Strings(ss)
	for _, s := range ss {
		if s == old {
			return s
		}
	}
	return ss[0]
}

// oldProvince is the pre-reform province of a units-2022 commune.
func (l realLists) oldProvince(code string) string {
	return l.old[l.old[code]["parent_code"]]["parent_code"]
}

func (l realLists) importAll(t testing.TB, e *env) {
	t.Helper()
	importLists(t, e, []listImport{
		{"units-2025.csv", l.units2025, "2025-07-01", "", nil},
		{"units-2022.csv", l.units2022, "2025-03-01", "2025-06-30", l.lineage},
		{"units-2026.csv", l.units2026, "2026-04-30", "", nil},
	})
}

// listImport is one list imported for its period, with its lineage.
type listImport struct {
	name     string
	data     []byte
	from, to string
	lineage  []byte
}

func importLists(t testing.TB, e *env, imports []listImport) {
	t.Helper()
	for _, imp := range imports {
		if _, err := e.geo.Import(context.Background(), geo.ImportOptions{FileName: imp.name, ValidFrom: imp.from, ValidTo: imp.to, Actor: "test"},
			imp.data, "lineage-2025.csv", imp.lineage); err != nil {
			t.Fatalf("geo import %s: %v", imp.name, err)
		}
	}
}

// realYear is a festival year generated over the pre-reform communes, with
// what the roll-up must find in it, worked out from the lists alone.
type realYear struct {
	festival, plan string
	points         int
	// recorded view: per old province; current view: per new province.
	recCommunes, recAreas, recParticipants map[string]int
	curCommunes, curAreas                  map[string]map[string]bool
	curPeople                              map[string]int // per new province
	mains                                  map[string]bool
	byMain                                 map[string][]string // main successor → old communes with a commune-level point
	people                                 map[string]int      // participants of each commune-level point, by old code
	totalPeople                            int
}

const (
	heldProvince = "02"    // Hà Giang: 76 communes and 117 residential areas
	heldCommunes = 76      // communes of heldProvince with a commune-level point
	heldAreas    = 117     // residential areas of heldProvince with a point
	nationTotal  = 5813    // commune-level points in the nation
	nationPlan   = 5500    // planned by the 34 provinces
	otherAreas   = 25      // area points outside heldProvince
	splitKept    = "00103" // Xuân La: split four ways, Tây Hồ kept the code
	splitLowest  = "00019" // Điện Biên: split four ways, none kept the code
)

// buildRealYear picks the communes deterministically: the first 76 of Hà
// Giang by code, the two split Hà Nội wards, and a fixed permutation's share
// of every other commune outside Hà Nội (kept out so that the split wards'
// successors hold nothing else).
func buildRealYear(l realLists) realYear {
	y := realYear{
		recCommunes: map[string]int{}, recAreas: map[string]int{}, recParticipants: map[string]int{},
		curCommunes: map[string]map[string]bool{}, curAreas: map[string]map[string]bool{},
		curPeople: map[string]int{}, mains: map[string]bool{}, byMain: map[string][]string{}, people: map[string]int{},
	}
	var held, others []string
	for code, r := range l.old {
		if r["level"] != "commune" {
			continue
		}
		switch l.oldProvince(code) {
		case heldProvince:
			held = append(held, code)
		case "01":
		default:
			others = append(others, code)
		}
	}
	sort.Strings(held)
	sort.Strings(others)
	held = held[:heldCommunes]
	want := nationTotal - heldCommunes - 2
	var chosen []string
	chosen = append(chosen, held...)
	chosen = append(chosen, splitKept, splitLowest)
	for k, c := range others {
		if (k*7919)%len(others) < want {
			chosen = append(chosen, c)
		}
	}
	var b strings.Builder
	b.WriteString(festivalHeader[:len(festivalHeader)-1] + ",place,guests,models_launched,notes\n")
	day := func(k int) string {
		return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, k%122).Format("2006-01-02")
	}
	add := func(k int, code, area string) {
		people := 50 + (k*37)%500
		fmt.Fprintf(&b, "2025,%s,%s,%s,%d,%d,%d,%d,,%d,%d,\n", code, area, day(k), people, k%3, k%5, 100_000*(k%7), k%4, k%2)
		y.points++
		y.totalPeople += people
		prov := l.oldProvince(code)
		main := l.mainOf(code)
		newProv := l.newParent[main]
		y.recParticipants[prov] += people
		y.curPeople[newProv] += people
		if area == "" {
			y.recCommunes[prov]++
			y.mains[main] = true
			y.byMain[main] = append(y.byMain[main], code)
			y.people[code] = people
			if y.curCommunes[newProv] == nil {
				y.curCommunes[newProv] = map[string]bool{}
			}
			y.curCommunes[newProv][main] = true
		} else {
			y.recAreas[prov]++
			if y.curAreas[newProv] == nil {
				y.curAreas[newProv] = map[string]bool{}
			}
			y.curAreas[newProv][code+"|"+area] = true
		}
	}
	for k, c := range chosen {
		add(k, c, "")
	}
	kinds := []string{"Thôn", "Xóm", "Bản", "Tổ dân phố", "Khu phố", "Ấp"}
	for i := 0; i < heldAreas; i++ {
		add(len(chosen)+i, held[i%len(held)], fmt.Sprintf("%s %d", kinds[i%len(kinds)], i/len(held)+1))
	}
	for i := 0; i < otherAreas; i++ {
		add(len(chosen)+heldAreas+i, others[i*97], "Thôn Trung Tâm")
	}
	y.festival = b.String()

	// The plan: 5,500 points shared by the 34 provinces of 2025.
	var provinces []string
	for _, p := range geo.BuiltinProvinces() {
		provinces = append(provinces, p.Code)
	}
	var pb strings.Builder
	pb.WriteString("year,province_code,planned_points\n")
	for i, p := range provinces {
		n := nationPlan / len(provinces)
		if i < nationPlan%len(provinces) {
			n++
		}
		fmt.Fprintf(&pb, "2025,%s,%d\n", p, n)
	}
	y.plan = pb.String()
	return y
}

// TestFestivalRealLists is the Done-when test: on the real pre-reform
// communes, one province holds points in exactly 76 communes and 117
// residential areas and the nation 5,813 commune points against a plan of
// 5,500, "vượt kế hoạch"; on the current geography the merged communes
// collapse into their main successors, split communes count once, and old
// provinces' points appear in the provinces that took them over.
func TestFestivalRealLists(t *testing.T) {
	l := loadRealLists(t)
	y := buildRealYear(l)
	if len(y.mains) >= nationTotal {
		t.Fatalf("the generated year does not merge anything: %d main successors", len(y.mains))
	}
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		start := time.Now()
		l.importAll(t, e)
		t.Logf("geography imported in %v", time.Since(start))

		e.mustImportPlan(t, "ke-hoach-2025.csv", []byte(y.plan))
		start = time.Now()
		res := e.mustImport(t, "ngay-hoi-2025.csv", []byte(y.festival))
		t.Logf("%d festival points imported in %v", res.Rows, time.Since(start))
		if res.Rows != y.points || res.Inserted != y.points || res.AreasCreated != heldAreas+otherAreas {
			t.Fatalf("import: %+v, want %d points and %d areas", res, y.points, heldAreas+otherAreas)
		}

		t.Run("recorded: 76, 117, 5,813 against 5,500", func(t *testing.T) {
			start := time.Now()
			r, err := e.svc.ConferenceReport(ctx, 2025, movement.Recorded)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("recorded roll-up of %d points: %v", y.points, time.Since(start))
			if r.Held != 5813 || r.Planned != 5500 || r.Verdict != "vượt kế hoạch" || r.AreasHeld != heldAreas+otherAreas || r.Unplaced != 0 {
				t.Errorf("national: held %d, planned %d, %q, areas %d, unplaced %d", r.Held, r.Planned, r.Verdict, r.AreasHeld, r.Unplaced)
			}
			if len(r.Provinces) != 63 {
				t.Errorf("%d provinces, want the 63 in force during 2025", len(r.Provinces))
			}
			for _, p := range r.Provinces {
				if p.CommunesHeld != y.recCommunes[p.ProvinceCode] || p.ResidentialAreasHeld != y.recAreas[p.ProvinceCode] ||
					p.Participants != y.recParticipants[p.ProvinceCode] {
					t.Errorf("province %s %s: %d communes, %d areas, %d people; want %d, %d, %d", p.ProvinceCode, p.ProvinceName,
						p.CommunesHeld, p.ResidentialAreasHeld, p.Participants, y.recCommunes[p.ProvinceCode], y.recAreas[p.ProvinceCode], y.recParticipants[p.ProvinceCode])
				}
			}
			f := e.figures(t, heldProvince, 2025, movement.Recorded)
			if f.CommunePoints != 76 || f.AreaPoints != 117 || f.Planned != 0 {
				t.Errorf("Hà Giang as recorded: %+v, want 76 communes and 117 areas (no plan: it is not a province of the current geography)", f)
			}
			if r.Total.Participants != y.totalPeople {
				t.Errorf("participants %d, want %d", r.Total.Participants, y.totalPeople)
			}
		})

		t.Run("current: merged communes collapse, split communes count once", func(t *testing.T) {
			start := time.Now()
			rows, total, err := e.svc.FestivalByProvince(ctx, 2025, movement.Current)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("current roll-up of %d points: %v", y.points, time.Since(start))
			if total.CommunesHeld != len(y.mains) || total.PlannedPoints != 5500 {
				t.Errorf("national: %d communes held (plan %d), want %d distinct main successors of the 5,813 old communes",
					total.CommunesHeld, total.PlannedPoints, len(y.mains))
			}
			if len(rows) != 34 {
				t.Errorf("%d provinces, want 34", len(rows))
			}
			for _, p := range rows {
				if p.ProvinceCode == heldProvince {
					t.Errorf("Hà Giang (%s) has a row of its own in the current view: %+v", heldProvince, p)
				}
			}
			for _, p := range rows {
				c := p.ProvinceCode
				if p.CommunesHeld != len(y.curCommunes[c]) || p.ResidentialAreasHeld != len(y.curAreas[c]) || p.Participants != y.curPeople[c] {
					t.Errorf("province %s %s: %d communes, %d areas, %d people; want %d, %d, %d", c, p.ProvinceName,
						p.CommunesHeld, p.ResidentialAreasHeld, p.Participants, len(y.curCommunes[c]), len(y.curAreas[c]), y.curPeople[c])
				}
			}
			// Hà Giang (02) is in Tuyên Quang (08) now, with all its areas.
			if f := e.figures(t, "08", 2025, movement.Current); f.AreaPoints < heldAreas {
				t.Errorf("Tuyên Quang: %+v, want Hà Giang's 117 areas in it", f)
			}
			// 00688 Quang Trung (Hà Giang), among the 76, was split between
			// the wards Hà Giang 2 (00691, main) and Hà Giang 1 (00694) of
			// Tuyên Quang.
			if l.oldProvince("00688") != "02" || l.mainOf("00688") != "00691" || l.newParent["00691"] != "08" || len(y.byMain["00691"]) == 0 {
				t.Fatal("the lists or the generated year do not say what this test assumes about 00688")
			}
			want694 := 0
			if y.mains["00694"] {
				want694 = 1
			}
			if f := e.figures(t, "00691", 2025, movement.Current); f.CommunePoints != 1 {
				t.Errorf("00691: %+v, want Quang Trung's point", f)
			}
			if f := e.figures(t, "00694", 2025, movement.Current); f.CommunePoints != want694 {
				t.Errorf("00694: %+v, want %d commune points", f, want694)
			}
			// A new commune formed of several old ones with points counts
			// once, with everyone who came to any of them.
			merged := 0
			for main, olds := range y.byMain {
				if len(olds) < 2 || merged >= 5 {
					continue
				}
				merged++
				people := 0
				for _, o := range olds {
					people += y.people[o]
				}
				if f := e.figures(t, main, 2025, movement.Current); f.CommunePoints != 1 || f.Participants < people {
					t.Errorf("%s (from %v): %+v, want 1 commune point and at least %d people", main, olds, f, people)
				}
			}
			if merged == 0 {
				t.Fatal("no merged commune in the generated year")
			}
			// The split Hà Nội wards: only the main successor holds them.
			for _, c := range []struct {
				code string
				want int
			}{
				{"00103", 1}, {"00091", 0}, {"00160", 0}, {"00611", 0}, // Xuân La → Tây Hồ kept the code
				{"00004", 1}, {"00070", 0}, {"00190", 0}, {"00226", 0}, // Điện Biên → the lowest code, Ba Đình
			} {
				f := e.figures(t, c.code, 2025, movement.Current)
				if f.CommunePoints != c.want || (c.want == 1) != (f.Participants > 0) {
					t.Errorf("%s: %+v, want %d commune point", c.code, f, c.want)
				}
			}
			if f := e.figures(t, "01", 2025, movement.Current); f.CommunePoints != 2 {
				t.Errorf("Hà Nội: %+v, want the two split wards counted once each", f)
			}
			// The in-memory lineage agrees with geo.Service.MainSuccessor.
			n := 0
			for main, olds := range y.byMain {
				if n++; n > 40 {
					break
				}
				for _, o := range olds {
					m, err := e.geo.MainSuccessor(ctx, o, "2025-12-31")
					if err != nil || m.Commune.Code != main {
						t.Errorf("MainSuccessor(%s) = %s, %v; the file says %s", o, m.Commune.Code, err, main)
					}
				}
			}
		})

		t.Run("the same file again adds nothing", func(t *testing.T) {
			points := e.count(t, "SELECT COUNT(*) FROM festival_points")
			res := e.mustImport(t, "ngay-hoi-2025.csv", []byte(y.festival))
			if res.Unchanged != y.points || res.Inserted+res.Updated+res.AreasCreated != 0 || e.count(t, "SELECT COUNT(*) FROM festival_points") != points {
				t.Errorf("second import: %+v", res)
			}
		})

		t.Run("codes and dates", func(t *testing.T) {
			// 00688 existed until 30 Jun 2025; in 2026 it names nothing.
			_, err := e.svc.ImportFestival(ctx, "2026.csv", []byte(festivalHeader+"2026,00688,,2026-05-10,10,0,0,0\n"), "test")
			if err == nil || !strings.HasPrefix(err.Error(), "2026.csv:2: mã xã 00688 không có hiệu lực vào ngày 2026-05-10") {
				t.Errorf("old code in 2026: %v", err)
			}
			// 00004 is the new Ba Đình in 2026; Lộc Ninh (25270) became a
			// ward on 30 Apr 2026, a new version of the same unit: points
			// before and after count as one commune.
			res := e.mustImport(t, "2026.csv", []byte(festivalHeader+
				"2026,00004,,2026-05-10,10,0,0,0\n2026,25270,,2026-03-01,20,0,0,0\n2026,25270,,2026-08-19,30,0,0,0\n"))
			if res.Inserted != 3 {
				t.Fatalf("2026 import: %+v", res)
			}
			for _, v := range []movement.View{movement.Current, movement.Recorded} {
				f := e.figures(t, "VN", 2026, v)
				if f.CommunePoints != 2 || f.Participants != 60 {
					t.Errorf("2026 %s: %+v, want 2 communes and 60 people", v, f)
				}
				if f := e.figures(t, "25270", 2026, v); f.CommunePoints != 1 || f.Participants != 50 {
					t.Errorf("25270 in 2026 %s: %+v", v, f)
				}
			}
		})
		verifyAudit(t, db)
	})
}
