package secret

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

func TestHashPasswordDefaultFormat(t *testing.T) {
	encoded, err := HashPassword("đúng mật khẩu rồi")
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=47104,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(encoded) {
		t.Fatalf("encoding %q does not match %s", encoded, re)
	}

	tests := []struct {
		name       string
		pw         string
		wantOK     bool
		wantRehash bool
	}{
		{name: "correct password", pw: "đúng mật khẩu rồi", wantOK: true},
		{name: "wrong password", pw: "sai mật khẩu rồi"},
		{name: "empty password", pw: ""},
		{name: "case differs", pw: "ĐÚNG MẬT KHẨU RỒI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(encoded, tt.pw)
			if err != nil {
				t.Fatalf("VerifyPassword: %v", err)
			}
			if ok != tt.wantOK || rehash != tt.wantRehash {
				t.Errorf("VerifyPassword = (%v, %v), want (%v, %v)", ok, rehash, tt.wantOK, tt.wantRehash)
			}
		})
	}
}

func TestHashPasswordWithFastParams(t *testing.T) {
	encoded, err := HashPasswordWith("correct horse", FastParams())
	if err != nil {
		t.Fatalf("HashPasswordWith: %v", err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected encoding %q", encoded)
	}
	tests := []struct {
		name       string
		pw         string
		wantOK     bool
		wantRehash bool
	}{
		// Non-default parameters must be flagged for rehash on success...
		{name: "correct password", pw: "correct horse", wantOK: true, wantRehash: true},
		// ...but never on failure: rehashing a wrong password would
		// overwrite the real credential.
		{name: "wrong password", pw: "correct horsE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(encoded, tt.pw)
			if err != nil {
				t.Fatalf("VerifyPassword: %v", err)
			}
			if ok != tt.wantOK || rehash != tt.wantRehash {
				t.Errorf("VerifyPassword = (%v, %v), want (%v, %v)", ok, rehash, tt.wantOK, tt.wantRehash)
			}
		})
	}
}

func TestHashPasswordUsesFreshSalt(t *testing.T) {
	a, err := HashPasswordWith("same password", FastParams())
	if err != nil {
		t.Fatal(err)
	}
	b, err := HashPasswordWith("same password", FastParams())
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two hashes of the same password are identical: %q", a)
	}
}

// Vectors from the Argon2 reference implementation (P-H-C/phc-winner-argon2,
// src/test.c), which pin both the KDF and the PHC encoding to the standard.
func TestVerifyPasswordReferenceVectors(t *testing.T) {
	tests := []struct {
		name       string
		encoded    string
		pw         string
		wantOK     bool
		wantRehash bool
	}{
		{
			name:       "m=65536 t=2 p=1",
			encoded:    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
			pw:         "password",
			wantOK:     true,
			wantRehash: true,
		},
		{
			name:       "m=256 t=2 p=2",
			encoded:    "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
			pw:         "password",
			wantOK:     true,
			wantRehash: true,
		},
		{
			name:    "m=256 t=2 p=2 wrong password",
			encoded: "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
			pw:      "passwore",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(tt.encoded, tt.pw)
			if err != nil {
				t.Fatalf("VerifyPassword: %v", err)
			}
			if ok != tt.wantOK || rehash != tt.wantRehash {
				t.Errorf("VerifyPassword = (%v, %v), want (%v, %v)", ok, rehash, tt.wantOK, tt.wantRehash)
			}
		})
	}
}

