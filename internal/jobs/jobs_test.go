package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var t0 = time.Date(2026, 11, 30, 3, 5, 20, 0, time.UTC)

// twoInstances runs fn per engine with two handles on one fresh migrated
// database, as two processes would have.
func twoInstances(t *testing.T, fn func(t *testing.T, a, b *store.DB)) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			dsn := testdb.NewDSN(t, e)
			ctx := context.Background()
			open := func() *store.DB {
				db, err := store.Open(ctx, dsn, t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			a := open()
			if _, err := a.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			fn(t, a, open())
		})
	}
}

func TestSlot(t *testing.T) {
	at := time.Date(2026, 11, 30, 10, 5, 20, 500e6, clock.Vietnam) // 03:05:20.5 UTC
	for _, c := range []struct {
		period time.Duration
		want   string
	}{
		{24 * time.Hour, "2026-11-30"},
		{time.Hour, "2026-11-30T03:00"},
		{time.Minute, "2026-11-30T03:05"},
		{5 * time.Minute, "2026-11-30T03:05"},
		{15 * time.Minute, "2026-11-30T03:00"},
		{2 * time.Second, "2026-11-30T03:05:20"},
		{3 * time.Second, "2026-11-30T03:05:18"},
		{250 * time.Millisecond, "2026-11-30T03:05:20.500"},
	} {
		if got := Slot(at, c.period); got != c.want {
			t.Errorf("Slot(%s, %s) = %s, want %s", at.Format(time.RFC3339Nano), c.period, got, c.want)
		}
	}
}

// Eight schedulers over two database handles race for one slot: exactly one
// runs the job, the others count as claims; the next period runs again.
func TestPeriodicRunsOncePerSlot(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, b *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(t0)
		var runs atomic.Int32
		var mu sync.Mutex
		results := map[string]int{}
		job := Periodic{Name: "reminders", Period: time.Minute, Run: func(context.Context) error {
			runs.Add(1)
			time.Sleep(20 * time.Millisecond) // long enough for the others to try meanwhile
			return nil
		}}
		var scheds []*Scheduler
		for i := range 8 {
			db := a
			if i%2 == 1 {
				db = b
			}
			scheds = append(scheds, &Scheduler{DB: db, Clock: clk, Log: quiet, Instance: fmt.Sprintf("i%d", i),
				Observe: func(job, result string, _ time.Duration) {
					mu.Lock()
					results[job+"/"+result]++
					mu.Unlock()
				}})
		}
		race := func() int {
			var wg sync.WaitGroup
			var ran atomic.Int32
			for _, s := range scheds {
				wg.Go(func() {
					ok, err := s.RunOnce(ctx, job)
					if err != nil {
						t.Error(err)
					}
					if ok {
						ran.Add(1)
					}
				})
			}
			wg.Wait()
			return int(ran.Load())
		}
		if n := race(); n != 1 || runs.Load() != 1 {
			t.Fatalf("first slot: %d schedulers ran it, job ran %d times; want 1 and 1", n, runs.Load())
		}
		var claims int
		var instance, finished string
		if err := a.QueryRow(ctx, "SELECT claims, instance, finished_at FROM job_runs WHERE name = 'reminders' AND slot = '2026-11-30T03:05'").
			Scan(&claims, &instance, &finished); err != nil {
			t.Fatal(err)
		}
		if claims != 8 || instance == "" || finished == "" {
			t.Errorf("job_runs row: claims %d, instance %q, finished_at %q; want 8 claims by every scheduler, a winner and an end", claims, instance, finished)
		}
		if results["reminders/ok"] != 1 || results["reminders/skipped"] != 7 {
			t.Errorf("observed %v, want 1 ok and 7 skipped", results)
		}

		// Later in the same minute: nothing to do.
		clk.Advance(30 * time.Second)
		if n := race(); n != 0 {
			t.Fatalf("same slot again: %d ran it", n)
		}
		clk.Advance(30 * time.Second)
		if n := race(); n != 1 || runs.Load() != 2 {
			t.Fatalf("next slot: %d ran it, job ran %d times in all; want 1 and 2", n, runs.Load())
		}
		var slots int
		if err := a.QueryRow(ctx, "SELECT COUNT(*) FROM job_runs WHERE name = 'reminders'").Scan(&slots); err != nil {
			t.Fatal(err)
		}
		if slots != 2 {
			t.Errorf("%d runs recorded, want 2", slots)
		}
	})
}

