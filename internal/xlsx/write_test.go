package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writeBook runs fn on a new Writer and returns the finished file.
func writeBook(t testing.TB, fn func(w *Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	fn(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustWrite(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	hcm := time.FixedZone("ICT", 7*3600)
	data := writeBook(t, func(w *Writer) {
		w.SheetName("Kế hoạch: 2024/3")
		w.SetColWidths([]float64{30, 0, 12})
		mustWrite(t, w.WriteHeader("Tên điểm", "Số người", "Tỷ lệ", "Đã duyệt", "Ngày", "Ghi chú"))
		mustWrite(t, w.WriteRow("Lễ hội đền Hùng – Phú Thọ", 5813, 1.5, true, time.Date(2024, 3, 5, 0, 0, 0, 0, hcm), "Đông người, cần tăng cường"))
		mustWrite(t, w.WriteRow("Chùa Hương", int64(-42), -2.25, false, time.Date(2024, 3, 5, 18, 30, 0, 0, hcm), nil))
		mustWrite(t, w.WriteRow()) // an empty line keeps its number
		mustWrite(t, w.WriteRow(nil, "", nil, "sau hai ô trống"))
		mustWrite(t, w.WriteRow(uint8(7), float32(0.1), 1e-7, 1e22, math.NaN(), int64(1234567890123456789)))
		mustWrite(t, w.WriteRow("=SUM(A1:A9)", "+84 912 345 678", "@admin", "  hai đầu có cách  ", "dòng 1\ndòng 2", "a\rb\tc"))
		mustWrite(t, w.WriteRow("x\x00y\x1fz\x7f", "<b>&amp;</b> \"'", "_x0041_ _x005F_", "\xff\xfe", "\uFFFEk"))
		mustWrite(t, w.WriteRow(time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC), time.Time{}, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1900, 3, 1, 6, 0, 0, 0, time.UTC)))
	})

	wb, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := wb.SheetNames(), []string{"Kế hoạch_ 2024_3"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("SheetNames = %q, want %q", got, want)
	}
	got, err := wb.Rows(0)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Tên điểm", "Số người", "Tỷ lệ", "Đã duyệt", "Ngày", "Ghi chú"},
		{"Lễ hội đền Hùng – Phú Thọ", "5813", "1.5", "TRUE", "2024-03-05", "Đông người, cần tăng cường"},
		{"Chùa Hương", "-42", "-2.25", "FALSE", "2024-03-05 18:30"},
		nil,
		{"", "", "", "sau hai ô trống"},
		{"7", "0.1", "1E-07", "1E+22", "#NUM!", "1234567890123456789"},
		{"=SUM(A1:A9)", "+84 912 345 678", "@admin", "  hai đầu có cách  ", "dòng 1\ndòng 2", "a\rb\tc"},
		{"xyz\x7f", "<b>&amp;</b> \"'", "_x0041_ _x005F_", "\uFFFD\uFFFD", "k"},
		{"1899-12-31", "", "1900-01-01", "1900-03-01 06:00"},
	}
	if !equalRows(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
}

// TestWrittenParts checks the package structure Excel and LibreOffice
// insist on, and that every part is well-formed XML.
func TestWrittenParts(t *testing.T) {
	data := writeBook(t, func(w *Writer) {
		w.SheetName(`A & "B" <C>`)
		mustWrite(t, w.WriteHeader("a", "b"))
		mustWrite(t, w.WriteRow(1, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)))
	})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		seen[f.Name] = string(body)
		dec := xml.NewDecoder(bytes.NewReader(body))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"} {
		if _, ok := seen[name]; !ok {
			t.Errorf("missing part %s", name)
		}
	}
	sheet := seen["xl/worksheets/sheet1.xml"]
	for _, want := range []string{`<c r="A1" s="1" t="inlineStr">`, `<c r="B2" s="2"><v>45356</v></c>`} {
		if !strings.Contains(sheet, want) {
			t.Errorf("sheet1.xml lacks %s:\n%s", want, sheet)
		}
	}
	if !strings.Contains(seen["xl/workbook.xml"], `name="A &amp; &quot;B&quot; &lt;C&gt;"`) {
		t.Errorf("sheet name not escaped: %s", seen["xl/workbook.xml"])
	}
}

