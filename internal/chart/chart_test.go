package chart_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/chart"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var months = []string{"Tháng 1", "Tháng 2", "Tháng 3", "Tháng 4", "Tháng 5", "Tháng 6", "Tháng 7", "Tháng 8", "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12"}
var shortMonths = []string{"T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12"}

// goldenCharts are the charts whose exact output is kept in testdata/: one
// of each kind and layout the dashboards use.
func goldenCharts() map[string]template.HTML {
	nan := math.NaN()
	return map[string]template.HTML{
		"bar_months": chart.Bar("Nguồn tin tiếp nhận theo tháng năm 2026", months,
			[]chart.Series{{Name: "Nguồn tin", Values: []float64{12, 5, 20, 0, 7, 9, 14, 3, 1234, 8, 6, 0}}},
			chart.Options{Unit: "nguồn tin", ShortLabels: shortMonths}),
		"bar_grouped": chart.Bar("Nguồn tin đã giải quyết theo quý", []string{"Quý I", "Quý II", "Quý III", "Quý IV"},
			[]chart.Series{{Name: "Đúng hạn", Values: []float64{30, 42, 51, nan}}, {Name: "Quá hạn", Values: []float64{4, 2, 7, nan}}},
			chart.Options{}),
		"bar_stacked": chart.Bar("Nguồn tin theo trạng thái và tháng", shortMonths[:6],
			[]chart.Series{{Name: "Đang giải quyết", Values: []float64{3, 4, 2, 5, 1, 0}}, {Name: "Đã giải quyết", Values: []float64{10, 8, 12, 9, 11, 7}},
				{Name: "Tạm đình chỉ", Values: []float64{1, 0, 0, 2, 0, 1}}, {Name: "Khác", Values: []float64{0, 1, 0, 0, 1, 0}}},
			chart.Options{Stacked: true}),
		"hbar_categories": chart.Bar("Nguồn tin theo lĩnh vực", []string{"Trật tự xã hội", "Kinh tế", "Tham nhũng, chức vụ", "Ma túy",
			"Môi trường, an toàn thực phẩm", "Công nghệ cao, lừa đảo qua mạng", "Buôn lậu, hàng cấm, hàng giả", "Khác"},
			[]chart.Series{{Name: "Nguồn tin", Values: []float64{120, 45, 3, 38, 12, 1520, 9, 0}}},
			chart.Options{Horizontal: true, Unit: "nguồn tin"}),
		"hbar_grouped_pct": chart.Bar("Tỷ lệ xã tổ chức Ngày hội so với kế hoạch", []string{"Thành phố Hà Nội", "Thành phố Hồ Chí Minh", "Tỉnh Cao Bằng <&>"},
			[]chart.Series{{Name: "Năm 2025", Values: []float64{98.94, 104.2, 0}}, {Name: "Năm 2026", Values: []float64{100, 87.5, nan}}},
			chart.Options{Horizontal: true, Unit: "%", Decimals: 1}),
		"line_months": chart.Line("Nguồn tin tiếp nhận và đã giải quyết theo tháng", months,
			[]chart.Series{{Name: "Tiếp nhận", Values: []float64{12, 15, 9, 22, 18, 25, 30, 28, 19, 21, 17, nan}},
				{Name: "Giải quyết", Values: []float64{8, 11, 10, 15, 20, 18, 24, 27, 22, 16, nan, nan}}},
			chart.Options{ShortLabels: shortMonths}),
		"progress_pct":     chart.Progress("Tỷ lệ xã đạt tiêu chuẩn “An toàn về an ninh, trật tự”", 98.94, 99, chart.Options{Unit: "%", Decimals: 1}),
		"progress_count":   chart.Progress("Điểm Ngày hội cấp xã đã tổ chức so với kế hoạch", 5813, 5500),
		"progress_none":    chart.Progress("Tỷ lệ giải quyết đúng hạn", 87.5, nan, chart.Options{Unit: "%", Decimals: 1}),
		"progress_at_most": chart.Progress("Nguồn tin quá hạn", 4, 0, chart.Options{Comparator: "<="}),
		"progress_plan":    chart.Progress("Điểm Ngày hội cấp xã", 5813, 5500, chart.Options{Unit: "điểm", TargetName: "kế hoạch"}),
	}
}