// A failing or panicking run is recorded with its error and duration, and
// the scheduler goes on.
func TestPeriodicRecordsFailure(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, _ *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(t0)
		s := &Scheduler{DB: a, Clock: clk, Log: quiet, Instance: "one"}
		for _, c := range []struct {
			name string
			run  func(context.Context) error
			want string
		}{
			{"fails", func(context.Context) error {
				time.Sleep(5 * time.Millisecond)
				return errors.New("không kết nối được")
			}, "không kết nối được"},
			{"panics", func(context.Context) error { panic("boom") }, "panic: boom"},
		} {
			ran, err := s.RunOnce(ctx, Periodic{Name: c.name, Period: 24 * time.Hour, Run: c.run})
			if err != nil || !ran {
				t.Fatalf("%s: ran %v, err %v", c.name, ran, err)
			}
			var msg, finished string
			var ms int64
			if err := a.QueryRow(ctx, "SELECT error, finished_at, duration_ms FROM job_runs WHERE name = ? AND slot = '2026-11-30'", c.name).
				Scan(&msg, &finished, &ms); err != nil {
				t.Fatal(err)
			}
			if msg != c.want || finished == "" {
				t.Errorf("%s: error %q, finished_at %q; want %q and an end", c.name, msg, finished, c.want)
			}
			if c.name == "fails" && ms < 5 {
				t.Errorf("%s: duration %d ms, want at least 5", c.name, ms)
			}
		}
	})
}

