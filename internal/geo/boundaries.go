package geo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"toandan/internal/audit"
	"toandan/internal/store"
)

// Province boundaries come from a GeoJSON FeatureCollection, one feature per
// province, and are drawn on the staff map. They are versioned like the
// units: a boundary holds from its valid_from until the province's next one.

// Boundary is the outline of a province from a date.
type Boundary struct {
	ProvinceCode string
	ValidFrom    string
	// Geometry is a GeoJSON Polygon or MultiPolygon, compact.
	Geometry json.RawMessage
}

// BoundaryError is a problem with a boundary file: the whole file
// (Feature < 0) or one feature, by its index in features. Nothing is
// imported when there is one.
type BoundaryError struct {
	File    string
	Feature int
	Code    string // the feature's province code, when it has one
	Reason  string
}

func (e *BoundaryError) Error() string {
	switch {
	case e.Feature < 0:
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	case e.Code != "":
		return fmt.Sprintf("%s: features[%d] (mã %s): %s", e.File, e.Feature, e.Code, e.Reason)
	}
	return fmt.Sprintf("%s: features[%d]: %s", e.File, e.Feature, e.Reason)
}

// BoundaryCodeProperties are the feature properties that may hold the
// province code, in the order they are looked for.
var BoundaryCodeProperties = []string{"code", "ma_tinh", "province_code"}

// MaxBoundaryFile bounds a boundary file; the 34 provinces simplified to
// ~50 m take 0.7 MB, unsimplified official outlines a few tens of MB.
const MaxBoundaryFile = 128 << 20

