package dashboard

import (
	"context"

	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/recognition"
)

// recognition computes the recognition indicators of the unit, each with
// the unit's own target when targets holds one.
func (s *Service) recognition(ctx context.Context, q query, targets []TargetRow) (Recognition, error) {
	var out Recognition
	for _, x := range []struct {
		code string
		dst  *Indicator
	}{
		{recognition.CommunesRecognisedPct, &out.CommunesRecognisedPct},
		{recognition.RecognisedModelWards, &out.RecognisedModelWards},
		{recognition.ActiveModelsCount, &out.ActiveModels},
	} {
		in := indicatorOf(x.code)
		v, err := s.Recognition.Indicator(ctx, x.code, q.unit, q.year)
		switch {
		case recognition.IsNoData(err):
			in.NoData, in.Note = true, errs.Message(err)
		case err != nil:
			return out, err
		default:
			in.Value = v
		}
		for _, t := range targets {
			if t.Target.Indicator == x.code && t.Target.ScopeKind == recognition.ScopeUnit && t.Target.Scope == q.unit {
				tt := t.Target
				in.Target = &tt
				break
			}
		}
		*x.dst = in
	}
	return out, nil
}

// eachScopeNames names the unit types an "each" target covers.
var eachScopeNames = map[string]string{
	"municipality": "Từng thành phố trực thuộc trung ương",
	"province":     "Từng tỉnh",
}

// targets lists the targets binding the unit, or a unit within it, for the
// year, each with its state.
func (s *Service) targets(ctx context.Context, q query) ([]TargetRow, error) {
	ts, err := s.Recognition.Targets(ctx, q.unit, q.year)
	if err != nil {
		return nil, err
	}
	var out []TargetRow
	for _, t := range ts {
		row := TargetRow{IndicatorName: t.Indicator}
		if def, ok := recognition.IndicatorByCode(t.Indicator); ok {
			row.IndicatorName, row.Measure = def.Name, def.Measure
		}
		switch t.ScopeKind {
		case recognition.ScopeEach:
			row.ScopeName = eachScopeNames[t.Scope]
		default:
			row.ScopeName = s.unitName(ctx, t.Scope, q.date)
		}
		res, err := s.Recognition.TargetStatus(ctx, t)
		switch {
		case errs.Is(err, errs.NotFound):
			// The target's unit is not in force, or no unit is of its
			// type: say so on its row rather than hide every target.
			row.TargetResult = recognition.TargetResult{Target: t}
			row.Err = errs.Message(err)
		case err != nil:
			return nil, err
		default:
			row.TargetResult = res
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Service) unitName(ctx context.Context, code, d string) string {
	if code == geo.Nation {
		return "Toàn quốc"
	}
	u, err := s.Geo.UnitAt(ctx, code, d)
	if err != nil {
		return code
	}
	return u.Title()
}
