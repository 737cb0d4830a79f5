package config_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toandan/internal/config"
)

// The object storage settings: all or nothing, the secret from the
// environment or a file, and never printed by --help.
func TestS3Settings(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "s3-secret")
	if err := os.WriteFile(keyFile, []byte("bi-mat-tu-tep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := map[string]string{
		"TOANDAN_S3_ENDPOINT":   "https://s3.example.vn",
		"TOANDAN_S3_BUCKET":     "toandan",
		"TOANDAN_S3_ACCESS_KEY": "AK",
		"TOANDAN_S3_SECRET_KEY": "bi-mat-tu-bien",
	}
	with := func(changes map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range full {
			env[k] = v
		}
		for k, v := range changes {
			env[k] = v
		}
		return env
	}
	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		ok     bool
		secret string
	}{
		{"none", nil, nil, true, ""},
		{"full", full, nil, true, "bi-mat-tu-bien"},
		{"secret from a file", with(map[string]string{"TOANDAN_S3_SECRET_KEY": "", "TOANDAN_S3_SECRET_KEY_FILE": keyFile}), nil, true, "bi-mat-tu-tep"},
		{"secret flag wins", full, []string{"--s3-secret-key", "bi-mat-tu-co"}, true, "bi-mat-tu-co"},
		{"secret twice", with(map[string]string{"TOANDAN_S3_SECRET_KEY_FILE": keyFile}), nil, false, ""},
		{"missing secret file", with(map[string]string{"TOANDAN_S3_SECRET_KEY": "", "TOANDAN_S3_SECRET_KEY_FILE": keyFile + "-khong-co"}), nil, false, ""},
		{"no bucket", with(map[string]string{"TOANDAN_S3_BUCKET": ""}), nil, false, ""},
		{"no secret", with(map[string]string{"TOANDAN_S3_SECRET_KEY": ""}), nil, false, ""},
		{"bucket without endpoint", map[string]string{"TOANDAN_S3_BUCKET": "toandan"}, nil, false, ""},
		{"endpoint without scheme", with(map[string]string{"TOANDAN_S3_ENDPOINT": "s3.example.vn"}), nil, false, ""},
		{"keys in the endpoint", with(map[string]string{"TOANDAN_S3_ENDPOINT": "https://AK:SK@s3.example.vn"}), nil, false, ""},
		{"folder in the bucket name", with(map[string]string{"TOANDAN_S3_BUCKET": "toandan/files"}), nil, false, ""},
		{"prefix from the root", with(map[string]string{"TOANDAN_S3_PREFIX": "/toandan"}), nil, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			cfg := config.Register(fs, func(k string) string { return c.env[k] })
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			err := cfg.Check()
			if (err == nil) != c.ok {
				t.Fatalf("Check() = %v, want ok %v", err, c.ok)
			}
			if c.ok && cfg.S3SecretKey != c.secret {
				t.Errorf("secret %q, want %q", cfg.S3SecretKey, c.secret)
			}
			if c.ok && c.env != nil && cfg.S3Region != "us-east-1" {
				t.Errorf("region %q", cfg.S3Region)
			}
		})
	}

	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var help bytes.Buffer
	fs.SetOutput(&help)
	config.Register(fs, func(k string) string { return full[k] })
	fs.PrintDefaults()
	if !strings.Contains(help.String(), "s3-secret-key") || !strings.Contains(help.String(), "https://s3.example.vn") {
		t.Fatalf("help text:\n%s", help.String())
	}
	if strings.Contains(help.String(), "bi-mat-tu-bien") {
		t.Errorf("--help prints the secret key:\n%s", help.String())
	}
}
