package abuse

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/errs"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func newPoW(clk clock.Clock, difficulty int) *PoW {
	return &PoW{Key: testKey, Difficulty: difficulty, TTL: time.Hour, Clock: clk}
}

func TestPoW(t *testing.T) {
	tests := []struct {
		name string
		// run gets a fresh PoW at difficulty 12 and its clock; it returns
		// what to verify.
		run     func(p *PoW, clk *clock.Fixed) (challenge, nonce string)
		wantErr string // substring of the message; "" for success
	}{
		{"solved", func(p *PoW, clk *clock.Fixed) (string, string) {
			c := p.Issue()
			return c, Solve(c, 12)
		}, ""},
		{"solved just before expiry", func(p *PoW, clk *clock.Fixed) (string, string) {
			c := p.Issue()
			clk.Advance(time.Hour - time.Second)
			return c, Solve(c, 12)
		}, ""},
		{"wrong nonce", func(p *PoW, clk *clock.Fixed) (string, string) {
			c := p.Issue()
			return c, wrongNonce(c, 12)
		}, "không đúng"},
		{"nonce not a number", func(p *PoW, clk *clock.Fixed) (string, string) {
			c := p.Issue()
			return c, "12a"
		}, "không hợp lệ"},
		{"empty nonce", func(p *PoW, clk *clock.Fixed) (string, string) {
			return p.Issue(), ""
		}, "Thiếu"},
		{"expired", func(p *PoW, clk *clock.Fixed) (string, string) {
			c := p.Issue()
			clk.Advance(time.Hour)
			return c, Solve(c, 12)
		}, "hết hạn"},
		{"from the future", func(p *PoW, clk *clock.Fixed) (string, string) {
			clk.Advance(time.Hour)
			c := p.Issue()
			clk.Advance(-time.Hour)
			return c, Solve(c, 12)
		}, "không hợp lệ"},
		{"time stamp tampered", func(p *PoW, clk *clock.Fixed) (string, string) {
			c := p.Issue()
			parts := strings.Split(c, ".")
			parts[1] = "9" + parts[1][1:]
			c = strings.Join(parts, ".")
			return c, Solve(c, 12)
		}, "không hợp lệ"},
		{"random part tampered", func(p *PoW, clk *clock.Fixed) (string, string) {
			c := p.Issue()
			parts := strings.Split(c, ".")
			parts[2] = flip(parts[2])
			c = strings.Join(parts, ".")
			return c, Solve(c, 12)
		}, "không hợp lệ"},
		{"signed with another key", func(p *PoW, clk *clock.Fixed) (string, string) {
			other := newPoW(clk, 12)
			other.Key = bytes.Repeat([]byte("x"), 32)
			c := other.Issue()
			return c, Solve(c, 12)
		}, "không hợp lệ"},
		{"replayed", func(p *PoW, clk *clock.Fixed) (string, string) {
			c := p.Issue()
			n := Solve(c, 12)
			if err := p.Verify(c, n); err != nil {
				panic(err)
			}
			clk.Advance(time.Minute)
			return c, n
		}, "đã được gửi"},
		{"replayed with another nonce", func(p *PoW, clk *clock.Fixed) (string, string) {
			c := p.Issue()
			n := Solve(c, 12)
			if err := p.Verify(c, n); err != nil {
				panic(err)
			}
			return c, anotherNonce(c, 12, n)
		}, "đã được gửi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFixed(t0)
			p := newPoW(clk, 12)
			c, n := tt.run(p, clk)
			err := p.Verify(c, n)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			e, ok := errs.As(err)
			if !ok || e.Field != "pow" || e.Code != errs.Invalid || !strings.Contains(e.Message, tt.wantErr) {
				t.Fatalf("Verify = %v, want a pow field error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestPoWDifficultyZero(t *testing.T) {
	p := newPoW(clock.NewFixed(t0), 0)
	for _, c := range []string{"", "junk", p.Issue()} {
		if err := p.Verify(c, ""); err != nil {
			t.Errorf("Verify(%q, \"\") at difficulty 0: %v", c, err)
		}
	}
}

func TestPoWDifficultyIsEnforced(t *testing.T) {
	// A nonce good for 4 bits but not 12 must be refused at 12.
	clk := clock.NewFixed(t0)
	p := newPoW(clk, 12)
	for range 20 {
		c := p.Issue()
		n := Solve(c, 4)
		sum := sha256.Sum256([]byte(c + ":" + n))
		if leadingZeroBits(sum) >= 12 {
			continue
		}
		if err := p.Verify(c, n); err == nil {
			t.Fatal("a 4-bit solution passed at difficulty 12")
		}
		return
	}
	t.Fatal("no weak solution found")
}

func TestPoWReplayConcurrent(t *testing.T) {
	clk := clock.NewFixed(t0)
	p := newPoW(clk, 8)
	c := p.Issue()
	n := Solve(c, 8)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if p.Verify(c, n) == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if got := ok.Load(); got != 1 {
		t.Fatalf("%d concurrent verifications of one challenge passed, want 1", got)
	}
}

func TestPoWSeenSetBounded(t *testing.T) {
	clk := clock.NewFixed(t0)
	p := newPoW(clk, 1)
	for range 3 {
		c := p.Issue()
		if err := p.Verify(c, Solve(c, 1)); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(time.Hour)
	c := p.Issue()
	if err := p.Verify(c, Solve(c, 1)); err != nil {
		t.Fatal(err)
	}
	if n := len(p.seen); n != 1 {
		t.Fatalf("seen-set holds %d challenges after expiry, want 1", n)
	}
}

func TestSolveFormat(t *testing.T) {
	// The format pow.js follows: the smallest decimal nonce, hashed as
	// challenge + ":" + nonce.
	c := "v1.1772352000.AAAAAAAAAAAAAAAAAAAAAA.sig"
	n := Solve(c, 8)
	for i := 0; ; i++ {
		sum := sha256.Sum256([]byte(c + ":" + itoa(i)))
		if leadingZeroBits(sum) >= 8 {
			if n != itoa(i) {
				t.Fatalf("Solve = %s, want the smallest nonce %d", n, i)
			}
			break
		}
	}
}

func TestIssueFormat(t *testing.T) {
	p := newPoW(clock.NewFixed(t0), 12)
	c := p.Issue()
	parts := strings.Split(c, ".")
	if len(parts) != 4 || parts[0] != "v1" || parts[1] != "1772352000" {
		t.Fatalf("challenge %q not v1.<unix>.<random>.<mac>", c)
	}
	if c2 := p.Issue(); c2 == c {
		t.Fatal("two challenges alike")
	}
	for _, r := range c {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			t.Fatalf("challenge %q has %q", c, r)
		}
	}
}

func TestScriptEmbedded(t *testing.T) {
	if len(Script) == 0 || len(Script) >= 3072 {
		t.Fatalf("pow.js is %d bytes, want 1..3071", len(Script))
	}
	sum := sha256.Sum256(Script)
	if ScriptSHA256 != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatal("ScriptSHA256 does not match Script")
	}
	for _, s := range []string{`form[data-pow]`, `input[name=pow_challenge]`, `input[name=pow_nonce]`, `[data-pow-status]`, `prefix = ch.value + ":"`} {
		if !bytes.Contains(Script, []byte(s)) {
			t.Errorf("pow.js lacks %s", s)
		}
	}
}

func FuzzVerify(f *testing.F) {
	clk := clock.NewFixed(t0)
	p := newPoW(clk, 4)
	c := p.Issue()
	f.Add(c, Solve(c, 4))
	f.Add(c, "")
	f.Add("", "")
	f.Add("v1...", "0")
	f.Add("v1.-1.AAAAAAAAAAAAAAAAAAAAAA."+strings.Repeat("A", 43), "1")
	f.Add("v1.99999999999999999999.x.y", "99999999999999999999")
	f.Add(strings.Repeat(".", 200), "0")
	f.Fuzz(func(t *testing.T, challenge, nonce string) {
		err := p.Verify(challenge, nonce)
		if err == nil {
			// Only a challenge we signed can pass.
			if !strings.HasPrefix(challenge, "v1.") || len(challenge) > maxChallenge {
				t.Fatalf("accepted %q", challenge)
			}
			return
		}
		if e, ok := errs.As(err); !ok || e.Field != "pow" {
			t.Fatalf("Verify error %v is not a pow field error", err)
		}
	})
}

// wrongNonce returns a nonce that does not solve c.
func wrongNonce(c string, difficulty int) string {
	for i := 0; ; i++ {
		if leadingZeroBits(sha256.Sum256([]byte(c+":"+itoa(i)))) < difficulty {
			return itoa(i)
		}
	}
}

// anotherNonce returns a solution of c other than n.
func anotherNonce(c string, difficulty int, n string) string {
	for i := 0; ; i++ {
		if s := itoa(i); s != n && leadingZeroBits(sha256.Sum256([]byte(c+":"+s))) >= difficulty {
			return s
		}
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func itoa(i int) string { return strconv.Itoa(i) }
