package geo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/errs"
	"toandan/internal/store"
)

// AreaKinds are the kinds of residential area (khu dân cư), by stable code.
var AreaKinds = []struct{ Code, Name string }{
	{"thon", "Thôn"},
	{"xom", "Xóm"},
	{"ap", "Ấp"},
	{"ban", "Bản"},
	{"to_dan_pho", "Tổ dân phố"},
	{"khu_pho", "Khu phố"},
	{"khac", "Khác"},
}

// AreaKindName returns the Vietnamese name of an area kind.
func AreaKindName(code string) string {
	for _, k := range AreaKinds {
		if k.Code == code {
			return k.Name
		}
	}
	return code
}

// Area is a residential area under a commune.
type Area struct {
	ID          int64
	CommuneCode string
	Name        string
	Kind        string
	Note        string
	ValidFrom   string
	ValidTo     string
}

// AreaInput is what an officer types to create or edit an area.
type AreaInput struct {
	Name string
	Kind string
	Note string
}

func (in *AreaInput) clean() error {
	in.Name = norm.NFC.String(strings.Join(strings.Fields(in.Name), " "))
	in.Note = norm.NFC.String(strings.TrimSpace(in.Note))
	if in.Name == "" {
		return errs.Field("name", "Vui lòng nhập tên khu dân cư.")
	}
	if utf8.RuneCountInString(in.Name) > 120 {
		return errs.Field("name", "Tên khu dân cư dài quá 120 ký tự.")
	}
	if utf8.RuneCountInString(in.Note) > 1000 {
		return errs.Field("note", "Ghi chú dài quá 1000 ký tự.")
	}
	for _, k := range AreaKinds {
		if k.Code == in.Kind {
			return nil
		}
	}
	return errs.Field("kind", "Vui lòng chọn loại khu dân cư.")
}

const areaCols = "id, commune_code, name, kind, note, valid_from, COALESCE(valid_to, '')"

func scanArea(r scanner) (Area, error) {
	var a Area
	err := r.Scan(&a.ID, &a.CommuneCode, &a.Name, &a.Kind, &a.Note, &a.ValidFrom, &a.ValidTo)
	return a, err
}

// Areas lists the residential areas of commune in force on d, by name.
func (s *Service) Areas(ctx context.Context, commune, d string) ([]Area, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+areaCols+" FROM residential_areas WHERE commune_code = ? AND "+inForce+" ORDER BY name, id", commune, d, d)
	if err != nil {
		return nil, fmt.Errorf("geo: areas of %s: %w", commune, err)
	}
	defer rows.Close()
	var as []Area
	for rows.Next() {
		a, err := scanArea(rows)
		if err != nil {
			return nil, fmt.Errorf("geo: areas of %s: %w", commune, err)
		}
		as = append(as, a)
	}
	return as, rows.Err()
}

// Area returns the residential area with id.
func (s *Service) Area(ctx context.Context, id int64) (Area, error) {
	a, err := scanArea(s.DB.QueryRow(ctx, "SELECT "+areaCols+" FROM residential_areas WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.E(errs.NotFound, "Không tìm thấy khu dân cư.")
	}
	if err != nil {
		return a, fmt.Errorf("geo: area %d: %w", id, err)
	}
	return a, nil
}

// CreateArea registers a residential area under a commune in force today.
// Callers check that the actor may act for the commune.
func (s *Service) CreateArea(ctx context.Context, commune string, in AreaInput, actorID int64, actor string) (Area, error) {
	if err := in.clean(); err != nil {
		return Area{}, err
	}
	today := s.Today()
	u, err := s.UnitAt(ctx, commune, today)
	if err != nil {
		return Area{}, err
	}
	if u.Level != LevelCommune {
		return Area{}, errs.E(errs.Invalid, "Khu dân cư chỉ được tạo dưới cấp xã, phường, đặc khu.")
	}
	now := store.FormatTime(s.Clock.Now())
	var a Area
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM residential_areas WHERE commune_code = ? AND name = ? AND valid_to IS NULL", commune, in.Name).Scan(&n); err != nil {
			return fmt.Errorf("geo: create area: %w", err)
		}
		if n > 0 {
			return errs.Field("name", "Xã này đã có khu dân cư tên “%s”.", in.Name)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO residential_areas (commune_code, name, kind, note, valid_from, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, commune, in.Name, in.Kind, in.Note, today, actorID, now, now)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return errs.Field("name", "Xã này đã có khu dân cư tên “%s”.", in.Name)
			}
			return fmt.Errorf("geo: create area: %w", err)
		}
		a = Area{ID: id, CommuneCode: commune, Name: in.Name, Kind: in.Kind, Note: in.Note, ValidFrom: today}
		return s.appendAudit(ctx, tx, actor, "area.create", fmt.Sprintf("area:%d", id), commune+" "+in.Name)
	})
	return a, err
}

// UpdateArea changes an area's name, kind and note. Callers check that the
// actor may act for the area's commune.
func (s *Service) UpdateArea(ctx context.Context, id int64, in AreaInput, actor string) (Area, error) {
	if err := in.clean(); err != nil {
		return Area{}, err
	}
	a, err := s.Area(ctx, id)
	if err != nil {
		return Area{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM residential_areas WHERE commune_code = ? AND name = ? AND valid_to IS NULL AND id <> ?", a.CommuneCode, in.Name, id).Scan(&n); err != nil {
			return fmt.Errorf("geo: update area: %w", err)
		}
		if n > 0 {
			return errs.Field("name", "Xã này đã có khu dân cư tên “%s”.", in.Name)
		}
		if _, err := tx.Exec(ctx, "UPDATE residential_areas SET name = ?, kind = ?, note = ?, updated_at = ? WHERE id = ?",
			in.Name, in.Kind, in.Note, store.FormatTime(s.Clock.Now()), id); err != nil {
			return fmt.Errorf("geo: update area: %w", err)
		}
		return s.appendAudit(ctx, tx, actor, "area.update", fmt.Sprintf("area:%d", id), fmt.Sprintf("%s → %s", a.Name, in.Name))
	})
	if err != nil {
		return Area{}, err
	}
	a.Name, a.Kind, a.Note = in.Name, in.Kind, in.Note
	return a, nil
}
