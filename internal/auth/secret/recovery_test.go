package secret

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	re := regexp.MustCompile(`^[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}$`)
	tests := []struct {
		name string
		n    int
		want int
	}{
		{name: "negative", n: -1, want: 0},
		{name: "zero", n: 0, want: 0},
		{name: "one", n: 1, want: 1},
		{name: "typical ten", n: 10, want: 10},
		{name: "many", n: 500, want: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			codes := NewRecoveryCodes(tt.n)
			if len(codes) != tt.want {
				t.Fatalf("NewRecoveryCodes(%d) returned %d codes, want %d", tt.n, len(codes), tt.want)
			}
			seen := make(map[string]bool, len(codes))
			for _, c := range codes {
				if !re.MatchString(c) {
					t.Fatalf("code %q does not match %s", c, re)
				}
				if NormalizeRecoveryCode(c) != c[:5]+c[6:] {
					t.Fatalf("code %q is not stable under normalization", c)
				}
				if seen[c] {
					t.Fatalf("duplicate code %q", c)
				}
				seen[c] = true
			}
		})
	}
}

func TestRecoveryCharset(t *testing.T) {
	if len(recoveryCharset) != 32 {
		t.Fatalf("recovery alphabet has %d symbols, want 32", len(recoveryCharset))
	}
	seen := make(map[rune]bool)
	for _, r := range recoveryCharset {
		if seen[r] {
			t.Fatalf("recovery alphabet repeats %q", r)
		}
		seen[r] = true
		if NormalizeRecoveryCode(string(r)) != string(r) {
			t.Fatalf("recovery alphabet symbol %q changes under normalization", r)
		}
		switch r {
		case '0', 'O', '1', 'l', 'I':
			t.Fatalf("recovery alphabet contains ambiguous %q", r)
		}
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "canonical", in: "ABCDE-FGHJK", want: "ABCDEFGHJK"},
		{name: "lower case", in: "abcde-fghjk", want: "ABCDEFGHJK"},
		{name: "no dash", in: "abcdefghjk", want: "ABCDEFGHJK"},
		{name: "spaces instead of dash", in: " abcde fghjk ", want: "ABCDEFGHJK"},
		{name: "many dashes and whitespace", in: "a-b-c\td\ne--fghjk", want: "ABCDEFGHJK"},
		{name: "empty", in: "", want: ""},
		{name: "only separators", in: " - - ", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeRecoveryCode(tt.in); got != tt.want {
				t.Errorf("NormalizeRecoveryCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHashToken(t *testing.T) {
	canonical := sha256.Sum256([]byte("ABCDEFGHJK"))
	tests := []struct {
		name string
		in   string
		want []byte
	}{
		{name: "formatted code", in: "ABCDE-FGHJK", want: canonical[:]},
		{name: "typed sloppily", in: " abcde fghjk\n", want: canonical[:]},
		{name: "normalized code", in: "ABCDEFGHJK", want: canonical[:]},
		// sha256("") — a well-known constant.
		{name: "empty", in: "", want: mustDecodeHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HashToken(tt.in); !bytes.Equal(got, tt.want) {
				t.Errorf("HashToken(%q) = %x, want %x", tt.in, got, tt.want)
			}
		})
	}
	if bytes.Equal(HashToken("ABCDE-FGHJK"), HashToken("ABCDE-FGHJM")) {
		t.Errorf("different codes hash the same")
	}
}

func TestNewSessionToken(t *testing.T) {
	seen := make(map[string]bool)
	hashes := make(map[string]bool)
	for range 200 {
		tok := NewSessionToken()
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			t.Fatalf("token %q is not raw URL base64: %v", tok, err)
		}
		if len(raw) != 32 || len(tok) != 43 {
			t.Fatalf("token %q: %d bytes / %d chars, want 32 / 43", tok, len(raw), len(tok))
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
		h := string(HashToken(tok))
		if len(h) != sha256.Size {
			t.Fatalf("HashToken length %d, want %d", len(h), sha256.Size)
		}
		if hashes[h] {
			t.Fatalf("token digests collide")
		}
		hashes[h] = true
	}
}

func mustDecodeHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