// ParseBoundaries reads and checks a boundary file without touching the
// database: a FeatureCollection whose every feature carries a province code
// (in one of BoundaryCodeProperties) and a Polygon or MultiPolygon
// geometry of closed rings of valid WGS84 positions. Each geometry is
// returned compact: every vertex kept, longitude and latitude only, no
// properties.
func ParseBoundaries(name string, data []byte) ([]Boundary, error) {
	fileErr := func(format string, args ...any) error {
		return &BoundaryError{File: name, Feature: -1, Reason: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxBoundaryFile {
		return nil, fileErr("tệp lớn quá %d MB (file too large)", MaxBoundaryFile>>20)
	}
	var top struct {
		Type     string             `json:"type"`
		Features *[]json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &top); err != nil {
		return nil, fileErr("không phải GeoJSON hợp lệ (not valid JSON: %v)", err)
	}
	if top.Type != "FeatureCollection" {
		return nil, fileErr("cần một FeatureCollection, tệp có type %q (not a FeatureCollection)", top.Type)
	}
	if top.Features == nil || len(*top.Features) == 0 {
		return nil, fileErr("FeatureCollection không có đối tượng nào (no features)")
	}
	seen := map[string]int{}
	out := make([]Boundary, 0, len(*top.Features))
	for i, raw := range *top.Features {
		b, err := parseFeature(raw)
		if err != nil {
			err.File, err.Feature = name, i
			return nil, err
		}
		if first, dup := seen[b.ProvinceCode]; dup {
			return nil, &BoundaryError{File: name, Feature: i, Code: b.ProvinceCode,
				Reason: fmt.Sprintf("mã tỉnh trùng với features[%d] (duplicate province code)", first)}
		}
		seen[b.ProvinceCode] = i
		out = append(out, b)
	}
	return out, nil
}

func parseFeature(raw json.RawMessage) (Boundary, *BoundaryError) {
	var f struct {
		Type       string                     `json:"type"`
		Properties map[string]json.RawMessage `json:"properties"`
		Geometry   json.RawMessage            `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return Boundary{}, &BoundaryError{Reason: fmt.Sprintf("không phải một Feature (not a feature: %v)", err)}
	}
	if f.Type != "Feature" {
		return Boundary{}, &BoundaryError{Reason: fmt.Sprintf("cần type \"Feature\", có %q", f.Type)}
	}
	code, err := featureCode(f.Properties)
	if err != nil {
		return Boundary{}, err
	}
	geom, reason := compactGeometry(f.Geometry)
	if reason != "" {
		return Boundary{}, &BoundaryError{Code: code, Reason: reason}
	}
	return Boundary{ProvinceCode: code, Geometry: geom}, nil
}

func featureCode(props map[string]json.RawMessage) (string, *BoundaryError) {
	for _, key := range BoundaryCodeProperties {
		raw, ok := props[key]
		if !ok || string(raw) == "null" {
			continue
		}
		var code string
		if err := json.Unmarshal(raw, &code); err != nil {
			return "", &BoundaryError{Reason: fmt.Sprintf("thuộc tính %s phải là chuỗi, ví dụ \"01\" (the code must be a string, got %s)", key, raw)}
		}
		code = strings.TrimSpace(code)
		if !codePattern.MatchString(code) {
			return "", &BoundaryError{Reason: fmt.Sprintf("mã tỉnh %q không hợp lệ (bad code)", code)}
		}
		return code, nil
	}
	return "", &BoundaryError{Reason: fmt.Sprintf("thiếu mã tỉnh: cần một trong các thuộc tính %s (no province code)", strings.Join(BoundaryCodeProperties, ", "))}
}

// compactGeometry checks a Polygon or MultiPolygon and writes it again
// without whitespace, properties or altitudes. Numbers are written in their
// shortest exact form, so no vertex moves.
func compactGeometry(raw json.RawMessage) (json.RawMessage, string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, "thiếu hình (no geometry)"
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Sprintf("hình không hợp lệ (bad geometry: %v)", err)
	}
	var polys [][][][]float64
	switch g.Type {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil || p == nil {
			return nil, "tọa độ Polygon không đúng dạng [[[kinh độ, vĩ độ], ...]] (bad Polygon coordinates)"
		}
		polys = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil || len(polys) == 0 {
			return nil, "tọa độ MultiPolygon không đúng dạng [[[[kinh độ, vĩ độ], ...]]] (bad MultiPolygon coordinates)"
		}
	default:
		return nil, fmt.Sprintf("hình %q không được chấp nhận, cần Polygon hoặc MultiPolygon (bad geometry type)", g.Type)
	}
	for pi, poly := range polys {
		if len(poly) == 0 {
			return nil, fmt.Sprintf("đa giác %d không có vòng nào (polygon %d has no ring)", pi, pi)
		}
		for ri, ring := range poly {
			if len(ring) < 4 {
				return nil, fmt.Sprintf("vòng %d của đa giác %d có %d điểm, cần ít nhất 4 (ring too short)", ri, pi, len(ring))
			}
			for vi, pos := range ring {
				if len(pos) < 2 {
					return nil, fmt.Sprintf("điểm %d của vòng %d, đa giác %d thiếu tọa độ (position needs longitude and latitude)", vi, ri, pi)
				}
				lon, lat := pos[0], pos[1]
				if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
					return nil, fmt.Sprintf("điểm %d của vòng %d, đa giác %d nằm ngoài WGS84 (%v, %v) (position out of range)", vi, ri, pi, lon, lat)
				}
				ring[vi] = pos[:2]
			}
			first, last := ring[0], ring[len(ring)-1]
			if first[0] != last[0] || first[1] != last[1] {
				return nil, fmt.Sprintf("vòng %d của đa giác %d không khép kín: điểm đầu khác điểm cuối (ring not closed)", ri, pi)
			}
		}
	}
	var out any = polys
	if g.Type == "Polygon" {
		out = polys[0]
	}
	b, err := json.Marshal(struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}{g.Type, out})
	if err != nil {
		return nil, fmt.Sprintf("hình không ghi lại được (%v)", err)
	}
	return b, ""
}

// BoundaryOptions says what a boundary file means.
type BoundaryOptions struct {
	FileName  string
	ValidFrom string // the first day the boundaries hold
	Actor     string
	Now       time.Time
	Progress  Progress // nil: not told
}

// BoundaryResult counts what a boundary import did.
type BoundaryResult struct {
	Features  int
	Inserted  int
	Updated   int // a boundary of the same province and date replaced
	Unchanged int
	Bytes     int // the stored size of the geometries read
}

// Changed reports whether the import changed anything.
func (r BoundaryResult) Changed() bool { return r.Inserted+r.Updated > 0 }

// ImportBoundaries reads a boundary file and stores every feature's
// geometry from ValidFrom, in one transaction: all of it or nothing. Every
// feature's code must be a province in force on ValidFrom. A province the
// file leaves out keeps the boundary it had.
func (s *Service) ImportBoundaries(ctx context.Context, opt BoundaryOptions, data []byte) (BoundaryResult, error) {
	var res BoundaryResult
	name := opt.FileName
	if !ValidDate(opt.ValidFrom) {
		return res, &BoundaryError{File: name, Feature: -1, Reason: fmt.Sprintf("ngày hiệu lực %q không hợp lệ, cần dạng YYYY-MM-DD", opt.ValidFrom)}
	}
	if opt.Now.IsZero() {
		opt.Now = s.Clock.Now()
	}
	opt.Progress.Report("reading GeoJSON", 0, 0)
	bs, err := ParseBoundaries(name, data)
	if err != nil {
		return res, err
	}
	opt.Progress.Report("provinces read", len(bs), 0)
	res.Features = len(bs)
	for _, b := range bs {
		res.Bytes += len(b.Geometry)
	}
	sum := sha256.Sum256(data)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		res.Inserted, res.Updated, res.Unchanged = 0, 0, 0
		opt.Progress.Report("checking", 0, 0)
		provinces := map[string]bool{}
		rows, err := tx.Query(ctx, "SELECT code FROM units WHERE level = 'province' AND "+inForce, opt.ValidFrom, opt.ValidFrom)
		if err != nil {
			return fmt.Errorf("geo: boundaries: %w", err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return fmt.Errorf("geo: boundaries: %w", err)
			}
			provinces[c] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("geo: boundaries: %w", err)
		}
		for i, b := range bs {
			if !provinces[b.ProvinceCode] {
				return &BoundaryError{File: name, Feature: i, Code: b.ProvinceCode,
					Reason: fmt.Sprintf("không có tỉnh, thành phố mã %s vào ngày %s (unknown province code)", b.ProvinceCode, opt.ValidFrom)}
			}
		}
		now := store.FormatTime(opt.Now)
		// A geometry may be megabytes: every one is reported.
		const writing = "writing boundaries"
		for i, b := range bs {
			opt.Progress.Report(writing, i, len(bs))
			var old string
			err := tx.QueryRow(ctx, "SELECT geojson FROM province_boundaries WHERE province_code = ? AND valid_from = ?", b.ProvinceCode, opt.ValidFrom).Scan(&old)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.Exec(ctx, "INSERT INTO province_boundaries (province_code, valid_from, geojson, source, imported_at) VALUES (?, ?, ?, ?, ?)",
					b.ProvinceCode, opt.ValidFrom, string(b.Geometry), name, now); err != nil {
					return fmt.Errorf("geo: boundary of %s: %w", b.ProvinceCode, err)
				}
				res.Inserted++
			case err != nil:
				return fmt.Errorf("geo: boundary of %s: %w", b.ProvinceCode, err)
			case old == string(b.Geometry):
				res.Unchanged++
			default:
				if _, err := tx.Exec(ctx, "UPDATE province_boundaries SET geojson = ?, source = ?, imported_at = ? WHERE province_code = ? AND valid_from = ?",
					string(b.Geometry), name, now, b.ProvinceCode, opt.ValidFrom); err != nil {
					return fmt.Errorf("geo: boundary of %s: %w", b.ProvinceCode, err)
				}
				res.Updated++
			}
		}
		opt.Progress.Report(writing, len(bs), len(bs))
		opt.Progress.Report("saving", 0, 0)
		if !res.Changed() {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO geo_imports (file_name, sha256, kind, valid_from, valid_to, rows_read, rows_changed, imported_at)
			VALUES (?, ?, 'boundaries', ?, NULL, ?, ?, ?)`, name, hex.EncodeToString(sum[:]), opt.ValidFrom, res.Features, res.Inserted+res.Updated, now); err != nil {
			return fmt.Errorf("geo: record boundary import: %w", err)
		}
		return audit.Append(ctx, tx, audit.Entry{At: opt.Now, Actor: opt.Actor, Action: "geo.import_boundaries", Object: "file:" + name,
			Detail: fmt.Sprintf("from=%s features=%d inserted=%d updated=%d", opt.ValidFrom, res.Features, res.Inserted, res.Updated)})
	})
	return res, err
}

// Boundaries returns the boundary of every province in force on d that has
// one holding on d (its latest from d or before), in code order.
func (s *Service) Boundaries(ctx context.Context, d string) ([]Boundary, error) {
	rows, err := s.DB.Query(ctx, `SELECT b.province_code, b.valid_from, b.geojson FROM province_boundaries b
		WHERE b.valid_from = (SELECT MAX(x.valid_from) FROM province_boundaries x WHERE x.province_code = b.province_code AND x.valid_from <= ?)
		AND b.province_code IN (SELECT code FROM units WHERE level = 'province' AND `+inForce+`)
		ORDER BY b.province_code`, d, d, d)
	if err != nil {
		return nil, fmt.Errorf("geo: boundaries on %s: %w", d, err)
	}
	defer rows.Close()
	var out []Boundary
	for rows.Next() {
		var b Boundary
		var g string
		if err := rows.Scan(&b.ProvinceCode, &b.ValidFrom, &g); err != nil {
			return nil, fmt.Errorf("geo: boundaries on %s: %w", d, err)
		}
		b.Geometry = json.RawMessage(g)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("geo: boundaries on %s: %w", d, err)
	}
	return out, nil
}
