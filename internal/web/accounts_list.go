package web

import (
	"net/http"

	"toandan/internal/account"
)

// accountsList lists the accounts the administrator manages: those bound to
// a unit in their subtree. ?dinh-dang=csv downloads the list.
func (s *Server) accountsList(w http.ResponseWriter, r *http.Request, u *account.User) {
	users, err := s.Accounts.ListManaged(r.Context(), *u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	infos := s.accountInfos(r, u, users...)
	if wantsCSV(r) {
		yesNo := map[bool]string{true: "có", false: "không"}
		rows := make([][]string, 0, len(infos))
		for _, a := range infos {
			rows = append(rows, []string{csvSafe(a.Username), csvSafe(a.DisplayName), string(a.Role), account.RoleName(a.Role), csvSafe(a.UnitCode),
				csvSafe(a.UnitTitle), yesNo[a.TOTPEnabled], a.StateClass(), a.State()})
		}
		s.writeCSV(w, "tai-khoan.csv", []string{"ten_dang_nhap", "ho_ten", "ma_vai_tro", "vai_tro", "ma_don_vi", "don_vi", "xac_thuc_hai_buoc",
			"ma_tinh_trang", "tinh_trang"}, rows)
		return
	}
	s.render(w, r, http.StatusOK, "accounts", staffView(u, "Tài khoản cán bộ", infos, ""))
}
