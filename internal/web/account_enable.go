package web

import (
	"net/http"

	"toandan/internal/account"
)

// accountEnable lets a disabled account sign in again.
func (s *Server) accountEnable(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.accountAction(w, r, u, "", "kich-hoat", func(target account.User) error {
		return s.Accounts.Enable(r.Context(), *u, target.ID)
	})
}
