package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/png"
	"slices"
	"testing"
)

func TestStripPNG(t *testing.T) {
	in := cameraPNG(t)
	for _, s := range []string{"GPS 21.0,105.8", "Pixel 9", "eXIf", "tEXt", "tIME", "iTXt", "zTXt"} {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("test input lacks %q", s)
		}
	}
	out, err := strip(t, PNG, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"IHDR", "gAMA", "pHYs", "IDAT", "IEND"}
	if got := pngChunks(t, out); !slices.Equal(got, want) {
		t.Errorf("chunks %v, want %v", got, want)
	}
	assertNoIdentifying(t, out)
	m, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if b := m.Bounds(); b.Dx() != 8 || b.Dy() != 6 {
		t.Errorf("decoded size %v, want 8×6", b.Size())
	}
	if again, err := strip(t, PNG, out); err != nil || !bytes.Equal(again, out) {
		t.Errorf("stripping twice changed the output (err %v)", err)
	}
}

func TestStripPNGRejects(t *testing.T) {
	plain := encodePNG(t, quadImage(4, 4))
	ihdrEnd := len(pngSignature) + 12 + 13
	insert := func(chunks ...[]byte) []byte {
		out := append([]byte{}, plain[:ihdrEnd]...)
		for _, c := range chunks {
			out = append(out, c...)
		}
		return append(out, plain[ihdrEnd:]...)
	}
	badCRC := pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F})
	badCRC[len(badCRC)-1] ^= 1
	badIDAT := append([]byte{}, plain...)
	idat := bytes.Index(badIDAT, []byte("IDAT"))
	badIDAT[idat+4] ^= 1

	cases := map[string][]byte{
		"empty":                  {},
		"no signature":           plain[8:],
		"signature only":         plain[:8],
		"truncated":              plain[:len(plain)-1],
		"no IEND":                plain[:len(plain)-12],
		"bad CRC in kept chunk":  insert(badCRC),
		"bad CRC in IDAT":        badIDAT,
		"unknown critical chunk": insert(pngChunk("CgBI", []byte{0x50, 0, 0x20, 2})),
		"invalid chunk type":     insert(pngChunk("t\x00Xt", []byte("x"))),
		"IHDR not first":         append(append([]byte(pngSignature), pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F})...), plain[8:]...),
		"two IHDR":               insert(plain[8:ihdrEnd]),
		"no IDAT":                append(append([]byte{}, plain[:ihdrEnd]...), pngChunk("IEND", nil)...),
		"huge length":            append(append([]byte{}, plain[:ihdrEnd]...), 0xFF, 0xFF, 0xFF, 0xF0, 'I', 'D', 'A', 'T'),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := strip(t, PNG, in); !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
		})
	}

	// A damaged chunk that is dropped anyway does not matter.
	badText := pngChunk("tEXt", []byte("Comment\x00x"))
	badText[len(badText)-1] ^= 1
	if out, err := strip(t, PNG, insert(badText)); err != nil || !bytes.Equal(out, plain) {
		t.Errorf("bad CRC in a dropped chunk: err %v", err)
	}
}

func TestStripPNGTruncated(t *testing.T) {
	in := cameraPNG(t)
	end := bytes.Index(in, []byte("IEND")) + 8
	for n := range end {
		if _, err := strip(t, PNG, in[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated to %d of %d bytes: err = %v", n, end, err)
		}
	}
}

func FuzzStripPNG(f *testing.F) {
	f.Add(cameraPNG(f))
	f.Add(encodePNG(f, quadImage(3, 2)))
	f.Add([]byte(pngSignature))
	f.Add(append([]byte(pngSignature), pngChunk("IHDR", make([]byte, 13))...))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := strip(t, PNG, in)
		if err != nil {
			return
		}
		types := pngChunks(t, out)
		if len(types) < 3 || types[0] != "IHDR" || types[len(types)-1] != "IEND" {
			t.Fatalf("chunks %v", types)
		}
		for _, typ := range types {
			if !slices.Contains(pngKeep, typ) {
				t.Fatalf("chunk %q survived", typ)
			}
		}
		if n := binary.BigEndian.Uint32(out[len(out)-12:]); n != 0 {
			t.Fatalf("IEND length %d", n)
		}
		again, err := strip(t, PNG, out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("stripping the output: err %v, idempotent %v", err, bytes.Equal(again, out))
		}
	})
}
