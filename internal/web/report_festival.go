package web

import (
	"bytes"
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
// recognition targets. It prints on A4 and downloads as XLSX or CSV (the
// same CSV as `toandan report festival`).
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
	rep, err := s.Movement.ConferenceReport(ctx, year, view)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	switch format := r.URL.Query().Get("dinh-dang"); format {
	case "":
	case "csv", "xlsx":
		write, ctype := movement.WriteCSV, "text/csv; charset=utf-8"
		if format == "xlsx" {
			write, ctype = movement.WriteXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
	default:
		s.fail(w, r, u, errs.Field("dinh-dang", "Định dạng “%s” không hỗ trợ (csv hoặc xlsx).", format))
		return
	}

	d := festivalReportData{Report: rep, Generated: s.Clock.Now().In(vnZone).Format("15:04 02/01/2006")}
	d.VerdictClass = verdictClass(rep.Verdict)
	targets, err := s.Recognition.Targets(ctx, geo.Nation, year)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	var wards, communes []recognition.Target
	for _, t := range targets {
		switch t.Indicator {
		case recognition.RecognisedModelWards:
			wards = append(wards, t)
		case recognition.CommunesRecognisedPct:
			communes = append(communes, t)
		}
	}
	if d.ModelWards, err = s.targetRows(ctx, wards); err != nil {
		s.fail(w, r, u, err)
		return
	}
	if d.Recognition, err = s.targetRows(ctx, communes); err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "report_festival", staffView(u, fmt.Sprintf("Báo cáo tổng kết Ngày hội Toàn dân bảo vệ ANTQ năm %d", year), d, ""))
}