// The scheduler's loop runs each job at the start of every slot it sees,
// until its context ends.
func TestSchedulerRun(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, b *store.DB) {
		clk := clock.NewFixed(t0)
		var runs atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i, db := range []*store.DB{a, b} {
			s := &Scheduler{DB: db, Clock: clk, Log: quiet, Instance: fmt.Sprintf("i%d", i)}
			s.Add(Periodic{Name: "tick", Period: time.Second, Run: func(context.Context) error { runs.Add(1); return nil }})
			wg.Go(func() { s.Run(ctx) })
		}
		waitFor(t, func() bool { return runs.Load() == 1 })
		clk.Advance(time.Second)
		waitFor(t, func() bool { return runs.Load() == 2 })
		time.Sleep(600 * time.Millisecond) // two more polls of each loop
		cancel()
		wg.Wait()
		if n := runs.Load(); n != 2 {
			t.Errorf("job ran %d times over two slots, want 2", n)
		}
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newQueue(db *store.DB, clk clock.Clock, instance string) *Queue {
	return &Queue{DB: db, Clock: clk, Log: quiet, Instance: instance, Poll: 10 * time.Millisecond}
}

// A job runs once with its payload; a failing one is retried after its
// backoff and given up after its last attempt.
func TestQueueRetries(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, _ *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(t0)
		q := newQueue(a, clk, "one")
		var got []string
		q.Handle("echo", func(_ context.Context, j Job) error {
			got = append(got, fmt.Sprintf("%s#%d", j.Payload, j.Attempt))
			return nil
		})
		fails := 0
		q.Handle("flaky", func(_ context.Context, j Job) error {
			fails++
			return fmt.Errorf("lần %d không được", j.Attempt)
		})
		if _, err := q.Enqueue(ctx, NewJob{Kind: "echo", Payload: map[string]string{"ma": "T0101"}}); err != nil {
			t.Fatal(err)
		}
		flaky, err := q.Enqueue(ctx, NewJob{Kind: "flaky", MaxAttempts: 3, RunAt: t0.Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if d, err := q.Depth(ctx); err != nil || d != 2 {
			t.Fatalf("Depth = %d, %v; want 2", d, err)
		}
		work := func(want bool) {
			t.Helper()
			ran, err := q.Work(ctx)
			if err != nil || ran != want {
				t.Fatalf("Work: ran %v, err %v; want ran %v", ran, err, want)
			}
		}
		work(true)  // echo
		work(false) // flaky is not due yet
		if len(got) != 1 || got[0] != `{"ma":"T0101"}#1` {
			t.Fatalf("echo saw %v", got)
		}
		clk.Advance(time.Minute)
		work(true) // attempt 1 fails, retried after 10 s
		clk.Advance(9 * time.Second)
		work(false)
		clk.Advance(time.Second)
		work(true) // attempt 2 fails, retried after 20 s
		clk.Advance(20 * time.Second)
		work(true) // attempt 3 fails: given up
		clk.Advance(time.Hour)
		work(false)
		if fails != 3 {
			t.Errorf("flaky ran %d times, want 3", fails)
		}
		var status, lastErr, finished string
		var attempts int
		if err := a.QueryRow(ctx, "SELECT status, attempts, last_error, finished_at FROM jobs WHERE id = ?", flaky).
			Scan(&status, &attempts, &lastErr, &finished); err != nil {
			t.Fatal(err)
		}
		if status != "failed" || attempts != 3 || lastErr != "lần 3 không được" || finished == "" {
			t.Errorf("flaky: status %s, attempts %d, last error %q, finished %q", status, attempts, lastErr, finished)
		}
		st, err := q.Stats(ctx)
		if err != nil || st != (Stats{Failed: 1}) {
			t.Errorf("Stats = %+v, %v; want one failed", st, err)
		}
	})
}

// A job taken by an instance that then dies is taken again once its lease
// runs out; the dead instance's late outcome does not count; a job whose
// last attempt's lease ran out is failed.
func TestQueueLeaseExpiry(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, b *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(t0)
		dead, alive := newQueue(a, clk, "dead"), newQueue(b, clk, "alive")
		var ran []string
		for _, q := range []*Queue{dead, alive} {
			q.Lease = time.Minute
			q.Handle("export", func(_ context.Context, j Job) error {
				ran = append(ran, fmt.Sprintf("%s#%d", q.Instance, j.Attempt))
				return nil
			})
		}
		id, err := dead.Enqueue(ctx, NewJob{Kind: "export", MaxAttempts: 2})
		if err != nil {
			t.Fatal(err)
		}
		j, ok, err := dead.claim(ctx) // then the process dies
		if err != nil || !ok || j.ID != id {
			t.Fatalf("claim: %+v %v %v", j, ok, err)
		}
		if ran, err := alive.Work(ctx); err != nil || ran {
			t.Fatalf("a leased job was taken again before its lease ran out (ran %v, err %v)", ran, err)
		}
		clk.Advance(time.Minute)
		if ran, err := alive.Work(ctx); err != nil || !ran {
			t.Fatalf("after the lease: ran %v, err %v", ran, err)
		}
		if len(ran) != 1 || ran[0] != "alive#2" {
			t.Fatalf("runs %v, want alive#2", ran)
		}
		// The dead instance comes back and reports a failure: ignored.
		if err := dead.finish(ctx, j, errors.New("quá muộn")); err != nil {
			t.Fatal(err)
		}
		var status string
		if err := a.QueryRow(ctx, "SELECT status FROM jobs WHERE id = ?", id).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != "done" {
			t.Errorf("status %s after the late outcome, want done", status)
		}

		// Last attempt lost with its instance: failed, not run a third time.
		id2, err := dead.Enqueue(ctx, NewJob{Kind: "export", MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := dead.claim(ctx); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		clk.Advance(2 * time.Minute)
		if ran, err := alive.Work(ctx); err != nil || ran {
			t.Fatalf("ran %v, err %v; want nothing to run", ran, err)
		}
		var lastErr string
		if err := a.QueryRow(ctx, "SELECT status, last_error FROM jobs WHERE id = ?", id2).Scan(&status, &lastErr); err != nil {
			t.Fatal(err)
		}
		if status != "failed" || lastErr == "" {
			t.Errorf("job lost on its last attempt: status %s, last error %q; want failed with a reason", status, lastErr)
		}
	})
}

// Workers of two instances drain a queue together: every job runs exactly
// once, and each instance takes only the kinds it handles.
func TestQueueConcurrentWorkers(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, b *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(t0)
		const n = 200
		var mu sync.Mutex
		count := map[int64]int{}
		by := map[string]int{}
		var queues []*Queue
		for i, db := range []*store.DB{a, b} {
			q := newQueue(db, clk, fmt.Sprintf("i%d", i))
			q.Handle("notify", func(_ context.Context, j Job) error {
				mu.Lock()
				count[j.ID]++
				by[q.Instance]++
				mu.Unlock()
				return nil
			})
			queues = append(queues, q)
		}
		for i := range n {
			if _, err := queues[0].Enqueue(ctx, NewJob{Kind: "notify", Payload: i}); err != nil {
				t.Fatal(err)
			}
		}
		other, err := queues[0].Enqueue(ctx, NewJob{Kind: "not-handled-here"})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, q := range queues {
			for range 3 {
				wg.Go(func() {
					for {
						ran, err := q.Work(ctx)
						if err != nil {
							t.Error(err)
							return
						}
						if !ran {
							return
						}
					}
				})
			}
		}
		wg.Wait()
		if len(count) != n {
			t.Errorf("%d distinct jobs ran, want %d", len(count), n)
		}
		for id, c := range count {
			if c != 1 {
				t.Errorf("job %d ran %d times", id, c)
			}
		}
		t.Logf("jobs run per instance: %v", by)
		var status string
		if err := a.QueryRow(ctx, "SELECT status FROM jobs WHERE id = ?", other).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != "pending" {
			t.Errorf("job of an unhandled kind: status %s, want pending", status)
		}
		if d, err := queues[1].Depth(ctx); err != nil || d != 1 {
			t.Errorf("Depth = %d, %v; want 1 (the unhandled kind)", d, err)
		}
	})
}

