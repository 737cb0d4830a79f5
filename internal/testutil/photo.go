package testutil

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// PhotoWithGPS returns a small JPEG carrying an EXIF segment with GPS tags
// and a camera model, as a phone photo would. None of "Exif",
// "GPSLatitude" or "Pixel 9" may survive metadata stripping.
func PhotoWithGPS(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08GPSLatitude 21.0285 GPSLongitude 105.8542 Model Pixel 9")
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, enc.Bytes()[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, enc.Bytes()[2:]...)
}
