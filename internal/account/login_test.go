package account_test

import (
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/account"
	"toandan/internal/auth/secret"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

func TestLogin(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		users := []struct {
			username string
			role     account.Role
			unit     string
		}{
			{"tinh.01", account.Province, "01"},
			{"xa.t0101", account.Commune, "T0101"},
			{"bo.congan", account.Ministry, "VN"},
			{"vks.01", account.Procuracy, "01"},
		}
		for _, tc := range users {
			t.Run(string(tc.role), func(t *testing.T) {
				u := e.create(t, tc.username, tc.role, tc.unit)
				token, sess, err := e.svc.Login(e.ctx, tc.username, password(tc.username), "192.0.2.7", "Firefox")
				if err != nil {
					t.Fatalf("Login: %v", err)
				}
				if token == "" || sess.UserID != u.ID || sess.MFA != account.MFANone {
					t.Fatalf("Login: token %q session %+v, want a token and a complete session for user %d", token, sess, u.ID)
				}
				if want := testNow.Add(e.svc.Settings.SessionTTL); !sess.ExpiresAt.Equal(want) {
					t.Fatalf("session expires %v, want %v", sess.ExpiresAt, want)
				}
				got, gs, err := e.svc.Session(e.ctx, token)
				if err != nil || got.ID != u.ID || gs.MFA != account.MFANone {
					t.Fatalf("Session: %+v %+v %v", got, gs, err)
				}
			})
		}

		t.Run("wrong password", func(t *testing.T) {
			e.create(t, "sai.mk", account.Province, "79")
			before := e.count(t, "SELECT COUNT(*) FROM sessions")
			for _, pw := range []string{"sai-mat-khau-2026", "", password("sai.mk") + " ", "MAT-KHAU-SAI.MK-2026"} {
				token, _, err := e.svc.Login(e.ctx, "sai.mk", pw, "", "")
				wantBadLogin(t, "wrong password "+pw, err)
				if token != "" {
					t.Fatalf("wrong password gave token %q", token)
				}
			}
			if after := e.count(t, "SELECT COUNT(*) FROM sessions"); after != before {
				t.Fatalf("wrong passwords opened %d sessions", after-before)
			}
		})

		t.Run("unknown username", func(t *testing.T) {
			_, _, known := e.svc.Login(e.ctx, "tinh.01", "sai-mat-khau-2026", "", "")
			for _, name := range []string{"khong.co.ai", "tinh.02", "", "tinh 01"} {
				token, _, err := e.svc.Login(e.ctx, name, "sai-mat-khau-2026", "", "")
				wantBadLogin(t, "unknown "+name, err)
				if token != "" || err.Error() != known.Error() {
					t.Fatalf("unknown username: token %q error %q; a known one with a wrong password gives %q", token, err, known)
				}
			}
		})

		t.Run("username is case-insensitive", func(t *testing.T) {
			for _, name := range []string{"TINH.01", "Tinh.01", "  tinh.01 "} {
				_, sess, err := e.svc.Login(e.ctx, name, password("tinh.01"), "", "")
				if err != nil || sess.MFA != account.MFANone {
					t.Fatalf("Login %q: %+v %v", name, sess, err)
				}
			}
		})

		t.Run("disabled account", func(t *testing.T) {
			u := e.create(t, "nghi.huu", account.Commune, "T0102")
			if _, err := db.Exec(e.ctx, "UPDATE users SET disabled = 1 WHERE id = ?", u.ID); err != nil {
				t.Fatal(err)
			}
			_, _, err := e.svc.Login(e.ctx, "nghi.huu", password("nghi.huu"), "", "")
			wantBadLogin(t, "disabled", err)
		})
	})
}

func TestLoginNormalizesVietnamesePassword(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		nfc := norm.NFC.String("Mật khẩu Hà Nội 2026")
		nfd := norm.NFD.String(nfc)
		if nfc == nfd {
			t.Fatal("test setup: NFC and NFD forms are equal")
		}
		tests := []struct {
			name           string
			created, typed string
		}{
			{"created NFC, typed NFD", nfc, nfd},
			{"created NFD, typed NFC", nfd, nfc},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				username := "unicode" + string(rune('a'+i))
				if _, err := e.svc.Create(e.ctx, account.NewUser{Username: username, Role: account.Commune, UnitCode: "T0101", Password: tc.created}, "test"); err != nil {
					t.Fatal(err)
				}
				for _, pw := range []string{tc.typed, tc.created} {
					if _, _, err := e.svc.Login(e.ctx, username, pw, "", ""); err != nil {
						t.Fatalf("Login with %+q: %v", pw, err)
					}
				}
				// Normalising must not make diacritics optional.
				_, _, err := e.svc.Login(e.ctx, username, "Mat khau Ha Noi 2026", "", "")
				wantBadLogin(t, "password without diacritics", err)
			})
		}
		t.Run("SetPassword", func(t *testing.T) {
			e.create(t, "unicodec", account.Commune, "T0101")
			if err := e.svc.SetPassword(e.ctx, "unicodec", nfd, "test"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.svc.Login(e.ctx, "unicodec", nfc, "", ""); err != nil {
				t.Fatalf("Login NFC after SetPassword NFD: %v", err)
			}
		})
	})
}

