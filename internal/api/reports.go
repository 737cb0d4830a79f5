package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
)

// reportRequest is the body of POST /api/v1/reports.
type reportRequest struct {
	Category     string        `json:"category"`
	CommuneCode  string        `json:"commune_code"`
	ProvinceCode string        `json:"province_code"`
	Address      string        `json:"address"`
	OccurredAt   string        `json:"occurred_at"`
	Description  string        `json:"description"`
	Anonymous    *bool         `json:"anonymous"`
	Reporter     *reporterJSON `json:"reporter"`
	Location     *pointJSON    `json:"location"`
}

type reporterJSON struct {
	FullName string `json:"full_name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Address  string `json:"address"`
	Email    string `json:"email"`
}

type pointJSON struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

type receiptJSON struct {
	TrackingCode string    `json:"tracking_code"`
	ReceiptCode  string    `json:"receipt_code"`
	ReceivedAt   time.Time `json:"received_at"`
	RegisterNo   int       `json:"register_no"`
	RegisterYear int       `json:"register_year"`
	Unit         string    `json:"unit"`
}

type lookupRequest struct {
	ReceiptCode string `json:"receipt_code"`
}

type replyRequest struct {
	ReceiptCode string `json:"receipt_code"`
	Message     string `json:"message"`
}

type messageJSON struct {
	At           time.Time `json:"at"`
	FromReporter bool      `json:"from_reporter"`
	Body         string    `json:"body"`
}

type statusJSON struct {
	TrackingCode string        `json:"tracking_code"`
	Status       string        `json:"status"`
	StatusText   string        `json:"status_text"`
	Unit         string        `json:"unit"`
	ReceivedAt   time.Time     `json:"received_at"`
	Closed       bool          `json:"closed"`
	Messages     []messageJSON `json:"messages"`
}

const maxJSON = 64 << 10

// decodeJSON reads one JSON object into v, refusing unknown fields, and
// names the field at fault in its error.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return errs.Field(te.Field, "Trường %s có kiểu dữ liệu không đúng.", te.Field)
		case errors.As(err, &te):
			return errs.Field("body", "Nội dung gửi lên phải là một đối tượng JSON.")
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return errs.Field("body", "Nội dung gửi lên không phải JSON hợp lệ.")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			if f == "" {
				return errs.Field("body", "Nội dung gửi lên có trường không tên.")
			}
			return errs.Field(f, "Trường %q không được hỗ trợ.", f)
		}
		return errs.Field("body", "Nội dung gửi lên không hợp lệ.")
	}
	if dec.More() {
		return errs.Field("body", "Chỉ gửi một đối tượng JSON.")
	}
	return nil
}

func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errs.Field("body", "Nội dung gửi lên quá lớn.")
		}
		return nil, errs.Field("body", "Không đọc được nội dung gửi lên.")
	}
	return b, nil
}

// createReport takes a report as JSON, or as multipart with the JSON in the
// field "report" and files in "attachments".
func (a *API) createReport(w http.ResponseWriter, r *http.Request) {
	var req reportRequest
	var files []crimesource.Upload
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		lim := a.Sources.Limits
		r.Body = http.MaxBytesReader(w, r.Body, int64(lim.MaxFiles)*lim.MaxFileBytes+1<<20)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			a.fail(w, r, errs.Field("attachments", "Dữ liệu gửi lên quá lớn hoặc không đọc được."))
			return
		}
		if err := decodeJSON([]byte(r.FormValue("report")), &req); err != nil {
			a.fail(w, r, err)
			return
		}
		for _, fh := range r.MultipartForm.File["attachments"] {
			if fh.Size > lim.MaxFileBytes {
				a.fail(w, r, errs.Field("attachments", "Tệp “%s” quá lớn: mỗi tệp tối đa %d MB.", fh.Filename, lim.MaxFileBytes>>20))
				return
			}
			f, err := fh.Open()
			if err != nil {
				a.fail(w, r, err)
				return
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				a.fail(w, r, err)
				return
			}
			files = append(files, crimesource.Upload{Name: fh.Filename, Data: data})
		}
	} else {
		body, err := readBody(w, r, maxJSON)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if err := decodeJSON(body, &req); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if err := a.Guard.AllowSubmit(w, r, true); err != nil {
		a.fail(w, r, err)
		return
	}
	in := crimesource.Intake{
		Category: req.Category, CommuneCode: req.CommuneCode, ProvinceCode: req.ProvinceCode, Address: req.Address,
		OccurredAt: req.OccurredAt, Description: req.Description, Files: files,
	}
	in.Anonymous = req.Reporter == nil
	if req.Anonymous != nil {
		in.Anonymous = *req.Anonymous
	}
	if req.Reporter != nil && !in.Anonymous {
		in.Reporter = &crimesource.Reporter{FullName: req.Reporter.FullName, IDNumber: req.Reporter.IDNumber, Phone: req.Reporter.Phone,
			Address: req.Reporter.Address, Email: req.Reporter.Email}
	}
	if req.Location != nil {
		lat, lon := req.Location.Lat, req.Location.Lon
		in.Lat, in.Lon = &lat, &lon
	}
	rec, err := a.Sources.Submit(r.Context(), in, crimesource.Actor{})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", fmt.Sprintf("/api/v1/reports/%s", rec.TrackingCode))
	writeJSON(w, http.StatusCreated, receiptJSON{TrackingCode: rec.TrackingCode, ReceiptCode: rec.ReceiptCode, ReceivedAt: rec.ReceivedAt.UTC(),
		RegisterNo: rec.RegisterNo, RegisterYear: rec.RegisterYear, Unit: rec.UnitName})
}

func statusOf(v crimesource.CitizenView) statusJSON {
	out := statusJSON{TrackingCode: v.TrackingCode, Status: v.Status, StatusText: v.StatusText, Unit: v.UnitName,
		ReceivedAt: v.ReceivedAt.UTC(), Closed: v.Closed, Messages: []messageJSON{}}
	for _, m := range v.Messages {
		out.Messages = append(out.Messages, messageJSON{At: m.At.UTC(), FromReporter: m.FromReporter, Body: m.Body})
	}
	return out
}

func (a *API) lookupReport(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, 4<<10)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req lookupRequest
	if err := decodeJSON(body, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.Guard.LookupWait(w, r); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.Sources.Lookup(r.Context(), req.ReceiptCode)
	a.Guard.LookupResult(r, err)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, statusOf(v))
}

func (a *API) replyReport(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, maxJSON)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req replyRequest
	if err := decodeJSON(body, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.Guard.LookupWait(w, r); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.Sources.Reply(r.Context(), req.ReceiptCode, req.Message, nil)
	a.Guard.LookupResult(r, err)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, statusOf(v))
}

func (a *API) categories(w http.ResponseWriter, r *http.Request) {
	cs, err := a.Sources.Categories(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type cat struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	out := make([]cat, len(cs))
	for i, c := range cs {
		out[i] = cat{c.Code, c.Name}
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, out)
}
