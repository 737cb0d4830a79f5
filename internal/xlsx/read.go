package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Workbook is an XLSX file opened for reading. Shared strings and styles are
// loaded on the first call to Rows and kept. A Workbook is not safe for
// concurrent use.
type Workbook struct {
	files    map[string]*zip.File
	folded   map[string]*zip.File // by lower-case name, for writers that get the case wrong
	sheets   []sheetRef
	date1904 bool

	sstPath    string
	stylesPath string
	loaded     bool
	sst        []string
	formats    []dateFormat // by cellXfs index
}

type sheetRef struct {
	name string
	path string
}

// ReadRows reads the sheet-th worksheet (0 is the first) of the XLSX file in
// r. See Workbook.Rows for the shape of the result.
func ReadRows(r io.ReaderAt, size int64, sheet int) ([][]string, error) {
	wb, err := Open(r, size)
	if err != nil {
		return nil, err
	}
	return wb.Rows(sheet)
}

// Open reads the directory of the XLSX file in r and the list of its
// worksheets. It does not read any sheet yet.
func Open(r io.ReaderAt, size int64) (*Workbook, error) {
	zr, err := zip.NewReader(r, size)
	if errors.Is(err, zip.ErrInsecurePath) && zr != nil {
		// Names like "../x" only matter to code that extracts files to
		// disk; this reader never does.
		err = nil
	}
	if err != nil {
		if isOLE(r, size) {
			return nil, errors.New("not an XLSX file: it is an old .xls file or a password-protected workbook")
		}
		return nil, fmt.Errorf("not an XLSX file: %w", err)
	}
	wb := &Workbook{
		files:  make(map[string]*zip.File, len(zr.File)),
		folded: make(map[string]*zip.File, len(zr.File)),
	}
	for _, f := range zr.File {
		name := strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/")
		if _, dup := wb.files[name]; !dup {
			wb.files[name] = f
		}
		if _, dup := wb.folded[strings.ToLower(name)]; !dup {
			wb.folded[strings.ToLower(name)] = f
		}
	}
	if err := wb.readWorkbook(); err != nil {
		return nil, err
	}
	return wb, nil
}

// isOLE reports whether r starts like an OLE compound file: legacy .xls, or
// an encrypted .xlsx, which Excel wraps in OLE.
func isOLE(r io.ReaderAt, size int64) bool {
	if size < 8 {
		return false
	}
	var magic [8]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return false
	}
	return magic == [8]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
}

// SheetNames returns the names of the worksheets in workbook order; the
// index of a name is the sheet argument of Rows.
func (wb *Workbook) SheetNames() []string {
	names := make([]string, len(wb.sheets))
	for i, s := range wb.sheets {
		names[i] = s.name
	}
	return names
}

// Rows reads the sheet-th worksheet (0 is the first, in workbook order) and
// returns its cells as text. rows[i] is spreadsheet line i+1: lines missing
// from the file are empty rows, and a cell sits at the index of its column
// (A is 0) with "" in the gaps. A row ends at its last non-empty cell, and
// empty lines after the last non-empty one are dropped, so rows are ragged.
//
// Values are what the user typed or sees: shared and inline strings as
// text, booleans as TRUE/FALSE, errors as #N/A etc., formulas as their
// cached result, integers without ".0", other numbers as written but with
// float noise past 15 significant digits rounded away (as Excel shows
// them), and numbers in a date format (1900 or 1904 date system) as
// "YYYY-MM-DD", "YYYY-MM-DD HH:MM" (":SS" when there are seconds) or "HH:MM"
// for a bare time.
func (wb *Workbook) Rows(sheet int) ([][]string, error) {
	if sheet < 0 || sheet >= len(wb.sheets) {
		return nil, fmt.Errorf("no worksheet at index %d (the workbook has %d)", sheet, len(wb.sheets))
	}
	if err := wb.load(); err != nil {
		return nil, err
	}
	p := &sheetParser{sst: wb.sst, formats: wb.formats, date1904: wb.date1904, maxCells: MaxCells}
	if err := wb.parsePart(wb.sheets[sheet].path, p.parse); err != nil {
		return nil, err
	}
	return p.result(), nil
}

func (wb *Workbook) file(name string) *zip.File {
	if f := wb.files[name]; f != nil {
		return f
	}
	return wb.folded[strings.ToLower(name)]
}

