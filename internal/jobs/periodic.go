// Package jobs runs toandan's background work so that several instances
// serving one database share it instead of each doing it: periodic jobs
// (deadline reminders, retention) run once per period across all instances,
// and one-off jobs wait in a queue that any instance may take work from,
// retried with backoff and taken again when the instance holding one dies.
// Both work on SQLite and PostgreSQL through the same SQL, save where
// PostgreSQL needs FOR UPDATE SKIP LOCKED to let instances claim side by
// side.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"toandan/internal/clock"
	"toandan/internal/store"
)

// Periodic is work done once per period by whichever instance takes the
// period's slot first. A slot whose instance dies during the run is not run
// again: the next period's run must catch up, so Run should do all the
// work that is due, not only the work of its own period.
type Periodic struct {
	Name   string
	Period time.Duration
	Run    func(ctx context.Context) error
}

// Results of one look at a slot, as told to Scheduler.Observe.
const (
	ResultOK      = "ok"      // this instance ran the slot and the job succeeded
	ResultError   = "error"   // this instance ran the slot and the job failed
	ResultSkipped = "skipped" // another instance had taken the slot
)

// Scheduler runs periodic jobs.
type Scheduler struct {
	DB    *store.DB
	Clock clock.Clock
	Log   *slog.Logger
	// Instance names this process in job_runs and jobs.locked_by.
	Instance string
	// Observe, when set, is told the result of every slot this instance
	// looked at and, for a run, how long it took.
	Observe func(job, result string, took time.Duration)

	jobs []Periodic
}

// Add schedules p. It must be called before Run.
func (s *Scheduler) Add(p Periodic) {
	if p.Name == "" || p.Period <= 0 || p.Run == nil {
		panic(fmt.Sprintf("jobs: periodic job %q needs a name, a positive period and a function", p.Name))
	}
	s.jobs = append(s.jobs, p)
}

// Jobs returns the scheduled jobs.
func (s *Scheduler) Jobs() []Periodic { return append([]Periodic(nil), s.jobs...) }

// Run runs every scheduled job until ctx ends, each in its own goroutine so
// that a long retention purge does not hold back the reminders.
func (s *Scheduler) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range s.jobs {
		wg.Go(func() { s.loop(ctx, p) })
	}
	wg.Wait()
}

// pollEvery is how often a job's loop looks at the clock: often enough that
// every instance sees every slot, so each slot is taken at its start.
func pollEvery(period time.Duration) time.Duration {
	return min(max(period/4, 100*time.Millisecond), 15*time.Second)
}

func (s *Scheduler) loop(ctx context.Context, p Periodic) {
	t := time.NewTicker(pollEvery(p.Period))
	defer t.Stop()
	last := ""
	for {
		// Each instance tries a slot once; the database decides which one
		// runs it. A slot that could not be claimed (database unreachable)
		// is tried again at the next poll.
		if slot := Slot(s.Clock.Now(), p.Period); slot != last {
			ran, err := s.runSlot(ctx, p, slot)
			if err == nil || ran {
				last = slot
			}
			if err != nil && ctx.Err() == nil {
				s.Log.Error("periodic job", "job", p.Name, "slot", slot, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce takes the slot of now for p and runs p if this instance took it
// first. It reports whether it ran p. A failure of p itself is recorded in
// job_runs and logged, not returned; the error is about the slot.
func (s *Scheduler) RunOnce(ctx context.Context, p Periodic) (bool, error) {
	return s.runSlot(ctx, p, Slot(s.Clock.Now(), p.Period))
}

func (s *Scheduler) runSlot(ctx context.Context, p Periodic, slot string) (bool, error) {
	won, err := s.claim(ctx, p.Name, slot)
	if err != nil {
		return false, err
	}
	if !won {
		s.observe(p.Name, ResultSkipped, 0)
		return false, nil
	}
	start := time.Now()
	runErr := safeRun(ctx, p.Run)
	took := time.Since(start)
	msg, result := "", ResultOK
	if runErr != nil {
		msg, result = truncate(runErr.Error()), ResultError
		if ctx.Err() == nil {
			s.Log.Error("periodic job failed", "job", p.Name, "slot", slot, "err", runErr)
		}
	}
	s.observe(p.Name, result, took)
	// Record the end even when shutting down, so that the row does not
	// look like a run whose instance died.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := s.DB.Exec(rctx, `UPDATE job_runs SET finished_at = ?, duration_ms = ?, error = ? WHERE name = ? AND slot = ? AND instance = ?`,
		store.FormatTime(s.Clock.Now()), took.Milliseconds(), msg, p.Name, slot, s.Instance); err != nil {
		return true, fmt.Errorf("jobs: record run of %s %s: %w", p.Name, slot, err)
	}
	return true, nil
}

// claim inserts the slot's row, or counts one more claim on a row another
// instance inserted. The row's claims tell who was first: on PostgreSQL a
// second INSERT of the same key waits for the first to commit and then
// updates, and SQLite has one writer at a time, so exactly one claim sees 1.
func (s *Scheduler) claim(ctx context.Context, name, slot string) (bool, error) {
	var claims int
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO job_runs (name, slot, instance, started_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (name, slot) DO UPDATE SET claims = job_runs.claims + 1 RETURNING claims`,
			name, slot, s.Instance, store.FormatTime(s.Clock.Now())).Scan(&claims)
	})
	if err != nil {
		return false, fmt.Errorf("jobs: claim %s %s: %w", name, slot, err)
	}
	return claims == 1, nil
}

func (s *Scheduler) observe(job, result string, took time.Duration) {
	if s.Observe != nil {
		s.Observe(job, result, took)
	}
}

// Slot names the period of t: its start in UTC, as precise as the period
// needs (2026-11-30 for a daily job, 2026-11-30T03:05 for one run each
// minute, 2026-11-30T03:05:10 for one run every few seconds).
func Slot(t time.Time, period time.Duration) string {
	t = t.UTC().Truncate(period)
	switch {
	case period%(24*time.Hour) == 0:
		return t.Format("2006-01-02")
	case period%time.Minute == 0:
		return t.Format("2006-01-02T15:04")
	case period%time.Second == 0:
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04:05.000")
}

// safeRun runs fn and turns a panic into an error, so that one bad run
// does not take the server down or leave its row unfinished.
func safeRun(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(ctx)
}

func truncate(s string) string {
	const maxLen = 2000
	if len(s) <= maxLen {
		return s
	}
	return strings.ToValidUTF8(s[:maxLen], "")
}

// NewInstanceID names this process for job_runs and job leases: host,
// process id and a random part, since two containers may share a host name
// and a pid.
func NewInstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	var b [3]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
