package xlsx

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Cell styles, by index into cellXfs of styles.xml below.
const (
	styleNone     = 0
	styleBold     = 1
	styleDate     = 2
	styleDateTime = 3
)

// The date formats are spelled out rather than the built-in 14 and 22,
// which follow the reader's locale: many offices run Excel in English, and
// 03/04/2025 must read as 3 April there too.
const stylesXML = xmlHeader + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/></numFmts>` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="4">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`</cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

	contentTypesXML = xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
		`</Types>`

	rootRelsXML = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
		`</Relationships>`

	appXML = xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>toandan</Application></Properties>`

	workbookRelsXML = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`</Relationships>`

	sheetStart = xmlHeader + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`
	sheetEnd   = `</sheetData></worksheet>`
)

// maxCellText is the longest text an Excel cell holds, in UTF-16 units;
// Excel declares a file with longer text corrupt.
const maxCellText = 32767

// flushSize is how much sheet XML is gathered before it goes to the zip
// entry: big enough to keep the compressor busy, small enough not to matter.
const flushSize = 64 << 10

// Writer streams a one-sheet XLSX file. Rows go into the compressed zip
// entry as they are written, so memory stays flat however many rows there
// are. Call SheetName and SetColWidths before the first row, then WriteRow
// (or WriteHeader) per row, then Close. A Writer is not safe for concurrent
// use.
type Writer struct {
	zw     *zip.Writer
	sheet  io.Writer // the open sheet1.xml entry, once started
	name   string
	widths []float64
	row    int // rows written so far; the next row is row+1
	buf    []byte
	err    error // sticky: the output is broken once a write fails
	closed bool
}

// NewWriter returns a Writer that writes an XLSX file to w. Close does not
// close w.
func NewWriter(w io.Writer) *Writer {
	zw := zip.NewWriter(w)
	// Sheet XML is very repetitive; the fastest level still shrinks it
	// about tenfold and keeps a million-row export quick.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return &Writer{zw: zw, name: "Sheet1", buf: make([]byte, 0, flushSize+4096)}
}

// SheetName names the sheet; call it before the first row. Characters
// Excel forbids in sheet names ([]:*?/\) become "_", and the name is cut to
// Excel's 31 characters.
func (w *Writer) SheetName(name string) {
	if w.sheet != nil {
		w.fail(errors.New("SheetName called after the first row"))
		return
	}
	w.name = sanitizeSheetName(name)
}

// SetColWidths sets the widths of the first len(widths) columns, in
// characters of the default font; 0 leaves a column at the default width.
// Call it before the first row.
func (w *Writer) SetColWidths(widths []float64) {
	if w.sheet != nil {
		w.fail(errors.New("SetColWidths called after the first row"))
		return
	}
	w.widths = append(w.widths[:0], widths...)
}

// WriteHeader writes a row of bold text, typically column titles.
func (w *Writer) WriteHeader(cells ...string) error {
	return w.writeRow(len(cells), func(i int) any { return cells[i] }, styleBold)
}

// WriteRow writes the next row. A cell may be a string, a bool, any integer
// or float type, a time.Time, or nil for an empty cell.
//
// Strings are always text cells, never formulas, whatever they start
// with; use Neutralize on user text that may be opened by other programs
// too. A time.Time is written as its wall clock in its own location (convert
// to Asia/Ho_Chi_Minh first if that is what readers expect): a date when
// the clock is 00:00, a date and time otherwise; the zero time.Time is an
// empty cell. Integers beyond 15 digits are written as text because Excel
// would round them; NaN and infinities are written as the #NUM! error.
//
// An unsupported cell type is reported without writing the row, and the
// Writer stays usable; a failed write to the output is final.
func (w *Writer) WriteRow(cells ...any) error {
	return w.writeRow(len(cells), func(i int) any { return cells[i] }, styleNone)
}

func (w *Writer) writeRow(n int, cell func(int) any, style int) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("write after Close")
	}
	if w.row >= MaxRows {
		return fmt.Errorf("%w: more than %d rows", ErrTooLarge, MaxRows)
	}
	if n > MaxCols {
		return fmt.Errorf("%w: more than %d columns", ErrTooLarge, MaxCols)
	}
	if w.sheet == nil {
		if err := w.start(); err != nil {
			return err
		}
	}
	rowNum := w.row + 1
	start := len(w.buf)
	w.buf = append(w.buf, `<row r="`...)
	w.buf = strconv.AppendInt(w.buf, int64(rowNum), 10)
	w.buf = append(w.buf, `">`...)
	empty := len(w.buf)
	for i := range n {
		var err error
		w.buf, err = appendCell(w.buf, cell(i), i, rowNum, style)
		if err != nil {
			w.buf = w.buf[:start]
			return fmt.Errorf("row %d, column %s: %w", rowNum, appendColName(nil, i), err)
		}
	}
	w.row = rowNum
	if len(w.buf) == empty {
		// A row of empty cells needs no XML: the next row's r="…" keeps
		// the numbering.
		w.buf = w.buf[:start]
		return nil
	}
	w.buf = append(w.buf, `</row>`...)
	if len(w.buf) >= flushSize {
		return w.flush()
	}
	return nil
}

