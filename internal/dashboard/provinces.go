package dashboard

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"toandan/internal/errs"
	"toandan/internal/movement"
	"toandan/internal/recognition"
	"toandan/internal/store"
)

// The province map colours every province by one figure of the year,
// counted as the province's dashboard counts it.

// Map indicator codes, as they appear in the map's address (?chi-so=).
const (
	MapReceived   = "tin-tiep-nhan"
	MapOverdue    = "qua-han"
	MapFestival   = "ngay-hoi"
	MapRecognised = "cong-nhan"
)

// MapIndicator is a figure the province map can be coloured by.
type MapIndicator struct {
	Code    string
	Name    string
	Measure string // after a value: "nguồn tin", "%"
	Percent bool
	// About says how the figure is counted, for the page.
	About string
}

var mapIndicators = []MapIndicator{
	{MapReceived, "Nguồn tin về tội phạm tiếp nhận trong năm", "nguồn tin", false,
		"Tố giác, tin báo, kiến nghị khởi tố do Công an tỉnh và Công an các xã, phường, đặc khu của tỉnh tiếp nhận trong năm. Chưa có số dân nên chưa tính trên 100.000 dân."},
	{MapOverdue, "Nguồn tin đang quá hạn giải quyết", "nguồn tin", false,
		"Nguồn tin tiếp nhận trong năm, chưa giải quyết xong, có thời hạn đã qua tính đến thời điểm xem."},
	{MapFestival, "Điểm Ngày hội Toàn dân bảo vệ ANTQ cấp xã đã tổ chức so với kế hoạch", "%", true,
		"Số xã, phường, đặc khu đã tổ chức Ngày hội so với số điểm tỉnh đặt kế hoạch; tỉnh chưa có kế hoạch thì chưa có số liệu."},
	{MapRecognised, "Xã, phường, đặc khu được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”", "%", true,
		"Tỷ lệ đơn vị cấp xã của tỉnh được công nhận trong năm."},
}

// MapIndicators lists the figures the map can show, the default first.
func MapIndicators() []MapIndicator { return append([]MapIndicator(nil), mapIndicators...) }

// MapIndicatorByCode returns the map indicator with code.
func MapIndicatorByCode(code string) (MapIndicator, bool) {
	for _, m := range mapIndicators {
		if m.Code == code {
			return m, true
		}
	}
	return MapIndicator{}, false
}

// ProvinceValue is one province's figure.
type ProvinceValue struct {
	Code, Name string
	Value      float64
	// NoData is set when the province has no figure; Note says why.
	NoData bool
	Note   string
}

// ProvinceMap is one figure for every province in force in the year.
type ProvinceMap struct {
	Indicator MapIndicator
	Year      int
	// Date is the day whose geography is drawn (see Dashboard.Date); Now
	// the time the figures were computed.
	Date      string
	Now       time.Time
	Provinces []ProvinceValue
}

// ByProvince computes indicator (a MapIndicator code) for every province
// in force in year, in code order.
func (s *Service) ByProvince(ctx context.Context, indicator string, year int) (ProvinceMap, error) {
	ind, ok := MapIndicatorByCode(indicator)
	if !ok {
		return ProvinceMap{}, errs.Field("chi-so", "Không có chỉ số “%s” để tô bản đồ.", indicator)
	}
	if year < 2005 || year > 2100 {
		return ProvinceMap{}, errs.Field("nam", "Năm %d không hợp lệ.", year)
	}
	now := s.Clock.Now()
	m := ProvinceMap{Indicator: ind, Year: year, Date: refDate(year, now), Now: now}
	provinces, err := s.Geo.Provinces(ctx, m.Date)
	if err != nil {
		return m, err
	}
	for _, p := range provinces {
		m.Provinces = append(m.Provinces, ProvinceValue{Code: p.Code, Name: p.Title()})
	}
	switch indicator {
	case MapReceived, MapOverdue:
		err = s.sourcesByProvince(ctx, &m)
	case MapFestival:
		err = s.festivalByProvince(ctx, &m)
	case MapRecognised:
		err = s.recognisedByProvince(ctx, &m)
	}
	if err != nil {
		return ProvinceMap{}, fmt.Errorf("dashboard: map %s %d: %w", indicator, year, err)
	}
	return m, nil
}

