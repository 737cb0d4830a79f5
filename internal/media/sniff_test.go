package media

import (
	"bytes"
	"testing"
)

func TestSniff(t *testing.T) {
	ebml := func(docType string) []byte {
		h := []byte{0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81, 0x04, 0x42, 0xF3, 0x81, 0x08,
			0x42, 0x82, 0x80 | byte(len(docType))}
		h = append(h, docType...)
		h = append(h, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02)
		return append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x80 | byte(len(h))}, h...)
	}
	ftyp := func(major string, compatible ...string) []byte {
		b := []byte{0, 0, 0, byte(16 + 4*len(compatible))}
		b = append(b, "ftyp"+major+"\x00\x00\x02\x00"...)
		for _, c := range compatible {
			b = append(b, c...)
		}
		return append(b, "\x00\x00\x00\x08free"...)
	}
	cases := []struct {
		name string
		head []byte
		want string // "" for rejected
	}{
		{"jpeg", encodeJPEG(t, quadImage(8, 8)), JPEG},
		{"png", encodePNG(t, quadImage(8, 8)), PNG},
		// What a file is called plays no part: this one was named photo.pdf.
		{"png named .pdf", encodePNG(t, quadImage(2, 2)), PNG},
		{"webp extended", cameraWebP(), WebP},
		{"webp lossy", riffFile(riffChunk("VP8 ", []byte("x"))), WebP},
		{"heic", ftyp("heic", "mif1", "heic"), HEIC},
		{"heix", ftyp("heix", "mif1", "heix"), HEIC},
		{"mif1 heic", ftyp("mif1", "mif1", "heic"), HEIC},
		{"mp4 isom", ftyp("isom", "isom", "iso2", "avc1", "mp41"), MP4},
		{"mp4 mp42", ftyp("mp42", "isom", "mp42"), MP4},
		{"m4v", ftyp("M4V ", "M4V ", "mp42"), MP4},
		{"quicktime", ftyp("qt  ", "qt  "), QuickTime},
		{"webm", ebml("webm"), WebM},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), PDF},

		{"empty", nil, ""},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode"), ""},
		{"html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script>"), ""},
		{"html with leading space", []byte("  \n<html><body>%PDF-1.7"), ""},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), ""},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"), ""},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), ""},
		{"plain text", []byte("Tôi muốn tố giác"), ""},
		{"avif", ftyp("avif", "avif", "mif1", "miaf"), ""},
		{"mif1 avif", ftyp("mif1", "mif1", "avif"), ""},
		{"3gp", ftyp("3gp4", "isom", "3gp4"), ""},
		{"ftyp bad size", append([]byte{0, 0, 0, 3}, ftyp("isom")[4:]...), ""},
		{"matroska", ebml("matroska"), ""},
		{"riff wave", []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"), ""},
		{"riff webp unknown chunk", []byte("RIFF\x24\x00\x00\x00WEBPVP9 \x10\x00\x00\x00"), ""},
		{"jpeg prefix only", []byte{0xFF, 0xD8}, ""},
		{"pdf not at start", []byte("\x00%PDF-1.7"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			head := tc.head[:min(len(tc.head), SniffLen)]
			got, ok := Sniff(head)
			if ok != (tc.want != "") || got != tc.want {
				t.Errorf("Sniff = %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}

func TestSniffShortHead(t *testing.T) {
	// A few bytes decide for the fixed signatures.
	jpg := encodeJPEG(t, quadImage(8, 8))
	for _, n := range []int{3, 4, 16} {
		if ct, ok := Sniff(jpg[:n]); !ok || ct != JPEG {
			t.Errorf("first %d bytes: %q, %v", n, ct, ok)
		}
	}
	if _, ok := Sniff(bytes.Repeat([]byte{0}, SniffLen)); ok {
		t.Error("zeros accepted")
	}
}
