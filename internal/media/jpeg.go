package media

import (
	"bytes"
	"encoding/binary"
)

// JPEG markers (ITU T.81 table B.1) that Strip treats specially.
const (
	markerSOI  = 0xD8
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerTEM  = 0x01
	markerRST0 = 0xD0
	markerRST7 = 0xD7
	markerAPP0 = 0xE0
	markerAPP1 = 0xE1
	markerAPP2 = 0xE2
	markerAPPE = 0xEE
	markerAPPF = 0xEF
	markerCOM  = 0xFE
)

// Identifiers at the start of APPn payloads.
const (
	jfifID  = "JFIF\x00"
	exifID  = "Exif\x00" // the sixth byte is 0x00 by the standard, 0xFF in a few writers
	iccID   = "ICC_PROFILE\x00"
	adobeID = "Adobe"
	// jfifFixedLen is the JFIF APP0 payload up to and including the
	// thumbnail dimensions; the thumbnail pixels follow.
	jfifFixedLen = 14
)

// jpegInfo is what cleanJPEG learns on the way that the caller needs.
type jpegInfo struct {
	orientation int      // EXIF orientation, 1 when absent or unreadable
	icc         [][]byte // ICC_PROFILE APP2 segments as kept, marker included
}

// stripJPEG removes metadata from a JPEG losslessly, except that a photo
// whose EXIF says it is to be shown rotated or mirrored is re-encoded with
// the transform applied, since dropping EXIF would drop that instruction.
func stripJPEG(data []byte) ([]byte, error) {
	clean, info, err := cleanJPEG(data)
	if err != nil {
		return nil, err
	}
	if info.orientation == 1 {
		return clean, nil
	}
	if out, err := reorientJPEG(clean, info); err == nil {
		return out, nil
	}
	// Too large to decode here, or a JPEG variant image/jpeg cannot decode
	// (arithmetic coding, 12-bit): keep the lossless copy and tell viewers
	// the orientation in an EXIF block that says nothing else.
	return withOrientationOnly(clean, info.orientation), nil
}

