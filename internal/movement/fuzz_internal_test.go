package movement

import (
	"bytes"
	"errors"
	"testing"

	"toandan/internal/geo"
	"toandan/internal/xlsx"
)

// Festival files come from provinces' spreadsheets; no CSV or XLSX content
// may crash the reader, and what it accepts has the required columns.
func FuzzReadTable(f *testing.F) {
	header := []string{"year", "commune_code", "residential_area", "held_on", "participants", "commendations_collective", "commendations_individual", "gifts_vnd"}
	f.Add([]byte("year,commune_code,residential_area,held_on,participants,commendations_collective,commendations_individual,gifts_vnd\n2025,00004,,2025-08-19,120,1,2,5000000\n"))
	f.Add([]byte("\xef\xbb\xbfyear,province_code,planned_points\n2025,01,126\n"))
	f.Add([]byte("year,commune_code\n\"2025"))
	var x bytes.Buffer
	w := xlsx.NewWriter(&x)
	w.WriteHeader(header...)
	w.WriteRow(2025, "00004", "Thôn 1", "2025-08-19", 100, 0, 1, 2000000)
	w.Close()
	f.Add(x.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := readTable("f", data, []string{"year", "commune_code"})
		if err != nil {
			var ie *geo.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an ImportError", err)
			}
			return
		}
		if !tb.has("year") || !tb.has("commune_code") || len(tb.rows) == 0 || len(tb.rows) != len(tb.lines) {
			t.Fatalf("accepted a table without its columns or rows")
		}
		for i := range tb.rows {
			_ = tb.field(i, "year")
			_ = tb.field(i, "missing")
		}
	})
}
