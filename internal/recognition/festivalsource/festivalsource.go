// Package festivalsource adapts the movement package's festival roll-up to
// recognition.FestivalSource. It is a package of its own so that neither
// movement nor recognition imports the other: the app wires them together
// here, and movement's reports remain free to use recognition.
package festivalsource

import (
	"context"

	"toandan/internal/movement"
	"toandan/internal/recognition"
)

// Movement gives recognition the festival figures of the movement service.
type Movement struct{ Service *movement.Service }

var _ recognition.FestivalSource = Movement{}

// FestivalFigures returns the commune-level points held, the residential-area
// points held and the planned points of unit in year, placed on the
// geography of the year (current: through the lineage onto the units in
// force on 31 December, or today while the year runs, as targets name
// units of their period) or as recorded.
func (m Movement) FestivalFigures(ctx context.Context, unit string, year int, current bool) (communePoints, areaPoints, planned int, err error) {
	var f movement.Figures
	if current {
		f, err = m.Service.FestivalFiguresOn(ctx, unit, year, m.Service.YearDate(year))
	} else {
		f, err = m.Service.FestivalFigures(ctx, unit, year, movement.Recorded)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	return f.CommunePoints, f.AreaPoints, f.Planned, nil
}
