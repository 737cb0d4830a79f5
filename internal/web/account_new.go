package web

import (
	"net/http"

	"toandan/internal/account"
)

// roleOption is a role the account form offers, with the level of unit it
// belongs to.
type roleOption struct {
	Role  account.Role
	Label string
}

func roleOptions() []roleOption {
	level := map[string]string{"nation": "toàn quốc", "province": "cấp tỉnh", "commune": "cấp xã"}
	out := make([]roleOption, 0, len(account.Roles))
	for _, r := range account.Roles {
		out = append(out, roleOption{Role: r.Role, Label: r.Name + " (" + level[r.Level] + ")"})
	}
	return out
}

type accountFormData struct {
	Roles   []roleOption
	MaxName int
}

// accountNew shows the form that creates an account.
func (s *Server) accountNew(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !account.Allowed(u.Role, account.ManageUsers) {
		s.fail(w, r, u, errNoAccounts)
		return
	}
	v := staffView(u, "Tạo tài khoản", accountFormData{Roles: roleOptions(), MaxName: account.MaxDisplayName}, "")
	v.Form = map[string]string{}
	s.render(w, r, http.StatusOK, "account_new", v)
}
