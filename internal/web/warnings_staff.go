package web

import (
	"context"
	"net/http"
	"strconv"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/warning"
)

// The staff pages of the security warnings: the Ministry writes for the
// nation or any province, a province's staff for their province.

var warningFlash = map[string]string{
	"tao":  "Đã lưu bản nháp. Cảnh báo chưa hiện trên cổng thông tin cho đến khi được đăng.",
	"sua":  "Đã lưu thay đổi.",
	"dang": "Đã đăng cảnh báo lên cổng thông tin.",
	"go":   "Đã gỡ cảnh báo khỏi cổng thông tin.",
}

type warningsData struct {
	Warnings []warning.Warning
}

func (s *Server) warningsList(w http.ResponseWriter, r *http.Request, u *account.User) {
	ws, err := s.Warnings.List(r.Context(), *u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if wantsCSV(r) {
		rows := make([][]string, 0, len(ws))
		for _, wn := range ws {
			published := ""
			if !wn.PublishedAt.IsZero() {
				published = wn.PublishedAt.In(vnZone).Format("2006-01-02 15:04")
			}
			rows = append(rows, []string{strconv.FormatInt(wn.ID, 10), csvSafe(wn.Title), wn.Unit, csvSafe(wn.UnitName), wn.Category, csvSafe(wn.CategoryName),
				wn.Status, warning.StatusName(wn.Status), published, wn.UpdatedAt.In(vnZone).Format("2006-01-02 15:04")})
		}
		s.writeCSV(w, "canh-bao.csv", []string{"id", "tieu_de", "ma_pham_vi", "pham_vi", "ma_loai", "loai", "tinh_trang", "tinh_trang_ten",
			"dang_luc", "cap_nhat"}, rows)
		return
	}
	s.render(w, r, http.StatusOK, "warnings", staffView(u, "Cảnh báo an ninh", warningsData{Warnings: ws}, ""))
}

// warningFormData is the form of a new warning or of one being edited.
type warningFormData struct {
	Warning    *warning.Warning // nil for a new one
	Units      []struct{ Code, Name string }
	Categories []warning.Category
	MaxTitle   int
	MaxBody    int
}

func (s *Server) warningFormData(ctx context.Context, u *account.User, wn *warning.Warning) (warningFormData, error) {
	d := warningFormData{Warning: wn, MaxTitle: warning.MaxTitle, MaxBody: warning.MaxBody}
	var err error
	if d.Categories, err = s.Warnings.Categories(ctx); err != nil {
		return d, err
	}
	add := func(code, name string) { d.Units = append(d.Units, struct{ Code, Name string }{code, name}) }
	if u.UnitCode != geo.Nation {
		un, err := s.Geo.UnitAt(ctx, u.UnitCode, s.Geo.Today())
		if err != nil {
			return d, err
		}
		add(un.Code, un.Title())
		return d, nil
	}
	add(geo.Nation, "Toàn quốc")
	provinces, err := s.Geo.Provinces(ctx, s.Geo.Today())
	if err != nil {
		return d, err
	}
	for _, p := range provinces {
		add(p.Code, p.Title())
	}
	return d, nil
}

func warningForm(wn warning.Warning) map[string]string {
	return map[string]string{"unit": wn.Unit, "category": wn.Category, "title": wn.Title, "body": wn.Body}
}

var errNoWarnings = errs.E(errs.Forbidden, "Bạn không có quyền quản lý cảnh báo.")

// warningID reads the warning's id after the role check, so that a role
// without the permission gets the same answer for any id.
func warningID(r *http.Request, u *account.User) (int64, error) {
	if !account.Allowed(u.Role, account.PublishWarnings) {
		return 0, errNoWarnings
	}
	return pathID(r, "Không tìm thấy cảnh báo.")
}

func (s *Server) warningNew(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !account.Allowed(u.Role, account.PublishWarnings) {
		s.fail(w, r, u, errNoWarnings)
		return
	}
	d, err := s.warningFormData(r.Context(), u, nil)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	v := staffView(u, "Viết cảnh báo mới", d, "")
	v.Form = map[string]string{"unit": u.UnitCode}
	s.render(w, r, http.StatusOK, "warning_form", v)
}

func warningInput(r *http.Request) warning.Input {
	return warning.Input{Unit: r.PostFormValue("unit"), Category: r.PostFormValue("category"),
		Title: r.PostFormValue("title"), Body: r.PostFormValue("body")}
}

// formAgain shows the form again with what was typed and what is wrong, or
// fails the request when err is not the user's to fix.
func (s *Server) warningFormAgain(w http.ResponseWriter, r *http.Request, u *account.User, wn *warning.Warning, title string, err error) {
	if !userError(err) {
		s.fail(w, r, u, err)
		return
	}
	d, derr := s.warningFormData(r.Context(), u, wn)
	if derr != nil {
		s.fail(w, r, u, derr)
		return
	}
	v := staffView(u, title, d, "")
	v.Error, v.Fields = formErrors(err)
	v.Form = formValues(r)
	s.render(w, r, errs.Status(err), "warning_form", v)
}

func (s *Server) warningCreate(w http.ResponseWriter, r *http.Request, u *account.User) {
	publish := r.PostFormValue("dang") == "1"
	wn, err := s.Warnings.Create(r.Context(), *u, warningInput(r), publish)
	if err != nil {
		s.warningFormAgain(w, r, u, nil, "Viết cảnh báo mới", err)
		return
	}
	ok := "tao"
	if publish {
		ok = "dang"
	}
	http.Redirect(w, r, warningPath(wn.ID)+"?ok="+ok, http.StatusSeeOther)
}

func warningPath(id int64) string { return "/can-bo/canh-bao/" + strconv.FormatInt(id, 10) }

func (s *Server) warningEdit(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := warningID(r, u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	wn, err := s.Warnings.Get(r.Context(), *u, id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.warningFormData(r.Context(), u, &wn)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	v := staffView(u, "Cảnh báo: "+wn.Title, d, warningFlash[r.URL.Query().Get("ok")])
	v.Form = warningForm(wn)
	s.render(w, r, http.StatusOK, "warning_form", v)
}

func (s *Server) warningUpdate(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := warningID(r, u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	wn, err := s.Warnings.Update(r.Context(), *u, id, warningInput(r))
	if err != nil {
		// The warning as stored, for the status and the buttons; when it
		// cannot be read the refusal is the answer.
		cur, gerr := s.Warnings.Get(r.Context(), *u, id)
		if gerr != nil {
			s.fail(w, r, u, gerr)
			return
		}
		s.warningFormAgain(w, r, u, &cur, "Cảnh báo: "+cur.Title, err)
		return
	}
	http.Redirect(w, r, warningPath(wn.ID)+"?ok=sua", http.StatusSeeOther)
}

func (s *Server) warningPublish(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.warningSetStatus(w, r, u, s.Warnings.Publish, "dang")
}

func (s *Server) warningUnpublish(w http.ResponseWriter, r *http.Request, u *account.User) {
	s.warningSetStatus(w, r, u, s.Warnings.Unpublish, "go")
}

func (s *Server) warningSetStatus(w http.ResponseWriter, r *http.Request, u *account.User,
	set func(context.Context, account.User, int64) (warning.Warning, error), ok string) {
	id, err := warningID(r, u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	wn, err := set(r.Context(), *u, id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, warningPath(wn.ID)+"?ok="+ok, http.StatusSeeOther)
}
