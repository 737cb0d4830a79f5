package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// Quadrant colours of the test image, clockwise from the top left.
var quadColors = []color.RGBA{
	{255, 0, 0, 255},     // top left: red
	{0, 255, 0, 255},     // top right: green
	{255, 255, 255, 255}, // bottom right: white
	{0, 0, 255, 255},     // bottom left: blue
}

const (
	quadTL = iota
	quadTR
	quadBR
	quadBL
)

// quadImage is a w×h image whose four quadrants have the quadColors.
func quadImage(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			q := quadTL
			switch {
			case x >= w/2 && y < h/2:
				q = quadTR
			case x >= w/2:
				q = quadBR
			case y >= h/2:
				q = quadBL
			}
			m.SetRGBA(x, y, quadColors[q])
		}
	}
	return m
}

// nearestQuad names the quadrant colour closest to c.
func nearestQuad(c color.Color) int {
	r, g, b, _ := c.RGBA()
	best, bestD := -1, int64(1)<<62
	for i, q := range quadColors {
		dr, dg, db := int64(r>>8)-int64(q.R), int64(g>>8)-int64(q.G), int64(b>>8)-int64(q.B)
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// segment builds a JPEG marker segment.
func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// spliceAfterSOI inserts segments right after the SOI marker of a JPEG.
func spliceAfterSOI(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

type ifdEntry struct {
	tag, typ uint16
	data     []byte // value bytes in the file's byte order
}

// TIFF field types and their sizes.
var tiffTypeSize = map[uint16]int{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}

// exifTIFF builds an EXIF TIFF structure as a phone writes one: make,
// model, orientation (when not 0) and a GPS IFD with coordinates.
func exifTIFF(bo binary.ByteOrder, orientation int) []byte {
	ab := bo.(binary.AppendByteOrder)
	u16 := func(v uint16) []byte { return ab.AppendUint16(nil, v) }
	u32 := func(v uint32) []byte { return ab.AppendUint32(nil, v) }
	rationals := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = ab.AppendUint32(b, v)
			b = ab.AppendUint32(b, 1)
		}
		return b
	}
	ifd0 := []ifdEntry{
		{0x010F, 2, []byte("Google\x00")},
		{0x0110, 2, []byte("Pixel 9\x00")},
	}
	if orientation != 0 {
		ifd0 = append(ifd0, ifdEntry{0x0112, 3, append(u16(uint16(orientation)), 0, 0)})
	}
	ifd0 = append(ifd0, ifdEntry{0x8825, 4, nil}) // GPS IFD pointer, filled below
	gps := []ifdEntry{
		{0x0001, 2, []byte("N\x00")},
		{0x0002, 5, rationals(21, 1, 30)},
		{0x0003, 2, []byte("E\x00")},
		{0x0004, 5, rationals(105, 48, 0)},
		{0x001B, 7, []byte("ASCII\x00\x00\x00GPS fused")},
	}
	ifd0Off := 8
	gpsOff := ifd0Off + 2 + 12*len(ifd0) + 4
	dataOff := gpsOff + 2 + 12*len(gps) + 4
	ifd0[len(ifd0)-1].data = u32(uint32(gpsOff))

	buf := make([]byte, dataOff)
	if bo == binary.ByteOrder(binary.LittleEndian) {
		copy(buf, "II")
	} else {
		copy(buf, "MM")
	}
	bo.PutUint16(buf[2:], 42)
	bo.PutUint32(buf[4:], uint32(ifd0Off))
	var extra []byte
	writeIFD := func(at int, entries []ifdEntry) {
		bo.PutUint16(buf[at:], uint16(len(entries)))
		for i, e := range entries {
			p := at + 2 + 12*i
			bo.PutUint16(buf[p:], e.tag)
			bo.PutUint16(buf[p+2:], e.typ)
			count := len(e.data) / tiffTypeSize[e.typ]
			if e.typ == 3 && len(e.data) == 4 {
				count = 1 // a SHORT padded to fill the value field
			}
			bo.PutUint32(buf[p+4:], uint32(count))
			if len(e.data) <= 4 {
				copy(buf[p+8:], e.data)
				continue
			}
			bo.PutUint32(buf[p+8:], uint32(dataOff+len(extra)))
			extra = append(extra, e.data...)
			if len(extra)%2 == 1 {
				extra = append(extra, 0)
			}
		}
		bo.PutUint32(buf[at+2+12*len(entries):], 0) // no next IFD
	}
	writeIFD(ifd0Off, ifd0)
	writeIFD(gpsOff, gps)
	return append(buf, extra...)
}

// exifSegment is an APP1 EXIF segment.
func exifSegment(bo binary.ByteOrder, orientation int) []byte {
	return segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(bo, orientation)...))
}

