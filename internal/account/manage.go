package account

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"toandan/internal/audit"
	"toandan/internal/auth/secret"
	"toandan/internal/errs"
	"toandan/internal/store"
)

// Account management: what an administrator does to the accounts in their
// scope, and what every officer does to their own password. Each change is
// audited with the manager as the actor.

// MaxDisplayName is the longest full name an account may carry.
const MaxDisplayName = 120

var errNoManage = errs.E(errs.Forbidden, "Bạn không có quyền quản lý tài khoản.")

// errOutOfScope answers for an account outside the manager's subtree as for
// one that does not exist, so that guessing ids reveals nothing.
var errOutOfScope = errs.E(errs.NotFound, "Không tìm thấy tài khoản.")

// LockedUntil returns when the lock that failed logins put on the account
// ends, and whether it is still locked at now.
func (u User) LockedUntil(now time.Time) (time.Time, bool) {
	until, err := time.Parse(time.RFC3339, u.lockedUntil)
	if err != nil {
		return time.Time{}, false
	}
	return until, now.Before(until)
}

// FailedLogins is the count of failed logins since the last success.
func (u User) FailedLogins() int { return u.failed }

// inScope reports whether an account bound to code lies in by's subtree.
func (s *Service) inScope(ctx context.Context, by User, code string) (bool, error) {
	if code == by.UnitCode {
		return true, nil
	}
	return s.Geo.Within(ctx, by.UnitCode, code, s.Geo.Today())
}

// Managed returns the account with id if by may manage it: a Forbidden error
// when by's role manages no accounts, NotFound when the account does not
// exist or lies outside by's subtree.
func (s *Service) Managed(ctx context.Context, by User, id int64) (User, error) {
	if !Allowed(by.Role, ManageUsers) {
		return User{}, errNoManage
	}
	u, err := s.ByID(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return User{}, errOutOfScope
	}
	if err != nil {
		return User{}, err
	}
	ok, err := s.inScope(ctx, by, u.UnitCode)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, errOutOfScope
	}
	return u, nil
}

// ListManaged returns the accounts by may manage, by username.
func (s *Service) ListManaged(ctx context.Context, by User) ([]User, error) {
	if !Allowed(by.Role, ManageUsers) {
		return nil, errNoManage
	}
	return s.List(ctx, by.UnitCode)
}

// AddAccount makes an account for in (whose Password is ignored) with a
// generated password, which it returns: the caller shows it once to the
// manager, who hands it over. The new account's unit must lie in by's
// subtree.
func (s *Service) AddAccount(ctx context.Context, by User, in NewUser) (User, string, error) {
	if !Allowed(by.Role, ManageUsers) {
		return User{}, "", errNoManage
	}
	if utf8.RuneCountInString(strings.TrimSpace(in.DisplayName)) > MaxDisplayName {
		return User{}, "", errs.Field("name", "Họ và tên dài tối đa %d ký tự.", MaxDisplayName)
	}
	if code := strings.TrimSpace(in.UnitCode); code != "" {
		ok, err := s.inScope(ctx, by, code)
		if err != nil {
			return User{}, "", err
		}
		if !ok {
			return User{}, "", errs.Field("unit", "Đơn vị %q không thuộc phạm vi quản lý của bạn.", code)
		}
	}
	in.Password = secret.GeneratePassword()
	u, err := s.Create(ctx, in, audit.Actor(by.ID))
	if err != nil {
		return User{}, "", err
	}
	return u, in.Password, nil
}

// ResetPassword gives the account a generated password, which it returns to
// be shown once, and ends the account's sessions. Managers change their own
// password on the password page, which asks for the current one: a stolen
// session must not be enough to take the account over.
func (s *Service) ResetPassword(ctx context.Context, by User, id int64) (string, error) {
	u, err := s.Managed(ctx, by, id)
	if err != nil {
		return "", err
	}
	if u.ID == by.ID {
		return "", errs.E(errs.Conflict, "Hãy đổi mật khẩu của chính bạn ở trang Đổi mật khẩu.")
	}
	pw := secret.GeneratePassword()
	hash, err := secret.HashPasswordWith(pw, s.Settings.PasswordParams)
	if err != nil {
		return "", fmt.Errorf("account: hash: %w", err)
	}
	err = s.change(ctx, by, u, "user.password_reset", true, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = '', updated_at = ? WHERE id = ?",
			hash, store.FormatTime(s.Clock.Now()), u.ID)
		return err
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// Disable stops the account from signing in and ends its sessions. A manager
// cannot disable their own account, and the last administrator who can sign
// in stays so.
func (s *Service) Disable(ctx context.Context, by User, id int64) error {
	u, err := s.Managed(ctx, by, id)
	if err != nil {
		return err
	}
	if u.ID == by.ID {
		return errs.E(errs.Conflict, "Bạn không thể vô hiệu hóa tài khoản của chính mình.")
	}
	if u.Disabled {
		return nil
	}
	return s.change(ctx, by, u, "user.disable", true, func(tx *store.Tx) error {
		if u.Role == Admin {
			var others int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE role = ? AND disabled = 0 AND id <> ?", string(Admin), u.ID).Scan(&others); err != nil {
				return err
			}
			if others == 0 {
				return errs.E(errs.Conflict, "Đây là tài khoản quản trị cuối cùng còn hoạt động; không thể vô hiệu hóa.")
			}
		}
		_, err := tx.Exec(ctx, "UPDATE users SET disabled = 1, updated_at = ? WHERE id = ?", store.FormatTime(s.Clock.Now()), u.ID)
		return err
	})
}

