// Package movement holds the grassroots work of the movement "Toàn dân bảo vệ
// an ninh Tổ quốc" that the police record and roll up: festival days (Ngày
// hội Toàn dân bảo vệ ANTQ, Decision 521/2005/QĐ-TTg) with their yearly plans,
// the roll-up of what was held by province and nation on either geography
// (as recorded, or as in force now through the lineage), and the conference
// report built from it.
package movement

import (
	"context"
	"database/sql"
	"errors"
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

// Service records festival plans and points and rolls them up. Web pages,
// the API and the command line all call it.
type Service struct {
	DB    *store.DB
	Geo   *geo.Service
	Clock clock.Clock
	// Progress, if set, is told how far ImportFestival and
	// ImportFestivalPlan have got: the command line sets it on a Service
	// of its own.
	Progress geo.Progress
}

// Point statuses. A province approves a commune's point or returns it for
// correction; a returned point is left out of roll-ups until it is corrected
// (which submits it again).
const (
	StatusSubmitted = "submitted"
	StatusApproved  = "approved"
	StatusReturned  = "returned"
)

// Limits on what one point may claim; beyond them the figure is a typing
// mistake, not a festival.
const (
	maxCount = 1_000_000
	maxGifts = 10_000_000_000_000 // 10 nghìn tỷ đồng
)

// Plan is a province's planned number of commune-level points for a year.
type Plan struct {
	Year          int
	ProvinceCode  string
	PlannedPoints int
	Source        string
	UpdatedBy     int64 // 0 when set by an import
	UpdatedAt     time.Time
}

// PointInput is what a commune officer enters for one festival point.
type PointInput struct {
	Year    int
	Commune string // commune-level code in force on HeldOn
	// AreaID is the residential area the point was held in; 0 for the
	// commune-level point.
	AreaID                  int64
	HeldOn                  string // YYYY-MM-DD, within Year
	Place                   string
	Participants            int
	Guests                  int
	CommendationsCollective int
	CommendationsIndividual int
	GiftsVND                int64
	ModelsLaunched          int
	Notes                   string
}

// Point is one festival point as stored.
type Point struct {
	ID                      int64
	Year                    int
	CommuneCode             string
	CommuneValidFrom        string // the version of the commune on HeldOn
	AreaID                  int64  // 0 for the commune-level point
	HeldOn                  string
	Place                   string
	Participants            int
	Guests                  int
	CommendationsCollective int
	CommendationsIndividual int
	GiftsVND                int64
	ModelsLaunched          int
	Notes                   string
	Status                  string
	ReviewNote              string
	ReviewedBy              int64
	ReviewedAt              string
	Source                  string
	CreatedBy               int64
	CreatedAt               string
	UpdatedAt               string
}

func (s *Service) today() string { return clock.Today(s.Clock) }

// accounts gives the access rules; they need only the geography.
func (s *Service) accounts() *account.Service {
	return &account.Service{DB: s.DB, Geo: s.Geo, Clock: s.Clock}
}

// viewDate is the day whose geography the current view uses for year: the
// last day of the year, or today while the year is not over.
func (s *Service) viewDate(year int) string {
	end := fmt.Sprintf("%04d-12-31", year)
	if t := s.today(); t < end {
		return t
	}
	return end
}

func validYear(y int) bool { return y >= 2005 && y <= 2100 }

func cleanText(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }

// --- Plans ---

// SetPlan sets a province's planned number of commune-level points for a
// year. Only the province's movement staff (or an administrator) may set it.
func (s *Service) SetPlan(ctx context.Context, actor account.User, year int, province string, planned int, source string) error {
	province = strings.TrimSpace(province)
	source = cleanText(source)
	if !validYear(year) {
		return errs.Field("year", "Năm %d không hợp lệ.", year)
	}
	if planned < 0 {
		return errs.Field("planned", "Số điểm kế hoạch không được âm.")
	}
	if planned > maxCount {
		return errs.Field("planned", "Số điểm kế hoạch quá lớn.")
	}
	if utf8.RuneCountInString(source) > 500 {
		return errs.Field("source", "Căn cứ dài quá 500 ký tự.")
	}
	u, err := s.Geo.UnitAt(ctx, province, s.viewDate(year))
	if errs.Is(err, errs.NotFound) || (err == nil && u.Level != geo.LevelProvince) {
		return errs.Field("province", "Không có tỉnh, thành phố mã %s trong năm %d.", province, year)
	}
	if err != nil {
		return err
	}
	if err := s.accounts().Authorize(ctx, actor, account.ReviewMovement, province); err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		old := -1
		err := tx.QueryRow(ctx, "SELECT planned_points FROM festival_plans WHERE year = ? AND province_code = ?", year, province).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("movement: set plan: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO festival_plans (year, province_code, planned_points, source, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (year, province_code) DO UPDATE SET planned_points = excluded.planned_points, source = excluded.source,
				updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			year, province, planned, source, actor.ID, store.FormatTime(now)); err != nil {
			return fmt.Errorf("movement: set plan: %w", err)
		}
		was := "none"
		if old >= 0 {
			was = fmt.Sprint(old)
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: audit.Actor(actor.ID), Action: "festival.plan.set",
			Object: fmt.Sprintf("festival_plan:%d:%s", year, province), Detail: audit.Clean(fmt.Sprintf("planned=%d was=%s source=%s", planned, was, source))})
	})
}

