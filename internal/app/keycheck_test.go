package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toandan/internal/app"
	"toandan/internal/clock"
	"toandan/internal/config"
	"toandan/internal/crimesource"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

// A server must never start on data sealed under one identity key with
// another: a lost key file silently replaced by a new one, a second instance
// given the wrong file, or a backup restored beside the wrong key would
// write reports that no other server can read, and stop every receipt code
// of the old ones from working.
func TestIdentityKeyMustMatchDatabase(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.NewDSN(t, e)
			if e == store.SQLite {
				dsn = "" // the data folder's own file
			}
			data := t.TempDir()
			keyFile := filepath.Join(data, "identity.key")
			cfg := config.Config{DataDir: data, DB: dsn}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			open := func() (*app.Main, error) { return app.Open(ctx, cfg, log, clock.Real{}) }

			m, err := open()
			if err != nil {
				t.Fatal(err)
			}
			want := m.Sources.Keys.Fingerprint()
			var got string
			if err := m.DB.QueryRow(ctx, "SELECT fingerprint FROM identity_key").Scan(&got); err != nil {
				t.Fatalf("fingerprint not recorded: %v", err)
			}
			if got != want {
				t.Fatalf("recorded fingerprint %q, key's %q", got, want)
			}
			m.Close()
			original, err := os.ReadFile(keyFile)
			if err != nil {
				t.Fatal(err)
			}

			// The key file lost: no new key is made, and the server says
			// what to do.
			if err := os.Remove(keyFile); err != nil {
				t.Fatal(err)
			}
			_, err = open()
			if !errors.Is(err, app.ErrIdentityKey) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "missing") {
				t.Fatalf("open without the key file: %v", err)
			}
			if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
				t.Fatalf("a new key file was left behind: %v", err)
			}

			// Another key in its place.
			m2, err := app.Open(ctx, config.Config{DataDir: t.TempDir()}, log, clock.Real{})
			if err != nil {
				t.Fatal(err)
			}
			other, err := os.ReadFile(filepath.Join(m2.Config.DataDir, "identity.key"))
			m2.Close()
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(other, original) {
				t.Fatal("two fresh installations made the same key")
			}
			if err := os.WriteFile(keyFile, other, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = open()
			if !errors.Is(err, app.ErrIdentityKey) || !strings.Contains(err.Error(), want) {
				t.Fatalf("open with another key: %v", err)
			}

			// The right key back: it starts, and what it sealed opens.
			if err := os.WriteFile(keyFile, original, 0o600); err != nil {
				t.Fatal(err)
			}
			m, err = open()
			if err != nil {
				t.Fatalf("open with the right key: %v", err)
			}
			m.Close()
		})
	}
}

// A database that holds reports from before fingerprints were recorded must
// not get a fresh key either.
func TestNoNewKeyForExistingReports(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	cfg := config.Config{DataDir: data}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := app.Open(ctx, cfg, log, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Sources.Submit(ctx, crimesource.Intake{Category: "khac", ProvinceCode: "01", Description: "Có người lạ đột nhập kho.", Anonymous: true}, crimesource.Actor{}); err != nil {
		m.Close()
		t.Fatal(err)
	}
	// As a database of an earlier version: reports, no fingerprint.
	if _, err := m.DB.Exec(ctx, "DELETE FROM identity_key"); err != nil {
		m.Close()
		t.Fatal(err)
	}
	m.Close()
	if err := os.Remove(filepath.Join(data, "identity.key")); err != nil {
		t.Fatal(err)
	}
	_, err = app.Open(ctx, cfg, log, clock.Real{})
	if !errors.Is(err, app.ErrIdentityKey) || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("open without the key file of a database with reports: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "identity.key")); !os.IsNotExist(err) {
		t.Fatalf("a new key file was left behind: %v", err)
	}
}
