package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"slices"
)

const pngSignature = "\x89PNG\r\n\x1a\n"

// pngKeep lists the chunks Strip keeps: the critical ones, and ancillary
// ones that only describe how to show the pixels. Text (tEXt, zTXt, iTXt),
// eXIf, tIME and every other ancillary chunk are dropped.
var pngKeep = []string{
	"IHDR", "PLTE", "IDAT", "IEND",
	"tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "pHYs", "bKGD", "hIST",
}

// stripPNG copies a PNG keeping only the chunks in pngKeep, each checked
// against its CRC. An unknown critical chunk is ErrMalformed: no viewer
// could show the image, and its content is unknown. Anything after IEND
// is dropped.
func stripPNG(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, []byte(pngSignature)) {
		return nil, malformed("png", "no PNG signature")
	}
	out := make([]byte, 0, len(data))
	out = append(out, pngSignature...)
	pos := len(pngSignature)
	sawIDAT := false
	for first := true; ; first = false {
		if pos+12 > len(data) {
			return nil, malformed("png", "truncated: no IEND chunk")
		}
		n := binary.BigEndian.Uint32(data[pos:])
		if n > 1<<31-1 {
			return nil, malformed("png", "chunk length %d", n)
		}
		if uint64(pos)+12+uint64(n) > uint64(len(data)) {
			return nil, malformed("png", "truncated chunk")
		}
		end := pos + 12 + int(n)
		chunk := data[pos:end] // length, type, data, CRC
		typ := string(chunk[4:8])
		pos = end

		if !validChunkType(typ) {
			return nil, malformed("png", "invalid chunk type %q", typ)
		}
		if first != (typ == "IHDR") {
			return nil, malformed("png", "IHDR must come first, and once")
		}
		critical := typ[0] >= 'A' && typ[0] <= 'Z'
		if !slices.Contains(pngKeep, typ) {
			if critical {
				return nil, malformed("png", "unknown critical chunk %q", typ)
			}
			continue
		}
		if crc32.ChecksumIEEE(chunk[4:8+n]) != binary.BigEndian.Uint32(chunk[8+n:]) {
			return nil, malformed("png", "bad CRC in %s chunk", typ)
		}
		out = append(out, chunk...)
		switch typ {
		case "IDAT":
			sawIDAT = true
		case "IEND":
			if !sawIDAT {
				return nil, malformed("png", "no image data")
			}
			return out, nil
		}
	}
}

// validChunkType reports whether each byte is an ASCII letter, as the PNG
// specification requires.
func validChunkType(t string) bool {
	for i := range len(t) {
		c := t[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
