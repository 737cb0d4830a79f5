package web

import (
	"net/http"

	"toandan/internal/account"
)

// accountUnlock lifts the lock that failed logins put on an account.
func (s *Server) accountUnlock(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.accountAction(w, r, u, "", "mo-khoa", func(target account.User) error {
		return s.Accounts.Unlock(r.Context(), *u, target.ID)
	})
}
