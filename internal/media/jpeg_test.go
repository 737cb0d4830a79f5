package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

func strip(t testing.TB, contentType string, in []byte) ([]byte, error) {
	t.Helper()
	var out bytes.Buffer
	err := Strip(contentType, bytes.NewReader(in), &out)
	return out.Bytes(), err
}

func assertNoIdentifying(t *testing.T, out []byte) {
	t.Helper()
	for _, s := range identifying {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("output still contains %q", s)
		}
	}
}

func TestStripJPEG(t *testing.T) {
	for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
		t.Run(bo.String(), func(t *testing.T) {
			in, plain := cameraJPEG(t, 40, 24, bo, 1)
			for _, s := range identifying {
				if !bytes.Contains(in, []byte(s)) {
					t.Fatalf("test input lacks %q", s)
				}
			}
			out, err := strip(t, JPEG, in)
			if err != nil {
				t.Fatal(err)
			}
			assertNoIdentifying(t, out)
			// Lossless: the encoder's tables, frame, scan and data follow
			// the kept metadata byte for byte.
			if !bytes.HasSuffix(out, plain[2:]) {
				t.Error("image data changed")
			}
			for _, kept := range []string{"JFIF\x00", "ICC_PROFILE\x00", "Adobe"} {
				if !bytes.Contains(out, []byte(kept)) {
					t.Errorf("%q was dropped", kept)
				}
			}
			m, err := jpeg.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if b := m.Bounds(); b.Dx() != 40 || b.Dy() != 24 {
				t.Errorf("decoded size %v, want 40×24", b.Size())
			}
			again, err := strip(t, JPEG, out)
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("stripping twice changed the output (err %v)", err)
			}
		})
	}
}

func TestStripJPEGOrientation(t *testing.T) {
	// Which source quadrant lands at the output's top left and top right.
	cases := []struct {
		orientation int
		swapped     bool
		tl, tr      int
	}{
		{1, false, quadTL, quadTR},
		{2, false, quadTR, quadTL},
		{3, false, quadBR, quadBL},
		{4, false, quadBL, quadBR},
		{5, true, quadTL, quadBL},
		{6, true, quadBL, quadTL},
		{7, true, quadBR, quadTR},
		{8, true, quadTR, quadBR},
	}
	const w, h = 64, 32
	for _, tc := range cases {
		for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
			t.Run(bo.String(), func(t *testing.T) {
				in, _ := cameraJPEG(t, w, h, bo, tc.orientation)
				out, err := strip(t, JPEG, in)
				if err != nil {
					t.Fatal(err)
				}
				assertNoIdentifying(t, out)
				if bytes.Contains(out, []byte("Exif")) {
					t.Error("output has an EXIF block")
				}
				if tc.orientation != 1 && !bytes.HasPrefix(out[2:], []byte("\xFF\xE2")) {
					t.Error("ICC profile not carried into the re-encoded image")
				}
				m, err := jpeg.Decode(bytes.NewReader(out))
				if err != nil {
					t.Fatal(err)
				}
				dw, dh := w, h
				if tc.swapped {
					dw, dh = h, w
				}
				if b := m.Bounds(); b.Dx() != dw || b.Dy() != dh {
					t.Fatalf("orientation %d: size %v, want %d×%d", tc.orientation, b.Size(), dw, dh)
				}
				if got := nearestQuad(m.At(dw/4, dh/4)); got != tc.tl {
					t.Errorf("orientation %d: top left shows quadrant %d, want %d", tc.orientation, got, tc.tl)
				}
				if got := nearestQuad(m.At(3*dw/4, dh/4)); got != tc.tr {
					t.Errorf("orientation %d: top right shows quadrant %d, want %d", tc.orientation, got, tc.tr)
				}
			})
		}
	}
}

func TestStripJPEGOrientationGray(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 30, 10))
	for x := range 15 {
		for y := range 10 {
			src.SetGray(x, y, color.Gray{Y: 255}) // left half white
		}
	}
	in := spliceAfterSOI(encodeJPEG(t, src), exifSegment(binary.BigEndian, 6))
	out, err := strip(t, JPEG, in)
	if err != nil {
		t.Fatal(err)
	}
	m, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	g, ok := m.(*image.Gray)
	if !ok || g.Rect.Dx() != 10 || g.Rect.Dy() != 30 {
		t.Fatalf("got %T %v, want a 10×30 gray image", m, m.Bounds())
	}
	// Rotated clockwise, the white left half is now the top.
	if top, bottom := g.GrayAt(5, 5).Y, g.GrayAt(5, 25).Y; top < 200 || bottom > 55 {
		t.Errorf("top %d, bottom %d: not rotated clockwise", top, bottom)
	}
}

