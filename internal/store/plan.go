package store

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"
)

// QueryCustomPlan runs a read on the reader pool, like Query, for a query
// whose best plan depends on its arguments' values, such as a text search
// whose words may be in one report or in half of them. pgx keeps a prepared
// statement per query text, and after five runs PostgreSQL may settle on one
// generic plan for any arguments; this sends the query as an unnamed
// statement instead, which PostgreSQL plans for the values it is given, every
// time. SQLite has no such cache, and the call is Query.
func (db *DB) QueryCustomPlan(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.Engine == Postgres {
		args = append([]any{pgx.QueryExecModeCacheDescribe}, args...)
	}
	return db.Query(ctx, q, args...)
}
