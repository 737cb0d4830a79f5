package crimesource

import (
	"context"
	"fmt"
	"time"

	"toandan/internal/deadline"
	"toandan/internal/store"
)

// Counts are the figures on an officer's home page.
type Counts struct {
	Open    int // sources not closed
	AtRisk  int // open sources whose nearest limit has at most AtRiskDays left
	Overdue int // open sources with a limit passed
	New     int // received, record of receipt not yet made
}

// CountFor returns the home-page figures for the sources an officer sees.
func (s *Service) CountFor(ctx context.Context, actor Actor) (Counts, error) {
	sc, err := s.scopeOf(ctx, actor)
	if err != nil {
		return Counts{}, err
	}
	return s.countIn(ctx, sc)
}

// CountAll returns the same figures for the whole country, for the
// metrics: the database is shared, so they hold for every instance.
func (s *Service) CountAll(ctx context.Context) (Counts, error) {
	return s.countIn(ctx, scope{all: true})
}

func (s *Service) countIn(ctx context.Context, sc scope) (Counts, error) {
	cond, args := sc.where()
	var c Counts
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN s.status = 'received' THEN 1 ELSE 0 END), 0) FROM sources s
		WHERE s.closed_at = '' AND s.status NOT IN ('prosecuted', 'not_prosecuted', 'not_crime', 'transferred_out', 'merged') AND `+cond, args...).Scan(&c.Open, &c.New)
	if err != nil {
		return c, fmt.Errorf("crimesource: counts: %w", err)
	}
	now := s.Clock.Now()
	horizon := now.Add(time.Duration(s.atRisk()+1) * 24 * time.Hour)
	rows, err := s.DB.Query(ctx, `SELECT s.id, MIN(d.due_at) FROM sources s JOIN source_deadlines d ON d.source_id = s.id
		WHERE `+openDeadlineCond+` AND d.due_at <= ? AND `+cond+` GROUP BY s.id`, append([]any{store.FormatTime(horizon)}, args...)...)
	if err != nil {
		return c, fmt.Errorf("crimesource: counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var due string
		if err := rows.Scan(&id, &due); err != nil {
			return c, fmt.Errorf("crimesource: counts: %w", err)
		}
		t, err := store.ParseTime(due)
		if err != nil {
			return c, err
		}
		switch deadline.State(t, now, s.atRisk()) {
		case deadline.StateOverdue:
			c.Overdue++
		case deadline.StateAtRisk:
			c.AtRisk++
		}
	}
	return c, rows.Err()
}