func TestEmptyWorkbook(t *testing.T) {
	data := writeBook(t, func(w *Writer) {})
	rows, err := ReadRows(bytes.NewReader(data), int64(len(data)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Errorf("rows = %q, want none", rows)
	}
}

func TestWriterErrors(t *testing.T) {
	t.Run("unsupported type leaves the writer usable", func(t *testing.T) {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		err := w.WriteRow("a", struct{}{})
		if err == nil || !strings.Contains(err.Error(), "row 1, column B: unsupported cell type struct {}") {
			t.Fatalf("err = %v", err)
		}
		mustWrite(t, w.WriteRow("b"))
		mustWrite(t, w.Close())
		rows, err := ReadRows(bytes.NewReader(buf.Bytes()), int64(buf.Len()), 0)
		if err != nil {
			t.Fatal(err)
		}
		if !equalRows(rows, [][]string{{"b"}}) {
			t.Errorf("rows = %q", rows)
		}
	})
	t.Run("options after the first row", func(t *testing.T) {
		w := NewWriter(io.Discard)
		mustWrite(t, w.WriteRow("a"))
		w.SheetName("late")
		if err := w.WriteRow("b"); err == nil {
			t.Error("no error after a late SheetName")
		}
		if err := w.Close(); err == nil {
			t.Error("Close forgot the error")
		}
	})
	t.Run("too many rows", func(t *testing.T) {
		w := NewWriter(io.Discard)
		w.row = MaxRows
		if err := w.WriteRow("a"); !errors.Is(err, ErrTooLarge) {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("write after close", func(t *testing.T) {
		w := NewWriter(io.Discard)
		mustWrite(t, w.Close())
		if err := w.WriteRow("a"); err == nil {
			t.Error("no error")
		}
		mustWrite(t, w.Close())
	})
	t.Run("failing output", func(t *testing.T) {
		w := NewWriter(failWriter{})
		big := strings.Repeat("x", 1000)
		var err error
		for i := 0; i < 1000 && err == nil; i++ {
			err = w.WriteRow(big, i)
		}
		if err == nil {
			err = w.Close()
		}
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("err = %v, want the output's error", err)
		}
	})
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestLongText(t *testing.T) {
	long := strings.Repeat("ạ", 40000)
	data := writeBook(t, func(w *Writer) { mustWrite(t, w.WriteRow(long)) })
	rows, err := ReadRows(bytes.NewReader(data), int64(len(data)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := []rune(rows[0][0]); len(got) != maxCellText {
		t.Errorf("cell holds %d characters, want %d", len(got), maxCellText)
	}
}

func TestSanitizeSheetName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Điểm lễ hội", "Điểm lễ hội"},
		{"", "Sheet1"},
		{"'quoted'", "quoted"},
		{"a[b]c:d*e?f/g\\h", "a_b_c_d_e_f_g_h"},
		{strings.Repeat("Đ", 40), strings.Repeat("Đ", 31)},
		{"\x00\x01", "Sheet1"},
	}
	for _, tt := range tests {
		if got := sanitizeSheetName(tt.in); got != tt.want {
			t.Errorf("sanitizeSheetName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+84912345678", "'+84912345678"},
		{"-5", "'-5"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"Hà Nội", "Hà Nội"},
		{"", ""},
		{" =1", " =1"},
	}
	for _, tt := range tests {
		if got := Neutralize(tt.in); got != tt.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// sampleRow is a typical export row: ten cells of every common kind.
func sampleRow(row []any, i int, day time.Time) []any {
	return append(row[:0], i, "Lễ hội đền Hùng", "Phú Thọ", int64(i)*7, float64(i)/4, i%2 == 0,
		day.AddDate(0, 0, i%3650), nil, "Ghi chú: đông người & xe", 42.5)
}

// TestWriterMemoryFlat writes 200,000 rows and checks that the live heap
// does not grow with them: rows must go straight into the zip entry.
func TestWriterMemoryFlat(t *testing.T) {
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	w := NewWriter(io.Discard)
	row := make([]any, 0, 10)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 200_000 {
		if err := w.WriteRow(sampleRow(row, i, day)...); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(w)
	mustWrite(t, w.Close())

	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap growth after 200,000 rows: %.1f MB", float64(growth)/(1<<20))
	if growth > 20<<20 {
		t.Errorf("heap grew by %.1f MB writing 200,000 rows, want under 20 MB", float64(growth)/(1<<20))
	}
}

// TestWriteRowAllocs checks that the writer itself allocates nothing per
// row; what a caller allocates boxing values into ...any is its own.
func TestWriteRowAllocs(t *testing.T) {
	w := NewWriter(io.Discard)
	row := []any{12345, "Lễ hội đền Hùng", int64(987654321), 1.25, true, time.Date(2024, 3, 5, 18, 30, 0, 0, time.UTC), nil, "a & b", 42.5, uint16(7)}
	mustWrite(t, w.WriteRow(row...)) // opens the parts
	allocs := testing.AllocsPerRun(20_000, func() {
		if err := w.WriteRow(row...); err != nil {
			t.Fatal(err)
		}
	})
	mustWrite(t, w.Close())
	if allocs > 0.01 {
		t.Errorf("WriteRow allocates %.3f times per row, want 0", allocs)
	}
}

// TestLibreOffice opens a written file in LibreOffice, the program most
// offices here use, and compares its CSV export.
func TestLibreOffice(t *testing.T) {
	soffice := ""
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			soffice = p
			break
		}
	}
	if soffice == "" {
		t.Skip("neither soffice nor libreoffice is on PATH; skipping the LibreOffice check")
	}
	dir := t.TempDir()
	data := writeBook(t, func(w *Writer) {
		w.SheetName("Điểm")
		mustWrite(t, w.WriteHeader("Tên", "Số", "Duyệt", "Ngày"))
		mustWrite(t, w.WriteRow("Lễ hội đền Hùng", 5813, true, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)))
		mustWrite(t, w.WriteRow("=1+1", -42, false, nil))
		mustWrite(t, w.WriteRow())
		mustWrite(t, w.WriteRow(nil, 7))
	})
	in := filepath.Join(dir, "diem.xlsx")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// 44,34,76: comma-separated, double-quoted, UTF-8. A private profile
	// keeps the test away from a running LibreOffice of the user.
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", soffice, err, out)
	}
	f, err := os.Open(filepath.Join(dir, "diem.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Tên", "Số", "Duyệt", "Ngày"},
		{"Lễ hội đền Hùng", "5813", "TRUE", "05/03/2024"},
		{"=1+1", "-42", "FALSE", ""},
		{"", "", "", ""},
		{"", "7", "", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("LibreOffice CSV has %d lines, want %d:\n%q", len(got), len(want), got)
	}
	for i := range want {
		for j := range want[i] {
			g := ""
			if j < len(got[i]) {
				g = got[i][j]
			}
			if g != want[i][j] {
				t.Errorf("LibreOffice line %d field %d = %q, want %q", i+1, j+1, g, want[i][j])
			}
		}
	}
}

// countWriter discards what it is given and counts it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func BenchmarkWrite1M(b *testing.B) {
	const rows = 1_000_000
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	row := make([]any, 0, 10)
	var (
		files  int
		size   int64
		before runtime.MemStats
		after  runtime.MemStats
	)
	runtime.ReadMemStats(&before)
	for b.Loop() {
		out := &countWriter{}
		w := NewWriter(out)
		if err := w.WriteHeader("STT", "Tên", "Tỉnh", "Mã", "Điểm", "Duyệt", "Ngày", "Trống", "Ghi chú", "Hệ số"); err != nil {
			b.Fatal(err)
		}
		for i := range rows {
			if err := w.WriteRow(sampleRow(row, i, day)...); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		files++
		size = out.n
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(rows*files)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(rows*files), "allocs/row")
	b.ReportMetric(float64(size)/(1<<20), "MB/file")
}
