package web

import (
	"net/http"

	"toandan/internal/account"
	"toandan/internal/geo"
)

// remoteMark lists a commune as remote (vùng sâu, vùng xa, biên giới, hải
// đảo) from a date, with its legal basis, or changes the listing.
func (s *Server) remoteMark(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	code := r.PathValue("code")
	if err := s.authorizeUnit(ctx, u, account.MarkRemote, code); err != nil {
		s.fail(w, r, u, err)
		return
	}
	in := geo.RemoteInput{Basis: r.PostFormValue("basis"), ValidFrom: r.PostFormValue("valid_from")}
	if _, err := s.Geo.MarkRemote(ctx, code, in, auditActor(u)); err != nil {
		s.geoFormError(w, r, u, code, err, map[string]string{"remote": "1", "basis": in.Basis, "valid_from": in.ValidFrom})
		return
	}
	http.Redirect(w, r, "/can-bo/dia-ban/"+code+"?ok=vung-xa", http.StatusSeeOther)
}

// remoteUnmark ends a commune's listing as remote. A commune not listed is
// left as it is.
func (s *Server) remoteUnmark(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	code := r.PathValue("code")
	if err := s.authorizeUnit(ctx, u, account.MarkRemote, code); err != nil {
		s.fail(w, r, u, err)
		return
	}
	if _, err := s.Geo.UnmarkRemote(ctx, code, auditActor(u)); err != nil {
		s.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/can-bo/dia-ban/"+code+"?ok=bo-vung-xa", http.StatusSeeOther)
}
