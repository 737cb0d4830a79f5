package seal

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"toandan/internal/errs"
)

var (
	receiptRE  = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)
	trackingRE = regexp.MustCompile(`^TG-2026-[0-9A-HJKMNP-TV-Z]{8}$`)
)

func TestNewReceiptCode(t *testing.T) {
	const n = 10000
	seen := make(map[string]bool, n)
	for range n {
		c := NewReceiptCode()
		if !receiptRE.MatchString(c) {
			t.Fatalf("code %q does not match %s", c, receiptRE)
		}
		if seen[c] {
			t.Fatalf("duplicate code %q", c)
		}
		seen[c] = true
		if got, err := ParseReceiptCode(c); err != nil || got != c {
			t.Fatalf("ParseReceiptCode(%q) = %q, %v", c, got, err)
		}
	}
}

func TestParseReceiptCode(t *testing.T) {
	const canon = "7K3Q-9M2P-0AB1-XYZ0"
	valid := []string{
		canon,
		"7k3q-9m2p-0ab1-xyz0",
		"7K3Q9M2P0AB1XYZ0",
		"  7K3Q 9M2P 0AB1 XYZ0 ",
		"7K3Q - 9M2P - 0AB1 - XYZ0",
		"7K3Q-9M2P-OAB1-XYZO", // O for 0
		"7K3Q-9M2P-0ABI-XYZ0", // I for 1
		"7K3Q-9M2P-0ABl-XYZ0", // lower-case L for 1
		"\t7K3Q-9M2P-\n0AB1-XYZ0\r\n",
	}
	for _, in := range valid {
		got, err := ParseReceiptCode(in)
		if err != nil || got != canon {
			t.Errorf("ParseReceiptCode(%q) = %q, %v; want %q", in, got, err, canon)
		}
	}
	invalid := []string{
		"",
		"----",
		"7K3Q-9M2P-0AB1-XYZ",   // 15 symbols
		"7K3Q-9M2P-0AB1-XYZ01", // 17 symbols
		"7K3Q-9M2P-0AB1-XYZU",  // U is not Crockford
		"7K3Q-9M2P-0AB1-XYZ*",
		"7K3Q_9M2P_0AB1_XYZ0",
		"7K3Q-9M2P-0AB1-XYZı", // dotless i upper-cases to I in Unicode
		"７K3Q-9M2P-0AB1-XYZ0", // full-width digit
		strings.Repeat(" ", 200) + canon,
	}
	for _, in := range invalid {
		got, err := ParseReceiptCode(in)
		if err == nil {
			t.Errorf("ParseReceiptCode(%q) = %q, want error", in, got)
			continue
		}
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Invalid || e.Field != "receipt_code" || e.Message == "" {
			t.Errorf("ParseReceiptCode(%q) err = %#v, want errs.Field receipt_code", in, err)
		}
	}
}

func TestReceiptHash(t *testing.T) {
	k := testKeys(t, 1)
	code := NewReceiptCode()
	h := k.ReceiptHash(code)
	if len(h) != 32 {
		t.Fatalf("hash length %d", len(h))
	}
	if !bytes.Equal(h, k.ReceiptHash(code)) {
		t.Error("hash not stable")
	}
	if !bytes.Equal(h, testKeys(t, 1).ReceiptHash(code)) {
		t.Error("hash differs for the same master secret")
	}
	if !bytes.Equal(h, k.ReceiptHash(strings.ToLower(strings.ReplaceAll(code, "-", " ")))) {
		t.Error("hash differs for a non-canonical spelling of the same code")
	}
	if bytes.Equal(h, testKeys(t, 2).ReceiptHash(code)) {
		t.Error("hash is the same under another key")
	}
	if bytes.Equal(h, k.ReceiptHash(NewReceiptCode())) {
		t.Error("two codes hash the same")
	}
}

func TestNewTrackingCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := NewTrackingCode(2026)
		if !trackingRE.MatchString(c) {
			t.Fatalf("tracking code %q does not match %s", c, trackingRE)
		}
		if seen[c] {
			t.Fatalf("duplicate tracking code %q", c)
		}
		seen[c] = true
	}
}

func FuzzParseReceiptCode(f *testing.F) {
	for _, s := range []string{
		"", "7K3Q-9M2P-0AB1-XYZ0", "7k3q 9m2p oabi xyzl", "7K3Q-9M2P-0AB1-XYZU",
		"7K3Q-9M2P-0AB1-XYZ01", "----------------", "ıııı-ıııı-ıııı-ıııı",
		NewReceiptCode(), strings.Repeat("0", 129),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseReceiptCode(s)
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("error %v is not a domain error", err)
			}
			return
		}
		if !receiptRE.MatchString(got) {
			t.Fatalf("ParseReceiptCode(%q) = %q, not canonical", s, got)
		}
		if again, err := ParseReceiptCode(got); err != nil || again != got {
			t.Fatalf("canonical form %q does not parse to itself: %q, %v", got, again, err)
		}
	})
}
