package web

import (
	"net/http"

	"toandan/internal/account"
)

// accountResetTOTP turns an account's second factor off, for a lost phone:
// its recovery codes and sessions go, and a role that requires TOTP enrols
// again at its next login.
func (s *Server) accountResetTOTP(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.accountAction(w, r, u, "confirm_totp", "dat-lai-xac-thuc", func(target account.User) error {
		return s.Accounts.ResetSecondFactor(r.Context(), *u, target.ID)
	})
}
