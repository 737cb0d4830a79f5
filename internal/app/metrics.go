package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"toandan/internal/store"
)

// dbMetricsMaxAge is how long the figures read from the database for
// /metrics are reused. /metrics is public: however often it is scraped, an
// instance queries at most this often.
const dbMetricsMaxAge = 10 * time.Second

// registerDBMetrics adds the figures that live in the shared database. They
// are read at scrape time, so every instance reports the same values and
// they are right however many instances take reports; per-instance request
// counts are in http_requests_total (POST /api/v1/reports and POST /to-giac
// are the citizens' submissions).
func (m *Main) registerDBMetrics() {
	reg := m.Metrics
	queue := reg.Gauge("toandan_jobs",
		"One-off background jobs in the database by state: pending (due, or waiting to be retried), running, failed (gave up).", "state")
	lastOK := reg.Gauge("toandan_job_last_success_timestamp_seconds",
		"When each periodic job last finished without error, on any instance (Unix time).", "job")
	received := reg.Gauge("toandan_reports_received",
		"Crime sources held in the database, received through every channel by every instance (purging closed sources lowers it).")
	open := reg.Gauge("toandan_reports_open", "Crime sources not yet closed.")
	atRisk := reg.Gauge("toandan_reports_at_risk", "Sources whose nearest open time limit has at most the at-risk number of days left.")
	overdue := reg.Gauge("toandan_reports_overdue", "Sources with an open time limit past due.")

	var mu sync.Mutex
	var readAt time.Time
	reg.Collect(func(ctx context.Context) {
		// One scrape reads at a time; the others wait and reuse its values.
		mu.Lock()
		defer mu.Unlock()
		if !readAt.IsZero() && time.Since(readAt) < dbMetricsMaxAge {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		// On an error the previous values stay and the next scrape tries
		// again; /readyz tells whether the database answers.
		st, err := m.Jobs.Stats(ctx)
		if err != nil {
			m.Log.Warn("metrics", "err", err)
			return
		}
		var total int
		if err := m.DB.QueryRow(ctx, "SELECT COUNT(*) FROM sources").Scan(&total); err != nil {
			m.Log.Warn("metrics", "err", fmt.Errorf("sources: %w", err))
			return
		}
		c, err := m.Sources.CountAll(ctx)
		if err != nil {
			m.Log.Warn("metrics", "err", err)
			return
		}
		last, err := m.lastSuccesses(ctx)
		if err != nil {
			m.Log.Warn("metrics", "err", err)
			return
		}
		queue.WithLabelValues("pending").Set(float64(st.Pending))
		queue.WithLabelValues("running").Set(float64(st.Running))
		queue.WithLabelValues("failed").Set(float64(st.Failed))
		received.WithLabelValues().Set(float64(total))
		open.WithLabelValues().Set(float64(c.Open))
		atRisk.WithLabelValues().Set(float64(c.AtRisk))
		overdue.WithLabelValues().Set(float64(c.Overdue))
		for job, at := range last {
			lastOK.WithLabelValues(job).Set(float64(at.Unix()))
		}
		readAt = time.Now()
	})
}

// lastSuccesses returns when each periodic job last finished without error.
func (m *Main) lastSuccesses(ctx context.Context) (map[string]time.Time, error) {
	rows, err := m.DB.Query(ctx, "SELECT name, MAX(finished_at) FROM job_runs WHERE finished_at <> '' AND error = '' GROUP BY name")
	if err != nil {
		return nil, fmt.Errorf("job runs: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var name, at string
		if err := rows.Scan(&name, &at); err != nil {
			return nil, fmt.Errorf("job runs: %w", err)
		}
		t, err := store.ParseTime(at)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("job runs: %w", err)
	}
	return out, nil
}
