package account

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"toandan/internal/audit"
	"toandan/internal/auth/secret"
	"toandan/internal/errs"
	"toandan/internal/store"
)

// What a session still lacks after the password.
const (
	MFANone   = 0 // fully signed in
	MFAVerify = 1 // must type a TOTP or recovery code
	MFAEnrol  = 2 // the role requires TOTP and the user has none yet: must enrol
)

// Session is a signed-in browser.
type Session struct {
	UserID    int64
	MFA       int
	ExpiresAt time.Time
}

var errBadLogin = errs.E(errs.Unauthorized, "Tên đăng nhập hoặc mật khẩu không đúng.")

// errCodeSpent is returned when a TOTP step or recovery code was used by a
// concurrent request between our check and our write.
var errCodeSpent = errs.E(errs.Unauthorized, "Mã xác thực không đúng.")

// Login checks a username and password. On success it opens a session and
// returns its token; the session may still need a second factor (Session.MFA).
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (string, Session, error) {
	now := s.Clock.Now()
	u, err := s.ByUsername(ctx, username)
	if errs.Is(err, errs.NotFound) {
		// Hash at the cost a real account's check takes, so that a wrong
		// username takes as long as a wrong password.
		_, _ = secret.HashPasswordWith(normalizePassword(password), s.Settings.PasswordParams)
		return "", Session{}, errBadLogin
	}
	if err != nil {
		return "", Session{}, err
	}
	if u.Disabled {
		// As slow as a wrong password, so that timing does not tell which
		// accounts are disabled.
		_, _, _ = secret.VerifyPassword(u.passwordHash, normalizePassword(password))
		return "", Session{}, errBadLogin
	}
	if until, err := time.Parse(time.RFC3339, u.lockedUntil); err == nil && now.Before(until) {
		return "", Session{}, lockedError(until)
	}
	ok, rehash, err := secret.VerifyPassword(u.passwordHash, normalizePassword(password))
	if err != nil {
		return "", Session{}, fmt.Errorf("account: verify %s: %w", u.Username, err)
	}
	if !ok {
		return "", Session{}, s.recordFailure(ctx, u, "login.fail", ip)
	}
	mfa := MFANone
	switch {
	case u.TOTPEnabled:
		mfa = MFAVerify
	case RequiresTOTP(u.Role):
		mfa = MFAEnrol
	}
	token := secret.NewSessionToken()
	sess := Session{UserID: u.ID, MFA: mfa, ExpiresAt: now.Add(s.Settings.SessionTTL)}
	if mfa != MFANone {
		// The half-open session lives only long enough to type a code.
		sess.ExpiresAt = now.Add(10 * time.Minute)
	}
	var newHash string
	if rehash && s.Settings.PasswordParams == secret.DefaultParams() {
		newHash, _ = secret.HashPassword(normalizePassword(password))
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = ?", u.ID); err != nil {
			return err
		}
		if newHash != "" {
			if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", newHash, u.ID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, mfa_pending, created_at, expires_at, last_seen_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, secret.SessionHash(token), u.ID, mfa, store.FormatTime(now), store.FormatTime(sess.ExpiresAt),
			store.FormatTime(now), ip, truncate(userAgent, 200)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: audit.Actor(u.ID), Action: "login", Object: fmt.Sprintf("user:%d", u.ID), Detail: "ip=" + ip})
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("account: login: %w", err)
	}
	return token, sess, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func lockedError(until time.Time) error {
	return errs.E(errs.TooMany, "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau %s.", until.In(vnZone).Format("15:04 ngày 02/01/2006"))
}

var vnZone = time.FixedZone("ICT", 7*3600)

