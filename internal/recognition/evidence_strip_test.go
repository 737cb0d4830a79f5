package recognition_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"toandan/internal/recognition"
)

// photoWithGPS is a JPEG carrying an Exif segment with a position and a
// device name.
func photoWithGPS(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := 0; y < 24; y++ {
		for x := 0; x < 32; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 90, 255})
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

// Evidence photos lose their metadata before they are stored, as reporters'
// photos do: a photo taken at a meeting says where and on which phone.
func TestEvidencePhotoStripped(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		xa := e.user(t, "xa-t0101")
		cc, err := e.svc.Register(e.ctx, xa, 2026, recognition.KindCommune, "T0101")
		must(t, err)
		photo := photoWithGPS(t)
		_, err = e.svc.Assess(e.ctx, xa, cc.ID, "1", true, "Ảnh hội nghị", &recognition.File{Name: "hoi-nghi.jpg", Data: photo})
		must(t, err)
		if len(e.files.m) != 1 {
			t.Fatalf("%d files stored", len(e.files.m))
		}
		for _, stored := range e.files.m {
			for _, bad := range []string{"Exif", "GPSLatitude", "Pixel 9"} {
				if bytes.Contains(stored, []byte(bad)) {
					t.Errorf("the stored evidence still holds %q", bad)
				}
			}
			if _, err := jpeg.Decode(bytes.NewReader(stored)); err != nil {
				t.Errorf("the stored evidence is no longer a JPEG: %v", err)
			}
		}
		// A damaged image is refused, not stored as it came.
		broken := append([]byte{}, photo[:len(photo)/2]...)
		_, err = e.svc.Assess(e.ctx, xa, cc.ID, "2", true, "", &recognition.File{Name: "hong.jpg", Data: broken})
		wantField(t, err, "file")
		if len(e.files.m) != 1 {
			t.Errorf("%d files stored after a damaged one", len(e.files.m))
		}
	})
}
