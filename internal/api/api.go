// Package api serves the JSON API under /api/v1, with request and response
// types of its own and errors as {"error": {"code", "field", "message"}}.
package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
	"toandan/internal/geo"
)

//go:embed openapi.json
var openAPI []byte

// API holds what the JSON handlers need.
type API struct {
	Geo     *geo.Service
	Sources *crimesource.Service
	Guard   *Guard
	Log     *slog.Logger
}

// Mux is where routes are registered: an http.ServeMux, or a router that
// also records them.
type Mux interface {
	HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request))
}

// Register adds the API routes to mux.
func (a *API) Register(mux Mux) {
	mux.HandleFunc("GET /api/v1/openapi.json", a.openapi)
	mux.HandleFunc("GET /api/v1/geo/units", a.geoUnits)
	mux.HandleFunc("GET /api/v1/categories", a.categories)
	mux.HandleFunc("POST /api/v1/reports", a.createReport)
	mux.HandleFunc("POST /api/v1/reports/lookup", a.lookupReport)
	mux.HandleFunc("POST /api/v1/reports/reply", a.replyReport)
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    errs.Code `json:"code"`
	Field   string    `json:"field,omitempty"`
	Message string    `json:"message"`
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := errs.Status(err)
	if status >= 500 {
		a.Log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	d := errorDetail{Code: errs.CodeOf(err), Message: errs.Message(err)}
	if e, ok := errs.As(err); ok {
		d.Field = e.Field
	}
	writeJSON(w, status, errorBody{Error: d})
}

// writeJSON sends v with its length, so that a small answer (a receipt, an
// error) goes out as it is rather than through the gzip writer, whose set-up
// costs more than such a body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		enc.Encode(errorBody{Error: errorDetail{Code: errs.Internal, Message: errs.Message(err)}})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPI)
}

// unitJSON is one administrative unit as the API shows it.
type unitJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// geoUnits lists the provinces in force (no parent), or the children of
// parent, on ?date= (default today).
func (a *API) geoUnits(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := q.Get("date")
	if d == "" {
		d = a.Geo.Today()
	} else if !geo.ValidDate(d) {
		a.fail(w, r, errs.Field("date", "Ngày phải có dạng YYYY-MM-DD."))
		return
	}
	var (
		us  []geo.Unit
		err error
	)
	if parent := q.Get("parent"); parent != "" {
		if _, err := a.Geo.UnitAt(r.Context(), parent, d); err != nil {
			a.fail(w, r, err)
			return
		}
		us, err = a.Geo.Children(r.Context(), parent, d)
	} else {
		us, err = a.Geo.Provinces(r.Context(), d)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]unitJSON, len(us))
	for i, u := range us {
		out[i] = unitJSON{Code: u.Code, Name: u.Name, Type: u.Type}
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, out)
}
