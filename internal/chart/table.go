package chart

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
)

// TableData is the data of a chart, or any figures, as a table: to render
// next to the chart (for readers who prefer numbers, and for those the
// chart does not serve) and to export as CSV. Cells are text as shown, with
// numbers written the Vietnamese way.
type TableData struct {
	Caption string
	Headers []string
	Rows    [][]string
	// Numeric marks the columns that hold numbers, which a page aligns
	// right. Table sets it from the cells.
	Numeric []bool
}

var numberCell = regexp.MustCompile(`^-?[0-9]{1,3}(\.[0-9]{3})*(,[0-9]+)?(\x{00a0}%)?$|^–$`)

// IsNumber reports whether a cell is a number as Number and Percent write
// it (or "–", no value).
func IsNumber(cell string) bool { return numberCell.MatchString(cell) }

// Table builds a table from headers and rows. A column is numeric when every
// non-empty cell of it is a number.
func Table(headers []string, rows [][]string) TableData {
	t := TableData{Headers: headers, Rows: rows, Numeric: make([]bool, len(headers))}
	for c := range headers {
		numeric, seen := true, false
		for _, r := range rows {
			if c >= len(r) || r[c] == "" {
				continue
			}
			seen = true
			if !IsNumber(r[c]) {
				numeric = false
				break
			}
		}
		t.Numeric[c] = numeric && seen
	}
	return t
}

// SeriesTable is the table of a chart's data: one row per label, one
// column per series (and a total column for a stacked chart), values
// written as the chart writes them.
func SeriesTable(caption, labelHeader string, labels []string, series []Series, opt Options) TableData {
	headers := []string{labelHeader}
	for _, s := range series {
		headers = append(headers, s.Name)
	}
	total := opt.Stacked && len(series) > 1
	if total {
		headers = append(headers, "Tổng")
	}
	rows := make([][]string, 0, len(labels))
	for i, l := range labels {
		row := []string{l}
		for _, s := range series {
			row = append(row, opt.value(at(s, i)))
		}
		if total {
			row = append(row, opt.value(stackTotal(series, i)))
		}
		rows = append(rows, row)
	}
	t := Table(headers, rows)
	t.Caption = caption
	return t
}

// WriteCSV writes the table as CSV (UTF-8), the header first. Text that a
// spreadsheet could take for a formula (starting with = + - @) gets a
// leading apostrophe; numbers are written as shown.
func (t TableData) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = neutralize(c)
		}
		return out
	}
	if err := cw.Write(row(t.Headers)); err != nil {
		return fmt.Errorf("chart: write csv: %w", err)
	}
	for _, r := range t.Rows {
		if err := cw.Write(row(r)); err != nil {
			return fmt.Errorf("chart: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("chart: write csv: %w", err)
	}
	return nil
}

func neutralize(s string) string {
	if s == "" || IsNumber(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