// Close finishes the sheet and the zip file. It writes a valid, empty
// sheet when no row was written.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if w.sheet == nil {
		if err := w.start(); err != nil {
			return err
		}
	}
	w.buf = append(w.buf, sheetEnd...)
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.zw.Close(); err != nil {
		return w.fail(err)
	}
	return nil
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

func (w *Writer) flush() error {
	if _, err := w.sheet.Write(w.buf); err != nil {
		return w.fail(err)
	}
	if cap(w.buf) > 4*flushSize {
		// One row of huge cells must not pin its buffer for the rest of
		// the export.
		w.buf = make([]byte, 0, flushSize+4096)
	}
	w.buf = w.buf[:0]
	return nil
}

// start writes every part but the sheet, then opens the sheet entry; the
// zip format allows one open entry at a time, so the small parts go first.
func (w *Writer) start() error {
	workbook := xmlHeader + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheets><sheet name="` + string(appendText(nil, w.name, true)) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypesXML},
		{"_rels/.rels", rootRelsXML},
		{"docProps/app.xml", appXML},
		{"xl/workbook.xml", workbook},
		{"xl/_rels/workbook.xml.rels", workbookRelsXML},
		{"xl/styles.xml", stylesXML},
	}
	for _, p := range parts {
		f, err := w.create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return w.fail(err)
		}
	}
	sheet, err := w.create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	w.sheet = sheet
	w.buf = append(w.buf, sheetStart...)
	if len(w.widths) > 0 {
		w.buf = appendCols(w.buf, w.widths)
	}
	w.buf = append(w.buf, `<sheetData>`...)
	return nil
}

// zipTime is the modification time of every entry: fixed, so the same rows
// give the same bytes.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func (w *Writer) create(name string) (io.Writer, error) {
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime})
	if err != nil {
		return nil, w.fail(err)
	}
	return f, nil
}

func appendCols(b []byte, widths []float64) []byte {
	start := len(b)
	b = append(b, `<cols>`...)
	some := false
	for i, wd := range widths {
		if !(wd > 0) || i >= MaxCols {
			continue
		}
		some = true
		b = append(b, `<col min="`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `" max="`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `" width="`...)
		b = strconv.AppendFloat(b, min(wd, 255), 'f', -1, 64)
		b = append(b, `" customWidth="1"/>`...)
	}
	if !some {
		return b[:start]
	}
	return append(b, `</cols>`...)
}

// appendCell appends one <c> element, or nothing for an empty cell.
func appendCell(b []byte, v any, col, row, style int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return b, nil
	case string:
		return appendString(b, v, col, row, style), nil
	case bool:
		b = appendCellStart(b, col, row, style, "b")
		if v {
			return append(b, `<v>1</v></c>`...), nil
		}
		return append(b, `<v>0</v></c>`...), nil
	case int:
		return appendInt(b, int64(v), col, row, style), nil
	case int8:
		return appendInt(b, int64(v), col, row, style), nil
	case int16:
		return appendInt(b, int64(v), col, row, style), nil
	case int32:
		return appendInt(b, int64(v), col, row, style), nil
	case int64:
		return appendInt(b, v, col, row, style), nil
	case uint:
		return appendUint(b, uint64(v), col, row, style), nil
	case uint8:
		return appendUint(b, uint64(v), col, row, style), nil
	case uint16:
		return appendUint(b, uint64(v), col, row, style), nil
	case uint32:
		return appendUint(b, uint64(v), col, row, style), nil
	case uint64:
		return appendUint(b, v, col, row, style), nil
	case float32:
		return appendFloat(b, float64(v), 32, col, row, style), nil
	case float64:
		return appendFloat(b, v, 64, col, row, style), nil
	case time.Time:
		return appendTime(b, v, col, row), nil
	}
	return b, fmt.Errorf("unsupported cell type %T", v)
}

func appendCellStart(b []byte, col, row, style int, typ string) []byte {
	b = append(b, `<c r="`...)
	b = appendColName(b, col)
	b = strconv.AppendInt(b, int64(row), 10)
	b = append(b, '"')
	if style != styleNone {
		b = append(b, ` s="`...)
		b = strconv.AppendInt(b, int64(style), 10)
		b = append(b, '"')
	}
	if typ != "" {
		b = append(b, ` t="`...)
		b = append(b, typ...)
		b = append(b, '"')
	}
	return append(b, '>')
}

// maxExact is the largest integer Excel keeps all digits of (15).
const maxExact = 999_999_999_999_999

func appendInt(b []byte, v int64, col, row, style int) []byte {
	if v > maxExact || v < -maxExact {
		return appendString(b, strconv.FormatInt(v, 10), col, row, style)
	}
	b = appendCellStart(b, col, row, style, "")
	b = append(b, `<v>`...)
	b = strconv.AppendInt(b, v, 10)
	return append(b, `</v></c>`...)
}

