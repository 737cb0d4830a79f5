package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"toandan/internal/account"
	"toandan/internal/deadline"
	"toandan/internal/errs"
)

type rulesData struct {
	Rules   []deadline.Rule
	Days    []deadline.DayEntry
	CanEdit bool
}

// rulesPage shows the time-limit rules with their legal basis and the
// calendar of days off they count on; administrators edit the calendar.
// Each table downloads as CSV: ?dinh-dang=csv&bang=quy-tac or bang=ngay-nghi.
func (s *Server) rulesPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	if wantsCSV(r) {
		s.rulesCSV(w, r, u)
		return
	}
	s.renderRules(w, r, u, http.StatusOK, "", nil, map[string]string{"kind": deadline.KindHoliday})
}

func (s *Server) loadRules(ctx context.Context, u *account.User) (rulesData, error) {
	rules, err := deadline.LoadRules(ctx, s.DB)
	if err != nil {
		return rulesData{}, err
	}
	cal, err := deadline.LoadCalendar(ctx, s.DB)
	if err != nil {
		return rulesData{}, err
	}
	return rulesData{Rules: rules.All(), Days: cal.Entries(), CanEdit: account.Allowed(u.Role, account.ManageDaysOff)}, nil
}

func (s *Server) rulesCSV(w http.ResponseWriter, r *http.Request, u *account.User) {
	d, err := s.loadRules(r.Context(), u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	yesNo := map[bool]string{true: "có", false: "không"}
	switch table := r.URL.Query().Get("bang"); table {
	case "quy-tac":
		rows := make([][]string, 0, len(d.Rules))
		for _, x := range d.Rules {
			rows = append(rows, []string{x.Code, x.Version, csvSafe(x.Name), strconv.Itoa(x.Amount), limitUnitName(x.Unit), csvSafe(x.Basis),
				x.EffectiveFrom, x.EffectiveTo, yesNo[x.ReceiptDayIsDayOne], yesNo[x.DayOffMoves], csvSafe(x.Note)})
		}
		s.writeCSV(w, "quy-tac-thoi-han.csv", []string{"ma", "phien_ban", "viec", "thoi_han", "don_vi_thoi_han", "can_cu", "hieu_luc_tu", "hieu_luc_den",
			"ngay_tiep_nhan_la_ngay_thu_nhat", "lui_sang_ngay_lam_viec", "ghi_chu"}, rows)
	case "ngay-nghi":
		rows := make([][]string, 0, len(d.Days))
		for _, x := range d.Days {
			rows = append(rows, []string{x.Day.String(), csvSafe(x.Name), x.Kind, dayKindName(x.Kind), csvSafe(x.Note)})
		}
		s.writeCSV(w, "lich-ngay-nghi.csv", []string{"ngay", "ten", "ma_loai", "loai", "ghi_chu"}, rows)
	default:
		s.fail(w, r, u, errs.E(errs.NotFound, "Trang này không có bảng “%s”.", table))
	}
}

func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, u *account.User, status int, msg string, fields map[string]string, form map[string]string) {
	d, err := s.loadRules(r.Context(), u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	flash := map[string]string{"them": "Đã lưu ngày.", "xoa": "Đã xóa ngày."}[r.URL.Query().Get("kq")]
	if n, _ := strconv.Atoi(r.URL.Query().Get("tinh-lai")); flash != "" && n > 0 {
		flash += fmt.Sprintf(" Đã tính lại hạn của %d thời hạn đang chạy theo lịch mới.", n)
	}
	s.render(w, r, status, "rules", view{Title: "Thời hạn luật định và lịch ngày nghỉ", User: u, Staff: true, Data: d, Error: msg, Fields: fields, Form: form, Flash: flash})
}

func (s *Server) dayOffSave(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !account.Allowed(u.Role, account.ManageDaysOff) {
		s.fail(w, r, u, errs.E(errs.Forbidden, "Chỉ quản trị hệ thống được sửa lịch ngày nghỉ."))
		return
	}
	day, name, kind := r.PostFormValue("day"), r.PostFormValue("name"), r.PostFormValue("kind")
	moved, err := s.Sources.SetDayOff(r.Context(), actorOf(u), day, name, kind)
	if err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, u, err)
			return
		}
		msg, fields := formErrors(err)
		s.renderRules(w, r, u, errs.Status(err), msg, fields, map[string]string{"day": day, "name": name, "kind": kind})
		return
	}
	http.Redirect(w, r, "/can-bo/thoi-han?kq=them"+movedParam(moved), http.StatusSeeOther)
}

func (s *Server) dayOffDelete(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !account.Allowed(u.Role, account.ManageDaysOff) {
		s.fail(w, r, u, errs.E(errs.Forbidden, "Chỉ quản trị hệ thống được sửa lịch ngày nghỉ."))
		return
	}
	moved, err := s.Sources.RemoveDayOff(r.Context(), actorOf(u), r.PathValue("day"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/can-bo/thoi-han?kq=xoa"+movedParam(moved), http.StatusSeeOther)
}

// movedParam tells the page how many running limits an edit of the
// calendar moved.
func movedParam(n int) string {
	if n == 0 {
		return ""
	}
	return "&tinh-lai=" + strconv.Itoa(n)
}
