package account_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/account"
	"toandan/internal/auth/secret"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// auditCount counts the audit entries of action on user id by actor.
func (e *env) auditCount(t *testing.T, action string, id int64, actor string) int {
	t.Helper()
	return e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND object = ? AND actor = ?", action, userObject(id), actor)
}

// sessions counts the sessions of user id.
func (e *env) sessions(t *testing.T, id int64) int {
	t.Helper()
	return e.count(t, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", id)
}

func TestManageAccounts(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.create(t, "quan.tri", account.Admin, "VN")
		by := userObject(admin.ID)
		province := e.create(t, "tinh.01", account.Province, "01")

		t.Run("add: the generated password signs in", func(t *testing.T) {
			u, pw, err := e.svc.AddAccount(e.ctx, admin, account.NewUser{Username: " Xa.Moi ", DisplayName: " Nguyễn Văn Mới ",
				Role: account.Commune, UnitCode: "T0101", Password: "bo-qua-mat-khau-nay"})
			if err != nil {
				t.Fatalf("AddAccount: %v", err)
			}
			if u.Username != "xa.moi" || u.DisplayName != "Nguyễn Văn Mới" || u.Role != account.Commune || u.UnitCode != "T0101" {
				t.Fatalf("AddAccount stored %+v", u)
			}
			if secret.ValidatePasswordPolicy(pw) != nil || pw == "bo-qua-mat-khau-nay" {
				t.Fatalf("AddAccount gave password %q; want a generated one", pw)
			}
			if _, sess, err := e.svc.Login(e.ctx, "xa.moi", pw, "", ""); err != nil || sess.MFA != account.MFANone {
				t.Fatalf("login with the generated password: %+v %v", sess, err)
			}
			if n := e.auditCount(t, "user.create", u.ID, by); n != 1 {
				t.Fatalf("%d user.create entries by the administrator, want 1", n)
			}
		})

		t.Run("add: each field's error names it", func(t *testing.T) {
			for _, c := range []struct {
				name  string
				in    account.NewUser
				field string
			}{
				{"bad username", account.NewUser{Username: "Ab", Role: account.Commune, UnitCode: "T0101"}, "username"},
				{"taken username", account.NewUser{Username: "tinh.01", Role: account.Province, UnitCode: "79"}, "username"},
				{"no role", account.NewUser{Username: "khong.vai.tro", UnitCode: "T0101"}, "role"},
				{"unknown role", account.NewUser{Username: "vai.tro.la", Role: "superuser", UnitCode: "VN"}, "role"},
				{"role above its unit", account.NewUser{Username: "xa.cap.tinh", Role: account.Commune, UnitCode: "01"}, "unit"},
				{"unknown unit", account.NewUser{Username: "don.vi.la", Role: account.Commune, UnitCode: "T9999"}, "unit"},
				{"long name", account.NewUser{Username: "ten.dai", DisplayName: strings.Repeat("a", account.MaxDisplayName+1), Role: account.Commune, UnitCode: "T0101"}, "name"},
			} {
				before := e.count(t, "SELECT COUNT(*) FROM users")
				_, pw, err := e.svc.AddAccount(e.ctx, admin, c.in)
				wantField(t, c.name, err, c.field)
				if pw != "" {
					t.Fatalf("%s: a password was given out", c.name)
				}
				if after := e.count(t, "SELECT COUNT(*) FROM users"); after != before {
					t.Fatalf("%s: %d accounts stored", c.name, after-before)
				}
			}
		})

		t.Run("only an administrator manages accounts", func(t *testing.T) {
			target := e.create(t, "xa.t0102", account.Commune, "T0102")
			_, _, err := e.svc.AddAccount(e.ctx, province, account.NewUser{Username: "xa.lau", Role: account.Commune, UnitCode: "T0101"})
			wantCode(t, "a province officer adds an account", err, errs.Forbidden)
			_, err = e.svc.ListManaged(e.ctx, province)
			wantCode(t, "a province officer lists accounts", err, errs.Forbidden)
			_, err = e.svc.Managed(e.ctx, province, target.ID)
			wantCode(t, "a province officer opens an account", err, errs.Forbidden)
			_, err = e.svc.ResetPassword(e.ctx, province, target.ID)
			wantCode(t, "a province officer resets a password", err, errs.Forbidden)
			wantCode(t, "a province officer disables", e.svc.Disable(e.ctx, province, target.ID), errs.Forbidden)
			wantCode(t, "a province officer enables", e.svc.Enable(e.ctx, province, target.ID), errs.Forbidden)
			wantCode(t, "a province officer unlocks", e.svc.Unlock(e.ctx, province, target.ID), errs.Forbidden)
			wantCode(t, "a province officer resets TOTP", e.svc.ResetSecondFactor(e.ctx, province, target.ID), errs.Forbidden)
			if _, _, err := e.svc.Login(e.ctx, "xa.t0102", password("xa.t0102"), "", ""); err != nil {
				t.Fatalf("the account changed: %v", err)
			}
			_, err = e.svc.Managed(e.ctx, admin, 987654)
			wantCode(t, "a missing account", err, errs.NotFound)
		})

		t.Run("a manager bound to a unit manages its subtree", func(t *testing.T) {
			// Administrators belong to the nation today; the rule holds
			// for a manager bound to a province all the same.
			scoped := account.User{ID: admin.ID, Role: account.Admin, UnitCode: "01"}
			hcm := e.create(t, "xa.t7901", account.Commune, "T7901")
			hn := e.create(t, "xa.t0101", account.Commune, "T0101")
			list, err := e.svc.ListManaged(e.ctx, scoped)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range list {
				if u.UnitCode != "01" && !strings.HasPrefix(u.UnitCode, "T01") {
					t.Errorf("a manager of 01 lists %s of %s", u.Username, u.UnitCode)
				}
			}
			if _, err := e.svc.Managed(e.ctx, scoped, hn.ID); err != nil {
				t.Errorf("a manager of 01 opens an account of T0101: %v", err)
			}
			_, err = e.svc.Managed(e.ctx, scoped, hcm.ID)
			wantCode(t, "a manager of 01 opens an account of T7901", err, errs.NotFound)
			_, err = e.svc.Managed(e.ctx, scoped, admin.ID)
			wantCode(t, "a manager of 01 opens a national account", err, errs.NotFound)
			_, _, err = e.svc.AddAccount(e.ctx, scoped, account.NewUser{Username: "xa.hcm.moi", Role: account.Commune, UnitCode: "T7901"})
			wantField(t, "a manager of 01 adds an account in 79", err, "unit")
		})

		t.Run("reset password", func(t *testing.T) {
			u := e.create(t, "dat.lai", account.Province, "79")
			e.login(t, "dat.lai")
			e.login(t, "dat.lai")
			pw, err := e.svc.ResetPassword(e.ctx, admin, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n := e.sessions(t, u.ID); n != 0 {
				t.Fatalf("%d sessions left after the reset", n)
			}
			_, _, err = e.svc.Login(e.ctx, "dat.lai", password("dat.lai"), "", "")
			wantBadLogin(t, "the old password", err)
			if _, _, err := e.svc.Login(e.ctx, "dat.lai", pw, "", ""); err != nil {
				t.Fatalf("the new password: %v", err)
			}
			if n := e.auditCount(t, "user.password_reset", u.ID, by); n != 1 {
				t.Fatalf("%d user.password_reset entries, want 1", n)
			}
			_, err = e.svc.ResetPassword(e.ctx, admin, admin.ID)
			wantCode(t, "resetting one's own password", err, errs.Conflict)
		})

		t.Run("disable and enable", func(t *testing.T) {
			u := e.create(t, "vo.hieu", account.Commune, "T0101")
			token, _ := e.login(t, "vo.hieu")
			if err := e.svc.Disable(e.ctx, admin, u.ID); err != nil {
				t.Fatal(err)
			}
			if n := e.sessions(t, u.ID); n != 0 {
				t.Fatalf("%d sessions left after disabling", n)
			}
			_, _, err := e.svc.Session(e.ctx, token)
			wantCode(t, "the session of a disabled account", err, errs.Unauthorized)
			_, _, err = e.svc.Login(e.ctx, "vo.hieu", password("vo.hieu"), "", "")
			wantBadLogin(t, "login of a disabled account", err)
			if err := e.svc.Disable(e.ctx, admin, u.ID); err != nil {
				t.Fatalf("disabling twice: %v", err)
			}
			if n := e.auditCount(t, "user.disable", u.ID, by); n != 1 {
				t.Fatalf("%d user.disable entries, want 1", n)
			}
			if err := e.svc.Enable(e.ctx, admin, u.ID); err != nil {
				t.Fatal(err)
			}
			e.login(t, "vo.hieu")
			if n := e.auditCount(t, "user.enable", u.ID, by); n != 1 {
				t.Fatalf("%d user.enable entries, want 1", n)
			}
		})

		t.Run("an administrator keeps their own rights", func(t *testing.T) {
			wantCode(t, "disabling oneself", e.svc.Disable(e.ctx, admin, admin.ID), errs.Conflict)
			err := e.svc.ResetSecondFactor(e.ctx, admin, admin.ID)
			wantCode(t, "resetting one's own second factor", err, errs.Conflict)
			other := e.create(t, "quan.tri.2", account.Admin, "VN")
			if err := e.svc.Disable(e.ctx, admin, other.ID); err != nil {
				t.Fatalf("disable another administrator: %v", err)
			}
			// The disabled administrator's stale account cannot take the
			// last one with it.
			wantCode(t, "disabling the last administrator", e.svc.Disable(e.ctx, other, admin.ID), errs.Conflict)
			if got, err := e.svc.ByID(e.ctx, admin.ID); err != nil || got.Disabled {
				t.Fatalf("the last administrator: %+v %v", got, err)
			}
		})

		t.Run("unlock", func(t *testing.T) {
			u := e.create(t, "bi.khoa", account.Commune, "T0102")
			for range e.svc.Settings.MaxFailures {
				e.svc.Login(e.ctx, "bi.khoa", "sai-mat-khau-2026", "", "")
			}
			_, _, err := e.svc.Login(e.ctx, "bi.khoa", password("bi.khoa"), "", "")
			wantCode(t, "login while locked", err, errs.TooMany)
			locked, _ := e.svc.ByID(e.ctx, u.ID)
			if _, ok := locked.LockedUntil(e.clk.Now()); !ok || locked.FailedLogins() != e.svc.Settings.MaxFailures {
				t.Fatalf("the account is not shown as locked: failures %d", locked.FailedLogins())
			}
			if err := e.svc.Unlock(e.ctx, admin, u.ID); err != nil {
				t.Fatal(err)
			}
			if e.failedLogins(t, u.ID) != 0 || e.lockedUntil(t, u.ID) != "" {
				t.Fatalf("after unlocking: %d failures, locked until %q", e.failedLogins(t, u.ID), e.lockedUntil(t, u.ID))
			}
			e.login(t, "bi.khoa")
			if n := e.auditCount(t, "user.unlock", u.ID, by); n != 1 {
				t.Fatalf("%d user.unlock entries, want 1", n)
			}
		})

		t.Run("reset second factor", func(t *testing.T) {
			u := e.create(t, "dtv.01", account.Investigator, "01")
			token, sess := e.login(t, "dtv.01")
			if sess.MFA != account.MFAEnrol {
				t.Fatalf("first login: MFA %d, want enrolment", sess.MFA)
			}
			e.enrol(t, u.ID, token)
			if n := e.count(t, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?", u.ID); n == 0 {
				t.Fatal("no recovery codes after enrolling")
			}
			if err := e.svc.ResetSecondFactor(e.ctx, admin, u.ID); err != nil {
				t.Fatal(err)
			}
			if n := e.count(t, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?", u.ID); n != 0 {
				t.Fatalf("%d recovery codes left", n)
			}
			if n := e.sessions(t, u.ID); n != 0 {
				t.Fatalf("%d sessions left", n)
			}
			got, _ := e.svc.ByID(e.ctx, u.ID)
			if got.TOTPEnabled {
				t.Fatal("TOTP still on")
			}
			token, sess = e.login(t, "dtv.01")
			if sess.MFA != account.MFAEnrol {
				t.Fatalf("login after the reset: MFA %d, want enrolment", sess.MFA)
			}
			e.clk.Advance(30 * time.Second)
			e.enrol(t, u.ID, token)
			if n := e.auditCount(t, "user.totp_reset", u.ID, by); n != 1 {
				t.Fatalf("%d user.totp_reset entries, want 1", n)
			}
		})

		e.verifyAudit(t)
	})
}

