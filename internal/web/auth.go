package web

import (
	"net/http"
	"net/url"
	"strings"

	"toandan/internal/abuse"
	"toandan/internal/account"
	"toandan/internal/api"
	"toandan/internal/errs"
)

const sessionCookie = "toandan_session"

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func sessionToken(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

type staffHandler func(w http.ResponseWriter, r *http.Request, u *account.User)

// staff wraps a page that needs a fully signed-in officer.
func (s *Server) staff(h staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, sess, err := s.Accounts.Session(r.Context(), sessionToken(r))
		if err != nil {
			if errs.Is(err, errs.Unauthorized) {
				s.clearSession(w)
			}
			s.fail(w, r, nil, err)
			return
		}
		switch sess.MFA {
		case account.MFAVerify:
			http.Redirect(w, r, "/dang-nhap/xac-thuc", http.StatusSeeOther)
			return
		case account.MFAEnrol:
			http.Redirect(w, r, "/dang-nhap/dang-ky-xac-thuc", http.StatusSeeOther)
			return
		}
		h(w, r, &u)
	}
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", view{Title: "Đăng nhập cán bộ", Form: map[string]string{"next": r.URL.Query().Get("next")}})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := r.PostFormValue("next")
	back := func(status int, msg string) {
		s.render(w, r, status, "login", view{Title: "Đăng nhập cán bộ", Error: msg, Form: map[string]string{"username": username, "next": next}})
	}
	if ok, wait := s.loginLimit.Allow(api.ClientIP(r)); !ok {
		w.Header().Set("Retry-After", abuse.RetryAfter(wait))
		back(http.StatusTooManyRequests, "Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau ít phút.")
		return
	}
	if username == "" || r.PostFormValue("password") == "" {
		back(http.StatusBadRequest, "Vui lòng nhập tên đăng nhập và mật khẩu.")
		return
	}
	token, sess, err := s.Accounts.Login(r.Context(), username, r.PostFormValue("password"), api.ClientIP(r), r.UserAgent())
	if err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, nil, err)
			return
		}
		back(errs.Status(err), errs.Message(err))
		return
	}
	s.setSession(w, token)
	switch sess.MFA {
	case account.MFAVerify:
		http.Redirect(w, r, "/dang-nhap/xac-thuc?next="+url.QueryEscape(safeNext(next)), http.StatusSeeOther)
	case account.MFAEnrol:
		http.Redirect(w, r, "/dang-nhap/dang-ky-xac-thuc", http.StatusSeeOther)
	default:
		http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	}
}

func (s *Server) mfaForm(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.Accounts.Session(r.Context(), sessionToken(r)); err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.render(w, r, http.StatusOK, "mfa", view{Title: "Xác thực hai bước", Form: map[string]string{"next": r.URL.Query().Get("next")}})
}

func (s *Server) mfaVerify(w http.ResponseWriter, r *http.Request) {
	next := r.PostFormValue("next")
	if ok, wait := s.loginLimit.Allow(api.ClientIP(r)); !ok {
		w.Header().Set("Retry-After", abuse.RetryAfter(wait))
		s.render(w, r, http.StatusTooManyRequests, "mfa", view{Title: "Xác thực hai bước", Error: "Quá nhiều lần thử. Vui lòng thử lại sau ít phút.", Form: map[string]string{"next": next}})
		return
	}
	err := s.Accounts.VerifySecondFactor(r.Context(), sessionToken(r), r.PostFormValue("code"), api.ClientIP(r))
	if err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, nil, err)
			return
		}
		s.render(w, r, errs.Status(err), "mfa", view{Title: "Xác thực hai bước", Error: errs.Message(err), Form: map[string]string{"next": next}})
		return
	}
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

type enrolData struct {
	Secret string
	URI    string
	Codes  []string
}

func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request) {
	u, sess, err := s.Accounts.Session(r.Context(), sessionToken(r))
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if sess.MFA == account.MFAVerify {
		http.Redirect(w, r, "/dang-nhap/xac-thuc", http.StatusSeeOther)
		return
	}
	key, uri, err := s.Accounts.BeginTOTP(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, &u, err)
		return
	}
	s.render(w, r, http.StatusOK, "enrol", view{Title: "Đăng ký xác thực hai bước", Data: enrolData{Secret: groupSecret(key), URI: uri}})
}

func groupSecret(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *Server) enrolConfirm(w http.ResponseWriter, r *http.Request) {
	u, sess, err := s.Accounts.Session(r.Context(), sessionToken(r))
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if sess.MFA == account.MFAVerify {
		http.Redirect(w, r, "/dang-nhap/xac-thuc", http.StatusSeeOther)
		return
	}
	codes, err := s.Accounts.ConfirmTOTP(r.Context(), u.ID, sessionToken(r), r.PostFormValue("code"))
	if err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, &u, err)
			return
		}
		msg, fields := formErrors(err)
		s.render(w, r, errs.Status(err), "enrol", view{Title: "Đăng ký xác thực hai bước", Error: msg, Fields: fields,
			Data: enrolData{Secret: groupSecret(strings.Join(strings.Fields(r.PostFormValue("secret")), "")), URI: ""}})
		return
	}
	s.render(w, r, http.StatusOK, "enrol", view{Title: "Đã bật xác thực hai bước", User: &u, Staff: true, Data: enrolData{Codes: codes}})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if t := sessionToken(r); t != "" {
		if err := s.Accounts.Logout(r.Context(), t); err != nil {
			s.fail(w, r, nil, err)
			return
		}
	}
	s.clearSession(w)
	http.Redirect(w, r, "/dang-nhap", http.StatusSeeOther)
}
