package media

import (
	"fmt"
	"io"
)

// maxImageBytes bounds how much of an image Strip reads into memory. Callers
// enforce the much smaller Limits.MaxFileBytes; this is the last line.
const maxImageBytes = 64 << 20

// Errors returned by Strip.
const (
	// ErrNotStripped means the file was copied unchanged because its format
	// cannot be cleaned here (video, PDF). It is not a failure: the
	// copy is complete, and the caller should record that the file may
	// still carry metadata.
	ErrNotStripped Error = "media: metadata not removed"
	// ErrUnsupported means Strip was given a content type Sniff does not
	// accept.
	ErrUnsupported Error = "media: unsupported content type"
	// ErrMalformed means an image is truncated or not well formed; nothing
	// written to the output should be kept.
	ErrMalformed Error = "media: malformed file"
	// ErrTooLarge means an image is larger than Strip will hold in memory.
	ErrTooLarge Error = "media: image too large"
)

// Strip copies the file in r to w without the metadata that could identify
// the reporter or the place: contentType is what Sniff returned for it.
//
// For JPEG, PNG, WebP and HEIC it returns nil once a clean copy is written,
// or an error (ErrMalformed for a damaged file, or a HEIC whose metadata
// cannot be located with certainty), in which case whatever reached w must
// be discarded. For video and PDF it copies the file unchanged
// and returns an error wrapping ErrNotStripped; that copy is complete and
// usable, and the caller should store it and record that its metadata is
// still present.
//
// Images are processed in memory; callers bound r (Limits.MaxFileBytes).
func Strip(contentType string, r io.Reader, w io.Writer) error {
	var strip func([]byte) ([]byte, error)
	switch contentType {
	case JPEG:
		strip = stripJPEG
	case PNG:
		strip = stripPNG
	case WebP:
		strip = stripWebP
	case HEIC:
		strip = stripHEIF
	case MP4, QuickTime, WebM, PDF:
		if _, err := io.Copy(w, r); err != nil {
			return fmt.Errorf("media: copy %s: %w", contentType, err)
		}
		return fmt.Errorf("%w from %s", ErrNotStripped, contentType)
	default:
		return fmt.Errorf("%w: %q", ErrUnsupported, contentType)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxImageBytes+1))
	if err != nil {
		return fmt.Errorf("media: read %s: %w", contentType, err)
	}
	if len(data) > maxImageBytes {
		return fmt.Errorf("%w: over %d bytes", ErrTooLarge, maxImageBytes)
	}
	out, err := strip(data)
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("media: write %s: %w", contentType, err)
	}
	return nil
}

// malformed wraps ErrMalformed with what was wrong.
func malformed(format, detail string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, format, fmt.Sprintf(detail, args...))
}
