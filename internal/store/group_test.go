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
