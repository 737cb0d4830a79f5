package xlsx

import (
	"bytes"
	"testing"
	"time"
)

// FuzzRead feeds arbitrary bytes to the reader, which must return rows or
// an error, never panic or hang.
func FuzzRead(f *testing.F) {
	f.Add(writeBook(f, func(w *Writer) {
		mustWrite(f, w.WriteHeader("Tên", "Số", "Ngày"))
		mustWrite(f, w.WriteRow("Lễ hội", 5813, time.Date(2024, 3, 5, 18, 30, 0, 0, time.UTC), true, 1.5, nil, "a\rb_x0041_"))
	}))
	f.Add(writeBook(f, func(w *Writer) {}))
	f.Add(zipParts(f, with(book(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" s="1"><v>45356</v></c></row>`),
		"xl/sharedStrings.xml", `<sst xmlns="`+nsMain+`"><si><r><t>Phú </t></r><r><t>Thọ</t></r></si></sst>`)))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for i := range wb.SheetNames() {
			wb.Rows(i)
		}
	})
}

// FuzzSheetXML mutates the XML parts rather than the zip around them:
// random bytes rarely get past the zip checksums, so FuzzRead alone seldom
// reaches the sheet parser.
func FuzzSheetXML(f *testing.F) {
	f.Add(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>45356.5</v></c><c t="inlineStr"><is><t>x_x000D_</t></is></c></row><row r="4"><c r="XFD4" t="b"><v>1</v></c></row>`,
		`<sst xmlns="`+nsMain+`"><si><t>a</t><rPh><t>b</t></rPh></si></sst>`,
		datesStyles)
	f.Add(`<row><c><v>1E+3</v></c><c t="d"><v>2024-03-05T10:20:00Z</v></c><c t="e"><v>#N/A</v></c></row>`, ``, ``)
	f.Fuzz(func(t *testing.T, rows, sst, styles string) {
		parts := book(rows)
		if sst != "" {
			parts["xl/sharedStrings.xml"] = sst
		}
		if styles != "" {
			parts["xl/styles.xml"] = styles
		}
		data := zipParts(t, parts)
		got, err := ReadRows(bytes.NewReader(data), int64(len(data)), 0)
		if err != nil {
			return
		}
		if len(got) > MaxRows {
			t.Fatalf("%d rows, past the limit", len(got))
		}
		for _, row := range got {
			if len(row) > MaxCols {
				t.Fatalf("row of %d cells, past the limit", len(row))
			}
		}
	})
}
