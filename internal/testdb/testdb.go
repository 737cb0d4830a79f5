// Package testdb gives tests real databases: a fresh SQLite file, or a
// fresh PostgreSQL database created and dropped around the test. It does not
// build the application, so store-level tests stay independent of it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"toandan/internal/store"
)

// Engines lists the engines a store test runs on: SQLite always, PostgreSQL
// when TOANDAN_TEST_POSTGRES holds a connection URL.
func Engines() []store.Engine {
	if os.Getenv("TOANDAN_TEST_POSTGRES") != "" {
		return []store.Engine{store.SQLite, store.Postgres}
	}
	return []store.Engine{store.SQLite}
}

// ForEachEngine runs fn as a subtest per engine, each with a fresh migrated
// database. Without TOANDAN_TEST_POSTGRES the PostgreSQL subtest is skipped
// with a message saying how to enable it.
func ForEachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			fn(t, NewDB(t, e))
		})
	}
}

// NewDB returns a fresh, migrated database of engine e, closed (and on
// PostgreSQL dropped) when the test ends.
func NewDB(t testing.TB, e store.Engine) *store.DB {
	t.Helper()
	dsn := NewDSN(t, e)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, t.TempDir())
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return db
}

// NewDSN returns a connection string for a fresh, empty database of engine e:
// a file in a temporary folder for SQLite, a new database (dropped when the
// test ends) on the server named by TOANDAN_TEST_POSTGRES for PostgreSQL.
func NewDSN(t testing.TB, e store.Engine) string {
	t.Helper()
	if e == store.SQLite {
		return filepath.Join(t.TempDir(), "toandan.db")
	}
	base := os.Getenv("TOANDAN_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but TOANDAN_TEST_POSTGRES is not: the PostgreSQL suite must run in CI")
		}
		t.Skip("PostgreSQL tests skipped: set TOANDAN_TEST_POSTGRES to a connection URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run them")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TOANDAN_TEST_POSTGRES: %v", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connect to %s: %v", u.Redacted(), err)
	}
	defer admin.Close()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "toandan_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database on %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer a.Close()
		if _, err := a.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// GeoDir returns the folder of real administrative-unit lists named by
// TOANDAN_TEST_GEO, or skips the test with a message saying how to set it.
func GeoDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("TOANDAN_TEST_GEO")
	if dir == "" {
		t.Skip("geography tests skipped: set TOANDAN_TEST_GEO to the vn-admin folder (../shared/data/vn-admin) to run them")
	}
	if !filepath.IsAbs(dir) {
		// The variable is usually given relative to the repository root
		// (../shared/data/vn-admin), while go test runs in the package folder.
		dir = filepath.Join(ModuleRoot(t), dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "units-2025.csv")); err != nil {
		t.Fatalf("TOANDAN_TEST_GEO=%s: %v", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// ModuleRoot returns the folder holding go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
}
