package secret

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Hash layout produced by HashPassword.
const (
	passwordSaltLen = 16 // bytes of random salt per hash
	passwordKeyLen  = 32 // bytes of derived key per hash
	argon2idPrefix  = "$argon2id$"
	phcFieldCount   = 6 // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
)

// Bounds accepted when decoding a stored hash (and for Params in general).
// They keep a corrupted or hostile encoding from making VerifyPassword
// allocate absurd amounts of memory or spin for minutes, and keep
// argon2.IDKey away from the inputs on which it panics.
const (
	minSaltLen    = 8       // PHC string format minimum
	maxSaltLen    = 64      // generous upper bound
	minKeyLen     = 16      // anything shorter is not worth verifying
	maxKeyLen     = 64      // generous upper bound
	maxMemoryKiB  = 1 << 20 // 1 GiB
	maxIterations = 16      // far above any sensible interactive cost
)

// Password policy and generation.
const (
	minPasswordLen = 10 // runes; keep in sync with ErrPasswordTooShort
	genPasswordLen = 16
	// passwordCharset is letters and digits without the look-alikes
	// 0, O, 1, l and I: 57 symbols, about 5.8 bits per character.
	passwordCharset = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
)

// MinPasswordLength is the fewest characters (code points) a staff password
// may have, for forms that say so before the password is sent.
const MinPasswordLength = minPasswordLen

// Errors returned by the password functions.
const (
	// ErrMalformedHash means an encoded password hash could not be parsed or
	// carries parameters outside the accepted bounds.
	ErrMalformedHash Error = "secret: malformed password hash"
	// ErrInvalidParams means a Params value cannot be used for hashing.
	ErrInvalidParams Error = "secret: invalid argon2id parameters"

	// ErrPasswordTooShort is returned by ValidatePasswordPolicy for
	// passwords shorter than 10 characters. Its message is user-facing.
	ErrPasswordTooShort Error = "Mật khẩu phải có ít nhất 10 ký tự."
	// ErrPasswordRepeated is returned by ValidatePasswordPolicy for
	// passwords made of a single repeated character. Its message is
	// user-facing.
	ErrPasswordRepeated Error = "Mật khẩu không được chỉ gồm một ký tự lặp lại."
)

// Params are the argon2id cost parameters recorded in every encoded hash.
type Params struct {
	MemoryKiB   uint32 // m: memory in KiB
	Iterations  uint32 // t: number of passes over the memory
	Parallelism uint8  // p: number of lanes
}

// DefaultParams returns the production cost: m=64 MiB, t=2, p=2. Hashes made
// with any other parameters are reported by VerifyPassword as needing a
// rehash.
func DefaultParams() Params {
	// OWASP's argon2id setting m=46 MiB, t=1, p=1: about 0.15 s a login on
	// one core of a small server, so a burst of logins cannot exhaust it.
	return Params{MemoryKiB: 46 * 1024, Iterations: 1, Parallelism: 1}
}

// FastParams returns a deliberately weak cost (m=64 KiB, t=1, p=1) so that
// tests can hash passwords quickly. Never use it in production.
func FastParams() Params {
	return Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
}

// validate reports whether p is within the bounds this package accepts.
func (p Params) validate() error {
	switch {
	case p.Parallelism < 1:
		return fmt.Errorf("parallelism must be at least 1, got %d", p.Parallelism)
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("iterations must be in [1, %d], got %d", maxIterations, p.Iterations)
	case p.MemoryKiB < 8*uint32(p.Parallelism) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("memory must be in [%d, %d] KiB, got %d",
			8*uint32(p.Parallelism), maxMemoryKiB, p.MemoryKiB)
	}
	return nil
}

// HashPassword hashes pw with argon2id under DefaultParams and returns the
// PHC string form, e.g.
//
//	$argon2id$v=19$m=47104,t=1,p=1$<salt>$<key>
//
// where salt (16 random bytes) and key (32 bytes) are unpadded standard
// base64. The password policy is not checked here; see
// ValidatePasswordPolicy.
func HashPassword(pw string) (string, error) {
	return HashPasswordWith(pw, DefaultParams())
}

