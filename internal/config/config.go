// Package config reads the typed configuration of toandan from flags and
// TOANDAN_* environment variables. A flag given on the command line wins over
// the environment, which wins over the default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is what every subcommand that opens the database shares.
type Config struct {
	Addr    string // HTTP listen address
	DataDir string // folder for the SQLite file and other local state
	DB      string // postgres:// URL, or empty for SQLite in DataDir
	LogJSON bool   // logs as JSON lines instead of text
	// KeyFile holds the secret that seals reporters' identities and hashes
	// receipt codes; it is never in the database. Default: DataDir/identity.key.
	KeyFile string

	MaxFiles      int // attachments per report
	MaxFileMB     int // size of one attachment
	SubmitLimit   int // reports per client per hour (API, or web form with proof of work)
	SubmitGlobal  int // reports per minute from all clients together
	PoWDifficulty int // leading zero bits of the web form's proof of work; 0 turns it off

	TLSCert, TLSKey string // serve HTTPS directly with this certificate and key
	// TrustedProxies lists the addresses (CIDR) of reverse proxies whose
	// X-Forwarded-For and X-Forwarded-Proto headers are believed.
	TrustedProxies string

	// RevealRoles may reveal a reporter's sealed identity, after a reason.
	RevealRoles string

	// RetentionDays: closed sources are purged this many days after they
	// closed; 0 keeps them forever.
	RetentionDays int

	// JobTick is the period of the deadline reminder job, which runs once
	// per period across all instances on one database. Zero means a
	// minute; tests shorten it.
	JobTick time.Duration
	// envErr keeps the first environment variable that could not be read
	// (a number or duration that is not one) for Check to report: falling
	// back to the default would run with a setting the operator did not
	// choose.
	envErr error

	// S3Endpoint, when set, keeps attachments in this S3-compatible object
	// storage instead of the data folder, so that several servers share
	// them. The other S3 settings say where and with which keys.
	S3Endpoint      string
	S3Bucket        string
	S3Region        string
	S3AccessKey     string
	S3SecretKey     string
	S3SecretKeyFile string // read by Check into S3SecretKey
	S3Prefix        string // a folder inside the bucket, e.g. "toandan/"
	S3VirtualHost   bool   // bucket.host/key instead of host/bucket/key
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
	{"max-files", "TOANDAN_MAX_FILES", "10", "attachments per report"},
	{"max-file-mb", "TOANDAN_MAX_FILE_MB", "20", "size limit of one attachment, in MB"},
	{"submit-limit", "TOANDAN_SUBMIT_LIMIT", "30", "reports per client address per hour (a fifth of it without proof of work)"},
	{"submit-global", "TOANDAN_SUBMIT_GLOBAL", "6000", "reports per minute from all clients together"},
	{"pow-difficulty", "TOANDAN_POW_DIFFICULTY", "16", "proof of work on the web report form, in leading zero bits (0: off)"},
	{"tls-cert", "TOANDAN_TLS_CERT", "", "TLS certificate file (PEM): serve HTTPS directly"},
	{"tls-key", "TOANDAN_TLS_KEY", "", "TLS private key file (PEM)"},
	{"trusted-proxy", "TOANDAN_TRUSTED_PROXY", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For/-Proto headers are trusted"},
	{"reveal-roles", "TOANDAN_REVEAL_ROLES", "investigator,admin", "roles that may reveal a reporter's identity after stating a reason (investigator, admin)"},
	{"retention-days", "TOANDAN_RETENTION_DAYS", "0", "purge closed sources and their files this many days after they closed (0: keep forever)"},
	{"identity-key", "TOANDAN_IDENTITY_KEY", "", "key file sealing reporters' identities (default: identity.key in the data folder); back it up apart from the database"},
	{"job-tick", "TOANDAN_JOB_TICK", "1m", "period of the deadline reminder job, run once per period by one of the instances sharing the database (1s to 1h)"},
	{"s3-endpoint", "TOANDAN_S3_ENDPOINT", "", "URL of S3-compatible object storage for attachments (https://host[:port]); empty: files in the data folder"},
	{"s3-bucket", "TOANDAN_S3_BUCKET", "", "object storage bucket for attachments"},
	{"s3-region", "TOANDAN_S3_REGION", "us-east-1", "object storage region, used in request signatures"},
	{"s3-access-key", "TOANDAN_S3_ACCESS_KEY", "", "object storage access key"},
	{"s3-secret-key", "TOANDAN_S3_SECRET_KEY", "", "object storage secret key"},
	{"s3-secret-key-file", "TOANDAN_S3_SECRET_KEY_FILE", "", "file holding the object storage secret key (instead of --s3-secret-key)"},
	{"s3-prefix", "TOANDAN_S3_PREFIX", "", "folder inside the bucket for the attachments, e.g. toandan/"},
	{"s3-virtual-host", "TOANDAN_S3_VIRTUAL_HOST", "false", "address the bucket as bucket.host (virtual-host style) instead of host/bucket"},
}

// varNamed returns the setting with the given flag name.
func varNamed(flag string) Var {
	for _, v := range Vars {
		if v.Flag == flag {
			return v
		}
	}
	panic("config: no setting --" + flag)
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
	c.DB = env(Vars[2])
	fs.Var(dbURL{&c.DB}, Vars[2].Flag, Vars[2].Help+" ($"+Vars[2].Env+")")
	envFail := func(v Var, err error) {
		if c.envErr == nil {
			c.envErr = fmt.Errorf("config: $%s=%q: %w", v.Env, getenv(v.Env), err)
		}
	}
	boolVar := func(p *bool, v Var) {
		b, err := strconv.ParseBool(env(v))
		if err != nil {
			envFail(v, errors.New("not true or false"))
			b, _ = strconv.ParseBool(v.Default)
		}
		fs.BoolVar(p, v.Flag, b, v.Help+" ($"+v.Env+")")
	}
	boolVar(&c.LogJSON, Vars[3])
	intVar := func(p *int, v Var) {
		n, err := strconv.Atoi(env(v))
		if err != nil {
			envFail(v, errors.New("not a whole number"))
			n, _ = strconv.Atoi(v.Default)
		}
		fs.IntVar(p, v.Flag, n, v.Help+" ($"+v.Env+")")
	}
	intVar(&c.MaxFiles, Vars[4])
	intVar(&c.MaxFileMB, Vars[5])
	intVar(&c.SubmitLimit, Vars[6])
	intVar(&c.SubmitGlobal, Vars[7])
	intVar(&c.PoWDifficulty, Vars[8])
	fs.StringVar(&c.TLSCert, Vars[9].Flag, env(Vars[9]), Vars[9].Help+" ($"+Vars[9].Env+")")
	fs.StringVar(&c.TLSKey, Vars[10].Flag, env(Vars[10]), Vars[10].Help+" ($"+Vars[10].Env+")")
	fs.StringVar(&c.TrustedProxies, Vars[11].Flag, env(Vars[11]), Vars[11].Help+" ($"+Vars[11].Env+")")
	fs.StringVar(&c.RevealRoles, Vars[12].Flag, env(Vars[12]), Vars[12].Help+" ($"+Vars[12].Env+")")
	intVar(&c.RetentionDays, Vars[13])
	fs.StringVar(&c.KeyFile, Vars[14].Flag, env(Vars[14]), Vars[14].Help+" ($"+Vars[14].Env+")")
	tick := varNamed("job-tick")
	d, err := time.ParseDuration(env(tick))
	if err != nil {
		envFail(tick, errors.New("not a duration such as 30s or 1m"))
		d, _ = time.ParseDuration(tick.Default)
	}
	fs.DurationVar(&c.JobTick, tick.Flag, d, tick.Help+" ($"+tick.Env+")")
	for _, s := range []struct {
		p    *string
		flag string
	}{
		{&c.S3Endpoint, "s3-endpoint"}, {&c.S3Bucket, "s3-bucket"}, {&c.S3Region, "s3-region"},
		{&c.S3AccessKey, "s3-access-key"}, {&c.S3SecretKeyFile, "s3-secret-key-file"}, {&c.S3Prefix, "s3-prefix"},
	} {
		v := varNamed(s.flag)
		fs.StringVar(s.p, v.Flag, env(v), v.Help+" ($"+v.Env+")")
	}
	secret := varNamed("s3-secret-key")
	c.S3SecretKey = env(secret)
	fs.Var(hidden{&c.S3SecretKey}, secret.Flag, secret.Help+" ($"+secret.Env+")")
	boolVar(&c.S3VirtualHost, varNamed("s3-virtual-host"))
	return c
}

// hidden is a string flag whose value --help does not print: a default
// taken from the environment would otherwise show a secret on the terminal.
type hidden struct{ p *string }

func (h hidden) String() string     { return "" }
func (h hidden) Set(v string) error { *h.p = v; return nil }

// dbURL is the --db flag: --help shows a PostgreSQL URL from the
// environment without its password.
type dbURL struct{ p *string }

func (d dbURL) String() string {
	if d.p == nil {
		return ""
	}
	if u, err := url.Parse(*d.p); err == nil && u.User != nil {
		return u.Redacted()
	}
	return *d.p
}
func (d dbURL) Set(v string) error { *d.p = v; return nil }

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
	if c.MaxFiles < 0 || c.MaxFileMB < 0 || c.SubmitLimit < 0 || c.SubmitGlobal < 0 || c.PoWDifficulty < 0 || c.PoWDifficulty > 28 || c.RetentionDays < 0 {
		return fmt.Errorf("config: --max-files, --max-file-mb, --submit-limit, --submit-global must be positive and --pow-difficulty 0 to 28")
	}
	if c.envErr != nil {
		return c.envErr
	}
	if c.JobTick != 0 && (c.JobTick < time.Second || c.JobTick > time.Hour) {
		return fmt.Errorf("config: --job-tick %s: must be between 1s and 1h", c.JobTick)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("config: --tls-cert and --tls-key go together")
	}
	if _, err := ParseProxies(c.TrustedProxies); err != nil {
		return err
	}
	if _, err := ParseRevealRoles(c.RevealRoles); err != nil {
		return err
	}
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(abs, "identity.key")
	}
	return c.checkS3()
}

