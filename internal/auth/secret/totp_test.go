package secret

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA1 seed of RFC 6238 Appendix B.
var rfcSecret = []byte("12345678901234567890")

// stepTime returns a moment in the middle of TOTP time step s.
func stepTime(s int64) time.Time {
	return time.Unix(s*30+15, 0)
}

func TestTOTPCodeRFC6238(t *testing.T) {
	// RFC 6238 Appendix B, SHA1 rows. The RFC lists 8-digit codes; the
	// 6-digit code is the last six digits of each.
	tests := []struct {
		unix  int64
		rfc8  string
		want6 string
	}{
		{unix: 59, rfc8: "94287082", want6: "287082"},
		{unix: 1111111109, rfc8: "07081804", want6: "081804"},
		{unix: 1111111111, rfc8: "14050471", want6: "050471"},
		{unix: 1234567890, rfc8: "89005924", want6: "005924"},
		{unix: 2000000000, rfc8: "69279037", want6: "279037"},
		{unix: 20000000000, rfc8: "65353130", want6: "353130"},
	}
	for _, tt := range tests {
		t.Run(time.Unix(tt.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			if tt.rfc8[2:] != tt.want6 {
				t.Fatalf("bad table row: %s does not end in %s", tt.rfc8, tt.want6)
			}
			if got := TOTPCode(rfcSecret, time.Unix(tt.unix, 0)); got != tt.want6 {
				t.Errorf("TOTPCode(t=%d) = %q, want %q", tt.unix, got, tt.want6)
			}
			// The same instant in another zone is the same code.
			loc := time.FixedZone("ICT", 7*3600)
			if got := TOTPCode(rfcSecret, time.Unix(tt.unix, 0).In(loc)); got != tt.want6 {
				t.Errorf("TOTPCode(t=%d in ICT) = %q, want %q", tt.unix, got, tt.want6)
			}
			// And the vector verifies at its own time.
			step, ok := VerifyTOTP(rfcSecret, tt.want6, time.Unix(tt.unix, 0), 0)
			if !ok || step != tt.unix/30 {
				t.Errorf("VerifyTOTP(t=%d) = (%d, %v), want (%d, true)", tt.unix, step, ok, tt.unix/30)
			}
		})
	}
}

func TestTimeStep(t *testing.T) {
	tests := []struct {
		unix int64
		want int64
	}{
		{unix: 0, want: 0},
		{unix: 29, want: 0},
		{unix: 30, want: 1},
		{unix: 59, want: 1},
		{unix: 1111111109, want: 37037036},
		{unix: 1111111111, want: 37037037},
		{unix: -1, want: -1},
		{unix: -30, want: -1},
		{unix: -31, want: -2},
	}
	for _, tt := range tests {
		t.Run(time.Unix(tt.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			if got := timeStep(time.Unix(tt.unix, 0)); got != tt.want {
				t.Errorf("timeStep(%d) = %d, want %d", tt.unix, got, tt.want)
			}
		})
	}
}

func TestVerifyTOTPSkew(t *testing.T) {
	const now = int64(1_700_000_000)
	cur := now / 30
	at := time.Unix(now, 0)
	tests := []struct {
		name     string
		codeStep int64
		wantOK   bool
	}{
		{name: "current step", codeStep: cur, wantOK: true},
		{name: "one step behind", codeStep: cur - 1, wantOK: true},
		{name: "one step ahead", codeStep: cur + 1, wantOK: true},
		{name: "two steps behind", codeStep: cur - 2},
		{name: "two steps ahead", codeStep: cur + 2},
		{name: "an hour old", codeStep: cur - 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := TOTPCode(rfcSecret, stepTime(tt.codeStep))
			// Guard against a chance collision with an in-window code
			// making a negative case pass for the wrong reason.
			if !tt.wantOK {
				for s := cur - 1; s <= cur+1; s++ {
					if TOTPCode(rfcSecret, stepTime(s)) == code {
						t.Skipf("code %s of step %d collides with step %d", code, tt.codeStep, s)
					}
				}
			}
			step, ok := VerifyTOTP(rfcSecret, code, at, 0)
			if ok != tt.wantOK {
				t.Fatalf("VerifyTOTP(code of step %d) ok = %v, want %v", tt.codeStep, ok, tt.wantOK)
			}
			want := int64(0)
			if tt.wantOK {
				want = tt.codeStep
			}
			if step != want {
				t.Errorf("VerifyTOTP(code of step %d) step = %d, want %d", tt.codeStep, step, want)
			}
		})
	}
}