// Enable lets a disabled account sign in again with its password.
func (s *Service) Enable(ctx context.Context, by User, id int64) error {
	u, err := s.Managed(ctx, by, id)
	if err != nil {
		return err
	}
	if !u.Disabled {
		return nil
	}
	return s.change(ctx, by, u, "user.enable", false, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE users SET disabled = 0, updated_at = ? WHERE id = ?", store.FormatTime(s.Clock.Now()), u.ID)
		return err
	})
}

// Unlock lifts the lock that failed logins put on the account and clears
// the count of failures.
func (s *Service) Unlock(ctx context.Context, by User, id int64) error {
	u, err := s.Managed(ctx, by, id)
	if err != nil {
		return err
	}
	if u.failed == 0 && u.lockedUntil == "" {
		return nil
	}
	return s.change(ctx, by, u, "user.unlock", false, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = '', updated_at = ? WHERE id = ?", store.FormatTime(s.Clock.Now()), u.ID)
		return err
	})
}

// ResetSecondFactor turns the account's TOTP off and removes its recovery
// codes and sessions, for a lost or replaced phone: a role that requires
// TOTP enrols again at its next login. Another manager must do it for a
// manager, for the same reason as ResetPassword.
func (s *Service) ResetSecondFactor(ctx context.Context, by User, id int64) error {
	u, err := s.Managed(ctx, by, id)
	if err != nil {
		return err
	}
	if u.ID == by.ID {
		return errs.E(errs.Conflict, "Một quản trị viên khác phải đặt lại xác thực hai bước của bạn.")
	}
	return s.change(ctx, by, u, "user.totp_reset", true, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET totp_enabled = 0, totp_secret = NULL, totp_last_step = 0, updated_at = ? WHERE id = ?",
			store.FormatTime(s.Clock.Now()), u.ID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", u.ID)
		return err
	})
}

// change runs update on u in a transaction that also ends u's sessions
// when endSessions is set, and appends action to the audit log.
func (s *Service) change(ctx context.Context, by User, u User, action string, endSessions bool, update func(*store.Tx) error) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := update(tx); err != nil {
			if _, ok := errs.As(err); ok {
				return err
			}
			return fmt.Errorf("account: %s: %w", action, err)
		}
		if endSessions {
			if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
				return fmt.Errorf("account: %s: %w", action, err)
			}
		}
		return audit.Append(ctx, tx, audit.Entry{At: s.Clock.Now(), Actor: audit.Actor(by.ID), Action: action,
			Object: fmt.Sprintf("user:%d", u.ID), Detail: u.Username})
	})
}

// PasswordChange is what an officer types to change their own password.
type PasswordChange struct {
	Current, New, Confirm string
}

// ChangePassword replaces the password of the signed-in user after checking
// the current one, and ends the user's other sessions; the session with
// token stays open. A wrong current password counts as a failed login, so
// that a stolen session cannot be used to guess it.
func (s *Service) ChangePassword(ctx context.Context, userID int64, token string, in PasswordChange, ip string) error {
	if in.Current == "" {
		return errs.Field("current", "Vui lòng nhập mật khẩu hiện tại.")
	}
	next := normalizePassword(in.New)
	if err := secret.ValidatePasswordPolicy(next); err != nil {
		return errs.Field("new", "%s", err.Error())
	}
	if next != normalizePassword(in.Confirm) {
		return errs.Field("confirm", "Mật khẩu nhập lại không khớp với mật khẩu mới.")
	}
	u, err := s.ByID(ctx, userID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	if until, locked := u.LockedUntil(now); locked {
		return lockedError(until)
	}
	ok, _, err := secret.VerifyPassword(u.passwordHash, normalizePassword(in.Current))
	if err != nil {
		return fmt.Errorf("account: verify %s: %w", u.Username, err)
	}
	if !ok {
		if err := s.recordFailure(ctx, u, "password.fail", ip); !errs.Is(err, errs.Unauthorized) {
			return err
		}
		return errs.Field("current", "Mật khẩu hiện tại không đúng.")
	}
	if next == normalizePassword(in.Current) {
		return errs.Field("new", "Mật khẩu mới phải khác mật khẩu hiện tại.")
	}
	hash, err := secret.HashPasswordWith(next, s.Settings.PasswordParams)
	if err != nil {
		return fmt.Errorf("account: hash: %w", err)
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = '', updated_at = ? WHERE id = ?",
			hash, store.FormatTime(now), u.ID); err != nil {
			return fmt.Errorf("account: change password: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", u.ID, secret.SessionHash(token)); err != nil {
			return fmt.Errorf("account: change password: %w", err)
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: audit.Actor(u.ID), Action: "user.password_change", Object: fmt.Sprintf("user:%d", u.ID)})
	})
}
