package movement

import (
	"context"
	"fmt"
	"sort"

	"toandan/internal/errs"
	"toandan/internal/geo"
)

// View says on which geography a roll-up places what was recorded.
type View string

const (
	// Current places every point on the geography in force today: a point
	// recorded on a unit no longer in force (a 2022 commune, say) goes,
	// through the lineage, to the unit that took it over. A split unit
	// counts once, in its main successor. A plan set on a province no
	// longer in force counts in the province of today that holds most of
	// its communes' main successors.
	Current View = "current"
	// Recorded places every point in the province of its unit as recorded,
	// on the day it was held.
	Recorded View = "recorded"
)

// ParseView reads a view name; "" means Current.
func ParseView(s string) (View, error) {
	switch View(s) {
	case "", Current:
		return Current, nil
	case Recorded:
		return Recorded, nil
	}
	return "", errs.Field("view", "Cách xem %q không hợp lệ (current hoặc recorded).", s)
}

// TotalCode is the ProvinceCode of the national totals row.
const TotalCode = "TOTAL"

// ProvinceRow is one province's festival figures for a year.
type ProvinceRow struct {
	ProvinceCode, ProvinceName string
	// CommunesHeld counts distinct communes with a commune-level point,
	// after placing each point on the view's geography.
	CommunesHeld int
	// ResidentialAreasHeld counts distinct residential areas with a point.
	ResidentialAreasHeld int
	// PlannedPoints is the province's plan. Plans are set per province of
	// the current geography; the recorded view shows them against the
	// province with the same code.
	PlannedPoints           int
	Participants            int
	Guests                  int
	CommendationsCollective int
	CommendationsIndividual int
	GiftsVND                int64
	ModelsLaunched          int
	// PlanPct is CommunesHeld as a percentage of PlannedPoints, 0 without
	// a plan.
	PlanPct float64
}

// Figures are the festival figures of one unit.
type Figures struct {
	CommunePoints, AreaPoints, Planned, Participants int
	PlanPct                                          float64
}

func pct(held, planned int) float64 {
	if planned <= 0 {
		return 0
	}
	return float64(held) * 100 / float64(planned)
}

// FestivalByProvince rolls the year's festival points up by province: one row
// per province of the view, provinces without data included, in code order,
// and the national totals (ProvinceCode TOTAL). Returned points are left out
// until corrected.
//
// In the current view the provinces are those in force on the view's date;
// in the recorded view every province in force at some time in the year (to
// today), and any other province a point was recorded in.
func (s *Service) FestivalByProvince(ctx context.Context, year int, view View) ([]ProvinceRow, ProvinceRow, error) {
	t, err := s.tally(ctx, year, view, "")
	if err != nil {
		return nil, ProvinceRow{}, err
	}
	return t.rows, t.total, nil
}

// FestivalByProvinceOn is FestivalByProvince in the current view placed on
// the geography in force on date instead of today's: a dashboard that
// reads a year on that year's units (YearDate) shows its festival on them
// too.
func (s *Service) FestivalByProvinceOn(ctx context.Context, year int, date string) ([]ProvinceRow, ProvinceRow, error) {
	t, err := s.tally(ctx, year, Current, date)
	if err != nil {
		return nil, ProvinceRow{}, err
	}
	return t.rows, t.total, nil
}

// FestivalFiguresOn is FestivalFigures in the current view placed on the
// geography in force on date (see FestivalByProvinceOn).
func (s *Service) FestivalFiguresOn(ctx context.Context, unit string, year int, date string) (Figures, error) {
	return s.festivalFigures(ctx, unit, year, Current, date)
}

// YearDate is the day whose geography a year is read on when not on
// today's: 31 December, or today while the year is not over.
func (s *Service) YearDate(year int) string { return s.viewDate(year) }