// cleanJPEG copies the segments of a JPEG that are needed to show it and
// drops the rest:
//
//   - kept: APP0 JFIF (without its thumbnail), APP2 ICC_PROFILE, APP14 Adobe
//     (it says how to read the colour components), and all non-APP segments
//     (tables, frame and scan headers, entropy-coded data);
//   - dropped: APP1 (EXIF and XMP), APP13 (IPTC, Photoshop), every other
//     APPn, COM, fill bytes, stray bytes between segments, and anything after
//     EOI (thumbnails, motion-photo videos, vendor trailers).
//
// A file without SOI, a frame, a scan and EOI, or with a segment running past
// the end, is ErrMalformed.
func cleanJPEG(data []byte) ([]byte, jpegInfo, error) {
	info := jpegInfo{orientation: 1}
	if len(data) < 2 || data[0] != 0xFF || data[1] != markerSOI {
		return nil, info, malformed("jpeg", "no start-of-image marker")
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, markerSOI)
	pos := 2
	sawFrame, sawScan, sawExif := false, false, false
	for {
		// Stray bytes before a marker are tolerated, as libjpeg and
		// image/jpeg do, and not copied.
		i := bytes.IndexByte(data[pos:], 0xFF)
		if i < 0 {
			return nil, info, malformed("jpeg", "truncated: no end-of-image marker")
		}
		pos += i
		for pos < len(data) && data[pos] == 0xFF { // fill bytes
			pos++
		}
		if pos >= len(data) {
			return nil, info, malformed("jpeg", "truncated after a marker prefix")
		}
		m := data[pos]
		pos++

		switch {
		case m == markerEOI:
			if !sawScan {
				return nil, info, malformed("jpeg", "no image data before end-of-image")
			}
			return append(out, 0xFF, markerEOI), info, nil
		case m == markerSOI || m == 0x00:
			return nil, info, malformed("jpeg", "unexpected marker 0x%02X at offset %d", m, pos-1)
		case m == markerTEM || (m >= markerRST0 && m <= markerRST7):
			// Standalone markers have no length; outside a scan they
			// carry nothing, but they are legal.
			out = append(out, 0xFF, m)
			continue
		}

		if pos+2 > len(data) {
			return nil, info, malformed("jpeg", "truncated segment length")
		}
		n := int(binary.BigEndian.Uint16(data[pos:]))
		if n < 2 {
			return nil, info, malformed("jpeg", "segment 0x%02X length %d", m, n)
		}
		if pos+n > len(data) {
			return nil, info, malformed("jpeg", "truncated segment 0x%02X", m)
		}
		seg := data[pos : pos+n] // length field and payload
		payload := seg[2:]
		pos += n

		keep := true
		switch {
		case m == markerAPP0:
			// The JFIF thumbnail may show what an edit cropped out.
			keep = false
			if bytes.HasPrefix(payload, []byte(jfifID)) && len(payload) >= jfifFixedLen {
				out = append(out, 0xFF, markerAPP0, 0, 2+jfifFixedLen)
				out = append(out, payload[:jfifFixedLen-2]...)
				out = append(out, 0, 0) // no thumbnail
			}
		case m == markerAPP1:
			keep = false
			if !sawExif && bytes.HasPrefix(payload, []byte(exifID)) && len(payload) >= 6 {
				sawExif = true
				info.orientation = exifOrientation(payload[6:])
			}
		case m == markerAPP2:
			keep = bytes.HasPrefix(payload, []byte(iccID))
			if keep {
				info.icc = append(info.icc, append([]byte{0xFF, m}, seg...))
			}
		case m == markerAPPE:
			keep = bytes.HasPrefix(payload, []byte(adobeID))
		case m >= markerAPP0 && m <= markerAPPF, m == markerCOM:
			keep = false
		case isSOF(m):
			sawFrame = true
		case m == markerSOS && !sawFrame:
			return nil, info, malformed("jpeg", "scan before frame header")
		}
		if keep {
			out = append(out, 0xFF, m)
			out = append(out, seg...)
		}
		if m != markerSOS {
			continue
		}

		// Entropy-coded data runs to the next marker that is neither a
		// stuffed 0xFF00 nor a restart marker (either may follow fill
		// bytes). It is copied untouched.
		start := pos
		for {
			i := bytes.IndexByte(data[pos:], 0xFF)
			if i < 0 {
				return nil, info, malformed("jpeg", "truncated scan data")
			}
			pos += i
			j := pos + 1
			for j < len(data) && data[j] == 0xFF {
				j++
			}
			if j >= len(data) {
				return nil, info, malformed("jpeg", "truncated scan data")
			}
			if next := data[j]; next == 0x00 || (next >= markerRST0 && next <= markerRST7) {
				pos = j + 1
				continue
			}
			break
		}
		out = append(out, data[start:pos]...)
		sawScan = true
	}
}

// isSOF reports whether m starts a frame (SOF0-SOF15 less DHT, JPG, DAC).
func isSOF(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
}

// exifOrientation reads the Orientation tag (0x0112) from the first IFD of
// an EXIF TIFF structure. Anything unreadable counts as 1, upright: the
// block is dropped either way, and a damaged one is no reason to refuse a
// photo.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(tiff[2:]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(tiff[4:]))
	if off < 8 || off+2 > uint64(len(tiff)) {
		return 1
	}
	count := int(bo.Uint16(tiff[off:]))
	entries := tiff[off+2:]
	for i := 0; i < count && 12*i+12 <= len(entries); i++ {
		e := entries[12*i : 12*i+12]
		if bo.Uint16(e) != 0x0112 {
			continue
		}
		// SHORT, one value, stored in the first two bytes of the field.
		if bo.Uint16(e[2:]) != 3 || bo.Uint32(e[4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(e[8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// withOrientationOnly inserts an EXIF block holding only the Orientation
// tag into a cleaned JPEG, after the JFIF segment if there is one.
func withOrientationOnly(clean []byte, orientation int) []byte {
	app1 := []byte{
		0xFF, markerAPP1, 0, 34,
		'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD0 at 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(orientation), 0, 0, // Orientation, SHORT, 1
		0, 0, 0, 0, // no next IFD
	}
	at := 2
	if len(clean) >= 6 && clean[2] == 0xFF && clean[3] == markerAPP0 {
		at = 4 + int(binary.BigEndian.Uint16(clean[4:]))
	}
	out := make([]byte, 0, len(clean)+len(app1))
	out = append(out, clean[:at]...)
	out = append(out, app1...)
	return append(out, clean[at:]...)
}
