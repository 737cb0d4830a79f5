package web

import (
	"net/http"

	"toandan/internal/account"
	"toandan/internal/errs"
)

var accountFlash = map[string]string{
	"vo-hieu":          "Đã vô hiệu hóa tài khoản; các phiên đăng nhập của tài khoản đã kết thúc.",
	"kich-hoat":        "Đã kích hoạt lại tài khoản; người dùng đăng nhập bằng mật khẩu hiện có.",
	"mo-khoa":          "Đã mở khóa tài khoản.",
	"dat-lai-xac-thuc": "Đã đặt lại xác thực hai bước; mã khôi phục cũ hết hiệu lực và các phiên đăng nhập đã kết thúc.",
}

// accountPage shows an account the administrator manages, with what they
// may do to it.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	target, err := s.managedAccount(r, u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.renderAccount(w, r, u, target, http.StatusOK, accountFlash[r.URL.Query().Get("ok")], nil)
}

// renderAccount shows target's page, with err's message and field when an
// action on it was refused.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, u *account.User, target account.User, status int, flash string, err error) {
	v := staffView(u, "Tài khoản "+target.Username, s.accountInfos(r, u, target)[0], flash)
	if err != nil {
		v.Error, v.Fields = formErrors(err)
	}
	s.render(w, r, status, "account", v)
}

// accountAction runs act on the account of the path once the administrator
// has ticked the box named confirm (when not ""), then shows the account
// again with ok's message. A refusal the administrator can act on is shown
// on the account's page.
func (s *Server) accountAction(w http.ResponseWriter, r *http.Request, u *account.User, confirm, ok string,
	act func(target account.User) error) {
	target, err := s.managedAccount(r, u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if confirm != "" && r.PostFormValue("xac_nhan") != "1" {
		err = errs.Field(confirm, "Đánh dấu ô xác nhận để thực hiện thao tác này.")
	} else {
		err = act(target)
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		s.renderAccount(w, r, u, target, errs.Status(err), "", err)
		return
	}
	http.Redirect(w, r, accountPath(target.ID)+"?ok="+ok, http.StatusSeeOther)
}
