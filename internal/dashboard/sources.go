package dashboard

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/deadline"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// scope is the police units whose sources a dashboard counts.
type scope struct {
	level        string
	province     string // a province's own police and its communes'
	policeUnitID int64  // a commune's police unit
}

// where returns the condition on sources (aliased s) for the scope. It
// is on receiving_unit_id, which the sources_receiving_received index
// leads with; the nation needs none.
func (sc scope) where() (string, []any) {
	switch sc.level {
	case geo.LevelProvince:
		return "s.receiving_unit_id IN (SELECT p.id FROM police_units p WHERE p.province_code = ?)", []any{sc.province}
	case geo.LevelCommune:
		return "s.receiving_unit_id = ?", []any{sc.policeUnitID}
	}
	return "1 = 1", nil
}

// statuses are every status in the order of the workflow.
var statuses = []string{
	crimesource.StatusReceived, crimesource.StatusRegistered, crimesource.StatusVerifying, crimesource.StatusSuspended,
	crimesource.StatusProsecuted, crimesource.StatusNotProsecuted, crimesource.StatusNotCrime,
	crimesource.StatusTransferredOut, crimesource.StatusMerged,
}

// monthBounds returns the first instant of each month of year in Vietnam
// and of the next year's January, as stored.
func monthBounds(year int) [13]string {
	var b [13]string
	for m := range 13 {
		b[m] = store.FormatTime(time.Date(year, time.Month(m+1), 1, 0, 0, 0, 0, clock.Vietnam))
	}
	return b
}

// quoted returns the codes as SQL string literals, for IN lists of
// constants (codes are identifiers of this package, never user input).
func quoted(codes []string) string {
	q := make([]string, len(codes))
	for i, c := range codes {
		q[i] = "'" + strings.ReplaceAll(c, "'", "''") + "'"
	}
	return strings.Join(q, ", ")
}

func closedStatuses() []string {
	var out []string
	for _, st := range statuses {
		if crimesource.Closed(st) {
			out = append(out, st)
		}
	}
	return out
}

// The figures of the nation and a province are read from the counters
// that triggers keep per month of receipt and province (migration 0012):
// a few thousand rows for a year of the whole country, where counting the
// sources themselves reads millions. A commune's police unit receives a few
// hundred sources a year, which its own index range holds: its figures are
// counted from them, as the counters would be.

// countsQuery returns the year's sources of a nation or province scope by
// month ('YYYY-MM' in Vietnam time), status and decision (empty, 'on_time'
// or 'late': see tally.add), from source_counts.
func countsQuery(sc scope, year int) (string, []any) {
	q := "SELECT month, status, decision, CAST(SUM(n) AS BIGINT) FROM source_counts WHERE month >= ? AND month <= ?"
	args := []any{fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year)}
	if sc.level == geo.LevelProvince {
		q += " AND province_code = ?"
		args = append(args, sc.province)
	}
	return q + " GROUP BY month, status, decision", args
}

// categoryCountsQuery returns the year's sources of a nation or province
// scope by category, from source_category_counts.
func categoryCountsQuery(sc scope, year int) (string, []any) {
	q := "SELECT category, CAST(SUM(n) AS BIGINT) FROM source_category_counts WHERE month >= ? AND month <= ?"
	args := []any{fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year)}
	if sc.level == geo.LevelProvince {
		q += " AND province_code = ?"
		args = append(args, sc.province)
	}
	return q + " GROUP BY category", args
}

// communeQuery counts a commune scope's sources of the year by month (1 to
// 12, in Vietnam time), category, status and decision in one pass over its
// range of the sources_receiving_received index.
func communeQuery(sc scope, b [13]string) (string, []any) {
	cond, args := sc.where()
	var month strings.Builder
	month.WriteString("CASE")
	var margs []any
	for m := 1; m < 12; m++ {
		fmt.Fprintf(&month, " WHEN s.received_at < ? THEN %d", m)
		margs = append(margs, b[m])
	}
	month.WriteString(" ELSE 12 END")
	q := "SELECT " + month.String() + ", s.category, s.status, s.decision, COUNT(*) FROM sources s WHERE " + cond +
		" AND s.received_at >= ? AND s.received_at < ? GROUP BY 1, 2, 3, 4"
	return q, append(append(margs, args...), b[0], b[12])
}

// tally adds up counted sources into the figures.
type tally struct {
	out      *Sources
	byCat    map[string]int
	byStatus map[string]int
}

func (t *tally) add(month int, status, decision string, n int) {
	t.out.Received += n
	t.out.ByMonth[month-1] += n
	t.byStatus[status] += n
	if !crimesource.Closed(status) {
		t.out.Open += n
	}
	// sources.decision: a resolution limit (20 days, its 2-month
	// extension, the procuracy's further extension; Art. 147) of the unit
	// holding the source, which is the unit that decided, was met by a
	// decision (khởi tố, không khởi tố, tạm đình chỉ, or not a crime), late
	// if one such limit was met at or after its due time. The one-month
	// limits after a suspension ends are not the first decision's.
	switch decision {
	case "on_time":
		t.out.Decided += n
		t.out.DecidedOnTime += n
	case "late":
		t.out.Decided += n
	}
}

