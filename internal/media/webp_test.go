package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// webpChunks lists the FourCCs of a RIFF WEBP file, checking its sizes.
func webpChunks(t testing.TB, data []byte) []string {
	t.Helper()
	if string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		t.Fatal("no RIFF WEBP header")
	}
	if size := binary.LittleEndian.Uint32(data[4:]); int(size) != len(data)-8 {
		t.Fatalf("RIFF size %d, file %d bytes", size, len(data))
	}
	var types []string
	for pos := 12; pos < len(data); {
		if pos+8 > len(data) {
			t.Fatalf("truncated chunk at %d", pos)
		}
		n := int(binary.LittleEndian.Uint32(data[pos+4:]))
		types = append(types, string(data[pos:pos+4]))
		pos += 8 + n + n&1
		if pos > len(data) {
			t.Fatalf("chunk %s runs past the end", types[len(types)-1])
		}
	}
	return types
}

func TestStripWebP(t *testing.T) {
	in := cameraWebP()
	out, err := strip(t, WebP, append(in, "trailing"...))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"VP8X", "ICCP", "VP8L"}
	if got := webpChunks(t, out); !slices.Equal(got, want) {
		t.Errorf("chunks %v, want %v", got, want)
	}
	if flags := out[20]; flags != 0x20|0x10 {
		t.Errorf("VP8X flags %#02x, want ICC and alpha only", flags)
	}
	assertNoIdentifying(t, out)
	if bytes.Contains(out, []byte("EXIF")) || bytes.Contains(out, []byte("XMP ")) {
		t.Error("metadata chunk survived")
	}
	wantOut := riffFile(riffChunk("VP8X", vp8x(0x20|0x10)), riffChunk("ICCP", webpICC), riffChunk("VP8L", webpVP8L))
	if !bytes.Equal(out, wantOut) {
		t.Errorf("got  %q\nwant %q", out, wantOut)
	}
	if again, err := strip(t, WebP, out); err != nil || !bytes.Equal(again, out) {
		t.Errorf("stripping twice changed the output (err %v)", err)
	}
}

func TestStripWebPAnimation(t *testing.T) {
	header := []byte("XXXYYYWWWHHHDDDF") // position, size, duration, flags
	frame := func(subs ...[]byte) []byte {
		f := append([]byte{}, header...)
		for _, s := range subs {
			f = append(f, s...)
		}
		return f
	}
	in := riffFile(
		riffChunk("VP8X", vp8x(0x02|0x08)), // animation, EXIF
		riffChunk("ANIM", []byte("bgcolloop")),
		riffChunk("ANMF", frame(riffChunk("ALPH", []byte("a")), riffChunk("VP8 ", []byte("frame1")), riffChunk("ZZZZ", []byte("Pixel 9 GPS")))),
		riffChunk("ANMF", frame(riffChunk("VP8L", []byte("frame2")))),
		riffChunk("EXIF", exifTIFF(binary.BigEndian, 1)),
	)
	want := riffFile(
		riffChunk("VP8X", vp8x(0x02)),
		riffChunk("ANIM", []byte("bgcolloop")),
		riffChunk("ANMF", frame(riffChunk("ALPH", []byte("a")), riffChunk("VP8 ", []byte("frame1")))),
		riffChunk("ANMF", frame(riffChunk("VP8L", []byte("frame2")))),
	)
	out, err := strip(t, WebP, in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("got  %q\nwant %q", out, want)
	}
	assertNoIdentifying(t, out)

	short := riffFile(riffChunk("VP8X", vp8x(0x02)), riffChunk("ANMF", []byte("short")))
	if _, err := strip(t, WebP, short); !errors.Is(err, ErrMalformed) {
		t.Errorf("short frame: err = %v, want ErrMalformed", err)
	}
	cut := riffFile(riffChunk("VP8X", vp8x(0x02)), riffChunk("ANMF", frame([]byte("VP8L\xff\x00\x00\x00x"))))
	if _, err := strip(t, WebP, cut); !errors.Is(err, ErrMalformed) {
		t.Errorf("truncated sub-chunk: err = %v, want ErrMalformed", err)
	}
}

func TestStripWebPSimple(t *testing.T) {
	// A simple (lossy, no VP8X) file has no place for metadata; it is
	// copied as is.
	in := riffFile(riffChunk("VP8 ", []byte("not really VP8 data")))
	out, err := strip(t, WebP, in)
	if err != nil || !bytes.Equal(out, in) {
		t.Errorf("err %v, output differs", err)
	}
}

func TestStripWebPRejects(t *testing.T) {
	good := cameraWebP()
	oversize := append([]byte{}, good...)
	binary.LittleEndian.PutUint32(oversize[4:], uint32(len(good)))
	cases := map[string][]byte{
		"empty":             {},
		"not RIFF":          append([]byte("RIFX"), good[4:]...),
		"not WEBP":          append(append([]byte{}, good[:8]...), append([]byte("WAVE"), good[12:]...)...),
		"RIFF size too big": oversize,
		"truncated":         good[:len(good)-3],
		"no image":          riffFile(riffChunk("VP8X", vp8x(0x08)), riffChunk("EXIF", []byte("x"))),
		"short VP8X":        riffFile(riffChunk("VP8X", []byte{0x08}), riffChunk("VP8L", []byte("x"))),
		"VP8X not first":    riffFile(riffChunk("VP8L", []byte("x")), riffChunk("VP8X", vp8x(0))),
		"EXIF first":        riffFile(riffChunk("EXIF", []byte("x")), riffChunk("VP8L", []byte("x"))),
		"chunk past end":    riffFile(append(riffChunk("VP8L", []byte("xx")), 'E', 'X', 'I', 'F', 0xFF, 0, 0, 0)),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := strip(t, WebP, in); !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func FuzzStripWebP(f *testing.F) {
	f.Add(cameraWebP())
	f.Add(riffFile(riffChunk("VP8 ", []byte("x"))))
	f.Add(riffFile(riffChunk("VP8X", vp8x(0x0C)), riffChunk("ANMF", []byte("frame")), riffChunk("XMP ", []byte("x"))))
	f.Add(riffFile(riffChunk("VP8X", vp8x(0x0A)), riffChunk("ANIM", []byte("bgcolloop")),
		riffChunk("ANMF", append([]byte("XXXYYYWWWHHHDDDF"), append(riffChunk("ALPH", []byte("a")), riffChunk("ZZZZ", []byte("z"))...)...)),
		riffChunk("EXIF", []byte("exif"))))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := strip(t, WebP, in)
		if err != nil {
			return
		}
		for _, typ := range webpChunks(t, out) {
			if !slices.Contains(webpKeep, typ) {
				t.Fatalf("chunk %q survived", typ)
			}
		}
		if string(out[12:16]) == "VP8X" && out[20]&(vp8xFlagEXIF|vp8xFlagXMP) != 0 {
			t.Fatal("metadata flags still set")
		}
		again, err := strip(t, WebP, out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("stripping the output: err %v", err)
		}
	})
}
