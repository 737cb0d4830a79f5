package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"unicode"
)

// Recovery code and session token layout.
const (
	// recoveryCharset is the unambiguous alphabet restricted to upper case,
	// because NormalizeRecoveryCode upper-cases its input: digits 2-9 and
	// letters without I and O. 32 symbols, 5 bits per character.
	recoveryCharset  = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	recoveryGroupLen = 5 // characters per dash-separated group
	recoveryCodeLen  = 2 * recoveryGroupLen
	sessionTokenLen  = 32 // random bytes per session token
)

// NewRecoveryCodes returns n distinct one-time recovery codes of the form
// XXXXX-XXXXX, each 10 characters (50 bits) drawn from digits 2-9 and upper
// case letters without I and O. It returns nil when n <= 0. Store only
// HashToken of each code.
func NewRecoveryCodes(n int) []string {
	if n <= 0 {
		return nil
	}
	codes := make([]string, 0, n)
	seen := make(map[string]struct{}, n)
	for len(codes) < n {
		raw := randomString(recoveryCharset, recoveryCodeLen)
		if _, dup := seen[raw]; dup {
			continue
		}
		seen[raw] = struct{}{}
		codes = append(codes, raw[:recoveryGroupLen]+"-"+raw[recoveryGroupLen:])
	}
	return codes
}

// NormalizeRecoveryCode puts a typed recovery code into canonical form:
// upper case, with all whitespace and dashes removed, so " abcde-fghij "
// becomes "ABCDEFGHIJ".
func NormalizeRecoveryCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}

// HashToken returns the SHA-256 digest of NormalizeRecoveryCode(s). It is
// the at-rest form of both recovery codes and session tokens: store and look
// up the digest, never the token itself. A fast hash is sufficient because
// the inputs are high-entropy random values, not passwords.
//
// Because of the normalization, session tokens are matched
// case-insensitively and with '-' ignored. That costs some entropy, but a
// NewSessionToken value still keeps well over 200 of its 256 bits.
func HashToken(s string) []byte {
	sum := sha256.Sum256([]byte(NormalizeRecoveryCode(s)))
	return sum[:]
}

// NewSessionToken returns a fresh opaque session token: 32 random bytes as
// unpadded URL-safe base64 (43 characters). Store only SessionHash of it.
func NewSessionToken() string {
	b := make([]byte, sessionTokenLen)
	// crypto/rand.Read never fails since Go 1.24.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SessionHash is how a session token is stored: its plain SHA-256, with no
// normalisation, so every bit of the token counts.
func SessionHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