// Metadata segments a phone or an editor adds, each carrying something
// that identifies the device or the place.
var (
	xmpPayload = []byte("http://ns.adobe.com/xap/1.0/\x00" +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description ` +
		`exif:GPSLatitude="21,1.5N" exif:GPSLongitude="105,48.0E" tiff:Model="Pixel 9"/></rdf:RDF></x:xmpmeta>`)
	iptcPayload  = []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10\x1c\x02\x5a\x00\x0bHa Noi GPS")
	comPayload   = []byte("Taken with Pixel 9 at GPS 21.0,105.8")
	mpfPayload   = []byte("MPF\x00Pixel 9 depth map")
	duckyPayload = []byte("Ducky\x00\x01\x00\x04\x00\x00\x00\x5aPixel 9")
	iccPayload   = []byte("ICC_PROFILE\x00\x01\x01fake-icc-profile-bytes")
	adobePayload = []byte("Adobe\x00\x64\x00\x00\x00\x00\x01") // transform 1: YCbCr
	// A JFIF header with a 2×1 RGB thumbnail whose pixels spell THUMB!.
	jfifPayload = []byte("JFIF\x00\x01\x02\x00\x00\x48\x00\x48\x02\x01THUMB!")
)

// identifying strings that must not survive Strip.
var identifying = []string{
	"GPS", "Pixel 9", "Google", "Exif\x00\x00", "http://ns.adobe.com", "Photoshop",
	"THUMB!", "MPF\x00", "Ducky", "Ha Noi", "motion-photo",
}

// cameraJPEG is a w×h JPEG carrying every kind of metadata a phone or an
// editor writes, plus a trailer after EOI. It returns the file and the
// encoder's output it was built from.
func cameraJPEG(t testing.TB, w, h int, bo binary.ByteOrder, orientation int) (file, plain []byte) {
	t.Helper()
	plain = encodeJPEG(t, quadImage(w, h))
	file = spliceAfterSOI(plain,
		segment(0xE0, jfifPayload),
		exifSegment(bo, orientation),
		segment(0xE1, xmpPayload),
		segment(0xE2, iccPayload),
		segment(0xE2, mpfPayload),
		segment(0xEC, duckyPayload),
		segment(0xED, iptcPayload),
		segment(0xEE, adobePayload),
		segment(0xFE, comPayload),
	)
	file = append(file, "\x00\x00Pixel 9 motion-photo trailer"...)
	return file, plain
}

// pngChunk builds a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngChunks lists the chunk types of a PNG, failing on damage.
func pngChunks(t testing.TB, data []byte) []string {
	t.Helper()
	var types []string
	pos := len(pngSignature)
	for pos+12 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[pos:]))
		if pos+12+n > len(data) {
			t.Fatalf("chunk at %d runs past the end", pos)
		}
		typ := string(data[pos+4 : pos+8])
		if crc32.ChecksumIEEE(data[pos+4:pos+8+n]) != binary.BigEndian.Uint32(data[pos+8+n:]) {
			t.Fatalf("bad CRC in %s", typ)
		}
		types = append(types, typ)
		pos += 12 + n
	}
	if pos != len(data) {
		t.Fatalf("%d stray bytes at the end", len(data)-pos)
	}
	return types
}

// camera PNG: an image with text, EXIF, time and unknown chunks spliced in
// after IHDR, and a harmless gAMA and pHYs that must survive.
func cameraPNG(t testing.TB) []byte {
	t.Helper()
	plain := encodePNG(t, quadImage(8, 6))
	ihdrEnd := len(pngSignature) + 12 + 13
	var extra []byte
	for _, c := range [][]byte{
		pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F}),
		pngChunk("tEXt", []byte("Comment\x00GPS 21.0,105.8")),
		pngChunk("eXIf", exifTIFF(binary.BigEndian, 1)),
		pngChunk("tIME", []byte{0x07, 0xEA, 8, 19, 9, 30, 0}),
		pngChunk("iTXt", []byte("Location\x00\x00\x00vi\x00Địa điểm\x00Ha Noi")),
		pngChunk("zTXt", []byte("Software\x00\x00x\x9c\x0b\xc8\xac\xc8\xccQ\xb0\x04\x00\x0a\x6a\x02\x86")),
		pngChunk("pHYs", []byte{0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1}),
		pngChunk("prVt", []byte("Pixel 9 private data")),
	} {
		extra = append(extra, c...)
	}
	out := append([]byte{}, plain[:ihdrEnd]...)
	out = append(out, extra...)
	out = append(out, plain[ihdrEnd:]...)
	return append(out, "trailing Pixel 9"...)
}

// riffChunk builds a RIFF chunk, padded to an even size.
func riffChunk(fourcc string, data []byte) []byte {
	c := append([]byte(fourcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// riffFile wraps chunks in a RIFF WEBP header with the right size.
func riffFile(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// vp8x is a VP8X payload with the given flags and a 16×16 canvas.
func vp8x(flags byte) []byte {
	return []byte{flags, 0, 0, 0, 15, 0, 0, 15, 0, 0}
}

// Payloads of cameraWebP's chunks that Strip keeps; the VP8L one has an odd
// length, so it is padded.
var (
	webpICC  = []byte("fake-icc")
	webpVP8L = []byte("\x2f\x0f\xc0\x03 not really lossless data")
)

// cameraWebP is an extended WebP with an ICC profile, an image, and EXIF
// and XMP chunks.
func cameraWebP() []byte {
	return riffFile(
		riffChunk("VP8X", vp8x(0x20|0x10|0x08|0x04)), // ICC, alpha, EXIF, XMP
		riffChunk("ICCP", webpICC),
		riffChunk("VP8L", webpVP8L),
		riffChunk("EXIF", exifTIFF(binary.LittleEndian, 1)),
		riffChunk("XMP ", xmpPayload[len("http://ns.adobe.com/xap/1.0/\x00"):]),
		riffChunk("ZZZZ", []byte("unknown chunk: Pixel 9")),
	)
}
