// Package geo holds Vietnam's administrative geography as versioned data:
// units with validity dates, the lineage from old communes to new ones, the
// residential areas that commune officers register, and the police units
// whose jurisdictions cover the communes.
package geo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"toandan/internal/audit"
	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/store"
)

// Nation is the unit code that stands for the whole country in scopes.
const Nation = "VN"

// Levels of the administrative hierarchy.
const (
	LevelProvince = "province"
	LevelDistrict = "district"
	LevelCommune  = "commune"
)

// levelOfType maps every unit type the official lists use to its level.
var levelOfType = map[string]string{
	"province":        LevelProvince,
	"municipality":    LevelProvince,
	"district":        LevelDistrict,
	"town":            LevelDistrict,
	"municipal_city":  LevelDistrict,
	"provincial_city": LevelDistrict,
	"urban_district":  LevelDistrict,
	"district_town":   LevelDistrict,
	"commune":         LevelCommune,
	"ward":            LevelCommune,
	"special_zone":    LevelCommune,
	"township":        LevelCommune,
}

// typeWord is the lower-case Vietnamese word for a unit type, as used inside
// a name ("Công an phường Ba Đình").
var typeWord = map[string]string{
	"province":        "tỉnh",
	"municipality":    "thành phố",
	"district":        "huyện",
	"town":            "thị xã",
	"municipal_city":  "thành phố",
	"provincial_city": "thành phố",
	"urban_district":  "quận",
	"district_town":   "thị xã",
	"commune":         "xã",
	"ward":            "phường",
	"special_zone":    "đặc khu",
	"township":        "thị trấn",
}

// TypeWord returns the Vietnamese word for a unit type.
func TypeWord(typ string) string { return typeWord[typ] }

// Unit is one version of an administrative unit.
type Unit struct {
	ID         int64
	Code       string
	Name       string
	FullName   string
	NameEN     string
	Type       string
	Level      string
	ParentCode string
	ValidFrom  string
	ValidTo    string // "" while in force
}

// Title is the unit's full name, or its type word and name when the list
// gave no full name.
func (u Unit) Title() string {
	if u.FullName != "" {
		return u.FullName
	}
	if w := typeWord[u.Type]; w != "" {
		// Upper-case the first rune, not the first byte: "đặc khu".
		r, size := utf8.DecodeRuneInString(w)
		return string(unicode.ToUpper(r)) + w[size:] + " " + u.Name
	}
	return u.Name
}

// InForce reports whether u is in force on date d (YYYY-MM-DD).
func (u Unit) InForce(d string) bool {
	return u.ValidFrom <= d && (u.ValidTo == "" || u.ValidTo >= d)
}

// Service answers questions about the geography.
type Service struct {
	DB    *store.DB
	Clock clock.Clock

	places  placeCache
	derived derivedCache
}

// Today is the current date in Vietnam.
func (s *Service) Today() string { return clock.Today(s.Clock) }

const unitCols = "id, code, name, full_name, name_en, type, level, parent_code, valid_from, COALESCE(valid_to, '')"

type scanner interface{ Scan(...any) error }

func scanUnit(r scanner) (Unit, error) {
	var u Unit
	err := r.Scan(&u.ID, &u.Code, &u.Name, &u.FullName, &u.NameEN, &u.Type, &u.Level, &u.ParentCode, &u.ValidFrom, &u.ValidTo)
	return u, err
}

func (s *Service) queryUnits(ctx context.Context, q string, args ...any) ([]Unit, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("geo: %w", err)
	}
	defer rows.Close()
	var us []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("geo: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("geo: %w", err)
	}
	return us, nil
}

const inForce = "valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)"

// UnitAt returns the version of the unit with code in force on date d.
func (s *Service) UnitAt(ctx context.Context, code, d string) (Unit, error) {
	u, err := scanUnit(s.DB.QueryRow(ctx, "SELECT "+unitCols+" FROM units WHERE code = ? AND "+inForce, code, d, d))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, unitNotFound(code, d)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("geo: unit %s at %s: %w", code, d, err)
	}
	return u, nil
}

func unitNotFound(code, d string) error {
	return errs.E(errs.NotFound, "Không tìm thấy đơn vị hành chính mã %s vào ngày %s.", code, d)
}

// Provinces lists the province-level units in force on d, in official order.
func (s *Service) Provinces(ctx context.Context, d string) ([]Unit, error) {
	return s.queryUnits(ctx, "SELECT "+unitCols+" FROM units WHERE level = 'province' AND "+inForce+" ORDER BY code", d, d)
}

