package geo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/audit"
	"toandan/internal/store"
)

// ImportError is a problem with one line of an imported file. Nothing is
// imported when any line has one.
type ImportError struct {
	File   string
	Line   int
	Reason string
}

func (e *ImportError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

// ImportOptions says what an import file means.
type ImportOptions struct {
	FileName  string
	ValidFrom string // first day the listed units are in force
	ValidTo   string // last day, or "" while in force
	Actor     string
	Today     string // decides whether police units are created
	Now       time.Time
	Progress  Progress // nil: not told
}

// ImportResult counts what an import did.
type ImportResult struct {
	Rows         int
	Inserted     int
	Updated      int // versions corrected in place
	Closed       int // versions closed because a new version starts
	Unchanged    int
	LineageRows  int
	LineageNew   int
	PoliceUnits  int
	Warnings     []string
	ByTypeInFile map[string]int
}

// Changed reports whether the import changed anything.
func (r ImportResult) Changed() bool {
	return r.Inserted+r.Updated+r.Closed+r.LineageNew+r.PoliceUnits > 0
}

type unitRow struct {
	Unit
	line int
}

var codePattern = regexp.MustCompile(`^[0-9A-Za-z]{1,16}$`)

// readCSV checks the encoding, drops a byte-order mark and returns the
// records with their line numbers, and the header's column positions.
func readCSV(name string, data []byte, required []string) ([][]string, []int, map[string]int, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		return nil, nil, nil, &ImportError{File: name, Line: bytes.Count(data[:off], []byte("\n")) + 1, Reason: "không phải UTF-8 (bad encoding: the file must be UTF-8)"}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil, nil, &ImportError{File: name, Line: 1, Reason: "tệp rỗng (empty file: a header row is required)"}
	}
	if err != nil {
		return nil, nil, nil, csvError(name, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			return nil, nil, nil, &ImportError{File: name, Line: 1, Reason: fmt.Sprintf("thiếu cột %q (missing column %q)", c, c)}
		}
	}
	var recs [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, nil, csvError(name, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < len(header) {
			return nil, nil, nil, &ImportError{File: name, Line: line, Reason: fmt.Sprintf("có %d cột, cần %d (has %d columns, the header has %d)", len(rec), len(header), len(rec), len(header))}
		}
		recs = append(recs, rec)
		lines = append(lines, line)
	}
	return recs, lines, cols, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ImportError{File: name, Line: pe.Line, Reason: "CSV lỗi: " + pe.Err.Error()}
	}
	return &ImportError{File: name, Reason: err.Error()}
}

func field(rec []string, cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return norm.NFC.String(strings.TrimSpace(rec[i]))
}

// ParseUnits reads and checks a units file without touching the database,
// except that parents not in the file are looked up by the caller.
func ParseUnits(name string, data []byte) ([]unitRow, error) {
	recs, lines, cols, err := readCSV(name, data, []string{"code", "name", "type", "parent_code"})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, &ImportError{File: name, Line: 2, Reason: "không có dòng dữ liệu nào (no data rows)"}
	}
	_, hasLevel := cols["level"]
	seen := map[string]int{}
	rows := make([]unitRow, 0, len(recs))
	for i, rec := range recs {
		line := lines[i]
		u := Unit{
			Code:       field(rec, cols, "code"),
			Name:       field(rec, cols, "name"),
			Type:       strings.ToLower(field(rec, cols, "type")),
			ParentCode: field(rec, cols, "parent_code"),
			FullName:   field(rec, cols, "full_name"),
			NameEN:     field(rec, cols, "name_en"),
		}
		bad := func(format string, args ...any) error {
			return &ImportError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)}
		}
		if !codePattern.MatchString(u.Code) {
			return nil, bad("mã %q không hợp lệ (bad code: letters and digits only)", u.Code)
		}
		if u.Name == "" {
			return nil, bad("thiếu tên đơn vị (name is empty)")
		}
		lvl, ok := levelOfType[u.Type]
		if !ok {
			return nil, bad("loại đơn vị %q không hợp lệ (unknown type)", u.Type)
		}
		if hasLevel {
			if l := strings.ToLower(field(rec, cols, "level")); l != "" && l != lvl {
				return nil, bad("cấp %q không khớp loại %q (level does not match type)", l, u.Type)
			}
		}
		u.Level = lvl
		if lvl == LevelProvince && u.ParentCode != "" {
			return nil, bad("đơn vị cấp tỉnh không có đơn vị cha (a province has no parent_code)")
		}
		if lvl != LevelProvince && u.ParentCode == "" {
			return nil, bad("thiếu mã đơn vị cha (parent_code is empty)")
		}
		if first, dup := seen[u.Code]; dup {
			return nil, bad("mã %s trùng với dòng %d (duplicate code)", u.Code, first)
		}
		seen[u.Code] = line
		rows = append(rows, unitRow{Unit: u, line: line})
	}
	return rows, nil
}

