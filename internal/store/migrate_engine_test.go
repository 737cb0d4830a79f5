package store

import (
	"strings"
	"testing"
)

func TestEngineSQL(t *testing.T) {
	const q = `CREATE TABLE a (x TEXT);
-- engine: sqlite
CREATE VIRTUAL TABLE a_fts USING fts5(x);
-- engine: postgres
CREATE INDEX a_x ON a USING gin (x);
  -- engine:   all
CREATE TABLE b (y TEXT);
`
	tests := []struct {
		engine    Engine
		want      []string
		wantNot   []string
		wantLines int
	}{
		{SQLite, []string{"CREATE TABLE a", "fts5", "CREATE TABLE b"}, []string{"gin", "engine:"}, 7},
		{Postgres, []string{"CREATE TABLE a", "gin", "CREATE TABLE b"}, []string{"fts5", "engine:"}, 7},
	}
	for _, tc := range tests {
		got, err := engineSQL(tc.engine, q)
		if err != nil {
			t.Fatalf("%s: %v", tc.engine, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.engine, got, w)
			}
		}
		for _, w := range tc.wantNot {
			if strings.Contains(got, w) {
				t.Errorf("%s: %q holds %q", tc.engine, got, w)
			}
		}
		// Lines keep their numbers, so an engine's error points into the file.
		if n := strings.Count(got, "\n"); n != tc.wantLines {
			t.Errorf("%s: %d lines, want %d", tc.engine, n, tc.wantLines)
		}
	}

	// Without markers a migration is left exactly as written.
	plain := "CREATE TABLE c (z TEXT); -- a comment, engine: none\n"
	if got, err := engineSQL(Postgres, plain); err != nil || got != plain {
		t.Errorf("plain migration: %q, %v", got, err)
	}
	// A misspelt engine fails rather than silently running nowhere.
	if _, err := engineSQL(SQLite, "-- engine: sqlite3\nSELECT 1;\n"); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("unknown engine: err = %v", err)
	}
}
