package account_test

import (
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/auth/secret"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

func TestCreateRoleFitsUnit(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// A commune that was merged away before the reform, and one that
		// only comes into force next year: neither may hold accounts today.
		for _, q := range []string{
			`INSERT INTO units (code, name, type, level, parent_code, valid_from, valid_to) VALUES ('X0001', 'Cũ', 'commune', 'commune', '01', '2020-01-01', '2025-06-30')`,
			`INSERT INTO units (code, name, type, level, parent_code, valid_from) VALUES ('X0002', 'Mới', 'commune', 'commune', '01', '2027-01-01')`,
		} {
			if _, err := db.Exec(e.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			role      account.Role
			unit      string
			wantField string // "" when the account must be created
		}{
			{account.Admin, "VN", ""},
			{account.Admin, "01", "unit"},
			{account.Admin, "T0101", "unit"},
			{account.Ministry, "VN", ""},
			{account.Ministry, "79", "unit"},
			{account.Province, "01", ""},
			{account.Province, " 79 ", ""},
			{account.Province, "T0101", "unit"},
			{account.Province, "VN", "unit"},
			{account.Province, "99", "unit"},
			{account.Province, "", "unit"},
			{account.Investigator, "79", ""},
			{account.Investigator, "VN", "unit"},
			{account.Investigator, "T0102", "unit"},
			{account.Commune, "T0101", ""},
			{account.Commune, "T7901", ""},
			{account.Commune, "01", "unit"},
			{account.Commune, "VN", "unit"},
			{account.Commune, "T9999", "unit"},
			{account.Commune, "X0001", "unit"},
			{account.Commune, "X0002", "unit"},
			{account.Procuracy, "01", ""},
			{account.Procuracy, "VN", ""},
			{account.Procuracy, "T0101", "unit"},
			{"", "01", "role"},
			{"superuser", "VN", "role"},
		}
		for i, tc := range tests {
			name := string(tc.role) + "@" + strings.TrimSpace(tc.unit)
			t.Run(name, func(t *testing.T) {
				username := "user" + string(rune('a'+i/26)) + string(rune('a'+i%26))
				before := e.count(t, "SELECT COUNT(*) FROM users")
				u, err := e.svc.Create(e.ctx, account.NewUser{Username: username, Role: tc.role, UnitCode: tc.unit, Password: password(username)}, "test")
				if tc.wantField != "" {
					wantField(t, name, err, tc.wantField)
					if after := e.count(t, "SELECT COUNT(*) FROM users"); after != before {
						t.Fatalf("refused create left %d users, want %d", after, before)
					}
					return
				}
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				if u.Role != tc.role || u.UnitCode != strings.TrimSpace(tc.unit) || u.Username != username || u.ID == 0 {
					t.Fatalf("created %+v, want role %s unit %s", u, tc.role, strings.TrimSpace(tc.unit))
				}
			})
		}
	})
}

func TestCreateUsername(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tests := []struct {
			in   string
			want string // stored username; "" when refused
		}{
			{"NguyenVanA", "nguyenvana"},
			{"  an.nguyen  ", "an.nguyen"},
			{"ca_t0101-2", "ca_t0101-2"},
			{"abc", "abc"},
			{strings.Repeat("x", 32), strings.Repeat("x", 32)},
			{"a", ""},
			{"ab", ""},
			{"", ""},
			{strings.Repeat("y", 33), ""},
			{"an nguyen", ""},
			{"an\tnguyen", ""},
			{"nguyễn", ""},
			{"-abc", ""},
			{"an@nguyen", ""},
		}
		for _, tc := range tests {
			t.Run(tc.in, func(t *testing.T) {
				u, err := e.svc.Create(e.ctx, account.NewUser{Username: tc.in, Role: account.Province, UnitCode: "01", Password: "mat-khau-du-dai-2026"}, "test")
				if tc.want == "" {
					wantField(t, "Create "+tc.in, err, "username")
					return
				}
				if err != nil {
					t.Fatalf("Create %q: %v", tc.in, err)
				}
				if u.Username != tc.want {
					t.Fatalf("username %q, want %q", u.Username, tc.want)
				}
				if got, err := e.svc.ByUsername(e.ctx, tc.want); err != nil || got.ID != u.ID {
					t.Fatalf("ByUsername %q: %+v, %v", tc.want, got, err)
				}
			})
		}

		t.Run("duplicate", func(t *testing.T) {
			first := e.create(t, "trung.ten", account.Commune, "T0101")
			before := e.count(t, "SELECT COUNT(*) FROM audit_log")
			for _, dup := range []string{"trung.ten", "TRUNG.TEN", " Trung.Ten "} {
				_, err := e.svc.Create(e.ctx, account.NewUser{Username: dup, Role: account.Admin, UnitCode: "VN", Password: "mat-khau-khac-2026"}, "test")
				wantField(t, "duplicate "+dup, err, "username")
			}
			if n := e.count(t, "SELECT COUNT(*) FROM users WHERE username = 'trung.ten'"); n != 1 {
				t.Fatalf("%d users named trung.ten, want 1", n)
			}
			if after := e.count(t, "SELECT COUNT(*) FROM audit_log"); after != before {
				t.Fatalf("refused duplicates wrote %d audit entries", after-before)
			}
			// The first account is untouched: still a commune officer with its own password.
			got, err := e.svc.ByUsername(e.ctx, "trung.ten")
			if err != nil || got.Role != account.Commune || got.UnitCode != "T0101" || got.ID != first.ID {
				t.Fatalf("after duplicates: %+v, %v", got, err)
			}
			e.login(t, "trung.ten")
		})
	})
}

