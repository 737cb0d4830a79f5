package web

import (
	"net/http"

	"toandan/internal/account"
)

// accountDisable stops an account from signing in and ends its sessions.
func (s *Server) accountDisable(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.accountAction(w, r, u, "confirm_disable", "vo-hieu", func(target account.User) error {
		return s.Accounts.Disable(r.Context(), *u, target.ID)
	})
}
