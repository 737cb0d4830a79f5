// Package warning holds the security warnings (cảnh báo an ninh) that staff
// publish on the citizen portal, e.g. a new scam trick. A warning is for the
// whole country or for one province: the Ministry writes for the nation or
// any province, a province's staff for their own province, and every change
// is in the audit log. Citizens see published warnings only.
package warning

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/account"
	"toandan/internal/audit"
	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// Statuses of a warning.
const (
	StatusDraft       = "draft"       // seen by staff only
	StatusPublished   = "published"   // on the portal
	StatusUnpublished = "unpublished" // taken down, kept for the record
)

// StatusName is the Vietnamese name of a status.
func StatusName(st string) string {
	switch st {
	case StatusDraft:
		return "Bản nháp"
	case StatusPublished:
		return "Đang đăng"
	case StatusUnpublished:
		return "Đã gỡ"
	}
	return st
}

// Limits of what an officer may type.
const (
	MaxTitle = 200
	MaxBody  = 10000
)

// Warning is one security warning.
type Warning struct {
	ID int64
	// Unit is geo.Nation for the whole country, or a province code.
	Unit     string
	UnitName string // "Toàn quốc", "Thành phố Hà Nội"
	Category string
	// CategoryName is the category's Vietnamese name.
	CategoryName string
	Title        string
	Body         string
	Status       string
	// PublishedAt is when the warning was last put on the portal; zero if
	// never.
	PublishedAt time.Time
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedBy   int64
	UpdatedAt   time.Time
}

// Nationwide reports whether the warning is for the whole country.
func (w Warning) Nationwide() bool { return w.Unit == geo.Nation }

// Input is what an officer writes.
type Input struct {
	Unit     string
	Category string
	Title    string
	Body     string
}

// Category is a kind of warning.
type Category struct{ Code, Name string }

// Service keeps the warnings. Web pages call it; so would the API.
type Service struct {
	DB    *store.DB
	Geo   *geo.Service
	Clock clock.Clock
}

func (s *Service) today() string { return clock.Today(s.Clock) }

// Categories lists the categories in use, in order.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.DB.Query(ctx, "SELECT code, name FROM warning_categories WHERE active = 1 ORDER BY position, code")
	if err != nil {
		return nil, fmt.Errorf("warning: categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Code, &c.Name); err != nil {
			return nil, fmt.Errorf("warning: categories: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warning: categories: %w", err)
	}
	return out, nil
}

// can checks the role, before anything is looked up, so that a role
// without the permission gets the same answer for any id.
func can(u account.User) error {
	if u.ID == 0 || u.Disabled {
		return errs.E(errs.Unauthorized, "Vui lòng đăng nhập.")
	}
	if !account.Allowed(u.Role, account.PublishWarnings) {
		return errs.E(errs.Forbidden, "Bạn không có quyền quản lý cảnh báo.")
	}
	return nil
}

var errOutOfScope = errs.E(errs.NotFound, "Không tìm thấy đơn vị trong phạm vi quản lý của bạn.")

// inScope reports whether u may write for unit (the nation or a province).
func (s *Service) inScope(ctx context.Context, u account.User, unit string) (bool, error) {
	if unit == geo.Nation {
		return u.UnitCode == geo.Nation, nil
	}
	return s.Geo.Within(ctx, u.UnitCode, unit, s.today())
}

// checkUnit accepts the nation or a province in force today within u's
// scope. A unit outside the scope is not found, whether it exists or not.
func (s *Service) checkUnit(ctx context.Context, u account.User, unit string) error {
	if unit == "" {
		return errs.Field("unit", "Vui lòng chọn phạm vi của cảnh báo: toàn quốc hoặc một tỉnh, thành phố.")
	}
	ok, err := s.inScope(ctx, u, unit)
	if err != nil {
		return err
	}
	if !ok {
		return errOutOfScope
	}
	if unit == geo.Nation {
		return nil
	}
	un, err := s.Geo.UnitAt(ctx, unit, s.today())
	if err != nil {
		return err
	}
	if un.Level != geo.LevelProvince {
		return errs.Field("unit", "Cảnh báo áp dụng cho toàn quốc hoặc một tỉnh, thành phố; %s là đơn vị cấp dưới.", un.Title())
	}
	return nil
}