func TestVerifyTOTPReplay(t *testing.T) {
	const now = int64(1_700_000_000)
	cur := now / 30
	at := time.Unix(now, 0)
	tests := []struct {
		name     string
		codeStep int64
		lastUsed int64
		wantOK   bool
	}{
		{name: "never used", codeStep: cur, lastUsed: 0, wantOK: true},
		{name: "negative last used", codeStep: cur, lastUsed: -1, wantOK: true},
		{name: "previous step used", codeStep: cur, lastUsed: cur - 1, wantOK: true},
		{name: "same step replayed", codeStep: cur, lastUsed: cur},
		{name: "older step after newer used", codeStep: cur - 1, lastUsed: cur},
		{name: "current after future step used", codeStep: cur, lastUsed: cur + 1},
		{name: "future step after current used", codeStep: cur + 1, lastUsed: cur, wantOK: true},
		{name: "future step replayed", codeStep: cur + 1, lastUsed: cur + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := TOTPCode(rfcSecret, stepTime(tt.codeStep))
			step, ok := VerifyTOTP(rfcSecret, code, at, tt.lastUsed)
			if ok != tt.wantOK {
				t.Fatalf("VerifyTOTP(step %d, lastUsed %d) ok = %v, want %v", tt.codeStep, tt.lastUsed, ok, tt.wantOK)
			}
			if ok && step != tt.codeStep {
				t.Errorf("VerifyTOTP step = %d, want %d", step, tt.codeStep)
			}
		})
	}
}

func TestVerifyTOTPReplaySequence(t *testing.T) {
	// A code accepted once is refused for the rest of its validity window,
	// even as the clock moves on.
	start := int64(1_700_000_000)
	code := TOTPCode(rfcSecret, time.Unix(start, 0))
	step, ok := VerifyTOTP(rfcSecret, code, time.Unix(start, 0), 0)
	if !ok {
		t.Fatalf("first use rejected")
	}
	for _, delay := range []int64{0, 1, 29, 30, 45} {
		t.Run(time.Duration(delay*int64(time.Second)).String(), func(t *testing.T) {
			if _, ok := VerifyTOTP(rfcSecret, code, time.Unix(start+delay, 0), step); ok {
				t.Errorf("replay accepted %ds later", delay)
			}
		})
	}
}

// Steps 57017782 and 57017784 share the code 882938 for the RFC secret, and
// steps 57766335 and 57766336 share 251166 (found by exhaustive search).
// When a code matches twice in the window the later step must be returned;
// returning the earlier one would let the same code be accepted again.
func TestVerifyTOTPCollidingSteps(t *testing.T) {
	tests := []struct {
		name        string
		code        string
		early, late int64
		now         int64 // step whose window holds both
	}{
		{name: "two apart", code: "882938", early: 57017782, late: 57017784, now: 57017783},
		{name: "adjacent", code: "251166", early: 57766335, late: 57766336, now: 57766335},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []int64{tt.early, tt.late} {
				if got := TOTPCode(rfcSecret, stepTime(s)); got != tt.code {
					t.Fatalf("TOTPCode(step %d) = %s, want %s", s, got, tt.code)
				}
			}
			step, ok := VerifyTOTP(rfcSecret, tt.code, stepTime(tt.now), 0)
			if !ok || step != tt.late {
				t.Fatalf("VerifyTOTP = (%d, %v), want (%d, true)", step, ok, tt.late)
			}
			if _, ok := VerifyTOTP(rfcSecret, tt.code, stepTime(tt.now), step); ok {
				t.Errorf("same code accepted twice")
			}
			// If only the earlier step was used, the later one is still
			// a legitimate, unused code.
			step, ok = VerifyTOTP(rfcSecret, tt.code, stepTime(tt.now), tt.early)
			if !ok || step != tt.late {
				t.Errorf("VerifyTOTP(lastUsed=early) = (%d, %v), want (%d, true)", step, ok, tt.late)
			}
		})
	}
}