// Children lists the units in force on d whose parent is code, sorted by name
// in Vietnamese order (what a citizen looks for in a picker).
func (s *Service) Children(ctx context.Context, code, d string) ([]Unit, error) {
	us, err := s.queryUnits(ctx, "SELECT "+unitCols+" FROM units WHERE parent_code = ? AND "+inForce, code, d, d)
	if err != nil {
		return nil, err
	}
	SortByName(us)
	return us, nil
}

// SortByName sorts units by name in Vietnamese collation, then by code.
func SortByName(us []Unit) {
	c := collate.New(language.Vietnamese)
	sort.SliceStable(us, func(i, j int) bool {
		if r := c.CompareString(us[i].Name, us[j].Name); r != 0 {
			return r < 0
		}
		return us[i].Code < us[j].Code
	})
}

// CommunesOf lists every commune-level unit in force on d below province
// code (through districts for pre-2025 geography).
func (s *Service) CommunesOf(ctx context.Context, province, d string) ([]Unit, error) {
	us, err := s.queryUnits(ctx, "SELECT "+unitCols+` FROM units WHERE level = 'commune' AND `+inForce+`
		AND (parent_code = ? OR parent_code IN (SELECT code FROM units WHERE parent_code = ? AND level = 'district' AND `+inForce+`))
		ORDER BY code`, d, d, province, province, d, d)
	return us, err
}

// Ancestors returns the chain from the unit with code up to its province, on
// date d, starting with the unit itself.
func (s *Service) Ancestors(ctx context.Context, code, d string) ([]Unit, error) {
	var chain []Unit
	for code != "" && len(chain) < 4 {
		u, err := s.UnitAt(ctx, code, d)
		if err != nil {
			return nil, err
		}
		chain = append(chain, u)
		code = u.ParentCode
	}
	return chain, nil
}

// ProvinceOf returns the province that holds the unit with code on d.
func (s *Service) ProvinceOf(ctx context.Context, code, d string) (Unit, error) {
	chain, err := s.Ancestors(ctx, code, d)
	if err != nil {
		return Unit{}, err
	}
	top := chain[len(chain)-1]
	if top.Level != LevelProvince {
		return Unit{}, fmt.Errorf("geo: unit %s has no province on %s", code, d)
	}
	return top, nil
}

// Within reports whether the unit with code lies within scope (itself, or a
// unit below it) on date d. Nation contains everything.
func (s *Service) Within(ctx context.Context, scope, code, d string) (bool, error) {
	if scope == Nation {
		return true, nil
	}
	if scope == "" || code == "" {
		return false, nil
	}
	chain, err := s.Ancestors(ctx, code, d)
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, u := range chain {
		if u.Code == scope {
			return true, nil
		}
	}
	return false, nil
}

func (s *Service) appendAudit(ctx context.Context, tx *store.Tx, actor, action, object, detail string) error {
	return audit.Append(ctx, tx, audit.Entry{At: s.Clock.Now(), Actor: actor, Action: action, Object: object, Detail: audit.Clean(detail)})
}

// CountChildren returns, for each province in force on d, how many
// commune-level units it holds on d (through districts where there are any).
func (s *Service) CountChildren(ctx context.Context, d string) (map[string]int, error) {
	rows, err := s.DB.Query(ctx, `SELECT COALESCE(p.parent_code, c.parent_code) AS prov, COUNT(*) FROM units c
		LEFT JOIN units p ON p.code = c.parent_code AND p.level = 'district' AND p.valid_from <= ? AND (p.valid_to IS NULL OR p.valid_to >= ?)
		WHERE c.level = 'commune' AND c.valid_from <= ? AND (c.valid_to IS NULL OR c.valid_to >= ?)
		GROUP BY COALESCE(p.parent_code, c.parent_code)`, d, d, d, d)
	if err != nil {
		return nil, fmt.Errorf("geo: count children: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, fmt.Errorf("geo: count children: %w", err)
		}
		out[code] = n
	}
	return out, rows.Err()
}

// CountAreas returns how many residential areas in force on d each commune
// directly under parent has.
func (s *Service) CountAreas(ctx context.Context, parent, d string) (map[string]int, error) {
	rows, err := s.DB.Query(ctx, `SELECT a.commune_code, COUNT(*) FROM residential_areas a
		JOIN units c ON c.code = a.commune_code AND c.parent_code = ? AND c.valid_from <= ? AND (c.valid_to IS NULL OR c.valid_to >= ?)
		WHERE a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to >= ?)
		GROUP BY a.commune_code`, parent, d, d, d, d)
	if err != nil {
		return nil, fmt.Errorf("geo: count areas: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, fmt.Errorf("geo: count areas: %w", err)
		}
		out[code] = n
	}
	return out, rows.Err()
}
