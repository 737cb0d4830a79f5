package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	nsMain = `http://schemas.openxmlformats.org/spreadsheetml/2006/main`
	nsRel  = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	nsPkg  = `http://schemas.openxmlformats.org/package/2006/relationships`
)

// zipParts builds a zip of the given parts in name order, as a province's
// spreadsheet program would (minus everything the reader ignores).
func zipParts(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(f, parts[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func rels(pairs ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="` + nsPkg + `">`)
	for i := 0; i+2 < len(pairs); i += 3 {
		b.WriteString(`<Relationship Id="` + pairs[i] + `" Type="` + nsRel + `/` + pairs[i+1] + `" Target="` + pairs[i+2] + `"/>`)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="` + nsMain + `"><dimension ref="A1:Z9"/><sheetData>` + rows + `</sheetData></worksheet>`
}

// book returns the parts of a one-sheet workbook whose sheet has the given
// rows; tests add or replace parts.
func book(rows string) map[string]string {
	return map[string]string{
		"[Content_Types].xml": `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels":         rels("rId1", "officeDocument", "xl/workbook.xml"),
		"xl/workbook.xml": `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><workbookPr/>` +
			`<sheets><sheet name="Điểm lễ hội" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": rels("rId1", "worksheet", "worksheets/sheet1.xml", "rId2", "sharedStrings", "sharedStrings.xml", "rId3", "styles", "styles.xml"),
		"xl/worksheets/sheet1.xml":   sheetXML(rows),
	}
}

// datesStyles numbers its cellXfs so the tests read: s="1" is built-in 14,
// s="2" dd/mm/yyyy and so on. cellStyleXfs carries a date format as a trap:
// only cellXfs count.
const datesStyles = `<styleSheet xmlns="` + nsMain + `"><numFmts count="4">` +
	`<numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/>` +
	`<numFmt numFmtId="165" formatCode="[$-42A]dd/mm/yyyy\ hh:mm"/>` +
	`<numFmt numFmtId="166" formatCode="[h]:mm"/>` +
	`<numFmt numFmtId="167" formatCode="#,##0\ &quot;₫&quot;"/>` +
	`</numFmts>` +
	`<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>` +
	`<cellXfs count="8"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>` +
	`<xf numFmtId="166"/><xf numFmtId="20"/><xf numFmtId="167"/><xf numFmtId="22"/></cellXfs></styleSheet>`

func TestReadRows(t *testing.T) {
	tests := []struct {
		name  string
		parts map[string]string
		sheet int
		want  [][]string
	}{
		{
			name: "shared strings with rich text and phonetic runs",
			parts: with(book(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>`),
				"xl/sharedStrings.xml", `<sst xmlns="`+nsMain+`" count="4" uniqueCount="4">`+
					`<si><t>Lễ hội đền Hùng</t></si>`+
					`<si><r><rPr><b/></rPr><t xml:space="preserve">Phú </t></r><r><t>Thọ</t></r></si>`+
					`<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>`+
					`<si><t>dòng 1_x000D_dòng 2 _x005F_x0041_</t></si></sst>`),
			want: [][]string{{"Lễ hội đền Hùng", "Phú Thọ", "東京", "dòng 1\rdòng 2 _x0041_"}},
		},
		{
			name: "inline strings",
			parts: book(`<row r="1"><c r="A1" t="inlineStr"><is><t>Hà Nội</t></is></c>` +
				`<c r="B1" t="inlineStr"><is><r><t xml:space="preserve">Đà </t></r><r><rPr><i/></rPr><t>Nẵng</t></r></is></c></row>`),
			want: [][]string{{"Hà Nội", "Đà Nẵng"}},
		},
		{
			name: "gaps, missing rows, cells without r, trailing empties",
			parts: book(`<row r="2"><c r="C2" t="inlineStr"><is><t>y</t></is></c><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>` +
				`<row r="5"><c r="B5"><v>1</v></c><c><v>2</v></c><c r="E5" s="0"/></row>` +
				`<row><c><v>3</v></c></row>` +
				`<row r="8"><c r="D8" s="1"/></row><row r="9" ht="20" customHeight="1"/>`),
			want: [][]string{nil, {"x", "", "y"}, nil, nil, {"", "1", "2"}, {"3"}},
		},
		{
			name: "numbers, booleans, errors, formulas",
			parts: book(`<row r="1">` +
				`<c r="A1"><v>5813</v></c><c r="B1"><v>5813.0</v></c><c r="C1" t="n"><v>1.5</v></c><c r="D1"><v>-2.25</v></c>` +
				`<c r="E1"><f>0.1+0.2</f><v>0.30000000000000004</v></c><c r="F1"><v>1E-3</v></c><c r="G1"><v>1.2345678901234567E+20</v></c>` +
				`<c r="H1" t="b"><v>1</v></c><c r="I1" t="b"><v>0</v></c><c r="J1" t="e"><f>1/0</f><v>#DIV/0!</v></c>` +
				`<c r="K1" t="str"><f>A1&amp;"x"</f><v>5813x</v></c><c r="L1"><f>A1*2</f><v>11626</v></c></row>`),
			want: [][]string{{"5813", "5813", "1.5", "-2.25", "0.3", "1E-3", "1.23456789012346E+20", "TRUE", "FALSE", "#DIV/0!", "5813x", "11626"}},
		},
		{
			name: "dates",
			parts: with(book(`<row r="1">`+
				`<c r="A1" s="1"><v>45356</v></c>`+ // built-in 14
				`<c r="B1" s="2"><v>45356</v></c>`+ // dd/mm/yyyy;@
				`<c r="C1" s="3"><v>45356.75</v></c>`+ // [$-42A]dd/mm/yyyy hh:mm
				`<c r="D1" s="4"><v>1.5</v></c>`+ // [h]:mm is a duration
				`<c r="E1" s="5"><v>0.35416666666666669</v></c>`+ // h:mm
				`<c r="F1" s="6"><v>45356</v></c>`+ // currency, not a date
				`<c r="G1" s="1"><v>45356.5</v></c>`+ // date format hiding a time
				`<c r="H1" s="7"><v>45356</v></c>`+ // built-in 22
				`<c r="I1" s="1"><v>59</v></c><c r="J1" s="1"><v>60</v></c><c r="K1" s="1"><v>61</v></c><c r="L1" s="1"><v>1</v></c>`+
				`<c r="M1" t="d"><v>2024-03-05T10:20:00</v></c>`+
				`<c r="N1" s="1"><v>-5</v></c>`+
				`<c r="O1" s="3"><v>45356.000011574</v></c>`+ // one second past midnight
				`</row>`), "xl/styles.xml", datesStyles),
			want: [][]string{{"2024-03-05", "2024-03-05", "2024-03-05 18:00", "1.5", "08:30", "45356", "2024-03-05 12:00",
				"2024-03-05 00:00", "1900-02-28", "1900-02-29", "1900-03-01", "1900-01-01", "2024-03-05 10:20", "-5", "2024-03-05 00:00:01"}},
		},
		{
			name: "date1904",
			parts: with(with(book(`<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>43894</v></c></row>`),
				"xl/styles.xml", datesStyles),
				"xl/workbook.xml", `<workbook xmlns="`+nsMain+`" xmlns:r="`+nsRel+`"><workbookPr date1904="1"/>`+
					`<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`),
			want: [][]string{{"1904-01-01", "2024-03-05"}},
		},
		{
			name:  "prefixed elements",
			parts: with(book(""), "xl/worksheets/sheet1.xml", `<x:worksheet xmlns:x="`+nsMain+`"><x:sheetData><x:row r="1"><x:c r="B1" t="inlineStr"><x:is><x:t>ok</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`),
			want:  [][]string{{"", "ok"}},
		},
		{
			name: "sheets not named sheet1.xml, a chart sheet first, absolute target",
			parts: map[string]string{
				"_rels/.rels": rels("rId1", "officeDocument", "/xl/workbook.xml"),
				"xl/workbook.xml": `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>` +
					`<sheet name="Biểu đồ" sheetId="3" r:id="rId9"/><sheet name="Kế hoạch" sheetId="1" r:id="rId7"/><sheet name="Khác" sheetId="2" r:id="rId8"/></sheets></workbook>`,
				"xl/_rels/workbook.xml.rels": rels("rId9", "chartsheet", "chartsheets/sheet1.xml", "rId7", "worksheet", "/xl/worksheets/data.xml", "rId8", "worksheet", "worksheets/other.xml"),
				"xl/chartsheets/sheet1.xml":  `<chartsheet xmlns="` + nsMain + `"/>`,
				"xl/worksheets/data.xml":     sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`),
				"xl/worksheets/other.xml":    sheetXML(`<row r="1"><c r="A1"><v>2</v></c></row>`),
			},
			sheet: 1,
			want:  [][]string{{"2"}},
		},
		{
			name: "no relationships at all",
			parts: map[string]string{
				"xl/workbook.xml":          `<workbook xmlns="` + nsMain + `"><sheets><sheet name="A" sheetId="1"/></sheets></workbook>`,
				"xl/worksheets/sheet1.xml": sheetXML(`<row r="1"><c r="A1"><v>7</v></c></row>`),
			},
			want: [][]string{{"7"}},
		},
		{
			name:  "empty sheet",
			parts: book(""),
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := zipParts(t, tt.parts)
			got, err := ReadRows(bytes.NewReader(data), int64(len(data)), tt.sheet)
			if err != nil {
				t.Fatal(err)
			}
			if !equalRows(got, tt.want) {
				t.Errorf("rows\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func with(parts map[string]string, name, body string) map[string]string {
	parts[name] = body
	return parts
}

// equalRows compares rows treating nil and empty rows alike.
func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) || (len(a[i]) > 0 && !reflect.DeepEqual(a[i], b[i])) {
			return false
		}
	}
	return true
}

func TestSheetNames(t *testing.T) {
	parts := with(book(""), "xl/workbook.xml", `<workbook xmlns="`+nsMain+`" xmlns:r="`+nsRel+`"><sheets>`+
		`<sheet name="Kế hoạch" sheetId="1" r:id="rId1"/><sheet name="Biểu đồ" sheetId="2" r:id="rId4"/><sheet name="Ẩn" state="hidden" sheetId="3" r:id="rId5"/></sheets></workbook>`)
	parts["xl/_rels/workbook.xml.rels"] = rels("rId1", "worksheet", "worksheets/sheet1.xml", "rId4", "chartsheet", "chartsheets/sheet1.xml", "rId5", "worksheet", "worksheets/sheet9.xml")
	data := zipParts(t, parts)
	wb, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := wb.SheetNames(), []string{"Kế hoạch", "Ẩn"}; !slices.Equal(got, want) {
		t.Errorf("SheetNames = %q, want %q", got, want)
	}
}

func TestReadErrors(t *testing.T) {
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	tests := []struct {
		name     string
		data     []byte
		sheet    int
		want     string // in the message
		tooLarge bool
	}{
		{name: "not a zip", data: []byte("Tên,Địa chỉ\nA,B\n"), want: "not an XLSX file"},
		{name: "legacy xls", data: ole, want: ".xls"},
		{name: "empty", data: nil, want: "not an XLSX file"},
		{name: "zip without workbook", data: zipParts(t, map[string]string{"ghi-chu.txt": "x"}), want: "no workbook"},
		{name: "workbook without sheets", data: zipParts(t, with(book(""), "xl/workbook.xml", `<workbook xmlns="`+nsMain+`"><sheets/></workbook>`)), want: "no worksheets"},
		{name: "sheet index out of range", data: zipParts(t, book("")), sheet: 3, want: "no worksheet at index 3"},
		{name: "negative sheet index", data: zipParts(t, book("")), sheet: -1, want: "no worksheet at index -1"},
		{name: "sheet part missing", data: zipParts(t, without(book(""), "xl/worksheets/sheet1.xml")), want: "missing"},
		{name: "shared string out of range", data: zipParts(t, book(`<row r="1"><c r="A1" t="s"><v>7</v></c></row>`)), want: "cell A1: invalid shared string index"},
		{name: "row past the limit", data: zipParts(t, book(`<row r="1048577"><c r="A1048577"><v>1</v></c></row>`)), want: "row 1048577", tooLarge: true},
		{name: "column past XFD", data: zipParts(t, book(`<row r="1"><c r="XFE1"><v>1</v></c></row>`)), want: "invalid cell reference"},
		{name: "too many columns by position", data: zipParts(t, book(`<row r="1"><c r="XFD1"><v>1</v></c><c><v>2</v></c></row>`)), want: "columns", tooLarge: true},
		{name: "bad row number", data: zipParts(t, book(`<row r="x"/>`)), want: "invalid row number"},
		{name: "truncated XML", data: zipParts(t, with(book(""), "xl/worksheets/sheet1.xml", `<worksheet><sheetData><row r="1"><c r="A1"><v>1</v>`)), want: "xl/worksheets/sheet1.xml"},
		{name: "zip bomb", data: zipBomb(t, false), want: "larger than 200 MB", tooLarge: true},
		{name: "zip bomb lying about its size", data: zipBomb(t, true), want: "xl/worksheets/sheet1.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadRows(bytes.NewReader(tt.data), int64(len(tt.data)), tt.sheet)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if got := errors.Is(err, ErrTooLarge); got != tt.tooLarge {
				t.Errorf("errors.Is(err, ErrTooLarge) = %v, want %v (%v)", got, tt.tooLarge, err)
			}
		})
	}
}

func without(parts map[string]string, name string) map[string]string {
	delete(parts, name)
	return parts
}

// zipBomb builds a workbook whose sheet inflates to 300 MB of zeros (a
// number with 300 million digits), compressing it chunk by chunk so the
// test itself stays small. lie makes the zip header claim a tiny size, so
// only a reader that bounds what it inflates notices.
func zipBomb(t testing.TB, lie bool) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	crc := crc32.NewIEEE()
	out := io.MultiWriter(fw, crc)
	head := `<worksheet xmlns="` + nsMain + `"><sheetData><row r="1"><c r="A1"><v>`
	tail := `</v></c></row></sheetData></worksheet>`
	io.WriteString(out, head)
	zeros := bytes.Repeat([]byte("0"), 1<<20)
	for range 300 {
		out.Write(zeros)
	}
	io.WriteString(out, tail)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	size := uint64(len(head) + 300<<20 + len(tail))
	if lie {
		size = 4096
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := book("")
	delete(parts, "xl/worksheets/sheet1.xml")
	for _, name := range []string{"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, parts[name])
	}
	f, err := zw.CreateRaw(&zip.FileHeader{
		Name:               "xl/worksheets/sheet1.xml",
		Method:             zip.Deflate,
		CRC32:              crc.Sum32(),
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: size,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(comp.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLimitReader(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		limit   int64
		wantErr bool
	}{
		{"under", 99, 100, false},
		{"exactly at the limit", 100, 100, false},
		{"one byte over", 101, 100, true},
		{"far over", 1 << 20, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := &limitReader{r: bytes.NewReader(make([]byte, tt.size)), n: tt.limit, name: "p"}
			got, err := io.ReadAll(lr)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrTooLarge) {
				t.Errorf("err = %v, want ErrTooLarge", err)
			}
			if int64(len(got)) > tt.limit {
				t.Errorf("read %d bytes past a limit of %d", len(got), tt.limit)
			}
		})
	}
}

// TestCellBudget checks that gaps count against MaxCells: a few bytes of
// XML per row must not allocate 16,384 cells per row unchecked.
func TestCellBudget(t *testing.T) {
	var rows strings.Builder
	rows.WriteString(`<worksheet><sheetData>`)
	for i := range 10 {
		rows.WriteString(`<row r="` + strconv.Itoa(i+1) + `"><c r="XFD1"><v>1</v></c></row>`)
	}
	rows.WriteString(`</sheetData></worksheet>`)
	p := &sheetParser{maxCells: 5 * MaxCols}
	err := p.parse(newTokens(strings.NewReader(rows.String())))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestSerialText(t *testing.T) {
	date := dateFormat{date: true}
	tests := []struct {
		v        float64
		f        dateFormat
		date1904 bool
		want     string
		ok       bool
	}{
		{1, date, false, "1900-01-01", true},
		{59, date, false, "1900-02-28", true},
		{60, date, false, "1900-02-29", true},
		{61, date, false, "1900-03-01", true},
		{45356, date, false, "2024-03-05", true},
		{45356.999999, date, false, "2024-03-06", true}, // rounds to the next midnight
		{2958465, date, false, "9999-12-31", true},
		{2958466, date, false, "", false},
		{-1, date, false, "", false},
		{0, date, true, "1904-01-01", true},
		{43894, date, true, "2024-03-05", true},
		{0.5, dateFormat{time: true}, false, "12:00", true},
		{0.5, dateFormat{time: true, seconds: true}, false, "12:00:00", true},
		{45356.5, dateFormat{time: true}, false, "2024-03-05 12:00", true},
	}
	for _, tt := range tests {
		got, ok := serialText(tt.v, tt.f, tt.date1904)
		if got != tt.want || ok != tt.ok {
			t.Errorf("serialText(%v, %+v, %v) = %q, %v; want %q, %v", tt.v, tt.f, tt.date1904, got, ok, tt.want, tt.ok)
		}
	}
}

func TestClassifyFormat(t *testing.T) {
	tests := []struct {
		code string
		want dateFormat
	}{
		{"dd/mm/yyyy", dateFormat{date: true}},
		{"d-mmm-yy;@", dateFormat{date: true}},
		{"[$-42A]dd/mm/yyyy hh:mm", dateFormat{date: true, time: true}},
		{"yyyy-mm-dd hh:mm:ss", dateFormat{date: true, time: true, seconds: true}},
		{"mmmm yyyy", dateFormat{date: true}},
		{"mmm", dateFormat{date: true}},
		{"h:mm AM/PM", dateFormat{time: true}},
		{"mm:ss", dateFormat{time: true, seconds: true}},
		{"[h]:mm", dateFormat{}},
		{"[mm]:ss", dateFormat{}},
		{"General", dateFormat{}},
		{"0.00", dateFormat{}},
		{`#,##0 "đồng"`, dateFormat{}},
		{`#,##0\ "ngày"`, dateFormat{}},
		{"[Red]0.00;[Blue]-0.00", dateFormat{}},
		{`0_);\(0\)`, dateFormat{}},
		{"@", dateFormat{}},
		{"0.00E+00", dateFormat{}},
	}
	for _, tt := range tests {
		if got := classifyFormat(tt.code); got != tt.want {
			t.Errorf("classifyFormat(%q) = %+v, want %+v", tt.code, got, tt.want)
		}
	}
}

func TestNumberText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"5813", "5813"},
		{"5813.0", "5813"},
		{"-0", "0"},
		{"1.5", "1.5"},
		{"1.50", "1.50"},
		{"0.30000000000000004", "0.3"},
		{"1E-3", "1E-3"},
		{"1E+3", "1000"},
		{"123456789012345678", "1.23456789012346E+17"},
		{"abc", "abc"},
		{"1e999", "1e999"},
	}
	for _, tt := range tests {
		if got := numberText(tt.in); got != tt.want {
			t.Errorf("numberText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkRead100k reads back a 100,000-row export of ten columns.
func BenchmarkRead100k(b *testing.B) {
	const rows = 100_000
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	row := make([]any, 0, 10)
	data := writeBook(b, func(w *Writer) {
		for i := range rows {
			mustWrite(b, w.WriteRow(sampleRow(row, i, day)...))
		}
	})
	files := 0
	for b.Loop() {
		got, err := ReadRows(bytes.NewReader(data), int64(len(data)), 0)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != rows {
			b.Fatalf("read %d rows, want %d", len(got), rows)
		}
		files++
	}
	b.ReportMetric(float64(rows*files)/b.Elapsed().Seconds(), "rows/s")
}
