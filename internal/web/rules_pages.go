package web

import (
	"context"
	"net/http"
	"strconv"

	"toandan/internal/account"
	"toandan/internal/audit"
	"toandan/internal/deadline"
	"toandan/internal/errs"
	"toandan/internal/store"
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
	s.render(w, r, status, "rules", view{Title: "Thời hạn luật định và lịch ngày nghỉ", User: u, Staff: true, Data: d, Error: msg, Fields: fields, Form: form, Flash: flash})
}

func (s *Server) dayOffSave(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !account.Allowed(u.Role, account.ManageDaysOff) {
		s.fail(w, r, u, errs.E(errs.Forbidden, "Chỉ quản trị hệ thống được sửa lịch ngày nghỉ."))
		return
	}
	day, name, kind := r.PostFormValue("day"), r.PostFormValue("name"), r.PostFormValue("kind")
	err := deadline.AddDayOff(r.Context(), s.DB, day, name, kind)
	if err == nil {
		s.Sources.InvalidateRules()
		err = s.auditNow(r, u, "calendar.set", "day:"+day, kind+" "+name)
	}
	if err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, u, err)
			return
		}
		msg, fields := formErrors(err)
		s.renderRules(w, r, u, errs.Status(err), msg, fields, map[string]string{"day": day, "name": name, "kind": kind})
		return
	}
	http.Redirect(w, r, "/can-bo/thoi-han?kq=them", http.StatusSeeOther)
}

func (s *Server) dayOffDelete(w http.ResponseWriter, r *http.Request, u *account.User) {
	if !account.Allowed(u.Role, account.ManageDaysOff) {
		s.fail(w, r, u, errs.E(errs.Forbidden, "Chỉ quản trị hệ thống được sửa lịch ngày nghỉ."))
		return
	}
	day := r.PathValue("day")
	err := deadline.RemoveDayOff(r.Context(), s.DB, day)
	if err == nil {
		s.Sources.InvalidateRules()
		err = s.auditNow(r, u, "calendar.remove", "day:"+day, "")
	}
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/can-bo/thoi-han?kq=xoa", http.StatusSeeOther)
}

func (s *Server) auditNow(r *http.Request, u *account.User, action, object, detail string) error {
	return s.DB.InTx(r.Context(), func(tx *store.Tx) error {
		return audit.Append(r.Context(), tx, audit.Entry{At: s.Clock.Now(), Actor: auditActor(u), Action: action, Object: object, Detail: audit.Clean(detail)})
	})
}
