package web

import (
	"net/http"

	"toandan/internal/account"
	"toandan/internal/auth/secret"
)

type passwordData struct{ MinLength int }

// passwordForm is where every officer changes their own password.
func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request, u *account.User) {
	flash := ""
	if r.URL.Query().Get("ok") == "1" {
		flash = "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."
	}
	s.render(w, r, http.StatusOK, "password", staffView(u, "Đổi mật khẩu", passwordData{MinLength: secret.MinPasswordLength}, flash))
}
