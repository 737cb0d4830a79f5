package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"toandan/internal/store"
	"toandan/internal/testdb"
)

// Grouped writes commit together but fail alone: a write that fails leaves
// no row of its own and takes none of the others' with it, and every write
// that returned nil is in the database, in a fresh connection too.
func TestInGroupTxIsolatesFailures(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 400
		errBad := errors.New("bad write")
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.InGroupTx(ctx, func(tx *store.Tx) error {
					code := fmt.Sprintf("CA-G%03d", i)
					if _, err := tx.Exec(ctx, "INSERT INTO police_units (code, name, level, created_at) VALUES (?, ?, 'province', ?)", code, "G", "x"); err != nil {
						return err
					}
					switch i % 10 {
					case 3: // fails after writing: its row must go
						return errBad
					case 7: // a constraint failure inside the group
						_, err := tx.Exec(ctx, "INSERT INTO police_units (code, name, level, created_at) VALUES (?, ?, 'province', ?)", code, "G", "x")
						return err
					case 9:
						// On SQLite the panic happens in the committer, which
						// must survive it; on PostgreSQL it is the caller's, as
						// with InTx.
						if db.Engine == store.SQLite {
							panic("bug in a write")
						}
						return errBad
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			switch i % 10 {
			case 3:
				if !errors.Is(err, errBad) {
					t.Fatalf("write %d: want its own error, got %v", i, err)
				}
			case 7:
				if !store.IsUniqueViolation(err) {
					t.Fatalf("write %d: want a unique violation, got %v", i, err)
				}
			case 9:
				if err == nil {
					t.Fatalf("write %d panicked and returned nil", i)
				}
			default:
				if err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				want++
			}
		}
		var got int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM police_units WHERE code LIKE 'CA-G%'").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%d rows, want the %d writes that succeeded", got, want)
		}
		var bad int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM police_units WHERE code LIKE 'CA-G%' AND (CAST(SUBSTR(code, 5) AS INTEGER) % 10) IN (3, 7, 9)").Scan(&bad); err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Fatalf("%d rows of failed writes survived", bad)
		}
	})
}

// A grouped write that meets a deadlock or a serialization failure runs
// again, as with InTx, and what it wrote the first time is gone.
func TestInGroupTxRetries(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		runs := 0
		err := db.InGroupTx(ctx, func(tx *store.Tx) error {
			runs++
			if _, err := tx.Exec(ctx, "INSERT INTO police_units (code, name, level, created_at) VALUES (?, ?, 'province', ?)", fmt.Sprintf("CA-R%d", runs), "R", "x"); err != nil {
				return err
			}
			if runs == 1 {
				return errors.New("ERROR: deadlock detected (SQLSTATE 40P01)")
			}
			return nil
		})
		if err != nil || runs != 2 {
			t.Fatalf("InGroupTx = %v after %d runs, want nil after 2", err, runs)
		}
		var codes []string
		rows, err := db.Query(ctx, "SELECT code FROM police_units WHERE code LIKE 'CA-R%'")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			codes = append(codes, c)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(codes) != 1 || codes[0] != "CA-R2" {
			t.Fatalf("rows %v, want only the second run's CA-R2", codes)
		}

		// A write that keeps failing so gives up with its error.
		runs = 0
		err = db.InGroupTx(ctx, func(tx *store.Tx) error {
			runs++
			return errors.New("ERROR: could not serialize access (SQLSTATE 40001)")
		})
		if err == nil || runs != 5 {
			t.Fatalf("InGroupTx = %v after %d runs, want the error after 5", err, runs)
		}
	})
}

// A write queued on a closed database is refused, not lost silently.
func TestInGroupTxAfterClose(t *testing.T) {
	db := testdb.NewDB(t, store.SQLite)
	ctx := context.Background()
	if err := db.InGroupTx(ctx, func(tx *store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	err := db.InGroupTx(ctx, func(tx *store.Tx) error { return nil })
	if !errors.Is(err, store.ErrClosed) {
		t.Fatalf("want ErrClosed, got %v", err)
	}
}
