package audit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"toandan/internal/audit"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

func verify(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, problem, err := audit.Verify(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if problem != nil {
		t.Fatalf("chain broken: %s", problem)
	}
	return n
}

// The chain holds whatever mix of writes appended to it together: several
// entries in one transaction, grouped writes sharing a transaction, and
// grouped writes rolled back before or after their entry.
func TestChainHolds(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
		entry := func(kind string, i int) audit.Entry {
			return audit.Entry{At: at, Actor: "system", Action: "test." + kind, Object: fmt.Sprintf("test:%d", i)}
		}

		// Three entries in one transaction.
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i := range 3 {
				if err := audit.Append(ctx, tx, entry("tx", i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := verify(t, db); n != 3 {
			t.Fatalf("%d entries, want 3", n)
		}

		// Grouped writes: some take their slot first and fill it last, some
		// append twice, some fail before or after appending.
		const n = 200
		errBad := errors.New("bad write")
		var wg sync.WaitGroup
		want := 3
		var mu sync.Mutex
		for i := range n {
			wg.Go(func() {
				err := db.InGroupTx(ctx, func(tx *store.Tx) error {
					switch i % 5 {
					case 0:
						slot, err := audit.Take(ctx, tx)
						if err != nil {
							return err
						}
						return slot.Append(ctx, tx, entry("slot", i))
					case 1:
						if err := audit.Append(ctx, tx, entry("first", i)); err != nil {
							return err
						}
						return audit.Append(ctx, tx, entry("second", i))
					case 2:
						if _, err := audit.Take(ctx, tx); err != nil {
							return err
						}
						return errBad // before its entry
					case 3:
						if err := audit.Append(ctx, tx, entry("gone", i)); err != nil {
							return err
						}
						return errBad // after its entry
					}
					return audit.Append(ctx, tx, entry("one", i))
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case i%5 == 2 || i%5 == 3:
					if !errors.Is(err, errBad) {
						t.Errorf("write %d: %v, want its own error", i, err)
					}
				case err != nil:
					t.Errorf("write %d: %v", i, err)
				case i%5 == 1:
					want += 2
				default:
					want++
				}
			})
		}
		wg.Wait()
		if got := verify(t, db); got != int64(want) {
			t.Fatalf("%d entries, want %d", got, want)
		}
		var gone int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'test.gone'").Scan(&gone); err != nil {
			t.Fatal(err)
		}
		if gone != 0 {
			t.Errorf("%d entries of writes rolled back", gone)
		}
	})
}
