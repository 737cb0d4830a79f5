package web

import (
	"net/http"
	"strconv"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/movement"
	"toandan/internal/recognition"
)

type movementHomeData struct {
	Years        yearChoice
	Year         int
	Scope        movementScope
	Figures      *movement.Figures
	ActiveModels int
	Cycles       []struct {
		Status string
		Count  int
	}
	Targets []targetRow
	Met     int
	AtRisk  int
	Missed  int
}

// movementHome is the movement's front page for the officer's unit: the
// festival figures of the year, models, recognition files and targets.
func (s *Server) movementHome(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	year, err := s.movementYear(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	unit := r.URL.Query().Get("don-vi")
	sc, err := s.scopeOf(ctx, u, unit)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d := movementHomeData{Year: year, Scope: sc, Years: s.yearChoice("/can-bo/phong-trao", year, map[string]string{"don-vi": unit})}
	f, err := s.Movement.FestivalFigures(ctx, sc.Code, year, movement.Current)
	switch {
	case err == nil:
		d.Figures = &f
	case !errs.Is(err, errs.NotFound):
		s.fail(w, r, u, err)
		return
	}
	if d.ActiveModels, err = s.Recognition.ActiveModels(ctx, sc.Code, year); err != nil {
		s.fail(w, r, u, err)
		return
	}
	cycles, err := s.Recognition.Cycles(ctx, *u, recognition.CycleFilter{Unit: sc.Code, Year: year})
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	for _, st := range recognition.Statuses {
		n := 0
		for _, c := range cycles {
			if c.Status == st.Code {
				n++
			}
		}
		d.Cycles = append(d.Cycles, struct {
			Status string
			Count  int
		}{st.Code, n})
	}
	targets, err := s.Recognition.Targets(ctx, sc.Code, year)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if d.Targets, err = s.targetRows(ctx, targets); err != nil {
		s.fail(w, r, u, err)
		return
	}
	for _, t := range d.Targets {
		switch t.State {
		case recognition.StateMet:
			d.Met++
		case recognition.StateAtRisk:
			d.AtRisk++
		case recognition.StateMissed:
			d.Missed++
		}
	}
	s.render(w, r, http.StatusOK, "movement_home", staffView(u, "Phong trào Toàn dân bảo vệ ANTQ năm "+strconv.Itoa(year), d, ""))
}
