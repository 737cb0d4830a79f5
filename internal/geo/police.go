package geo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

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

// PoliceUnitsOf lists the police units of a province, its own first and
// then its communes' by code, each with its jurisdiction. For Nation it
// lists the national intake unit and every province's own unit.
func (s *Service) PoliceUnitsOf(ctx context.Context, province string) ([]PoliceUnit, error) {
	q, args := "SELECT id, code, name, level, province_code FROM police_units WHERE province_code = ? ORDER BY level DESC, code", []any{province}
	if province == Nation {
		q, args = "SELECT id, code, name, level, province_code FROM police_units WHERE level IN ('national', 'province') ORDER BY level, code", nil
	}
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("geo: police units of %s: %w", province, err)
	}
	defer rows.Close()
	var ps []PoliceUnit
	byID := map[int64]int{}
	for rows.Next() {
		var p PoliceUnit
		if err := rows.Scan(&p.ID, &p.Code, &p.Name, &p.Level, &p.ProvinceCode); err != nil {
			return nil, fmt.Errorf("geo: police units: %w", err)
		}
		byID[p.ID] = len(ps)
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("geo: police units: %w", err)
	}
	if province == Nation {
		return ps, nil // these units have no communes
	}
	jrows, err := s.DB.Query(ctx, `SELECT j.police_unit_id, j.commune_code FROM police_jurisdiction j
		JOIN police_units p ON p.id = j.police_unit_id WHERE p.province_code = ? ORDER BY j.commune_code`, province)
	if err != nil {
		return nil, fmt.Errorf("geo: jurisdictions of %s: %w", province, err)
	}
	defer jrows.Close()
	for jrows.Next() {
		var id int64
		var c string
		if err := jrows.Scan(&id, &c); err != nil {
			return nil, fmt.Errorf("geo: jurisdictions of %s: %w", province, err)
		}
		if i, ok := byID[id]; ok {
			ps[i].Communes = append(ps[i].Communes, c)
		}
	}
	if err := jrows.Err(); err != nil {
		return nil, fmt.Errorf("geo: jurisdictions of %s: %w", province, err)
	}
	return ps, nil
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

// SetJurisdiction sets the communes in force today that a commune police
// unit covers. Every commune must be in force today in the unit's province;
// one moved here leaves the unit that covered it before (one commune, one
// unit), and one the unit covers now may not be left out, since no unit
// would then receive its reports: a commune leaves a unit only by being
// moved to another. Communes no longer in force stay as they are, for the
// data recorded on them.
func (s *Service) SetJurisdiction(ctx context.Context, code string, communes []string, actor string) error {
	p, err := s.policeUnit(ctx, code)
	if err != nil {
		return err
	}
	if p.Level != "commune" {
		return notCommunePolice()
	}
	want, err := s.checkJurisdiction(ctx, p, communes)
	if err != nil {
		return err
	}
	var changed bool
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		changed, err = s.applyJurisdiction(ctx, tx, p, want, actor)
		return err
	})
	if changed || err != nil {
		// Emptied whatever the outcome: a failed commit may still have
		// reached the database.
		s.InvalidatePlaces()
	}
	return jurisdictionConflict(err)
}

// PoliceEdit is a change to a police unit: its name and, for a commune
// police unit, the communes in force today that its jurisdiction holds.
type PoliceEdit struct {
	Name     string
	Communes []string
}

// maxPoliceName bounds a police unit's name, in characters.
const maxPoliceName = 200

func cleanPoliceName(name string) (string, error) {
	name = norm.NFC.String(strings.Join(strings.Fields(name), " "))
	if name == "" {
		return "", errs.Field("name", "Vui lòng nhập tên đơn vị công an.")
	}
	if utf8.RuneCountInString(name) > maxPoliceName {
		return "", errs.Field("name", "Tên đơn vị công an dài quá %d ký tự.", maxPoliceName)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", errs.Field("name", "Tên đơn vị công an có ký tự không hợp lệ.")
		}
	}
	return name, nil
}

// EditPoliceUnit renames a police unit and, for a commune police unit, sets
// its jurisdiction as SetJurisdiction does, in one transaction; each change
// is audited. A commune police unit must cover at least one commune; one
// that covers none in force already (its communes were all moved away) may
// be renamed without being given one. Callers check that the actor may
// edit the units of the unit's province. It reports whether anything
// changed.
func (s *Service) EditPoliceUnit(ctx context.Context, code string, in PoliceEdit, actor string) (bool, error) {
	p, err := s.policeUnit(ctx, code)
	if err != nil {
		return false, err
	}
	name, err := cleanPoliceName(in.Name)
	if err != nil {
		return false, err
	}
	var want []string
	setJurisdiction := p.Level == "commune"
	switch {
	case p.Level != "commune":
		if len(in.Communes) > 0 {
			return false, notCommunePolice()
		}
	case len(in.Communes) == 0:
		n, err := s.coveredInForce(ctx, p)
		if err != nil {
			return false, err
		}
		if n > 0 {
			return false, emptyJurisdiction()
		}
		setJurisdiction = false
	default:
		if want, err = s.checkJurisdiction(ctx, p, in.Communes); err != nil {
			return false, err
		}
	}
	var changed bool
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		changed = false
		if name != p.Name {
			if _, err := tx.Exec(ctx, "UPDATE police_units SET name = ? WHERE id = ?", name, p.ID); err != nil {
				return fmt.Errorf("geo: rename police unit %s: %w", p.Code, err)
			}
			if err := s.appendAudit(ctx, tx, actor, "police.rename", "police:"+p.Code, fmt.Sprintf("from=%s to=%s", p.Name, name)); err != nil {
				return err
			}
			changed = true
		}
		if !setJurisdiction {
			return nil
		}
		moved, err := s.applyJurisdiction(ctx, tx, p, want, actor)
		changed = changed || moved
		return err
	})
	if changed || err != nil {
		s.InvalidatePlaces()
	}
	return changed && err == nil, jurisdictionConflict(err)
}

