package movement

import (
	"context"
	"fmt"
	"sort"

	"toandan/internal/geo"
	"toandan/internal/store"
)

// atlas is the geography a roll-up needs, held in memory: every version of
// every unit in force during the period, and the lineage. It answers the
// questions geo.Service answers with a query each (UnitAt, ProvinceOf,
// MainSuccessor) for thousands of points at once.
type atlas struct {
	units     map[string][]geo.Unit // versions of each code, by valid_from
	provinces []geo.Unit
	links     map[string][]lineLink // links leaving each old code, by changed_on then new code
}

type lineLink struct {
	newCode, changedOn string
	main               bool
}

// loadAtlas loads what a roll-up of year in a view needs. The current view
// needs the units in force on d, where it places points, and the whole
// lineage to get there (a chain of changes passes through codes no point was
// recorded on). The recorded view needs the provinces and districts in force
// at some time in [from, to], every version of the communes the year's
// points were recorded on, and the links leaving those communes (to tell a
// reused code from the unit that had it before). Links count up to to.
func loadAtlas(ctx context.Context, db *store.DB, view View, year int, from, to, d string) (*atlas, error) {
	a := &atlas{units: map[string][]geo.Unit{}, links: map[string][]lineLink{}}
	const cols = "SELECT code, name, type, level, parent_code, valid_from, COALESCE(valid_to, '') FROM units"
	const pointCodes = "(SELECT commune_code FROM festival_points WHERE year = ?)"
	unitsQ := cols + " WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)"
	unitsArgs := []any{d, d}
	linksQ := "SELECT old_code, new_code, is_main, changed_on FROM unit_lineage WHERE changed_on <= ?"
	linksArgs := []any{max(to, d)}
	if view == Recorded {
		unitsQ = cols + " WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?) AND (level <> 'commune' OR code IN " + pointCodes + ")"
		unitsArgs = []any{to, from, year}
		linksQ += " AND old_code IN " + pointCodes
		linksArgs = append(linksArgs, year)
	}
	if err := a.loadUnits(ctx, db, unitsQ, unitsArgs...); err != nil {
		return nil, err
	}

	lrows, err := db.Query(ctx, linksQ, linksArgs...)
	if err != nil {
		return nil, fmt.Errorf("movement: load lineage: %w", err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var old string
		var l lineLink
		var main int
		if err := lrows.Scan(&old, &l.newCode, &main, &l.changedOn); err != nil {
			return nil, fmt.Errorf("movement: load lineage: %w", err)
		}
		l.main = main == 1
		a.links[old] = append(a.links[old], l)
	}
	if err := lrows.Err(); err != nil {
		return nil, fmt.Errorf("movement: load lineage: %w", err)
	}
	// Sorted here rather than by the database, whose collation may differ
	// between engines.
	for _, vs := range a.units {
		sort.Slice(vs, func(i, j int) bool { return vs[i].ValidFrom < vs[j].ValidFrom })
	}
	for _, ls := range a.links {
		sort.Slice(ls, func(i, j int) bool {
			if ls[i].changedOn != ls[j].changedOn {
				return ls[i].changedOn < ls[j].changedOn
			}
			return ls[i].newCode < ls[j].newCode
		})
	}
	return a, nil
}

// loadUnits adds the units a query returns.
func (a *atlas) loadUnits(ctx context.Context, db *store.DB, q string, args ...any) error {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("movement: load units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u geo.Unit
		if err := rows.Scan(&u.Code, &u.Name, &u.Type, &u.Level, &u.ParentCode, &u.ValidFrom, &u.ValidTo); err != nil {
			return fmt.Errorf("movement: load units: %w", err)
		}
		a.units[u.Code] = append(a.units[u.Code], u)
		if u.Level == geo.LevelProvince {
			a.provinces = append(a.provinces, u)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("movement: load units: %w", err)
	}
	return nil
}

// planHomes says in which province of d each province of gone (in force on
// planDate, not on d) counts its plan: the province holding the main
// successors of most of its communes, the lowest code on a tie. Provinces
// merge whole, so in practice every commune votes alike; the vote keeps a
// province split between two successors in one place, never two. A province
// without communes on planDate has no home, and its plan counts only in the
// national total.
func planHomes(ctx context.Context, db *store.DB, a *atlas, gone []string, planDate, d string) (map[string]string, error) {
	then := &atlas{units: map[string][]geo.Unit{}}
	if err := then.loadUnits(ctx, db, "SELECT code, name, type, level, parent_code, valid_from, COALESCE(valid_to, '') FROM units"+
		" WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)", planDate, planDate); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, c := range gone {
		want[c] = true
	}
	votes := map[string]map[string]int{}
	for _, vs := range then.units {
		for _, u := range vs {
			if u.Level != geo.LevelCommune {
				continue
			}
			p, ok := then.provinceOf(u, planDate)
			if !ok || !want[p.Code] {
				continue
			}
			s, ok := a.mainSuccessor(u.Code, u.ValidFrom, d)
			if !ok {
				continue
			}
			np, ok := a.provinceOf(s, d)
			if !ok {
				continue
			}
			if votes[p.Code] == nil {
				votes[p.Code] = map[string]int{}
			}
			votes[p.Code][np.Code]++
		}
	}
	home := map[string]string{}
	for old, vs := range votes {
		best := ""
		for p, n := range vs {
			if best == "" || n > vs[best] || (n == vs[best] && p < best) {
				best = p
			}
		}
		home[old] = best
	}
	return home, nil
}

// at returns the version of code in force on d.
func (a *atlas) at(code, d string) (geo.Unit, bool) {
	for _, u := range a.units[code] {
		if u.InForce(d) {
			return u, true
		}
	}
	return geo.Unit{}, false
}

// version returns the version of code that starts on validFrom.
func (a *atlas) version(code, validFrom string) (geo.Unit, bool) {
	for _, u := range a.units[code] {
		if u.ValidFrom == validFrom {
			return u, true
		}
	}
	return geo.Unit{}, false
}

func (a *atlas) byLevel(level string) []geo.Unit {
	if level == geo.LevelProvince {
		return a.provinces
	}
	var out []geo.Unit
	for _, vs := range a.units {
		for _, u := range vs {
			if u.Level == level {
				out = append(out, u)
			}
		}
	}
	return out
}

// nameOf returns the name of the latest loaded version of code.
func (a *atlas) nameOf(code string) string {
	vs := a.units[code]
	if len(vs) == 0 {
		return code
	}
	return vs[len(vs)-1].Name
}

// provinceOf walks up from u through the parents in force on d.
func (a *atlas) provinceOf(u geo.Unit, d string) (geo.Unit, bool) {
	for range 4 {
		if u.Level == geo.LevelProvince {
			return u, true
		}
		p, ok := a.at(u.ParentCode, d)
		if !ok {
			return geo.Unit{}, false
		}
		u = p
	}
	return geo.Unit{}, false
}

// identity names the unit a version belongs to. Versions of one code are
// one unit until a lineage link leaves the code (a pre-2025 code reused by a
// new commune is a different unit from the old one), so the identity is the
// code with the date of the last link that left it on or before the
// version began.
func (a *atlas) identity(u geo.Unit) string {
	era := ""
	for _, l := range a.links[u.Code] {
		if l.changedOn <= u.ValidFrom {
			era = l.changedOn
		}
	}
	return u.Code + "@" + era
}

// mainSuccessor follows the lineage from the version of code that began on
// since to the units in force on d, as geo.Service.Resolve does, and returns
// the one that counts the old unit's data: the successor reached through
// main links only, else the lowest code. Starting from the version's own
// date rather than from the first link ever recorded keeps a reused code
// (old 00004 → new 00004) from following links that predate the version.
func (a *atlas) mainSuccessor(code, since, d string) (geo.Unit, bool) {
	type hop struct {
		code, since string
		main        bool
	}
	var best geo.Unit
	bestMain, found := false, false
	frontier := []hop{{code: code, since: since, main: true}}
	for steps := 0; len(frontier) > 0 && steps < 16; steps++ {
		var next []hop
		for _, h := range frontier {
			ls := a.linksFrom(h.code, h.since, d)
			if len(ls) == 0 {
				u, ok := a.at(h.code, d)
				if !ok || u.Level != geo.LevelCommune {
					continue
				}
				if !found || (h.main && !bestMain) || (h.main == bestMain && u.Code < best.Code) {
					best, bestMain, found = u, h.main, true
				}
				continue
			}
			for _, l := range ls {
				next = append(next, hop{code: l.newCode, since: l.changedOn, main: h.main && l.main})
			}
		}
		frontier = next
	}
	return best, found
}

// linksFrom returns the links leaving code that take effect after since and
// on or before d, the earliest change only (later ones are followed from
// the successor).
func (a *atlas) linksFrom(code, since, d string) []lineLink {
	ls := a.links[code]
	i := 0
	for i < len(ls) && ls[i].changedOn <= since {
		i++
	}
	if i == len(ls) || ls[i].changedOn > d {
		return nil
	}
	j := i
	for j < len(ls) && ls[j].changedOn == ls[i].changedOn {
		j++
	}
	return ls[i:j]
}
