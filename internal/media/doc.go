// Package media checks and cleans files that citizens attach to reports.
//
// Sniff decides what a file is from its first bytes, never from its name or
// the browser's claim, and accepts only photos (JPEG, PNG, WebP, HEIC),
// videos (MP4, QuickTime, WebM) and PDF. Strip then removes what could
// identify the reporter or the place a photo was taken: EXIF (with GPS
// coordinates and the device), XMP, IPTC, comments, text chunks and
// embedded thumbnails. JPEG, PNG, WebP and HEIC are cleaned without
// re-encoding the image data, except for a JPEG whose EXIF orientation must
// be applied to the pixels to keep it upright; a HEIC keeps its length and
// layout, its metadata items overwritten in place. Formats it cannot clean
// (video, PDF) are copied as they are, and Strip says so with ErrNotStripped
// so the caller can record, and tell officers, that their metadata is still
// there.
//
// Errors are constants of type [Error], wrapped with %w and matched with
// errors.Is.
package media

// Error is the type of the package's sentinel errors. It is a string type so
// the sentinels can be constants rather than package variables.
type Error string

// Error implements the error interface.
func (e Error) Error() string { return string(e) }

// Limits bounds what one report may attach.
type Limits struct {
	MaxFiles     int   // attachments per report
	MaxFileBytes int64 // size of each attachment
}

// DefaultLimits returns the limits for citizen reports: 10 files of at most
// 20 MiB each, enough for phone photos and short videos over a slow link.
func DefaultLimits() Limits {
	return Limits{MaxFiles: 10, MaxFileBytes: 20 << 20}
}
