package recognition

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// Scope kinds of a target.
const (
	ScopeUnit = "unit" // one unit: VN, a province or a commune
	ScopeEach = "each" // every province-level unit of a type, each on its own
)

// States of a target.
const (
	StateMet    = "met"
	StateAtRisk = "at_risk" // not met yet, and the year is still running
	StateMissed = "missed"  // not met, and the year is over
)

// StateName returns the Vietnamese name of a target state.
func StateName(state string) string {
	switch state {
	case StateMet:
		return "Đạt"
	case StateAtRisk:
		return "Có nguy cơ không đạt"
	case StateMissed:
		return "Không đạt"
	}
	return state
}

// eachTypes are the unit types an "each" target may cover, with their
// Vietnamese names.
var eachTypes = map[string]string{
	"municipality": "thành phố trực thuộc trung ương",
	"province":     "tỉnh",
}

// Target is (indicator, unit or each unit of a type, year, comparator,
// value, legal source).
type Target struct {
	ID          int64
	Indicator   string
	ScopeKind   string // ScopeUnit or ScopeEach
	Scope       string // a unit code, or for ScopeEach a unit type
	Year        int
	Comparator  string // ">=", "<=" or "="
	Value       float64
	LegalSource string
	Note        string
	CreatedBy   int64
	CreatedAt   time.Time
}

// UnitResult is a target's outcome for one unit.
type UnitResult struct {
	Code   string
	Name   string
	Actual float64
	NoData bool // the indicator has no value (e.g. no plan); not met
	State  string
}

// TargetResult is a target's outcome: one unit for a ScopeUnit target, every
// unit of the type for a ScopeEach one.
type TargetResult struct {
	Target Target
	State  string
	Actual float64 // the value, for a ScopeUnit target
	Units  []UnitResult
	Below  []string // codes of the units that do not meet the target, in code order
}

func (t *Target) clean() error {
	t.Indicator = strings.TrimSpace(t.Indicator)
	t.ScopeKind = strings.TrimSpace(t.ScopeKind)
	t.Scope = strings.TrimSpace(t.Scope)
	t.Comparator = strings.TrimSpace(t.Comparator)
	ind, ok := IndicatorByCode(t.Indicator)
	if !ok {
		return errs.Field("indicator", "Vui lòng chọn chỉ tiêu.")
	}
	if err := checkYear("year", t.Year); err != nil {
		return err
	}
	switch t.Comparator {
	case ">=", "<=", "=":
	default:
		return errs.Field("comparator", "Vui lòng chọn phép so sánh (≥, ≤ hoặc =).")
	}
	if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) || t.Value < 0 {
		return errs.Field("value", "Giá trị chỉ tiêu không hợp lệ.")
	}
	if ind.Share && t.Value > 100 {
		return errs.Field("value", "Tỷ lệ không được vượt quá 100%%.")
	}
	switch t.ScopeKind {
	case ScopeUnit:
		if t.Scope == "" {
			return errs.Field("scope", "Vui lòng chọn đơn vị áp dụng chỉ tiêu.")
		}
	case ScopeEach:
		if _, ok := eachTypes[t.Scope]; !ok {
			return errs.Field("scope", "Chỉ tiêu cho từng đơn vị chỉ áp dụng cho từng tỉnh hoặc từng thành phố trực thuộc trung ương.")
		}
	default:
		return errs.Field("scope_kind", "Vui lòng chọn phạm vi áp dụng chỉ tiêu.")
	}
	var err error
	if t.LegalSource, err = cleanText("legal_source", t.LegalSource, 500); err != nil {
		return err
	}
	t.Note, err = cleanText("note", t.Note, 1000)
	return err
}

// CreateTarget records a target. The Ministry and administrators set targets
// for any unit and for each province-level unit of a type; provincial staff
// only for their province and the communes in it.
func (s *Service) CreateTarget(ctx context.Context, u account.User, t Target) (Target, error) {
	if err := can(u, account.ManageTargets); err != nil {
		return Target{}, err
	}
	if err := t.clean(); err != nil {
		return Target{}, err
	}
	switch t.ScopeKind {
	case ScopeEach:
		if u.UnitCode != geo.Nation {
			return Target{}, errs.E(errs.Forbidden, "Chỉ tiêu cho từng tỉnh, thành phố chỉ do cấp Bộ đặt.")
		}
	default:
		ok, err := s.inScope(ctx, u, t.Scope)
		if err != nil {
			return Target{}, err
		}
		if !ok {
			return Target{}, errUnitNotFound
		}
		if t.Scope != geo.Nation {
			if _, err := s.Geo.UnitAt(ctx, t.Scope, s.refDate(t.Year)); errs.Is(err, errs.NotFound) {
				return Target{}, errs.Field("scope", "Không có đơn vị mã %s trong năm %d.", t.Scope, t.Year)
			} else if err != nil {
				return Target{}, err
			}
		}
	}
	now := s.Clock.Now()
	t.CreatedBy, t.CreatedAt = u.ID, now.UTC()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO targets (indicator, scope_kind, scope, year, comparator, value, legal_source, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Indicator, t.ScopeKind, t.Scope, t.Year, t.Comparator, t.Value, t.LegalSource, t.Note, u.ID, store.FormatTime(now))
		if err != nil {
			return fmt.Errorf("recognition: create target: %w", err)
		}
		t.ID = id
		return appendAudit(ctx, tx, u, now, "target.create", "target:"+strconv.FormatInt(id, 10),
			fmt.Sprintf("%s %s:%s %d %s %g", t.Indicator, t.ScopeKind, t.Scope, t.Year, t.Comparator, t.Value))
	})
	if err != nil {
		return Target{}, err
	}
	return t, nil
}