// recordFailure counts a failed password or code and locks the account once
// failures reach the limit, for longer with each further failure.
func (s *Service) recordFailure(ctx context.Context, u User, action, ip string) error {
	now := s.Clock.Now()
	var lockErr error
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		// Count in the database rather than from u, which may be stale:
		// guesses sent in parallel must all count towards the lock.
		var failed int
		if err := tx.QueryRow(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins", u.ID).Scan(&failed); err != nil {
			return err
		}
		lockErr = nil
		if failed >= s.Settings.MaxFailures {
			d := s.Settings.LockFor
			for i := s.Settings.MaxFailures; i < failed && d < s.Settings.MaxLock; i++ {
				d *= 2
			}
			if d > s.Settings.MaxLock {
				d = s.Settings.MaxLock
			}
			until := now.Add(d)
			lockErr = lockedError(until)
			if _, err := tx.Exec(ctx, "UPDATE users SET locked_until = ? WHERE id = ?", until.UTC().Format(time.RFC3339), u.ID); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: "anonymous", Action: action, Object: fmt.Sprintf("user:%d", u.ID),
			Detail: fmt.Sprintf("ip=%s failures=%d", ip, failed)})
	})
	if err != nil {
		return fmt.Errorf("account: record failure: %w", err)
	}
	if lockErr != nil {
		return lockErr
	}
	return errBadLogin
}

// Session returns the user behind a session token. It slides the expiry
// forward, writing at most once a minute per session.
func (s *Service) Session(ctx context.Context, token string) (User, Session, error) {
	if token == "" {
		return User{}, Session{}, errs.E(errs.Unauthorized, "Vui lòng đăng nhập.")
	}
	now := s.Clock.Now()
	h := secret.SessionHash(token)
	var sess Session
	var expires, lastSeen string
	err := s.DB.QueryRow(ctx, "SELECT user_id, mfa_pending, expires_at, last_seen_at FROM sessions WHERE token_hash = ?", h).
		Scan(&sess.UserID, &sess.MFA, &expires, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, Session{}, errs.E(errs.Unauthorized, "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("account: session: %w", err)
	}
	exp, err := store.ParseTime(expires)
	if err != nil {
		return User{}, Session{}, err
	}
	if !now.Before(exp) {
		if _, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", h); err != nil {
			return User{}, Session{}, fmt.Errorf("account: session: %w", err)
		}
		return User{}, Session{}, errs.E(errs.Unauthorized, "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
	}
	sess.ExpiresAt = exp
	u, err := s.ByID(ctx, sess.UserID)
	if err != nil {
		return User{}, Session{}, err
	}
	if u.Disabled {
		return User{}, Session{}, errs.E(errs.Unauthorized, "Tài khoản đã bị vô hiệu hóa.")
	}
	if seen, err := store.ParseTime(lastSeen); err == nil && now.Sub(seen) > time.Minute && sess.MFA == MFANone {
		sess.ExpiresAt = now.Add(s.Settings.SessionTTL)
		if _, err := s.DB.Exec(ctx, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?",
			store.FormatTime(now), store.FormatTime(sess.ExpiresAt), h); err != nil {
			return User{}, Session{}, fmt.Errorf("account: session: %w", err)
		}
	}
	return u, sess, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	if _, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", secret.SessionHash(token)); err != nil {
		return fmt.Errorf("account: logout: %w", err)
	}
	return nil
}

// VerifySecondFactor completes a session waiting for a TOTP or recovery code.
// A wrong code counts as a failed login.
func (s *Service) VerifySecondFactor(ctx context.Context, token, code, ip string) error {
	u, sess, err := s.Session(ctx, token)
	if err != nil {
		return err
	}
	if sess.MFA != MFAVerify {
		return errs.E(errs.Invalid, "Phiên này không cần mã xác thực.")
	}
	now := s.Clock.Now()
	if until, err := time.Parse(time.RFC3339, u.lockedUntil); err == nil && now.Before(until) {
		return lockedError(until)
	}
	if step, ok := secret.VerifyTOTP(u.totpSecret, code, now, u.totpLastStep); ok {
		return s.finishMFA(ctx, u, token, "totp", func(tx *store.Tx) error {
			// Only if no concurrent request has used this step meanwhile.
			res, err := tx.Exec(ctx, "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", step, u.ID, step)
			return oneRow(res, err)
		})
	}
	// A recovery code, used once.
	h := secret.HashToken(code)
	rows, err := s.DB.Query(ctx, "SELECT id, code_hash FROM recovery_codes WHERE user_id = ? AND used_at = ''", u.ID)
	if err != nil {
		return fmt.Errorf("account: recovery codes: %w", err)
	}
	var match int64
	for rows.Next() {
		var id int64
		var ch []byte
		if err := rows.Scan(&id, &ch); err != nil {
			rows.Close()
			return fmt.Errorf("account: recovery codes: %w", err)
		}
		if subtle.ConstantTimeCompare(ch, h) == 1 {
			match = id
		}
	}
	rows.Close()
	if match != 0 {
		return s.finishMFA(ctx, u, token, "recovery", func(tx *store.Tx) error {
			res, err := tx.Exec(ctx, "UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at = ''", store.FormatTime(now), match)
			return oneRow(res, err)
		})
	}
	err = s.recordFailure(ctx, u, "login.mfa_fail", ip)
	if errs.Is(err, errs.Unauthorized) {
		return errs.E(errs.Unauthorized, "Mã xác thực không đúng.")
	}
	return err
}