func TestVerifyTOTPCodeFormat(t *testing.T) {
	at := time.Unix(59, 0) // RFC vector: 287082
	tests := []struct {
		name   string
		secret []byte
		code   string
		wantOK bool
	}{
		{name: "plain", secret: rfcSecret, code: "287082", wantOK: true},
		{name: "space in middle", secret: rfcSecret, code: "287 082", wantOK: true},
		{name: "surrounding whitespace", secret: rfcSecret, code: " 287082\n", wantOK: true},
		{name: "spaces everywhere", secret: rfcSecret, code: "2 8 7 0 8 2", wantOK: true},
		{name: "wrong code", secret: rfcSecret, code: "287083"},
		{name: "too short", secret: rfcSecret, code: "28708"},
		{name: "too long", secret: rfcSecret, code: "2870820"},
		{name: "8-digit RFC form", secret: rfcSecret, code: "94287082"},
		{name: "dash", secret: rfcSecret, code: "287-082"},
		{name: "letters", secret: rfcSecret, code: "28708a"},
		{name: "full-width digits", secret: rfcSecret, code: "２８７０８２"},
		{name: "empty", secret: rfcSecret, code: ""},
		{name: "nil secret", secret: nil, code: TOTPCode(nil, at)},
		{name: "short secret", secret: rfcSecret[:15], code: TOTPCode(rfcSecret[:15], at)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := VerifyTOTP(tt.secret, tt.code, at, 0)
			if ok != tt.wantOK {
				t.Errorf("VerifyTOTP(%q) = (%d, %v), want ok %v", tt.code, step, ok, tt.wantOK)
			}
			if !ok && step != 0 {
				t.Errorf("VerifyTOTP(%q) failed with step %d, want 0", tt.code, step)
			}
		})
	}
}

func TestNewTOTPSecret(t *testing.T) {
	a, b := NewTOTPSecret(), NewTOTPSecret()
	if len(a) != 20 || len(b) != 20 {
		t.Fatalf("secret lengths %d, %d, want 20", len(a), len(b))
	}
	if bytes.Equal(a, b) {
		t.Fatalf("two secrets are identical")
	}
}

