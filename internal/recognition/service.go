// Package recognition records the measurable side of the movement "Toàn dân
// bảo vệ an ninh Tổ quốc": the grassroots self-managed models and their
// evaluations, the yearly recognition of residential areas, communes and
// model ward police against versioned criteria sets, the indicators computed
// from that data, and the targets the Ministry and provinces set on them.
package recognition

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/account"
	"toandan/internal/audit"
	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// Service is what the web pages and the API call for models, recognition
// cycles, indicators and targets.
type Service struct {
	DB    *store.DB
	Geo   *geo.Service
	Clock clock.Clock
	// Festival gives the festival-day figures; the app adapts the movement
	// package to it, so that this package does not depend on it.
	Festival FestivalSource
	// Files keeps the attachments of self-assessments.
	Files FileStore
}

// FestivalSource gives the festival-day figures of a unit (VN, a province or
// a commune) for a year: points held at commune level and in residential
// areas, and the planned number of commune-level points. current selects
// the figures rolled up on today's geography rather than as recorded.
type FestivalSource interface {
	FestivalFigures(ctx context.Context, unit string, year int, current bool) (CommunePoints, AreaPoints, Planned int, err error)
}

// FileStore keeps attachment bytes under a name the service chooses. The
// app's file store satisfies it.
type FileStore interface {
	Put(ctx context.Context, name string, data []byte) error
	Get(ctx context.Context, name string) ([]byte, error)
}

func (s *Service) today() string { return clock.Today(s.Clock) }

func (s *Service) currentYear() int { return s.Clock.Now().In(clock.Vietnam).Year() }

// refDate is the day on which the geography of a year is read: 31 December,
// or today while the year is still running.
func (s *Service) refDate(year int) string {
	end := fmt.Sprintf("%04d-12-31", year)
	if t := s.today(); t < end {
		return t
	}
	return end
}

func yearStart(year int) string { return fmt.Sprintf("%04d-01-01", year) }
func yearEnd(year int) string   { return fmt.Sprintf("%04d-12-31", year) }

func checkYear(field string, year int) error {
	if year < 2000 || year > 2100 {
		return errs.Field(field, "Năm %d không hợp lệ.", year)
	}
	return nil
}

// can checks the role part of the access rules; the unit part is inScope.
// The two are split so that an object outside the actor's subtree is
// reported as not found only after the role check, which reveals nothing.
func can(u account.User, a account.Action) error {
	if u.ID == 0 || u.Disabled {
		return errs.E(errs.Unauthorized, "Vui lòng đăng nhập.")
	}
	if !account.Allowed(u.Role, a) {
		return errs.E(errs.Forbidden, "Bạn không có quyền thực hiện thao tác này.")
	}
	return nil
}

// inScope reports whether the unit with code lies in u's subtree today.
func (s *Service) inScope(ctx context.Context, u account.User, code string) (bool, error) {
	return s.Geo.Within(ctx, u.UnitCode, code, s.today())
}

var errUnitNotFound = errs.E(errs.NotFound, "Không tìm thấy đơn vị trong phạm vi quản lý của bạn.")

// authorize is account.Service.Authorize over this service's geography.
func (s *Service) authorize(ctx context.Context, u account.User, a account.Action, code string) error {
	if err := can(u, a); err != nil {
		return err
	}
	ok, err := s.inScope(ctx, u, code)
	if err != nil {
		return err
	}
	if !ok {
		return errUnitNotFound
	}
	return nil
}

func appendAudit(ctx context.Context, tx *store.Tx, u account.User, at time.Time, action, object, detail string) error {
	return audit.Append(ctx, tx, audit.Entry{At: at, Actor: audit.Actor(u.ID), Action: action, Object: object, Detail: audit.Clean(detail)})
}

// cleanText normalises free text typed by an officer and bounds its length.
func cleanText(field, s string, max int) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	if utf8.RuneCountInString(s) > max {
		return "", errs.Field(field, "Nội dung dài quá %d ký tự.", max)
	}
	return s, nil
}

// cleanName normalises a one-line name.
func cleanName(s string) string {
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}

// unitFilter returns a SQL condition limiting col, a commune code, to the
// communes within unit (VN, a province, a district or a commune) in force
// on d. For VN, strict limits col to communes in force on d; otherwise VN
// means every row, whatever geography it was recorded on.
func (s *Service) unitFilter(ctx context.Context, col, unit, d string, strict bool) (string, []any, error) {
	const inForce = "valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)"
	if unit == geo.Nation {
		if !strict {
			return "1 = 1", nil, nil
		}
		return col + " IN (SELECT code FROM units WHERE level = 'commune' AND " + inForce + ")", []any{d, d}, nil
	}
	u, err := s.Geo.UnitAt(ctx, unit, d)
	if err != nil {
		return "", nil, err
	}
	switch u.Level {
	case geo.LevelCommune:
		return col + " = ?", []any{unit}, nil
	case geo.LevelDistrict:
		return col + " IN (SELECT code FROM units WHERE level = 'commune' AND parent_code = ? AND " + inForce + ")", []any{unit, d, d}, nil
	}
	return col + ` IN (SELECT code FROM units WHERE level = 'commune' AND ` + inForce + `
		AND (parent_code = ? OR parent_code IN (SELECT code FROM units WHERE parent_code = ? AND level = 'district' AND ` + inForce + `)))`,
		[]any{d, d, unit, unit, d, d}, nil
}

// unitTitle is the unit's name for a message, or its code when unknown.
func (s *Service) unitTitle(ctx context.Context, code, d string) string {
	if code == geo.Nation {
		return "Toàn quốc"
	}
	u, err := s.Geo.UnitAt(ctx, code, d)
	if err != nil {
		return code
	}
	return u.Title()
}

// formatPct writes a percentage the Vietnamese way: 66,7 and 70.
func formatPct(v float64) string {
	t := strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	return strings.Replace(t, ".", ",", 1)
}
