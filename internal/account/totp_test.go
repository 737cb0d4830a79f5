package account_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/auth/secret"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

const totpStep = 30 * time.Second

// wrongCode returns a well-formed code that no authenticator holding key
// shows at t or one step either side of it.
func wrongCode(key []byte, t time.Time) string {
	near := map[string]bool{}
	for _, d := range []time.Duration{-totpStep, 0, totpStep} {
		near[secret.TOTPCode(key, t.Add(d))] = true
	}
	for i := 123456; ; i++ {
		if c := fmt.Sprintf("%06d", i%1000000); !near[c] {
			return c
		}
	}
}

func mfaOf(t *testing.T, e *env, token string) int {
	t.Helper()
	_, sess, err := e.svc.Session(e.ctx, token)
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	return sess.MFA
}

func TestSecondFactorRequiredByRole(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tests := []struct {
			role account.Role
			unit string
			want int
		}{
			{account.Admin, "VN", account.MFAEnrol},
			{account.Investigator, "01", account.MFAEnrol},
			{account.Ministry, "VN", account.MFANone},
			{account.Province, "01", account.MFANone},
			{account.Commune, "T0101", account.MFANone},
			{account.Procuracy, "VN", account.MFANone},
		}
		for _, tc := range tests {
			t.Run(string(tc.role), func(t *testing.T) {
				if got := account.RequiresTOTP(tc.role); got != (tc.want == account.MFAEnrol) {
					t.Fatalf("RequiresTOTP(%s) = %v", tc.role, got)
				}
				username := "mfa." + string(tc.role)
				e.create(t, username, tc.role, tc.unit)
				token, sess := e.login(t, username)
				if sess.MFA != tc.want {
					t.Fatalf("login: MFA %d, want %d", sess.MFA, tc.want)
				}
				if got := mfaOf(t, e, token); got != tc.want {
					t.Fatalf("Session: MFA %d, want %d", got, tc.want)
				}
			})
		}
	})
}