// Plans lists the plans of a year by province code.
func (s *Service) Plans(ctx context.Context, year int) ([]Plan, error) {
	rows, err := s.DB.Query(ctx, `SELECT year, province_code, planned_points, source, COALESCE(updated_by, 0), updated_at
		FROM festival_plans WHERE year = ? ORDER BY province_code`, year)
	if err != nil {
		return nil, fmt.Errorf("movement: plans: %w", err)
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		var p Plan
		var at string
		if err := rows.Scan(&p.Year, &p.ProvinceCode, &p.PlannedPoints, &p.Source, &p.UpdatedBy, &at); err != nil {
			return nil, fmt.Errorf("movement: plans: %w", err)
		}
		if p.UpdatedAt, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("movement: plans: %w", err)
	}
	return out, nil
}

// --- Points ---

// clean normalises the input and checks what needs no database.
func (in *PointInput) clean(today string) error {
	in.Commune = strings.TrimSpace(in.Commune)
	in.HeldOn = strings.TrimSpace(in.HeldOn)
	in.Place = cleanText(strings.Join(strings.Fields(in.Place), " "))
	in.Notes = cleanText(in.Notes)
	if !validYear(in.Year) {
		return errs.Field("year", "Năm %d không hợp lệ.", in.Year)
	}
	if in.Commune == "" {
		return errs.Field("commune", "Vui lòng chọn xã, phường, đặc khu.")
	}
	if in.HeldOn == "" {
		return errs.Field("held_on", "Vui lòng nhập ngày tổ chức.")
	}
	if !geo.ValidDate(in.HeldOn) {
		return errs.Field("held_on", "Ngày tổ chức %q không hợp lệ, cần dạng YYYY-MM-DD.", in.HeldOn)
	}
	if in.HeldOn[:4] != fmt.Sprintf("%04d", in.Year) {
		return errs.Field("held_on", "Ngày tổ chức %s không thuộc năm %d.", in.HeldOn, in.Year)
	}
	if in.HeldOn > today {
		return errs.Field("held_on", "Ngày tổ chức %s sau ngày hôm nay; chỉ ghi điểm đã tổ chức.", in.HeldOn)
	}
	if in.AreaID < 0 {
		return errs.Field("area_id", "Khu dân cư không hợp lệ.")
	}
	if utf8.RuneCountInString(in.Place) > 200 {
		return errs.Field("place", "Địa điểm dài quá 200 ký tự.")
	}
	if utf8.RuneCountInString(in.Notes) > 2000 {
		return errs.Field("notes", "Ghi chú dài quá 2000 ký tự.")
	}
	for _, c := range []struct {
		field, name string
		n           int
	}{
		{"participants", "Số người tham dự", in.Participants},
		{"guests", "Số đại biểu, khách mời", in.Guests},
		{"commendations_collective", "Số tập thể được khen thưởng", in.CommendationsCollective},
		{"commendations_individual", "Số cá nhân được khen thưởng", in.CommendationsIndividual},
		{"models_launched", "Số mô hình ra mắt", in.ModelsLaunched},
	} {
		if c.n < 0 {
			return errs.Field(c.field, "%s không được âm.", c.name)
		}
		if c.n > maxCount {
			return errs.Field(c.field, "%s quá lớn.", c.name)
		}
	}
	if in.GiftsVND < 0 {
		return errs.Field("gifts_vnd", "Giá trị quà tặng không được âm.")
	}
	if in.GiftsVND > maxGifts {
		return errs.Field("gifts_vnd", "Giá trị quà tặng quá lớn.")
	}
	return nil
}