// sourcesByProvince counts, in one grouped pass, what the province
// dashboards count one by one: sources received in the year by the police
// units of each province (from the counters, as a province's dashboard
// reads them), or those of them open with a limit past due now.
func (s *Service) sourcesByProvince(ctx context.Context, m *ProvinceMap) error {
	q := `SELECT province_code, CAST(SUM(n) AS BIGINT) FROM source_counts WHERE month >= ? AND month <= ? GROUP BY province_code`
	args := []any{fmt.Sprintf("%04d-01", m.Year), fmt.Sprintf("%04d-12", m.Year)}
	if m.Indicator.Code == MapOverdue {
		b := monthBounds(m.Year)
		// Overdue is the nearest open limit past due (deadline.State), that
		// is any open limit due by now.
		q = `SELECT p.province_code, COUNT(DISTINCT s.id) FROM sources s JOIN police_units p ON p.id = s.receiving_unit_id
			JOIN source_deadlines d ON d.source_id = s.id
			WHERE s.received_at >= ? AND s.received_at < ? AND s.status NOT IN (` + quoted(closedStatuses()) + `)
			AND d.met_at = '' AND d.cancelled_at = '' AND d.due_at <= ?
			GROUP BY p.province_code`
		args = []any{b[0], b[12], store.FormatTime(m.Now)}
	}
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return err
		}
		counts[code] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range m.Provinces {
		m.Provinces[i].Value = float64(counts[m.Provinces[i].Code])
	}
	return nil
}

func (s *Service) festivalByProvince(ctx context.Context, m *ProvinceMap) error {
	rows, _, err := s.Movement.FestivalByProvinceOn(ctx, m.Year, m.Date)
	if err != nil {
		return err
	}
	byCode := map[string]movement.ProvinceRow{}
	for _, r := range rows {
		byCode[r.ProvinceCode] = r
	}
	for i := range m.Provinces {
		p := &m.Provinces[i]
		r, ok := byCode[p.Code]
		if !ok || r.PlannedPoints <= 0 {
			p.NoData, p.Note = true, "Chưa có kế hoạch số điểm Ngày hội năm "+strconv.Itoa(m.Year)+"."
			continue
		}
		p.Value = r.PlanPct
	}
	return nil
}

// recognisedByProvince computes recognition.CommunesRecognisedPct for
// every province at once: the share of the commune-level units in force on
// the map's date whose commune cycle of the year is recognised. Asking
// recognition once per province costs 34 round trips of a query that needs
// fresh planner statistics on PostgreSQL; three plain reads do here.
func (s *Service) recognisedByProvince(ctx context.Context, m *ProvinceMap) error {
	const inForce = "valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)"
	d := m.Date
	// Communes hang from a province, or before the 2025 reform from a
	// district of one.
	districts := map[string]string{}
	if err := s.scanPairs(ctx, "SELECT code, parent_code FROM units WHERE level = 'district' AND "+inForce, []any{d, d}, func(code, parent string) {
		districts[code] = parent
	}); err != nil {
		return err
	}
	provinceOf := map[string]string{}
	total := map[string]int{}
	if err := s.scanPairs(ctx, "SELECT code, parent_code FROM units WHERE level = 'commune' AND "+inForce, []any{d, d}, func(code, parent string) {
		if p, ok := districts[parent]; ok {
			parent = p
		}
		provinceOf[code] = parent
		total[parent]++
	}); err != nil {
		return err
	}
	recognised := map[string]int{}
	if err := s.scanPairs(ctx, "SELECT DISTINCT subject_code, '' FROM recognition_cycles WHERE subject_kind = ? AND status = ? AND year = ?",
		[]any{recognition.KindCommune, recognition.StatusRecognised, m.Year}, func(code, _ string) {
			if p, ok := provinceOf[code]; ok {
				recognised[p]++
			}
		}); err != nil {
		return err
	}
	for i := range m.Provinces {
		p := &m.Provinces[i]
		if total[p.Code] == 0 {
			p.NoData, p.Note = true, fmt.Sprintf("%s không có đơn vị cấp xã nào vào ngày %s.", p.Name, d)
			continue
		}
		p.Value = float64(recognised[p.Code]) * 100 / float64(total[p.Code])
	}
	return nil
}

