package account_test

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

func TestSessionStoresOnlyTokenHash(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.create(t, "phien.lam.viec", account.Commune, "T0101")
		token, _ := e.login(t, "phien.lam.viec")

		got, sess, err := e.svc.Session(e.ctx, token)
		if err != nil || got.ID != u.ID || got.Username != "phien.lam.viec" || sess.UserID != u.ID || sess.MFA != account.MFANone {
			t.Fatalf("Session: %+v %+v %v", got, sess, err)
		}

		rows, err := db.Query(e.ctx, "SELECT token_hash, user_id, mfa_pending, created_at, expires_at, last_seen_at, ip, user_agent FROM sessions")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var hash []byte
			var userID int64
			var mfa int
			var created, expires, seen, ip, ua string
			if err := rows.Scan(&hash, &userID, &mfa, &created, &expires, &seen, &ip, &ua); err != nil {
				t.Fatal(err)
			}
			n++
			sum := sha256.Sum256([]byte(token))
			if !bytes.Equal(hash, sum[:]) {
				t.Fatalf("token_hash %x, want SHA-256 of the token %x", hash, sum)
			}
			if bytes.Equal(hash, []byte(token)) || bytes.Contains(hash, []byte(token)) {
				t.Fatal("sessions.token_hash holds the token itself")
			}
			for _, col := range []string{created, expires, seen, ip, ua} {
				if strings.Contains(col, token) {
					t.Fatalf("a sessions column holds the token: %q", col)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d session rows, want 1", n)
		}
		var leaks int
		if err := db.QueryRow(e.ctx, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE ? OR object LIKE ?", "%"+token+"%", "%"+token+"%").Scan(&leaks); err != nil {
			t.Fatal(err)
		}
		if leaks != 0 {
			t.Fatalf("%d audit entries hold the session token", leaks)
		}

		// Only the exact token opens the session.
		for _, bad := range []string{"", "khong-phai-token", strings.ToUpper(token), strings.ToLower(token), token + "x", token[:len(token)-1]} {
			if bad == token {
				continue
			}
			_, _, err := e.svc.Session(e.ctx, bad)
			wantCode(t, "Session("+bad+")", err, errs.Unauthorized)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ttl := e.svc.Settings.SessionTTL
		e.create(t, "het.han", account.Province, "01")
		sessions := func(token string) int {
			sum := sha256.Sum256([]byte(token))
			return e.count(t, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", sum[:])
		}

		t.Run("idle past the TTL", func(t *testing.T) {
			token, _ := e.login(t, "het.han")
			e.clk.Advance(ttl)
			_, _, err := e.svc.Session(e.ctx, token)
			wantCode(t, "Session after TTL", err, errs.Unauthorized)
			if n := sessions(token); n != 0 {
				t.Fatalf("expired session row still stored (%d)", n)
			}
			// And it stays ended when seen again.
			_, _, err = e.svc.Session(e.ctx, token)
			wantCode(t, "Session again", err, errs.Unauthorized)
		})

		t.Run("activity slides the expiry", func(t *testing.T) {
			start := e.clk.Now()
			token, _ := e.login(t, "het.han")
			for i := 1; i <= 4; i++ {
				e.clk.Advance(ttl - time.Hour)
				_, sess, err := e.svc.Session(e.ctx, token)
				if err != nil {
					t.Fatalf("use %d, %v after login: %v", i, e.clk.Now().Sub(start), err)
				}
				if want := e.clk.Now().Add(ttl); !sess.ExpiresAt.Equal(want) {
					t.Fatalf("use %d: expires %v, want %v", i, sess.ExpiresAt, want)
				}
			}
			e.clk.Advance(ttl + time.Second)
			_, _, err := e.svc.Session(e.ctx, token)
			wantCode(t, "Session after an idle TTL", err, errs.Unauthorized)
			if n := sessions(token); n != 0 {
				t.Fatalf("expired session row still stored (%d)", n)
			}
		})

		t.Run("half-open session does not slide", func(t *testing.T) {
			e.create(t, "dieu.tra", account.Investigator, "01")
			token, sess := e.login(t, "dieu.tra")
			if sess.MFA != account.MFAEnrol {
				t.Fatalf("investigator login: MFA %d, want MFAEnrol", sess.MFA)
			}
			if sess.ExpiresAt.Sub(e.clk.Now()) >= ttl {
				t.Fatalf("half-open session lasts %v, as long as a full one", sess.ExpiresAt.Sub(e.clk.Now()))
			}
			for {
				e.clk.Advance(2 * time.Minute)
				_, s, err := e.svc.Session(e.ctx, token)
				if err != nil {
					wantCode(t, "half-open session", err, errs.Unauthorized)
					break
				}
				if !s.ExpiresAt.Equal(sess.ExpiresAt) {
					t.Fatalf("half-open session expiry moved from %v to %v", sess.ExpiresAt, s.ExpiresAt)
				}
				if e.clk.Now().Sub(sess.ExpiresAt) > 0 {
					t.Fatal("half-open session outlived its expiry")
				}
			}
		})
	})
}

func TestSessionEnds(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.create(t, "can.bo.a", account.Commune, "T0101")
		e.create(t, "can.bo.b", account.Commune, "T0102")
		alive := func(token string) bool {
			t.Helper()
			_, _, err := e.svc.Session(e.ctx, token)
			if err != nil && !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("Session: %v", err)
			}
			return err == nil
		}

		t.Run("logout", func(t *testing.T) {
			t1, _ := e.login(t, "can.bo.a")
			t2, _ := e.login(t, "can.bo.a")
			if err := e.svc.Logout(e.ctx, t1); err != nil {
				t.Fatal(err)
			}
			if alive(t1) {
				t.Fatal("session still works after Logout")
			}
			if !alive(t2) {
				t.Fatal("Logout ended the user's other session too")
			}
			if err := e.svc.Logout(e.ctx, t1); err != nil {
				t.Fatalf("second Logout: %v", err)
			}
		})

		t.Run("SetPassword ends every session of the user", func(t *testing.T) {
			a1, _ := e.login(t, "can.bo.a")
			a2, _ := e.login(t, "can.bo.a")
			b1, _ := e.login(t, "can.bo.b")
			if err := e.svc.SetPassword(e.ctx, "can.bo.a", "mat-khau-moi-2026", "admin"); err != nil {
				t.Fatal(err)
			}
			if alive(a1) || alive(a2) {
				t.Fatal("a session of can.bo.a survived SetPassword")
			}
			if n := e.count(t, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", a.ID); n != 0 {
				t.Fatalf("%d sessions of can.bo.a still stored", n)
			}
			if !alive(b1) {
				t.Fatal("SetPassword on can.bo.a ended can.bo.b's session")
			}
			_, _, err := e.svc.Login(e.ctx, "can.bo.a", password("can.bo.a"), "", "")
			wantBadLogin(t, "old password", err)
			if _, _, err := e.svc.Login(e.ctx, "can.bo.a", "mat-khau-moi-2026", "", ""); err != nil {
				t.Fatalf("new password: %v", err)
			}
			wantField(t, "weak new password", e.svc.SetPassword(e.ctx, "can.bo.a", "ngan", "admin"), "password")
			e.verifyAudit(t)
		})

		t.Run("disabled user", func(t *testing.T) {
			b, _ := e.login(t, "can.bo.b")
			if !alive(b) {
				t.Fatal("fresh session does not work")
			}
			if _, err := db.Exec(e.ctx, "UPDATE users SET disabled = 1 WHERE username = 'can.bo.b'"); err != nil {
				t.Fatal(err)
			}
			_, _, err := e.svc.Session(e.ctx, b)
			wantCode(t, "Session of a disabled user", err, errs.Unauthorized)
		})
	})
}
