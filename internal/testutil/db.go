// Package testutil gives tests real databases (a fresh SQLite file, or a
// fresh PostgreSQL database created and dropped around the test), the real
// geography lists, running servers and a browser. Tests that need only a
// database may import internal/testdb, which does not build the application.
package testutil

import (
	"testing"

	"toandan/internal/store"
	"toandan/internal/testdb"
)

// Engines lists the engines a store test runs on.
func Engines() []store.Engine { return testdb.Engines() }

// ForEachEngine runs fn as a subtest per engine with a fresh migrated
// database (see testdb.ForEachEngine).
func ForEachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) { testdb.ForEachEngine(t, fn) }

// NewDB returns a fresh, migrated database of engine e.
func NewDB(t testing.TB, e store.Engine) *store.DB { return testdb.NewDB(t, e) }

// NewDSN returns a connection string for a fresh, empty database of engine e.
func NewDSN(t testing.TB, e store.Engine) string { return testdb.NewDSN(t, e) }

// GeoDir returns the folder of real administrative-unit lists, or skips.
func GeoDir(t testing.TB) string { return testdb.GeoDir(t) }

// ModuleRoot returns the folder holding go.mod.
func ModuleRoot(t testing.TB) string { return testdb.ModuleRoot(t) }