// Run keeps taking jobs until its context ends.
func TestQueueRun(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, _ *store.DB) {
		clk := clock.NewFixed(t0)
		q := newQueue(a, clk, "one")
		var done atomic.Int32
		q.Handle("x", func(context.Context, Job) error { done.Add(1); return nil })
		ctx, cancel := context.WithCancel(context.Background())
		finished := make(chan struct{})
		go func() { q.Run(ctx); close(finished) }()
		for range 3 {
			if _, err := q.Enqueue(context.Background(), NewJob{Kind: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, func() bool { return done.Load() == 3 })
		cancel()
		<-finished
	})
}

// Prune removes old run records and done jobs, and keeps failed ones.
func TestPrune(t *testing.T) {
	twoInstances(t, func(t *testing.T, a, _ *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(t0)
		s := &Scheduler{DB: a, Clock: clk, Log: quiet, Instance: "one"}
		if _, err := s.RunOnce(ctx, Periodic{Name: "p", Period: time.Minute, Run: func(context.Context) error { return nil }}); err != nil {
			t.Fatal(err)
		}
		q := newQueue(a, clk, "one")
		q.Handle("ok", func(context.Context, Job) error { return nil })
		q.Handle("bad", func(context.Context, Job) error { return errors.New("hỏng") })
		for _, k := range []string{"ok", "bad"} {
			if _, err := q.Enqueue(ctx, NewJob{Kind: k, MaxAttempts: 1}); err != nil {
				t.Fatal(err)
			}
			if _, err := q.Work(ctx); err != nil {
				t.Fatal(err)
			}
		}
		n, err := Prune(ctx, a, t0.Add(time.Second))
		if err != nil || n != 2 {
			t.Fatalf("Prune = %d, %v; want 2 (one run, one done job)", n, err)
		}
		var left int
		if err := a.QueryRow(ctx, "SELECT COUNT(*) FROM jobs WHERE status = 'failed'").Scan(&left); err != nil || left != 1 {
			t.Errorf("failed jobs left: %d, %v; want 1", left, err)
		}
	})
}
