package dashboard

import (
	"context"
	"fmt"
	"sort"
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
// leads with; the nation needs none and reads sources_received.
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

// decisionLimits are the resolution limits a decision meets: 20 days, its
// 2-month extension and the procuracy's further extension (Art. 147). The
// one-month limits after a suspension ends are not the first decision's.
var decisionLimits = []string{"decision", "decision_extended", "procuracy_extension"}

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

// receivedQuery counts the year's sources by month (in Vietnam time),
// category and status in one pass over the index.
func receivedQuery(sc scope, b [13]string) (string, []any) {
	cond, args := sc.where()
	var month strings.Builder
	month.WriteString("CASE")
	var margs []any
	for m := 1; m < 12; m++ {
		fmt.Fprintf(&month, " WHEN s.received_at < ? THEN %d", m)
		margs = append(margs, b[m])
	}
	month.WriteString(" ELSE 12 END")
	q := "SELECT " + month.String() + ", s.category, s.status, COUNT(*) FROM sources s WHERE " + cond +
		" AND s.received_at >= ? AND s.received_at < ? GROUP BY 1, 2, 3"
	return q, append(append(margs, args...), b[0], b[12])
}

// decidedQuery counts the year's sources whose resolution limit a decision
// met, and those of them decided before the due time.
//
// The limit is that of the unit holding the source, which is the unit that
// decided: a source received by the national intake unit carries that
// unit's resolution limit too (started at receipt, not closed when the
// source is sent to a province), and a decision marks both met; the
// deciding unit's own limit, started when it received the source, is the
// one its decision is measured against. Should a unit meet more than one,
// one late limit makes the decision late.
func decidedQuery(sc scope, from, to string) (string, []any) {
	cond, args := sc.where()
	q := `SELECT COUNT(*), COALESCE(SUM(1 - x.late), 0) FROM (
		SELECT d.source_id, MAX(CASE WHEN d.met_at < d.due_at THEN 0 ELSE 1 END) AS late
		FROM sources s JOIN source_deadlines d ON d.source_id = s.id AND d.unit_id = s.unit_id
		WHERE ` + cond + ` AND s.received_at >= ? AND s.received_at < ?
		AND d.rule_code IN (` + quoted(decisionLimits) + `) AND d.met_at <> ''
		GROUP BY d.source_id) x`
	return q, append(args, from, to)
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
	byCat, byStatus := map[string]int{}, map[string]int{}
	sql, args := receivedQuery(sc, b)
	rows, err := s.DB.Query(ctx, sql, args...)
	if err != nil {
		return out, fmt.Errorf("dashboard: sources received: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var month, n int
		var cat, status string
		if err := rows.Scan(&month, &cat, &status, &n); err != nil {
			return out, fmt.Errorf("dashboard: sources received: %w", err)
		}
		out.Received += n
		out.ByMonth[month-1] += n
		byCat[cat] += n
		byStatus[status] += n
		if !crimesource.Closed(status) {
			out.Open += n
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("dashboard: sources received: %w", err)
	}
	rows.Close()
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

	sql, args = decidedQuery(sc, b[0], b[12])
	if err := s.DB.QueryRow(ctx, sql, args...).Scan(&out.Decided, &out.DecidedOnTime); err != nil {
		return out, fmt.Errorf("dashboard: sources decided: %w", err)
	}
	if out.Decided > 0 {
		out.OnTimePct = float64(out.DecidedOnTime) * 100 / float64(out.Decided)
	}

	// The pre-filter horizon is generous; the calendar in Go decides.
	horizon := store.FormatTime(q.now.Add(time.Duration(s.atRisk()+1) * 24 * time.Hour))
	sql, args = dueQuery(sc, b[0], b[12], horizon)
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
