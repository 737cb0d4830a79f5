package dashboard

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"toandan/internal/geo"
	"toandan/internal/movement"
)

// festival returns the year's festival figures of the unit on the current
// geography, with a row per province for the nation and per commune for a
// province.
func (s *Service) festival(ctx context.Context, q query) (Festival, error) {
	var out Festival
	switch q.level {
	case LevelNation:
		// One roll-up gives both the rows and the nation's totals, which are
		// what FestivalFigures returns for the nation.
		rows, total, err := s.Movement.FestivalByProvinceOn(ctx, q.year, q.date)
		if err != nil {
			return out, err
		}
		out.Figures = movement.Figures{CommunePoints: total.CommunesHeld, AreaPoints: total.ResidentialAreasHeld,
			Planned: total.PlannedPoints, Participants: total.Participants, PlanPct: total.PlanPct}
		out.RowLevel = geo.LevelProvince
		for _, r := range rows {
			out.Rows = append(out.Rows, FestivalRow{Code: r.ProvinceCode, Name: r.ProvinceName, CommunePoints: r.CommunesHeld,
				AreaPoints: r.ResidentialAreasHeld, Planned: r.PlannedPoints, Participants: r.Participants, PlanPct: r.PlanPct})
		}
	default:
		f, err := s.Movement.FestivalFiguresOn(ctx, q.unit, q.year, q.date)
		if err != nil {
			return out, err
		}
		out.Figures = f
		if q.level == geo.LevelProvince {
			out.RowLevel = geo.LevelCommune
			if out.Rows, out.RollUps, err = s.communeRows(ctx, q, f); err != nil {
				return out, err
			}
		}
	}
	out.Verdict = movement.Verdict(out.CommunePoints, out.Planned)
	return out, nil
}

// communeRows returns the festival figures of every commune of a province,
// in code order, and how many communes had to be rolled up one by one;
// total is the province's own figures.
//
// movement rolls up one unit per call, and each call places every point of
// the year on the geography: a call per commune costs seconds for a
// province of 160 communes, and tens of seconds more for 2025, whose first
// half was recorded on the old communes. So the points are placed here once, by movement's
// rule for the current view (see placer), and counted per commune. The rows
// must add up to the province's figures as movement computed them; should
// they not (the rule changed there and not here), every commune is rolled
// up by movement, and the count says so.
func (s *Service) communeRows(ctx context.Context, q query, total movement.Figures) ([]FestivalRow, int, error) {
	communes, err := s.Geo.CommunesOf(ctx, q.unit, q.date)
	if err != nil {
		return nil, 0, err
	}
	rows := make([]FestivalRow, len(communes))
	index := make(map[string]int, len(communes))
	for i, c := range communes {
		rows[i] = FestivalRow{Code: c.Code, Name: c.Title()}
		index[c.Code] = i
	}
	points, err := s.festivalPoints(ctx, q.year)
	if err != nil {
		return nil, 0, err
	}
	pl, err := s.newPlacer(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	held := make([]bool, len(communes))
	areas := make([]map[int64]bool, len(communes))
	for _, p := range points {
		c, ok := pl.place(p.commune, p.validFrom)
		if !ok {
			continue // the geography cannot place it; movement leaves it out too
		}
		i, ok := index[c]
		if !ok {
			continue // placed in another province
		}
		rows[i].Participants += p.participants
		if p.areaID == 0 {
			held[i] = true
		} else {
			if areas[i] == nil {
				areas[i] = map[int64]bool{}
			}
			areas[i][p.areaID] = true
		}
	}
	var sum movement.Figures
	for i := range rows {
		if held[i] {
			rows[i].CommunePoints = 1
		}
		rows[i].AreaPoints = len(areas[i])
		sum.CommunePoints += rows[i].CommunePoints
		sum.AreaPoints += rows[i].AreaPoints
		sum.Participants += rows[i].Participants
	}
	if sum.CommunePoints == total.CommunePoints && sum.AreaPoints == total.AreaPoints && sum.Participants == total.Participants {
		return rows, 0, nil
	}
	if err := s.rollUp(ctx, q, rows); err != nil {
		return nil, 0, err
	}
	return rows, len(rows), nil
}

// rollUp replaces every row with movement's roll-up of its commune, a few
// communes at a time.
func (s *Service) rollUp(ctx context.Context, q query, rows []FestivalRow) error {
	errl := make([]error, len(rows))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range rows {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			f, err := s.Movement.FestivalFiguresOn(ctx, rows[i].Code, q.year, q.date)
			if err != nil {
				errl[i] = err
				return
			}
			rows[i].CommunePoints, rows[i].AreaPoints, rows[i].Planned = f.CommunePoints, f.AreaPoints, f.Planned
			rows[i].Participants, rows[i].PlanPct = f.Participants, f.PlanPct
		})
	}
	wg.Wait()
	for _, err := range errl {
		if err != nil {
			return err
		}
	}
	return nil
}