func TestOrientPlanes(t *testing.T) {
	// Forward maps, written independently of transformPlane's inverse ones.
	forward := func(o, x, y, w, h int) (int, int) {
		switch o {
		case 2:
			return w - 1 - x, y
		case 3:
			return w - 1 - x, h - 1 - y
		case 4:
			return x, h - 1 - y
		case 5:
			return y, x
		case 6:
			return h - 1 - y, x
		case 7:
			return h - 1 - y, w - 1 - x
		case 8:
			return y, w - 1 - x
		}
		return x, y
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(b []byte) {
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
	}
	const w, h = 12, 8
	ratios := []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440,
		image.YCbCrSubsampleRatio411, // goes through RGBA
	}
	for _, ratio := range ratios {
		src := image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
		fill(src.Y)
		fill(src.Cb)
		fill(src.Cr)
		gray := image.NewGray(image.Rect(0, 0, w, h))
		fill(gray.Pix)
		for o := 2; o <= 8; o++ {
			for _, s := range []image.Image{src, gray} {
				d, err := orient(s, o)
				if err != nil {
					t.Fatal(err)
				}
				for y := range h {
					for x := range w {
						dx, dy := forward(o, x, y, w, h)
						want := color.RGBAModel.Convert(s.At(x, y))
						got := color.RGBAModel.Convert(d.At(dx, dy))
						if got != want {
							t.Fatalf("%T %v orientation %d: (%d,%d)→(%d,%d) = %v, want %v",
								s, ratio, o, x, y, dx, dy, got, want)
						}
					}
				}
			}
		}
	}
}

