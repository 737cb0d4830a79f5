package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"toandan/internal/clock"
	"toandan/internal/store"
)

// Job is one one-off job as its handler sees it.
type Job struct {
	ID          int64
	Kind        string
	Payload     json.RawMessage
	Attempt     int // 1 on the first attempt
	MaxAttempts int
}

// Handler does one kind of job. It must finish before its context ends
// (the end of the lease): after that another instance may take the job.
// A job may run more than once (an instance can die after the work and
// before recording it), so a handler must be safe to repeat.
type Handler func(ctx context.Context, j Job) error

// NewJob is a job to enqueue.
type NewJob struct {
	Kind        string
	Payload     any       // encoded as JSON; nil for none
	RunAt       time.Time // zero: now
	MaxAttempts int       // zero: DefaultMaxAttempts
}

// DefaultMaxAttempts is how often a job is tried when NewJob does not say.
const DefaultMaxAttempts = 5

// Stats counts the jobs of the queue by state.
type Stats struct {
	Pending int // waiting to run, or waiting for a retry
	Running int // leased to an instance now
	Failed  int // gave up after its last attempt
}

// Queue is the queue of one-off jobs in the database, shared by every
// instance. Each instance takes only the kinds it has a handler for, so an
// older instance in a rolling upgrade leaves new kinds to the newer ones.
type Queue struct {
	DB       *store.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Instance string
	// Lease is how long an instance holds a job it took (default 5
	// minutes): the handler's context ends with it, and past it another
	// instance takes the job again.
	Lease time.Duration
	// Poll is how long Run waits when no job is due (default 1 second).
	Poll time.Duration
	// Backoff gives the wait before retrying after failed attempt n
	// (default: 10 s, doubling, at most 1 hour).
	Backoff func(attempt int) time.Duration

	handlers map[string]Handler
	kinds    []string
}

// Handle registers the handler of kind. It must be called before Run.
func (q *Queue) Handle(kind string, h Handler) {
	if q.handlers == nil {
		q.handlers = map[string]Handler{}
	}
	if _, dup := q.handlers[kind]; dup || kind == "" || h == nil {
		panic(fmt.Sprintf("jobs: handler for kind %q registered twice, or empty", kind))
	}
	q.handlers[kind] = h
	q.kinds = append(q.kinds, kind)
}

func (q *Queue) lease() time.Duration {
	if q.Lease > 0 {
		return q.Lease
	}
	return 5 * time.Minute
}

func (q *Queue) backoff(attempt int) time.Duration {
	if q.Backoff != nil {
		return q.Backoff(attempt)
	}
	d := 10 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Enqueue adds a job in a transaction of its own and returns its id.
func (q *Queue) Enqueue(ctx context.Context, nj NewJob) (int64, error) {
	var id int64
	err := q.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = q.EnqueueTx(ctx, tx, nj)
		return err
	})
	return id, err
}

// EnqueueTx adds a job inside tx, so that it exists exactly when the
// change that asks for it commits.
func (q *Queue) EnqueueTx(ctx context.Context, tx *store.Tx, nj NewJob) (int64, error) {
	if nj.Kind == "" {
		return 0, errors.New("jobs: enqueue: empty kind")
	}
	payload := ""
	if nj.Payload != nil {
		b, err := json.Marshal(nj.Payload)
		if err != nil {
			return 0, fmt.Errorf("jobs: enqueue %s: %w", nj.Kind, err)
		}
		payload = string(b)
	}
	now := q.Clock.Now()
	runAt := nj.RunAt
	if runAt.IsZero() {
		runAt = now
	}
	attempts := nj.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	id, err := tx.InsertID(ctx, `INSERT INTO jobs (kind, payload, run_at, max_attempts, created_at) VALUES (?, ?, ?, ?, ?)`,
		nj.Kind, payload, store.FormatTime(runAt), attempts, store.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", nj.Kind, err)
	}
	return id, nil
}

