package media

import (
	"encoding/binary"
	"slices"
)

// VP8X feature flags (WebP container specification, "Extended File Format").
const (
	vp8xFlagXMP  = 0x04
	vp8xFlagEXIF = 0x08
)

// webpKeep lists the chunks Strip keeps: the image itself, alpha, animation
// and the colour profile. EXIF, XMP and unknown chunks are dropped.
var webpKeep = []string{"VP8X", "VP8 ", "VP8L", "ALPH", "ANIM", "ANMF", "ICCP"}

// stripWebP copies a WebP RIFF container without its EXIF and XMP chunks (or
// any unknown chunk), clears the matching VP8X flags, and writes the new
// RIFF size. Image data is copied untouched.
func stripWebP(data []byte) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, malformed("webp", "no RIFF WEBP header")
	}
	riffSize := uint64(binary.LittleEndian.Uint32(data[4:]))
	if riffSize < 4 || 8+riffSize > uint64(len(data)) {
		return nil, malformed("webp", "truncated: RIFF size %d, file %d bytes", riffSize, len(data))
	}
	body := data[12 : 8+riffSize] // bytes after the WEBP tag; trailing data is dropped

	out := make([]byte, 12, len(data))
	copy(out, "RIFF\x00\x00\x00\x00WEBP")
	sawImage := false
	vp8xAt := -1
	for pos, first := 0, true; pos < len(body); first = false {
		if pos+8 > len(body) {
			return nil, malformed("webp", "truncated chunk header")
		}
		fourcc := string(body[pos : pos+4])
		n := uint64(binary.LittleEndian.Uint32(body[pos+4:]))
		padded := n + n&1 // chunks are padded to an even size
		if uint64(pos)+8+n > uint64(len(body)) {
			return nil, malformed("webp", "truncated %q chunk", fourcc)
		}
		end := min(uint64(pos)+8+padded, uint64(len(body))) // a writer may omit the last pad byte
		chunk := body[pos:end]
		pos = int(end)

		if first && fourcc != "VP8X" && fourcc != "VP8 " && fourcc != "VP8L" {
			return nil, malformed("webp", "first chunk is %q", fourcc)
		}
		if !slices.Contains(webpKeep, fourcc) {
			continue
		}
		switch fourcc {
		case "VP8X":
			if vp8xAt >= 0 || len(out) != 12 || n < 10 {
				return nil, malformed("webp", "misplaced or short VP8X chunk")
			}
			vp8xAt = len(out)
		case "VP8 ", "VP8L":
			sawImage = true
		case "ANMF":
			frame, err := cleanFrame(chunk[8 : 8+n])
			if err != nil {
				return nil, err
			}
			out = appendRIFFChunk(out, "ANMF", frame)
			sawImage = true
			continue
		}
		out = append(out, chunk...)
		if uint64(len(chunk)) < 8+padded {
			out = append(out, 0)
		}
	}
	if !sawImage {
		return nil, malformed("webp", "no image data")
	}
	if vp8xAt >= 0 {
		out[vp8xAt+8] &^= vp8xFlagEXIF | vp8xFlagXMP
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}

// anmfHeaderLen is the size of an animation frame's fixed fields (position,
// size, duration, flags) before its sub-chunks.
const anmfHeaderLen = 16

// cleanFrame returns the payload of an ANMF animation frame keeping only
// the image sub-chunks (ALPH, VP8, VP8L): the format lets a frame carry
// unknown chunks too, and those could hold anything.
func cleanFrame(frame []byte) ([]byte, error) {
	if len(frame) < anmfHeaderLen {
		return nil, malformed("webp", "short ANMF chunk")
	}
	out := append([]byte{}, frame[:anmfHeaderLen]...)
	sub := frame[anmfHeaderLen:]
	for pos := 0; pos < len(sub); {
		if pos+8 > len(sub) {
			return nil, malformed("webp", "truncated chunk header in ANMF")
		}
		fourcc := string(sub[pos : pos+4])
		n := uint64(binary.LittleEndian.Uint32(sub[pos+4:]))
		if uint64(pos)+8+n > uint64(len(sub)) {
			return nil, malformed("webp", "truncated %q chunk in ANMF", fourcc)
		}
		data := sub[pos+8 : pos+8+int(n)]
		pos = int(min(uint64(pos)+8+n+n&1, uint64(len(sub))))
		if fourcc == "ALPH" || fourcc == "VP8 " || fourcc == "VP8L" {
			out = appendRIFFChunk(out, fourcc, data)
		}
	}
	return out, nil
}

// appendRIFFChunk appends a chunk with its header and pad byte.
func appendRIFFChunk(out []byte, fourcc string, data []byte) []byte {
	out = append(out, fourcc...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}
