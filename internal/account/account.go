// Package account holds staff accounts: roles bound to a unit, password and
// second-factor login, sessions, throttling, and the access rules that say
// who may see and change what.
package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/audit"
	"toandan/internal/auth/secret"
	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// Role is what a staff member does.
type Role string

const (
	Admin        Role = "admin"
	Ministry     Role = "ministry"
	Province     Role = "province"     // provincial movement staff
	Investigator Role = "investigator" // provincial investigation body
	Commune      Role = "commune"      // commune police officer
	Procuracy    Role = "procuracy"    // read-only supervision
)

// Roles lists every role with its Vietnamese name and the level of unit it
// belongs to.
var Roles = []struct {
	Role  Role
	Name  string
	Level string // "nation", "province", "commune"
}{
	{Admin, "Quản trị hệ thống", "nation"},
	{Ministry, "Bộ Công an", "nation"},
	{Province, "Công an tỉnh (phong trào)", "province"},
	{Investigator, "Cơ quan điều tra cấp tỉnh", "province"},
	{Commune, "Công an xã, phường, đặc khu", "commune"},
	{Procuracy, "Viện kiểm sát", "province"},
}

// RoleName returns the Vietnamese name of r.
func RoleName(r Role) string {
	for _, x := range Roles {
		if x.Role == r {
			return x.Name
		}
	}
	return string(r)
}

func roleLevel(r Role) (string, bool) {
	for _, x := range Roles {
		if x.Role == r {
			return x.Level, true
		}
	}
	return "", false
}

// RequiresTOTP reports whether a role must use a second factor: the roles
// that can reveal a reporter's identity or manage accounts.
func RequiresTOTP(r Role) bool { return r == Admin || r == Investigator }

// User is a staff account.
type User struct {
	ID           int64
	Username     string
	DisplayName  string
	Role         Role
	UnitCode     string
	TOTPEnabled  bool
	Disabled     bool
	passwordHash string
	totpSecret   []byte
	totpLastStep int64
	failed       int
	lockedUntil  string
}

// Settings tune login protection.
type Settings struct {
	SessionTTL     time.Duration // idle sessions end after this
	MaxFailures    int           // failed logins before a lock
	LockFor        time.Duration // first lock; doubles with each further failure
	MaxLock        time.Duration
	PasswordParams secret.Params
}

// DefaultSettings are the production settings.
func DefaultSettings() Settings {
	return Settings{
		SessionTTL:     12 * time.Hour,
		MaxFailures:    5,
		LockFor:        15 * time.Minute,
		MaxLock:        24 * time.Hour,
		PasswordParams: secret.DefaultParams(),
	}
}

// Service manages accounts and sessions.
type Service struct {
	DB       *store.DB
	Geo      *geo.Service
	Clock    clock.Clock
	Settings Settings
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

const userCols = `id, username, display_name, password_hash, role, unit_code, totp_secret, totp_enabled, totp_last_step,
	failed_logins, locked_until, disabled`

func scanUser(r interface{ Scan(...any) error }) (User, error) {
	var u User
	var totpEnabled, disabled int
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.passwordHash, &u.Role, &u.UnitCode, &u.totpSecret, &totpEnabled,
		&u.totpLastStep, &u.failed, &u.lockedUntil, &disabled)
	u.TOTPEnabled, u.Disabled = totpEnabled == 1, disabled == 1
	return u, err
}

// ByUsername returns the user with that username.
func (s *Service) ByUsername(ctx context.Context, username string) (User, error) {
	u, err := scanUser(s.DB.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE username = ?", strings.ToLower(strings.TrimSpace(username))))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.E(errs.NotFound, "Không tìm thấy tài khoản %s.", username)
	}
	if err != nil {
		return u, fmt.Errorf("account: user %s: %w", username, err)
	}
	return u, nil
}

// ByID returns the user with id.
func (s *Service) ByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.DB.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.E(errs.NotFound, "Không tìm thấy tài khoản.")
	}
	if err != nil {
		return u, fmt.Errorf("account: user %d: %w", id, err)
	}
	return u, nil
}

// NewUser is what creating an account takes.
type NewUser struct {
	Username    string
	DisplayName string
	Role        Role
	UnitCode    string
	Password    string
}

// normalizePassword makes the same Vietnamese password typed on different
// keyboards (composed or decomposed diacritics) hash the same.
func normalizePassword(pw string) string { return norm.NFC.String(pw) }

