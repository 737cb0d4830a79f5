package web

import (
	"net/http"
	"strconv"

	"toandan/internal/account"
	"toandan/internal/dashboard"
	"toandan/internal/errs"
	"toandan/internal/geo"
)

type dashboardData struct {
	D        dashboard.Dashboard
	Panels   []dashboard.Panel
	Year     int
	Years    []int
	Children []geo.Unit // units one can drill down to
}

// dashboardPage shows a unit's figures for a year: reports received,
// decided on time, overdue; festival held vs plan; recognition; targets.
// Every chart has its numbers in a table, downloadable as CSV.
func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	q := r.URL.Query()
	unit := q.Get("don-vi")
	if unit == "" {
		unit = u.UnitCode
	}
	if err := s.authorizeUnit(ctx, u, account.ViewGeography, unit); err != nil {
		s.fail(w, r, u, err)
		return
	}
	now := s.Clock.Now().In(vnZone)
	year := now.Year()
	if y := q.Get("nam"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > now.Year()+1 {
			s.fail(w, r, u, errs.Field("nam", "Năm không hợp lệ."))
			return
		}
		year = n
	}
	d, err := s.Dashboard.Get(ctx, unit, year)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if key := q.Get("bang"); key != "" && q.Get("dinh-dang") == "csv" {
		p, ok := d.Panel(key)
		if !ok {
			s.fail(w, r, u, errs.E(errs.NotFound, "Không có bảng số liệu này."))
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+key+`-`+unit+`-`+strconv.Itoa(year)+`.csv"`)
		w.Write([]byte("\xef\xbb\xbf"))
		if err := p.Table.WriteCSV(w); err != nil {
			s.Log.Error("dashboard csv", "err", err)
		}
		return
	}
	data := dashboardData{D: d, Panels: d.Panels(), Year: year}
	for y := now.Year(); y >= now.Year()-4; y-- {
		data.Years = append(data.Years, y)
	}
	today := s.Geo.Today()
	switch {
	case unit == geo.Nation:
		data.Children, err = s.Geo.Provinces(ctx, today)
	case d.Level == geo.LevelProvince:
		data.Children, err = s.Geo.Children(ctx, unit, today)
	}
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", view{Title: "Bảng số liệu: " + d.Name, User: u, Staff: true, Data: data})
}
