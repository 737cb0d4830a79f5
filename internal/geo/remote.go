package geo

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/errs"
	"toandan/internal/store"
)

// RemoteCommune is a commune listed as remote (vùng sâu, vùng xa, biên giới,
// hải đảo): its police have 48 hours rather than 24 to transfer a flagrant,
// very serious or public-attention source (JC 01/2017 as amended by JC
// 01/2021). Special zones count as remote without being listed.
type RemoteCommune struct {
	Code      string
	Basis     string // the legal basis: the decision that lists the commune
	ValidFrom string // first day it counts; "" for rows older than the column: every day
}

// InForce reports whether the listing holds on date d (YYYY-MM-DD).
func (r RemoteCommune) InForce(d string) bool { return r.ValidFrom <= d }

// RemoteInput is what an officer gives to list a commune as remote.
type RemoteInput struct {
	Basis     string
	ValidFrom string // YYYY-MM-DD
}

// maxBasis bounds the legal basis note, in characters.
const maxBasis = 500

func cleanBasis(s string) string { return norm.NFC.String(strings.Join(strings.Fields(s), " ")) }

func (in *RemoteInput) clean() error {
	in.Basis = cleanBasis(in.Basis)
	in.ValidFrom = strings.TrimSpace(in.ValidFrom)
	if in.Basis == "" {
		return errs.Field("basis", "Vui lòng ghi căn cứ pháp lý (số, ngày văn bản xác định xã thuộc vùng sâu, vùng xa, biên giới, hải đảo).")
	}
	if utf8.RuneCountInString(in.Basis) > maxBasis {
		return errs.Field("basis", "Căn cứ pháp lý dài quá %d ký tự.", maxBasis)
	}
	if !ValidDate(in.ValidFrom) {
		return errs.Field("valid_from", "Vui lòng nhập ngày có hiệu lực (ngày/tháng/năm).")
	}
	return nil
}

// RemoteCommuneOf returns the listing of a commune, or a NotFound error when
// it is not listed.
func (s *Service) RemoteCommuneOf(ctx context.Context, code string) (RemoteCommune, error) {
	r := RemoteCommune{Code: code}
	err := s.DB.QueryRow(ctx, "SELECT note, valid_from FROM remote_communes WHERE commune_code = ?", code).Scan(&r.Basis, &r.ValidFrom)
	if errors.Is(err, sql.ErrNoRows) {
		return RemoteCommune{}, errs.E(errs.NotFound, "Xã không được đánh dấu là vùng sâu, vùng xa, biên giới, hải đảo.")
	}
	if err != nil {
		return RemoteCommune{}, fmt.Errorf("geo: remote %s: %w", code, err)
	}
	return r, nil
}

// RemoteCommunes returns every listing, by commune code. The list is short:
// a few hundred communes at most.
func (s *Service) RemoteCommunes(ctx context.Context) (map[string]RemoteCommune, error) {
	rows, err := s.DB.Query(ctx, "SELECT commune_code, note, valid_from FROM remote_communes")
	if err != nil {
		return nil, fmt.Errorf("geo: remote communes: %w", err)
	}
	defer rows.Close()
	m := map[string]RemoteCommune{}
	for rows.Next() {
		var r RemoteCommune
		if err := rows.Scan(&r.Code, &r.Basis, &r.ValidFrom); err != nil {
			return nil, fmt.Errorf("geo: remote communes: %w", err)
		}
		m[r.Code] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("geo: remote communes: %w", err)
	}
	return m, nil
}

// remoteCheckDate is the day a commune to be listed from validFrom must be
// in force: validFrom when it lies ahead (the list of a coming
// reorganisation), else today, since only sources received from now on take
// the listing.
func (s *Service) remoteCheckDate(validFrom string) string {
	if today := s.Today(); validFrom < today {
		return today
	}
	return validFrom
}

