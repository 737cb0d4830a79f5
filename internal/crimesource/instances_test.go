package crimesource_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"toandan/internal/app"
	"toandan/internal/audit"
	"toandan/internal/clock"
	"toandan/internal/config"
	"toandan/internal/crimesource"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// TestIntakeTwoInstances sends reports through two instances on one
// PostgreSQL database at once, so that the two instances' group commits
// meet on the same police units' register numbers and on the audit chain:
// every report is received, no transaction waits for another in a cycle
// (a deadlock), the registers have no gap and the chain holds.
func TestIntakeTwoInstances(t *testing.T) {
	t.Parallel()
	dsn := testutil.NewDSN(t, store.Postgres)
	ctx := context.Background()
	clk := clock.NewFixed(testutil.DefaultNow)
	// Instances of one database share its identity key.
	key := filepath.Join(t.TempDir(), "identity.key")
	open := func() *app.Main {
		t.Helper()
		m, err := app.Open(ctx, config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DB: dsn, KeyFile: key},
			slog.New(slog.NewTextHandler(io.Discard, nil)), clk)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := open(), open()
	if _, err := a.Geo.Import(ctx, geo.ImportOptions{FileName: "fixture.csv", ValidFrom: "2025-07-01", Actor: "test"},
		[]byte(testutil.SampleCommunes), "", nil); err != nil {
		t.Fatal(err)
	}

	const n = 240
	communes := []string{"T0101", "T0102", "T7901"}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		svc := a.Sources
		if i%2 == 1 {
			svc = b.Sources
		}
		wg.Go(func() {
			in := report(communes[i%len(communes)], fmt.Sprintf("Báo tin đồng thời số %d qua hai máy chủ.", i))
			_, errs[i] = svc.Submit(ctx, in, crimesource.Actor{})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
	}
	a.Close()
	b.Close()

	// The sessions have ended, so the server has counted their deadlocks.
	db, err := store.Open(ctx, dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var deadlocks int
	if err := db.QueryRow(ctx, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").Scan(&deadlocks); err != nil {
		t.Fatal(err)
	}
	if deadlocks != 0 {
		t.Errorf("%d deadlocks between the two instances' writes", deadlocks)
	}
	rows, err := db.Query(ctx, `SELECT receiving_unit_id, register_no FROM sources ORDER BY receiving_unit_id, register_no`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	next := map[int64]int{}
	total := 0
	for rows.Next() {
		var unit int64
		var no int
		if err := rows.Scan(&unit, &no); err != nil {
			t.Fatal(err)
		}
		if next[unit]++; no != next[unit] {
			t.Fatalf("unit %d: register number %d where %d was due", unit, no, next[unit])
		}
		total++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if total != n {
		t.Errorf("%d sources, want %d", total, n)
	}
	checked, problem, err := audit.Verify(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if problem != nil {
		t.Fatalf("audit chain: %s", problem)
	}
	var received int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'source.receive'").Scan(&received); err != nil {
		t.Fatal(err)
	}
	if received != n {
		t.Errorf("%d source.receive entries among %d checked, want %d", received, checked, n)
	}
}