// Run takes and runs due jobs until ctx ends. Without handlers it returns
// at once.
func (q *Queue) Run(ctx context.Context) {
	if len(q.kinds) == 0 {
		return
	}
	poll := q.Poll
	if poll <= 0 {
		poll = time.Second
	}
	for ctx.Err() == nil {
		ran, err := q.Work(ctx)
		if err != nil && ctx.Err() == nil {
			q.Log.Error("job queue", "err", err)
		}
		if ran && err == nil {
			continue // there may be more due at once
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
	}
}

// Work takes one due job, runs it and records the outcome. It reports
// whether it ran one. A failure of the job itself is recorded (and retried
// later), not returned.
func (q *Queue) Work(ctx context.Context) (bool, error) {
	if len(q.kinds) == 0 {
		return false, nil
	}
	if err := q.reap(ctx); err != nil {
		return false, err
	}
	j, ok, err := q.claim(ctx)
	if err != nil || !ok {
		return false, err
	}
	jctx, cancel := context.WithTimeout(ctx, q.lease())
	runErr := safeRun(jctx, func(ctx context.Context) error { return q.handlers[j.Kind](ctx, j) })
	cancel()
	if runErr != nil && ctx.Err() == nil {
		q.Log.Warn("job failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempt, "of", j.MaxAttempts, "err", runErr)
	}
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	return true, q.finish(rctx, j, runErr)
}

// claim leases the oldest due job of a kind this instance handles. A job
// whose lease ran out is due again: the instance holding it died or
// outran its lease.
func (q *Queue) claim(ctx context.Context) (Job, bool, error) {
	now := q.Clock.Now()
	args := []any{q.Instance, store.FormatTime(now.Add(q.lease())), store.FormatTime(now)}
	for _, k := range q.kinds {
		args = append(args, k)
	}
	pick := `SELECT id FROM jobs WHERE status IN ('pending', 'running') AND run_at <= ? AND attempts < max_attempts
		AND kind IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(q.kinds)), ", ") + `) ORDER BY run_at, id LIMIT 1`
	if q.DB.Engine == store.Postgres {
		// Instances claiming together each get a different row instead
		// of queueing on the same one. SQLite has one writer at a time.
		pick += " FOR UPDATE SKIP LOCKED"
	}
	var j Job
	var payload string
	err := q.DB.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ?, run_at = ?
			WHERE id = (`+pick+`) RETURNING id, kind, payload, attempts, max_attempts`, args...).
			Scan(&j.ID, &j.Kind, &payload, &j.Attempt, &j.MaxAttempts)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, fmt.Errorf("jobs: claim: %w", err)
	}
	if payload != "" {
		j.Payload = json.RawMessage(payload)
	}
	return j, true, nil
}

// finish records the outcome of attempt j.Attempt, provided this instance
// still holds the job: if its lease ran out and another instance took the
// job, that instance's outcome counts.
func (q *Queue) finish(ctx context.Context, j Job, runErr error) error {
	now := q.Clock.Now()
	at := store.FormatTime(now)
	var res sql.Result
	var err error
	switch {
	case runErr == nil:
		res, err = q.DB.Exec(ctx, `UPDATE jobs SET status = 'done', finished_at = ?, locked_by = '', last_error = ''
			WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?`, at, j.ID, q.Instance, j.Attempt)
	case j.Attempt >= j.MaxAttempts:
		res, err = q.DB.Exec(ctx, `UPDATE jobs SET status = 'failed', finished_at = ?, locked_by = '', last_error = ?
			WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?`, at, truncate(runErr.Error()), j.ID, q.Instance, j.Attempt)
	default:
		res, err = q.DB.Exec(ctx, `UPDATE jobs SET status = 'pending', run_at = ?, locked_by = '', last_error = ?
			WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?`,
			store.FormatTime(now.Add(q.backoff(j.Attempt))), truncate(runErr.Error()), j.ID, q.Instance, j.Attempt)
	}
	if err != nil {
		return fmt.Errorf("jobs: record job %d: %w", j.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("jobs: record job %d: %w", j.ID, err)
	} else if n == 0 {
		q.Log.Warn("job outran its lease; another instance took it again", "job", j.ID, "kind", j.Kind, "attempt", j.Attempt)
	}
	return nil
}

// reap fails the jobs whose last attempt's lease ran out: no instance will
// take them again.
func (q *Queue) reap(ctx context.Context) error {
	at := store.FormatTime(q.Clock.Now())
	if _, err := q.DB.Exec(ctx, `UPDATE jobs SET status = 'failed', finished_at = ?, locked_by = '',
		last_error = 'lease ran out on the last attempt: the instance died or the job outran its lease'
		WHERE status = 'running' AND run_at <= ? AND attempts >= max_attempts`, at, at); err != nil {
		return fmt.Errorf("jobs: reap: %w", err)
	}
	return nil
}

// Depth is the number of jobs not yet done: pending or running.
func (q *Queue) Depth(ctx context.Context) (int, error) {
	st, err := q.Stats(ctx)
	return st.Pending + st.Running, err
}

// Stats counts the jobs by state.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	rows, err := q.DB.Query(ctx, `SELECT status, COUNT(*) FROM jobs WHERE status IN ('pending', 'running', 'failed') GROUP BY status`)
	if err != nil {
		return st, fmt.Errorf("jobs: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return st, fmt.Errorf("jobs: stats: %w", err)
		}
		switch status {
		case "pending":
			st.Pending = n
		case "running":
			st.Running = n
		case "failed":
			st.Failed = n
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("jobs: stats: %w", err)
	}
	return st, nil
}

// Prune deletes the records of periodic runs started before before and of
// one-off jobs done before it. Failed jobs stay until someone looks at them.
func Prune(ctx context.Context, db *store.DB, before time.Time) (int64, error) {
	cut := store.FormatTime(before)
	var n int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, q := range []string{
			`DELETE FROM job_runs WHERE started_at < ?`,
			`DELETE FROM jobs WHERE status = 'done' AND finished_at < ?`,
		} {
			res, err := tx.Exec(ctx, q, cut)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: prune: %w", err)
	}
	return n, nil
}