// cleanText normalises text typed by an officer: NFC, no carriage returns,
// no control characters other than line breaks and tabs, trimmed.
func cleanText(v string) string {
	v = norm.NFC.String(strings.ReplaceAll(v, "\r\n", "\n"))
	v = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, v)
	return strings.TrimSpace(v)
}

func (s *Service) clean(ctx context.Context, in *Input) error {
	in.Unit = strings.TrimSpace(in.Unit)
	in.Category = strings.TrimSpace(in.Category)
	in.Title = strings.Join(strings.Fields(cleanText(in.Title)), " ")
	in.Body = cleanText(in.Body)
	switch {
	case in.Title == "":
		return errs.Field("title", "Vui lòng nhập tiêu đề cảnh báo.")
	case utf8.RuneCountInString(in.Title) > MaxTitle:
		return errs.Field("title", "Tiêu đề dài quá %d ký tự.", MaxTitle)
	case in.Body == "":
		return errs.Field("body", "Vui lòng nhập nội dung cảnh báo.")
	case utf8.RuneCountInString(in.Body) > MaxBody:
		return errs.Field("body", "Nội dung dài quá %d ký tự.", MaxBody)
	case in.Category == "":
		return errs.Field("category", "Vui lòng chọn loại cảnh báo.")
	}
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM warning_categories WHERE code = ? AND active = 1", in.Category).Scan(&n); err != nil {
		return fmt.Errorf("warning: category: %w", err)
	}
	if n == 0 {
		return errs.Field("category", "Loại cảnh báo “%s” không có trong danh mục.", in.Category)
	}
	return nil
}

func object(id int64) string { return "warning:" + strconv.FormatInt(id, 10) }

func appendAudit(ctx context.Context, tx *store.Tx, u account.User, at time.Time, action string, id int64, detail string) error {
	return audit.Append(ctx, tx, audit.Entry{At: at, Actor: audit.Actor(u.ID), Action: action, Object: object(id), Detail: audit.Clean(detail)})
}

// Create writes a new warning as a draft, or published at once when
// publish is set.
func (s *Service) Create(ctx context.Context, u account.User, in Input, publish bool) (Warning, error) {
	if err := can(u); err != nil {
		return Warning{}, err
	}
	if err := s.checkUnit(ctx, u, strings.TrimSpace(in.Unit)); err != nil {
		return Warning{}, err
	}
	if err := s.clean(ctx, &in); err != nil {
		return Warning{}, err
	}
	now := s.Clock.Now()
	at := store.FormatTime(now)
	status, publishedAt := StatusDraft, ""
	if publish {
		status, publishedAt = StatusPublished, at
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO warnings (unit_code, category, title, body, status, published_at, created_by, created_at, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Unit, in.Category, in.Title, in.Body, status, publishedAt, u.ID, at, u.ID, at)
		if err != nil {
			return fmt.Errorf("warning: create: %w", err)
		}
		if err := appendAudit(ctx, tx, u, now, "warning.create", id, fmt.Sprintf("unit=%s category=%s title=%s", in.Unit, in.Category, in.Title)); err != nil {
			return err
		}
		if publish {
			return appendAudit(ctx, tx, u, now, "warning.publish", id, "unit="+in.Unit)
		}
		return nil
	})
	if err != nil {
		return Warning{}, err
	}
	return s.load(ctx, id)
}

