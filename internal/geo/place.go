package geo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"toandan/internal/errs"
)

// Place is what receiving a report about a commune or a province needs to
// know of it on one date: the unit in force, its province, the police unit
// that receives reports there, and whether it is remote (a special zone or
// a commune listed in remote_communes from that date on), which lengthens
// the commune police's transfer limit.
type Place struct {
	Unit     Unit
	Province Unit
	Remote   bool

	police    PoliceUnit // without its jurisdiction's list of communes
	policeErr error
}

// Police returns the police unit that receives reports about the place: the
// one whose jurisdiction holds a commune, or a province's own. Its Communes
// are not loaded. It returns NotFound when no unit covers the place.
func (p Place) Police() (PoliceUnit, error) { return p.police, p.policeErr }

// placeTTL bounds how long the places of a date are kept. A change made
// through this process drops them at once; one made by another instance
// sharing the database is seen within placeTTL.
const placeTTL = time.Minute

// maxPlaceDates bounds how many dates' places are kept at once.
const maxPlaceDates = 4

// placeCache keeps, per date, the place of every unit in force: each report
// needs its commune's, and reading one place costs five queries where
// reading them all at once costs four, for a few thousand units that change
// a few times a year. An invalidation drops the map, so that a reading
// still under way when a change commits is used only by the callers that
// were already waiting for it.
type placeCache struct {
	mu    sync.Mutex
	dates map[string]*placeSet
}

// placeSet is the places of one date, as read at one moment.
type placeSet struct {
	ready   chan struct{} // closed once read
	err     error
	at      time.Time        // when the reading began, by the service's clock
	places  map[string]Place // by unit code, for units whose place is whole
	inForce map[string]bool  // every unit code in force on the date
}

// PlaceAt returns the place of the unit with code on date d (YYYY-MM-DD).
// It returns NotFound when no unit with code is in force on d. The places
// of d are read together on first use and kept: see placeTTL.
func (s *Service) PlaceAt(ctx context.Context, code, d string) (Place, error) {
	set, err := s.placeSet(ctx, d)
	if err != nil {
		return Place{}, err
	}
	if p, ok := set.places[code]; ok {
		return p, nil
	}
	if !set.inForce[code] {
		return Place{}, unitNotFound(code, d)
	}
	// In force, but its chain of parents does not reach a province on d:
	// let the queries of one place say what is wrong.
	return s.loadPlace(ctx, code, d)
}

// InvalidatePlaces makes the next PlaceAt (and Derived) read the database. Every change
// of units, police units or jurisdictions in this package calls it once
// committed; call it after changing remote_communes.
func (s *Service) InvalidatePlaces() {
	c := &s.places
	c.mu.Lock()
	c.dates = nil
	c.mu.Unlock()
	d := &s.derived
	d.mu.Lock()
	d.values = nil
	d.mu.Unlock()
}