// TestGolden compares each chart with its file in testdata/ (go test
// -update rewrites them; look at them in a browser before committing).
func TestGolden(t *testing.T) {
	for name, got := range goldenCharts() {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name+".svg")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from %s:\n got %s\nwant %s", name, path, got, want)
			}
		})
	}
}

// TestDeterministic draws every chart twice.
func TestDeterministic(t *testing.T) {
	a, b := goldenCharts(), goldenCharts()
	for name := range a {
		if a[name] != b[name] {
			t.Errorf("%s: two drawings differ", name)
		}
	}
}

// TestAccessible checks what every chart must have: well-formed XML, an
// svg with role="img" named by its title and described by its desc (in
// that order, first), no script, no style, no external reference, text of
// at least 12 units in a 360-unit-wide viewBox, and ids unique across the
// charts so several can share a page.
func TestAccessible(t *testing.T) {
	ids := map[string]string{}
	for name, h := range goldenCharts() {
		s := string(h)
		t.Run(name, func(t *testing.T) {
			dec := xml.NewDecoder(strings.NewReader(s))
			var order []string
			var title, desc string
			var cur string
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v\n%s", err, s)
				}
				switch el := tok.(type) {
				case xml.StartElement:
					order = append(order, el.Name.Local)
					cur = el.Name.Local
					for _, a := range el.Attr {
						switch {
						case a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") || a.Name.Local == "href":
							t.Errorf("attribute %s on <%s>", a.Name.Local, el.Name.Local)
						case a.Name.Local == "font-size":
							if v, err := strconv.ParseFloat(a.Value, 64); err != nil || v < 12 {
								t.Errorf("font-size %s below 12", a.Value)
							}
						case a.Name.Local == "id":
							if other, dup := ids[a.Value]; dup && other != name {
								t.Errorf("id %s also in %s", a.Value, other)
							}
							ids[a.Value] = name
						}
					}
					switch el.Name.Local {
					case "script", "style", "image", "foreignObject", "use", "a":
						t.Errorf("<%s> in a chart", el.Name.Local)
					}
				case xml.CharData:
					switch cur {
					case "title":
						title += string(el)
					case "desc":
						desc += string(el)
					}
				case xml.EndElement:
					cur = ""
				}
			}
			if len(order) < 3 || order[0] != "svg" || order[1] != "title" || order[2] != "desc" {
				t.Fatalf("elements start %v, want svg, title, desc", order[:min(3, len(order))])
			}
			for _, want := range []string{`role="img"`, `viewBox="0 0 360 `, `width="100%"`, `aria-labelledby="`} {
				if !strings.Contains(s, want) {
					t.Errorf("no %s", want)
				}
			}
			if title == "" || len([]rune(desc)) < 40 {
				t.Errorf("title %q, desc %q: both must say what the chart shows", title, desc)
			}
			if strings.Contains(s, "http://") && strings.Count(s, "http://") != 1 { // the xmlns only
				t.Errorf("external reference in %s", s)
			}
		})
	}
}

