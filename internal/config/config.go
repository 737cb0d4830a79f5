// Package config reads the typed configuration of toandan from flags and
// TOANDAN_* environment variables. A flag given on the command line wins over
// the environment, which wins over the default.
package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// Config is what every subcommand that opens the database shares.
type Config struct {
	Addr    string // HTTP listen address
	DataDir string // folder for the SQLite file and other local state
	DB      string // postgres:// URL, or empty for SQLite in DataDir
	LogJSON bool   // logs as JSON lines instead of text
}

// Var describes one setting, for the help text and the docs.
type Var struct {
	Flag, Env, Default, Help string
}

// Vars lists every setting this package reads.
var Vars = []Var{
	{"addr", "TOANDAN_ADDR", "127.0.0.1:8080", "HTTP listen address"},
	{"data", "TOANDAN_DATA", "./toandan-data", "data folder (SQLite database, keys, files)"},
	{"db", "TOANDAN_DB", "", "PostgreSQL URL (postgres://...); empty: SQLite in the data folder"},
	{"log-json", "TOANDAN_LOG_JSON", "false", "write logs as JSON lines"},
}

// Register adds the shared settings to fs and returns the Config they fill.
// Environment variables set the defaults, so an explicit flag still wins.
func Register(fs *flag.FlagSet, getenv func(string) string) *Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := &Config{}
	env := func(v Var) string {
		if s := getenv(v.Env); s != "" {
			return s
		}
		return v.Default
	}
	fs.StringVar(&c.Addr, Vars[0].Flag, env(Vars[0]), Vars[0].Help+" ($"+Vars[0].Env+")")
	fs.StringVar(&c.DataDir, Vars[1].Flag, env(Vars[1]), Vars[1].Help+" ($"+Vars[1].Env+")")
	fs.StringVar(&c.DB, Vars[2].Flag, env(Vars[2]), Vars[2].Help+" ($"+Vars[2].Env+")")
	fs.BoolVar(&c.LogJSON, Vars[3].Flag, env(Vars[3]) == "true" || env(Vars[3]) == "1", Vars[3].Help+" ($"+Vars[3].Env+")")
	return c
}

// Check validates the settings after parsing.
func (c *Config) Check() error {
	if c.DataDir == "" {
		return fmt.Errorf("config: --data must not be empty")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("config: data folder: %w", err)
	}
	c.DataDir = abs
	return nil
}