// checkS3 reads the secret key file and checks that object storage is
// either fully configured or not at all: a bucket without an endpoint
// would silently keep files in the local folder.
func (c *Config) checkS3() error {
	if c.S3SecretKeyFile != "" {
		if c.S3SecretKey != "" {
			return fmt.Errorf("config: give --s3-secret-key or --s3-secret-key-file, not both")
		}
		b, err := os.ReadFile(c.S3SecretKeyFile)
		if err != nil {
			return fmt.Errorf("config: --s3-secret-key-file: %w", err)
		}
		c.S3SecretKey = strings.TrimSpace(string(b))
	}
	if c.S3Endpoint == "" {
		if c.S3Bucket != "" || c.S3AccessKey != "" || c.S3SecretKey != "" || c.S3Prefix != "" {
			return fmt.Errorf("config: object storage settings are given but --s3-endpoint is empty (attachments would stay in the data folder)")
		}
		return nil
	}
	u, err := url.Parse(c.S3Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("config: --s3-endpoint %q: want the storage's URL, e.g. https://s3.example.vn or http://10.0.0.5:9000, without keys or query", c.S3Endpoint)
	}
	if c.S3Bucket == "" || c.S3AccessKey == "" || c.S3SecretKey == "" {
		return fmt.Errorf("config: --s3-endpoint needs --s3-bucket, --s3-access-key and --s3-secret-key (or --s3-secret-key-file)")
	}
	if strings.Contains(c.S3Bucket, "/") {
		return fmt.Errorf("config: --s3-bucket %q: a bucket name has no \"/\" (a folder inside the bucket goes in --s3-prefix)", c.S3Bucket)
	}
	if strings.HasPrefix(c.S3Prefix, "/") {
		return fmt.Errorf("config: --s3-prefix %q must not start with \"/\"", c.S3Prefix)
	}
	if c.S3Region == "" {
		c.S3Region = "us-east-1"
	}
	return nil
}

// ParseProxies reads a comma-separated list of CIDRs (a bare address means
// that one address).
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("config: --trusted-proxy %q: %w", part, err)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("config: --trusted-proxy %q: %w", part, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// ParseRevealRoles reads the roles allowed to reveal identities. Only roles
// that must sign in with a second factor qualify; empty means the default.
func ParseRevealRoles(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return []string{"investigator", "admin"}, nil
	}
	var out []string
	for _, r := range strings.Split(s, ",") {
		r = strings.TrimSpace(r)
		if r != "investigator" && r != "admin" {
			return nil, fmt.Errorf("config: --reveal-roles: %q may not reveal identities (only investigator and admin, the roles that sign in with a second factor)", r)
		}
		out = append(out, r)
	}
	return out, nil
}
