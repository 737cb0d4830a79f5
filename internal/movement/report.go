package movement

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"toandan/internal/xlsx"
)

// Verdicts on a year's festival points held against the plan, as the
// conference report words them.
const (
	VerdictAbove  = "vượt kế hoạch"
	VerdictMet    = "đạt kế hoạch"
	VerdictBelow  = "chưa đạt kế hoạch"
	VerdictNoPlan = "chưa có kế hoạch"
)

// Verdict compares the commune-level points held with the plan. Without a
// plan there is nothing to exceed or fall short of.
func Verdict(held, planned int) string {
	switch {
	case planned <= 0:
		return VerdictNoPlan
	case held > planned:
		return VerdictAbove
	case held == planned:
		return VerdictMet
	}
	return VerdictBelow
}

// Report is the conference report of a year's festival: the national
// figures and the table by province. Later sections (grassroots models,
// recognition, model ward police) are added as fields.
type Report struct {
	Year int
	View View
	// Date is the day whose geography the view uses: today for the current
	// view; for the recorded view 31 December, or today while the year is
	// not over, up to which it counts.
	Date string
	// Held is the number of communes holding a commune-level point
	// nationally; Planned the sum of the provinces' plans.
	Held, Planned int
	PlanPct       float64
	Verdict       string
	// AreasHeld is the number of residential areas holding a point.
	AreasHeld int
	Provinces []ProvinceRow
	Total     ProvinceRow
	// Unplaced counts points the view's geography could not place (a unit
	// with no successor in the lineage); they are in no row.
	Unplaced int
	// Sections are the report's further tables (model ward and recognition
	// targets), which WriteXLSX puts below the table by province; the CSV
	// is the table by province alone.
	Sections []Section
}

// Section is one further table of the report: a title, column titles and
// rows of cells (text, numbers, or nil).
type Section struct {
	Title  string
	Header []string
	Rows   [][]any
}

// ConferenceReport builds the festival report of a year in a view.
func (s *Service) ConferenceReport(ctx context.Context, year int, view View) (Report, error) {
	t, err := s.tally(ctx, year, view, "")
	if err != nil {
		return Report{}, err
	}
	return Report{
		Year: year, View: t.view, Date: t.date,
		Held: t.total.CommunesHeld, Planned: t.total.PlannedPoints, PlanPct: t.total.PlanPct,
		Verdict:   Verdict(t.total.CommunesHeld, t.total.PlannedPoints),
		AreasHeld: t.total.ResidentialAreasHeld,
		Provinces: t.rows, Total: t.total, Unplaced: t.unplaced,
	}, nil
}

// CSVHeader is the header row of the CSV table.
var CSVHeader = []string{"province_code", "province_name", "communes_held", "residential_areas_held", "planned_points",
	"participants", "guests", "commendations_collective", "commendations_individual", "gifts_vnd", "plan_pct"}

// xlsxHeader is the same table's header for people.
var xlsxHeader = []string{"Mã tỉnh", "Tỉnh, thành phố", "Số xã tổ chức", "Số khu dân cư tổ chức", "Kế hoạch (điểm)",
	"Người tham dự", "Đại biểu, khách mời", "Khen thưởng tập thể", "Khen thưởng cá nhân", "Quà tặng (đồng)", "Tỷ lệ so với kế hoạch (%)"}

// formatPct renders a percentage with one decimal.
func formatPct(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) }

func (r ProvinceRow) csvRecord() []string {
	return []string{r.ProvinceCode, xlsx.Neutralize(r.ProvinceName), strconv.Itoa(r.CommunesHeld), strconv.Itoa(r.ResidentialAreasHeld),
		strconv.Itoa(r.PlannedPoints), strconv.Itoa(r.Participants), strconv.Itoa(r.Guests), strconv.Itoa(r.CommendationsCollective),
		strconv.Itoa(r.CommendationsIndividual), strconv.FormatInt(r.GiftsVND, 10), formatPct(r.PlanPct)}
}

// WriteCSV writes the table by province: the header, one row per province,
// and the national totals last (province_code TOTAL).
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("movement: write csv: %w", err)
	}
	for _, p := range r.Provinces {
		if err := cw.Write(p.csvRecord()); err != nil {
			return fmt.Errorf("movement: write csv: %w", err)
		}
	}
	if err := cw.Write(r.Total.csvRecord()); err != nil {
		return fmt.Errorf("movement: write csv: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("movement: write csv: %w", err)
	}
	return nil
}

// WriteXLSX writes the same table as WriteCSV as a one-sheet XLSX file, with
// Vietnamese headers, numbers as numbers and the percentage rounded to one
// decimal, followed by the report's Sections, each under its title.
func WriteXLSX(w io.Writer, r Report) error {
	xw := xlsx.NewWriter(w)
	xw.SheetName(fmt.Sprintf("Ngày hội %d", r.Year))
	xw.SetColWidths([]float64{8, 24, 12, 14, 12, 14, 12, 12, 12, 18, 12})
	if err := xw.WriteHeader(xlsxHeader...); err != nil {
		return fmt.Errorf("movement: write xlsx: %w", err)
	}
	row := func(p ProvinceRow) error {
		pctCell, _ := strconv.ParseFloat(formatPct(p.PlanPct), 64)
		return xw.WriteRow(p.ProvinceCode, xlsx.Neutralize(p.ProvinceName), p.CommunesHeld, p.ResidentialAreasHeld, p.PlannedPoints,
			p.Participants, p.Guests, p.CommendationsCollective, p.CommendationsIndividual, p.GiftsVND, pctCell)
	}
	for _, p := range r.Provinces {
		if err := row(p); err != nil {
			return fmt.Errorf("movement: write xlsx: %w", err)
		}
	}
	if err := row(r.Total); err != nil {
		return fmt.Errorf("movement: write xlsx: %w", err)
	}
	for _, sec := range r.Sections {
		if err := xw.WriteRow(); err != nil {
			return fmt.Errorf("movement: write xlsx: %w", err)
		}
		if err := xw.WriteHeader(xlsx.Neutralize(sec.Title)); err != nil {
			return fmt.Errorf("movement: write xlsx: %w", err)
		}
		if err := xw.WriteHeader(sec.Header...); err != nil {
			return fmt.Errorf("movement: write xlsx: %w", err)
		}
		for _, cells := range sec.Rows {
			out := make([]any, len(cells))
			for i, c := range cells {
				if t, ok := c.(string); ok {
					c = xlsx.Neutralize(t)
				}
				out[i] = c
			}
			if err := xw.WriteRow(out...); err != nil {
				return fmt.Errorf("movement: write xlsx: %w", err)
			}
		}
	}
	if err := xw.Close(); err != nil {
		return fmt.Errorf("movement: write xlsx: %w", err)
	}
	return nil
}
