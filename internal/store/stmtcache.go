package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// maxCachedStmts bounds the statement cache: queries are written in the
// code, so their number is small, but a query built with a varying number of
// placeholders must not grow it without end.
const maxCachedStmts = 1024

// stmtCache keeps SQLite statements prepared. SQLite compiles every
// statement before running it, and for the short statements of this
// application compiling costs more than running: the intake path spends
// most of its database time in the parser without it. PostgreSQL's driver
// keeps its own cache on each connection.
//
// A statement is prepared on its pool without holding the cache's lock, and
// never from inside a write transaction: SQLite's writer pool has one
// connection, which the transaction holds. A transaction notes the
// statements it ran unprepared, and they are prepared once it has ended.
type stmtCache struct {
	mu     sync.Mutex
	m      map[*sql.DB]map[string]*sql.Stmt
	n      int
	wanted map[string]bool // writer statements to prepare after the transaction
}

func (c *stmtCache) get(pool *sql.DB, q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[pool][q]
}

// prepare prepares q on pool and keeps it, unless the cache is full or q
// holds several statements (a prepared statement keeps only the first). It
// returns nil when q is to run unprepared; a statement that fails to
// prepare then meets its error where it runs.
func (c *stmtCache) prepare(ctx context.Context, pool *sql.DB, q string) *sql.Stmt {
	if multiStatement(q) {
		return nil
	}
	c.mu.Lock()
	full := c.n >= maxCachedStmts
	c.mu.Unlock()
	if full {
		return nil
	}
	// Prepared without the caller's deadline: the statement outlives it.
	s, err := pool.PrepareContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[pool][q]; ok {
		s.Close()
		return old
	}
	if c.n >= maxCachedStmts {
		s.Close()
		return nil
	}
	if c.m == nil {
		c.m = map[*sql.DB]map[string]*sql.Stmt{}
	}
	if c.m[pool] == nil {
		c.m[pool] = map[string]*sql.Stmt{}
	}
	c.m[pool][q] = s
	c.n++
	return s
}

// want notes a writer statement to prepare once the transaction ends.
func (c *stmtCache) want(q string) {
	if multiStatement(q) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= maxCachedStmts {
		return
	}
	if c.wanted == nil {
		c.wanted = map[string]bool{}
	}
	c.wanted[q] = true
}

// prepareWanted prepares on pool the statements transactions ran
// unprepared. It must be called with no transaction open on pool.
func (c *stmtCache) prepareWanted(ctx context.Context, pool *sql.DB) {
	c.mu.Lock()
	if len(c.wanted) == 0 {
		c.mu.Unlock()
		return
	}
	qs := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		qs = append(qs, q)
	}
	c.wanted = nil
	c.mu.Unlock()
	for _, q := range qs {
		c.prepare(ctx, pool, q)
	}
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.m {
		for _, s := range m {
			s.Close()
		}
	}
	c.m, c.n, c.wanted = nil, 0, nil
}

// multiStatement reports whether q holds more than one statement, as a
// migration does.
func multiStatement(q string) bool {
	return strings.Contains(strings.TrimRight(strings.TrimSpace(q), "; \n\t"), ";")
}