// communeOn returns the version of the commune-level unit code in force on d.
func (s *Service) communeOn(ctx context.Context, code, d string) (geo.Unit, error) {
	u, err := s.Geo.UnitAt(ctx, code, d)
	if errs.Is(err, errs.NotFound) || (err == nil && u.Level != geo.LevelCommune) {
		return geo.Unit{}, errs.Field("commune", "Không có xã, phường, đặc khu mã %s vào ngày %s.", code, d)
	}
	return u, err
}

// authorizeCommune checks that actor may do a to the data of one version of
// a commune. A version no longer in force is judged by its main successor
// today, so that the officers of the commune that took it over (and its
// province) keep charge of its records.
func (s *Service) authorizeCommune(ctx context.Context, actor account.User, a account.Action, code, validFrom string) error {
	acc := s.accounts()
	if !account.Allowed(actor.Role, a) || actor.UnitCode == geo.Nation {
		return acc.Authorize(ctx, actor, a, code)
	}
	today := s.today()
	u, err := s.Geo.UnitAt(ctx, code, today)
	if err == nil && u.ValidFrom >= validFrom {
		// Check that today's unit with this code is the same unit and
		// not a later one that reused the code.
		if ok, err := s.sameUnit(ctx, code, validFrom, u.ValidFrom); err != nil {
			return err
		} else if ok {
			return acc.Authorize(ctx, actor, a, code)
		}
	} else if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	m, err := s.Geo.MainSuccessor(ctx, code, today)
	if errs.Is(err, errs.NotFound) {
		return errs.E(errs.NotFound, "Không tìm thấy đơn vị trong phạm vi quản lý của bạn.")
	}
	if err != nil {
		return err
	}
	return acc.Authorize(ctx, actor, a, m.Commune.Code)
}

// sameUnit reports whether the versions of code from validFrom to laterFrom
// are one unit: no lineage link leaves code in between.
func (s *Service) sameUnit(ctx context.Context, code, validFrom, laterFrom string) (bool, error) {
	if validFrom == laterFrom {
		return true, nil
	}
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM unit_lineage WHERE old_code = ? AND changed_on > ? AND changed_on <= ?",
		code, validFrom, laterFrom).Scan(&n); err != nil {
		return false, fmt.Errorf("movement: lineage of %s: %w", code, err)
	}
	return n == 0, nil
}

