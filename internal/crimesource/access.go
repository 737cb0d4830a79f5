package crimesource

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"toandan/internal/errs"
	"toandan/internal/geo"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// scope is the set of police units whose sources an officer sees: all of
// them (nation), those of one province, or one commune police unit.
type scope struct {
	all      bool
	province string
	unitID   int64
}

func (s *Service) scopeOf(ctx context.Context, a Actor) (scope, error) {
	if a.UserID == 0 {
		return scope{}, errs.E(errs.Unauthorized, "Vui lòng đăng nhập.")
	}
	switch {
	case a.Unit == geo.Nation:
		return scope{all: true}, nil
	case a.Role == "commune":
		p, err := s.Geo.PoliceForCommune(ctx, a.Unit)
		if err != nil {
			return scope{}, err
		}
		return scope{unitID: p.ID}, nil
	}
	return scope{province: a.Unit}, nil
}

// where returns a SQL condition on sources (aliased s) limiting rows to the
// scope: a source is seen by the unit that received it and the unit that
// holds it now.
func (sc scope) where() (string, []any) {
	switch {
	case sc.all:
		return "1 = 1", nil
	case sc.unitID != 0:
		return "(s.unit_id = ? OR s.receiving_unit_id = ?)", []any{sc.unitID, sc.unitID}
	}
	return "(s.unit_id IN (SELECT id FROM police_units WHERE province_code = ?) OR s.receiving_unit_id IN (SELECT id FROM police_units WHERE province_code = ?))",
		[]any{sc.province, sc.province}
}

// sees reports whether the scope includes the source.
func (s *Service) sees(ctx context.Context, sc scope, sourceID int64) (bool, error) {
	cond, args := sc.where()
	var n int
	err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM sources s WHERE s.id = ? AND "+cond, append([]any{sourceID}, args...)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("crimesource: scope: %w", err)
	}
	return n > 0, nil
}

// holds reports whether the actor's unit is the one holding the source now,
// which is what acting on it requires.
func (s *Service) holds(ctx context.Context, a Actor, unitID int64) (bool, error) {
	if a.Role == "admin" {
		return true, nil
	}
	sc, err := s.scopeOf(ctx, a)
	if err != nil {
		return false, err
	}
	switch {
	case sc.all:
		// The ministry forwards what reached the national intake unit.
		var level string
		if err := s.DB.QueryRow(ctx, "SELECT level FROM police_units WHERE id = ?", unitID).Scan(&level); err != nil {
			return false, fmt.Errorf("crimesource: unit: %w", err)
		}
		return level == "national", nil
	case sc.unitID != 0:
		return sc.unitID == unitID, nil
	}
	// Provincial officers act on what the province police hold, not on what
	// a commune police unit still holds (that unit transfers it first).
	var prov, level string
	if err := s.DB.QueryRow(ctx, "SELECT province_code, level FROM police_units WHERE id = ?", unitID).Scan(&prov, &level); err != nil {
		return false, fmt.Errorf("crimesource: unit: %w", err)
	}
	return prov == sc.province && level == "province", nil
}

var errNoSource = errs.E(errs.NotFound, "Không tìm thấy nguồn tin trong phạm vi quản lý của bạn.")
