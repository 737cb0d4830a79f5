package abuse

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"

	"toandan/internal/clock"
	"toandan/internal/errs"
)

// The proof-of-work format, shared with pow.js — change both or neither.
//
// A challenge is
//
//	v1.<issued, Unix seconds, decimal>.<16 random bytes, base64url>.<mac>
//
// where mac is base64url (no padding) of HMAC-SHA256(Key, "v1.<issued>.<random>").
// Only the characters A–Z a–z 0–9 - _ . occur, so it travels unescaped in HTML
// and forms. A nonce is a decimal integer (pow.js counts 0, 1, 2…), at most 20
// digits. The work is done when
//
//	SHA-256(UTF-8(challenge + ":" + nonce))
//
// starts with at least Difficulty zero bits, counted from the most
// significant bit of the first byte.

// Script is pow.js, the browser half of PoW. Serve it as a static file at a
// path of your choosing, with Content-Type text/javascript.
//
//go:embed pow.js
var Script []byte

// ScriptSHA256 is the standard base64 of SHA-256(Script), for a CSP
// 'sha256-…' source or an integrity="sha256-…" attribute.
var ScriptSHA256 = func() string {
	s := sha256.Sum256(Script)
	return base64.StdEncoding.EncodeToString(s[:])
}()

const (
	// DefaultTTL is how long a challenge stays good when PoW.TTL is 0: long
	// enough for a citizen to write a report on a phone.
	DefaultTTL = 2 * time.Hour
	// clockSkew tolerates challenges issued by another server whose clock is
	// a little ahead.
	clockSkew      = time.Minute
	maxSeen        = MaxKeys
	maxChallenge   = 128
	maxNonceDigits = 20
	randomBytes    = 16
)

// PoW issues and checks proof-of-work challenges. Issuing keeps no state;
// Verify remembers the challenges it accepted until they expire, so each is
// good once (per process). Set the fields before first use and do not copy a
// PoW after it.
type PoW struct {
	Key        []byte        // HMAC key, at least 16 bytes; every server the same
	Difficulty int           // leading zero bits required; 0 turns the check off
	TTL        time.Duration // how long a challenge is good; 0 means DefaultTTL
	clock.Clock

	mu   sync.Mutex
	seen map[[randomBytes]byte]time.Time // accepted challenge → its expiry
	fifo []seenEntry                     // the same, in order of acceptance
	head int
}

type seenEntry struct {
	id  [randomBytes]byte
	exp time.Time
}

// Issue returns a fresh challenge to put in the form's pow_challenge field.
// It panics if Key is shorter than 16 bytes.
func (p *PoW) Issue() (challenge string) {
	if len(p.Key) < 16 {
		panic("abuse: PoW.Key must be at least 16 bytes")
	}
	var r [randomBytes]byte
	rand.Read(r[:])
	body := "v1." + strconv.FormatInt(p.now().Unix(), 10) + "." + base64.RawURLEncoding.EncodeToString(r[:])
	return body + "." + base64.RawURLEncoding.EncodeToString(p.mac(body))
}

// Verify checks that nonce solves challenge: the signature is ours, the
// challenge is at most TTL old and not yet used, and the hash has enough
// leading zero bits. With Difficulty 0 it accepts anything, even an empty
// nonce. Errors are errs.Field("pow", …) with a message fit for a citizen.
func (p *PoW) Verify(challenge, nonce string) error {
	if p.Difficulty <= 0 {
		return nil
	}
	if challenge == "" || nonce == "" {
		return errs.Field("pow", "Thiếu kết quả kiểm tra chống gửi tự động. Vui lòng tải lại trang và gửi lại.")
	}
	invalid := errs.Field("pow", "Mã kiểm tra chống gửi tự động không hợp lệ. Vui lòng tải lại trang và gửi lại.")
	if len(challenge) > maxChallenge || len(nonce) > maxNonceDigits || !digits(nonce) {
		return invalid
	}
	body, sig, ok := cutLast(challenge, ".")
	if !ok {
		return invalid
	}
	parts := strings.Split(body, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return invalid
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, p.mac(body)) {
		return invalid
	}
	// Signed by us, so what follows is well formed; check it all the same.
	secs, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return invalid
	}
	var id [randomBytes]byte
	if n, err := base64.RawURLEncoding.Decode(id[:], []byte(parts[2])); err != nil || n != randomBytes {
		return invalid
	}
	now, issued := p.now(), time.Unix(secs, 0)
	exp := issued.Add(p.ttl())
	if issued.After(now.Add(clockSkew)) {
		return invalid
	}
	if !now.Before(exp) {
		return errs.Field("pow", "Mã kiểm tra chống gửi tự động đã hết hạn. Vui lòng tải lại trang và gửi lại.")
	}
	if leadingZeroBits(sha256.Sum256([]byte(challenge+":"+nonce))) < p.Difficulty {
		return errs.Field("pow", "Kết quả kiểm tra chống gửi tự động không đúng. Vui lòng tải lại trang và gửi lại.")
	}
	if !p.markSeen(id, exp, now) {
		return errs.Field("pow", "Biểu mẫu này đã được gửi. Vui lòng tải lại trang nếu muốn gửi lại.")
	}
	return nil
}

// Solve finds a nonce for challenge at difficulty, as pow.js does: the
// smallest decimal integer that works. For tests and load-test clients.
func Solve(challenge string, difficulty int) string {
	buf := []byte(challenge + ":")
	prefix := len(buf)
	for n := uint64(0); ; n++ {
		buf = strconv.AppendUint(buf[:prefix], n, 10)
		if leadingZeroBits(sha256.Sum256(buf)) >= difficulty {
			return string(buf[prefix:])
		}
	}
}

// markSeen records id as used until exp and reports whether it was new. The
// record is bounded: past maxSeen the oldest entries go, and with them the
// memory of those challenges — reopening one costs a flood of maxSeen solved
// challenges first.
func (p *PoW) markSeen(id [randomBytes]byte, exp, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil {
		p.seen = map[[randomBytes]byte]time.Time{}
	}
	for p.head < len(p.fifo) && (len(p.seen) >= maxSeen || !now.Before(p.fifo[p.head].exp)) {
		delete(p.seen, p.fifo[p.head].id)
		p.head++
	}
	if p.head > len(p.fifo)/2 {
		p.fifo = append(p.fifo[:0], p.fifo[p.head:]...)
		p.head = 0
	}
	if _, ok := p.seen[id]; ok {
		return false
	}
	p.seen[id] = exp
	p.fifo = append(p.fifo, seenEntry{id, exp})
	return true
}

func (p *PoW) mac(body string) []byte {
	m := hmac.New(sha256.New, p.Key)
	m.Write([]byte(body))
	return m.Sum(nil)
}

func (p *PoW) now() time.Time {
	if p.Clock == nil {
		return time.Now()
	}
	return p.Clock.Now()
}

func (p *PoW) ttl() time.Duration {
	if p.TTL <= 0 {
		return DefaultTTL
	}
	return p.TTL
}

func leadingZeroBits(sum [sha256.Size]byte) int {
	n := 0
	for _, b := range sum {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
