package web

import (
	"net/http"

	"toandan/internal/account"
	"toandan/internal/api"
	"toandan/internal/auth/secret"
	"toandan/internal/errs"
)

// passwordChange replaces the officer's own password once they give the
// current one, and ends their other sessions. What was typed is never sent
// back.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request, u *account.User) {
	in := account.PasswordChange{Current: r.PostFormValue("current"), New: r.PostFormValue("new"), Confirm: r.PostFormValue("confirm")}
	if err := s.Accounts.ChangePassword(r.Context(), u.ID, sessionToken(r), in, api.ClientIP(r)); err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		v := staffView(u, "Đổi mật khẩu", passwordData{MinLength: secret.MinPasswordLength}, "")
		v.Error, v.Fields = formErrors(err)
		s.render(w, r, errs.Status(err), "password", v)
		return
	}
	http.Redirect(w, r, "/can-bo/mat-khau?ok=1", http.StatusSeeOther)
}