// parsePart streams the XML part name through fn, never reading more than
// MaxPartSize bytes of it whatever its header claims.
func (wb *Workbook) parsePart(name string, fn func(*tokens) error) (err error) {
	f := wb.file(name)
	if f == nil {
		return fmt.Errorf("part %s is missing", name)
	}
	if f.UncompressedSize64 > MaxPartSize {
		return fmt.Errorf("%w: part %s is larger than %d MB", ErrTooLarge, name, MaxPartSize>>20)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("part %s: %w", name, err)
	}
	defer func() {
		if cerr := rc.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("part %s: %w", name, cerr)
		}
	}()
	lr := &limitReader{r: rc, n: MaxPartSize, name: name}
	if err := fn(newTokens(lr)); err != nil {
		if lr.err != nil {
			return lr.err // the decoder may have wrapped or replaced it
		}
		return fmt.Errorf("part %s: %w", name, err)
	}
	return nil
}

// limitReader is io.LimitReader that fails instead of pretending the part
// ended, so a truncated parse is never taken for a whole one.
type limitReader struct {
	r    io.Reader
	n    int64
	name string
	err  error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.n <= 0 {
		// One byte more tells a part of exactly MaxPartSize from a bigger one.
		var one [1]byte
		if n, err := io.ReadFull(l.r, one[:]); n == 0 {
			return 0, err // io.EOF, or the zip's checksum error
		}
		l.err = fmt.Errorf("%w: part %s is larger than %d MB", ErrTooLarge, l.name, MaxPartSize>>20)
		return 0, l.err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// tokens reads XML with RawToken, which skips the namespace bookkeeping of
// Token (a third of the reading time; the parsers match local names and
// need none) but also its check that every element is closed. depth puts
// back the part of that check that matters: a part cut short is an error,
// not a shorter sheet.
type tokens struct {
	dec   *xml.Decoder
	depth int
}

func newTokens(r io.Reader) *tokens {
	return &tokens{dec: xml.NewDecoder(r)}
}

func (t *tokens) next() (xml.Token, error) {
	tok, err := t.dec.RawToken()
	if err == io.EOF && t.depth != 0 {
		return nil, errors.New("unexpected end of XML")
	}
	switch tok.(type) {
	case xml.StartElement:
		t.depth++
	case xml.EndElement:
		t.depth--
	}
	return tok, err
}

type relationship struct {
	typ    string
	target string // resolved to a zip name
}

// readRels reads the relationships of the part name, keyed by Id. A part
// without a .rels file has none.
func (wb *Workbook) readRels(name string) (map[string]relationship, error) {
	dir, base := path.Split(name)
	relsName := dir + "_rels/" + base + ".rels"
	rels := make(map[string]relationship)
	if wb.file(relsName) == nil {
		return rels, nil
	}
	err := wb.parsePart(relsName, func(tz *tokens) error {
		for {
			tok, err := tz.next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			se, ok := tok.(xml.StartElement)
			if !ok || se.Name.Local != "Relationship" || attr(se, "TargetMode") == "External" {
				continue
			}
			rels[attr(se, "Id")] = relationship{
				typ:    attr(se, "Type"),
				target: resolve(dir, attr(se, "Target")),
			}
		}
	})
	return rels, err
}

// resolve turns a relationship target into a zip name: targets are
// relative to the folder of the part that owns them, or absolute from the
// package root.
func resolve(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean("/"+dir+target), "/")
}

// relType reports whether a relationship type URI is of the given kind, in
// both the transitional and the strict OOXML namespaces.
func relType(uri, kind string) bool {
	return strings.HasSuffix(uri, "/"+kind)
}

func (wb *Workbook) readWorkbook() error {
	main := "xl/workbook.xml"
	root, err := wb.readRels("")
	if err != nil {
		return err
	}
	for _, r := range root {
		if relType(r.typ, "officeDocument") {
			main = r.target
			break
		}
	}
	if wb.file(main) == nil {
		return errors.New("not an XLSX file: no workbook part")
	}

	type sheet struct{ name, rid string }
	var sheets []sheet
	err = wb.parsePart(main, func(tz *tokens) error {
		for {
			tok, err := tz.next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			switch se.Name.Local {
			case "workbookPr":
				v := attr(se, "date1904")
				wb.date1904 = v == "1" || v == "true"
			case "sheet":
				if len(sheets) >= 1<<16 {
					return errors.New("too many sheets")
				}
				sheets = append(sheets, sheet{name: attr(se, "name"), rid: attr(se, "id")})
			}
		}
	})
	if err != nil {
		return err
	}

	rels, err := wb.readRels(main)
	if err != nil {
		return err
	}
	for _, r := range rels {
		switch {
		case relType(r.typ, "sharedStrings"):
			wb.sstPath = r.target
		case relType(r.typ, "styles"):
			wb.stylesPath = r.target
		}
	}
	dir := path.Dir(main) + "/"
	if wb.sstPath == "" && wb.file(dir+"sharedStrings.xml") != nil {
		wb.sstPath = dir + "sharedStrings.xml"
	}
	if wb.stylesPath == "" && wb.file(dir+"styles.xml") != nil {
		wb.stylesPath = dir + "styles.xml"
	}
	for i, s := range sheets {
		r, ok := rels[s.rid]
		if !ok && len(rels) == 0 {
			// No relationships at all: guess the names Excel would use.
			r = relationship{typ: "/worksheet", target: fmt.Sprintf("%sworksheets/sheet%d.xml", dir, i+1)}
			ok = wb.file(r.target) != nil
		}
		// Chart sheets and dialog sheets have no cells; skip them so that
		// index 0 is the first sheet with data.
		if ok && relType(r.typ, "worksheet") {
			wb.sheets = append(wb.sheets, sheetRef{name: s.name, path: r.target})
		}
	}
	if len(wb.sheets) == 0 {
		return errors.New("the workbook has no worksheets")
	}
	return nil
}

// load reads the shared strings and the cell styles once.
func (wb *Workbook) load() error {
	if wb.loaded {
		return nil
	}
	if wb.sstPath != "" && wb.file(wb.sstPath) != nil {
		if err := wb.parsePart(wb.sstPath, wb.parseSST); err != nil {
			return err
		}
	}
	if wb.stylesPath != "" && wb.file(wb.stylesPath) != nil {
		if err := wb.parsePart(wb.stylesPath, wb.parseStyles); err != nil {
			return err
		}
	}
	wb.loaded = true
	return nil
}

// parseSST reads the shared strings. An item is the text of all its <t>
// elements, plain or in rich-text runs, leaving out phonetic guides (<rPh>).
func (wb *Workbook) parseSST(tz *tokens) error {
	var (
		buf              []byte
		inSI, inT, inRPh bool
	)
	for {
		tok, err := tz.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI, inT, inRPh = true, false, false
				buf = buf[:0]
			case "t":
				inT = inSI && !inRPh
			case "rPh":
				inRPh = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if len(wb.sst) >= MaxCells {
					return fmt.Errorf("%w: more than %d shared strings", ErrTooLarge, MaxCells)
				}
				wb.sst = append(wb.sst, unescapeOOXML(string(buf)))
				inSI = false
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			}
		case xml.CharData:
			if inT {
				buf = append(buf, t...)
			}
		}
	}
}

