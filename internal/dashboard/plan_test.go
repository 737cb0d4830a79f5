package dashboard

import (
	"context"
	"strings"
	"testing"
	"time"

	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

// TestQueryPlans checks on SQLite that every dashboard query reads a range
// of the counters' keys, sources through an index on the receiving unit
// (or from the open limits due soon), and the limits through an index,
// never by scanning a whole table: a national roll-up over millions of
// sources must stay a read of a few thousand rows.
func TestQueryPlans(t *testing.T) {
	t.Parallel()
	db := testdb.NewDB(t, store.SQLite)
	ctx := context.Background()
	b := monthBounds(2026)
	horizon := store.FormatTime(time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC))
	for _, sc := range []scope{{level: LevelNation}, {level: geo.LevelProvince, province: "01"}, {level: geo.LevelCommune, policeUnitID: 7}} {
		queries := map[string]func() (string, []any){
			"due": func() (string, []any) { return dueQuery(sc, b[0], b[12], horizon) },
		}
		if sc.level == geo.LevelCommune {
			queries["received"] = func() (string, []any) { return communeQuery(sc, b) }
		} else {
			queries["counts"] = func() (string, []any) { return countsQuery(sc, 2026) }
			queries["categories"] = func() (string, []any) { return categoryCountsQuery(sc, 2026) }
		}
		for name, q := range queries {
			t.Run(sc.level+"/"+name, func(t *testing.T) {
				sql, args := q()
				rows, err := db.Query(ctx, "EXPLAIN QUERY PLAN "+sql, args...)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var plan []string
				for rows.Next() {
					var id, parent, unused int
					var detail string
					if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
						t.Fatal(err)
					}
					plan = append(plan, detail)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				all := strings.Join(plan, "\n")
				t.Logf("plan:\n%s", all)
				for _, line := range plan {
					if strings.HasPrefix(line, "SCAN ") && !strings.HasPrefix(line, "SCAN CONSTANT ROW") {
						t.Errorf("full scan %q in plan:\n%s", line, all)
					}
				}
				if name == "counts" || name == "categories" {
					if !strings.Contains(all, "USING PRIMARY KEY (month>? AND month<?)") {
						t.Errorf("counters not read by a range of months:\n%s", all)
					}
					return
				}
				// Sources are reached through one of the dashboard's indexes, or
				// from the few open limits due soon.
				if !strings.Contains(all, "INDEX sources_receiving_received") && !strings.Contains(all, "INDEX sources_received") &&
					!strings.Contains(all, "INDEX source_deadlines_open_due") {
					t.Errorf("sources not read through a dashboard index:\n%s", all)
				}
			})
		}
	}
}
