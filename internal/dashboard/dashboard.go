// Package dashboard computes the figures of one unit (the nation, a province
// or a commune) for one year, as the dashboards show them: crime sources
// received, by month, category and status, decided on time, overdue and at
// risk now; festival points held against the plan; recognition progress;
// and the targets with their states. Every figure is computed from recorded
// data on each call; nothing is typed in or cached. The national and
// provincial counts of sources are read from counters that database
// triggers keep in step with every write to the sources and their limits
// (see sources.go). Panels turns the figures into charts and the tables
// that carry the same numbers.
package dashboard

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"toandan/internal/clock"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/recognition"
	"toandan/internal/store"
)

// Service computes dashboards. Web pages and the API both call it.
type Service struct {
	DB          *store.DB
	Geo         *geo.Service
	Movement    *movement.Service
	Recognition *recognition.Service
	Clock       clock.Clock
	// AtRiskDays: an open limit with this many days left or fewer is at
	// risk; 0 means 3, as on the officers' home page
	// (crimesource.Service.AtRiskDays).
	AtRiskDays int
}

// LevelNation is the Level of the nation's dashboard; provinces and
// communes use geo.LevelProvince and geo.LevelCommune.
const LevelNation = "nation"

// Dashboard is the figures of one unit for one year.
type Dashboard struct {
	Unit  string // geo.Nation, a province code or a commune code
	Name  string // "Toàn quốc", "Thành phố Hà Nội", "Phường Ba Đình"
	Level string // LevelNation, geo.LevelProvince or geo.LevelCommune
	Year  int
	// Now is the clock's time when the figures were computed: overdue and
	// at risk are as of Now.
	Now time.Time
	// Date is the day whose geography the year is read on: 31 December,
	// or today while the year is running.
	Date string
	// PoliceUnit names, for a commune, the commune police unit whose
	// sources are counted (one unit may cover several communes).
	PoliceUnit string

	Sources     Sources
	Festival    Festival
	Recognition Recognition
	Targets     []TargetRow
}

// Sources are the figures of the crime sources received in the year by the
// police units of the unit's territory: for a province its province police
// and every commune police unit of the province, for a commune the commune
// police unit whose jurisdiction holds it, for the nation every unit. A
// source counts where it was received, wherever it went afterwards; the
// year and its months are reckoned in Vietnam time.
type Sources struct {
	Received   int
	ByMonth    [12]int
	ByCategory []Count // every category, in the table's order
	ByStatus   []Count // every status, in the order of the workflow
	// Open counts the sources not closed (suspended sources are open).
	Open int
	// Decided counts the sources whose resolution limit (rule decision,
	// decision_extended or procuracy_extension) of the deciding unit was
	// met by a decision (khởi tố, không khởi tố, tạm đình chỉ, or not a
	// crime); DecidedOnTime those decided before the limit's due time.
	Decided       int
	DecidedOnTime int
	// OnTimePct is DecidedOnTime as a share of Decided, 0 without
	// decisions.
	OnTimePct float64
	// Overdue counts the open sources with an open limit past due at Now;
	// AtRisk the other open sources whose nearest open limit has at most
	// AtRiskDays days left.
	Overdue    int
	AtRisk     int
	AtRiskDays int
}

// Count is a number of sources with one code (a category or a status).
type Count struct {
	Code, Name string
	N          int
}

// Festival is the year's festival figures (Ngày hội Toàn dân bảo vệ ANTQ) on
// the current geography, and for the nation one row per province, for a
// province one row per commune.
type Festival struct {
	movement.Figures
	// Verdict compares the commune-level points held with the plan, as the
	// conference report words it.
	Verdict string
	// RowLevel is geo.LevelProvince or geo.LevelCommune, "" without rows.
	RowLevel string
	Rows     []FestivalRow
	// RollUps counts the communes rolled up one by one by movement because
	// the rows placed here did not add up to the province's figures: 0
	// unless movement's placement rule changed and this package's did not.
	RollUps int
}

// FestivalRow is one province's or commune's festival figures.
type FestivalRow struct {
	Code, Name    string
	CommunePoints int // communes holding a commune-level point (0 or 1 for a commune)
	AreaPoints    int // residential areas holding a point
	Planned       int // the province's plan; communes have none
	Participants  int
	PlanPct       float64 // CommunePoints as a share of Planned, 0 without a plan
}

// Recognition is the movement's progress: computed indicators, each with
// the unit's own target for the year when there is one.
type Recognition struct {
	CommunesRecognisedPct Indicator
	RecognisedModelWards  Indicator
	ActiveModels          Indicator
}