// HashPasswordWith is HashPassword with explicit cost parameters.
func HashPasswordWith(pw string, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidParams, err)
	}
	salt := make([]byte, passwordSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("secret: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Iterations, p.MemoryKiB, p.Parallelism, passwordKeyLen)
	return encodeHash(p, salt, key), nil
}

// VerifyPassword checks pw against an encoded hash produced by HashPassword
// (or any conforming argon2id PHC string, version 19).
//
// ok reports whether the password matches; the comparison is constant-time.
// needsRehash is true only when ok is true and the hash was made with
// parameters, salt length or key length other than the current defaults;
// the caller should then store HashPassword(pw). err is non-nil (wrapping
// ErrMalformedHash) only when encoded cannot be parsed; a wrong password is
// not an error.
func VerifyPassword(encoded, pw string) (ok bool, needsRehash bool, err error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Iterations, p.MemoryKiB, p.Parallelism, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	needsRehash = p != DefaultParams() || len(salt) != passwordSaltLen || len(want) != passwordKeyLen
	return true, needsRehash, nil
}

// encodeHash renders the PHC string form of an argon2id hash.
func encodeHash(p Params, salt, key []byte) string {
	return fmt.Sprintf("%sv=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2idPrefix, argon2.Version, p.MemoryKiB, p.Iterations, p.Parallelism,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

// decodeHash parses the PHC string form strictly: argon2id only, version 19
// only, parameters exactly "m=..,t=..,p=.." in that order with canonical
// decimal numbers, and canonical unpadded standard base64.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	fail := func(format string, args ...any) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
	}
	if !strings.HasPrefix(encoded, argon2idPrefix) {
		return fail("not an argon2id PHC string")
	}
	fields := strings.Split(encoded, "$")
	if len(fields) != phcFieldCount {
		return fail("want %d $-separated fields, got %d", phcFieldCount, len(fields))
	}
	if want := "v=" + strconv.Itoa(argon2.Version); fields[2] != want {
		return fail("unsupported version field %q, want %q", fields[2], want)
	}

	kv := strings.Split(fields[3], ",")
	if len(kv) != 3 {
		return fail("want parameters m,t,p, got %q", fields[3])
	}
	m, err := parseParam(kv[0], "m", 32)
	if err != nil {
		return Params{}, nil, nil, err
	}
	t, err := parseParam(kv[1], "t", 32)
	if err != nil {
		return Params{}, nil, nil, err
	}
	par, err := parseParam(kv[2], "p", 8)
	if err != nil {
		return Params{}, nil, nil, err
	}
	p = Params{MemoryKiB: uint32(m), Iterations: uint32(t), Parallelism: uint8(par)}
	if err := p.validate(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}

	b64 := base64.RawStdEncoding.Strict()
	salt, err = b64.DecodeString(fields[4])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: salt: %w", ErrMalformedHash, err)
	}
	if len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return fail("salt length %d outside [%d, %d]", len(salt), minSaltLen, maxSaltLen)
	}
	key, err = b64.DecodeString(fields[5])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: key: %w", ErrMalformedHash, err)
	}
	if len(key) < minKeyLen || len(key) > maxKeyLen {
		return fail("key length %d outside [%d, %d]", len(key), minKeyLen, maxKeyLen)
	}
	return p, salt, key, nil
}

// parseParam parses one "name=value" PHC parameter whose value must be a
// canonical unsigned decimal (no sign, no leading zeros) fitting in bits.
func parseParam(field, name string, bits int) (uint64, error) {
	value, found := strings.CutPrefix(field, name+"=")
	if !found {
		return 0, fmt.Errorf("%w: want parameter %q, got %q", ErrMalformedHash, name, field)
	}
	n, err := strconv.ParseUint(value, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%w: parameter %s: %w", ErrMalformedHash, name, err)
	}
	if strconv.FormatUint(n, 10) != value {
		return 0, fmt.Errorf("%w: parameter %s: non-canonical number %q", ErrMalformedHash, name, value)
	}
	return n, nil
}

// ValidatePasswordPolicy checks a candidate staff password: at least 10
// characters (counted as Unicode code points, so "Mậtkhẩu123" counts 10) and
// not a single character repeated. The returned error is ErrPasswordTooShort
// or ErrPasswordRepeated, whose messages are Vietnamese and can be shown to
// the user verbatim.
func ValidatePasswordPolicy(pw string) error {
	if utf8.RuneCountInString(pw) < minPasswordLen {
		return ErrPasswordTooShort
	}
	first, _ := utf8.DecodeRuneInString(pw)
	for _, r := range pw {
		if r != first {
			return nil
		}
	}
	return ErrPasswordRepeated
}

// GeneratePassword returns a random 16-character password drawn uniformly
// from letters and digits without the look-alikes 0, O, 1, l and I (about 93
// bits of entropy). The result always satisfies ValidatePasswordPolicy.
func GeneratePassword() string {
	for {
		pw := randomString(passwordCharset, genPasswordLen)
		if ValidatePasswordPolicy(pw) == nil {
			return pw
		}
	}
}

// randomString returns n characters drawn uniformly from alphabet (ASCII,
// at most 256 characters) using crypto/rand and rejection sampling, so there
// is no modulo bias.
func randomString(alphabet string, n int) string {
	size := len(alphabet)
	limit := 256 - 256%size // bytes >= limit would bias the result
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	for len(out) < n {
		// crypto/rand.Read never fails since Go 1.24; it aborts the
		// program instead of returning short or predictable output.
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, alphabet[int(b)%size])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}