func TestChangePassword(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.create(t, "doi.mk", account.Commune, "T0101")
		token, _ := e.login(t, "doi.mk")
		other, _ := e.login(t, "doi.mk")
		const next = "Mật-khẩu-mới-2026"
		for _, c := range []struct {
			name  string
			in    account.PasswordChange
			field string
		}{
			{"no current password", account.PasswordChange{New: next, Confirm: next}, "current"},
			{"too short", account.PasswordChange{Current: password("doi.mk"), New: "ngan", Confirm: "ngan"}, "new"},
			{"not repeated alike", account.PasswordChange{Current: password("doi.mk"), New: next, Confirm: next + "x"}, "confirm"},
			{"the same as now", account.PasswordChange{Current: password("doi.mk"), New: password("doi.mk"), Confirm: password("doi.mk")}, "new"},
		} {
			wantField(t, c.name, e.svc.ChangePassword(e.ctx, u.ID, token, c.in, ""), c.field)
		}
		if n := e.failedLogins(t, u.ID); n != 0 {
			t.Fatalf("form errors counted %d failed logins", n)
		}
		wantField(t, "wrong current password", e.svc.ChangePassword(e.ctx, u.ID, token, account.PasswordChange{Current: "sai-mat-khau-2026", New: next, Confirm: next}, ""), "current")
		if n := e.failedLogins(t, u.ID); n != 1 {
			t.Fatalf("a wrong current password counted %d failed logins, want 1", n)
		}
		if n := e.sessions(t, u.ID); n != 2 {
			t.Fatalf("%d sessions after refusals, want 2", n)
		}

		// Typed with decomposed diacritics, as another keyboard may send it.
		if err := e.svc.ChangePassword(e.ctx, u.ID, token, account.PasswordChange{Current: password("doi.mk"), New: norm.NFD.String(next), Confirm: next}, ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Session(e.ctx, token); err != nil {
			t.Fatalf("the session that changed the password ended: %v", err)
		}
		_, _, err := e.svc.Session(e.ctx, other)
		wantCode(t, "another session", err, errs.Unauthorized)
		_, _, err = e.svc.Login(e.ctx, "doi.mk", password("doi.mk"), "", "")
		wantBadLogin(t, "the old password", err)
		if _, _, err := e.svc.Login(e.ctx, "doi.mk", next, "", ""); err != nil {
			t.Fatalf("the new password: %v", err)
		}
		if n := e.failedLogins(t, u.ID); n != 0 {
			t.Fatalf("%d failed logins after the change", n)
		}
		if n := e.auditCount(t, "user.password_change", u.ID, userObject(u.ID)); n != 1 {
			t.Fatalf("%d user.password_change entries, want 1", n)
		}

		// Wrong current passwords lock the account like failed logins.
		for range e.svc.Settings.MaxFailures - 1 {
			e.svc.ChangePassword(e.ctx, u.ID, token, account.PasswordChange{Current: "sai-mat-khau-2026", New: next + "2", Confirm: next + "2"}, "")
		}
		err = e.svc.ChangePassword(e.ctx, u.ID, token, account.PasswordChange{Current: "sai-mat-khau-2026", New: next + "2", Confirm: next + "2"}, "")
		wantCode(t, "the guess that reaches the limit", err, errs.TooMany)
		err = e.svc.ChangePassword(e.ctx, u.ID, token, account.PasswordChange{Current: next, New: next + "2", Confirm: next + "2"}, "")
		wantCode(t, "the right password while locked", err, errs.TooMany)
		e.verifyAudit(t)
	})
}
