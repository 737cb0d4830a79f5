package media

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"net/http"
	"slices"
)

// Content types Sniff accepts and Strip handles.
const (
	JPEG      = "image/jpeg"
	PNG       = "image/png"
	WebP      = "image/webp"
	HEIC      = "image/heic"
	MP4       = "video/mp4"
	QuickTime = "video/quicktime"
	WebM      = "video/webm"
	PDF       = "application/pdf"
)

// SniffLen is how many leading bytes Sniff needs to decide; fewer are
// accepted but may be rejected for want of evidence.
const SniffLen = 512

// ISO base media file (ftyp) brands, by the content type they mean.
var (
	heicBrands = []string{"heic", "heix", "heim", "heis", "mif1"}
	mp4Brands  = []string{"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V "}
)

// Sniff returns the content type of a file from its first bytes (pass at
// least SniffLen when the file is that long) and whether it is one the
// system accepts. The file's name and declared type play no part: a PNG
// named .pdf is a PNG, and anything else is refused whatever its name.
func Sniff(head []byte) (contentType string, ok bool) {
	if ct, ok := sniffFtyp(head); ok {
		return ct, true
	}
	// http.DetectContentType knows the fixed signatures; each result is
	// then checked against the bytes, because it also answers for types
	// that merely start alike (e.g. every EBML file is "video/webm").
	switch http.DetectContentType(head) {
	case JPEG:
		// SOI followed by the start of a marker.
		if bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}) {
			return JPEG, true
		}
	case PNG:
		if bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")) {
			return PNG, true
		}
	case WebP:
		if len(head) >= 16 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP" &&
			slices.Contains([]string{"VP8 ", "VP8L", "VP8X"}, string(head[12:16])) {
			return WebP, true
		}
	case WebM:
		// Matroska (.mkv) shares the EBML signature; WebM names itself
		// in the DocType element of the header.
		if bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}) && isWebMHeader(head[4:min(len(head), 64)]) {
			return WebM, true
		}
	case PDF:
		if bytes.HasPrefix(head, []byte("%PDF-")) {
			return PDF, true
		}
	}
	return "", false
}

// sniffFtyp recognises ISO base media files (MP4, QuickTime, HEIC) by the
// brands in their leading ftyp box.
func sniffFtyp(head []byte) (string, bool) {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return "", false
	}
	size := binary.BigEndian.Uint32(head)
	if size < 16 || size%4 != 0 {
		return "", false
	}
	major := string(head[8:12])
	var compatible []string
	for i := 16; i+4 <= min(len(head), int(min(size, 4096))); i += 4 {
		compatible = append(compatible, string(head[i:i+4]))
	}
	switch {
	case major == "qt  ":
		return QuickTime, true
	case slices.Contains(heicBrands, major):
		// AVIF files use mif1 too; they name avif among the compatible
		// brands, and are not accepted.
		if major == "mif1" && (slices.Contains(compatible, "avif") || slices.Contains(compatible, "avis")) {
			return "", false
		}
		return HEIC, true
	case slices.Contains(mp4Brands, major):
		return MP4, true
	}
	return "", false
}

// isWebMHeader reports whether an EBML header names "webm" as its DocType:
// element ID 0x4282, a size of 1 to 8 bytes, then the string.
func isWebMHeader(h []byte) bool {
	i := bytes.Index(h, []byte{0x42, 0x82})
	if i < 0 || i+2 >= len(h) {
		return false
	}
	rest := h[i+2:]
	sizeLen := bits.LeadingZeros8(rest[0]) + 1
	return sizeLen <= 8 && len(rest) >= sizeLen && bytes.HasPrefix(rest[sizeLen:], []byte("webm"))
}