// TestDescriptions checks that the descriptions state the numbers, written
// the Vietnamese way.
func TestDescriptions(t *testing.T) {
	c := goldenCharts()
	for name, want := range map[string][]string{
		"bar_months": {"Biểu đồ cột: Nguồn tin tiếp nhận theo tháng năm 2026.", "Tháng 1: 12\u00a0nguồn tin;", "Tháng 9: 1.234\u00a0nguồn tin",
			"Cao nhất: Tháng 9 (1.234\u00a0nguồn tin).", "Tổng: 1.318\u00a0nguồn tin."},
		"bar_grouped":      {"Biểu đồ cột ghép", "Các loạt số liệu: Đúng hạn, Quá hạn.", "Quý I: Đúng hạn 30, Quá hạn 4", "Quý IV: Đúng hạn không có số liệu"},
		"bar_stacked":      {"Biểu đồ cột chồng", "T1: Đang giải quyết 3, Đã giải quyết 10, Tạm đình chỉ 1, Khác 0, tổng 14"},
		"hbar_grouped_pct": {"Thành phố Hà Nội: Năm 2025 98,9\u00a0%, Năm 2026 100\u00a0%", "Tỉnh Cao Bằng &lt;&amp;&gt;"},
		"line_months":      {"Biểu đồ đường", "Tiếp nhận: Tháng 1 12,", "Tháng 12 không có số liệu.", "Cao nhất: Tháng 7 (30); thấp nhất: Tháng 3 (9)."},
		"progress_pct":     {"Hiện đạt 98,9\u00a0%; chỉ tiêu ≥ 99\u00a0%: chưa đạt, còn thiếu 0,1\u00a0%.", "Thang đo từ 0 đến 100\u00a0%."},
		"progress_count":   {"Hiện đạt 5.813; chỉ tiêu ≥ 5.500: đạt.", ">Đạt chỉ tiêu<"},
		"progress_none":    {"Hiện đạt 87,5\u00a0%, chưa có chỉ tiêu."},
		"progress_at_most": {"chỉ tiêu ≤ 0: chưa đạt, vượt 4.", ">Chưa đạt chỉ tiêu<", "Chỉ tiêu ≤ 0"},
		"progress_plan":    {"Hiện đạt 5.813\u00a0điểm; kế hoạch 5.500\u00a0điểm: đạt.", ">Đạt kế hoạch<", ">Kế hoạch 5.500<"},
	} {
		for _, w := range want {
			if !strings.Contains(string(c[name]), w) {
				t.Errorf("%s: no %q in\n%s", name, w, c[name])
			}
		}
	}
	// Direct labels: a single series states its values on the bars.
	if !strings.Contains(string(c["hbar_categories"]), ">1.520</text>") {
		t.Errorf("horizontal bars without direct value labels:\n%s", c["hbar_categories"])
	}
	// Axis labels are the short ones; the description keeps the full ones.
	if !strings.Contains(string(c["bar_months"]), ">T12</text>") || strings.Contains(string(c["bar_months"]), ">Tháng 12</text>") {
		t.Errorf("month axis labels:\n%s", c["bar_months"])
	}
}

// TestPatterns checks that series beyond the first are told apart by a
// pattern (bars) or a dash (lines), not by colour alone.
func TestPatterns(t *testing.T) {
	c := goldenCharts()
	stacked := string(c["bar_stacked"])
	for _, p := range []string{"-p1)", "-p2)", "-p3)"} {
		if !strings.Contains(stacked, p) {
			t.Errorf("stacked bars do not use pattern %s", p)
		}
	}
	if !strings.Contains(string(c["line_months"]), `stroke-dasharray="6 3"`) {
		t.Errorf("second line has no dash")
	}
	// The legend draws each series' swatch with its own fill.
	if n := strings.Count(stacked, `width="14" height="14"`); n != 4 {
		t.Errorf("legend has %d swatches, want 4", n)
	}
}

// TestTextEscaped puts markup in every text a caller gives and checks it
// arrives as text.
func TestTextEscaped(t *testing.T) {
	bad := `<script>alert("x")</script>&`
	out := []template.HTML{
		chart.Bar(bad, []string{bad}, []chart.Series{{Name: bad, Values: []float64{1}}, {Name: "b", Values: []float64{2}}}, chart.Options{Desc: bad}),
		chart.Bar(bad, []string{bad}, []chart.Series{{Name: bad, Values: []float64{1}}}, chart.Options{Horizontal: true}),
		chart.Line(bad, []string{bad, bad}, []chart.Series{{Name: bad, Values: []float64{1, 2}}, {Name: "b", Values: []float64{2, 1}}}, chart.Options{}),
		chart.Progress(bad, 1, 2, chart.Options{Desc: bad}),
	}
	for i, h := range out {
		if strings.Contains(string(h), "<script") || !strings.Contains(string(h), "&lt;script&gt;") {
			t.Errorf("chart %d: text not escaped:\n%s", i, h)
		}
	}
}