func TestEncodeDecodeSecret(t *testing.T) {
	const rfcB32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32 of "12345678901234567890"
	if got := EncodeSecret(rfcSecret); got != rfcB32 {
		t.Fatalf("EncodeSecret(rfc) = %q, want %q", got, rfcB32)
	}
	sixteen := []byte("0123456789abcdef") // encodes with padding in std base32
	enc16 := EncodeSecret(sixteen)
	if strings.Contains(enc16, "=") || enc16 != strings.ToUpper(enc16) {
		t.Fatalf("EncodeSecret(16 bytes) = %q, want upper case without padding", enc16)
	}

	tests := []struct {
		name string
		in   string
		want []byte
	}{
		{name: "canonical", in: rfcB32, want: rfcSecret},
		{name: "lower case", in: strings.ToLower(rfcB32), want: rfcSecret},
		{name: "grouped with spaces", in: "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", want: rfcSecret},
		{name: "mixed case, tabs and newline", in: "gezdGNBV\tgy3tqojq gezdgnbv gy3tqojq\n", want: rfcSecret},
		{name: "unpadded 16 bytes", in: enc16, want: sixteen},
		{name: "padded 16 bytes", in: enc16 + "======", want: sixteen},
		{name: "round trip of random secret", in: EncodeSecret(bytes.Repeat([]byte{0xff, 0x00, 0x7e}, 7)), want: bytes.Repeat([]byte{0xff, 0x00, 0x7e}, 7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSecret(tt.in)
			if err != nil {
				t.Fatalf("DecodeSecret(%q): %v", tt.in, err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("DecodeSecret(%q) = %x, want %x", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeSecretErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "empty", in: ""},
		{name: "only spaces", in: "    "},
		{name: "invalid character 1", in: "GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ"},
		{name: "invalid character 0", in: "GEZDGNBVGY3TQOJ0GEZDGNBVGY3TQOJQ"},
		{name: "dash", in: "GEZDGNBV-GY3TQOJQ-GEZDGNBV-GY3TQOJQ"},
		{name: "impossible length", in: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQA"},
		{name: "truncated", in: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ"},
		{name: "non-zero trailing bits", in: "GAYTEMZUGU3DOOBZMFRGGZDFMZ"},
		{name: "80-bit secret below minimum", in: "GEZDGNBVGY3TQOJQ"},
		{name: "non-ASCII", in: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJÉ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSecret(tt.in)
			if !errors.Is(err, ErrInvalidTOTPSecret) {
				t.Errorf("DecodeSecret(%q) = (%x, %v), want ErrInvalidTOTPSecret", tt.in, got, err)
			}
		})
	}
}

func TestOTPAuthURI(t *testing.T) {
	const b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	tests := []struct {
		name      string
		issuer    string
		account   string
		want      string
		wantLabel string // decoded path without the leading slash
	}{
		{
			name:      "simple",
			issuer:    "ToanDan",
			account:   "alice@example.com",
			want:      "otpauth://totp/ToanDan:alice@example.com?secret=" + b32 + "&issuer=ToanDan&algorithm=SHA1&digits=6&period=30",
			wantLabel: "ToanDan:alice@example.com",
		},
		{
			name:      "spaces and diacritics",
			issuer:    "Toàn Đan",
			account:   "Nguyễn Văn A",
			want:      "otpauth://totp/To%C3%A0n%20%C4%90an:Nguy%E1%BB%85n%20V%C4%83n%20A?secret=" + b32 + "&issuer=To%C3%A0n%20%C4%90an&algorithm=SHA1&digits=6&period=30",
			wantLabel: "Toàn Đan:Nguyễn Văn A",
		},
		{
			name:      "reserved characters",
			issuer:    "A&B=C+D?",
			account:   "x/y:z#1",
			want:      "otpauth://totp/A&B=C+D%3F:x%2Fy%3Az%231?secret=" + b32 + "&issuer=A%26B%3DC%2BD%3F&algorithm=SHA1&digits=6&period=30",
			wantLabel: "A&B=C+D?:x/y:z#1",
		},
		{
			name:      "no issuer",
			issuer:    "",
			account:   "bob",
			want:      "otpauth://totp/bob?secret=" + b32 + "&algorithm=SHA1&digits=6&period=30",
			wantLabel: "bob",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OTPAuthURI(tt.issuer, tt.account, rfcSecret)
			if got != tt.want {
				t.Errorf("OTPAuthURI =\n  %s\nwant\n  %s", got, tt.want)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("url.Parse: %v", err)
			}
			if u.Scheme != "otpauth" || u.Host != "totp" {
				t.Errorf("scheme/host = %q/%q, want otpauth/totp", u.Scheme, u.Host)
			}
			if label := strings.TrimPrefix(u.Path, "/"); label != tt.wantLabel {
				t.Errorf("label = %q, want %q", label, tt.wantLabel)
			}
			q := u.Query()
			wantQuery := map[string]string{
				"secret": b32, "issuer": tt.issuer,
				"algorithm": "SHA1", "digits": "6", "period": "30",
			}
			for k, v := range wantQuery {
				if q.Get(k) != v {
					t.Errorf("query %s = %q, want %q", k, q.Get(k), v)
				}
			}
			if tt.issuer == "" && q.Has("issuer") {
				t.Errorf("empty issuer still emitted an issuer parameter")
			}
			if secret, err := DecodeSecret(q.Get("secret")); err != nil || !bytes.Equal(secret, rfcSecret) {
				t.Errorf("secret parameter decodes to (%x, %v)", secret, err)
			}
		})
	}
}