func TestCreatePassword(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tests := []struct {
			name, pw string
			ok       bool
		}{
			{"empty", "", false},
			{"9 chars", "abcdefgh9", false},
			{"9 runes, more bytes", "ááááááááb", false},
			{"one repeated char", "aaaaaaaaaaaa", false},
			{"10 chars", "abcdefgh10", true},
			{"10 runes with diacritics", "Mậtkhẩu123", true},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				username := "pw" + string(rune('a'+i)) + "user"
				_, err := e.svc.Create(e.ctx, account.NewUser{Username: username, Role: account.Commune, UnitCode: "T0102", Password: tc.pw}, "test")
				if !tc.ok {
					wantField(t, tc.name, err, "password")
					if n := e.count(t, "SELECT COUNT(*) FROM users WHERE username = ?", username); n != 0 {
						t.Fatalf("weak password created the account")
					}
					return
				}
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				if _, _, err := e.svc.Login(e.ctx, username, tc.pw, "", ""); err != nil {
					t.Fatalf("login with the new password: %v", err)
				}
			})
		}
	})
}

func TestCreateStoresArgon2idHash(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.create(t, "hash.a", account.Province, "01")
		b := e.create(t, "hash.b", account.Province, "01")
		// Same password for both, to see the salt at work.
		const pw = "cung-mot-mat-khau"
		for _, u := range []account.User{a, b} {
			if err := e.svc.SetPassword(e.ctx, u.Username, pw, "test"); err != nil {
				t.Fatal(err)
			}
		}
		hashes := map[string]bool{}
		for _, u := range []account.User{a, b} {
			var h string
			if err := db.QueryRow(e.ctx, "SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&h); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(h, "$argon2id$v=19$m=") || strings.Count(h, "$") != 5 {
				t.Fatalf("%s: stored %q, want an argon2id PHC string", u.Username, h)
			}
			if strings.Contains(h, pw) || strings.Contains(h, password(u.Username)) {
				t.Fatalf("%s: stored hash %q contains the password", u.Username, h)
			}
			if ok, _, err := secret.VerifyPassword(h, pw); err != nil || !ok {
				t.Fatalf("%s: stored hash does not verify the password: %v %v", u.Username, ok, err)
			}
			hashes[h] = true
		}
		if len(hashes) != 2 {
			t.Fatal("two accounts with the same password have the same hash: no salt")
		}
		// The password must not sit anywhere else in the row either.
		var row string
		if err := db.QueryRow(e.ctx, "SELECT username || display_name || role || unit_code || locked_until FROM users WHERE id = ?", a.ID).Scan(&row); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(row, pw) {
			t.Fatalf("users row holds the password: %q", row)
		}
	})
}

func TestCreateAudited(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		before := e.count(t, "SELECT COUNT(*) FROM audit_log")
		users := []account.User{
			e.create(t, "audit.admin", account.Admin, "VN"),
			e.create(t, "audit.tinh", account.Province, "01"),
			e.create(t, "audit.xa", account.Commune, "T0101"),
		}
		if after := e.count(t, "SELECT COUNT(*) FROM audit_log"); after != before+len(users) {
			t.Fatalf("%d audit entries after %d creates, want %d", after-before, len(users), len(users))
		}
		for _, u := range users {
			var actor, detail string
			if err := db.QueryRow(e.ctx, "SELECT actor, detail FROM audit_log WHERE action = 'user.create' AND object = ?", userObject(u.ID)).
				Scan(&actor, &detail); err != nil {
				t.Fatalf("audit entry for %s: %v", u.Username, err)
			}
			if actor != "test" || !strings.Contains(detail, u.Username) || !strings.Contains(detail, "role="+string(u.Role)) ||
				!strings.Contains(detail, "unit="+u.UnitCode) {
				t.Fatalf("audit entry for %s: actor %q detail %q", u.Username, actor, detail)
			}
			if strings.Contains(detail, password(u.Username)) {
				t.Fatalf("audit entry holds the password: %q", detail)
			}
		}
		e.verifyAudit(t)
	})
}