// TestDegenerate draws charts with nothing, zeros and ragged series: no
// panic, a valid SVG, and a description that says there is no data.
func TestDegenerate(t *testing.T) {
	for i, h := range []template.HTML{
		chart.Bar("Trống", nil, nil, chart.Options{}),
		chart.Bar("Không", []string{"a", "b"}, []chart.Series{{Name: "x", Values: []float64{0, 0}}}, chart.Options{}),
		chart.Bar("Lệch", []string{"a", "b", "c"}, []chart.Series{{Name: "x", Values: []float64{1}}}, chart.Options{Horizontal: true}),
		chart.Line("Một điểm", []string{"a"}, []chart.Series{{Name: "x", Values: []float64{3}}}, chart.Options{}),
		chart.Progress("Không", 0, 0),
		chart.Progress("Âm", -5, math.Inf(1)),
	} {
		if err := xml.Unmarshal([]byte(h), new(struct{})); err != nil {
			t.Errorf("chart %d: %v\n%s", i, err, h)
		}
		if strings.Contains(string(h), "NaN") || strings.Contains(string(h), "Inf") {
			t.Errorf("chart %d: NaN or Inf in output:\n%s", i, h)
		}
	}
	if !strings.Contains(string(chart.Bar("Trống", nil, nil, chart.Options{})), "Không có số liệu.") {
		t.Error("empty chart does not say it has no data")
	}
}

// TestSize keeps the charts small: a dashboard has several on a phone.
func TestSize(t *testing.T) {
	for name, h := range goldenCharts() {
		if len(h) > 12_000 {
			t.Errorf("%s is %d bytes", name, len(h))
		}
	}
}

var coord = regexp.MustCompile(`\b(x|cx|width|y|cy)="(-?[0-9.]+)"`)

// TestInsideViewBox checks that nothing is placed left of 0, right of 360
// or above 0 (text is checked by its anchor point).
func TestInsideViewBox(t *testing.T) {
	for name, h := range goldenCharts() {
		for _, m := range coord.FindAllStringSubmatch(string(h), -1) {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil || v < 0 || (m[1] != "y" && m[1] != "cy" && v > 360) {
				t.Errorf("%s: %s out of the viewBox", name, m[0])
			}
		}
	}
}

func TestTable(t *testing.T) {
	tb := chart.SeriesTable("Nguồn tin", "Tháng", []string{"Tháng 1", "Tháng 2"},
		[]chart.Series{{Name: "Đúng hạn", Values: []float64{1234, 2}}, {Name: "Quá hạn", Values: []float64{1, math.NaN()}}}, chart.Options{Stacked: true})
	want := [][]string{{"Tháng 1", "1.234", "1", "1.235"}, {"Tháng 2", "2", "–", "2"}}
	if strings.Join(tb.Headers, "|") != "Tháng|Đúng hạn|Quá hạn|Tổng" || !equalRows(tb.Rows, want) {
		t.Fatalf("table %+v", tb)
	}
	if tb.Numeric[0] || !tb.Numeric[1] || !tb.Numeric[2] || !tb.Numeric[3] {
		t.Errorf("numeric columns %v", tb.Numeric)
	}
	var buf bytes.Buffer
	if err := chart.Table([]string{"Đơn vị", "Tỷ lệ"}, [][]string{{"=HYPERLINK(1)", chart.Percent(98.94, 1)}, {"-x", "-3"}}).WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	// Formula-like text is neutralised, numbers (even negative) are not,
	// and a decimal comma is quoted.
	if got := buf.String(); got != "Đơn vị,Tỷ lệ\n'=HYPERLINK(1),\"98,9\u00a0%\"\n'-x,-3\n" {
		t.Errorf("csv %q", got)
	}
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "|") != strings.Join(b[i], "|") {
			return false
		}
	}
	return true
}