// checkArea checks that area id belongs to the version of the commune and
// was not closed before the point was held.
func (s *Service) checkArea(ctx context.Context, id int64, commune geo.Unit, heldOn string) error {
	a, err := s.Geo.Area(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return errs.Field("area_id", "Không tìm thấy khu dân cư.")
	}
	if err != nil {
		return err
	}
	overlaps := (commune.ValidTo == "" || a.ValidFrom <= commune.ValidTo) && (a.ValidTo == "" || a.ValidTo >= commune.ValidFrom)
	if a.CommuneCode != commune.Code || !overlaps {
		return errs.Field("area_id", "Khu dân cư “%s” không thuộc %s.", a.Name, commune.Title())
	}
	if a.ValidTo != "" && a.ValidTo < heldOn {
		return errs.Field("area_id", "Khu dân cư “%s” đã giải thể trước ngày %s.", a.Name, heldOn)
	}
	return nil
}

func areaKey(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprint(id)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// RecordPoint records a festival point held in the actor's commune (or in one
// of its residential areas). An officer of another commune gets NotFound.
func (s *Service) RecordPoint(ctx context.Context, actor account.User, in PointInput) (Point, error) {
	if err := in.clean(s.today()); err != nil {
		return Point{}, err
	}
	commune, err := s.communeOn(ctx, in.Commune, in.HeldOn)
	if err != nil {
		return Point{}, err
	}
	if err := s.authorizeCommune(ctx, actor, account.EditMovement, commune.Code, commune.ValidFrom); err != nil {
		return Point{}, err
	}
	if in.AreaID != 0 {
		if err := s.checkArea(ctx, in.AreaID, commune, in.HeldOn); err != nil {
			return Point{}, err
		}
	}
	now := store.FormatTime(s.Clock.Now())
	p := Point{Year: in.Year, CommuneCode: commune.Code, CommuneValidFrom: commune.ValidFrom, AreaID: in.AreaID, Status: StatusSubmitted,
		Source: "form", CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	p.setValues(in)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO festival_points (year, commune_code, commune_valid_from, area_id, area_key, held_on, place,
			participants, guests, commendations_collective, commendations_individual, gifts_vnd, models_launched, notes,
			status, source, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Year, p.CommuneCode, p.CommuneValidFrom, nullID(p.AreaID), areaKey(p.AreaID), p.HeldOn, p.Place,
			p.Participants, p.Guests, p.CommendationsCollective, p.CommendationsIndividual, p.GiftsVND, p.ModelsLaunched, p.Notes,
			p.Status, p.Source, actor.ID, now, now)
		if store.IsUniqueViolation(err) {
			return duplicatePoint(p)
		}
		if err != nil {
			return fmt.Errorf("movement: record point: %w", err)
		}
		p.ID = id
		return audit.Append(ctx, tx, audit.Entry{At: s.Clock.Now(), Actor: audit.Actor(actor.ID), Action: "festival.point.create",
			Object: fmt.Sprintf("festival_point:%d", id), Detail: audit.Clean(p.summary())})
	})
	if err != nil {
		return Point{}, err
	}
	return p, nil
}

func duplicatePoint(p Point) error {
	if p.AreaID != 0 {
		return errs.E(errs.Conflict, "Khu dân cư này đã có điểm tổ chức Ngày hội năm %d; hãy sửa điểm đã ghi.", p.Year)
	}
	return errs.E(errs.Conflict, "Xã %s đã có điểm tổ chức Ngày hội cấp xã năm %d; hãy sửa điểm đã ghi.", p.CommuneCode, p.Year)
}

func (p *Point) setValues(in PointInput) {
	p.HeldOn, p.Place = in.HeldOn, in.Place
	p.Participants, p.Guests = in.Participants, in.Guests
	p.CommendationsCollective, p.CommendationsIndividual = in.CommendationsCollective, in.CommendationsIndividual
	p.GiftsVND, p.ModelsLaunched, p.Notes = in.GiftsVND, in.ModelsLaunched, in.Notes
}