// Create makes a staff account after checking that the role fits the unit.
func (s *Service) Create(ctx context.Context, in NewUser, actor string) (User, error) {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.UnitCode = strings.TrimSpace(in.UnitCode)
	if !usernamePattern.MatchString(in.Username) {
		return User{}, errs.Field("username", "Tên đăng nhập gồm 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới.")
	}
	level, ok := roleLevel(in.Role)
	if !ok {
		return User{}, errs.Field("role", "Vai trò %q không hợp lệ.", in.Role)
	}
	if err := s.checkUnit(ctx, level, in.Role, in.UnitCode); err != nil {
		return User{}, err
	}
	pw := normalizePassword(in.Password)
	if err := secret.ValidatePasswordPolicy(pw); err != nil {
		return User{}, errs.Field("password", "%s", err.Error())
	}
	hash, err := secret.HashPasswordWith(pw, s.Settings.PasswordParams)
	if err != nil {
		return User{}, fmt.Errorf("account: hash: %w", err)
	}
	now := store.FormatTime(s.Clock.Now())
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO users (username, display_name, password_hash, role, unit_code, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, in.Username, strings.TrimSpace(in.DisplayName), hash, string(in.Role), in.UnitCode, now, now)
		if store.IsUniqueViolation(err) {
			return errs.Field("username", "Tên đăng nhập %s đã có người dùng.", in.Username)
		}
		if err != nil {
			return fmt.Errorf("account: create: %w", err)
		}
		return audit.Append(ctx, tx, audit.Entry{At: s.Clock.Now(), Actor: actor, Action: "user.create", Object: fmt.Sprintf("user:%d", id),
			Detail: fmt.Sprintf("%s role=%s unit=%s", in.Username, in.Role, in.UnitCode)})
	})
	if err != nil {
		return User{}, err
	}
	return s.ByID(ctx, id)
}

func (s *Service) checkUnit(ctx context.Context, level string, r Role, code string) error {
	if level == "nation" {
		if code != geo.Nation {
			return errs.Field("unit", "Vai trò %s thuộc cấp toàn quốc: đơn vị phải là %s.", RoleName(r), geo.Nation)
		}
		return nil
	}
	if r == Procuracy && code == geo.Nation {
		return nil // the Supreme People's Procuracy supervises the whole country
	}
	u, err := s.Geo.UnitAt(ctx, code, s.Geo.Today())
	if errs.Is(err, errs.NotFound) {
		return errs.Field("unit", "Không có đơn vị hành chính mã %q đang có hiệu lực.", code)
	}
	if err != nil {
		return err
	}
	if u.Level != level {
		return errs.Field("unit", "Vai trò %s phải thuộc đơn vị cấp %s; %s là cấp %s.", RoleName(r), levelName(level), u.Title(), levelName(u.Level))
	}
	return nil
}

func levelName(l string) string {
	switch l {
	case "nation":
		return "toàn quốc"
	case geo.LevelProvince:
		return "tỉnh"
	case geo.LevelDistrict:
		return "huyện"
	case geo.LevelCommune:
		return "xã"
	}
	return l
}

// SetPassword replaces a user's password and ends their sessions.
func (s *Service) SetPassword(ctx context.Context, username, password, actor string) error {
	u, err := s.ByUsername(ctx, username)
	if err != nil {
		return err
	}
	pw := normalizePassword(password)
	if err := secret.ValidatePasswordPolicy(pw); err != nil {
		return errs.Field("password", "%s", err.Error())
	}
	hash, err := secret.HashPasswordWith(pw, s.Settings.PasswordParams)
	if err != nil {
		return fmt.Errorf("account: hash: %w", err)
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = '', updated_at = ? WHERE id = ?",
			hash, store.FormatTime(s.Clock.Now()), u.ID); err != nil {
			return fmt.Errorf("account: set password: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
			return fmt.Errorf("account: set password: %w", err)
		}
		return audit.Append(ctx, tx, audit.Entry{At: s.Clock.Now(), Actor: actor, Action: "user.password", Object: fmt.Sprintf("user:%d", u.ID)})
	})
}

// List returns the accounts whose unit lies within scope, by username.
func (s *Service) List(ctx context.Context, scope string) ([]User, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+userCols+" FROM users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("account: list: %w", err)
	}
	var all []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("account: list: %w", err)
		}
		all = append(all, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account: list: %w", err)
	}
	var out []User
	today := s.Geo.Today()
	for _, u := range all {
		ok, err := s.Geo.Within(ctx, scope, u.UnitCode, today)
		if err != nil {
			return nil, err
		}
		if ok || u.UnitCode == scope {
			out = append(out, u)
		}
	}
	return out, nil
}
