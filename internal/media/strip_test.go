package media

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestStripPassThrough(t *testing.T) {
	in := []byte("%PDF-1.7\n/Author (Nguyen Van A) /Producer (Pixel 9)\n%%EOF\n")
	for _, ct := range []string{PDF, MP4, QuickTime, WebM} {
		out, err := strip(t, ct, in)
		if !errors.Is(err, ErrNotStripped) {
			t.Errorf("%s: err = %v, want ErrNotStripped", ct, err)
		}
		if !bytes.Equal(out, in) {
			t.Errorf("%s: copy differs", ct)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestStripErrors(t *testing.T) {
	for _, ct := range []string{"", "image/gif", "text/html", "image/svg+xml", "image/JPEG", "application/octet-stream"} {
		out, err := strip(t, ct, []byte("\xFF\xD8\xFF\xD9"))
		if !errors.Is(err, ErrUnsupported) || len(out) != 0 {
			t.Errorf("%q: err = %v, %d bytes written; want ErrUnsupported, none", ct, err, len(out))
		}
	}

	// A failed copy is a failure, not "not stripped".
	err := Strip(PDF, bytes.NewReader([]byte("%PDF-1.7")), failingWriter{})
	if err == nil || errors.Is(err, ErrNotStripped) {
		t.Errorf("failed copy: err = %v", err)
	}
	jpg := encodeJPEG(t, quadImage(4, 4))
	if err := Strip(JPEG, bytes.NewReader(jpg), failingWriter{}); err == nil {
		t.Error("failed write: no error")
	}

	huge := io.MultiReader(bytes.NewReader(jpg), io.LimitReader(zeros{}, maxImageBytes))
	if err := Strip(JPEG, huge, io.Discard); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge image: err = %v, want ErrTooLarge", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestDefaultLimits(t *testing.T) {
	if l := DefaultLimits(); l.MaxFiles != 10 || l.MaxFileBytes != 20<<20 {
		t.Errorf("DefaultLimits = %+v", l)
	}
}