func TestStripJPEGOrientationFallback(t *testing.T) {
	// A frame image/jpeg cannot decode (arithmetic coding, SOF9) with
	// orientation 6: the lossless copy is kept, with an EXIF block that
	// holds the orientation and nothing else.
	in := []byte{0xFF, 0xD8}
	in = append(in, exifSegment(binary.BigEndian, 6)...)
	in = append(in, segment(0xC9, []byte{8, 0, 16, 0, 16, 1, 1, 0x11, 0})...)
	in = append(in, segment(0xDA, []byte{1, 1, 0, 0, 63, 0})...)
	in = append(in, 0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9)
	out, err := strip(t, JPEG, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range identifying {
		if s != "Exif\x00\x00" && bytes.Contains(out, []byte(s)) {
			t.Errorf("output still contains %q", s)
		}
	}
	if h := jpegHeader(out); len(h) != 3 || h[0].marker != markerAPP1 || len(h[0].payload) != 32 {
		t.Errorf("EXIF block is not the orientation-only one")
	}
	if got := exifOrientationOf(out); got != 6 {
		t.Errorf("orientation %d, want 6", got)
	}
	if !bytes.HasSuffix(out, in[2+len(exifSegment(binary.BigEndian, 6)):]) {
		t.Error("image data changed")
	}
}

// exifOrientationOf finds the EXIF orientation in a JPEG, 0 if none.
func exifOrientationOf(jpg []byte) int {
	i := bytes.Index(jpg, []byte("Exif\x00\x00"))
	if i < 0 {
		return 0
	}
	return exifOrientation(jpg[i+6:])
}

func TestStripJPEGStructure(t *testing.T) {
	plain := encodeJPEG(t, quadImage(16, 16))
	sos := bytes.Index(plain, []byte{0xFF, 0xDA})
	sosLen := int(binary.BigEndian.Uint16(plain[sos+2:]))
	dataStart := sos + 2 + sosLen

	t.Run("fill bytes and restart markers", func(t *testing.T) {
		// Fill bytes before markers are dropped, and before a restart
		// marker inside the scan they are kept with the data.
		in := append([]byte{}, plain[:sos]...)
		in = append(in, 0xFF, 0xFF, 0xFF)
		in = append(in, plain[sos:dataStart]...)
		in = append(in, 0x11, 0xFF, 0xFF, 0xD3, 0x22, 0xFF, 0x00)
		in = append(in, 0xFF, 0xFF, 0xD9)
		out, err := strip(t, JPEG, in)
		if err != nil {
			t.Fatal(err)
		}
		want := append([]byte{}, plain[:dataStart]...)
		want = append(want, 0x11, 0xFF, 0xFF, 0xD3, 0x22, 0xFF, 0x00, 0xFF, 0xD9)
		if !bytes.Equal(out, want) {
			t.Errorf("got  % X\nwant % X", out, want)
		}
	})
	t.Run("stray bytes between segments", func(t *testing.T) {
		in := append([]byte{}, plain[:sos]...)
		in = append(in, "Pixel 9"...)
		in = append(in, plain[sos:]...)
		out, err := strip(t, JPEG, in)
		if err != nil || !bytes.Equal(out, plain) {
			t.Errorf("err %v, output differs from the clean file", err)
		}
	})

	bad := map[string][]byte{
		"empty":            {},
		"no SOI":           plain[2:],
		"only SOI":         {0xFF, 0xD8},
		"no scan":          append(append([]byte{}, plain[:sos]...), 0xFF, 0xD9),
		"scan before SOF":  append([]byte{0xFF, 0xD8}, plain[sos:]...),
		"second SOI":       append(append([]byte{0xFF, 0xD8}, plain...), 0xFF, 0xD9),
		"zero length":      append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01}, plain[2:]...),
		"segment past end": {0xFF, 0xD8, 0xFF, 0xE1, 0x10, 0x00, 'E', 'x', 'i', 'f'},
		"no EOI":           plain[:len(plain)-2],
		"marker at end":    append(append([]byte{}, plain[:len(plain)-2]...), 0xFF),
		"0xFF00 as marker": append([]byte{0xFF, 0xD8, 0xFF, 0x00}, plain[2:]...),
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := strip(t, JPEG, in); !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestStripJPEGTruncated(t *testing.T) {
	in, _ := cameraJPEG(t, 24, 24, binary.BigEndian, 6)
	end := bytes.LastIndex(in, []byte{0xFF, 0xD9}) + 2
	for n := range end {
		if _, err := strip(t, JPEG, in[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated to %d of %d bytes: err = %v, want ErrMalformed", n, end, err)
		}
	}
}

func TestExifOrientation(t *testing.T) {
	tiff := exifTIFF(binary.LittleEndian, 8)
	cases := map[string]struct {
		tiff []byte
		want int
	}{
		"little endian":    {tiff, 8},
		"big endian":       {exifTIFF(binary.BigEndian, 3), 3},
		"absent":           {exifTIFF(binary.BigEndian, 0), 1},
		"out of range":     {exifTIFF(binary.BigEndian, 9), 1},
		"empty":            {nil, 1},
		"bad byte order":   {append([]byte("XX"), tiff[2:]...), 1},
		"bad magic":        {append([]byte("II\x2b\x00"), tiff[4:]...), 1},
		"IFD out of range": {append([]byte("II\x2a\x00\xff\xff\x00\x00"), tiff[8:]...), 1},
		"IFD truncated":    {tiff[:20], 1},
	}
	for name, tc := range cases {
		if got := exifOrientation(tc.tiff); got != tc.want {
			t.Errorf("%s: orientation %d, want %d", name, got, tc.want)
		}
	}
}

type jpegSegment struct {
	marker  byte
	payload []byte
}

// jpegHeader lists the segments of a JPEG up to its first scan.
func jpegHeader(jpg []byte) []jpegSegment {
	var segs []jpegSegment
	pos := 2
	for pos+4 <= len(jpg) && jpg[pos] == 0xFF {
		m := jpg[pos+1]
		if m == markerTEM || (m >= markerRST0 && m <= markerRST7) {
			pos += 2
			continue
		}
		end := min(pos+2+int(binary.BigEndian.Uint16(jpg[pos+2:])), len(jpg))
		segs = append(segs, jpegSegment{m, jpg[pos+4 : end]})
		if m == markerSOS {
			break
		}
		pos = end
	}
	return segs
}

func FuzzStripJPEG(f *testing.F) {
	for _, o := range []int{1, 6, 3} {
		in, _ := cameraJPEG(f, 16, 8, binary.LittleEndian, o)
		f.Add(in)
	}
	gray := image.NewGray(image.Rect(0, 0, 9, 7))
	f.Add(spliceAfterSOI(encodeJPEG(f, gray), exifSegment(binary.BigEndian, 8)))
	f.Add(encodeJPEG(f, quadImage(17, 5)))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xD9})
	f.Add([]byte("\xFF\xD8\xFF\xE1\x00\x08Exif\x00\x00\xFF\xD9"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := strip(t, JPEG, in)
		if err != nil {
			return
		}
		if !bytes.HasPrefix(out, []byte{0xFF, 0xD8}) || !bytes.HasSuffix(out, []byte{0xFF, 0xD9}) {
			t.Fatalf("output is not framed by SOI and EOI")
		}
		// Everything of the orientation-only block up to the value itself.
		orientationOnly := withOrientationOnly([]byte{0xFF, 0xD8}, 6)[6 : 6+24]
		for _, seg := range jpegHeader(out) {
			switch m := seg.marker; {
			case m == markerAPP1:
				if !bytes.HasPrefix(seg.payload, orientationOnly) || len(seg.payload) != 32 {
					t.Fatalf("an EXIF block other than the orientation-only one survived: %q", seg.payload)
				}
			case m == markerCOM, m >= markerAPP0 && m <= markerAPPF &&
				m != markerAPP0 && m != markerAPP2 && m != markerAPPE:
				t.Fatalf("marker 0x%02X survived", m)
			}
		}
		again, err := strip(t, JPEG, out)
		if err != nil {
			t.Fatalf("stripping the output failed: %v", err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("stripping is not idempotent")
		}
	})
}
