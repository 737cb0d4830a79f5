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

// ErrClosed is returned for a grouped write queued after Close.
var ErrClosed = errors.New("store: database closed")

// groupReq is one write waiting for a group commit.
type groupReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// committer runs the grouped writes of a SQLite database: one goroutine
// that takes everything queued, runs each write under its own savepoint in
// one transaction, and commits once. SQLite syncs the WAL on every commit
// (synchronous=FULL), so one sync serves the whole group; a write that fails
// rolls back to its savepoint and leaves the others alone.
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
// fn wrote is committed and durable. On SQLite fn may share its transaction
// with other InGroupTx callers queued at the same moment, each under its own
// savepoint: fn sees the others' writes before its own (as if they had
// committed just before), and its error rolls back only its own writes. fn
// must do nothing but database work on tx: it may run after its caller's
// context ended, and its effects count only when InGroupTx returns nil. On
// PostgreSQL, whose server groups commits itself, it is InTx.
func (db *DB) InGroupTx(ctx context.Context, fn func(*Tx) error) error {
	if db.Engine != SQLite {
		return db.InTx(ctx, fn)
	}
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
	batch := make([]groupReq, 0, maxGroup)
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
		for len(batch) < maxGroup {
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
		if _, err := tx.ExecContext(ctx, "SAVEPOINT grouped"); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: savepoint: %w", err)
		}
		if err := callGuarded(r.fn, t); err != nil {
			results[i] = err
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO grouped"); rerr != nil {
				tx.Rollback()
				return fmt.Errorf("store: rollback to savepoint: %w", rerr)
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE grouped"); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: release savepoint: %w", err)
		}
	}
	err = tx.Commit()
	db.stmts.prepareWanted(ctx, db.W)
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
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
