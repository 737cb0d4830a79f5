// Package store holds the database layer: one hand-written SQL code path over
// database/sql for both SQLite (embedded default) and PostgreSQL, the
// embedded migrations, and the few places where the two engines differ.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Engine names the database engine behind a DB.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is the application's handle on its database. Writes go through W; reads
// that need no transaction go through R. On SQLite W is a single connection
// (SQLite allows one writer at a time, and one connection avoids busy errors
// between our own writers) and R a pool of read-only connections; on
// PostgreSQL both are the same pool.
type DB struct {
	Engine Engine
	W      *sql.DB
	R      *sql.DB
	// Path is the SQLite file, empty on PostgreSQL.
	Path string

	group committer     // group commits (InGroupTx)
	stmts stmtCache     // SQLite's prepared statements
	ckpt  *checkpointer // SQLite's checkpoints
}

// Open opens the database named by dsn. A dsn starting with postgres:// or
// postgresql:// selects PostgreSQL; anything else is a SQLite file path, and an
// empty dsn means toandan.db inside dataDir.
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	if IsPostgresURL(dsn) {
		return openPostgres(ctx, dsn)
	}
	path := dsn
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create data folder: %w", err)
		}
		path = filepath.Join(dataDir, "toandan.db")
	}
	return openSQLite(ctx, path)
}

// IsPostgresURL reports whether dsn selects PostgreSQL.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// busy_timeout comes first so that the pragmas after it wait rather than
	// fail while another process holds a lock. synchronous=FULL makes a
	// committed transaction durable in WAL mode, not only consistent.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	// On the writer, temp_store=MEMORY keeps the savepoint journal of a
	// group commit (see InGroupTx) in memory: by default it spills to a
	// temporary file past 64 KiB, a few reports into a group, and every page
	// a report changes is then written there first. It holds only what a
	// savepoint's rollback would need, never what a commit makes durable.
	// The writer leaves checkpoints to the checkpointer but for a bound on
	// the WAL (see checkpointer).
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=temp_store(MEMORY)"+
		"&_pragma=wal_autocheckpoint("+strconv.Itoa(walCheckpointFrames)+")"+
		"&_pragma=journal_size_limit("+strconv.Itoa(walSizeLimit)+")&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite reader: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	ckpt, err := startCheckpointer(ctx, path, pragmas)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return &DB{Engine: SQLite, W: w, R: r, Path: path, ckpt: ckpt}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	// An acknowledged write must be on disk: insist on synchronous_commit
	// whatever the server's default.
	if u, err := url.Parse(dsn); err == nil {
		q := u.Query()
		if q.Get("synchronous_commit") == "" {
			q.Set("synchronous_commit", "on")
			u.RawQuery = q.Encode()
			dsn = u.String()
		}
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	return &DB{Engine: Postgres, W: db, R: db}, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stopGroup()
	db.stmts.close()
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	if werr := db.W.Close(); err == nil {
		err = werr
	}
	if db.R != db.W {
		if rerr := db.R.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.R.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Rebind turns the ? placeholders of q into the engine's own. Queries in this
// project never put a literal ? inside a string, so a plain scan is enough.
func (db *DB) Rebind(q string) string { return rebind(db.Engine, q) }

func rebind(e Engine, q string) string {
	if e != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// prepared returns q prepared on the reader pool when the engine gains by
// it (SQLite), else nil.
func (db *DB) prepared(ctx context.Context, pool *sql.DB, q string) *sql.Stmt {
	if db.Engine != SQLite {
		return nil
	}
	if s := db.stmts.get(pool, q); s != nil {
		return s
	}
	return db.stmts.prepare(ctx, pool, q)
}

// Query runs a read on the reader pool.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = db.Rebind(q)
	if s := db.prepared(ctx, db.R, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.R.QueryContext(ctx, q, args...)
}

// QueryRow runs a one-row read on the reader pool.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = db.Rebind(q)
	if s := db.prepared(ctx, db.R, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.R.QueryRowContext(ctx, q, args...)
}

// Exec runs one statement on the writer in its own implicit transaction.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.W.ExecContext(ctx, db.Rebind(q), args...)
}

// Tx is a write transaction with placeholders rebound for its engine.
type Tx struct {
	tx     *sql.Tx
	Engine Engine
	db     *DB
	values map[any]any
}

// Value returns what SetValue kept under key in this transaction, or nil.
func (t *Tx) Value(key any) any { return t.values[key] }

// SetValue keeps v under key until the transaction ends: a package may note
// there what it knows of the rows it locked or wrote, to spare reading them
// again. When a grouped write fails and its savepoint is rolled back, every
// value is dropped with the writes it may describe.
func (t *Tx) SetValue(key, v any) {
	if t.values == nil {
		t.values = map[any]any{}
	}
	t.values[key] = v
}

// stmt returns q prepared for this transaction, or nil to run it as text.
func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.db == nil {
		return nil
	}
	if t.db.Engine != SQLite {
		return nil
	}
	s := t.db.stmts.get(t.db.W, q)
	if s == nil {
		// The writer's one connection is this transaction's: prepare
		// after it ends.
		t.db.stmts.want(q)
		return nil
	}
	return t.tx.StmtContext(ctx, s)
}

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = rebind(t.Engine, q)
	if s := t.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = rebind(t.Engine, q)
	if s := t.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = rebind(t.Engine, q)
	if s := t.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// InsertID runs a plain INSERT of one row (no ON CONFLICT: an upsert that
// updates inserts no rowid) into a table whose id is its integer primary
// key, and returns the new id. On SQLite that id is the rowid SQLite
// reports after the statement, which spares the rows and the scan of a
// RETURNING; PostgreSQL says RETURNING id.
func (t *Tx) InsertID(ctx context.Context, q string, args ...any) (int64, error) {
	if t.Engine == SQLite {
		res, err := t.Exec(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, sql.ErrNoRows
		}
		return res.LastInsertId()
	}
	var id int64
	if err := t.QueryRow(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// InTx runs fn in a write transaction and commits when fn returns nil. On
// PostgreSQL a serialization failure or deadlock is retried a few times; on
// SQLite the single writer connection makes those impossible.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	var err error
	for i := 0; i < txAttempts; i++ {
		err = db.inTx(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
	}
	return err
}

func (db *DB) inTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(&Tx{tx: tx, Engine: db.Engine, db: db}); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rerr))
		}
		return err
	}
	err = tx.Commit()
	db.stmts.prepareWanted(ctx, db.W)
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// txAttempts is how many times a write is tried when its transaction meets
// a deadlock or a serialization failure.
const txAttempts = 5

func retryable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "SQLSTATE 40001") || strings.Contains(s, "SQLSTATE 40P01") ||
		strings.Contains(s, "database is locked") || strings.Contains(s, "SQLITE_BUSY")
}

// IsUniqueViolation reports whether err is a unique-constraint failure.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "UNIQUE constraint failed")
}

// Placeholders returns "(?, ?, ...)" groups for a multi-row VALUES clause.
func Placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	var b strings.Builder
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}
