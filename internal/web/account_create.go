package web

import (
	"net/http"

	"toandan/internal/account"
	"toandan/internal/errs"
)

// accountSecretData is the page that shows a generated password once.
type accountSecretData struct {
	Account  accountInfo
	Password string
	Created  bool // a new account, rather than a reset
}

// accountCreate creates an account with a generated password and shows the
// password once, for the administrator to hand over.
func (s *Server) accountCreate(w http.ResponseWriter, r *http.Request, u *account.User) {
	in := account.NewUser{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("name"),
		Role: account.Role(r.PostFormValue("role")), UnitCode: r.PostFormValue("unit")}
	created, pw, err := s.Accounts.AddAccount(r.Context(), *u, in)
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		v := staffView(u, "Tạo tài khoản", accountFormData{Roles: roleOptions(), MaxName: account.MaxDisplayName}, "")
		v.Error, v.Fields = formErrors(err)
		v.Form = formValues(r)
		s.render(w, r, errs.Status(err), "account_new", v)
		return
	}
	d := accountSecretData{Account: s.accountInfos(r, u, created)[0], Password: pw, Created: true}
	s.render(w, r, http.StatusCreated, "account_secret", staffView(u, "Đã tạo tài khoản "+created.Username, d, ""))
}
