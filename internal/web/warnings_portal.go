package web

import (
	"net/http"
	"strings"

	"toandan/internal/account"
	"toandan/internal/geo"
	"toandan/internal/warning"
)

// portalWarnings is how many warnings the portal's home page lists.
const portalWarnings = 20

type homeData struct {
	Provinces []geo.Unit
	// Province is the province chosen with ?tinh=, "" for the nation-wide
	// warnings only; ProvinceName names it.
	Province     string
	ProvinceName string
	// Unknown is a ?tinh= that names no province in force.
	Unknown  string
	Warnings []warning.Warning
}

// home is the citizen portal: what to do, and the security warnings in
// force, nation-wide and (with ?tinh=CODE) the province's, newest first.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var d homeData
	var err error
	if d.Provinces, err = s.Geo.Provinces(ctx, s.Geo.Today()); err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if code := strings.TrimSpace(r.URL.Query().Get("tinh")); code != "" {
		for _, p := range d.Provinces {
			if p.Code == code {
				d.Province, d.ProvinceName = p.Code, p.Title()
			}
		}
		if d.Province == "" {
			d.Unknown = code
		}
	}
	if d.Warnings, err = s.Warnings.Published(ctx, d.Province, portalWarnings); err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", view{Title: "Toàn dân bảo vệ an ninh Tổ quốc", Data: d})
}

// warningPage shows one published warning to anyone.
func (s *Server) warningPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "Không tìm thấy cảnh báo.")
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	wn, err := s.Warnings.PublishedByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.render(w, r, http.StatusOK, "warning", view{Title: wn.Title, Data: wn})
}

// The warning pages' template functions, registered as the movement pages'
// are (see movement_common.go).
func init() {
	funcs["summary"] = summary
	funcs["warningStatus"] = warning.StatusName
	funcs["canPublishWarnings"] = func(r account.Role) bool { return account.Allowed(r, account.PublishWarnings) }
}

// summary shortens a warning's text for a list: its first paragraph, at
// most n characters, cut at a word.
func summary(text string, n int) string {
	text, _, _ = strings.Cut(strings.TrimSpace(text), "\n")
	text = strings.TrimSpace(text)
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
