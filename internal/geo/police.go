package geo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"toandan/internal/errs"
	"toandan/internal/store"
)

// NationalIntakeCode is the police unit that receives reports with no place.
const NationalIntakeCode = "CA-VN"

// PoliceUnit is a police organisation with a jurisdiction.
type PoliceUnit struct {
	ID           int64
	Code         string
	Name         string
	Level        string // national, province, commune
	ProvinceCode string
	Communes     []string // jurisdiction; empty for province and national units
}

// PoliceCode is the code of the police unit created for an administrative
// unit: "CA-" and the unit's code.
func PoliceCode(unitCode string) string { return "CA-" + unitCode }

func policeName(u Unit) string {
	w := typeWord[u.Type]
	if w == "" {
		return "Công an " + u.Name
	}
	return "Công an " + w + " " + u.Name
}

// ensurePoliceUnit creates the police unit of a province or commune, with the
// commune as its jurisdiction, unless a unit with that code exists already
// (it may have been edited since, and imports must not undo that).
func ensurePoliceUnit(ctx context.Context, tx *store.Tx, u Unit, province, now string) error {
	level := "province"
	if u.Level == LevelCommune {
		level = "commune"
	}
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM police_units WHERE code = ?", PoliceCode(u.Code)).Scan(&id)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("geo: police unit %s: %w", u.Code, err)
	}
	id, err = tx.InsertID(ctx, `INSERT INTO police_units (code, name, level, province_code, created_at) VALUES (?, ?, ?, ?, ?)`,
		PoliceCode(u.Code), policeName(u), level, province, now)
	if err != nil {
		return fmt.Errorf("geo: create police unit %s: %w", u.Code, err)
	}
	if level == "commune" {
		if _, err := tx.Exec(ctx, "INSERT INTO police_jurisdiction (police_unit_id, commune_code) VALUES (?, ?)", id, u.Code); err != nil {
			return fmt.Errorf("geo: jurisdiction %s: %w", u.Code, err)
		}
	}
	return nil
}

// PoliceForCommune returns the police unit whose jurisdiction holds commune.
func (s *Service) PoliceForCommune(ctx context.Context, commune string) (PoliceUnit, error) {
	p, err := s.policeForCommune(ctx, commune)
	if err != nil {
		return p, err
	}
	return p, s.loadJurisdiction(ctx, &p)
}

// policeForCommune is PoliceForCommune without the jurisdiction's list.
func (s *Service) policeForCommune(ctx context.Context, commune string) (PoliceUnit, error) {
	var p PoliceUnit
	err := s.DB.QueryRow(ctx, `SELECT p.id, p.code, p.name, p.level, p.province_code FROM police_units p
		JOIN police_jurisdiction j ON j.police_unit_id = p.id WHERE j.commune_code = ? ORDER BY p.id LIMIT 1`, commune).
		Scan(&p.ID, &p.Code, &p.Name, &p.Level, &p.ProvinceCode)
	if errors.Is(err, sql.ErrNoRows) {
		return p, noPoliceFor(commune)
	}
	if err != nil {
		return p, fmt.Errorf("geo: police for %s: %w", commune, err)
	}
	return p, nil
}

// PoliceUnit returns the police unit with code.
func (s *Service) PoliceUnit(ctx context.Context, code string) (PoliceUnit, error) {
	p, err := s.policeUnit(ctx, code)
	if err != nil {
		return p, err
	}
	return p, s.loadJurisdiction(ctx, &p)
}

// policeUnit is PoliceUnit without the jurisdiction's list.
func (s *Service) policeUnit(ctx context.Context, code string) (PoliceUnit, error) {
	var p PoliceUnit
	err := s.DB.QueryRow(ctx, "SELECT id, code, name, level, province_code FROM police_units WHERE code = ?", code).
		Scan(&p.ID, &p.Code, &p.Name, &p.Level, &p.ProvinceCode)
	if errors.Is(err, sql.ErrNoRows) {
		return p, noPoliceUnit(code)
	}
	if err != nil {
		return p, fmt.Errorf("geo: police unit %s: %w", code, err)
	}
	return p, nil
}

func noPoliceFor(commune string) error {
	return errs.E(errs.NotFound, "Chưa có đơn vị công an nào phụ trách xã %s.", commune)
}

func noPoliceUnit(code string) error {
	return errs.E(errs.NotFound, "Không tìm thấy đơn vị công an %s.", code)
}

// PoliceUnitsOf lists the police units of a province (its own and its
// communes'), by code.
func (s *Service) PoliceUnitsOf(ctx context.Context, province string) ([]PoliceUnit, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, code, name, level, province_code FROM police_units WHERE province_code = ? ORDER BY level DESC, code", province)
	if err != nil {
		return nil, fmt.Errorf("geo: police units of %s: %w", province, err)
	}
	defer rows.Close()
	var ps []PoliceUnit
	for rows.Next() {
		var p PoliceUnit
		if err := rows.Scan(&p.ID, &p.Code, &p.Name, &p.Level, &p.ProvinceCode); err != nil {
			return nil, fmt.Errorf("geo: police units: %w", err)
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

func (s *Service) loadJurisdiction(ctx context.Context, p *PoliceUnit) error {
	rows, err := s.DB.Query(ctx, "SELECT commune_code FROM police_jurisdiction WHERE police_unit_id = ? ORDER BY commune_code", p.ID)
	if err != nil {
		return fmt.Errorf("geo: jurisdiction of %s: %w", p.Code, err)
	}
	defer rows.Close()
	p.Communes = nil
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return fmt.Errorf("geo: jurisdiction of %s: %w", p.Code, err)
		}
		p.Communes = append(p.Communes, c)
	}
	return rows.Err()
}

// SetJurisdiction replaces the communes a commune-level police unit covers.
// Every commune must be in force today in the unit's province, and a commune
// moved here leaves the unit that covered it before: one commune, one unit.
func (s *Service) SetJurisdiction(ctx context.Context, code string, communes []string, actor string) error {
	p, err := s.PoliceUnit(ctx, code)
	if err != nil {
		return err
	}
	if p.Level != "commune" {
		return errs.E(errs.Invalid, "Chỉ đơn vị công an cấp xã mới có địa bàn là các xã.")
	}
	today := s.Today()
	seen := map[string]bool{}
	for _, c := range communes {
		c = strings.TrimSpace(c)
		u, err := s.UnitAt(ctx, c, today)
		if err != nil {
			return err
		}
		prov, err := s.ProvinceOf(ctx, u.Code, today)
		if err != nil {
			return err
		}
		if u.Level != LevelCommune || prov.Code != p.ProvinceCode {
			return errs.Field("communes", "Xã %s không thuộc tỉnh của đơn vị.", c)
		}
		seen[c] = true
	}
	if len(seen) == 0 {
		return errs.Field("communes", "Địa bàn phải có ít nhất một xã.")
	}
	// Emptied after the transaction whatever its outcome: a failed commit
	// may still have reached the database.
	defer s.InvalidatePlaces()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM police_jurisdiction WHERE police_unit_id = ?", p.ID); err != nil {
			return fmt.Errorf("geo: set jurisdiction: %w", err)
		}
		for c := range seen {
			if _, err := tx.Exec(ctx, "DELETE FROM police_jurisdiction WHERE commune_code = ?", c); err != nil {
				return fmt.Errorf("geo: set jurisdiction: %w", err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO police_jurisdiction (police_unit_id, commune_code) VALUES (?, ?)", p.ID, c); err != nil {
				return fmt.Errorf("geo: set jurisdiction: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, actor, "police.jurisdiction", "police:"+p.Code, strings.Join(communes, ","))
	})
}