const targetCols = "id, indicator, scope_kind, scope, year, comparator, value, legal_source, note, COALESCE(created_by, 0), created_at"

func scanTarget(r interface{ Scan(...any) error }) (Target, error) {
	var t Target
	var at string
	if err := r.Scan(&t.ID, &t.Indicator, &t.ScopeKind, &t.Scope, &t.Year, &t.Comparator, &t.Value, &t.LegalSource, &t.Note, &t.CreatedBy, &at); err != nil {
		return t, err
	}
	var err error
	t.CreatedAt, err = store.ParseTime(at)
	return t, err
}

// TargetByID returns one target.
func (s *Service) TargetByID(ctx context.Context, id int64) (Target, error) {
	t, err := scanTarget(s.DB.QueryRow(ctx, "SELECT "+targetCols+" FROM targets WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.E(errs.NotFound, "Không tìm thấy chỉ tiêu.")
	}
	if err != nil {
		return t, fmt.Errorf("recognition: target %d: %w", id, err)
	}
	return t, nil
}

// Targets lists the targets that bind scope (VN, a province or a commune)
// or a unit within it, for year (0: every year): targets on the unit or a
// unit below it, and for a province the "each" targets on its type that
// year.
func (s *Service) Targets(ctx context.Context, scope string, year int) ([]Target, error) {
	q := "SELECT " + targetCols + " FROM targets"
	var args []any
	if year != 0 {
		q += " WHERE year = ?"
		args = append(args, year)
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY year DESC, id", args...)
	if err != nil {
		return nil, fmt.Errorf("recognition: targets: %w", err)
	}
	var all []Target
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("recognition: targets: %w", err)
		}
		all = append(all, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recognition: targets: %w", err)
	}
	if scope == geo.Nation {
		return all, nil
	}
	var out []Target
	for _, t := range all {
		d := s.refDate(t.Year)
		switch t.ScopeKind {
		case ScopeUnit:
			ok, err := s.Geo.Within(ctx, scope, t.Scope, d)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, t)
			}
		case ScopeEach:
			u, err := s.Geo.UnitAt(ctx, scope, d)
			if errs.Is(err, errs.NotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if u.Level == geo.LevelProvince && u.Type == t.Scope {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// holds reports whether actual compares with want as the comparator says.
// Values are computed as ratios, so equality allows for rounding.
func holds(actual float64, comparator string, want float64) bool {
	const eps = 1e-9
	switch comparator {
	case ">=":
		return actual >= want-eps
	case "<=":
		return actual <= want+eps
	case "=":
		return math.Abs(actual-want) <= eps
	}
	return false
}

// TargetStatus evaluates a target on the data recorded so far. A target not
// met is missed once its year is over (in Vietnam time), at risk before.
func (s *Service) TargetStatus(ctx context.Context, t Target) (TargetResult, error) {
	res := TargetResult{Target: t}
	notMet := StateAtRisk
	if s.currentYear() > t.Year {
		notMet = StateMissed
	}
	d := s.refDate(t.Year)
	var units []geo.Unit
	switch t.ScopeKind {
	case ScopeUnit:
		name := s.unitTitle(ctx, t.Scope, d)
		units = []geo.Unit{{Code: t.Scope, FullName: name}}
	case ScopeEach:
		ps, err := s.Geo.Provinces(ctx, d)
		if err != nil {
			return res, err
		}
		for _, p := range ps {
			if p.Type == t.Scope {
				units = append(units, p)
			}
		}
		if len(units) == 0 {
			return res, errs.E(errs.NotFound, "Năm %d không có %s nào.", t.Year, eachTypes[t.Scope])
		}
	default:
		return res, fmt.Errorf("recognition: target %d: unknown scope kind %q", t.ID, t.ScopeKind)
	}
	res.State = StateMet
	for _, u := range units {
		r := UnitResult{Code: u.Code, Name: u.Title()}
		v, err := s.Indicator(ctx, t.Indicator, u.Code, t.Year)
		switch {
		case IsNoData(err):
			r.NoData = true
		case err != nil:
			return res, err
		default:
			r.Actual = v
		}
		r.State = StateMet
		if r.NoData || !holds(r.Actual, t.Comparator, t.Value) {
			r.State = notMet
			res.State = notMet
			res.Below = append(res.Below, u.Code)
		}
		res.Units = append(res.Units, r)
	}
	if t.ScopeKind == ScopeUnit {
		res.Actual = res.Units[0].Actual
	}
	return res, nil
}