func TestTOTPEnrolAndVerify(t *testing.T) {
	for _, role := range []struct {
		role account.Role
		unit string
	}{{account.Investigator, "01"}, {account.Admin, "VN"}} {
		t.Run(string(role.role), func(t *testing.T) {
			testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				const name = "hai.buoc"
				u := e.create(t, name, role.role, role.unit)
				token, sess := e.login(t, name)
				if sess.MFA != account.MFAEnrol {
					t.Fatalf("login before enrolment: MFA %d, want MFAEnrol", sess.MFA)
				}

				// Enrol.
				keyText, uri, err := e.svc.BeginTOTP(e.ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				key := e.totpKey(t, u.ID)
				if dec, err := secret.DecodeSecret(keyText); err != nil || !bytes.Equal(dec, key) {
					t.Fatalf("BeginTOTP returned %q, which is not the stored secret (%v)", keyText, err)
				}
				if !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, "secret="+keyText) || !strings.Contains(uri, name) {
					t.Fatalf("otpauth URI %q", uri)
				}
				for _, bad := range []string{wrongCode(key, e.clk.Now()), "", "abcdef", "12345"} {
					_, err := e.svc.ConfirmTOTP(e.ctx, u.ID, token, bad)
					wantField(t, "ConfirmTOTP("+bad+")", err, "code")
				}
				if got, err := e.svc.ByID(e.ctx, u.ID); err != nil || got.TOTPEnabled {
					t.Fatalf("wrong codes enabled TOTP: %+v %v", got, err)
				}
				if mfaOf(t, e, token) != account.MFAEnrol {
					t.Fatal("wrong codes completed the session")
				}
				codes, err := e.svc.ConfirmTOTP(e.ctx, u.ID, token, e.code(t, u.ID))
				if err != nil {
					t.Fatalf("ConfirmTOTP: %v", err)
				}
				if len(codes) != 10 {
					t.Fatalf("%d recovery codes, want 10", len(codes))
				}
				seen := map[string]bool{}
				for _, c := range codes {
					if seen[c] || len(c) < 10 {
						t.Fatalf("recovery codes %q: duplicate or short", codes)
					}
					seen[c] = true
				}
				if got := mfaOf(t, e, token); got != account.MFANone {
					t.Fatalf("after ConfirmTOTP: MFA %d, want MFANone", got)
				}
				if got, err := e.svc.ByID(e.ctx, u.ID); err != nil || !got.TOTPEnabled {
					t.Fatalf("after ConfirmTOTP: %+v %v", got, err)
				}
				// Recovery codes are stored hashed.
				if n := e.count(t, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = ''", u.ID); n != 10 {
					t.Fatalf("%d unused recovery codes stored, want 10", n)
				}
				for _, c := range codes {
					if n := e.count(t, "SELECT COUNT(*) FROM recovery_codes WHERE code_hash = ?", []byte(c)); n != 0 {
						t.Fatalf("recovery code %s stored in clear", c)
					}
				}
				if _, _, err := e.svc.BeginTOTP(e.ctx, u.ID); !errs.Is(err, errs.Conflict) {
					t.Fatalf("BeginTOTP once enabled: %v, want Conflict (the secret must not be replaced)", err)
				}
				if got := e.totpKey(t, u.ID); !bytes.Equal(got, key) {
					t.Fatal("BeginTOTP replaced an active secret")
				}

				// The next login needs the code, and the enrolment code is spent.
				_, sess = e.login(t, name)
				if sess.MFA != account.MFAVerify {
					t.Fatalf("login after enrolment: MFA %d, want MFAVerify", sess.MFA)
				}
				t2, _ := e.login(t, name)
				err = e.svc.VerifySecondFactor(e.ctx, t2, e.code(t, u.ID), "")
				wantCode(t, "enrolment code replayed", err, errs.Unauthorized)

				e.clk.Advance(totpStep)
				t3, _ := e.login(t, name)
				if mfaOf(t, e, t3) != account.MFAVerify {
					t.Fatal("half-open session reported complete")
				}
				code := e.code(t, u.ID)
				if err := e.svc.VerifySecondFactor(e.ctx, t3, code, ""); err != nil {
					t.Fatalf("VerifySecondFactor with the current code: %v", err)
				}
				_, s3, err := e.svc.Session(e.ctx, t3)
				if err != nil || s3.MFA != account.MFANone || !s3.ExpiresAt.Equal(e.clk.Now().Add(e.svc.Settings.SessionTTL)) {
					t.Fatalf("after VerifySecondFactor: %+v %v", s3, err)
				}
				err = e.svc.VerifySecondFactor(e.ctx, t3, code, "")
				wantCode(t, "VerifySecondFactor on a complete session", err, errs.Invalid)

				// Replay of the same code in the same step, on a new login.
				t4, _ := e.login(t, name)
				err = e.svc.VerifySecondFactor(e.ctx, t4, code, "")
				wantCode(t, "same code replayed", err, errs.Unauthorized)
				// Nor the previous step's code, though within the skew window.
				err = e.svc.VerifySecondFactor(e.ctx, t4, secret.TOTPCode(key, e.clk.Now().Add(-totpStep)), "")
				wantCode(t, "previous step's code", err, errs.Unauthorized)
				if mfaOf(t, e, t4) != account.MFAVerify {
					t.Fatal("a replayed code completed the session")
				}
				e.clk.Advance(totpStep)
				if err := e.svc.VerifySecondFactor(e.ctx, t4, e.code(t, u.ID), ""); err != nil {
					t.Fatalf("next step's code: %v", err)
				}

				// Recovery codes work once each, however they are typed.
				t5, _ := e.login(t, name)
				if err := e.svc.VerifySecondFactor(e.ctx, t5, codes[0], ""); err != nil {
					t.Fatalf("recovery code: %v", err)
				}
				if mfaOf(t, e, t5) != account.MFANone {
					t.Fatal("recovery code did not complete the session")
				}
				t6, _ := e.login(t, name)
				err = e.svc.VerifySecondFactor(e.ctx, t6, codes[0], "")
				wantCode(t, "recovery code used twice", err, errs.Unauthorized)
				if mfaOf(t, e, t6) != account.MFAVerify {
					t.Fatal("a spent recovery code completed the session")
				}
				typed := " " + strings.ToLower(strings.ReplaceAll(codes[1], "-", " ")) + " "
				if err := e.svc.VerifySecondFactor(e.ctx, t6, typed, ""); err != nil {
					t.Fatalf("recovery code typed as %q: %v", typed, err)
				}
				if n := e.count(t, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = ''", u.ID); n != 8 {
					t.Fatalf("%d unused recovery codes, want 8", n)
				}
				e.verifyAudit(t)
			})
		})
	}
}

