package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toandan/internal/testutil"
)

// /readyz says whether an instance can take traffic: database up, schema
// current, attachment store writable.
func TestReadyz(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			ctx := context.Background()
			if r := get(t, srv, srv.NewClient(t), "/readyz"); r.Status != http.StatusOK || strings.TrimSpace(r.Body) != "ready" {
				t.Fatalf("/readyz: %d %q, want 200 ready", r.Status, r.Body)
			}
			// A migration this binary does not know of: another version runs.
			if _, err := srv.Main.DB.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'x')"); err != nil {
				t.Fatal(err)
			}
			if r := get(t, srv, srv.NewClient(t), "/readyz"); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "schema") {
				t.Errorf("/readyz with a newer schema: %d %q, want 503", r.Status, r.Body)
			}
			if _, err := srv.Main.DB.Exec(ctx, "DELETE FROM schema_migrations WHERE version = 9999"); err != nil {
				t.Fatal(err)
			}
			// The attachment folder cannot be written.
			files := filepath.Join(srv.Main.Config.DataDir, "files")
			os.RemoveAll(files)
			if err := os.WriteFile(files, []byte("not a folder"), 0o600); err != nil {
				t.Fatal(err)
			}
			if r := get(t, srv, srv.NewClient(t), "/readyz"); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "attachment") {
				t.Errorf("/readyz with the files folder broken: %d %q, want 503", r.Status, r.Body)
			}
			os.Remove(files)
			srv.Main.DB.Close()
			if r := get(t, srv, srv.NewClient(t), "/readyz"); r.Status != http.StatusServiceUnavailable {
				t.Errorf("/readyz with the database closed: %d, want 503", r.Status)
			}
		})
	}
}