// Update changes a warning's text, category or scope; a published warning
// stays published, with the new text.
func (s *Service) Update(ctx context.Context, u account.User, id int64, in Input) (Warning, error) {
	old, err := s.Get(ctx, u, id)
	if err != nil {
		return Warning{}, err
	}
	if err := s.checkUnit(ctx, u, strings.TrimSpace(in.Unit)); err != nil {
		return Warning{}, err
	}
	if err := s.clean(ctx, &in); err != nil {
		return Warning{}, err
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE warnings SET unit_code = ?, category = ?, title = ?, body = ?, updated_by = ?, updated_at = ? WHERE id = ?",
			in.Unit, in.Category, in.Title, in.Body, u.ID, store.FormatTime(now), id); err != nil {
			return fmt.Errorf("warning: update %d: %w", id, err)
		}
		detail := fmt.Sprintf("unit %s → %s; category %s → %s; title %s → %s", old.Unit, in.Unit, old.Category, in.Category, old.Title, in.Title)
		if old.Body != in.Body {
			detail += "; body changed"
		}
		return appendAudit(ctx, tx, u, now, "warning.update", id, detail)
	})
	if err != nil {
		return Warning{}, err
	}
	return s.load(ctx, id)
}

// Publish puts a draft or a taken-down warning on the portal, at the top.
func (s *Service) Publish(ctx context.Context, u account.User, id int64) (Warning, error) {
	return s.setStatus(ctx, u, id, StatusPublished)
}

// Unpublish takes a published warning off the portal.
func (s *Service) Unpublish(ctx context.Context, u account.User, id int64) (Warning, error) {
	return s.setStatus(ctx, u, id, StatusUnpublished)
}

func (s *Service) setStatus(ctx context.Context, u account.User, id int64, status string) (Warning, error) {
	w, err := s.Get(ctx, u, id)
	if err != nil {
		return Warning{}, err
	}
	switch {
	case status == StatusPublished && w.Status == StatusPublished:
		return Warning{}, errs.E(errs.Conflict, "Cảnh báo này đang được đăng.")
	case status == StatusUnpublished && w.Status != StatusPublished:
		return Warning{}, errs.E(errs.Conflict, "Cảnh báo này chưa được đăng nên không có gì để gỡ.")
	}
	now := s.Clock.Now()
	at := store.FormatTime(now)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		q, args := "UPDATE warnings SET status = ?, updated_by = ?, updated_at = ? WHERE id = ? AND status = ?", []any{status, u.ID, at, id, w.Status}
		action := "warning.unpublish"
		if status == StatusPublished {
			q, args = "UPDATE warnings SET status = ?, published_at = ?, updated_by = ?, updated_at = ? WHERE id = ? AND status = ?", []any{status, at, u.ID, at, id, w.Status}
			action = "warning.publish"
		}
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("warning: %s %d: %w", action, id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("warning: %s %d: %w", action, id, err)
		} else if n != 1 {
			return errs.E(errs.Conflict, "Cảnh báo vừa được người khác thay đổi. Vui lòng tải lại trang.")
		}
		return appendAudit(ctx, tx, u, now, action, id, "unit="+w.Unit)
	})
	if err != nil {
		return Warning{}, err
	}
	return s.load(ctx, id)
}

const cols = `w.id, w.unit_code, w.category, COALESCE(c.name, w.category), w.title, w.body, w.status, w.published_at,
	COALESCE(w.created_by, 0), w.created_at, COALESCE(w.updated_by, 0), w.updated_at`

const from = " FROM warnings w LEFT JOIN warning_categories c ON c.code = w.category"

func scan(r interface{ Scan(...any) error }) (Warning, error) {
	var w Warning
	var published, created, updated string
	if err := r.Scan(&w.ID, &w.Unit, &w.Category, &w.CategoryName, &w.Title, &w.Body, &w.Status, &published,
		&w.CreatedBy, &created, &w.UpdatedBy, &updated); err != nil {
		return Warning{}, err
	}
	var err error
	if published != "" {
		if w.PublishedAt, err = store.ParseTime(published); err != nil {
			return Warning{}, err
		}
	}
	if w.CreatedAt, err = store.ParseTime(created); err != nil {
		return Warning{}, err
	}
	if w.UpdatedAt, err = store.ParseTime(updated); err != nil {
		return Warning{}, err
	}
	return w, nil
}