// placeSet returns the places of d, reading them when they are missing or
// older than placeTTL. One caller reads; the others wait for it.
func (s *Service) placeSet(ctx context.Context, d string) (*placeSet, error) {
	now := s.Clock.Now()
	c := &s.places
	c.mu.Lock()
	set := c.dates[d]
	if set != nil {
		select {
		case <-set.ready:
			if age := now.Sub(set.at); set.err != nil || age < 0 || age >= placeTTL {
				set = nil
			}
		default: // being read
		}
	}
	if set == nil {
		set = &placeSet{ready: make(chan struct{}), at: now}
		if c.dates == nil || len(c.dates) >= maxPlaceDates {
			c.dates = map[string]*placeSet{}
		}
		c.dates[d] = set
		c.mu.Unlock()
		// Read without the caller's deadline: others wait for this reading.
		set.places, set.inForce, set.err = s.loadPlaces(context.WithoutCancel(ctx), d)
		close(set.ready)
		return set, set.err
	}
	c.mu.Unlock()
	select {
	case <-set.ready:
		return set, set.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loadPlaces reads the place of every unit in force on d.
func (s *Service) loadPlaces(ctx context.Context, d string) (map[string]Place, map[string]bool, error) {
	units, err := s.queryUnits(ctx, "SELECT "+unitCols+" FROM units WHERE "+inForce, d, d)
	if err != nil {
		return nil, nil, err
	}
	byCode := make(map[string]Unit, len(units))
	for _, u := range units {
		if _, dup := byCode[u.Code]; !dup {
			byCode[u.Code] = u
		}
	}
	police, err := s.policeByCode(ctx)
	if err != nil {
		return nil, nil, err
	}
	covering, err := s.policeByCommune(ctx)
	if err != nil {
		return nil, nil, err
	}
	remote, err := s.remoteCommunes(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	places := make(map[string]Place, len(byCode))
	inForce := make(map[string]bool, len(byCode))
	for code, u := range byCode {
		inForce[code] = true
		prov, ok := provinceIn(byCode, u)
		if !ok {
			continue
		}
		p := Place{Unit: u, Province: prov}
		var found bool
		if u.Level == LevelCommune {
			if p.police, found = covering[code]; !found {
				p.policeErr = noPoliceFor(code)
			}
			p.Remote = u.Type == "special_zone" || remote[code]
		} else if p.police, found = police[PoliceCode(code)]; !found {
			p.policeErr = noPoliceUnit(PoliceCode(code))
		}
		places[code] = p
	}
	return places, inForce, nil
}

// provinceIn walks up from u as Ancestors does, in units, and returns the
// province at the top; false when the chain breaks or tops out elsewhere.
func provinceIn(units map[string]Unit, u Unit) (Unit, bool) {
	for i := 1; u.ParentCode != "" && i < 4; i++ {
		p, ok := units[u.ParentCode]
		if !ok {
			return Unit{}, false
		}
		u = p
	}
	return u, u.Level == LevelProvince
}

func (s *Service) policeByCode(ctx context.Context) (map[string]PoliceUnit, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, code, name, level, province_code FROM police_units")
	if err != nil {
		return nil, fmt.Errorf("geo: police units: %w", err)
	}
	defer rows.Close()
	m := map[string]PoliceUnit{}
	for rows.Next() {
		var p PoliceUnit
		if err := rows.Scan(&p.ID, &p.Code, &p.Name, &p.Level, &p.ProvinceCode); err != nil {
			return nil, fmt.Errorf("geo: police units: %w", err)
		}
		m[p.Code] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("geo: police units: %w", err)
	}
	return m, nil
}

// policeByCommune returns, for each commune in a jurisdiction, the unit
// PoliceForCommune gives: the one with the lowest id.
func (s *Service) policeByCommune(ctx context.Context) (map[string]PoliceUnit, error) {
	rows, err := s.DB.Query(ctx, `SELECT j.commune_code, p.id, p.code, p.name, p.level, p.province_code FROM police_jurisdiction j
		JOIN police_units p ON p.id = j.police_unit_id ORDER BY j.commune_code, p.id`)
	if err != nil {
		return nil, fmt.Errorf("geo: jurisdictions: %w", err)
	}
	defer rows.Close()
	m := map[string]PoliceUnit{}
	for rows.Next() {
		var commune string
		var p PoliceUnit
		if err := rows.Scan(&commune, &p.ID, &p.Code, &p.Name, &p.Level, &p.ProvinceCode); err != nil {
			return nil, fmt.Errorf("geo: jurisdictions: %w", err)
		}
		if _, ok := m[commune]; !ok {
			m[commune] = p
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("geo: jurisdictions: %w", err)
	}
	return m, nil
}

// remoteCommunes returns the communes listed as remote on d.
func (s *Service) remoteCommunes(ctx context.Context, d string) (map[string]bool, error) {
	rows, err := s.DB.Query(ctx, "SELECT commune_code FROM remote_communes WHERE valid_from <= ?", d)
	if err != nil {
		return nil, fmt.Errorf("geo: remote communes: %w", err)
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("geo: remote communes: %w", err)
		}
		m[c] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("geo: remote communes: %w", err)
	}
	return m, nil
}

// loadPlace reads one place with the queries each part has on its own.
func (s *Service) loadPlace(ctx context.Context, code, d string) (Place, error) {
	var p Place
	u, err := s.UnitAt(ctx, code, d)
	if err != nil {
		return p, err
	}
	p.Unit = u
	if u.Level == LevelProvince {
		p.Province = u
	} else if p.Province, err = s.ProvinceOf(ctx, code, d); err != nil {
		return p, err
	}
	if u.Level == LevelCommune {
		p.police, p.policeErr = s.policeForCommune(ctx, code)
	} else {
		p.police, p.policeErr = s.policeUnit(ctx, PoliceCode(code))
	}
	if p.policeErr != nil && !errs.Is(p.policeErr, errs.NotFound) {
		return p, p.policeErr
	}
	if u.Level == LevelCommune && u.Type == "special_zone" {
		p.Remote = true
	} else if u.Level == LevelCommune {
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM remote_communes WHERE commune_code = ? AND valid_from <= ?", code, d).Scan(&n); err != nil {
			return p, fmt.Errorf("geo: remote %s: %w", code, err)
		}
		p.Remote = n > 0
	}
	return p, nil
}
