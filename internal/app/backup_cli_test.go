package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toandan/internal/app"
	"toandan/internal/backup"
	"toandan/internal/config"
	"toandan/internal/crimesource"
	"toandan/internal/store"
)

// openData starts the services on a data folder, as the server does.
func (v *env) openData(t *testing.T, dir string) (*app.Main, error) {
	t.Helper()
	return app.Open(context.Background(), config.Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)), v.clk)
}

// A backup taken with the command line restores, through the command line,
// into a new data folder: the archive never holds the identity key, both
// commands say so, restore never makes a key of its own, and once the key
// is back a citizen's receipt code opens the report sent before the
// backup.
func TestCLIBackupRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := newEnv(t, store.SQLite)
	data := v.vars["TOANDAN_DATA"]
	m, err := v.openData(t, data)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := m.Sources.Submit(ctx, crimesource.Intake{Category: "khac", ProvinceCode: "01",
		Description: "Có người lạ đột nhập kho hàng ban đêm.", Anonymous: true}, crimesource.Actor{})
	fp := m.Sources.Keys.Fingerprint()
	m.Close()
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(data, "identity.key"))
	if err != nil {
		t.Fatal(err)
	}

	archive := filepath.Join(t.TempDir(), "sao-luu.tar.gz")
	code, out, errOut := v.run(t, "", "backup", archive)
	if code != 0 || !strings.Contains(out, "wrote "+archive+": 1 sources") ||
		!strings.Contains(out, backup.KeyReminder(filepath.Join(data, "identity.key"), fp)) {
		t.Fatalf("backup: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if !hasLines(errOut, "taking a snapshot of the database...", "archiving... ", "done in 0.0 s") || strings.Contains(errOut, "\r") {
		t.Errorf("backup progress on a log: %q", errOut)
	}

	// lookup opens a restored folder as the server does and reads the
	// report with its receipt code.
	lookup := func(t *testing.T, dir string) {
		t.Helper()
		m, err := v.openData(t, dir)
		if err != nil {
			t.Fatalf("server on the restored data: %v", err)
		}
		defer m.Close()
		view, err := m.Sources.Lookup(ctx, rec.ReceiptCode)
		if err != nil || view.TrackingCode != rec.TrackingCode {
			t.Errorf("receipt code after the restore: %+v, %v; want %s", view, err, rec.TrackingCode)
		}
	}
	restore := func(t *testing.T, dir string) (int, string, string) {
		t.Helper()
		r := &env{vars: map[string]string{"TOANDAN_DATA": dir}, clk: v.clk}
		return r.run(t, "", "restore", archive)
	}

	t.Run("key put back after", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "khoi-phuc")
		keyFile := filepath.Join(dir, "identity.key")
		code, out, errOut := restore(t, dir)
		if code != 0 || !strings.Contains(out, "restored "+archive+" into "+dir+": 1 sources") ||
			!strings.Contains(out, backup.KeyReminder(keyFile, fp)) ||
			!strings.Contains(out, "no identity key at "+keyFile+" yet: put it back there before starting the server") ||
			strings.Contains(out, "database ready") {
			t.Fatalf("restore without the key: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if !hasLines(errOut, "unpacking... ", "checking the database...", "moving into place...", "done in 0.0 s") {
			t.Errorf("restore progress on a log: %q", errOut)
		}
		if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("restore made a key file: %v", err)
		}
		// A server started before the key is back refuses, and makes none.
		if _, err := v.openData(t, dir); !errors.Is(err, app.ErrIdentityKey) || !strings.Contains(err.Error(), fp) {
			t.Errorf("server without the key: %v", err)
		}
		if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a server without the key made one: %v", err)
		}
		if err := os.WriteFile(keyFile, key, 0o600); err != nil {
			t.Fatal(err)
		}
		lookup(t, dir)
	})

	t.Run("key in place", func(t *testing.T) {
		dir := t.TempDir()
		keyFile := filepath.Join(dir, "identity.key")
		if err := os.WriteFile(keyFile, key, 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := restore(t, dir)
		if code != 0 || !strings.Contains(out, backup.KeyReminder(keyFile, fp)) ||
			!strings.Contains(out, "identity key "+fp+" matches") || strings.Contains(out, "no identity key") {
			t.Fatalf("restore with the key: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		lookup(t, dir)
	})

	t.Run("another key in place", func(t *testing.T) {
		other, err := v.openData(t, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		otherKey, err := os.ReadFile(filepath.Join(other.Config.DataDir, "identity.key"))
		other.Close()
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		keyFile := filepath.Join(dir, "identity.key")
		if err := os.WriteFile(keyFile, otherKey, 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := restore(t, dir)
		if code != 1 || !strings.Contains(errOut, "is not the key this data was sealed with ("+fp+")") || strings.Contains(out, "database ready") {
			t.Fatalf("restore beside another key: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		// Nothing was recorded for the wrong key: the right one opens it.
		if err := os.WriteFile(keyFile, key, 0o600); err != nil {
			t.Fatal(err)
		}
		lookup(t, dir)
	})
}

// hasLines reports whether text holds lines starting with each prefix, in
// that order.
func hasLines(text string, prefixes ...string) bool {
	lines := strings.Split(text, "\n")
	i := 0
	for _, l := range lines {
		if i < len(prefixes) && strings.HasPrefix(l, prefixes[i]) {
			i++
		}
	}
	return i == len(prefixes)
}
