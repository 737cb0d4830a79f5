package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
	"toandan/internal/media"
)

var vnZone = time.FixedZone("ICT", 7*3600)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func (s *Server) limits() media.Limits {
	if s.Sources != nil && s.Sources.Limits.MaxFiles > 0 {
		return s.Sources.Limits
	}
	return media.DefaultLimits()
}

// parseUpload reads a form, multipart or not, within the size the upload
// limits allow, and returns the files of the field "attachments". Nothing is
// stored here.
func (s *Server) parseUpload(w http.ResponseWriter, r *http.Request) ([]crimesource.Upload, error) {
	lim := s.limits()
	max := int64(lim.MaxFiles)*lim.MaxFileBytes + 1<<20
	r.Body = http.MaxBytesReader(w, r.Body, max)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseForm(); err != nil {
			return nil, tooBig(err)
		}
		return nil, nil
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return nil, tooBig(err)
	}
	var out []crimesource.Upload
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Size == 0 {
			continue
		}
		if len(out) >= lim.MaxFiles {
			return nil, errs.Field("attachments", "Chỉ được đính kèm tối đa %d tệp.", lim.MaxFiles)
		}
		if fh.Size > lim.MaxFileBytes {
			return nil, errs.Field("attachments", "Tệp “%s” quá lớn: mỗi tệp tối đa %s.", fh.Filename, sizeText(lim.MaxFileBytes))
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, lim.MaxFileBytes+1))
		f.Close()
		if err != nil {
			return nil, tooBig(err)
		}
		out = append(out, crimesource.Upload{Name: fh.Filename, Data: data})
	}
	return out, nil
}

// sizeText words a size limit for people: whole megabytes, or kilobytes
// for a limit that is not (a limit under 1 MB must not read "0 MB").
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

func tooBig(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errs.Field("attachments", "Dữ liệu gửi lên quá lớn. Hãy bớt tệp đính kèm hoặc chọn tệp nhỏ hơn.")
	}
	return errs.E(errs.Invalid, "Không đọc được dữ liệu gửi lên.")
}
