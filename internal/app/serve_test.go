package app_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"toandan/internal/store"
)

// freeAddr returns a local address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestServe runs the program as `toandan serve` would, talks to it over the
// network and stops it the way a signal does, by cancelling its context.
func TestServe(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			v := newEnv(t, e)
			dir := t.TempDir() // --data wins over TOANDAN_DATA
			addr := freeAddr(t)
			c, _, errOut := v.cli("")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan int, 1)
			go func() { done <- c.Run(ctx, []string{"serve", "--addr", addr, "--data", dir}) }()

			client := &http.Client{Timeout: 5 * time.Second}
			base := "http://" + addr
			deadline := time.Now().Add(20 * time.Second)
			for {
				res, err := client.Get(base + "/healthz")
				if err == nil {
					res.Body.Close()
					if res.StatusCode == http.StatusOK {
						break
					}
				}
				select {
				case code := <-done:
					t.Fatalf("serve exited early with %d: %s", code, errOut.String())
				case <-time.After(50 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatalf("server not healthy at %s after 20 s (last error %v): %s", addr, err, errOut.String())
				}
			}

			res, err := client.Get(base + "/api/v1/geo/units")
			if err != nil {
				t.Fatal(err)
			}
			var units []struct{ Code, Name, Type string }
			err = json.NewDecoder(res.Body).Decode(&units)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK || len(units) != 34 {
				t.Errorf("GET /api/v1/geo/units: status %d, %d units, err %v; want 200 and 34", res.StatusCode, len(units), err)
			}

			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("serve exited with %d after cancel: %s", code, errOut.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not stop within 20 s of cancel")
			}
			if _, err := client.Get(base + "/healthz"); err == nil {
				t.Errorf("server still answers after shutdown")
			}
			if !strings.Contains(errOut.String(), "shutting down") {
				t.Errorf("no shutdown logged: %s", errOut.String())
			}
			if e == store.SQLite {
				if _, err := os.Stat(filepath.Join(dir, "toandan.db")); err != nil {
					t.Errorf("serve --data %s: %v", dir, err)
				}
				if _, err := os.Stat(filepath.Join(v.vars["TOANDAN_DATA"], "toandan.db")); !os.IsNotExist(err) {
					t.Errorf("serve used TOANDAN_DATA instead of --data (%v)", err)
				}
			}
		})
	}
}
