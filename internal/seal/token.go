package seal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Form token layout: base64url(version || issued Unix milliseconds ||
// payload) "." base64url(HMAC-SHA256 of the first part). Both parts use the
// unpadded URL alphabet, so a token fits in a URL, a cookie or a hidden
// form field as is.
const (
	tokenV1        byte = 1
	tokenHeaderLen      = 1 + 8
	// maxTokenLen bounds the work done on hostile input.
	maxTokenLen = 4096
	// maxTokenSkew tolerates clocks a little apart between app servers.
	maxTokenSkew = 30 * time.Second
)

// Errors about form tokens.
const (
	// ErrTokenInvalid means a token is malformed, was not signed with this
	// server's key, was altered, or claims to be issued in the future.
	ErrTokenInvalid Error = "seal: invalid token"
	// ErrTokenExpired means a genuine token is older than the allowed age.
	ErrTokenExpired Error = "seal: token expired"
)

// SignToken returns a URL-safe token carrying payload and the time now,
// signed with the tokens subkey. The payload is readable by whoever holds
// the token; it is authenticated, not secret. Callers should start payloads
// with a purpose (e.g. "report-form:") so a token made for one use is not
// accepted by another.
func (k *Keys) SignToken(payload string, now time.Time) string {
	body := make([]byte, tokenHeaderLen, tokenHeaderLen+len(payload))
	body[0] = tokenV1
	binary.BigEndian.PutUint64(body[1:], uint64(now.UnixMilli()))
	body = append(body, payload...)
	b64 := base64.RawURLEncoding.EncodeToString(body)
	return b64 + "." + base64.RawURLEncoding.EncodeToString(k.tokenMAC(b64))
}

// VerifyToken checks a token made by SignToken and returns its payload and
// issue time. It fails with ErrTokenInvalid for anything not signed by this
// key or altered, and with ErrTokenExpired when the token is older than
// maxAge at now. maxAge must be positive.
func (k *Keys) VerifyToken(token string, now time.Time, maxAge time.Duration) (payload string, issued time.Time, err error) {
	if maxAge <= 0 {
		return "", time.Time{}, fmt.Errorf("%w: max age %v is not positive", ErrTokenInvalid, maxAge)
	}
	if len(token) > maxTokenLen {
		return "", time.Time{}, ErrTokenInvalid
	}
	b64, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", time.Time{}, ErrTokenInvalid
	}
	mac, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(mac, k.tokenMAC(b64)) {
		return "", time.Time{}, ErrTokenInvalid
	}
	// Authentic from here on: the body is what this server signed.
	body, err := base64.RawURLEncoding.Strict().DecodeString(b64)
	if err != nil || len(body) < tokenHeaderLen || body[0] != tokenV1 {
		return "", time.Time{}, ErrTokenInvalid
	}
	issued = time.UnixMilli(int64(binary.BigEndian.Uint64(body[1:tokenHeaderLen])))
	if issued.After(now.Add(maxTokenSkew)) {
		return "", time.Time{}, ErrTokenInvalid
	}
	if now.Sub(issued) > maxAge {
		return "", time.Time{}, ErrTokenExpired
	}
	return string(body[tokenHeaderLen:]), issued, nil
}

func (k *Keys) tokenMAC(body string) []byte {
	m := hmac.New(sha256.New, k.tokens)
	m.Write([]byte(body))
	return m.Sum(nil)
}

// Subkey derives a further 32-byte key for a named purpose (keying client
// addresses before counting them, signing proof-of-work challenges), so that
// every server sharing the key file derives the same keys and no purpose
// reuses another's key.
func (k *Keys) Subkey(label string) []byte {
	m := hmac.New(sha256.New, k.tokens)
	m.Write([]byte("toandan/subkey/" + label))
	return m.Sum(nil)
}