// parseStyles reads which cell formats (cellXfs) show dates.
func (wb *Workbook) parseStyles(tz *tokens) error {
	custom := make(map[int]string)
	var xfs []int
	inXfs := false
	for {
		tok, err := tz.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmt":
				if id, err := strconv.Atoi(attr(t, "numFmtId")); err == nil {
					custom[id] = attr(t, "formatCode")
				}
			case "cellXfs":
				inXfs = true
			case "xf":
				if inXfs {
					if len(xfs) >= MaxCells {
						return fmt.Errorf("%w: too many cell formats", ErrTooLarge)
					}
					id, _ := strconv.Atoi(attr(t, "numFmtId"))
					xfs = append(xfs, id)
				}
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" {
				inXfs = false
			}
		}
	}
	wb.formats = make([]dateFormat, len(xfs))
	for i, id := range xfs {
		if code, ok := custom[id]; ok {
			wb.formats[i] = classifyFormat(code)
		} else {
			wb.formats[i] = builtinDateFormats[id]
		}
	}
	return nil
}

// attr returns the value of the attribute with the given local name,
// whatever its prefix: files differ in how they prefix r:id and friends.
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// sheetParser turns a worksheet part into rows of text.
type sheetParser struct {
	sst      []string
	formats  []dateFormat
	date1904 bool
	maxCells int

	rows  [][]string
	cells int // cells allocated in rows, gaps included

	row    int // current spreadsheet line, 1-based; 0 before the first <row>
	next   int // column of a cell without r="…"
	inData bool

	// the cell being read
	inCell         bool
	col            int
	typ            string
	style          int
	v, is          []byte
	inV, inIs, inT bool
	inRPh          bool
}

func (p *sheetParser) parse(tz *tokens) error {
	for {
		tok, err := tz.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !p.inData {
				p.inData = t.Name.Local == "sheetData"
				continue
			}
			switch t.Name.Local {
			case "row":
				if err := p.startRow(t); err != nil {
					return err
				}
			case "c":
				if err := p.startCell(t); err != nil {
					return err
				}
			case "v":
				p.inV = p.inCell
			case "is":
				p.inIs = p.inCell
			case "t":
				p.inT = p.inIs && !p.inRPh
			case "rPh":
				p.inRPh = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "sheetData":
				p.inData = false
			case "c":
				if p.inCell {
					if err := p.endCell(); err != nil {
						return err
					}
				}
			case "v":
				p.inV = false
			case "is":
				p.inIs = false
			case "t":
				p.inT = false
			case "rPh":
				p.inRPh = false
			}
		case xml.CharData:
			switch {
			case p.inV:
				p.v = append(p.v, t...)
			case p.inT:
				p.is = append(p.is, t...)
			}
		}
	}
}