func TestVerifyPasswordRehashOnLengths(t *testing.T) {
	// Default cost parameters but a salt or key length HashPassword does
	// not produce: valid, yet flagged for rehash. (Current lengths are
	// covered by TestHashPasswordDefaultFormat.)
	const pw = "password"
	d := DefaultParams()
	tests := []struct {
		name       string
		salt       []byte
		keyLen     uint32
		wantRehash bool
	}{
		{name: "short salt", salt: []byte("somesalt"), keyLen: 32, wantRehash: true},
		{name: "long key", salt: []byte("0123456789abcdef"), keyLen: 64, wantRehash: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := argon2.IDKey([]byte(pw), tt.salt, d.Iterations, d.MemoryKiB, d.Parallelism, tt.keyLen)
			encoded := encodeHash(d, tt.salt, key)
			ok, rehash, err := VerifyPassword(encoded, pw)
			if err != nil {
				t.Fatalf("VerifyPassword(%q): %v", encoded, err)
			}
			if !ok || rehash != tt.wantRehash {
				t.Errorf("VerifyPassword(%q) = (%v, %v), want (true, %v)", encoded, ok, rehash, tt.wantRehash)
			}
		})
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	const (
		salt = "c29tZXNhbHQ"                                 // "somesalt"
		key  = "bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc" // 32 bytes
	)
	tests := []struct {
		name    string
		encoded string
	}{
		{name: "empty", encoded: ""},
		{name: "garbage", encoded: "not a hash"},
		{name: "bcrypt", encoded: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{name: "argon2i", encoded: "$argon2i$v=19$m=256,t=2,p=2$" + salt + "$" + key},
		{name: "argon2d", encoded: "$argon2d$v=19$m=256,t=2,p=2$" + salt + "$" + key},
		{name: "old version", encoded: "$argon2id$v=16$m=256,t=2,p=2$" + salt + "$" + key},
		{name: "missing version", encoded: "$argon2id$m=256,t=2,p=2$" + salt + "$" + key},
		{name: "missing key", encoded: "$argon2id$v=19$m=256,t=2,p=2$" + salt},
		{name: "extra field", encoded: "$argon2id$v=19$m=256,t=2,p=2$" + salt + "$" + key + "$"},
		{name: "params reordered", encoded: "$argon2id$v=19$t=2,m=256,p=2$" + salt + "$" + key},
		{name: "param missing", encoded: "$argon2id$v=19$m=256,t=2$" + salt + "$" + key},
		{name: "param extra", encoded: "$argon2id$v=19$m=256,t=2,p=2,k=1$" + salt + "$" + key},
		{name: "param not a number", encoded: "$argon2id$v=19$m=x,t=2,p=2$" + salt + "$" + key},
		{name: "param negative", encoded: "$argon2id$v=19$m=256,t=-2,p=2$" + salt + "$" + key},
		{name: "param plus sign", encoded: "$argon2id$v=19$m=+256,t=2,p=2$" + salt + "$" + key},
		{name: "param leading zero", encoded: "$argon2id$v=19$m=0256,t=2,p=2$" + salt + "$" + key},
		{name: "param overflow", encoded: "$argon2id$v=19$m=99999999999,t=2,p=2$" + salt + "$" + key},
		{name: "zero iterations", encoded: "$argon2id$v=19$m=256,t=0,p=2$" + salt + "$" + key},
		{name: "too many iterations", encoded: "$argon2id$v=19$m=256,t=1000,p=2$" + salt + "$" + key},
		{name: "zero parallelism", encoded: "$argon2id$v=19$m=256,t=2,p=0$" + salt + "$" + key},
		{name: "parallelism over uint8", encoded: "$argon2id$v=19$m=4096,t=2,p=256$" + salt + "$" + key},
		{name: "memory below 8p", encoded: "$argon2id$v=19$m=15,t=2,p=2$" + salt + "$" + key},
		{name: "memory too large", encoded: "$argon2id$v=19$m=4194304,t=2,p=2$" + salt + "$" + key},
		{name: "salt padded", encoded: "$argon2id$v=19$m=256,t=2,p=2$" + salt + "=$" + key},
		{name: "salt bad base64", encoded: "$argon2id$v=19$m=256,t=2,p=2$c29t*XNhbHQ$" + key},
		{name: "key url alphabet", encoded: "$argon2id$v=19$m=256,t=2,p=2$" + salt + "$" + strings.ReplaceAll(key, "/", "_")},
		{name: "salt too short", encoded: "$argon2id$v=19$m=256,t=2,p=2$c2FsdA$" + key},
		{name: "key empty", encoded: "$argon2id$v=19$m=256,t=2,p=2$" + salt + "$"},
		{name: "key too short", encoded: "$argon2id$v=19$m=256,t=2,p=2$" + salt + "$c2hvcnRrZXk"},
		{name: "key non-canonical trailing bits", encoded: "$argon2id$v=19$m=256,t=2,p=2$" + salt + "$" + key[:len(key)-1] + "d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(tt.encoded, "password")
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("VerifyPassword(%q) error = %v, want ErrMalformedHash", tt.encoded, err)
			}
			if ok || rehash {
				t.Errorf("VerifyPassword(%q) = (%v, %v), want (false, false)", tt.encoded, ok, rehash)
			}
		})
	}
}

func TestHashPasswordWithInvalidParams(t *testing.T) {
	tests := []struct {
		name string
		p    Params
	}{
		{name: "zero value", p: Params{}},
		{name: "zero iterations", p: Params{MemoryKiB: 64, Iterations: 0, Parallelism: 1}},
		{name: "zero parallelism", p: Params{MemoryKiB: 64, Iterations: 1, Parallelism: 0}},
		{name: "memory below 8p", p: Params{MemoryKiB: 31, Iterations: 1, Parallelism: 4}},
		{name: "memory too large", p: Params{MemoryKiB: 1<<20 + 1, Iterations: 1, Parallelism: 1}},
		{name: "too many iterations", p: Params{MemoryKiB: 64, Iterations: 17, Parallelism: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HashPasswordWith("password123", tt.p)
			if !errors.Is(err, ErrInvalidParams) {
				t.Fatalf("HashPasswordWith(%+v) = (%q, %v), want ErrInvalidParams", tt.p, got, err)
			}
		})
	}
}