func TestLockout(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st := e.svc.Settings
		u := e.create(t, "khoa.tk", account.Province, "01")
		wrong := func() error {
			_, _, err := e.svc.Login(e.ctx, "khoa.tk", "sai-mat-khau-2026", "203.0.113.9", "")
			return err
		}
		right := func() error {
			_, _, err := e.svc.Login(e.ctx, "khoa.tk", password("khoa.tk"), "203.0.113.9", "")
			return err
		}
		lockFor := func() time.Duration {
			t.Helper()
			until, err := time.Parse(time.RFC3339, e.lockedUntil(t, u.ID))
			if err != nil {
				t.Fatalf("locked_until: %v", err)
			}
			return until.Sub(e.clk.Now())
		}

		for i := 1; i < st.MaxFailures; i++ {
			wantBadLogin(t, "failure", wrong())
		}
		wantCode(t, "failure at the limit", wrong(), errs.TooMany)
		if d := lockFor(); d != st.LockFor {
			t.Fatalf("first lock %v, want %v", d, st.LockFor)
		}
		// Locked: even the right password is refused, and tries do not count.
		wantCode(t, "right password while locked", right(), errs.TooMany)
		wantCode(t, "wrong password while locked", wrong(), errs.TooMany)
		if n := e.failedLogins(t, u.ID); n != st.MaxFailures {
			t.Fatalf("failed_logins %d after tries while locked, want %d", n, st.MaxFailures)
		}
		e.clk.Advance(st.LockFor - time.Second)
		wantCode(t, "right password a second before the lock ends", right(), errs.TooMany)
		e.clk.Advance(time.Second)
		if err := right(); err != nil {
			t.Fatalf("right password when the lock ends: %v", err)
		}
		if n, l := e.failedLogins(t, u.ID), e.lockedUntil(t, u.ID); n != 0 || l != "" {
			t.Fatalf("after a good login: failed_logins %d locked_until %q, want 0 and none", n, l)
		}

		// After a good login the count starts again from zero.
		for i := 1; i < st.MaxFailures; i++ {
			wantBadLogin(t, "failure after reset", wrong())
		}
		if err := right(); err != nil {
			t.Fatalf("right password below the limit: %v", err)
		}
		for i := 1; i < st.MaxFailures; i++ {
			wantBadLogin(t, "failure after second reset", wrong())
		}

		// Each failure past the limit doubles the lock, up to MaxLock.
		want := st.LockFor
		for failures := st.MaxFailures; failures <= st.MaxFailures+9; failures++ {
			wantCode(t, "failure past the limit", wrong(), errs.TooMany)
			if d := lockFor(); d != want {
				t.Fatalf("lock after %d failures: %v, want %v", failures, d, want)
			}
			wantCode(t, "right password while locked", right(), errs.TooMany)
			e.clk.Advance(want)
			want = min(want*2, st.MaxLock)
		}
		if want != st.MaxLock {
			t.Fatalf("test setup: lock never reached MaxLock (%v)", want)
		}
		if err := right(); err != nil {
			t.Fatalf("right password after the longest lock: %v", err)
		}
		e.verifyAudit(t)
	})
}

// TestLockoutConcurrent checks that failures sent in parallel are all
// counted: reading the count, verifying the password and writing count+1
// would let a burst of guesses in parallel pass the limit unlocked.
func TestLockoutConcurrent(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.create(t, "song.song", account.Commune, "T0101")
		// A costlier hash widens the window between reading and writing the
		// count, as in production.
		e.svc.Settings.PasswordParams = secret.Params{MemoryKiB: 4 * 1024, Iterations: 1, Parallelism: 1}
		if err := e.svc.SetPassword(e.ctx, "song.song", password("song.song"), "test"); err != nil {
			t.Fatal(err)
		}
		const n = 12
		var wg sync.WaitGroup
		errc := make(chan error, n)
		for range n {
			wg.Go(func() {
				_, _, err := e.svc.Login(e.ctx, "song.song", "sai-mat-khau-2026", "", "")
				errc <- err
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if !errs.Is(err, errs.Unauthorized) && !errs.Is(err, errs.TooMany) {
				t.Fatalf("parallel wrong password: %v", err)
			}
		}
		if got := e.failedLogins(t, u.ID); got < e.svc.Settings.MaxFailures {
			t.Fatalf("%d parallel failures counted as %d", n, got)
		}
		_, _, err := e.svc.Login(e.ctx, "song.song", password("song.song"), "", "")
		wantCode(t, "right password after a parallel burst", err, errs.TooMany)
		e.verifyAudit(t)
	})
}