func (p *sheetParser) startRow(se xml.StartElement) error {
	n := p.row + 1
	if r := attr(se, "r"); r != "" {
		var err error
		n, err = strconv.Atoi(r)
		if err != nil || n < 1 {
			return fmt.Errorf("invalid row number %q", truncate(r))
		}
	}
	if n > MaxRows {
		return fmt.Errorf("%w: row %d is past the last row (%d)", ErrTooLarge, n, MaxRows)
	}
	p.row = n
	p.next = 0
	return nil
}

func (p *sheetParser) startCell(se xml.StartElement) error {
	if p.row == 0 {
		return errors.New("cell outside a row")
	}
	col := p.next
	if r := attr(se, "r"); r != "" {
		c, ok := parseCol(r)
		if !ok {
			return fmt.Errorf("invalid cell reference %q", truncate(r))
		}
		col = c
	}
	if col >= MaxCols {
		return fmt.Errorf("%w: more than %d columns", ErrTooLarge, MaxCols)
	}
	p.inCell = true
	p.col = col
	p.next = col + 1
	p.typ = attr(se, "t")
	p.style, _ = strconv.Atoi(attr(se, "s"))
	p.v, p.is = p.v[:0], p.is[:0]
	p.inV, p.inIs, p.inT, p.inRPh = false, false, false, false
	return nil
}

func (p *sheetParser) endCell() error {
	p.inCell = false
	val, err := p.value()
	if err != nil {
		return fmt.Errorf("cell %s%d: %w", appendColName(nil, p.col), p.row, err)
	}
	if val == "" {
		return nil
	}
	ri := p.row - 1
	if ri >= len(p.rows) {
		p.rows = slices.Grow(p.rows, ri+1-len(p.rows))[:ri+1]
	}
	row := p.rows[ri]
	if p.col >= len(row) {
		grow := p.col + 1 - len(row)
		p.cells += grow
		if p.cells > p.maxCells {
			return fmt.Errorf("%w: more than %d cells", ErrTooLarge, p.maxCells)
		}
		row = slices.Grow(row, grow)[:p.col+1]
	}
	row[p.col] = val
	p.rows[ri] = row
	return nil
}

// value renders the cell just read.
func (p *sheetParser) value() (string, error) {
	switch p.typ {
	case "s":
		i, err := strconv.Atoi(string(bytes.TrimSpace(p.v)))
		if err != nil || i < 0 || i >= len(p.sst) {
			return "", fmt.Errorf("invalid shared string index %q", truncate(string(p.v)))
		}
		return p.sst[i], nil
	case "inlineStr":
		if len(p.is) == 0 {
			return unescapeOOXML(string(p.v)), nil
		}
		return unescapeOOXML(string(p.is)), nil
	case "str":
		return unescapeOOXML(string(p.v)), nil
	case "b":
		switch string(bytes.TrimSpace(p.v)) {
		case "1", "true":
			return "TRUE", nil
		case "0", "false":
			return "FALSE", nil
		}
		return string(p.v), nil
	case "e":
		return string(p.v), nil
	case "d":
		if s, ok := isoText(string(p.v)); ok {
			return s, nil
		}
		return string(p.v), nil
	}
	lit := string(bytes.TrimSpace(p.v))
	if lit == "" {
		return "", nil
	}
	if p.style >= 0 && p.style < len(p.formats) && p.formats[p.style].isDate() {
		if v, err := strconv.ParseFloat(lit, 64); err == nil {
			if s, ok := serialText(v, p.formats[p.style], p.date1904); ok {
				return s, nil
			}
		}
	}
	return numberText(lit), nil
}

// result returns the rows without the empty lines at the end: sheets often
// carry formatting far below the data.
func (p *sheetParser) result() [][]string {
	n := len(p.rows)
	for n > 0 && len(p.rows[n-1]) == 0 {
		n--
	}
	return p.rows[:n:n]
}

// unescapeOOXML decodes the _xHHHH_ escapes that Excel writes for
// characters XML cannot carry (_x000D_ for a carriage return, _x005F_ for
// a literal underscore before such a pattern).
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if r, ok := ooxmlEscape(s[i:]); ok {
			b.WriteRune(r)
			i += 7
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// ooxmlEscape reports whether s starts with an _xHHHH_ escape, and its rune.
func ooxmlEscape(s string) (rune, bool) {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// truncate keeps hostile input from making error messages huge.
func truncate(s string) string {
	if len(s) > 32 {
		return strings.ToValidUTF8(s[:32], "") + "…"
	}
	return s
}
