package web

import (
	"net/http"

	"toandan/internal/account"
	"toandan/internal/errs"
)

// accountResetPassword gives an account a generated password, shown once,
// and ends its sessions.
func (s *Server) accountResetPassword(w http.ResponseWriter, r *http.Request, u *account.User) {
	target, err := s.managedAccount(r, u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	var pw string
	if r.PostFormValue("xac_nhan") != "1" {
		err = errs.Field("confirm_password", "Đánh dấu ô xác nhận để thực hiện thao tác này.")
	} else {
		pw, err = s.Accounts.ResetPassword(r.Context(), *u, target.ID)
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		s.renderAccount(w, r, u, target, errs.Status(err), "", err)
		return
	}
	d := accountSecretData{Account: s.accountInfos(r, u, target)[0], Password: pw}
	s.render(w, r, http.StatusOK, "account_secret", staffView(u, "Đã đặt lại mật khẩu của "+target.Username, d, ""))
}