// scanPairs runs a query of two text columns and hands each row to fn.
func (s *Service) scanPairs(ctx context.Context, q string, args []any, fn func(a, b string)) error {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

// Class is one colour class of the map and its legend. The colours are
// those of the classes lop-0 … lop-5 in the web package's style sheet.
type Class struct {
	Key   string // "lop-1" … "lop-5"; "lop-0" for no figure
	Label string
	Fill  string // background
	Text  string // text on the background, at a contrast of 4.5:1 or more
	lo    float64
}

// NoDataClass is the class of a province without a figure.
var NoDataClass = Class{Key: "lop-0", Label: "Chưa có số liệu", Fill: "#e0e0e0", Text: "#1b1b1b"}

// palette is a sequential scale, light to dark: more of the figure is
// darker, whatever the figure.
var palette = [5]struct{ fill, text string }{
	{"#eff3ff", "#1b1b1b"},
	{"#c6dbef", "#1b1b1b"},
	{"#6baed6", "#1b1b1b"},
	{"#2171b5", "#ffffff"},
	{"#08306b", "#ffffff"},
}

// Palette returns the classes' colours, no-data first, for checks that the
// style sheet matches.
func Palette() []Class {
	out := []Class{NoDataClass}
	for i, p := range palette {
		out = append(out, Class{Key: "lop-" + strconv.Itoa(i+1), Fill: p.fill, Text: p.text})
	}
	return out
}

// percentBreaks are the lower bounds of the classes of a share: the 99 %
// recognition target and the plan's 100 % fall in the top classes.
var percentBreaks = []struct {
	lo    float64
	label string
}{
	{0, "Dưới 50%"},
	{50, "50% – dưới 80%"},
	{80, "80% – dưới 95%"},
	{95, "95% – dưới 100%"},
	{100, "Từ 100% trở lên"},
}

// Classes is the map's legend, lowest class first, without the no-data
// class. Shares use fixed classes; counts five classes from 0 to the
// largest count, in round steps.
func (m ProvinceMap) Classes() []Class {
	var out []Class
	add := func(i int, lo float64, label string) {
		out = append(out, Class{Key: "lop-" + strconv.Itoa(i+1), Label: label, Fill: palette[i].fill, Text: palette[i].text, lo: lo})
	}
	if m.Indicator.Percent {
		for i, b := range percentBreaks {
			add(i, b.lo, b.label)
		}
		return out
	}
	top := 0.0
	for _, p := range m.Provinces {
		if !p.NoData && p.Value > top {
			top = p.Value
		}
	}
	add(0, 0, "0")
	if top <= 0 {
		return out
	}
	step := niceStep(int(math.Ceil(top / 4)))
	for i := 1; i < 5; i++ {
		lo, hi := (i-1)*step+1, i*step
		label := rangeLabel(lo, hi)
		if i == 4 {
			label = "Từ " + groupThousands(lo) + " trở lên"
		}
		add(i, float64(lo), label)
		if float64(hi) >= top {
			break
		}
	}
	return out
}

// ClassOf returns the class of a province's figure among classes.
func ClassOf(classes []Class, p ProvinceValue) Class {
	if p.NoData || len(classes) == 0 {
		return NoDataClass
	}
	c := classes[0]
	for _, x := range classes {
		if p.Value >= x.lo {
			c = x
		}
	}
	return c
}

// niceStep rounds n up to 1, 2 or 5 times a power of ten.
func niceStep(n int) int {
	if n < 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, f := range []int{1, 2, 5} {
			if f*p >= n {
				return f * p
			}
		}
	}
}

func rangeLabel(lo, hi int) string {
	if lo == hi {
		return groupThousands(lo)
	}
	return groupThousands(lo) + "–" + groupThousands(hi)
}

// groupThousands writes n the Vietnamese way: 5.813.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ValueText words a province's figure: "12 nguồn tin", "66,7%".
func (m ProvinceMap) ValueText(p ProvinceValue) string {
	if p.NoData {
		return "Chưa có số liệu"
	}
	if m.Indicator.Percent {
		return strings.Replace(strconv.FormatFloat(p.Value, 'f', 1, 64), ".", ",", 1) + "%"
	}
	return groupThousands(int(p.Value)) + " " + m.Indicator.Measure
}