// MarkRemote lists a commune as remote from in.ValidFrom, or changes the
// basis or date of its listing. Sources received from then on take the
// 48-hour limit; those received before keep theirs. Callers check that the
// actor may act for the commune. It reports whether anything changed.
func (s *Service) MarkRemote(ctx context.Context, code string, in RemoteInput, actor string) (bool, error) {
	if err := in.clean(); err != nil {
		return false, err
	}
	if code == Nation {
		return false, errs.E(errs.Invalid, "Chỉ đánh dấu vùng sâu, vùng xa cho xã, phường, đặc khu.")
	}
	check := s.remoteCheckDate(in.ValidFrom)
	u, err := s.UnitAt(ctx, code, check)
	if errs.Is(err, errs.NotFound) {
		return false, errs.Field("valid_from", "Đơn vị %s không có hiệu lực vào ngày %s.", code, check)
	}
	if err != nil {
		return false, err
	}
	if u.Level != LevelCommune {
		return false, errs.E(errs.Invalid, "Chỉ đánh dấu vùng sâu, vùng xa cho xã, phường, đặc khu.")
	}
	var changed bool
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		changed, _, err = upsertRemote(ctx, tx, RemoteCommune{Code: code, Basis: in.Basis, ValidFrom: in.ValidFrom})
		if err != nil || !changed {
			return err
		}
		return s.appendAudit(ctx, tx, actor, "geo.remote.mark", "unit:"+code, fmt.Sprintf("from=%s basis=%s", in.ValidFrom, in.Basis))
	})
	if changed {
		s.InvalidatePlaces()
	}
	return changed, err
}

// UnmarkRemote ends a commune's listing as remote: sources received from now
// on take the ordinary limits; those received before keep theirs. A unit
// not listed is left alone (NotFound when no unit has the code). Callers check that the actor may act for the
// commune. It reports whether a listing was removed.
func (s *Service) UnmarkRemote(ctx context.Context, code, actor string) (bool, error) {
	var removed bool
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var basis, from string
		err := tx.QueryRow(ctx, "SELECT note, valid_from FROM remote_communes WHERE commune_code = ?", code).Scan(&basis, &from)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("geo: unmark remote %s: %w", code, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM remote_communes WHERE commune_code = ?", code); err != nil {
			return fmt.Errorf("geo: unmark remote %s: %w", code, err)
		}
		removed = true
		return s.appendAudit(ctx, tx, actor, "geo.remote.unmark", "unit:"+code, fmt.Sprintf("was from=%s basis=%s", from, basis))
	})
	if err != nil {
		return false, err
	}
	if !removed {
		// Nothing to remove; a code that names no unit is not found.
		_, err := s.UnitAt(ctx, code, s.Today())
		return false, err
	}
	s.InvalidatePlaces()
	return true, nil
}

// upsertRemote stores r and reports whether it changed anything and
// whether the commune was listed before.
func upsertRemote(ctx context.Context, tx *store.Tx, r RemoteCommune) (changed, existed bool, err error) {
	var basis, from string
	err = tx.QueryRow(ctx, "SELECT note, valid_from FROM remote_communes WHERE commune_code = ?", r.Code).Scan(&basis, &from)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.Exec(ctx, "INSERT INTO remote_communes (commune_code, note, valid_from) VALUES (?, ?, ?)", r.Code, r.Basis, r.ValidFrom); err != nil {
			return false, false, fmt.Errorf("geo: mark remote %s: %w", r.Code, err)
		}
		return true, false, nil
	case err != nil:
		return false, false, fmt.Errorf("geo: mark remote %s: %w", r.Code, err)
	case basis == r.Basis && from == r.ValidFrom:
		return false, true, nil
	}
	if _, err := tx.Exec(ctx, "UPDATE remote_communes SET note = ?, valid_from = ? WHERE commune_code = ?", r.Basis, r.ValidFrom, r.Code); err != nil {
		return false, true, fmt.Errorf("geo: mark remote %s: %w", r.Code, err)
	}
	return true, true, nil
}

// RemoteImportOptions says what a list of remote communes means.
type RemoteImportOptions struct {
	FileName  string
	ValidFrom string // first day the listed communes count as remote
	Basis     string // the basis of rows whose note is empty
	Actor     string
}

// RemoteImportResult counts what an import of remote communes did.
type RemoteImportResult struct {
	Rows      int
	Inserted  int
	Updated   int // listed before, with another basis or date
	Unchanged int
}

// Changed reports whether the import changed anything.
func (r RemoteImportResult) Changed() bool { return r.Inserted+r.Updated > 0 }

