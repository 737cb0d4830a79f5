package seal

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenRoundTrip(t *testing.T) {
	k := testKeys(t, 1)
	now := time.Date(2026, 8, 19, 9, 30, 0, 123_000_000, time.UTC)
	for _, payload := range []string{"", "report-form:province=01", "tiếng Việt/?&=.", strings.Repeat("x", 1000)} {
		tok := k.SignToken(payload, now)
		if url.QueryEscape(tok) != tok {
			t.Errorf("token %q is not URL-safe", tok)
		}
		got, issued, err := k.VerifyToken(tok, now.Add(time.Minute), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if got != payload || !issued.Equal(now) {
			t.Errorf("VerifyToken = %q, %v; want %q, %v", got, issued, payload, now)
		}
	}
}

func TestTokenRejects(t *testing.T) {
	k := testKeys(t, 1)
	now := time.Date(2026, 8, 19, 9, 30, 0, 0, time.UTC)
	tok := k.SignToken("report-form", now)
	body, sig, _ := strings.Cut(tok, ".")

	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	oldTok := testKeys(t, 1).SignToken("report-form", now.Add(-time.Hour)) // genuine but old
	cases := []struct {
		name   string
		keys   *Keys
		token  string
		now    time.Time
		maxAge time.Duration
		want   error
	}{
		{"expired", k, tok, now.Add(time.Hour + time.Millisecond), time.Hour, ErrTokenExpired},
		{"old", k, oldTok, now, 30 * time.Minute, ErrTokenExpired},
		{"from the future", k, k.SignToken("p", now.Add(time.Hour)), now, time.Hour, ErrTokenInvalid},
		{"wrong key", testKeys(t, 2), tok, now, time.Hour, ErrTokenInvalid},
		{"body tampered", k, flip(body, 3) + "." + sig, now, time.Hour, ErrTokenInvalid},
		{"body tampered at end", k, flip(body, len(body)-1) + "." + sig, now, time.Hour, ErrTokenInvalid},
		{"signature tampered", k, body + "." + flip(sig, 0), now, time.Hour, ErrTokenInvalid},
		{"signature truncated", k, body + "." + sig[:len(sig)-1], now, time.Hour, ErrTokenInvalid},
		{"no signature", k, body, now, time.Hour, ErrTokenInvalid},
		{"extra part", k, tok + ".x", now, time.Hour, ErrTokenInvalid},
		{"empty", k, "", now, time.Hour, ErrTokenInvalid},
		{"huge", k, strings.Repeat("A", 5000) + "." + sig, now, time.Hour, ErrTokenInvalid},
		{"zero max age", k, tok, now, 0, ErrTokenInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, issued, err := tc.keys.VerifyToken(tc.token, tc.now, tc.maxAge)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if p != "" || !issued.IsZero() {
				t.Errorf("returned %q, %v alongside an error", p, issued)
			}
		})
	}

	// Exactly at the limit is still fine, and a little clock skew is tolerated.
	if _, _, err := k.VerifyToken(tok, now.Add(time.Hour), time.Hour); err != nil {
		t.Errorf("token at exactly max age: %v", err)
	}
	if _, _, err := k.VerifyToken(tok, now.Add(-10*time.Second), time.Hour); err != nil {
		t.Errorf("token issued slightly in the future: %v", err)
	}
}
