package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/recognition"
)

type festivalReportData struct {
	movement.Report
	VerdictClass string
	// ModelWards are the targets on recognised model wards for the year;
	// Recognition those on the share of communes recognised.
	ModelWards  []targetRow
	Recognition []targetRow
	Generated   string
}

// festivalReport is the conference report of a year: the festival held
// against plan nationally and by province, the model ward targets and the
// recognition targets. It prints on A4; the table by province downloads as
// XLSX or CSV (the same CSV as `toandan report festival`), the recognition
// table as CSV (bang=cong-nhan).
func (s *Server) festivalReport(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	if !account.Allowed(u.Role, account.ViewMovement) {
		s.fail(w, r, u, errs.E(errs.Forbidden, "Bạn không có quyền xem báo cáo này."))
		return
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 2005 || year > 2100 {
		s.fail(w, r, u, errs.E(errs.NotFound, "Không có báo cáo cho năm “%s”.", r.PathValue("year")))
		return
	}
	view, err := movement.ParseView(r.URL.Query().Get("xem"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	format, table := r.URL.Query().Get("dinh-dang"), r.URL.Query().Get("bang")
	if format != "" && table == "cong-nhan" {
		s.recognitionReportCSV(w, r, u, year, format)
		return
	}
	rep, err := s.Movement.ConferenceReport(ctx, year, view)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	switch {
	case format == "":
	case format != "csv" && format != "xlsx":
		s.fail(w, r, u, errs.Field("dinh-dang", "Định dạng “%s” không hỗ trợ (csv hoặc xlsx).", format))
		return
	case table != "" && table != "tinh":
		s.fail(w, r, u, errs.E(errs.NotFound, "Báo cáo không có bảng “%s”.", table))
		return
	default:
		write, ctype := movement.WriteCSV, "text/csv; charset=utf-8"
		if format == "xlsx" {
			write, ctype = movement.WriteXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			// The workbook is the whole report, as printed.
			wards, communes, err := s.reportTargets(ctx, year)
			if err != nil {
				s.fail(w, r, u, err)
				return
			}
			rep.Sections = []movement.Section{
				targetSection(fmt.Sprintf("Chỉ tiêu Công an phường điển hình năm %d", year), wards),
				targetSection(fmt.Sprintf("Chỉ tiêu công nhận “An toàn về an ninh, trật tự” năm %d", year), communes),
			}
		}
		var b bytes.Buffer
		if err := write(&b, rep); err != nil {
			s.fail(w, r, u, err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="bao-cao-ngay-hoi-%d-%s.%s"`, year, rep.View, format))
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
		w.Write(b.Bytes())
		return
	}

	d := festivalReportData{Report: rep, Generated: s.Clock.Now().In(vnZone).Format("15:04 02/01/2006")}
	d.VerdictClass = verdictClass(rep.Verdict)
	if d.ModelWards, d.Recognition, err = s.reportTargets(ctx, year); err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "report_festival", staffView(u, fmt.Sprintf("Báo cáo tổng kết Ngày hội Toàn dân bảo vệ ANTQ năm %d", year), d, ""))
}

// reportTargets evaluates the national targets of a year that the report
// covers: on recognised model wards, and on the share of communes
// recognised.
func (s *Server) reportTargets(ctx context.Context, year int) (wards, communes []targetRow, err error) {
	targets, err := s.Recognition.Targets(ctx, geo.Nation, year)
	if err != nil {
		return nil, nil, err
	}
	var w, c []recognition.Target
	for _, t := range targets {
		switch t.Indicator {
		case recognition.RecognisedModelWards:
			w = append(w, t)
		case recognition.CommunesRecognisedPct:
			c = append(c, t)
		}
	}
	if wards, err = s.targetRows(ctx, w); err != nil {
		return nil, nil, err
	}
	if communes, err = s.targetRows(ctx, c); err != nil {
		return nil, nil, err
	}
	return wards, communes, nil
}

// recognitionReportCSV sends the report's recognition table (section 4),
// one row per unit of each target, as ?dinh-dang=csv&bang=cong-nhan.
func (s *Server) recognitionReportCSV(w http.ResponseWriter, r *http.Request, u *account.User, year int, format string) {
	if format != "csv" {
		s.fail(w, r, u, errs.Field("dinh-dang", "Định dạng “%s” không hỗ trợ cho bảng công nhận (chỉ csv).", format))
		return
	}
	_, targets, err := s.reportTargets(r.Context(), year)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	var rows [][]string
	for _, t := range targets {
		if t.Problem != "" {
			rows = append(rows, []string{t.Target.Scope, csvSafe(t.ScopeName), csvSafe(t.Want), "", "", csvSafe(t.Problem), csvSafe(t.Target.LegalSource)})
			continue
		}
		for _, x := range t.Units {
			rows = append(rows, []string{x.Code, csvSafe(x.Name), csvSafe(t.Want), csvSafe(x.ActualText), x.State, recognition.StateName(x.State),
				csvSafe(t.Target.LegalSource)})
		}
	}
	s.writeCSV(w, fmt.Sprintf("bao-cao-cong-nhan-%d.csv", year), []string{"ma_don_vi", "don_vi", "chi_tieu", "thuc_te", "trang_thai",
		"trang_thai_ten", "can_cu"}, rows)
}

// targetSection is a report section of targets, one row per unit of each
// target (or one row saying why a target could not be evaluated).
func targetSection(title string, targets []targetRow) movement.Section {
	sec := movement.Section{Title: title, Header: []string{"Mã đơn vị", "Đơn vị", "Chỉ tiêu", "Thực tế", "Đánh giá", "Căn cứ"}}
	for _, t := range targets {
		if t.Problem != "" {
			sec.Rows = append(sec.Rows, []any{t.Target.Scope, t.ScopeName, t.Want, nil, t.Problem, t.Target.LegalSource})
			continue
		}
		for _, x := range t.Units {
			sec.Rows = append(sec.Rows, []any{x.Code, x.Name, t.Want, x.ActualText, recognition.StateName(x.State), t.Target.LegalSource})
		}
	}
	if len(targets) == 0 {
		sec.Rows = append(sec.Rows, []any{nil, "Chưa có chỉ tiêu cho năm này."})
	}
	return sec
}