// parentLevelOK says which levels may hold which.
func parentLevelOK(child, parent string) bool {
	switch child {
	case LevelDistrict:
		return parent == LevelProvince
	case LevelCommune:
		return parent == LevelProvince || parent == LevelDistrict
	}
	return false
}

func sameAttrs(a, b Unit) bool {
	return a.Name == b.Name && a.FullName == b.FullName && a.NameEN == b.NameEN &&
		a.Type == b.Type && a.Level == b.Level && a.ParentCode == b.ParentCode
}

// dayBefore returns the date before d.
func dayBefore(d string) string {
	t, _ := time.Parse(store.DateLayout, d)
	return t.AddDate(0, 0, -1).Format(store.DateLayout)
}

// dayAfter returns the date after d.
func dayAfter(d string) string {
	t, _ := time.Parse(store.DateLayout, d)
	return t.AddDate(0, 0, 1).Format(store.DateLayout)
}

// ValidDate checks a YYYY-MM-DD date.
func ValidDate(d string) bool {
	_, err := time.Parse(store.DateLayout, d)
	return err == nil
}

// Import reads a units file (and optionally a lineage file) and applies it in
// one transaction: all of it or nothing.
//
// A listed unit whose version in force on ValidFrom has the same attributes is
// left alone, so importing a file twice changes nothing. A changed unit gets a
// new version from ValidFrom and its previous version is closed the day
// before. Units absent from the file are not closed: a file may cover one
// province only.
func (s *Service) Import(ctx context.Context, opt ImportOptions, units []byte, lineageName string, lineage []byte) (ImportResult, error) {
	var res ImportResult
	name := opt.FileName
	if !ValidDate(opt.ValidFrom) {
		return res, &ImportError{File: name, Reason: fmt.Sprintf("ngày hiệu lực %q không hợp lệ, cần dạng YYYY-MM-DD", opt.ValidFrom)}
	}
	if opt.ValidTo != "" && (!ValidDate(opt.ValidTo) || opt.ValidTo < opt.ValidFrom) {
		return res, &ImportError{File: name, Reason: fmt.Sprintf("ngày hết hiệu lực %q không hợp lệ hoặc trước ngày hiệu lực", opt.ValidTo)}
	}
	if opt.Now.IsZero() {
		opt.Now = s.Clock.Now()
	}
	if opt.Today == "" {
		opt.Today = s.Today()
	}
	rows, err := ParseUnits(name, units)
	if err != nil {
		return res, err
	}
	opt.Progress.Report("units read", len(rows), 0)
	var links []lineageRow
	changedOn := opt.ValidFrom
	if opt.ValidTo != "" {
		changedOn = dayAfter(opt.ValidTo)
	}
	if lineage != nil {
		links, err = ParseLineage(lineageName, lineage)
		if err != nil {
			return res, err
		}
		opt.Progress.Report("lineage links read", len(links), 0)
	}
	res.Rows = len(rows)
	res.LineageRows = len(links)
	res.ByTypeInFile = map[string]int{}
	for _, r := range rows {
		res.ByTypeInFile[r.Type]++
	}
	sum := sha256.Sum256(units)
	defer s.InvalidatePlaces()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		res.Inserted, res.Updated, res.Closed, res.Unchanged, res.PoliceUnits = 0, 0, 0, 0, 0
		res.LineageNew, res.Warnings = 0, nil
		if err := s.applyUnits(ctx, tx, opt, rows, &res); err != nil {
			return err
		}
		if links != nil {
			if err := s.applyLineage(ctx, tx, lineageName, links, changedOn, opt, &res); err != nil {
				return err
			}
		}
		opt.Progress.Report("saving", 0, 0)
		if !res.Changed() {
			return nil
		}
		var validTo any
		if opt.ValidTo != "" {
			validTo = opt.ValidTo
		}
		if _, err := tx.Exec(ctx, `INSERT INTO geo_imports (file_name, sha256, kind, valid_from, valid_to, rows_read, rows_changed, imported_at)
			VALUES (?, ?, 'units', ?, ?, ?, ?, ?)`, name, hex.EncodeToString(sum[:]), opt.ValidFrom, validTo, res.Rows,
			res.Inserted+res.Updated+res.Closed, store.FormatTime(opt.Now)); err != nil {
			return fmt.Errorf("geo: record import: %w", err)
		}
		return audit.Append(ctx, tx, audit.Entry{At: opt.Now, Actor: opt.Actor, Action: "geo.import", Object: "file:" + name,
			Detail: fmt.Sprintf("from=%s to=%s rows=%d inserted=%d updated=%d closed=%d lineage=%d", opt.ValidFrom, opt.ValidTo, res.Rows, res.Inserted, res.Updated, res.Closed, res.LineageNew)})
	})
	return res, err
}