// oneRow turns an update that claimed nothing into errCodeSpent.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return errCodeSpent
	}
	return nil
}

func (s *Service) finishMFA(ctx context.Context, u User, token, how string, extra func(*store.Tx) error) error {
	now := s.Clock.Now()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := extra(tx); err != nil {
			return fmt.Errorf("account: second factor: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE sessions SET mfa_pending = 0, expires_at = ?, last_seen_at = ? WHERE token_hash = ?",
			store.FormatTime(now.Add(s.Settings.SessionTTL)), store.FormatTime(now), secret.SessionHash(token)); err != nil {
			return fmt.Errorf("account: second factor: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = ?", u.ID); err != nil {
			return fmt.Errorf("account: second factor: %w", err)
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: audit.Actor(u.ID), Action: "login.mfa", Object: fmt.Sprintf("user:%d", u.ID), Detail: how})
	})
}

// BeginTOTP gives a user a new, not yet active TOTP secret and returns it
// (base32, for typing) with its otpauth:// URI (for a QR code).
func (s *Service) BeginTOTP(ctx context.Context, userID int64) (string, string, error) {
	u, err := s.ByID(ctx, userID)
	if err != nil {
		return "", "", err
	}
	if u.TOTPEnabled {
		return "", "", errs.E(errs.Conflict, "Tài khoản đã bật xác thực hai bước.")
	}
	key := secret.NewTOTPSecret()
	if _, err := s.DB.Exec(ctx, "UPDATE users SET totp_secret = ? WHERE id = ?", key, userID); err != nil {
		return "", "", fmt.Errorf("account: begin totp: %w", err)
	}
	return secret.EncodeSecret(key), secret.OTPAuthURI("toandan", u.Username, key), nil
}

// ConfirmTOTP turns TOTP on once the user proves their authenticator shows
// the right code, and returns ten single-use recovery codes (shown once). The
// session that enrolled becomes fully signed in.
func (s *Service) ConfirmTOTP(ctx context.Context, userID int64, token, code string) ([]string, error) {
	u, err := s.ByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled {
		return nil, errs.E(errs.Conflict, "Tài khoản đã bật xác thực hai bước.")
	}
	if len(u.totpSecret) == 0 {
		return nil, errs.E(errs.Invalid, "Hãy bắt đầu lại bước đăng ký xác thực hai bước.")
	}
	now := s.Clock.Now()
	step, ok := secret.VerifyTOTP(u.totpSecret, code, now, u.totpLastStep)
	if !ok {
		return nil, errs.Field("code", "Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và thử lại.")
	}
	codes := secret.NewRecoveryCodes(10)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET totp_enabled = 1, totp_last_step = ?, updated_at = ? WHERE id = ?", step, store.FormatTime(now), u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", u.ID); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := tx.Exec(ctx, "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", u.ID, secret.HashToken(c)); err != nil {
				return err
			}
		}
		if token != "" {
			if _, err := tx.Exec(ctx, "UPDATE sessions SET mfa_pending = 0, expires_at = ? WHERE token_hash = ? AND user_id = ?",
				store.FormatTime(now.Add(s.Settings.SessionTTL)), secret.SessionHash(token), u.ID); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: audit.Actor(u.ID), Action: "user.totp_enable", Object: fmt.Sprintf("user:%d", u.ID)})
	})
	if err != nil {
		return nil, fmt.Errorf("account: confirm totp: %w", err)
	}
	return codes, nil
}
