package web

import (
	"net/http"
	"strconv"
	"time"

	"toandan/internal/account"
	"toandan/internal/errs"
)

// What the account management pages share: administrators list, create and
// look after the accounts of their subtree (account.ManageUsers); every
// officer changes their own password on the password page.

// accountInfo is an account as the management pages show it.
type accountInfo struct {
	account.User
	UnitTitle   string
	Locked      bool      // failed logins lock it now
	LockedUntil time.Time // until when
	Self        bool      // the viewer's own account
}

// State names what the account may do now.
func (a accountInfo) State() string {
	switch {
	case a.Disabled:
		return "Đã vô hiệu hóa"
	case a.Locked:
		return "Tạm khóa đến " + a.LockedUntil.In(vnZone).Format("15:04 02/01/2006")
	}
	return "Đang hoạt động"
}

// StateClass is the style of State.
func (a accountInfo) StateClass() string {
	switch {
	case a.Disabled:
		return "disabled"
	case a.Locked:
		return "locked"
	}
	return "active"
}

// RequiresTOTP reports whether the account's role must use a second factor.
func (a accountInfo) RequiresTOTP() bool { return account.RequiresTOTP(a.Role) }

// MustEnrol reports whether the account's role requires a second factor it
// has not set up: it enrols at its next login.
func (a accountInfo) MustEnrol() bool { return !a.TOTPEnabled && a.RequiresTOTP() }

// SecondFactor describes the account's second factor.
func (a accountInfo) SecondFactor() string {
	switch {
	case a.TOTPEnabled:
		return "Đã bật"
	case a.MustEnrol():
		return "Chưa bật (bắt buộc; đăng ký ở lần đăng nhập tới)"
	}
	return "Chưa bật"
}

// accountInfos describes accounts for viewer, naming each unit once.
func (s *Server) accountInfos(r *http.Request, viewer *account.User, users ...account.User) []accountInfo {
	titles := map[string]string{}
	now := s.Clock.Now()
	out := make([]accountInfo, 0, len(users))
	for _, u := range users {
		title, ok := titles[u.UnitCode]
		if !ok {
			title = s.unitTitle(r, u.UnitCode)
			titles[u.UnitCode] = title
		}
		until, locked := u.LockedUntil(now)
		out = append(out, accountInfo{User: u, UnitTitle: title, Locked: locked, LockedUntil: until, Self: u.ID == viewer.ID})
	}
	return out
}

var errNoAccounts = errs.E(errs.Forbidden, "Bạn không có quyền quản lý tài khoản.")

// managedAccount reads the {id} of an account page after the role check,
// so that a role without the permission gets the same answer for any id,
// and returns the account if it lies in the viewer's subtree.
func (s *Server) managedAccount(r *http.Request, u *account.User) (account.User, error) {
	if !account.Allowed(u.Role, account.ManageUsers) {
		return account.User{}, errNoAccounts
	}
	id, err := pathID(r, "Không tìm thấy tài khoản.")
	if err != nil {
		return account.User{}, err
	}
	return s.Accounts.Managed(r.Context(), *u, id)
}

func accountPath(id int64) string { return "/can-bo/tai-khoan/" + strconv.FormatInt(id, 10) }

// The account pages' template functions, registered as the movement pages'
// are (see movement_common.go).
func init() {
	funcs["canManageUsers"] = func(r account.Role) bool { return account.Allowed(r, account.ManageUsers) }
}