func TestTOTPLockout(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st := e.svc.Settings
		u := e.create(t, "khoa.mfa", account.Investigator, "79")
		token, _ := e.login(t, "khoa.mfa")
		codes := e.enrol(t, u.ID, token)
		key := e.totpKey(t, u.ID)
		e.clk.Advance(totpStep)

		pending, _ := e.login(t, "khoa.mfa")
		for i := 1; i < st.MaxFailures; i++ {
			err := e.svc.VerifySecondFactor(e.ctx, pending, wrongCode(key, e.clk.Now()), "")
			wantCode(t, fmt.Sprintf("wrong code %d", i), err, errs.Unauthorized)
		}
		err := e.svc.VerifySecondFactor(e.ctx, pending, wrongCode(key, e.clk.Now()), "")
		wantCode(t, "wrong code at the limit", err, errs.TooMany)
		// Locked: neither the right code, nor a recovery code, nor the password.
		err = e.svc.VerifySecondFactor(e.ctx, pending, e.code(t, u.ID), "")
		wantCode(t, "right code while locked", err, errs.TooMany)
		err = e.svc.VerifySecondFactor(e.ctx, pending, codes[0], "")
		wantCode(t, "recovery code while locked", err, errs.TooMany)
		_, _, err = e.svc.Login(e.ctx, "khoa.mfa", password("khoa.mfa"), "", "")
		wantCode(t, "password while locked", err, errs.TooMany)
		if mfaOf(t, e, pending) != account.MFAVerify {
			t.Fatal("session completed while locked")
		}
		if n := e.count(t, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = ''", u.ID); n != 10 {
			t.Fatalf("a recovery code was spent while locked: %d unused", n)
		}

		e.clk.Advance(st.LockFor)
		t2, sess := e.login(t, "khoa.mfa")
		if sess.MFA != account.MFAVerify {
			t.Fatalf("login after the lock: MFA %d", sess.MFA)
		}
		if err := e.svc.VerifySecondFactor(e.ctx, t2, e.code(t, u.ID), ""); err != nil {
			t.Fatalf("right code after the lock: %v", err)
		}
		if n := e.failedLogins(t, u.ID); n != 0 {
			t.Fatalf("failed_logins %d after a good second factor, want 0", n)
		}
		e.verifyAudit(t)
	})
}

func TestTOTPVoluntaryEnrolment(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.create(t, "xa.tu.nguyen", account.Commune, "T0101")
		other := e.create(t, "xa.khac", account.Investigator, "01")
		token, sess := e.login(t, "xa.tu.nguyen")
		if sess.MFA != account.MFANone {
			t.Fatalf("commune login: MFA %d", sess.MFA)
		}
		// Confirming for one user must not complete another user's session.
		otherToken, _ := e.login(t, "xa.khac")
		if _, _, err := e.svc.BeginTOTP(e.ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ConfirmTOTP(e.ctx, u.ID, otherToken, e.code(t, u.ID)); err != nil {
			t.Fatalf("ConfirmTOTP: %v", err)
		}
		if mfaOf(t, e, otherToken) != account.MFAEnrol {
			t.Fatalf("ConfirmTOTP for user %d completed a session of user %d", u.ID, other.ID)
		}
		if mfaOf(t, e, token) != account.MFANone {
			t.Fatal("enrolling changed the enrolling user's complete session")
		}

		e.clk.Advance(totpStep)
		t2, sess := e.login(t, "xa.tu.nguyen")
		if sess.MFA != account.MFAVerify {
			t.Fatalf("commune login after voluntary enrolment: MFA %d, want MFAVerify", sess.MFA)
		}
		err := e.svc.VerifySecondFactor(e.ctx, t2, wrongCode(e.totpKey(t, u.ID), e.clk.Now()), "")
		wantCode(t, "wrong code", err, errs.Unauthorized)
		if m := errs.Message(err); m == msgBadLogin {
			t.Fatalf("wrong code message %q speaks of the password", m)
		}
		if err := e.svc.VerifySecondFactor(e.ctx, t2, e.code(t, u.ID), ""); err != nil {
			t.Fatalf("VerifySecondFactor: %v", err)
		}
		if mfaOf(t, e, t2) != account.MFANone {
			t.Fatal("session not complete after the code")
		}
	})
}

// TestSecondFactorSingleUseUnderConcurrency checks that one code cannot
// complete two sessions when both submit it at the same moment.
func TestSecondFactorSingleUseUnderConcurrency(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.create(t, "dong.thoi", account.Admin, "VN")
		token, _ := e.login(t, "dong.thoi")
		codes := e.enrol(t, u.ID, token)

		race := func(t *testing.T, code string) {
			t.Helper()
			const n = 6
			tokens := make([]string, n)
			for i := range tokens {
				tokens[i], _ = e.login(t, "dong.thoi")
			}
			var wg sync.WaitGroup
			results := make([]error, n)
			for i, tok := range tokens {
				wg.Go(func() { results[i] = e.svc.VerifySecondFactor(e.ctx, tok, code, "") })
			}
			wg.Wait()
			ok := 0
			for _, err := range results {
				switch {
				case err == nil:
					ok++
				case errs.Is(err, errs.Unauthorized), errs.Is(err, errs.TooMany):
				default:
					t.Fatalf("VerifySecondFactor: %v", err)
				}
			}
			if ok != 1 {
				t.Fatalf("one code completed %d sessions, want 1", ok)
			}
			complete := 0
			for _, tok := range tokens {
				if mfaOf(t, e, tok) == account.MFANone {
					complete++
				}
			}
			if complete != 1 {
				t.Fatalf("%d sessions complete, want 1", complete)
			}
			// Start the next race unlocked.
			if _, err := db.Exec(e.ctx, "UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = ?", u.ID); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("totp", func(t *testing.T) {
			e.clk.Advance(totpStep)
			race(t, e.code(t, u.ID))
		})
		t.Run("recovery", func(t *testing.T) {
			race(t, codes[0])
		})
	})
}
