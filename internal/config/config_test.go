package config_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// The reminder period comes from TOANDAN_JOB_TICK or --job-tick; a value
// that does not parse, or lies outside 1s..1h, is refused rather than
// silently replaced by the default.
func TestJobTick(t *testing.T) {
	for _, c := range []struct {
		env  string
		args []string
		want time.Duration
		ok   bool
	}{
		{"", nil, time.Minute, true},
		{"2s", nil, 2 * time.Second, true},
		{"2s", []string{"--job-tick", "5m"}, 5 * time.Minute, true},
		{"hai giây", nil, 0, false},
		{"", []string{"--job-tick", "500ms"}, 0, false},
		{"2h", nil, 0, false},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		cfg := config.Register(fs, func(k string) string {
			if k == "TOANDAN_JOB_TICK" {
				return c.env
			}
			return ""
		})
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		err := cfg.Check()
		if (err == nil) != c.ok {
			t.Errorf("env %q, args %v: Check() = %v, want ok %v", c.env, c.args, err, c.ok)
			continue
		}
		if c.ok && cfg.JobTick != c.want {
			t.Errorf("env %q, args %v: JobTick %s, want %s", c.env, c.args, cfg.JobTick, c.want)
		}
	}
}

// A setting in the environment that does not parse stops the program with
// the variable's name; running on the default instead would quietly ignore
// what the operator asked for (a retention of "30d" read as the default of
// keeping everything, say).
func TestBadEnvironmentValueIsRefused(t *testing.T) {
	for _, c := range []struct{ key, value string }{
		{"TOANDAN_RETENTION_DAYS", "30d"},
		{"TOANDAN_MAX_FILES", "mười"},
		{"TOANDAN_SUBMIT_LIMIT", "1e3"},
		{"TOANDAN_LOG_JSON", "yes please"},
		{"TOANDAN_S3_VIRTUAL_HOST", "on"},
		{"TOANDAN_JOB_TICK", "5"},
	} {
		t.Run(c.key, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			cfg := config.Register(fs, func(k string) string {
				if k == c.key {
					return c.value
				}
				return ""
			})
			if err := fs.Parse(nil); err != nil {
				t.Fatal(err)
			}
			err := cfg.Check()
			if err == nil || !strings.Contains(err.Error(), c.key) || !strings.Contains(err.Error(), c.value) {
				t.Fatalf("$%s=%q: %v", c.key, c.value, err)
			}
		})
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg := config.Register(fs, func(k string) string {
		return map[string]string{"TOANDAN_LOG_JSON": "true", "TOANDAN_S3_VIRTUAL_HOST": "1", "TOANDAN_RETENTION_DAYS": "30"}[k]
	})
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Check(); err != nil || !cfg.LogJSON || !cfg.S3VirtualHost || cfg.RetentionDays != 30 {
		t.Fatalf("good values: %v %+v", err, cfg)
	}
}

// --help shows a database URL taken from the environment without its
// password.
func TestHelpHidesDatabasePassword(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var out strings.Builder
	fs.SetOutput(&out)
	cfg := config.Register(fs, func(k string) string {
		if k == "TOANDAN_DB" {
			return "postgres://toandan:s3cr3t-pw@db.example:5432/toandan"
		}
		return ""
	})
	fs.PrintDefaults()
	if strings.Contains(out.String(), "s3cr3t-pw") || !strings.Contains(out.String(), "db.example") {
		t.Fatalf("help shows:\n%s", out.String())
	}
	if cfg.DB != "postgres://toandan:s3cr3t-pw@db.example:5432/toandan" {
		t.Fatalf("db %q", cfg.DB)
	}
	if err := fs.Parse([]string{"--db", "postgres://a:b@h/d"}); err != nil || cfg.DB != "postgres://a:b@h/d" {
		t.Fatalf("--db: %v %q", err, cfg.DB)
	}
}