func (p Point) summary() string {
	return fmt.Sprintf("year=%d commune=%s@%s area=%d held_on=%s participants=%d guests=%d commendations=%d/%d gifts_vnd=%d models=%d status=%s",
		p.Year, p.CommuneCode, p.CommuneValidFrom, p.AreaID, p.HeldOn, p.Participants, p.Guests,
		p.CommendationsCollective, p.CommendationsIndividual, p.GiftsVND, p.ModelsLaunched, p.Status)
}

const pointCols = `id, year, commune_code, commune_valid_from, COALESCE(area_id, 0), held_on, place, participants, guests,
	commendations_collective, commendations_individual, gifts_vnd, models_launched, notes, status, review_note,
	COALESCE(reviewed_by, 0), reviewed_at, source, COALESCE(created_by, 0), created_at, updated_at`

type scanner interface{ Scan(...any) error }

func scanPoint(r scanner) (Point, error) {
	var p Point
	err := r.Scan(&p.ID, &p.Year, &p.CommuneCode, &p.CommuneValidFrom, &p.AreaID, &p.HeldOn, &p.Place, &p.Participants, &p.Guests,
		&p.CommendationsCollective, &p.CommendationsIndividual, &p.GiftsVND, &p.ModelsLaunched, &p.Notes, &p.Status, &p.ReviewNote,
		&p.ReviewedBy, &p.ReviewedAt, &p.Source, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

var errPointNotFound = errs.E(errs.NotFound, "Không tìm thấy điểm tổ chức Ngày hội.")

func (s *Service) point(ctx context.Context, id int64) (Point, error) {
	p, err := scanPoint(s.DB.QueryRow(ctx, "SELECT "+pointCols+" FROM festival_points WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Point{}, errPointNotFound
	}
	if err != nil {
		return Point{}, fmt.Errorf("movement: point %d: %w", id, err)
	}
	return p, nil
}

// pointFor loads a point and checks that actor may do a to it. A point
// outside the actor's units is reported as not found. The role is checked
// before the point is looked up, so that a role that may not do a gets 403
// for every id, existing or not, and guessing ids reveals nothing.
func (s *Service) pointFor(ctx context.Context, actor account.User, a account.Action, id int64) (Point, error) {
	if !account.Allowed(actor.Role, a) {
		return Point{}, errs.E(errs.Forbidden, "Bạn không có quyền thực hiện thao tác này.")
	}
	p, err := s.point(ctx, id)
	if err != nil {
		return Point{}, err
	}
	if err := s.authorizeCommune(ctx, actor, a, p.CommuneCode, p.CommuneValidFrom); err != nil {
		if errs.Is(err, errs.NotFound) {
			return Point{}, errPointNotFound
		}
		return Point{}, err
	}
	return p, nil
}

// Point returns a festival point the actor may see.
func (s *Service) Point(ctx context.Context, actor account.User, id int64) (Point, error) {
	return s.pointFor(ctx, actor, account.ViewMovement, id)
}

// Points lists the points of a year recorded on a commune code (every
// version of it), commune-level point first.
func (s *Service) Points(ctx context.Context, actor account.User, year int, commune string) ([]Point, error) {
	if err := s.accounts().Authorize(ctx, actor, account.ViewMovement, commune); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+pointCols+" FROM festival_points WHERE year = ? AND commune_code = ? ORDER BY commune_valid_from, area_key, id", year, commune)
	if err != nil {
		return nil, fmt.Errorf("movement: points: %w", err)
	}
	defer rows.Close()
	var out []Point
	for rows.Next() {
		p, err := scanPoint(rows)
		if err != nil {
			return nil, fmt.Errorf("movement: points: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("movement: points: %w", err)
	}
	return out, nil
}

// UpdatePoint changes what was recorded for a point. Its year and commune
// stay; the date must keep it on the same version of the commune. A changed
// point is submitted for review again.
func (s *Service) UpdatePoint(ctx context.Context, actor account.User, id int64, in PointInput) (Point, error) {
	p, err := s.pointFor(ctx, actor, account.EditMovement, id)
	if err != nil {
		return Point{}, err
	}
	if in.Year == 0 {
		in.Year = p.Year
	}
	if strings.TrimSpace(in.Commune) == "" {
		in.Commune = p.CommuneCode
	}
	if err := in.clean(s.today()); err != nil {
		return Point{}, err
	}
	if in.Year != p.Year {
		return Point{}, errs.Field("year", "Không đổi được năm của điểm đã ghi.")
	}
	if in.Commune != p.CommuneCode {
		return Point{}, errs.Field("commune", "Không đổi được xã của điểm đã ghi.")
	}
	commune, err := s.communeOn(ctx, p.CommuneCode, in.HeldOn)
	if err != nil {
		return Point{}, err
	}
	if commune.ValidFrom != p.CommuneValidFrom {
		return Point{}, errs.Field("held_on", "Ngày %s thuộc một phiên bản khác của đơn vị %s; không đổi được.", in.HeldOn, p.CommuneCode)
	}
	if in.AreaID != 0 && in.AreaID != p.AreaID {
		if err := s.checkArea(ctx, in.AreaID, commune, in.HeldOn); err != nil {
			return Point{}, err
		}
	}
	before := p.summary()
	p.setValues(in)
	p.AreaID = in.AreaID
	p.Status = StatusSubmitted
	p.UpdatedAt = store.FormatTime(s.Clock.Now())
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE festival_points SET area_id = ?, area_key = ?, held_on = ?, place = ?, participants = ?, guests = ?,
			commendations_collective = ?, commendations_individual = ?, gifts_vnd = ?, models_launched = ?, notes = ?,
			status = ?, updated_at = ? WHERE id = ?`,
			nullID(p.AreaID), areaKey(p.AreaID), p.HeldOn, p.Place, p.Participants, p.Guests, p.CommendationsCollective,
			p.CommendationsIndividual, p.GiftsVND, p.ModelsLaunched, p.Notes, p.Status, p.UpdatedAt, id)
		if store.IsUniqueViolation(err) {
			return duplicatePoint(p)
		}
		if err != nil {
			return fmt.Errorf("movement: update point: %w", err)
		}
		return audit.Append(ctx, tx, audit.Entry{At: s.Clock.Now(), Actor: audit.Actor(actor.ID), Action: "festival.point.update",
			Object: fmt.Sprintf("festival_point:%d", id), Detail: audit.Clean("before: " + before + "; after: " + p.summary())})
	})
	if err != nil {
		return Point{}, err
	}
	return p, nil
}

// ReviewPoint approves a point or returns it to the commune for correction
// (a returned point needs a note saying why).
func (s *Service) ReviewPoint(ctx context.Context, actor account.User, id int64, approve bool, note string) (Point, error) {
	note = cleanText(note)
	p, err := s.pointFor(ctx, actor, account.ReviewMovement, id)
	if err != nil {
		return Point{}, err
	}
	if !approve && note == "" {
		return Point{}, errs.Field("note", "Vui lòng ghi lý do trả lại.")
	}
	if utf8.RuneCountInString(note) > 1000 {
		return Point{}, errs.Field("note", "Ý kiến dài quá 1000 ký tự.")
	}
	p.Status, p.ReviewNote, p.ReviewedBy = StatusReturned, note, actor.ID
	action := "festival.point.return"
	if approve {
		p.Status, action = StatusApproved, "festival.point.approve"
	}
	now := s.Clock.Now()
	p.ReviewedAt = store.FormatTime(now)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE festival_points SET status = ?, review_note = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?",
			p.Status, p.ReviewNote, p.ReviewedBy, p.ReviewedAt, id); err != nil {
			return fmt.Errorf("movement: review point: %w", err)
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: audit.Actor(actor.ID), Action: action,
			Object: fmt.Sprintf("festival_point:%d", id), Detail: audit.Clean(note)})
	})
	if err != nil {
		return Point{}, err
	}
	return p, nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