// ImportRemote lists the communes of a CSV file (header commune_code and,
// optionally, note: the legal basis) as remote from opt.ValidFrom, in one
// transaction: a bad line imports nothing and is named by its number.
// Listed communes are added or updated; communes absent from the file keep
// their listing, so a file may cover one province. Importing a file twice
// changes nothing.
func (s *Service) ImportRemote(ctx context.Context, opt RemoteImportOptions, data []byte) (RemoteImportResult, error) {
	var res RemoteImportResult
	name := opt.FileName
	if !ValidDate(opt.ValidFrom) {
		return res, &ImportError{File: name, Reason: fmt.Sprintf("ngày hiệu lực %q không hợp lệ, cần dạng YYYY-MM-DD", opt.ValidFrom)}
	}
	opt.Basis = cleanBasis(opt.Basis)
	if utf8.RuneCountInString(opt.Basis) > maxBasis {
		return res, &ImportError{File: name, Reason: fmt.Sprintf("căn cứ dài quá %d ký tự (basis too long)", maxBasis)}
	}
	recs, lines, cols, err := readCSV(name, data, []string{"commune_code"})
	if err != nil {
		return res, err
	}
	if len(recs) == 0 {
		return res, &ImportError{File: name, Line: 2, Reason: "không có dòng dữ liệu nào (no data rows)"}
	}
	check := s.remoteCheckDate(opt.ValidFrom)
	units, err := s.queryUnits(ctx, "SELECT "+unitCols+" FROM units WHERE "+inForce, check, check)
	if err != nil {
		return res, err
	}
	level := make(map[string]string, len(units))
	for _, u := range units {
		level[u.Code] = u.Level
	}
	seen := map[string]int{}
	list := make([]RemoteCommune, 0, len(recs))
	for i, rec := range recs {
		line := lines[i]
		bad := func(format string, args ...any) error {
			return &ImportError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)}
		}
		code := field(rec, cols, "commune_code")
		basis := cleanBasis(field(rec, cols, "note"))
		switch {
		case !codePattern.MatchString(code):
			return res, bad("mã xã %q không hợp lệ (bad commune_code)", code)
		case seen[code] != 0:
			return res, bad("mã %s đã có ở dòng %d (duplicate commune_code)", code, seen[code])
		case level[code] == "":
			return res, bad("không có xã, phường, đặc khu mã %s có hiệu lực ngày %s (unknown commune_code)", code, check)
		case level[code] != LevelCommune:
			return res, bad("mã %s là đơn vị cấp %s, không phải cấp xã (not a commune)", code, level[code])
		case utf8.RuneCountInString(basis) > maxBasis:
			return res, bad("ghi chú dài quá %d ký tự (note too long)", maxBasis)
		}
		if basis == "" {
			basis = opt.Basis
		}
		if basis == "" {
			return res, bad("thiếu căn cứ pháp lý: điền cột note hoặc dùng --note (missing legal basis)")
		}
		seen[code] = line
		list = append(list, RemoteCommune{Code: code, Basis: basis, ValidFrom: opt.ValidFrom})
	}
	res.Rows = len(list)
	sum := sha256.Sum256(data)
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		res.Inserted, res.Updated, res.Unchanged = 0, 0, 0
		for _, r := range list {
			changed, existed, err := upsertRemote(ctx, tx, r)
			switch {
			case err != nil:
				return err
			case !changed:
				res.Unchanged++
			case existed:
				res.Updated++
			default:
				res.Inserted++
			}
		}
		if !res.Changed() {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO geo_imports (file_name, sha256, kind, valid_from, valid_to, rows_read, rows_changed, imported_at)
			VALUES (?, ?, 'remote_communes', ?, NULL, ?, ?, ?)`, name, hex.EncodeToString(sum[:]), opt.ValidFrom, res.Rows,
			res.Inserted+res.Updated, store.FormatTime(now)); err != nil {
			return fmt.Errorf("geo: record import: %w", err)
		}
		return s.appendAudit(ctx, tx, opt.Actor, "geo.remote.import", "file:"+name,
			fmt.Sprintf("from=%s rows=%d inserted=%d updated=%d", opt.ValidFrom, res.Rows, res.Inserted, res.Updated))
	})
	if err != nil {
		return RemoteImportResult{}, err
	}
	if res.Changed() {
		s.InvalidatePlaces()
	}
	return res, nil
}
