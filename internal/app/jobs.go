package app

import (
	"context"
	"sync"
	"time"

	"toandan/internal/crimesource"
	"toandan/internal/jobs"
)

// jobRecordsKept is how long the records of periodic runs and of finished
// one-off jobs are kept.
const jobRecordsKept = 30 * 24 * time.Hour

// setUpJobs builds the job queue and the periodic jobs that Serve runs.
// With several instances on one database, each period of a periodic job
// runs on one of them only.
func (m *Main) setUpJobs() {
	m.Instance = jobs.NewInstanceID()
	runs := m.Metrics.Counter("toandan_job_runs_total",
		"Periodic job slots this instance looked at, by job and result: ok or error when it ran the slot, skipped when another instance had taken it.",
		"job", "result")
	m.Scheduler = &jobs.Scheduler{DB: m.DB, Clock: m.Clock, Log: m.Log, Instance: m.Instance,
		Observe: func(job, result string, _ time.Duration) { runs.WithLabelValues(job, result).Inc() }}
	m.Jobs = &jobs.Queue{DB: m.DB, Clock: m.Clock, Log: m.Log, Instance: m.Instance}

	tick := m.Config.JobTick
	if tick <= 0 {
		tick = time.Minute
	}
	// Reminders for limits at risk or overdue. A deadline is reminded once
	// per kind whatever runs it (reminders has a unique key), so a slot
	// lost with its instance is made up by the next one.
	m.Scheduler.Add(jobs.Periodic{Name: "reminders", Period: tick, Run: func(ctx context.Context) error {
		n, err := m.Sources.RecordReminders(ctx)
		if n > 0 {
			m.Log.Info("reminders recorded", "count", n)
		}
		return err
	}})
	// Retention: sources closed more than RetentionDays ago are purged
	// once a day; 0 keeps them forever.
	if m.Config.RetentionDays > 0 {
		m.Scheduler.Add(jobs.Periodic{Name: "retention", Period: 24 * time.Hour, Run: func(ctx context.Context) error {
			return m.Sources.RetentionOnce(ctx, m.Config.RetentionDays, m.Log)
		}})
	}
	// Due times moved by an edit of the calendar are settled once every
	// instance has read the new calendar.
	m.Sources.Jobs = m.Jobs
	m.Jobs.Handle(crimesource.JobSettleDues, m.Sources.SettleDues)
	m.Scheduler.Add(jobs.Periodic{Name: "jobs_prune", Period: 24 * time.Hour, Run: func(ctx context.Context) error {
		_, err := jobs.Prune(ctx, m.DB, m.Clock.Now().Add(-jobRecordsKept))
		return err
	}})
	// Every series exists from the start, so that a rate or an alert on
	// errors has a zero to start from.
	for _, p := range m.Scheduler.Jobs() {
		for _, r := range []string{jobs.ResultOK, jobs.ResultError, jobs.ResultSkipped} {
			runs.WithLabelValues(p.Name, r)
		}
	}
}

// runJobs runs the periodic jobs and the job queue until ctx ends.
func (m *Main) runJobs(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { m.Scheduler.Run(ctx) })
	wg.Go(func() { m.Jobs.Run(ctx) })
	wg.Wait()
}