func notCommunePolice() error {
	return errs.E(errs.Invalid, "Chỉ đơn vị công an cấp xã mới có địa bàn là các xã.")
}

func emptyJurisdiction() error {
	return errs.Field("communes", "Đơn vị công an cấp xã phải phụ trách ít nhất một xã, phường, đặc khu. Vui lòng chọn ít nhất một xã.")
}

// jurisdictionConflict words the failure of two edits that moved the same
// commune at once: the unique index on the commune refused the second.
func jurisdictionConflict(err error) error {
	if err != nil && store.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "Địa bàn vừa được người khác thay đổi. Vui lòng tải lại trang và làm lại.")
	}
	return err
}

// checkJurisdiction checks the communes chosen for the commune police unit
// p and returns them without repeats, sorted.
func (s *Service) checkJurisdiction(ctx context.Context, p PoliceUnit, communes []string) ([]string, error) {
	today := s.Today()
	seen := map[string]bool{}
	for _, c := range communes {
		c = strings.TrimSpace(c)
		if c == "" || seen[c] {
			continue
		}
		u, err := s.UnitAt(ctx, c, today)
		if err != nil {
			return nil, err
		}
		if u.Level != LevelCommune {
			return nil, errs.Field("communes", "%s không phải là xã, phường, đặc khu.", u.Title())
		}
		prov, err := s.ProvinceOf(ctx, u.Code, today)
		if err != nil {
			return nil, err
		}
		if prov.Code != p.ProvinceCode {
			return nil, errs.Field("communes", "%s không thuộc tỉnh, thành phố của đơn vị.", u.Title())
		}
		seen[c] = true
	}
	if len(seen) == 0 {
		return nil, emptyJurisdiction()
	}
	want := make([]string, 0, len(seen))
	for c := range seen {
		want = append(want, c)
	}
	slices.Sort(want)
	return want, nil
}

// coveredInForce counts the communes in force today that p covers.
func (s *Service) coveredInForce(ctx context.Context, p PoliceUnit) (int, error) {
	today := s.Today()
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(DISTINCT j.commune_code) FROM police_jurisdiction j
		JOIN units u ON u.code = j.commune_code AND u.level = 'commune' AND u.valid_from <= ? AND (u.valid_to IS NULL OR u.valid_to >= ?)
		WHERE j.police_unit_id = ?`, today, today, p.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("geo: jurisdiction of %s: %w", p.Code, err)
	}
	return n, nil
}

// applyJurisdiction makes want (checked, sorted) the communes in force that
// p covers, within tx, and reports whether anything changed. It reads the
// jurisdictions inside tx so that the refusal to leave a commune uncovered
// holds against edits made meanwhile.
func (s *Service) applyJurisdiction(ctx context.Context, tx *store.Tx, p PoliceUnit, want []string, actor string) (bool, error) {
	today := s.Today()
	rows, err := tx.Query(ctx, "SELECT commune_code FROM police_jurisdiction WHERE police_unit_id = ?", p.ID)
	if err != nil {
		return false, fmt.Errorf("geo: jurisdiction of %s: %w", p.Code, err)
	}
	current := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return false, fmt.Errorf("geo: jurisdiction of %s: %w", p.Code, err)
		}
		current[c] = true
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return false, fmt.Errorf("geo: jurisdiction of %s: %w", p.Code, err)
	}
	wanted := map[string]bool{}
	for _, c := range want {
		wanted[c] = true
	}
	var kept []string
	for c := range current {
		if !wanted[c] {
			kept = append(kept, c)
		}
	}
	slices.Sort(kept)
	for _, c := range kept {
		u, err := scanUnit(tx.QueryRow(ctx, "SELECT "+unitCols+" FROM units WHERE code = ? AND "+inForce, c, today, today))
		if errors.Is(err, sql.ErrNoRows) {
			continue // no longer in force: kept for the data recorded on it
		}
		if err != nil {
			return false, fmt.Errorf("geo: unit %s: %w", c, err)
		}
		return false, errs.Field("communes", "Không thể bỏ %s khỏi địa bàn: xã sẽ không còn đơn vị công an nào tiếp nhận tin báo. Muốn chuyển xã sang đơn vị khác, hãy sửa địa bàn của đơn vị nhận xã và chọn xã ở đó.", u.Title())
	}
	var moves []string
	for _, c := range want {
		if current[c] {
			continue
		}
		var from string
		err := tx.QueryRow(ctx, `SELECT p.code FROM police_jurisdiction j JOIN police_units p ON p.id = j.police_unit_id
			WHERE j.commune_code = ? ORDER BY p.id LIMIT 1`, c).Scan(&from)
		if errors.Is(err, sql.ErrNoRows) {
			from = "none"
		} else if err != nil {
			return false, fmt.Errorf("geo: set jurisdiction: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM police_jurisdiction WHERE commune_code = ?", c); err != nil {
			return false, fmt.Errorf("geo: set jurisdiction: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO police_jurisdiction (police_unit_id, commune_code) VALUES (?, ?)", p.ID, c); err != nil {
			return false, fmt.Errorf("geo: set jurisdiction: %w", err)
		}
		moves = append(moves, c+" from "+from)
	}
	if len(moves) == 0 {
		return false, nil
	}
	detail := "communes=" + strings.Join(want, ",") + "; moved " + strings.Join(moves, ", ")
	return true, s.appendAudit(ctx, tx, actor, "police.jurisdiction", "police:"+p.Code, detail)
}
