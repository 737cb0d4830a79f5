package recognition

import (
	"context"
	"errors"
	"fmt"

	"toandan/internal/errs"
)

// IndicatorDef describes an indicator: computed from recorded data, never
// typed in.
type IndicatorDef struct {
	Code    string
	Name    string
	Measure string // unit of measure, shown after the value
	Share   bool   // a share of a whole, so at most 100 (%)
}

// Indicator codes.
const (
	CommunePointsHeld     = "commune_points_held"
	HeldVsPlanPct         = "held_vs_plan_pct"
	ResidentialAreaPoints = "residential_area_points"
	ActiveModelsCount     = "active_models"
	CommunesRecognisedPct = "communes_recognised_pct"
	RecognisedModelWards  = "recognised_model_wards"
)

var indicators = []IndicatorDef{
	{CommunePointsHeld, "Số điểm Ngày hội Toàn dân bảo vệ ANTQ cấp xã đã tổ chức", "điểm", false},
	{HeldVsPlanPct, "Tỷ lệ điểm Ngày hội cấp xã đã tổ chức so với kế hoạch", "%", false},
	{ResidentialAreaPoints, "Số điểm Ngày hội tổ chức ở khu dân cư", "điểm", false},
	{ActiveModelsCount, "Số mô hình tự quản hoạt động trong năm", "mô hình", false},
	{CommunesRecognisedPct, "Tỷ lệ xã, phường, đặc khu được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”", "%", true},
	{RecognisedModelWards, "Số Công an phường được công nhận điển hình, kiểu mẫu về ANTT và văn minh đô thị", "phường", false},
}

// Indicators lists the indicators targets can be set on.
func Indicators() []IndicatorDef { return append([]IndicatorDef(nil), indicators...) }

// IndicatorByCode returns the indicator with code.
func IndicatorByCode(code string) (IndicatorDef, bool) {
	for _, d := range indicators {
		if d.Code == code {
			return d, true
		}
	}
	return IndicatorDef{}, false
}

// noDataError says an indicator has no value for a unit and year (e.g. no
// festival plan to compare with), as opposed to a failure.
type noDataError struct{ err *errs.Error }

func (e *noDataError) Error() string { return e.err.Error() }
func (e *noDataError) Unwrap() error { return e.err }

// IsNoData reports whether err means the indicator has no value.
func IsNoData(err error) bool {
	var nd *noDataError
	return errors.As(err, &nd)
}

// Indicator computes an indicator for unit (VN, a province or a commune) in
// year.
func (s *Service) Indicator(ctx context.Context, code, unit string, year int) (float64, error) {
	if _, ok := IndicatorByCode(code); !ok {
		return 0, errs.Field("indicator", "Không có chỉ tiêu “%s”.", code)
	}
	if err := checkYear("year", year); err != nil {
		return 0, err
	}
	switch code {
	case CommunePointsHeld, HeldVsPlanPct, ResidentialAreaPoints:
		if s.Festival == nil {
			return 0, fmt.Errorf("recognition: indicator %s: no festival source", code)
		}
		held, area, planned, err := s.Festival.FestivalFigures(ctx, unit, year, true)
		if err != nil {
			return 0, err
		}
		switch code {
		case CommunePointsHeld:
			return float64(held), nil
		case ResidentialAreaPoints:
			return float64(area), nil
		}
		if planned <= 0 {
			return 0, &noDataError{errs.E(errs.NotFound, "%s chưa có kế hoạch số điểm Ngày hội năm %d.", s.unitTitle(ctx, unit, s.refDate(year)), year)}
		}
		return float64(held) * 100 / float64(planned), nil
	case ActiveModelsCount:
		n, err := s.ActiveModels(ctx, unit, year)
		return float64(n), err
	case CommunesRecognisedPct:
		return s.communesRecognisedPct(ctx, unit, year)
	}
	return s.recognisedModelWards(ctx, unit, year)
}

// communesRecognisedPct is the share of the commune-level units in force at
// the end of the year (or today) within unit whose commune cycle of the year
// is recognised.
func (s *Service) communesRecognisedPct(ctx context.Context, unit string, year int) (float64, error) {
	d := s.refDate(year)
	cond, args, err := s.unitFilter(ctx, "code", unit, d, true)
	if err != nil {
		return 0, err
	}
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM units WHERE level = 'commune' AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?) AND "+cond,
		append([]any{d, d}, args...)...).Scan(&total); err != nil {
		return 0, fmt.Errorf("recognition: communes of %s: %w", unit, err)
	}
	if total == 0 {
		return 0, &noDataError{errs.E(errs.NotFound, "%s không có đơn vị cấp xã nào vào ngày %s.", s.unitTitle(ctx, unit, d), d)}
	}
	cond, args, err = s.unitFilter(ctx, "subject_code", unit, d, true)
	if err != nil {
		return 0, err
	}
	var recognised int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(DISTINCT subject_code) FROM recognition_cycles WHERE subject_kind = ? AND status = ? AND year = ? AND "+cond,
		append([]any{KindCommune, StatusRecognised, year}, args...)...).Scan(&recognised); err != nil {
		return 0, fmt.Errorf("recognition: communes recognised in %s: %w", unit, err)
	}
	return float64(recognised) * 100 / float64(total), nil
}

// recognisedModelWards counts the wards within unit recognised as model
// ward police in year or before.
func (s *Service) recognisedModelWards(ctx context.Context, unit string, year int) (float64, error) {
	cond, args, err := s.unitFilter(ctx, "subject_code", unit, s.refDate(year), false)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(DISTINCT subject_code) FROM recognition_cycles WHERE subject_kind = ? AND status = ? AND year <= ? AND "+cond,
		append([]any{KindModelWard, StatusRecognised, year}, args...)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("recognition: model wards in %s: %w", unit, err)
	}
	return float64(n), nil
}
