// Package demo fills an empty database with a realistic, made-up history of
// toandan, so that every page has something to show: the geography, staff
// accounts for every role, several years of crime reports in every state of
// their handling, and the movement's festival days, models, recognition
// cycles and targets. It writes only through the services, moving a shared
// clock through the years as it goes, so the data obeys every rule a real
// history would. The same seed gives the same history.
package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"time"

	"toandan/internal/account"
	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/recognition"
	"toandan/internal/store"
)

var vnZone = clock.Vietnam

// Services are what Seed writes through. They must all hold Clock, which
// Seed moves through the history.
type Services struct {
	DB          *store.DB
	Geo         *geo.Service
	Accounts    *account.Service
	Sources     *crimesource.Service
	Movement    *movement.Service
	Recognition *recognition.Service
	Clock       Mover
}

func (s Services) check() error {
	if s.DB == nil || s.Geo == nil || s.Accounts == nil || s.Sources == nil || s.Movement == nil || s.Recognition == nil || s.Clock == nil {
		return fmt.Errorf("demo: every service and the clock are needed")
	}
	var c clock.Clock = s.Clock
	for _, x := range []struct {
		name string
		c    clock.Clock
	}{{"geo", s.Geo.Clock}, {"account", s.Accounts.Clock}, {"crimesource", s.Sources.Clock}, {"movement", s.Movement.Clock}, {"recognition", s.Recognition.Clock}} {
		if x.c != c {
			return fmt.Errorf("demo: the %s service does not hold the demo clock", x.name)
		}
	}
	return nil
}

// Options choose the history.
type Options struct {
	Seed int64
	// Size is "small" (a few hundred reports; the default), "large"
	// (twelve thousand) or "tiny" (a few dozen, for tests).
	Size string
	// GeoDir is a folder shaped like vn-admin (units-2025.csv, and
	// optionally units-2026.csv, units-2022.csv, lineage-2025.csv). Empty:
	// sample communes labelled "mẫu".
	GeoDir string
	// Now is where the history ends: the time the demo will be served at.
	// Zero means the system time. Time limits of the reports still open are
	// placed so that, at Now, some are at risk and some overdue.
	Now time.Time
	// Log receives progress; nil discards it.
	Log *slog.Logger
}

// User is a staff account the demo made, with what it takes to sign in.
type User struct {
	Username    string
	DisplayName string
	Role        account.Role
	Unit        string // unit code
	UnitName    string
	Password    string
	// TOTPSecret (base32) is set for roles that need a second factor; add
	// it to an authenticator app. RecoveryCodes are single-use fallbacks.
	TOTPSecret    string
	RecoveryCodes []string
}

// Count is one line of what Seed made.
type Count struct {
	What string
	N    int
}

// Result says what Seed made.
type Result struct {
	Seed      int64
	Size      string
	Geography string // "official lists" or "sample communes"
	From, To  time.Time
	// Users are the accounts to sign in with, one or more per role.
	Users []User
	// OtherUsers counts the accounts made to carry the history of the
	// other provinces and communes; their passwords are not kept (reset
	// them with toandan user passwd).
	OtherUsers int
	Counts     []Count
	Notes      []string
	Elapsed    time.Duration
}

// Size presets.
type sizeSpec struct {
	name            string
	reports         int     // crime reports over the whole history
	activeCommunes  int     // communes per province with officers who receive reports (official lists)
	recogCommunes   int     // communes per other province with recognition cycles
	recogShare      float64 // share of the other provinces with them
	reviewCap       int     // imported festival points a featured province reviews per year
	compact         bool
	shareProvince19 float64 // share of province 19's communes with a 2026 cycle
}

var sizes = map[string]sizeSpec{
	"tiny":  {name: "tiny", reports: 80, activeCommunes: 1, recogCommunes: 1, recogShare: 0.15, reviewCap: 3, shareProvince19: 0.2},
	"small": {name: "small", reports: 300, activeCommunes: 2, recogCommunes: 1, recogShare: 0.4, reviewCap: 12, shareProvince19: 0.2},
	"large": {name: "large", reports: 12000, activeCommunes: 8, recogCommunes: 4, recogShare: 1, reviewCap: 150, compact: true, shareProvince19: 1},
}

// featuredProvinces are the provinces whose staff accounts are handed out:
// Hà Nội, Hồ Chí Minh, and Thái Nguyên (the province of the conference's
// 99% target).
var featuredProvinces = []string{"01", "79", "19"}

// earliestEnd is the earliest end of history Seed accepts: the demo shows
// the geography after the reform of 1 July 2025 and a festival season on it.
var earliestEnd = vnTime(2025, 10, 1, 0, 0)

