package store_test

import (
	"context"
	"testing"

	"toandan/internal/store"
	"toandan/internal/testdb"
)

// QueryCustomPlan answers like Query; on PostgreSQL it leaves no prepared
// statement behind, so the server has no generic plan to fall back on.
func TestQueryCustomPlan(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// One connection, so that pg_prepared_statements (per session) sees
		// every statement the queries below prepared.
		db.R.SetMaxOpenConns(1)
		const q = "SELECT code FROM crime_categories WHERE code LIKE ? AND position < ? ORDER BY position"
		for range 7 {
			rows, err := db.QueryCustomPlan(ctx, q, "%nhung", 100)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				got = append(got, c)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != "tham_nhung" {
				t.Fatalf("QueryCustomPlan: %v, want [tham_nhung]", got)
			}
		}
		if db.Engine != store.Postgres {
			return
		}
		prepared := func() int {
			var n int
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT code FROM crime_categories%'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := prepared(); n != 0 {
			t.Errorf("QueryCustomPlan left %d prepared statements", n)
		}
		// The check sees what Query prepares.
		var c string
		if err := db.QueryRow(ctx, q, "%nhung", 100).Scan(&c); err != nil {
			t.Fatal(err)
		}
		if n := prepared(); n != 1 {
			t.Errorf("Query left %d prepared statements, want 1", n)
		}
	})
}