var errNotFound = errs.E(errs.NotFound, "Không tìm thấy cảnh báo.")

// load reads one warning, whatever its status.
func (s *Service) load(ctx context.Context, id int64) (Warning, error) {
	w, err := scan(s.DB.QueryRow(ctx, "SELECT "+cols+from+" WHERE w.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Warning{}, errNotFound
	}
	if err != nil {
		return Warning{}, fmt.Errorf("warning: %d: %w", id, err)
	}
	w.UnitName = s.unitName(ctx, w.Unit, nil)
	return w, nil
}

// Get returns a warning for an officer who may manage it. One outside the
// officer's scope is not found, like one that does not exist.
func (s *Service) Get(ctx context.Context, u account.User, id int64) (Warning, error) {
	if err := can(u); err != nil {
		return Warning{}, err
	}
	w, err := s.load(ctx, id)
	if err != nil {
		return Warning{}, err
	}
	ok, err := s.inScope(ctx, u, w.Unit)
	if err != nil {
		return Warning{}, err
	}
	if !ok {
		return Warning{}, errNotFound
	}
	return w, nil
}

// maxList bounds the lists; the portal shows the newest.
const maxList = 500

// List returns the warnings an officer manages, every status, the most
// recently changed first: all of them for the nation's officers, a
// province's own for its officers.
func (s *Service) List(ctx context.Context, u account.User) ([]Warning, error) {
	if err := can(u); err != nil {
		return nil, err
	}
	q, args := "SELECT "+cols+from, []any{}
	if u.UnitCode != geo.Nation {
		q += " WHERE w.unit_code = ?"
		args = append(args, u.UnitCode)
	}
	q += " ORDER BY w.updated_at DESC, w.id DESC LIMIT " + strconv.Itoa(maxList)
	return s.query(ctx, q, args...)
}

// Published lists the warnings on the portal, newest first: the
// nation-wide ones and, when province is not empty, that province's.
func (s *Service) Published(ctx context.Context, province string, limit int) ([]Warning, error) {
	if limit <= 0 || limit > maxList {
		limit = maxList
	}
	q := "SELECT " + cols + from + " WHERE w.status = ? AND w.unit_code IN (?, ?) ORDER BY w.published_at DESC, w.id DESC LIMIT " + strconv.Itoa(limit)
	if province == "" {
		province = geo.Nation
	}
	return s.query(ctx, q, StatusPublished, geo.Nation, province)
}

// PublishedByID returns a warning a citizen may read: a published one.
func (s *Service) PublishedByID(ctx context.Context, id int64) (Warning, error) {
	w, err := s.load(ctx, id)
	if err != nil {
		return Warning{}, err
	}
	if w.Status != StatusPublished {
		return Warning{}, errNotFound
	}
	return w, nil
}

func (s *Service) query(ctx context.Context, q string, args ...any) ([]Warning, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("warning: list: %w", err)
	}
	defer rows.Close()
	var out []Warning
	for rows.Next() {
		w, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("warning: list: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warning: list: %w", err)
	}
	rows.Close()
	names := map[string]string{}
	for i := range out {
		out[i].UnitName = s.unitName(ctx, out[i].Unit, names)
	}
	return out, nil
}

// unitName names the nation or a province, remembering names in names.
func (s *Service) unitName(ctx context.Context, code string, names map[string]string) string {
	if code == geo.Nation {
		return "Toàn quốc"
	}
	if n, ok := names[code]; ok {
		return n
	}
	n := code
	if un, err := s.Geo.UnitAt(ctx, code, s.today()); err == nil {
		n = un.Title()
	}
	if names != nil {
		names[code] = n
	}
	return n
}
