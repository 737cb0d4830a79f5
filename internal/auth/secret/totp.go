package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// TOTP parameters (RFC 6238 defaults, which every authenticator app
// supports). They are also advertised in OTPAuthURI.
const (
	totpDigits    = 6
	totpModulus   = 1_000_000 // 10^totpDigits
	totpPeriod    = 30        // seconds per time step
	totpSkew      = 1         // steps accepted on either side of now
	totpSecretLen = 20        // bytes, the RFC 4226 recommended 160 bits
	minSecretLen  = 16        // bytes, the RFC 4226 minimum of 128 bits
)

// ErrInvalidTOTPSecret is wrapped by DecodeSecret when its input is not
// base32 or decodes to fewer than 16 bytes.
const ErrInvalidTOTPSecret Error = "secret: invalid TOTP secret"

// NewTOTPSecret returns a fresh random 20-byte (160-bit) TOTP shared secret.
func NewTOTPSecret() []byte {
	b := make([]byte, totpSecretLen)
	// crypto/rand.Read never fails since Go 1.24.
	_, _ = rand.Read(b)
	return b
}

// EncodeSecret renders a TOTP secret as uppercase standard base32 without
// padding, the form authenticator apps expect.
func EncodeSecret(secret []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
}

// DecodeSecret parses a base32 TOTP secret as produced by EncodeSecret or
// typed by a person: whitespace is ignored, lowercase is accepted and
// trailing padding is optional. What remains must be canonical base32 (what
// EncodeSecret would produce), and secrets shorter than 16 bytes (the RFC
// 4226 minimum) are rejected. Errors wrap ErrInvalidTOTPSecret.
func DecodeSecret(s string) ([]byte, error) {
	cleaned := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
	cleaned = strings.TrimRight(cleaned, "=")
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(cleaned)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidTOTPSecret, err)
	}
	// encoding/base32 silently drops a dangling final character and
	// ignores non-zero trailing bits; insist on the canonical form so a
	// mistyped or truncated secret is reported instead of half-used.
	if EncodeSecret(b) != cleaned {
		return nil, fmt.Errorf("%w: not canonical base32 (truncated or mistyped?)", ErrInvalidTOTPSecret)
	}
	if len(b) < minSecretLen {
		return nil, fmt.Errorf("%w: %d bytes, need at least %d", ErrInvalidTOTPSecret, len(b), minSecretLen)
	}
	return b, nil
}

// TOTPCode returns the 6-digit RFC 6238 code (HMAC-SHA1, 30-second step,
// T0 = Unix epoch) for secret at time t, zero-padded.
func TOTPCode(secret []byte, t time.Time) string {
	return hotp(secret, timeStep(t))
}

// VerifyTOTP checks a user-supplied code against secret at time now.
//
// Codes for the current time step and one step either side are accepted, to
// tolerate clock skew, but only for steps strictly greater than
// lastUsedStep, so a code can never be accepted twice. Pass the step
// returned by the last successful call as lastUsedStep (0 if none) and
// persist the new step on success. If the code matches more than one step in
// the window, the latest one is returned, which keeps the same code from
// being replayed against the other.
//
// Spaces in code are ignored ("123 456"); anything other than exactly six
// ASCII digits is rejected. Comparisons are constant-time. Secrets shorter
// than 16 bytes never verify. On failure step is 0.
func VerifyTOTP(secret []byte, code string, now time.Time, lastUsedStep int64) (step int64, ok bool) {
	if len(secret) < minSecretLen {
		return 0, false
	}
	code, valid := normalizeTOTPCode(code)
	if !valid {
		return 0, false
	}
	current := timeStep(now)
	// Check the whole window without returning early; ascending order
	// makes the last match the latest step.
	for s := current - totpSkew; s <= current+totpSkew; s++ {
		if subtle.ConstantTimeCompare([]byte(hotp(secret, s)), []byte(code)) == 1 {
			step, ok = s, true
		}
	}
	if !ok || step <= lastUsedStep {
		return 0, false
	}
	return step, true
}

// OTPAuthURI builds the otpauth:// provisioning URI (Google Authenticator
// key URI format) for enrolling secret in an authenticator app, usually
// shown as a QR code:
//
//	otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
//
// Issuer and account are percent-encoded (spaces as %20, and any ':' inside
// them as %3A so the label stays unambiguous). An empty issuer omits both
// the label prefix and the issuer parameter.
func OTPAuthURI(issuer, account string, secret []byte) string {
	var b strings.Builder
	b.WriteString("otpauth://totp/")
	if issuer != "" {
		b.WriteString(escapeLabelPart(issuer))
		b.WriteByte(':')
	}
	b.WriteString(escapeLabelPart(account))
	b.WriteString("?secret=")
	b.WriteString(EncodeSecret(secret))
	if issuer != "" {
		b.WriteString("&issuer=")
		b.WriteString(escapeQueryValue(issuer))
	}
	b.WriteString("&algorithm=SHA1&digits=")
	b.WriteString(strconv.Itoa(totpDigits))
	b.WriteString("&period=")
	b.WriteString(strconv.Itoa(totpPeriod))
	return b.String()
}

// timeStep returns floor(unix seconds / period) for t.
func timeStep(t time.Time) int64 {
	sec := t.Unix()
	step := sec / totpPeriod
	if sec%totpPeriod < 0 {
		step-- // floor, not truncation, before the epoch
	}
	return step
}

// hotp computes the RFC 4226 HOTP value for counter, as a zero-padded
// 6-digit string. Negative counters (times before 1970) are used as their
// two's complement, which is harmless because no real code lives there.
func hotp(secret []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, bin%totpModulus)
}

// normalizeTOTPCode strips whitespace and reports whether what is left is
// exactly totpDigits ASCII digits.
func normalizeTOTPCode(code string) (string, bool) {
	code = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, code)
	if len(code) != totpDigits {
		return "", false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", false
		}
	}
	return code, true
}

// escapeLabelPart percent-encodes an issuer or account name for the path
// of an otpauth URI. url.PathEscape leaves ':' alone, but ':' separates
// issuer from account in the label, so it is escaped too.
func escapeLabelPart(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
}

// escapeQueryValue percent-encodes a query value, using %20 rather than '+'
// for spaces as the key URI format specifies. A literal '+' has already
// become %2B, so the replacement is unambiguous.
func escapeQueryValue(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
