package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"toandan/internal/app"
	"toandan/internal/config"
	"toandan/internal/movement"
	"toandan/internal/testutil"
	"toandan/internal/xlsx"
)

// festivalCSV is the conference report of year as the movement package
// writes it.
func (v *env) festivalCSV(t *testing.T, year int) string {
	t.Helper()
	ctx := context.Background()
	m, err := app.Open(ctx, config.Config{DataDir: v.vars["TOANDAN_DATA"], DB: v.vars["TOANDAN_DB"]}, slog.New(slog.NewTextHandler(io.Discard, nil)), v.clk)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r, err := m.Movement.ConferenceReport(ctx, year, movement.Current)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := movement.WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const cliFestival = `year,commune_code,residential_area,held_on,participants,commendations_collective,commendations_individual,gifts_vnd
2025,T0101,,2025-08-19,300,1,2,5000000
2025,T0102,,2025-08-18,200,0,1,2000000
2025,T0102,Thôn Một,2025-08-17,80,0,0,500000
2025,T7901,,2025-08-19,500,2,3,9000000
`

// xlsxOf writes CSV text as an XLSX file, numbers and dates typed.
func xlsxOf(t *testing.T, csvText string) []byte {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := xlsx.NewWriter(&b)
	if err := w.WriteHeader(recs[0]...); err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		cells := make([]any, len(rec))
		for i, c := range rec {
			cells[i] = c
			if d, err := time.Parse("2006-01-02", c); err == nil {
				cells[i] = d
			} else if i >= 4 || i == 0 {
				var n int64
				for _, r := range c {
					n = n*10 + int64(r-'0')
				}
				cells[i] = n
			}
		}
		if err := w.WriteRow(cells...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCLIMovement(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			v := newEnv(t, e)
			dir := t.TempDir()
			write := func(name string, data []byte) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			if code, _, errOut := v.run(t, "", "geo", "import", "--valid-from", "2025-07-01", write("communes.csv", []byte(testutil.SampleCommunes))); code != 0 {
				t.Fatalf("geo import: %s", errOut)
			}

			plan := write("ke-hoach.csv", []byte("year,province_code,planned_points\n2025,01,1\n2025,79,1\n"))
			code, out, errOut := v.run(t, "", "movement", "import", "festival-plan", plan)
			if code != 0 || out != "festival plans: 2 rows read: 2 new, 0 updated, 0 unchanged\n" {
				t.Fatalf("plan import: %d %q %q", code, out, errOut)
			}
			festival := write("ngay-hoi.csv", []byte(cliFestival))
			code, out, errOut = v.run(t, "", "movement", "import", "festival", festival)
			if code != 0 || out != "festival points: 4 rows read: 4 new, 0 updated, 0 unchanged; 1 residential areas created\n" {
				t.Fatalf("festival import: %d %q %q", code, out, errOut)
			}
			if want := "rows read: 4\nchecking...\nresidential areas... 4/4\nwriting points... 4/4\nsaving...\ndone in 0.0 s\n"; errOut != want {
				t.Errorf("festival import progress: %q, want %q", errOut, want)
			}
			for _, f := range []string{festival, write("ngay-hoi.xlsx", xlsxOf(t, cliFestival))} {
				code, out, errOut = v.run(t, "", "movement", "import", "festival", f)
				if code != 0 || out != "festival points: 4 rows read: 0 new, 0 updated, 4 unchanged; 0 residential areas created\n" {
					t.Errorf("import %s again: %d %q %q", filepath.Base(f), code, out, errOut)
				}
			}

			// A bad last line: exit 1, the line named, nothing imported.
			bad := write("sai.csv", []byte(cliFestival+"2025,T7901,Ấp Mới,2025-08-19,nhiều,0,0,0\n"))
			code, out, errOut = v.run(t, "", "movement", "import", "festival", bad)
			if code != 1 || !strings.Contains(errOut, "import failed, nothing was imported: sai.csv:6: cột participants") {
				t.Errorf("bad file: %d %q %q", code, out, errOut)
			}
			if n := v.count(t, "SELECT COUNT(*) FROM festival_points"); n != 4 {
				t.Errorf("%d points after the bad file, want 4", n)
			}
			if n := v.count(t, "SELECT COUNT(*) FROM residential_areas"); n != 1 {
				t.Errorf("%d areas after the bad file, want 1", n)
			}

			// The report as CSV on standard output, exactly the table:
			// the progress is on standard error.
			code, out, errOut = v.run(t, "", "report", "festival", "--year", "2025", "--format", "csv")
			if code != 0 {
				t.Fatalf("report csv: %d %q", code, errOut)
			}
			if want := "tallying the festival points of 2025...\ndone in 0.0 s\n"; errOut != want {
				t.Errorf("report progress: %q, want %q", errOut, want)
			}
			if want := v.festivalCSV(t, 2025); out != want {
				t.Errorf("report csv on standard output:\n%q\nwant\n%q", out, want)
			}
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1+34+1 || recs[0][0] != "province_code" || recs[0][10] != "plan_pct" {
				t.Fatalf("report csv: %d lines, header %v", len(recs), recs[0])
			}
			if got := strings.Join(recs[1], ","); got != "01,Hà Nội,2,1,1,580,0,1,3,7500000,200.0" {
				t.Errorf("Hà Nội line %s", got)
			}
			if got := strings.Join(recs[len(recs)-1], ","); got != "TOTAL,Toàn quốc,3,1,2,1080,0,3,6,16500000,150.0" {
				t.Errorf("TOTAL line %s", got)
			}
			code, recorded, _ := v.run(t, "", "report", "festival", "--year", "2025", "--view", "recorded", "--format", "csv")
			if code != 0 || recorded != out {
				t.Errorf("recorded view of post-reform points differs from the current view:\n%s", recorded)
			}

			// XLSX to a file, and to a redirected standard output.
			outFile := filepath.Join(dir, "bao-cao.xlsx")
			code, out, errOut = v.run(t, "", "report", "festival", "--year", "2025", "--format", "xlsx", "--out", outFile)
			if code != 0 || !strings.Contains(out, "3 communes held of 2 planned (vượt kế hoạch)") {
				t.Fatalf("report xlsx: %d %q %q", code, out, errOut)
			}
			data, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := xlsx.ReadRows(bytes.NewReader(data), int64(len(data)), 0)
			if err != nil || len(rows) != 36 || rows[35][0] != "TOTAL" || rows[35][2] != "3" {
				t.Errorf("xlsx file: %d rows, %v", len(rows), err)
			}
			code, out, _ = v.run(t, "", "report", "festival", "--year", "2025", "--format", "xlsx")
			if code != 0 || !strings.HasPrefix(out, "PK\x03\x04") {
				t.Errorf("xlsx to a pipe: %d, %q", code, out[:min(len(out), 8)])
			}

			for _, c := range []struct {
				args []string
				want string
			}{
				{[]string{"report", "festival", "--format", "csv"}, "--year"},
				{[]string{"report", "festival", "--year", "2025", "--view", "both"}, "--view"},
				{[]string{"report", "festival", "--year", "2025", "--format", "pdf"}, "--format"},
				{[]string{"report", "plans"}, "unknown command"},
				{[]string{"movement", "import"}, "festival or festival-plan"},
				{[]string{"movement", "import", "models", "x.csv"}, "festival or festival-plan"},
				{[]string{"movement", "import", "festival"}, "exactly one"},
			} {
				code, _, errOut := v.run(t, "", c.args...)
				if code != 2 || !strings.Contains(errOut, c.want) {
					t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errOut, c.want)
				}
			}
		})
	}
}