// Seed writes a whole history into an empty database. It leaves the clock
// at the end of the history; the caller then switches it to real time (see
// Clock.UseReal) before serving.
func Seed(ctx context.Context, s Services, opt Options) (res Result, err error) {
	started := time.Now()
	if err := s.check(); err != nil {
		return Result{}, err
	}
	if opt.Size == "" {
		opt.Size = "small"
	}
	size, ok := sizes[opt.Size]
	if !ok {
		return Result{}, fmt.Errorf("demo: size %q: use small, large or tiny", opt.Size)
	}
	end := opt.Now
	if end.IsZero() {
		end = time.Now()
	}
	end = end.Truncate(time.Second)
	if end.Before(earliestEnd) {
		return Result{}, fmt.Errorf("demo: the history must end after %s", earliestEnd.Format(time.DateOnly))
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := ensureEmpty(ctx, s.DB); err != nil {
		return Result{}, err
	}
	g, err := loadGeography(opt.GeoDir)
	if err != nil {
		return Result{}, err
	}
	res = Result{Seed: opt.Seed, Size: size.name, From: vnTime(2022, 1, 1, 0, 0), To: end, Geography: "sample communes"}
	if g.realNew {
		res.Geography = "official lists"
	}
	if s.DB.Engine == store.SQLite {
		// The demo database is disposable: while it is written, a commit
		// need not wait for the disk (WAL stays consistent). The writer is
		// one connection, so the setting holds for every write below.
		if _, err := s.DB.Exec(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		defer func() {
			if _, e := s.DB.Exec(context.WithoutCancel(ctx), "PRAGMA synchronous = FULL"); e != nil && err == nil {
				err = fmt.Errorf("demo: %w", e)
			}
		}()
	}
	sd := &seeder{s: s, opt: opt, size: size, end: end, g: g, accts: map[string]*acct{}, log: opt.Log}
	bg := *s.Accounts
	bg.Settings.PasswordParams = fastParams
	sd.bg = &bg
	if err := sd.plan(ctx); err != nil {
		return Result{}, err
	}
	opt.Log.Info("demo: history planned", "events", len(sd.events), "seed", opt.Seed, "size", size.name, "geography", res.Geography)
	if err := sd.run(ctx); err != nil {
		return Result{}, err
	}
	s.Clock.Set(end)
	res.Users, res.OtherUsers = sd.users()
	if res.Counts, err = counts(ctx, s.DB, dateOf(end)); err != nil {
		return Result{}, err
	}
	res.Notes = sd.notes()
	res.Elapsed = time.Since(started)
	return res, nil
}

// ensureEmpty refuses a database that already holds a history: the demo is
// for a fresh data folder, never for real data.
func ensureEmpty(ctx context.Context, db *store.DB) error {
	for _, t := range []string{"users", "sources", "festival_points", "recognition_cycles", "grassroots_models", "residential_areas"} {
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if n > 0 {
			return errs.E(errs.Conflict, "Cơ sở dữ liệu đã có dữ liệu (%s); chỉ tạo dữ liệu mẫu trong một thư mục dữ liệu mới.", t)
		}
	}
	return nil
}

// seeder plans the history as timed events, then runs them in time order.
type seeder struct {
	s    Services
	bg   *account.Service // for the accounts whose passwords nobody keeps
	opt  Options
	size sizeSpec
	end  time.Time
	g    *geography
	log  *slog.Logger

	accts     map[string]*acct
	acctOrder []*acct

	events  []event
	dropped int // planned after the end: left undone

	// Filled while planning, read while running.
	featuredCommunes map[string][]unit // by province
	activeCommunes   map[string][]unit // communes with officers, by province
	recog25, recog26 map[string][]unit // communes with recognition cycles, by province
	models           map[string]int    // grassroots models planned, by province
	wardCycles       map[string]bool   // wards with a model ward cycle
	officerOf        map[string]*acct  // commune police officer, by commune code
	areaNames        map[string][]string
	skipImport       map[string]bool // communes whose festival points their officers record
}

// event is one step of the history.
type event struct {
	at   time.Time
	what string
	fn   func(ctx context.Context) error
}

// at plans fn at t. Events at the same time run in the order planned.
func (sd *seeder) at(t time.Time, what string, fn func(ctx context.Context) error) {
	sd.events = append(sd.events, event{at: t, what: what, fn: fn})
}

// rng returns the random source of one part of the history, so that
// changing one part does not reshuffle the others.
func (sd *seeder) rng(part string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(part))
	return rand.New(rand.NewPCG(uint64(sd.opt.Seed), h.Sum64()))
}

func (sd *seeder) plan(ctx context.Context) error {
	sd.planGeography()
	sd.planAccounts()
	sd.planMovement()
	sd.planRecognition()
	sd.planTargets()
	return sd.planCrime(ctx)
}

// run runs the events in time order, each with the clock at its time.
// Events planned at or after the end are what is still to come: left out.
func (sd *seeder) run(ctx context.Context) error {
	sort.SliceStable(sd.events, func(i, j int) bool { return sd.events[i].at.Before(sd.events[j].at) })
	last := time.Now()
	for i, e := range sd.events {
		if !e.at.Before(sd.end) {
			sd.dropped = len(sd.events) - i
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		sd.s.Clock.Set(e.at)
		if err := e.fn(ctx); err != nil {
			return fmt.Errorf("demo: %s (%s): %w", e.what, e.at.In(vnZone).Format("2006-01-02 15:04"), err)
		}
		if time.Since(last) > 5*time.Second {
			last = time.Now()
			sd.log.Info("demo: writing history", "at", e.at.In(vnZone).Format(time.DateOnly), "done", i+1, "of", len(sd.events))
		}
	}
	return nil
}

func (sd *seeder) notes() []string {
	var n []string
	switch {
	case sd.g.realNew && len(sd.g.imports) > 2:
		n = append(n, "Địa giới: danh mục chính thức từ 01/07/2025 và 30/04/2026.")
	case sd.g.realNew:
		n = append(n, "Địa giới: danh mục chính thức từ 01/07/2025.")
	default:
		n = append(n, "Địa giới: 34 tỉnh, thành phố có sẵn và các xã, phường mẫu (mã M…, tên có chữ “mẫu”), không phải danh mục thật.")
	}
	if sd.g.realOld {
		n = append(n, "Danh mục trước sắp xếp (units-2022.csv, trạng thái ngày 01/03/2025) được coi là có hiệu lực từ 01/01/2022 để chứa số liệu phong trào 2022–2024.")
	} else {
		n = append(n, "Trước 01/07/2025: 63 tỉnh, thành phố của thời kỳ đó với các xã, phường mẫu (mã C…) và liên kết sang xã mới.")
	}
	n = append(n, "Tin báo trước 01/07/2025 được tiếp nhận ở Công an cấp tỉnh (không có công an xã của địa giới cũ trong dữ liệu mẫu).")
	if sd.dropped > 0 {
		n = append(n, fmt.Sprintf("%d bước xử lý dự kiến sau thời điểm kết thúc chưa diễn ra: đó là các việc đang làm dở.", sd.dropped))
	}
	return n
}

// counts reads back what is in the database.
func counts(ctx context.Context, db *store.DB, today string) ([]Count, error) {
	const inForce = " AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)"
	qs := []struct {
		what, q string
		args    []any
	}{
		{"tỉnh, thành phố đang có hiệu lực", "SELECT COUNT(*) FROM units WHERE level = 'province'" + inForce, []any{today, today}},
		{"xã, phường, đặc khu đang có hiệu lực", "SELECT COUNT(*) FROM units WHERE level = 'commune'" + inForce, []any{today, today}},
		{"phiên bản xã, phường đã hết hiệu lực", "SELECT COUNT(*) FROM units WHERE level = 'commune' AND valid_to IS NOT NULL", nil},
		{"khu dân cư", "SELECT COUNT(*) FROM residential_areas", nil},
		{"tài khoản", "SELECT COUNT(*) FROM users", nil},
		{"nguồn tin về tội phạm", "SELECT COUNT(*) FROM sources", nil},
		{"tin nhắn với người báo tin", "SELECT COUNT(*) FROM source_messages", nil},
		{"kế hoạch Ngày hội", "SELECT COUNT(*) FROM festival_plans", nil},
		{"điểm tổ chức Ngày hội", "SELECT COUNT(*) FROM festival_points", nil},
		{"mô hình tự quản", "SELECT COUNT(*) FROM grassroots_models", nil},
		{"đánh giá mô hình", "SELECT COUNT(*) FROM model_evaluations", nil},
		{"hồ sơ công nhận", "SELECT COUNT(*) FROM recognition_cycles", nil},
		{"chỉ tiêu", "SELECT COUNT(*) FROM targets", nil},
		{"bản ghi nhật ký", "SELECT COUNT(*) FROM audit_log", nil},
	}
	var out []Count
	for _, q := range qs {
		var n int
		if err := db.QueryRow(ctx, q.q, q.args...).Scan(&n); err != nil {
			return nil, fmt.Errorf("demo: count %s: %w", q.what, err)
		}
		out = append(out, Count{q.what, n})
	}
	rows, err := db.Query(ctx, "SELECT status, COUNT(*) FROM sources GROUP BY status ORDER BY status")
	if err != nil {
		return nil, fmt.Errorf("demo: count: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("demo: count: %w", err)
		}
		out = append(out, Count{"nguồn tin: " + crimesource.StatusName(st), n})
	}
	return out, rows.Err()
}
