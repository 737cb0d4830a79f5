package movement

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/audit"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/xlsx"
)

// ImportResult counts what an import did.
type ImportResult struct {
	Rows         int // data rows read
	Inserted     int
	Updated      int // rows whose values changed
	Unchanged    int
	AreasCreated int // residential areas named in the file and created
}

// Changed reports whether the import changed anything.
func (r ImportResult) Changed() bool { return r.Inserted+r.Updated+r.AreasCreated > 0 }

// Columns of the import files.
var (
	festivalColumns = []string{"year", "commune_code", "residential_area", "held_on", "participants",
		"commendations_collective", "commendations_individual", "gifts_vnd"}
	festivalOptional = []string{"place", "guests", "models_launched", "notes"}
	planColumns      = []string{"year", "province_code", "planned_points"}
)

// table is an import file read into rows of text with their line numbers.
type table struct {
	name  string
	cols  map[string]int
	rows  [][]string
	lines []int
}

func (t *table) has(col string) bool { _, ok := t.cols[col]; return ok }

func (t *table) field(i int, col string) string {
	c, ok := t.cols[col]
	if !ok || c >= len(t.rows[i]) {
		return ""
	}
	return norm.NFC.String(strings.TrimSpace(t.rows[i][c]))
}

func (t *table) errorf(line int, format string, args ...any) error {
	return &geo.ImportError{File: t.name, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// xlsxMagic starts every zip file, hence every XLSX file.
var xlsxMagic = []byte("PK\x03\x04")

// readTable reads a CSV (UTF-8, optional byte-order mark) or XLSX (first
// sheet) file whose first line is a header naming at least the required
// columns.
func readTable(name string, data []byte, required []string) (*table, error) {
	t := &table{name: name, cols: map[string]int{}}
	var header []string
	if bytes.HasPrefix(data, xlsxMagic) {
		rows, err := xlsx.ReadRows(bytes.NewReader(data), int64(len(data)), 0)
		if err != nil {
			return nil, &geo.ImportError{File: name, Reason: "không đọc được tệp XLSX (unreadable XLSX file): " + err.Error()}
		}
		if len(rows) == 0 {
			return nil, t.errorf(1, "tệp rỗng (empty file: a header row is required)")
		}
		header = rows[0]
		for i, r := range rows[1:] {
			if blank(r) {
				continue
			}
			t.rows = append(t.rows, r)
			t.lines = append(t.lines, i+2)
		}
	} else {
		var err error
		if header, err = t.readCSV(data); err != nil {
			return nil, err
		}
	}
	for i, h := range header {
		t.cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range required {
		if !t.has(c) {
			return nil, t.errorf(1, "thiếu cột %q (missing column %q)", c, c)
		}
	}
	if len(t.rows) == 0 {
		return nil, t.errorf(2, "không có dòng dữ liệu nào (no data rows)")
	}
	return t, nil
}

func blank(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readCSV fills t from CSV data and returns the header.
func (t *table) readCSV(data []byte) ([]string, error) {
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
		return nil, t.errorf(bytes.Count(data[:off], []byte("\n"))+1, "không phải UTF-8 (bad encoding: the file must be UTF-8)")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, t.errorf(1, "tệp rỗng (empty file: a header row is required)")
	}
	if err != nil {
		return nil, t.csvError(err)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, t.csvError(err)
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) < len(header) {
			return nil, t.errorf(line, "có %d cột, cần %d (has %d columns, the header has %d)", len(rec), len(header), len(rec), len(header))
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	return header, nil
}

func (t *table) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return t.errorf(pe.Line, "CSV lỗi: %v", pe.Err)
	}
	return &geo.ImportError{File: t.name, Reason: err.Error()}
}

// number reads a non-negative whole number; an empty cell is 0. Only digits
// are accepted: "1.000" is a thousand to a Vietnamese reader and one to a
// program, so it is refused rather than guessed.
func (t *table) number(i int, col string, max int64) (int64, error) {
	s := strings.ReplaceAll(t.field(i, col), " ", "")
	if s == "" {
		return 0, nil
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, t.errorf(t.lines[i], "cột %s: %q không phải số nguyên không âm (bad number)", col, s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > max {
		return 0, t.errorf(t.lines[i], "cột %s: %s quá lớn (number too large)", col, s)
	}
	return n, nil
}

// date reads YYYY-MM-DD, or DD/MM/YYYY as typed in Vietnam.
func parseDate(s string) (string, bool) {
	if geo.ValidDate(s) {
		return s, true
	}
	if t, err := time.Parse("2/1/2006", s); err == nil {
		return t.Format(store.DateLayout), true
	}
	return "", false
}

// festivalRow is one checked line of a festival file.
type festivalRow struct {
	line     int
	key      pointKey
	areaName string
	commune  geo.Unit
	values   pointValues
}

// pointKey is what makes a point unique: one commune-level point per
// version of a commune and year, one per residential area.
type pointKey struct {
	year                     int
	commune, validFrom, area string
}

// pointValues are the figures of a point an import may set.
type pointValues struct {
	heldOn, place, notes                     string
	participants, guests                     int
	collective, individual, models           int
	gifts                                    int64
	hasPlace, hasGuests, hasModels, hasNotes bool
}

// ImportFestival imports festival points from a CSV or XLSX file with the
// columns year, commune_code, residential_area, held_on, participants,
// commendations_collective, commendations_individual, gifts_vnd and,
// optionally, place, guests, models_launched and notes. All of it is
// imported or, at the first bad line, nothing, with the line in the error
// (a *geo.ImportError).
//
// A commune code must name a commune-level unit in force on held_on (an old
// code for an old date); the point is stored on that version of the unit. A
// residential area named in the file that its commune does not have yet is
// created. A point already stored (same year, commune version and area) is
// updated, so importing a file twice adds nothing; a changed point is
// submitted for review again. Columns absent from the file keep what was
// stored.
func (s *Service) ImportFestival(ctx context.Context, fileName string, data []byte, actor string) (ImportResult, error) {
	var res ImportResult
	t, err := readTable(fileName, data, festivalColumns)
	if err != nil {
		return res, err
	}
	s.Progress.Report("rows read", len(t.rows), 0)
	s.Progress.Report("checking", 0, 0)
	today := s.today()
	rows := make([]festivalRow, len(t.rows))
	minDate, maxDate := "9999-12-31", "0000-01-01"
	for i := range t.rows {
		r := &rows[i]
		r.line = t.lines[i]
		if err := t.parseFestival(i, today, r); err != nil {
			return res, err
		}
		minDate, maxDate = min(minDate, r.values.heldOn), max(maxDate, r.values.heldOn)
	}
	communes, err := s.loadCommunes(ctx, minDate, maxDate)
	if err != nil {
		return res, err
	}
	seen := map[string]int{}
	for i := range rows {
		r := &rows[i]
		u, ok := versionOn(communes[r.key.commune], r.values.heldOn)
		if !ok {
			return res, t.errorf(r.line, "mã xã %s không có hiệu lực vào ngày %s (unknown commune: no commune-level unit with this code on that date)", r.key.commune, r.values.heldOn)
		}
		r.commune = u
		r.key.validFrom = u.ValidFrom
		dup := fmt.Sprintf("%d|%s|%s|%s", r.key.year, r.key.commune, r.key.validFrom, strings.ToLower(r.areaName))
		if first, ok := seen[dup]; ok {
			return res, t.errorf(r.line, "trùng với dòng %d: cùng năm, xã và khu dân cư (duplicate point)", first)
		}
		seen[dup] = r.line
	}
	res.Rows = len(rows)
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		res.Inserted, res.Updated, res.Unchanged, res.AreasCreated = 0, 0, 0, 0
		if err := s.resolveAreas(ctx, tx, rows, now, &res); err != nil {
			return err
		}
		if err := s.upsertPoints(ctx, tx, rows, "import:"+fileName, now, &res); err != nil {
			return err
		}
		s.Progress.Report("saving", 0, 0)
		if !res.Changed() {
			return nil
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: actor, Action: "festival.import", Object: "file:" + fileName,
			Detail: fmt.Sprintf("rows=%d inserted=%d updated=%d unchanged=%d areas_created=%d", res.Rows, res.Inserted, res.Updated, res.Unchanged, res.AreasCreated)})
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// parseFestival checks line i of a festival file without the database.
func (t *table) parseFestival(i int, today string, r *festivalRow) error {
	line := t.lines[i]
	y, err := strconv.Atoi(t.field(i, "year"))
	if err != nil || !validYear(y) {
		return t.errorf(line, "năm %q không hợp lệ (bad year)", t.field(i, "year"))
	}
	r.key.year = y
	r.key.commune = t.field(i, "commune_code")
	if r.key.commune == "" {
		return t.errorf(line, "thiếu mã xã (commune_code is empty)")
	}
	r.areaName = strings.Join(strings.Fields(t.field(i, "residential_area")), " ")
	if utf8.RuneCountInString(r.areaName) > 120 {
		return t.errorf(line, "tên khu dân cư dài quá 120 ký tự (residential_area too long)")
	}
	v := &r.values
	raw := t.field(i, "held_on")
	d, ok := parseDate(raw)
	if !ok {
		return t.errorf(line, "ngày tổ chức %q không hợp lệ, cần dạng YYYY-MM-DD (bad date)", raw)
	}
	if d[:4] != fmt.Sprintf("%04d", y) {
		return t.errorf(line, "ngày tổ chức %s không thuộc năm %d (date outside the year)", d, y)
	}
	if d > today {
		return t.errorf(line, "ngày tổ chức %s sau ngày hôm nay (date in the future)", d)
	}
	v.heldOn = d
	counts := []struct {
		col string
		dst *int
	}{
		{"participants", &v.participants},
		{"commendations_collective", &v.collective},
		{"commendations_individual", &v.individual},
		{"guests", &v.guests},
		{"models_launched", &v.models},
	}
	for _, c := range counts {
		n, err := t.number(i, c.col, maxCount)
		if err != nil {
			return err
		}
		*c.dst = int(n)
	}
	if v.gifts, err = t.number(i, "gifts_vnd", maxGifts); err != nil {
		return err
	}
	v.place = strings.Join(strings.Fields(t.field(i, "place")), " ")
	v.notes = t.field(i, "notes")
	if utf8.RuneCountInString(v.place) > 200 {
		return t.errorf(line, "địa điểm dài quá 200 ký tự (place too long)")
	}
	if utf8.RuneCountInString(v.notes) > 2000 {
		return t.errorf(line, "ghi chú dài quá 2000 ký tự (notes too long)")
	}
	v.hasPlace, v.hasGuests, v.hasModels, v.hasNotes = t.has("place"), t.has("guests"), t.has("models_launched"), t.has("notes")
	return nil
}

func versionOn(vs []geo.Unit, d string) (geo.Unit, bool) {
	for _, u := range vs {
		if u.InForce(d) {
			return u, true
		}
	}
	return geo.Unit{}, false
}

// loadCommunes returns the versions of commune-level units in force at some
// time in [from, to], by code.
func (s *Service) loadCommunes(ctx context.Context, from, to string) (map[string][]geo.Unit, error) {
	rows, err := s.DB.Query(ctx, `SELECT code, name, full_name, type, level, parent_code, valid_from, COALESCE(valid_to, '')
		FROM units WHERE level = 'commune' AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)`, to, from)
	if err != nil {
		return nil, fmt.Errorf("movement: load communes: %w", err)
	}
	defer rows.Close()
	out := map[string][]geo.Unit{}
	for rows.Next() {
		var u geo.Unit
		if err := rows.Scan(&u.Code, &u.Name, &u.FullName, &u.Type, &u.Level, &u.ParentCode, &u.ValidFrom, &u.ValidTo); err != nil {
			return nil, fmt.Errorf("movement: load communes: %w", err)
		}
		out[u.Code] = append(out[u.Code], u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("movement: load communes: %w", err)
	}
	return out, nil
}

// areaKindPrefixes give the kind of a residential area from the first words
// of its name.
var areaKindPrefixes = []struct{ prefix, kind string }{
	{"tổ dân phố", "to_dan_pho"},
	{"khu phố", "khu_pho"},
	{"thôn", "thon"},
	{"xóm", "xom"},
	{"ấp", "ap"},
	{"bản", "ban"},
}

// AreaKindOf returns the kind of residential area a name says it is ("Thôn
// Đông" is a thôn), or "khac".
func AreaKindOf(name string) string {
	l := strings.ToLower(norm.NFC.String(name))
	for _, p := range areaKindPrefixes {
		if l == p.prefix || strings.HasPrefix(l, p.prefix+" ") {
			return p.kind
		}
	}
	return "khac"
}

type areaRec struct {
	id                 int64
	validFrom, validTo string
}

// resolveAreas sets the area of every row that names one, creating the
// areas its commune does not have yet under that version of the commune.
// Names match without regard to case.
func (s *Service) resolveAreas(ctx context.Context, tx *store.Tx, rows []festivalRow, now time.Time, res *ImportResult) error {
	var codes []string
	need := map[string]bool{}
	for _, r := range rows {
		if r.areaName != "" && !need[r.key.commune] {
			need[r.key.commune] = true
			codes = append(codes, r.key.commune)
		}
	}
	existing := map[string][]areaRec{} // commune code + "|" + lower-case name
	const batch = 500
	for i := 0; i < len(codes); i += batch {
		part := codes[i:min(i+batch, len(codes))]
		args := make([]any, len(part))
		for j, c := range part {
			args[j] = c
		}
		q, err := tx.Query(ctx, `SELECT id, commune_code, name, valid_from, COALESCE(valid_to, '') FROM residential_areas
			WHERE commune_code IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`, args...)
		if err != nil {
			return fmt.Errorf("movement: areas: %w", err)
		}
		for q.Next() {
			var a areaRec
			var code, name string
			if err := q.Scan(&a.id, &code, &name, &a.validFrom, &a.validTo); err != nil {
				q.Close()
				return fmt.Errorf("movement: areas: %w", err)
			}
			k := code + "|" + strings.ToLower(name)
			existing[k] = append(existing[k], a)
		}
		q.Close()
		if err := q.Err(); err != nil {
			return fmt.Errorf("movement: areas: %w", err)
		}
	}
	stamp := store.FormatTime(now)
	const areas = "residential areas"
	for i := range rows {
		s.Progress.Row(areas, i, len(rows))
		r := &rows[i]
		if r.areaName == "" {
			continue
		}
		u := r.commune
		k := u.Code + "|" + strings.ToLower(r.areaName)
		var id int64
		for _, a := range existing[k] {
			// The area must belong to this version of the commune (a reused
			// code names another commune) and not be closed before the day.
			if (u.ValidTo == "" || a.validFrom <= u.ValidTo) && (a.validTo == "" || a.validTo >= r.values.heldOn) {
				id = a.id
				break
			}
		}
		if id == 0 {
			var validTo any
			if u.ValidTo != "" {
				validTo = u.ValidTo
			}
			var err error
			id, err = tx.InsertID(ctx, `INSERT INTO residential_areas (commune_code, name, kind, note, valid_from, valid_to, created_at, updated_at)
				VALUES (?, ?, ?, '', ?, ?, ?, ?)`, u.Code, r.areaName, AreaKindOf(r.areaName), u.ValidFrom, validTo, stamp, stamp)
			if err != nil {
				return fmt.Errorf("movement: create area %q of %s (line %d): %w", r.areaName, u.Code, r.line, err)
			}
			existing[k] = append(existing[k], areaRec{id: id, validFrom: u.ValidFrom, validTo: u.ValidTo})
			res.AreasCreated++
		}
		r.key.area = fmt.Sprint(id)
	}
	s.Progress.Report(areas, len(rows), len(rows))
	return nil
}

type storedPoint struct {
	pointValues
	areaID int64
}

// upsertPoints inserts the new points and updates the changed ones.
func (s *Service) upsertPoints(ctx context.Context, tx *store.Tx, rows []festivalRow, source string, now time.Time, res *ImportResult) error {
	years := map[int]bool{}
	for _, r := range rows {
		years[r.key.year] = true
	}
	stored := map[pointKey]storedPoint{}
	for y := range years {
		q, err := tx.Query(ctx, `SELECT commune_code, commune_valid_from, area_key, COALESCE(area_id, 0), held_on, place, participants, guests,
			commendations_collective, commendations_individual, gifts_vnd, models_launched, notes FROM festival_points WHERE year = ?`, y)
		if err != nil {
			return fmt.Errorf("movement: import: %w", err)
		}
		for q.Next() {
			k := pointKey{year: y}
			var p storedPoint
			if err := q.Scan(&k.commune, &k.validFrom, &k.area, &p.areaID, &p.heldOn, &p.place, &p.participants, &p.guests,
				&p.collective, &p.individual, &p.gifts, &p.models, &p.notes); err != nil {
				q.Close()
				return fmt.Errorf("movement: import: %w", err)
			}
			stored[k] = p
		}
		q.Close()
		if err := q.Err(); err != nil {
			return fmt.Errorf("movement: import: %w", err)
		}
	}
	stamp := store.FormatTime(now)
	const cols = 17
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO festival_points (year, commune_code, commune_valid_from, area_id, area_key, held_on, place,
			participants, guests, commendations_collective, commendations_individual, gifts_vnd, models_launched, notes,
			source, created_at, updated_at) VALUES `+store.Placeholders(n, cols)+`
			ON CONFLICT (year, commune_code, commune_valid_from, area_key) DO UPDATE SET held_on = excluded.held_on,
				place = excluded.place, participants = excluded.participants, guests = excluded.guests,
				commendations_collective = excluded.commendations_collective, commendations_individual = excluded.commendations_individual,
				gifts_vnd = excluded.gifts_vnd, models_launched = excluded.models_launched, notes = excluded.notes,
				source = excluded.source, updated_at = excluded.updated_at, status = 'submitted'`, args...)
		if err != nil {
			return fmt.Errorf("movement: import: %w", err)
		}
		args, n = args[:0], 0
		return nil
	}
	const writing = "writing points"
	for i, r := range rows {
		s.Progress.Row(writing, i, len(rows))
		v := r.values
		old, exists := stored[r.key]
		if exists {
			// Columns the file does not have keep what was stored.
			if !v.hasPlace {
				v.place = old.place
			}
			if !v.hasGuests {
				v.guests = old.guests
			}
			if !v.hasModels {
				v.models = old.models
			}
			if !v.hasNotes {
				v.notes = old.notes
			}
			if sameValues(v, old.pointValues) {
				res.Unchanged++
				continue
			}
			res.Updated++
		} else {
			res.Inserted++
		}
		var areaID int64
		if r.key.area != "" {
			areaID, _ = strconv.ParseInt(r.key.area, 10, 64)
		}
		args = append(args, r.key.year, r.key.commune, r.key.validFrom, nullID(areaID), r.key.area, v.heldOn, v.place,
			v.participants, v.guests, v.collective, v.individual, v.gifts, v.models, v.notes, source, stamp, stamp)
		n++
		if n == 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	s.Progress.Report(writing, len(rows), len(rows))
	return nil
}

func sameValues(a, b pointValues) bool {
	return a.heldOn == b.heldOn && a.place == b.place && a.notes == b.notes && a.participants == b.participants &&
		a.guests == b.guests && a.collective == b.collective && a.individual == b.individual && a.models == b.models && a.gifts == b.gifts
}

// ImportFestivalPlan imports plans from a CSV or XLSX file with the columns
// year, province_code, planned_points (and optionally source), all or
// nothing. A province code must name a province in force for that year
// (on its last day, or today while it is not over).
func (s *Service) ImportFestivalPlan(ctx context.Context, fileName string, data []byte, actor string) (ImportResult, error) {
	var res ImportResult
	t, err := readTable(fileName, data, planColumns)
	if err != nil {
		return res, err
	}
	s.Progress.Report("rows read", len(t.rows), 0)
	s.Progress.Report("checking", 0, 0)
	type planRow struct {
		year     int
		province string
		planned  int
		source   string
	}
	provinces := map[int]map[string]bool{}
	seen := map[[2]string]int{}
	rows := make([]planRow, len(t.rows))
	for i := range t.rows {
		line := t.lines[i]
		y, err := strconv.Atoi(t.field(i, "year"))
		if err != nil || !validYear(y) {
			return res, t.errorf(line, "năm %q không hợp lệ (bad year)", t.field(i, "year"))
		}
		code := t.field(i, "province_code")
		if provinces[y] == nil {
			if provinces[y], err = s.provinceCodes(ctx, s.viewDate(y)); err != nil {
				return res, err
			}
		}
		if !provinces[y][code] {
			return res, t.errorf(line, "mã tỉnh %q không có trong năm %d (unknown province)", code, y)
		}
		if t.field(i, "planned_points") == "" {
			return res, t.errorf(line, "thiếu số điểm kế hoạch (planned_points is empty)")
		}
		n, err := t.number(i, "planned_points", maxCount)
		if err != nil {
			return res, err
		}
		k := [2]string{fmt.Sprint(y), code}
		if first, ok := seen[k]; ok {
			return res, t.errorf(line, "trùng với dòng %d: cùng năm và tỉnh (duplicate plan)", first)
		}
		seen[k] = line
		src := t.field(i, "source")
		if src == "" {
			src = fileName
		}
		rows[i] = planRow{year: y, province: code, planned: int(n), source: src}
	}
	res.Rows = len(rows)
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		res.Inserted, res.Updated, res.Unchanged = 0, 0, 0
		const writing = "writing plans"
		for i, r := range rows {
			s.Progress.Row(writing, i, len(rows))
			var old int
			var oldSource string
			err := tx.QueryRow(ctx, "SELECT planned_points, source FROM festival_plans WHERE year = ? AND province_code = ?", r.year, r.province).Scan(&old, &oldSource)
			switch {
			case err == nil && old == r.planned && oldSource == r.source:
				res.Unchanged++
				continue
			case err == nil:
				res.Updated++
			case isNoRows(err):
				res.Inserted++
			default:
				return fmt.Errorf("movement: import plan: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO festival_plans (year, province_code, planned_points, source, updated_by, updated_at)
				VALUES (?, ?, ?, ?, NULL, ?)
				ON CONFLICT (year, province_code) DO UPDATE SET planned_points = excluded.planned_points, source = excluded.source,
					updated_by = NULL, updated_at = excluded.updated_at`, r.year, r.province, r.planned, r.source, store.FormatTime(now)); err != nil {
				return fmt.Errorf("movement: import plan: %w", err)
			}
		}
		s.Progress.Report(writing, len(rows), len(rows))
		s.Progress.Report("saving", 0, 0)
		if !res.Changed() {
			return nil
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: actor, Action: "festival.plan.import", Object: "file:" + fileName,
			Detail: fmt.Sprintf("rows=%d inserted=%d updated=%d unchanged=%d", res.Rows, res.Inserted, res.Updated, res.Unchanged)})
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// provinceCodes returns the codes of the provinces in force on d.
func (s *Service) provinceCodes(ctx context.Context, d string) (map[string]bool, error) {
	rows, err := s.DB.Query(ctx, "SELECT code FROM units WHERE level = 'province' AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)", d, d)
	if err != nil {
		return nil, fmt.Errorf("movement: provinces: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("movement: provinces: %w", err)
		}
		out[c] = true
	}
	return out, rows.Err()
}