// FestivalFigures returns the festival figures of a unit for a year: the
// nation ("VN"), a province, or a commune. In the current view the unit must
// be in force on the view's date and counts every point placed on it through
// the lineage; in the recorded view it counts the points recorded on it.
// Communes have no plan of their own.
func (s *Service) FestivalFigures(ctx context.Context, unit string, year int, view View) (Figures, error) {
	return s.festivalFigures(ctx, unit, year, view, "")
}

func (s *Service) festivalFigures(ctx context.Context, unit string, year int, view View, date string) (Figures, error) {
	t, err := s.tally(ctx, year, view, date)
	if err != nil {
		return Figures{}, err
	}
	if unit == geo.Nation {
		return figuresOf(t.total), nil
	}
	for _, r := range t.rows {
		if r.ProvinceCode == unit {
			return figuresOf(r), nil
		}
	}
	key, ok, err := s.communeKey(ctx, t, unit)
	if err != nil {
		return Figures{}, err
	}
	if !ok {
		return Figures{}, errs.E(errs.NotFound, "Không tìm thấy đơn vị mã %s trong năm %d.", unit, year)
	}
	var f Figures
	communes := map[string]bool{}
	areas := map[int64]bool{}
	for i := range t.placed {
		pl := &t.placed[i]
		if pl.commune != key {
			continue
		}
		p := &t.points[i]
		f.Participants += p.participants
		if p.areaID == 0 {
			communes[pl.commune] = true
		} else {
			areas[p.areaID] = true
		}
	}
	f.CommunePoints, f.AreaPoints = len(communes), len(areas)
	return f, nil
}

// communeKey returns the key under which the tally counts the commune with
// code: the code itself in the current view, where it must be in force on
// the view's date; in the recorded view the identity of the unit that had
// the code on the view's date, or last had it during the year.
func (s *Service) communeKey(ctx context.Context, t *festivalTally, code string) (string, bool, error) {
	from := t.date
	if t.view == Recorded {
		from = min(fmt.Sprintf("%04d-01-01", t.year), t.date)
	}
	rows, err := s.DB.Query(ctx, `SELECT valid_from FROM units WHERE code = ? AND level = 'commune'
		AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)`, code, t.date, from)
	if err != nil {
		return "", false, fmt.Errorf("movement: unit %s: %w", code, err)
	}
	defer rows.Close()
	latest := ""
	for rows.Next() {
		var vf string
		if err := rows.Scan(&vf); err != nil {
			return "", false, fmt.Errorf("movement: unit %s: %w", code, err)
		}
		latest = max(latest, vf)
	}
	if err := rows.Err(); err != nil {
		return "", false, fmt.Errorf("movement: unit %s: %w", code, err)
	}
	if latest == "" {
		return "", false, nil
	}
	if t.view == Current {
		return code, true, nil
	}
	return t.atlas.identity(geo.Unit{Code: code, ValidFrom: latest}), true, nil
}

func figuresOf(r ProvinceRow) Figures {
	return Figures{CommunePoints: r.CommunesHeld, AreaPoints: r.ResidentialAreasHeld, Planned: r.PlannedPoints,
		Participants: r.Participants, PlanPct: r.PlanPct}
}

// pointRow is what a roll-up reads of a point.
type pointRow struct {
	commune, validFrom, heldOn string
	areaID                     int64
	participants, guests       int
	collective, individual     int
	gifts                      int64
	models                     int
}

// placement is where a roll-up put one point: its province and the commune
// it counts for (a code in force on the view's date in the current view; a
// recorded unit's identity in the recorded view). An empty province means
// the point could not be placed.
type placement struct {
	province, commune string
}

// festivalTally is one roll-up: the points, where each went, and the rows.
type festivalTally struct {
	year     int
	view     View
	date     string
	atlas    *atlas
	points   []pointRow
	placed   []placement
	rows     []ProvinceRow
	total    ProvinceRow
	unplaced int
}