func TestValidatePasswordPolicy(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{name: "empty", pw: "", want: ErrPasswordTooShort},
		{name: "nine ASCII", pw: "abcdefgh1", want: ErrPasswordTooShort},
		{name: "ten ASCII", pw: "abcdefgh12", want: nil},
		// 9 runes but 13 bytes: length is counted in characters.
		{name: "nine runes with diacritics", pw: "Mậtkhẩu12", want: ErrPasswordTooShort},
		{name: "ten runes with diacritics", pw: "Mậtkhẩu123", want: nil},
		{name: "all same ASCII", pw: "aaaaaaaaaaaa", want: ErrPasswordRepeated},
		{name: "all same non-ASCII", pw: "ệệệệệệệệệệ", want: ErrPasswordRepeated},
		{name: "all spaces", pw: "          ", want: ErrPasswordRepeated},
		{name: "one different at end", pw: "aaaaaaaaab", want: nil},
		{name: "one different at start", pw: "baaaaaaaaa", want: nil},
		{name: "short and repeated reports length", pw: "aaa", want: ErrPasswordTooShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidatePasswordPolicy(tt.pw); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
				t.Errorf("ValidatePasswordPolicy(%q) = %v, want %v", tt.pw, got, tt.want)
			}
		})
	}
}

func TestPolicyMessagesAreVietnamese(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "too short", err: ErrPasswordTooShort, want: "Mật khẩu phải có ít nhất 10 ký tự."},
		{name: "repeated", err: ErrPasswordRepeated, want: "Mật khẩu không được chỉ gồm một ký tự lặp lại."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("message = %q, want %q", got, tt.want)
			}
			if !utf8.ValidString(tt.err.Error()) {
				t.Errorf("message is not valid UTF-8")
			}
		})
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := make(map[string]bool)
	for i := range 200 {
		pw := GeneratePassword()
		if len(pw) != 16 {
			t.Fatalf("GeneratePassword() = %q, want 16 characters", pw)
		}
		if strings.ContainsAny(pw, "0O1lI") {
			t.Fatalf("GeneratePassword() = %q contains an ambiguous character", pw)
		}
		for _, r := range pw {
			if !strings.ContainsRune(passwordCharset, r) {
				t.Fatalf("GeneratePassword() = %q contains %q outside the alphabet", pw, r)
			}
		}
		if err := ValidatePasswordPolicy(pw); err != nil {
			t.Fatalf("GeneratePassword() = %q fails policy: %v", pw, err)
		}
		if seen[pw] {
			t.Fatalf("GeneratePassword() repeated %q after %d calls", pw, i)
		}
		seen[pw] = true
	}
}

func TestPasswordCharset(t *testing.T) {
	if strings.ContainsAny(passwordCharset, "0O1lI") {
		t.Fatalf("alphabet %q contains an ambiguous character", passwordCharset)
	}
	seen := make(map[rune]bool)
	for _, r := range passwordCharset {
		if seen[r] {
			t.Fatalf("alphabet %q repeats %q, which would bias generation", passwordCharset, r)
		}
		seen[r] = true
	}
	if got, want := len(passwordCharset), 26+26+10-5; got != want {
		t.Fatalf("alphabet has %d characters, want %d", got, want)
	}
}

func TestRandomStringCoversAlphabet(t *testing.T) {
	tests := []struct {
		name     string
		alphabet string
	}{
		{name: "password", alphabet: passwordCharset},
		{name: "recovery", alphabet: recoveryCharset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 100 draws per symbol: the chance any symbol is missing is
			// about len(alphabet) * e^-100, i.e. never.
			s := randomString(tt.alphabet, 100*len(tt.alphabet))
			counts := make(map[byte]int)
			for i := 0; i < len(s); i++ {
				counts[s[i]]++
			}
			if len(counts) != len(tt.alphabet) {
				t.Fatalf("saw %d distinct symbols, want %d", len(counts), len(tt.alphabet))
			}
			for c := range counts {
				if !strings.ContainsRune(tt.alphabet, rune(c)) {
					t.Fatalf("symbol %q is outside the alphabet", c)
				}
			}
		})
	}
}
