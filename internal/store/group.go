package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// maxGroup bounds how many queued writes one group commit takes: enough to
// absorb a burst, few enough that the first caller of a group is not kept
// long behind the others.
const maxGroup = 256

// maxGroupPostgres bounds a group on PostgreSQL lower: each write's
// savepoint is a subtransaction, and a transaction with more than 64 of
// them overflows the server's cache of them, which slows every other
// session's snapshots until it ends.
const maxGroupPostgres = 64

func (db *DB) maxGroup() int {
	if db.Engine == Postgres {
		return maxGroupPostgres
	}
	return maxGroup
}

// ErrClosed is returned for a grouped write queued after Close.
var ErrClosed = errors.New("store: database closed")

// groupReq is one write waiting for a group commit.
type groupReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// committer runs the grouped writes of a database: one goroutine that takes
// everything queued, runs each write under its own savepoint in one
// transaction, and commits once. Each commit waits for a sync of the log
// (SQLite's synchronous=FULL, PostgreSQL's synchronous_commit=on), so one
// sync serves the whole group; a write that fails rolls back to its
// savepoint and leaves the others alone.
type committer struct {
	once sync.Once
	// mu orders sends against Close: senders hold it shared, Close
	// exclusively, so that nothing is queued after the committer stopped.
	mu     sync.RWMutex
	closed bool
	reqs   chan groupReq
	stop   chan struct{}
	done   chan struct{}
}

// InGroupTx runs fn in a write transaction like InTx, and returns once what
// fn wrote is committed and durable. fn may share its transaction with
// other InGroupTx callers queued at the same moment, each under its own
// savepoint: fn sees the others' writes before its own (as if they had
// committed just before), and its error rolls back only its own writes. fn
// must do nothing but database work on tx: it may run after its caller's
// context ended, it may run again after a deadlock or a serialization
// failure (as with InTx), and its effects count only when InGroupTx returns
// nil.
//
// PostgreSQL groups the syncs of concurrent commits by itself, but not of
// writes that all lock one row until they commit (as every audited write
// locks the head of the audit chain): those commit one after the other,
// each waiting for its own sync. Grouped, they wait once per group. A
// grouped write that locks such a row should lock it first, so that two
// groups (of two instances) never wait for each other's rows.
func (db *DB) InGroupTx(ctx context.Context, fn func(*Tx) error) error {
	c := &db.group
	c.once.Do(func() {
		c.reqs = make(chan groupReq, maxGroup)
		c.stop = make(chan struct{})
		c.done = make(chan struct{})
		go db.commitLoop()
	})
	req := groupReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return ErrClosed
	}
	select {
	case c.reqs <- req:
		c.mu.RUnlock()
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, the write is waited for even if ctx ends: the caller must
	// learn whether it was committed.
	return <-req.done
}

// stopGroup ends the committer, failing what is still queued.
func (db *DB) stopGroup() {
	c := &db.group
	c.once.Do(func() {}) // no committer starts after Close
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if c.stop != nil && !already {
		close(c.stop)
		<-c.done
	}
}

func (db *DB) commitLoop() {
	c := &db.group
	defer close(c.done)
	limit := db.maxGroup()
	batch := make([]groupReq, 0, limit)
	for {
		select {
		case r := <-c.reqs:
			batch = append(batch[:0], r)
		case <-c.stop:
			for {
				select {
				case r := <-c.reqs:
					r.done <- ErrClosed
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < limit {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		db.commitGroup(batch)
	}
}

// commitGroup runs one group. Writes whose caller gave up before the group
// began are skipped; each other write gets its own error, or the commit's.
func (db *DB) commitGroup(batch []groupReq) {
	results := make([]error, len(batch))
	run := false
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
		} else {
			run = true
		}
	}
	if run {
		if err := db.runGroup(batch, results); err != nil {
			for i := range batch {
				if results[i] == nil {
					results[i] = err
				}
			}
		}
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// runGroup runs the writes not yet failed in one transaction. It returns an
// error when the transaction as a whole failed.
func (db *DB) runGroup(batch []groupReq, results []error) error {
	// The transaction does not take a caller's context: one caller giving
	// up must not roll back the others.
	ctx := context.Background()
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	t := &Tx{tx: tx, Engine: db.Engine, db: db}
	for i, r := range batch {
		if results[i] != nil {
			continue
		}
		for attempt := 1; ; attempt++ {
			ferr, err := runSavepoint(ctx, t, r.fn)
			if err != nil {
				tx.Rollback()
				return err
			}
			if ferr == nil || !retryable(ferr) || attempt == txAttempts {
				results[i] = ferr
				break
			}
		}
	}
	err = tx.Commit()
	db.stmts.prepareWanted(ctx, db.W)
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// runSavepoint runs fn under a savepoint of t, rolled back if fn fails. It
// returns fn's error, and the error that leaves t unusable.
func runSavepoint(ctx context.Context, t *Tx, fn func(*Tx) error) (fnErr, err error) {
	// Through t, so that the two statements every write runs are prepared
	// once on SQLite, like the write's own.
	if _, err := t.Exec(ctx, "SAVEPOINT grouped"); err != nil {
		return nil, fmt.Errorf("store: savepoint: %w", err)
	}
	if fnErr = callGuarded(fn, t); fnErr != nil {
		t.values = nil
		if _, err := t.Exec(ctx, "ROLLBACK TO grouped"); err != nil {
			return fnErr, fmt.Errorf("store: rollback to savepoint: %w", err)
		}
	}
	if _, err := t.Exec(ctx, "RELEASE grouped"); err != nil {
		return fnErr, fmt.Errorf("store: release savepoint: %w", err)
	}
	return fnErr, nil
}

// callGuarded runs fn, turning a panic into an error: a bug in one write
// must not take the committer, and every writer queued behind it, down.
func callGuarded(fn func(*Tx) error, t *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: grouped write panicked: %v", p)
		}
	}()
	return fn(t)
}