// count reads the year's sources of the scope into t.
func (s *Service) count(ctx context.Context, sc scope, year int, t *tally) error {
	if sc.level == geo.LevelCommune {
		q, args := communeQuery(sc, monthBounds(year))
		return s.scan(ctx, q, args, func(scan func(...any) error) error {
			var month, n int
			var cat, status, decision string
			if err := scan(&month, &cat, &status, &decision, &n); err != nil {
				return err
			}
			t.byCat[cat] += n
			t.add(month, status, decision, n)
			return nil
		})
	}
	q, args := countsQuery(sc, year)
	if err := s.scan(ctx, q, args, func(scan func(...any) error) error {
		var month, status, decision string
		var n int
		if err := scan(&month, &status, &decision, &n); err != nil {
			return err
		}
		m, err := strconv.Atoi(strings.TrimPrefix(month, strconv.Itoa(year)+"-"))
		if err != nil || m < 1 || m > 12 {
			return fmt.Errorf("counted month %q", month)
		}
		t.add(m, status, decision, n)
		return nil
	}); err != nil {
		return err
	}
	q, args = categoryCountsQuery(sc, year)
	return s.scan(ctx, q, args, func(scan func(...any) error) error {
		var cat string
		var n int
		if err := scan(&cat, &n); err != nil {
			return err
		}
		t.byCat[cat] += n
		return nil
	})
}

// scan runs a read and hands each row to fn.
func (s *Service) scan(ctx context.Context, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// dueQuery returns each open source of the year with an open limit due by
// horizon, and its nearest due time.
func dueQuery(sc scope, from, to, horizon string) (string, []any) {
	cond, args := sc.where()
	q := `SELECT s.id, MIN(d.due_at) FROM sources s JOIN source_deadlines d ON d.source_id = s.id
		WHERE ` + cond + ` AND s.received_at >= ? AND s.received_at < ?
		AND s.status NOT IN (` + quoted(closedStatuses()) + `)
		AND d.met_at = '' AND d.cancelled_at = '' AND d.due_at <= ?
		GROUP BY s.id`
	return q, append(args, from, to, horizon)
}

func (s *Service) atRisk() int {
	if s.AtRiskDays > 0 {
		return s.AtRiskDays
	}
	return 3
}

// sources computes the figures of the sources received in the year.
func (s *Service) sources(ctx context.Context, sc scope, q query) (Sources, error) {
	out := Sources{AtRiskDays: s.atRisk()}
	cats, err := s.categories(ctx)
	if err != nil {
		return out, err
	}
	b := monthBounds(q.year)
	counted := tally{out: &out, byCat: map[string]int{}, byStatus: map[string]int{}}
	if err := s.count(ctx, sc, q.year, &counted); err != nil {
		return out, fmt.Errorf("dashboard: sources received: %w", err)
	}
	byCat, byStatus := counted.byCat, counted.byStatus
	for _, c := range cats {
		if c.active || byCat[c.code] > 0 {
			out.ByCategory = append(out.ByCategory, Count{Code: c.code, Name: c.name, N: byCat[c.code]})
		}
	}
	known := map[string]bool{}
	for _, st := range statuses {
		known[st] = true
		out.ByStatus = append(out.ByStatus, Count{Code: st, Name: crimesource.StatusName(st), N: byStatus[st]})
	}
	for st, n := range byStatus { // a status this package does not know yet
		if !known[st] {
			out.ByStatus = append(out.ByStatus, Count{Code: st, Name: crimesource.StatusName(st), N: n})
		}
	}
	extra := out.ByStatus[len(statuses):]
	sort.Slice(extra, func(i, j int) bool { return extra[i].Code < extra[j].Code })
	if out.Decided > 0 {
		out.OnTimePct = float64(out.DecidedOnTime) * 100 / float64(out.Decided)
	}

	// The pre-filter horizon is generous; the calendar in Go decides.
	horizon := store.FormatTime(q.now.Add(time.Duration(s.atRisk()+1) * 24 * time.Hour))
	sql, args := dueQuery(sc, b[0], b[12], horizon)
	drows, err := s.DB.Query(ctx, sql, args...)
	if err != nil {
		return out, fmt.Errorf("dashboard: sources due: %w", err)
	}
	defer drows.Close()
	for drows.Next() {
		var id int64
		var due string
		if err := drows.Scan(&id, &due); err != nil {
			return out, fmt.Errorf("dashboard: sources due: %w", err)
		}
		t, err := store.ParseTime(due)
		if err != nil {
			return out, err
		}
		switch deadline.State(t, q.now, s.atRisk()) {
		case deadline.StateOverdue:
			out.Overdue++
		case deadline.StateAtRisk:
			out.AtRisk++
		}
	}
	if err := drows.Err(); err != nil {
		return out, fmt.Errorf("dashboard: sources due: %w", err)
	}
	return out, nil
}

type category struct {
	code, name string
	active     bool
}

// categories lists every crime category in the table's order.
func (s *Service) categories(ctx context.Context) ([]category, error) {
	rows, err := s.DB.Query(ctx, "SELECT code, name, active FROM crime_categories ORDER BY position, code")
	if err != nil {
		return nil, fmt.Errorf("dashboard: categories: %w", err)
	}
	defer rows.Close()
	var out []category
	for rows.Next() {
		var c category
		var active int
		if err := rows.Scan(&c.code, &c.name, &active); err != nil {
			return nil, fmt.Errorf("dashboard: categories: %w", err)
		}
		c.active = active == 1
		out = append(out, c)
	}
	return out, rows.Err()
}
