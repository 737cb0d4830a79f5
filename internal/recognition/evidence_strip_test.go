package recognition_test

import (
	"bytes"
	"image/jpeg"
	"testing"

	"toandan/internal/recognition"
	"toandan/internal/testutil"
)

// Evidence photos lose their metadata before they are stored, as reporters'
// photos do: a photo taken at a meeting says where and on which phone.
func TestEvidencePhotoStripped(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		xa := e.user(t, "xa-t0101")
		cc, err := e.svc.Register(e.ctx, xa, 2026, recognition.KindCommune, "T0101")
		must(t, err)
		photo := testutil.PhotoWithGPS(t)
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
