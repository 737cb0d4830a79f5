package recognition

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"toandan/internal/errs"
)

// Kinds of subject a recognition cycle is about.
const (
	KindResidentialArea = "residential_area"
	KindCommune         = "commune"
	KindModelWard       = "model_ward"
)

// SubjectKinds lists the kinds with their Vietnamese names.
var SubjectKinds = []struct{ Code, Name string }{
	{KindResidentialArea, "Khu dân cư"},
	{KindCommune, "Xã, phường, đặc khu"},
	{KindModelWard, "Công an phường điển hình, kiểu mẫu"},
}

// SubjectKindName returns the Vietnamese name of a subject kind.
func SubjectKindName(code string) string {
	for _, k := range SubjectKinds {
		if k.Code == code {
			return k.Name
		}
	}
	return code
}

// CriteriaSet is one version of a checklist, with its legal source. Sets are
// data (migrations insert them), so a new circular means a new set.
type CriteriaSet struct {
	ID            int64
	Code          string
	Version       string
	Name          string
	SubjectKind   string
	LegalSource   string
	EffectiveFrom string
	EffectiveTo   string // "" while in force
	Note          string
	Criteria      []Criterion
}

// Criterion is one item of a set; every one must hold for recognition.
type Criterion struct {
	ID       int64
	Position int
	Code     string
	Text     string
	Note     string
	// AutoCheck names a check run against recorded data before a
	// self-assessment of "met" is accepted, e.g. "effective_models:1".
	AutoCheck string
}

// Criterion returns the set's criterion with code.
func (cs CriteriaSet) Criterion(code string) (Criterion, bool) {
	for _, c := range cs.Criteria {
		if c.Code == code {
			return c, true
		}
	}
	return Criterion{}, false
}

const setCols = "id, code, version, name, subject_kind, legal_source, effective_from, COALESCE(effective_to, ''), note"

func scanSet(r interface{ Scan(...any) error }) (CriteriaSet, error) {
	var cs CriteriaSet
	err := r.Scan(&cs.ID, &cs.Code, &cs.Version, &cs.Name, &cs.SubjectKind, &cs.LegalSource, &cs.EffectiveFrom, &cs.EffectiveTo, &cs.Note)
	return cs, err
}

// CriteriaSets lists every set, with its criteria, by subject kind and date.
func (s *Service) CriteriaSets(ctx context.Context) ([]CriteriaSet, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+setCols+" FROM criteria_sets ORDER BY subject_kind, effective_from, id")
	if err != nil {
		return nil, fmt.Errorf("recognition: criteria sets: %w", err)
	}
	var sets []CriteriaSet
	for rows.Next() {
		cs, err := scanSet(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("recognition: criteria sets: %w", err)
		}
		sets = append(sets, cs)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recognition: criteria sets: %w", err)
	}
	for i := range sets {
		if sets[i].Criteria, err = s.criteria(ctx, sets[i].ID); err != nil {
			return nil, err
		}
	}
	return sets, nil
}

// CriteriaSet returns the set with id, with its criteria.
func (s *Service) CriteriaSet(ctx context.Context, id int64) (CriteriaSet, error) {
	cs, err := scanSet(s.DB.QueryRow(ctx, "SELECT "+setCols+" FROM criteria_sets WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return cs, errs.E(errs.NotFound, "Không tìm thấy bộ tiêu chí.")
	}
	if err != nil {
		return cs, fmt.Errorf("recognition: criteria set %d: %w", id, err)
	}
	cs.Criteria, err = s.criteria(ctx, id)
	return cs, err
}

func (s *Service) criteria(ctx context.Context, setID int64) ([]Criterion, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, position, code, text, note, auto_check FROM criteria WHERE set_id = ? ORDER BY position, id", setID)
	if err != nil {
		return nil, fmt.Errorf("recognition: criteria: %w", err)
	}
	defer rows.Close()
	var out []Criterion
	for rows.Next() {
		var c Criterion
		if err := rows.Scan(&c.ID, &c.Position, &c.Code, &c.Text, &c.Note, &c.AutoCheck); err != nil {
			return nil, fmt.Errorf("recognition: criteria: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recognition: criteria: %w", err)
	}
	return out, nil
}

// SetInForce returns the set that governs the cycles of kind for year: the
// one in force on 1 January, since registration happens in the first
// quarter and a cycle keeps the rules it started under; failing that, the
// first to come into force during the year.
func (s *Service) SetInForce(ctx context.Context, kind string, year int) (CriteriaSet, error) {
	if err := checkYear("year", year); err != nil {
		return CriteriaSet{}, err
	}
	start, end := yearStart(year), yearEnd(year)
	rows, err := s.DB.Query(ctx, "SELECT "+setCols+` FROM criteria_sets
		WHERE subject_kind = ? AND effective_from <= ? AND (effective_to IS NULL OR effective_to >= ?)
		ORDER BY effective_from, id`, kind, end, start)
	if err != nil {
		return CriteriaSet{}, fmt.Errorf("recognition: set in force: %w", err)
	}
	var sets []CriteriaSet
	for rows.Next() {
		cs, err := scanSet(rows)
		if err != nil {
			rows.Close()
			return CriteriaSet{}, fmt.Errorf("recognition: set in force: %w", err)
		}
		sets = append(sets, cs)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return CriteriaSet{}, fmt.Errorf("recognition: set in force: %w", err)
	}
	if len(sets) == 0 {
		return CriteriaSet{}, errs.E(errs.NotFound, "Chưa có bộ tiêu chí nào cho %s áp dụng trong năm %d.", SubjectKindName(kind), year)
	}
	chosen := sets[0]
	for _, cs := range sets {
		if cs.EffectiveFrom <= start {
			chosen = cs
		}
	}
	chosen.Criteria, err = s.criteria(ctx, chosen.ID)
	if err != nil {
		return CriteriaSet{}, err
	}
	if len(chosen.Criteria) == 0 {
		return CriteriaSet{}, fmt.Errorf("recognition: criteria set %s/%s has no criteria", chosen.Code, chosen.Version)
	}
	return chosen, nil
}