// festivalPoint is what the commune rows read of a point.
type festivalPoint struct {
	commune, validFrom string
	areaID             int64
	participants       int
}

// festivalPoints lists the year's points that roll-ups count (returned
// points wait for their correction).
func (s *Service) festivalPoints(ctx context.Context, year int) ([]festivalPoint, error) {
	rows, err := s.DB.Query(ctx, `SELECT commune_code, commune_valid_from, COALESCE(area_id, 0), participants
		FROM festival_points WHERE year = ? AND status <> ?`, year, movement.StatusReturned)
	if err != nil {
		return nil, fmt.Errorf("dashboard: festival points: %w", err)
	}
	defer rows.Close()
	var out []festivalPoint
	for rows.Next() {
		var p festivalPoint
		if err := rows.Scan(&p.commune, &p.validFrom, &p.areaID, &p.participants); err != nil {
			return nil, fmt.Errorf("dashboard: festival points: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard: festival points: %w", err)
	}
	return out, nil
}

// placer places festival points on the current geography of a year as
// movement's current view does (movement.View Current): a point recorded
// on a unit goes, through the lineage changes after the version it was
// recorded on and up to the view's date, to the commune in force on that
// date that counts the old unit's data: the one reached through main links
// only, else the lowest code. A unit with no change since counts its own
// points.
type placer struct {
	date    string
	inForce map[string]string // code → level of its version in force on date
	links   map[string][]lineLink
}

type lineLink struct {
	newCode, changedOn string
	main               bool
}

func (s *Service) newPlacer(ctx context.Context, q query) (*placer, error) {
	p := &placer{date: q.date, inForce: map[string]string{}, links: map[string][]lineLink{}}
	rows, err := s.DB.Query(ctx, "SELECT code, level FROM units WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)", q.date, q.date)
	if err != nil {
		return nil, fmt.Errorf("dashboard: units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, level string
		if err := rows.Scan(&code, &level); err != nil {
			return nil, fmt.Errorf("dashboard: units: %w", err)
		}
		p.inForce[code] = level
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard: units: %w", err)
	}
	rows.Close()
	lrows, err := s.DB.Query(ctx, "SELECT old_code, new_code, is_main, changed_on FROM unit_lineage WHERE changed_on <= ?", fmt.Sprintf("%04d-12-31", q.year))
	if err != nil {
		return nil, fmt.Errorf("dashboard: lineage: %w", err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var old string
		var l lineLink
		var main int
		if err := lrows.Scan(&old, &l.newCode, &main, &l.changedOn); err != nil {
			return nil, fmt.Errorf("dashboard: lineage: %w", err)
		}
		l.main = main == 1
		p.links[old] = append(p.links[old], l)
	}
	if err := lrows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard: lineage: %w", err)
	}
	// Sorted here, not by the database, whose collation may differ.
	for _, ls := range p.links {
		sort.Slice(ls, func(i, j int) bool {
			if ls[i].changedOn != ls[j].changedOn {
				return ls[i].changedOn < ls[j].changedOn
			}
			return ls[i].newCode < ls[j].newCode
		})
	}
	return p, nil
}

// linksFrom returns the links leaving code that take effect after since
// and on or before the date: the earliest change only (later ones are
// followed from the successor).
func (p *placer) linksFrom(code, since string) []lineLink {
	ls := p.links[code]
	i := 0
	for i < len(ls) && ls[i].changedOn <= since {
		i++
	}
	if i == len(ls) || ls[i].changedOn > p.date {
		return nil
	}
	j := i
	for j < len(ls) && ls[j].changedOn == ls[i].changedOn {
		j++
	}
	return ls[i:j]
}

// place returns the commune in force on the date that counts a point
// recorded on the version of code that began on since.
func (p *placer) place(code, since string) (string, bool) {
	type hop struct {
		code, since string
		main        bool
	}
	best, bestMain, found := "", false, false
	frontier := []hop{{code: code, since: since, main: true}}
	for steps := 0; len(frontier) > 0 && steps < 16; steps++ {
		var next []hop
		for _, h := range frontier {
			ls := p.linksFrom(h.code, h.since)
			if len(ls) == 0 {
				if p.inForce[h.code] != geo.LevelCommune {
					continue
				}
				if !found || (h.main && !bestMain) || (h.main == bestMain && h.code < best) {
					best, bestMain, found = h.code, h.main, true
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
