package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"toandan/internal/store"
	"toandan/internal/testdb"
)

func TestMigrate(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cur, latest, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur != latest || latest == 0 {
			t.Fatalf("schema at %d of %d after migrate", cur, latest)
		}
		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("second migrate applied %d migrations, want 0", n)
		}
	})
}

// Instances starting together must not both apply a migration: on PostgreSQL
// the advisory lock serialises them, on SQLite the single writer does.
func TestMigrateConcurrently(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			dsn := testdb.NewDSN(t, e)
			ctx := context.Background()
			const n = 4
			dbs := make([]*store.DB, n)
			for i := range dbs {
				db, err := store.Open(ctx, dsn, t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				dbs[i] = db
			}
			applied := make([]int, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					applied[i], errs[i] = dbs[i].Migrate(ctx)
				}()
			}
			wg.Wait()
			total := 0
			for i := range dbs {
				if errs[i] != nil {
					t.Fatalf("instance %d: %v", i, errs[i])
				}
				total += applied[i]
			}
			ms, err := store.Migrations()
			if err != nil {
				t.Fatal(err)
			}
			if total != len(ms) {
				t.Fatalf("instances applied %d migrations in all, want %d (each exactly once)", total, len(ms))
			}
			var rows int
			if err := dbs[0].QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != len(ms) {
				t.Fatalf("schema_migrations has %d rows, want %d", rows, len(ms))
			}
		})
	}
}

// Acknowledged writes must survive a power cut: the writer runs in WAL mode
// with synchronous=FULL, foreign keys on, and waits rather than fails on a
// lock.
func TestSQLiteSettings(t *testing.T) {
	db := testdb.NewDB(t, store.SQLite)
	ctx := context.Background()
	for _, c := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	} {
		var got string
		if err := db.W.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("writer PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
		if err := db.R.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("reader PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
	if _, err := db.R.ExecContext(ctx, "CREATE TABLE x (a INTEGER)"); err == nil {
		t.Error("reader pool accepted a write; it must be query-only")
	}
	// The writer keeps savepoint journals in memory and leaves most
	// checkpoints to the checkpointer.
	for pragma, want := range map[string]string{"temp_store": "2", "wal_autocheckpoint": "4000"} {
		var got string
		if err := db.W.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("writer PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

// The checkpointer copies what the writer commits into the database file
// while the database is open, before the writer's own threshold.
func TestSQLiteCheckpointer(t *testing.T) {
	db := testdb.NewDB(t, store.SQLite)
	ctx := context.Background()
	size := func() int64 {
		t.Helper()
		fi, err := os.Stat(db.Path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	if _, err := db.Exec(ctx, "CREATE TABLE filler (body TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for range 1000 {
			if _, err := tx.Exec(ctx, "INSERT INTO filler (body) VALUES (?)", strings.Repeat("x", 2000)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+2_000_000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file at %d bytes 10 s after 2 MB were committed (%d before): no checkpoint", size(), before)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Under a steady stream of commits the WAL still starts over, and so
	// stays short.
	var longest int64
	for range 50 {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for range 500 {
				if _, err := tx.Exec(ctx, "INSERT INTO filler (body) VALUES (?)", strings.Repeat("y", 2000)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(db.Path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		longest = max(longest, fi.Size())
	}
	if longest > 32<<20 {
		t.Errorf("the WAL reached %d bytes while 50 MB were written: it is not started over", longest)
	}
}

// InsertID returns the id of the row it inserted, on either engine, inside
// a transaction and a grouped one.
func TestInsertID(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := func(tx *store.Tx, code string) error {
			id, err := tx.InsertID(ctx, "INSERT INTO police_units (code, name, level, created_at) VALUES (?, ?, 'province', ?)", code, "T", "x")
			if err != nil {
				return err
			}
			var got string
			if err := tx.QueryRow(ctx, "SELECT code FROM police_units WHERE id = ?", id).Scan(&got); err != nil {
				return err
			}
			if got != code {
				t.Errorf("InsertID gave %d, the id of %q, not of %q", id, got, code)
			}
			return nil
		}
		for i := range 3 {
			code := fmt.Sprintf("CA-I%d", i)
			if err := db.InTx(ctx, func(tx *store.Tx) error { return insert(tx, code) }); err != nil {
				t.Fatal(err)
			}
			if err := db.InGroupTx(ctx, func(tx *store.Tx) error { return insert(tx, code+"G") }); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestRebind(t *testing.T) {
	for _, c := range []struct {
		engine store.Engine
		in     string
		want   string
	}{
		{store.SQLite, "SELECT a FROM t WHERE a = ? AND b = ?", "SELECT a FROM t WHERE a = ? AND b = ?"},
		{store.Postgres, "SELECT a FROM t WHERE a = ? AND b = ?", "SELECT a FROM t WHERE a = $1 AND b = $2"},
		{store.Postgres, "SELECT 1", "SELECT 1"},
	} {
		db := &store.DB{Engine: c.engine}
		if got := db.Rebind(c.in); got != c.want {
			t.Errorf("%s: Rebind(%q) = %q, want %q", c.engine, c.in, got, c.want)
		}
	}
}

func TestInTxRollsBack(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO police_units (code, name, level, created_at) VALUES (?, ?, 'province', ?)", "CA-T", "T", "x"); err != nil {
				return err
			}
			// A second row with the same code fails, and the first must go too.
			_, err := tx.Exec(ctx, "INSERT INTO police_units (code, name, level, created_at) VALUES (?, ?, 'province', ?)", "CA-T", "T", "x")
			return err
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("want a unique violation, got %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM police_units WHERE code = 'CA-T'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d rows survived a rolled-back transaction", n)
		}
	})
}

// On PostgreSQL every connection commits synchronously, whatever the
// server's default.
func TestPostgresSynchronousCommit(t *testing.T) {
	db := testdb.NewDB(t, store.Postgres)
	var v string
	if err := db.W.QueryRowContext(context.Background(), "SHOW synchronous_commit").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != "on" {
		t.Fatalf("synchronous_commit = %s, want on", v)
	}
}