// tally runs the roll-up. The geography (units in force during the year and
// on the view's date, and the lineage) is loaded once and every point is
// placed in memory: a roll-up costs four queries whatever the number of
// points.
//
// date, when not empty, is the day whose geography the current view places
// points on instead of today.
func (s *Service) tally(ctx context.Context, year int, view View, date string) (*festivalTally, error) {
	if view == "" {
		view = Current
	}
	if view != Current && view != Recorded {
		return nil, errs.Field("view", "Cách xem %q không hợp lệ (current hoặc recorded).", view)
	}
	if !validYear(year) {
		return nil, errs.Field("year", "Năm %d không hợp lệ.", year)
	}
	// The plans and the recorded view use the geography of the year; the
	// current view places everything on today's.
	planDate := s.viewDate(year)
	d := planDate
	if view == Current {
		d = s.today()
		if date != "" {
			d = date
		}
	}
	start, end := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	from := min(start, d)
	a, err := s.atlas(ctx, view, year, from, end, d)
	if err != nil {
		return nil, err
	}
	t := &festivalTally{year: year, view: view, date: d, atlas: a}
	if t.points, err = s.loadPoints(ctx, year); err != nil {
		return nil, err
	}
	plans, err := s.Plans(ctx, year)
	if err != nil {
		return nil, err
	}

	// Place each distinct recorded unit once.
	t.placed = make([]placement, len(t.points))
	type recKey struct{ code, validFrom, heldOn string }
	memoCur := map[[2]string]placement{}
	memoRec := map[recKey]placement{}
	for i := range t.points {
		p := &t.points[i]
		var pl placement
		if view == Current {
			k := [2]string{p.commune, p.validFrom}
			var ok bool
			if pl, ok = memoCur[k]; !ok {
				if u, found := a.mainSuccessor(p.commune, p.validFrom, d); found {
					if prov, found := a.provinceOf(u, d); found {
						pl = placement{province: prov.Code, commune: u.Code}
					}
				}
				memoCur[k] = pl
			}
		} else {
			k := recKey{p.commune, p.validFrom, p.heldOn}
			var ok bool
			if pl, ok = memoRec[k]; !ok {
				if u, found := a.version(p.commune, p.validFrom); found {
					if prov, found := a.provinceOf(u, p.heldOn); found {
						pl = placement{province: prov.Code, commune: a.identity(u)}
					}
				}
				memoRec[k] = pl
			}
		}
		t.placed[i] = pl
		if pl.province == "" {
			t.unplaced++
		}
	}

	// The rows: the view's provinces.
	names := map[string]string{}
	if view == Current {
		for _, u := range a.byLevel(geo.LevelProvince) {
			if u.InForce(d) {
				names[u.Code] = u.Name
			}
		}
	} else {
		// Every province in force at some time from the start of the year to
		// the view's date, named as in its latest version.
		latest := map[string]string{}
		for _, u := range a.byLevel(geo.LevelProvince) {
			if u.ValidFrom <= d && (u.ValidTo == "" || u.ValidTo >= from) {
				if _, seen := names[u.Code]; !seen || u.ValidFrom > latest[u.Code] {
					names[u.Code], latest[u.Code] = u.Name, u.ValidFrom
				}
			}
		}
		for _, pl := range t.placed {
			if _, ok := names[pl.province]; !ok && pl.province != "" {
				names[pl.province] = a.nameOf(pl.province)
			}
		}
	}
	codes := make([]string, 0, len(names))
	for c := range names {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	index := make(map[string]int, len(codes))
	t.rows = make([]ProvinceRow, len(codes))
	for i, c := range codes {
		index[c] = i
		t.rows[i] = ProvinceRow{ProvinceCode: c, ProvinceName: names[c]}
	}
	t.total = ProvinceRow{ProvinceCode: TotalCode, ProvinceName: "Toàn quốc"}
	home := map[string]string{}
	if view == Current {
		var gone []string
		for _, p := range plans {
			if _, ok := index[p.ProvinceCode]; !ok {
				gone = append(gone, p.ProvinceCode)
			}
		}
		if len(gone) > 0 {
			if home, err = planHomes(ctx, s.DB, a, gone, planDate, d); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range plans {
		t.total.PlannedPoints += p.PlannedPoints
		code := p.ProvinceCode
		if h, ok := home[code]; ok {
			code = h
		}
		if i, ok := index[code]; ok {
			t.rows[i].PlannedPoints += p.PlannedPoints
		}
	}

	communes := make([]map[string]bool, len(codes))
	areas := make([]map[int64]bool, len(codes))
	allCommunes := map[string]bool{}
	allAreas := map[int64]bool{}
	for i := range t.points {
		pl := t.placed[i]
		if pl.province == "" {
			continue
		}
		p := &t.points[i]
		ri := index[pl.province]
		r := &t.rows[ri]
		for _, x := range []*ProvinceRow{r, &t.total} {
			x.Participants += p.participants
			x.Guests += p.guests
			x.CommendationsCollective += p.collective
			x.CommendationsIndividual += p.individual
			x.GiftsVND += p.gifts
			x.ModelsLaunched += p.models
		}
		if p.areaID == 0 {
			if communes[ri] == nil {
				communes[ri] = map[string]bool{}
			}
			communes[ri][pl.commune] = true
			allCommunes[pl.commune] = true
		} else {
			if areas[ri] == nil {
				areas[ri] = map[int64]bool{}
			}
			areas[ri][p.areaID] = true
			allAreas[p.areaID] = true
		}
	}
	for i := range t.rows {
		r := &t.rows[i]
		r.CommunesHeld, r.ResidentialAreasHeld = len(communes[i]), len(areas[i])
		r.PlanPct = pct(r.CommunesHeld, r.PlannedPoints)
	}
	t.total.CommunesHeld, t.total.ResidentialAreasHeld = len(allCommunes), len(allAreas)
	t.total.PlanPct = pct(t.total.CommunesHeld, t.total.PlannedPoints)
	return t, nil
}

// atlas returns the geography of a roll-up. The current view's depends on
// the geography tables alone, so it is kept with the places geo keeps
// (dropped on every change of units or lineage, and after a minute): a
// dashboard asks for it several times, and reading it is most of a
// roll-up's cost. The recorded view's depends on the year's points and is
// read each time.
func (s *Service) atlas(ctx context.Context, view View, year int, from, to, d string) (*atlas, error) {
	if view != Current || s.Geo == nil {
		return loadAtlas(ctx, s.DB, view, year, from, to, d)
	}
	v, err := s.Geo.Derived(ctx, "movement/atlas/current/"+d+"/"+max(to, d), func(ctx context.Context) (any, error) {
		return loadAtlas(ctx, s.DB, Current, year, from, to, d)
	})
	if err != nil {
		return nil, err
	}
	return v.(*atlas), nil
}

func (s *Service) loadPoints(ctx context.Context, year int) ([]pointRow, error) {
	rows, err := s.DB.Query(ctx, `SELECT commune_code, commune_valid_from, COALESCE(area_id, 0), held_on, participants, guests,
		commendations_collective, commendations_individual, gifts_vnd, models_launched
		FROM festival_points WHERE year = ? AND status <> ?`, year, StatusReturned)
	if err != nil {
		return nil, fmt.Errorf("movement: festival points: %w", err)
	}
	defer rows.Close()
	var out []pointRow
	for rows.Next() {
		var p pointRow
		if err := rows.Scan(&p.commune, &p.validFrom, &p.areaID, &p.heldOn, &p.participants, &p.guests,
			&p.collective, &p.individual, &p.gifts, &p.models); err != nil {
			return nil, fmt.Errorf("movement: festival points: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("movement: festival points: %w", err)
	}
	return out, nil
}
