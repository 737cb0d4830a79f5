package config_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toandan/internal/config"
)

// The README's configuration table must name every flag and variable the
// code reads, so that operators are never left guessing.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, v := range config.Vars {
		if !strings.Contains(readme, "`--"+v.Flag+"`") || !strings.Contains(readme, "`"+v.Env+"`") {
			t.Errorf("README does not list --%s / %s", v.Flag, v.Env)
		}
	}
}

func TestFlagWinsOverEnvironment(t *testing.T) {
	env := map[string]string{"TOANDAN_ADDR": "127.0.0.1:9000", "TOANDAN_DATA": "/tmp/x", "TOANDAN_SUBMIT_LIMIT": "7"}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c := config.Register(fs, func(k string) string { return env[k] })
	if err := fs.Parse([]string{"--addr", "127.0.0.1:9001"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9001" || c.DataDir != "/tmp/x" || c.SubmitLimit != 7 {
		t.Fatalf("got addr %s data %s limit %d", c.Addr, c.DataDir, c.SubmitLimit)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if c.KeyFile != "/tmp/x/identity.key" {
		t.Errorf("key file defaults to %s", c.KeyFile)
	}
	fs2 := flag.NewFlagSet("t", flag.ContinueOnError)
	c2 := config.Register(fs2, func(string) string { return "" })
	fs2.Parse([]string{"--pow-difficulty", "40"})
	if err := c2.Check(); err == nil {
		t.Error("a proof-of-work difficulty of 40 was accepted")
	}
}