// Indicator is one indicator's value for the unit and year.
type Indicator struct {
	Code    string
	Name    string
	Measure string // "%", "phường", "mô hình"
	Value   float64
	// NoData is set when the indicator has no value (e.g. no communes);
	// Note then says why.
	NoData bool
	Note   string
	// Target is the unit's own target on the indicator for the year, if
	// any (the first one set).
	Target *recognition.Target
}

// TargetRow is a target binding the unit, or a unit within it, for the
// year, with its state.
type TargetRow struct {
	recognition.TargetResult
	IndicatorName string
	Measure       string
	ScopeName     string // the unit, or "Từng tỉnh" / "Từng thành phố trực thuộc trung ương"
	// Err says why the target could not be evaluated (e.g. its unit is not
	// in force that year); State is then empty.
	Err string
}

// Get computes the dashboard of unit (geo.Nation, a province code or a
// commune code, in force in the year) for year.
func (s *Service) Get(ctx context.Context, unit string, year int) (Dashboard, error) {
	unit = strings.TrimSpace(unit)
	if year < 2005 || year > 2100 {
		return Dashboard{}, errs.Field("year", "Năm %d không hợp lệ.", year)
	}
	now := s.Clock.Now()
	d := Dashboard{Unit: unit, Year: year, Now: now, Date: refDate(year, now)}
	sc, err := s.scopeOf(ctx, &d)
	if err != nil {
		return Dashboard{}, err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errl []error
	)
	run := func(fn func() error) {
		wg.Go(func() {
			if err := fn(); err != nil {
				mu.Lock()
				errl = append(errl, err)
				mu.Unlock()
			}
		})
	}
	// The sections read independent data: compute them side by side. Each
	// goroutine writes its own field of d and reads only q.
	q := query{unit: d.Unit, level: d.Level, year: year, date: d.Date, now: now}
	run(func() (err error) { d.Sources, err = s.sources(ctx, sc, q); return })
	run(func() (err error) { d.Festival, err = s.festival(ctx, q); return })
	run(func() (err error) {
		if d.Targets, err = s.targets(ctx, q); err != nil {
			return err
		}
		d.Recognition, err = s.recognition(ctx, q, d.Targets)
		return err
	})
	wg.Wait()
	if len(errl) > 0 {
		return Dashboard{}, fmt.Errorf("dashboard %s %d: %w", unit, year, errl[0])
	}
	return d, nil
}

// query is what the sections of a dashboard are computed for.
type query struct {
	unit, level string
	year        int
	date        string
	now         time.Time
}

// refDate is the day whose geography a year is read on, as the movement
// and recognition packages read it: 31 December, or today while the year
// is not over.
func refDate(year int, now time.Time) string {
	end := fmt.Sprintf("%04d-12-31", year)
	if t := now.In(clock.Vietnam).Format(store.DateLayout); t < end {
		return t
	}
	return end
}

// scopeOf checks the unit, names it and returns the police units whose
// sources count.
func (s *Service) scopeOf(ctx context.Context, d *Dashboard) (scope, error) {
	if d.Unit == geo.Nation {
		d.Level, d.Name = LevelNation, "Toàn quốc"
		return scope{level: LevelNation}, nil
	}
	if d.Unit == "" {
		return scope{}, errs.Field("unit", "Vui lòng chọn đơn vị.")
	}
	u, err := s.Geo.UnitAt(ctx, d.Unit, d.Date)
	if errs.Is(err, errs.NotFound) {
		return scope{}, errs.E(errs.NotFound, "Không có đơn vị mã %s trong năm %d.", d.Unit, d.Year)
	}
	if err != nil {
		return scope{}, err
	}
	d.Level, d.Name = u.Level, u.Title()
	switch u.Level {
	case geo.LevelProvince:
		return scope{level: geo.LevelProvince, province: u.Code}, nil
	case geo.LevelCommune:
		p, err := s.Geo.PoliceForCommune(ctx, u.Code)
		if err != nil {
			return scope{}, err
		}
		d.PoliceUnit = p.Name
		return scope{level: geo.LevelCommune, policeUnitID: p.ID}, nil
	}
	return scope{}, errs.Field("unit", "Bảng số liệu chỉ có cho toàn quốc, tỉnh, thành phố và xã, phường, đặc khu; %s là đơn vị cấp huyện.", u.Title())
}

// indicatorOf returns an indicator with its name and measure.
func indicatorOf(code string) Indicator {
	in := Indicator{Code: code, Name: code}
	if def, ok := recognition.IndicatorByCode(code); ok {
		in.Name, in.Measure = def.Name, def.Measure
	}
	return in
}