func appendUint(b []byte, v uint64, col, row, style int) []byte {
	if v > maxExact {
		return appendString(b, strconv.FormatUint(v, 10), col, row, style)
	}
	return appendInt(b, int64(v), col, row, style)
}

func appendFloat(b []byte, v float64, bits, col, row, style int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		b = appendCellStart(b, col, row, style, "e")
		return append(b, `<v>#NUM!</v></c>`...)
	}
	b = appendCellStart(b, col, row, style, "")
	b = append(b, `<v>`...)
	// Plain decimals where they stay short, as Excel writes them; the
	// exponent form only for very large or very small values.
	if a := math.Abs(v); a == 0 || (a >= 1e-6 && a < 1e21) {
		b = strconv.AppendFloat(b, v, 'f', -1, bits)
	} else {
		b = strconv.AppendFloat(b, v, 'E', -1, bits)
	}
	return append(b, `</v></c>`...)
}

func appendTime(b []byte, t time.Time, col, row int) []byte {
	if t.IsZero() {
		return b
	}
	serial, whole, ok := timeSerial(t)
	if !ok {
		// Excel has no dates before 1900; text at least keeps the value.
		layout := time.DateTime
		if whole {
			layout = time.DateOnly
		}
		return appendString(b, t.Format(layout), col, row, styleNone)
	}
	if whole {
		b = appendCellStart(b, col, row, styleDate, "")
		b = append(b, `<v>`...)
		b = strconv.AppendInt(b, int64(serial), 10)
	} else {
		b = appendCellStart(b, col, row, styleDateTime, "")
		b = append(b, `<v>`...)
		b = strconv.AppendFloat(b, serial, 'f', -1, 64)
	}
	return append(b, `</v></c>`...)
}

func appendString(b []byte, s string, col, row, style int) []byte {
	if s == "" {
		return b
	}
	s = limitText(s)
	b = appendCellStart(b, col, row, style, "inlineStr")
	// Without xml:space="preserve" Excel trims leading and trailing
	// blanks.
	if isSpace(s[0]) || isSpace(s[len(s)-1]) {
		b = append(b, `<is><t xml:space="preserve">`...)
	} else {
		b = append(b, `<is><t>`...)
	}
	b = appendText(b, s, false)
	return append(b, `</t></is></c>`...)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// limitText cuts s to maxCellText UTF-16 units.
func limitText(s string) string {
	if len(s) <= maxCellText {
		return s // every UTF-16 unit takes at least one byte of UTF-8
	}
	units := 0
	for i, r := range s {
		n := 1
		if r > 0xFFFF {
			n = 2
		}
		if units+n > maxCellText {
			return s[:i]
		}
		units += n
	}
	return s
}

// appendText appends s escaped for XML text (attr: for an attribute value).
// Characters XML 1.0 cannot carry are dropped, invalid UTF-8 becomes
// U+FFFD, a carriage return becomes a character reference (a bare one
// would be read back as a line feed), and an underscore that would start an
// _xHHHH_ escape is itself escaped, so that the reader sees the text as
// written.
func appendText(b []byte, s string, attr bool) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		size := 1
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				esc = "&amp;"
			case c == '<':
				esc = "&lt;"
			case c == '>':
				esc = "&gt;"
			case c == '"' && attr:
				esc = "&quot;"
			case c == '\r':
				esc = "&#13;"
			case (c == '\n' || c == '\t') && attr:
				esc = "&#" + strconv.Itoa(int(c)) + ";"
			case c == '\n' || c == '\t':
				i++
				continue
			case c < 0x20:
				esc = "" // not allowed in XML 1.0: drop
			case c == '_':
				if _, ok := ooxmlEscape(s[i:]); !ok {
					i++
					continue
				}
				esc = "_x005F_"
			default:
				i++
				continue
			}
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			size = n
			switch {
			case r == utf8.RuneError && n == 1:
				esc = "\uFFFD"
			case r == 0xFFFE || r == 0xFFFF:
				esc = ""
			default:
				i += n
				continue
			}
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += size
		last = i
	}
	return append(b, s[last:]...)
}

// sanitizeSheetName makes name acceptable to Excel: no []:*?/\, no quote
// at either end, 1 to 31 characters.
func sanitizeSheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			return '_'
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError:
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, "'")
	if n := 0; len(name) > 31 {
		for i := range name {
			if n == 31 {
				name = name[:i]
				break
			}
			n++
		}
	}
	if name == "" {
		return "Sheet1"
	}
	return name
}

// Neutralize makes user text safe to export to a spreadsheet that someone
// may open in a program that evaluates text as a formula (CSV viewers,
// older Excel after "text to columns"): text starting with = + - @, a tab
// or a carriage return gets a leading apostrophe. WriteRow never writes
// formulas itself; this is for callers exporting untrusted text.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