func (s *Service) applyUnits(ctx context.Context, tx *store.Tx, opt ImportOptions, rows []unitRow, res *ImportResult) error {
	from, to := opt.ValidFrom, opt.ValidTo
	toOrMax := to
	if toOrMax == "" {
		toOrMax = "9999-12-31"
	}
	opt.Progress.Report("checking", 0, 0)
	// Every version of any code that overlaps [from, to].
	existing := map[string][]Unit{}
	q, err := tx.Query(ctx, "SELECT "+unitCols+" FROM units WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)", toOrMax, from)
	if err != nil {
		return fmt.Errorf("geo: import: %w", err)
	}
	for q.Next() {
		u, err := scanUnit(q)
		if err != nil {
			q.Close()
			return fmt.Errorf("geo: import: %w", err)
		}
		existing[u.Code] = append(existing[u.Code], u)
	}
	q.Close()
	if err := q.Err(); err != nil {
		return fmt.Errorf("geo: import: %w", err)
	}

	// Parents: in the file, or in force on the first day in the database.
	inFile := map[string]unitRow{}
	for _, r := range rows {
		inFile[r.Code] = r
	}
	for _, r := range rows {
		if r.ParentCode == "" {
			continue
		}
		plevel := ""
		if p, ok := inFile[r.ParentCode]; ok {
			plevel = p.Level
		} else {
			for _, v := range existing[r.ParentCode] {
				if v.InForce(from) {
					plevel = v.Level
				}
			}
		}
		if plevel == "" {
			return &ImportError{File: opt.FileName, Line: r.line, Reason: fmt.Sprintf("không có đơn vị cha mã %s (unknown parent_code)", r.ParentCode)}
		}
		if !parentLevelOK(r.Level, plevel) {
			return &ImportError{File: opt.FileName, Line: r.line, Reason: fmt.Sprintf("đơn vị cha %s là cấp %s, không thể chứa đơn vị cấp %s", r.ParentCode, plevel, r.Level)}
		}
	}

	var validTo any
	if to != "" {
		validTo = to
	}
	// Rows are counted as written when they are: updated ones in this
	// loop, new ones by the batch.
	const writing = "writing units"
	written := 0
	opt.Progress.Row(writing, written, len(rows))
	var inserts [][]any
	for _, r := range rows {
		bad := func(format string, args ...any) error {
			return &ImportError{File: opt.FileName, Line: r.line, Reason: fmt.Sprintf(format, args...)}
		}
		vs := existing[r.Code]
		switch {
		case len(vs) == 0:
			inserts = append(inserts, []any{r.Code, r.Name, r.FullName, r.NameEN, r.Type, r.Level, r.ParentCode, from, validTo, opt.FileName})
		case len(vs) > 1:
			return bad("mã %s đã có %d phiên bản trong khoảng hiệu lực này (overlapping versions)", r.Code, len(vs))
		default:
			v := vs[0]
			if sameAttrs(v, r.Unit) && v.ValidFrom <= from && (v.ValidTo == to || (to != "" && v.ValidTo >= to)) {
				res.Unchanged++
				written++
				opt.Progress.Row(writing, written, len(rows))
				continue
			}
			switch {
			case v.ValidFrom == from || sameAttrs(v, r.Unit):
				// A correction of the same version, or the same unit with a
				// wider validity: change it in place.
				newFrom := v.ValidFrom
				if from < newFrom {
					newFrom = from
				}
				if _, err := tx.Exec(ctx, `UPDATE units SET name = ?, full_name = ?, name_en = ?, type = ?, level = ?, parent_code = ?,
					valid_from = ?, valid_to = ?, source = ? WHERE id = ?`, r.Name, r.FullName, r.NameEN, r.Type, r.Level, r.ParentCode,
					newFrom, validTo, opt.FileName, v.ID); err != nil {
					return fmt.Errorf("geo: import line %d: %w", r.line, err)
				}
				res.Updated++
				written++
				opt.Progress.Row(writing, written, len(rows))
			case v.ValidFrom < from && (v.ValidTo == "" || (to != "" && v.ValidTo <= to)):
				if _, err := tx.Exec(ctx, "UPDATE units SET valid_to = ? WHERE id = ?", dayBefore(from), v.ID); err != nil {
					return fmt.Errorf("geo: import line %d: %w", r.line, err)
				}
				res.Closed++
				inserts = append(inserts, []any{r.Code, r.Name, r.FullName, r.NameEN, r.Type, r.Level, r.ParentCode, from, validTo, opt.FileName})
			default:
				return bad("mã %s đã có phiên bản hiệu lực %s–%s chồng lấn (overlapping version)", r.Code, v.ValidFrom, orOpen(v.ValidTo))
			}
		}
	}
	const batch = 400
	for i := 0; i < len(inserts); i += batch {
		part := inserts[i:min(i+batch, len(inserts))]
		args := make([]any, 0, len(part)*10)
		for _, p := range part {
			args = append(args, p...)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO units (code, name, full_name, name_en, type, level, parent_code, valid_from, valid_to, source) VALUES `+
			store.Placeholders(len(part), 10), args...); err != nil {
			return fmt.Errorf("geo: import: %w", err)
		}
		written += len(part)
		opt.Progress.Report(writing, written, len(rows))
	}
	res.Inserted = len(inserts)
	opt.Progress.Report(writing, len(rows), len(rows))

	// Police units exist for the geography of today and later, not for
	// historical lists.
	if to == "" || to >= opt.Today {
		now := store.FormatTime(opt.Now)
		const police = "police units"
		for i, r := range rows {
			opt.Progress.Row(police, i, len(rows))
			if r.Level == LevelDistrict {
				continue
			}
			province := r.Code
			if r.Level == LevelCommune {
				province = r.ParentCode
				if p, ok := inFile[province]; ok && p.Level == LevelDistrict {
					province = p.ParentCode
				}
			}
			created, err := ensurePoliceUnitCounted(ctx, tx, r.Unit, province, now)
			if err != nil {
				return err
			}
			if created {
				res.PoliceUnits++
			}
		}
		opt.Progress.Report(police, len(rows), len(rows))
	}
	return nil
}

func orOpen(d string) string {
	if d == "" {
		return "nay"
	}
	return d
}

func ensurePoliceUnitCounted(ctx context.Context, tx *store.Tx, u Unit, province, now string) (bool, error) {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM police_units WHERE code = ?", PoliceCode(u.Code)).Scan(&n); err != nil {
		return false, fmt.Errorf("geo: police unit %s: %w", u.Code, err)
	}
	if n > 0 {
		return false, nil
	}
	return true, ensurePoliceUnit(ctx, tx, u, province, now)
}

type lineageRow struct {
	OldCode, NewCode, OldLevel, MergeType string
	Main                                  int // -1 unknown, 0 no, 1 yes
	line                                  int
}

// ParseLineage reads an old→new lineage file.
func ParseLineage(name string, data []byte) ([]lineageRow, error) {
	recs, lines, cols, err := readCSV(name, data, []string{"old_commune_code", "new_commune_code", "merge_type"})
	if err != nil {
		return nil, err
	}
	mainCol := ""
	for _, c := range []string{"is_main", "main", "main_successor"} {
		if _, ok := cols[c]; ok {
			mainCol = c
			break
		}
	}
	seen := map[[2]string]int{}
	out := make([]lineageRow, 0, len(recs))
	for i, rec := range recs {
		l := lineageRow{
			OldCode:   field(rec, cols, "old_commune_code"),
			NewCode:   field(rec, cols, "new_commune_code"),
			OldLevel:  strings.ToLower(field(rec, cols, "old_level")),
			MergeType: strings.ToLower(field(rec, cols, "merge_type")),
			Main:      -1,
			line:      lines[i],
		}
		bad := func(format string, args ...any) error {
			return &ImportError{File: name, Line: l.line, Reason: fmt.Sprintf(format, args...)}
		}
		if !codePattern.MatchString(l.OldCode) || !codePattern.MatchString(l.NewCode) {
			return nil, bad("mã cũ %q hoặc mã mới %q không hợp lệ (bad code)", l.OldCode, l.NewCode)
		}
		if l.MergeType != "full" && l.MergeType != "partial" {
			return nil, bad("merge_type %q phải là full hoặc partial", l.MergeType)
		}
		if l.OldLevel == "" {
			l.OldLevel = LevelCommune
		}
		if l.OldLevel != LevelCommune && l.OldLevel != LevelDistrict {
			return nil, bad("old_level %q phải là commune hoặc district", l.OldLevel)
		}
		if mainCol != "" {
			switch strings.ToLower(field(rec, cols, mainCol)) {
			case "1", "yes", "true", "x":
				l.Main = 1
			case "", "0", "no", "false":
				l.Main = 0
			default:
				return nil, bad("cột %s phải là yes/no", mainCol)
			}
		}
		key := [2]string{l.OldCode, l.NewCode}
		if first, dup := seen[key]; dup {
			return nil, bad("liên kết %s→%s trùng với dòng %d (duplicate link)", l.OldCode, l.NewCode, first)
		}
		seen[key] = l.line
		out = append(out, l)
	}
	chooseMain(out)
	// Data of a split commune is counted in exactly one successor.
	mainLine := map[string]int{}
	for _, l := range out {
		if l.Main != 1 {
			continue
		}
		if first, dup := mainLine[l.OldCode]; dup {
			return nil, &ImportError{File: name, Line: l.line, Reason: fmt.Sprintf("mã cũ %s có hơn một đơn vị kế thừa chính (dòng %d và dòng này; more than one main successor)", l.OldCode, first)}
		}
		mainLine[l.OldCode] = l.line
	}
	return out, nil
}

// chooseMain marks, for every old unit, the one successor that counts it when
// data must be counted once (a split commune's figures go to one successor,
// never to several). The rule: an explicit main column when the file has one;
// otherwise the successor that kept the old code; otherwise the successor
// with the lowest code.
func chooseMain(links []lineageRow) {
	byOld := map[string][]int{}
	var order []string
	for i, l := range links {
		if _, ok := byOld[l.OldCode]; !ok {
			order = append(order, l.OldCode)
		}
		byOld[l.OldCode] = append(byOld[l.OldCode], i)
	}
	for _, old := range order {
		idx := byOld[old]
		explicit := false
		for _, i := range idx {
			if links[i].Main == 1 {
				explicit = true
			}
		}
		if explicit {
			for _, i := range idx {
				if links[i].Main != 1 {
					links[i].Main = 0
				}
			}
			continue
		}
		best := -1
		for _, i := range idx {
			if links[i].NewCode == old {
				best = i
			}
		}
		if best < 0 {
			sorted := append([]int(nil), idx...)
			sort.Slice(sorted, func(a, b int) bool { return links[sorted[a]].NewCode < links[sorted[b]].NewCode })
			best = sorted[0]
		}
		for _, i := range idx {
			links[i].Main = 0
		}
		links[best].Main = 1
	}
}

func (s *Service) applyLineage(ctx context.Context, tx *store.Tx, name string, links []lineageRow, changedOn string, opt ImportOptions, res *ImportResult) error {
	// New codes must exist on the day of the change once that geography is
	// loaded; before it is, they are checked when it is imported. Only
	// communes count as loaded: the built-in provinces are in force on the
	// reform date before any commune list is.
	newSide := map[string]bool{}
	q, err := tx.Query(ctx, "SELECT code FROM units WHERE level = 'commune' AND "+inForce, changedOn, changedOn)
	if err != nil {
		return fmt.Errorf("geo: lineage: %w", err)
	}
	for q.Next() {
		var c string
		if err := q.Scan(&c); err != nil {
			q.Close()
			return fmt.Errorf("geo: lineage: %w", err)
		}
		newSide[c] = true
	}
	q.Close()
	oldSide := map[string]bool{}
	before := dayBefore(changedOn)
	q, err = tx.Query(ctx, "SELECT code FROM units WHERE "+inForce, before, before)
	if err != nil {
		return fmt.Errorf("geo: lineage: %w", err)
	}
	for q.Next() {
		var c string
		if err := q.Scan(&c); err != nil {
			q.Close()
			return fmt.Errorf("geo: lineage: %w", err)
		}
		oldSide[c] = true
	}
	q.Close()
	unknownOld := 0
	existing := map[[2]string][3]string{}
	q, err = tx.Query(ctx, "SELECT old_code, new_code, merge_type, is_main, old_level FROM unit_lineage WHERE changed_on = ?", changedOn)
	if err != nil {
		return fmt.Errorf("geo: lineage: %w", err)
	}
	for q.Next() {
		var o, n, m, lvl string
		var main int
		if err := q.Scan(&o, &n, &m, &main, &lvl); err != nil {
			q.Close()
			return fmt.Errorf("geo: lineage: %w", err)
		}
		existing[[2]string{o, n}] = [3]string{m, fmt.Sprint(main), lvl}
	}
	q.Close()
	const writing = "writing lineage"
	for i, l := range links {
		opt.Progress.Row(writing, i, len(links))
		if len(newSide) > 0 && !newSide[l.NewCode] {
			return &ImportError{File: name, Line: l.line, Reason: fmt.Sprintf("mã mới %s không có hiệu lực vào ngày %s (unknown new code)", l.NewCode, changedOn)}
		}
		if len(oldSide) > 0 && !oldSide[l.OldCode] {
			unknownOld++
		}
		want := [3]string{l.MergeType, fmt.Sprint(l.Main), l.OldLevel}
		got, ok := existing[[2]string{l.OldCode, l.NewCode}]
		if ok && got == want {
			continue
		}
		if ok {
			if _, err := tx.Exec(ctx, "UPDATE unit_lineage SET merge_type = ?, is_main = ?, old_level = ? WHERE old_code = ? AND new_code = ? AND changed_on = ?",
				l.MergeType, l.Main, l.OldLevel, l.OldCode, l.NewCode, changedOn); err != nil {
				return fmt.Errorf("geo: lineage line %d: %w", l.line, err)
			}
		} else if _, err := tx.Exec(ctx, "INSERT INTO unit_lineage (old_code, old_level, new_code, merge_type, is_main, changed_on) VALUES (?, ?, ?, ?, ?, ?)",
			l.OldCode, l.OldLevel, l.NewCode, l.MergeType, l.Main, changedOn); err != nil {
			return fmt.Errorf("geo: lineage line %d: %w", l.line, err)
		}
		res.LineageNew++
	}
	opt.Progress.Report(writing, len(links), len(links))
	if unknownOld > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d liên kết có mã cũ không có trong danh mục ngày %s (kept; they resolve once that list is imported)", unknownOld, before))
	}
	return nil
}
