package seal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"

	"toandan/internal/errs"
)

// Code layout. Crockford's base32 alphabet leaves out I, L, O and U, so a
// code read aloud or copied by hand from paper survives look-alike mistakes.
const (
	crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

	receiptBytes    = 10 // 80 bits, exactly 16 symbols
	receiptSymbols  = 16
	receiptGroupLen = 4
	// maxReceiptInput bounds the work done on hostile input; a code with
	// generous spacing is far shorter.
	maxReceiptInput = 128

	trackingBytes  = 5    // 40 bits, exactly 8 symbols
	trackingPrefix = "TG" // tố giác
)

var crockfordEncoding = base32.NewEncoding(crockford).WithPadding(base32.NoPadding)

// receiptCodeMessage is shown to the citizen when a receipt code is mistyped.
const receiptCodeMessage = "Mã bí mật không hợp lệ: mã gồm 16 ký tự chữ và số, dạng XXXX-XXXX-XXXX-XXXX."

// NewReceiptCode returns a fresh secret receipt code: 80 random bits as 16
// Crockford base32 symbols grouped XXXX-XXXX-XXXX-XXXX. Store only
// ReceiptHash of it; show the code to the reporter once.
func NewReceiptCode() string {
	b := make([]byte, receiptBytes)
	// crypto/rand.Read never returns an error.
	_, _ = rand.Read(b)
	return groupReceipt(crockfordEncoding.EncodeToString(b))
}

// ParseReceiptCode normalises a code typed by a citizen and returns its
// canonical grouped form. It ignores surrounding and inner spaces and
// dashes and letter case, and reads O as 0 and I or L as 1. Anything else
// that is not exactly 16 Crockford symbols is an errs.Field error on
// "receipt_code".
func ParseReceiptCode(s string) (string, error) {
	if len(s) > maxReceiptInput {
		return "", errs.Field("receipt_code", receiptCodeMessage)
	}
	var buf [receiptSymbols]byte
	n := 0
	// Byte-wise on purpose: only ASCII can be a symbol, and strings.ToUpper
	// would turn some non-ASCII letters (e.g. the dotless ı) into ASCII ones.
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '\r':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		switch c {
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		if strings.IndexByte(crockford, c) < 0 || n == receiptSymbols {
			return "", errs.Field("receipt_code", receiptCodeMessage)
		}
		buf[n] = c
		n++
	}
	if n != receiptSymbols {
		return "", errs.Field("receipt_code", receiptCodeMessage)
	}
	return groupReceipt(string(buf[:])), nil
}

// ReceiptHash returns the value to store for, and look up by, a receipt
// code: HMAC-SHA256 under the receipt subkey over the canonical form.
// Because the key is not in the database, a dump alone cannot confirm a
// code. Input that is not a valid code still hashes, to a value no valid
// code produces; call ParseReceiptCode first to tell the citizen.
func (k *Keys) ReceiptHash(code string) []byte {
	if canon, err := ParseReceiptCode(code); err == nil {
		code = canon
	}
	m := hmac.New(sha256.New, k.receipt)
	m.Write([]byte(code))
	return m.Sum(nil)
}

// NewTrackingCode returns a public tracking code for a report received in
// year, like TG-2026-7K3Q9M2P: 40 random bits as 8 Crockford symbols. It
// identifies a report but grants nothing; uniqueness is the store's job.
func NewTrackingCode(year int) string {
	b := make([]byte, trackingBytes)
	// crypto/rand.Read never returns an error.
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%04d-%s", trackingPrefix, year, crockfordEncoding.EncodeToString(b))
}

func groupReceipt(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/receiptGroupLen)
	for i := 0; i < len(s); i += receiptGroupLen {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+receiptGroupLen, len(s))])
	}
	return b.String()
}
