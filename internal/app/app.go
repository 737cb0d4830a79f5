// Package app wires toandan together: it opens and migrates the store, builds
// the services, serves HTTP with graceful shutdown, and runs the
// command-line subcommands.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"os"
	"path/filepath"

	"toandan/internal/abuse"
	"toandan/internal/account"
	"toandan/internal/api"
	"toandan/internal/clock"
	"toandan/internal/config"
	"toandan/internal/crimesource"
	"toandan/internal/dashboard"
	"toandan/internal/geo"
	"toandan/internal/jobs"
	"toandan/internal/media"
	"toandan/internal/metrics"
	"toandan/internal/movement"
	"toandan/internal/objstore"
	"toandan/internal/recognition"
	"toandan/internal/recognition/festivalsource"
	"toandan/internal/seal"
	"toandan/internal/store"
	"toandan/internal/warning"
	"toandan/internal/web"
)

// Main is the running program: a test can build one on port 0 and drive it
// over HTTP exactly as a user would.
type Main struct {
	Config   config.Config
	Log      *slog.Logger
	Clock    clock.Clock
	DB       *store.DB
	Geo      *geo.Service
	Accounts *account.Service
	Sources  *crimesource.Service
	// Movement holds festival plans and points and their roll-up;
	// Recognition the models, recognition cycles and targets, fed with
	// Movement's festival figures.
	Movement    *movement.Service
	Recognition *recognition.Service
	Warnings    *warning.Service // the security warnings of the citizen portal
	Guard       *api.Guard
	Metrics     *metrics.Registry
	Version     string
	// Jobs is the queue of one-off background jobs and Scheduler runs the
	// periodic ones (reminders, retention), both shared through the
	// database with every other instance; Instance names this process in
	// them.
	Jobs      *jobs.Queue
	Scheduler *jobs.Scheduler
	Instance  string

	listener net.Listener
	server   *http.Server
}

// Open opens the database, applies migrations, adds the built-in geography
// and builds the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, clk clock.Clock) (*Main, error) {
	if clk == nil {
		clk = clock.Real{}
	}
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("database migrated", "engine", db.Engine, "applied", n)
	}
	if err := geo.EnsureBuiltins(ctx, db, store.FormatTime(clk.Now())); err != nil {
		db.Close()
		return nil, err
	}
	keyFile := cfg.KeyFile
	if keyFile == "" {
		keyFile = filepath.Join(cfg.DataDir, "identity.key")
	}
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		db.Close()
		return nil, fmt.Errorf("key folder: %w", err)
	}
	keys, created, err := loadIdentityKey(ctx, db, keyFile, clk.Now())
	if err != nil {
		db.Close()
		return nil, err
	}
	if created {
		log.Warn("identity key created: back it up now, apart from the database; without it sealed identities, receipt codes and files cannot be read",
			"file", keyFile, "fingerprint", keys.Fingerprint())
	}
	files := fileStore(cfg, log)
	g := &geo.Service{DB: db, Clock: clk}
	m := &Main{
		Config:   cfg,
		Log:      log,
		Clock:    clk,
		DB:       db,
		Geo:      g,
		Accounts: &account.Service{DB: db, Geo: g, Clock: clk, Settings: account.DefaultSettings()},
		Sources: &crimesource.Service{DB: db, Geo: g, Clock: clk, Keys: keys, Files: files,
			Limits: limits(cfg), RevealRoles: revealRoles(cfg), AtRiskDays: 3},
		Metrics: metrics.New(),
		Version: Version(),
	}
	m.Movement = &movement.Service{DB: db, Geo: g, Clock: clk}
	m.Recognition = &recognition.Service{DB: db, Geo: g, Clock: clk, Festival: festivalsource.Movement{Service: m.Movement},
		Files: files}
	m.Warnings = &warning.Service{DB: db, Geo: g, Clock: clk}
	m.Guard = newGuard(cfg, keys, clk)
	m.Metrics.RegisterRuntime()
	m.setUpJobs()
	m.registerDBMetrics()
	return m, nil
}

// Listen binds the configured address; Addr then tells the bound address
// (useful with port 0).
func (m *Main) Listen() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.listener = ln
	return nil
}

// Addr is the address the server listens on.
func (m *Main) Addr() string {
	if m.listener == nil {
		return m.Config.Addr
	}
	return m.listener.Addr().String()
}

// Handler builds the whole HTTP handler.
func (m *Main) Handler() http.Handler {
	proxies, _ := config.ParseProxies(m.Config.TrustedProxies) // checked by Config.Check
	s := &web.Server{TrustedProxies: proxies, SecureCookies: m.Config.TLSCert != "" || len(proxies) > 0, DB: m.DB, Geo: m.Geo, Accounts: m.Accounts, Sources: m.Sources,
		Movement: m.Movement, Recognition: m.Recognition, Warnings: m.Warnings, Guard: m.Guard, Metrics: m.Metrics, Clock: m.Clock, Log: m.Log, Version: m.Version,
		Dashboard: &dashboard.Service{DB: m.DB, Geo: m.Geo, Movement: m.Movement, Recognition: m.Recognition, Clock: m.Clock, AtRiskDays: m.Sources.AtRiskDays}}
	return s.Handler()
}

// Serve serves HTTP until ctx is cancelled, then shuts down gracefully,
// letting requests in flight finish for up to 15 seconds.
func (m *Main) Serve(ctx context.Context) error {
	if m.listener == nil {
		if err := m.Listen(); err != nil {
			return err
		}
	}
	m.server = &http.Server{
		Handler:           m.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	scheme := "http://"
	if m.Config.TLSCert != "" {
		scheme = "https://"
	}
	m.Log.Info("serving", "addr", scheme+m.Addr(), "engine", m.DB.Engine, "version", m.Version, "instance", m.Instance)
	jobCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { m.runJobs(jobCtx); close(jobsDone) }()
	// A job still running at shutdown ends before the database closes.
	defer func() { stopJobs(); <-jobsDone }()
	errc := make(chan error, 1)
	go func() {
		if m.Config.TLSCert != "" {
			errc <- m.server.ServeTLS(m.listener, m.Config.TLSCert, m.Config.TLSKey)
			return
		}
		errc <- m.server.Serve(m.listener)
	}()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	m.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := m.server.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// Close releases the database.
func (m *Main) Close() error { return m.DB.Close() }

func limits(cfg config.Config) media.Limits {
	l := media.DefaultLimits()
	if cfg.MaxFiles > 0 {
		l.MaxFiles = cfg.MaxFiles
	}
	if cfg.MaxFileMB > 0 {
		l.MaxFileBytes = int64(cfg.MaxFileMB) << 20
	}
	return l
}

// newGuard builds the abuse controls of the citizen pages. Client addresses
// are keyed with a secret before they are counted, and kept only in memory.
func newGuard(cfg config.Config, keys *seal.Keys, clk clock.Clock) *api.Guard {
	perHour := cfg.SubmitLimit
	if perHour <= 0 {
		perHour = 30
	}
	strict := max(perHour/5, 3)
	global := cfg.SubmitGlobal
	if global <= 0 {
		global = 6000
	}
	return &api.Guard{
		ClientKey: keys.Subkey("client-address"),
		PoW:       &abuse.PoW{Key: keys.Subkey("proof-of-work"), Difficulty: cfg.PoWDifficulty, TTL: 2 * time.Hour, Clock: clk},
		Normal:    abuse.NewLimiter(perHour, time.Hour, clk),
		Strict:    abuse.NewLimiter(strict, time.Hour, clk),
		Global:    abuse.NewLimiter(global, time.Minute, clk),
		Lookup:    abuse.NewBackoff(clk, 2*time.Second, 10*time.Minute, time.Hour),
	}
}

func revealRoles(cfg config.Config) []string {
	roles, err := config.ParseRevealRoles(cfg.RevealRoles)
	if err != nil {
		return []string{"investigator", "admin"} // Config.Check refused it already
	}
	return roles
}

// fileStore is where attachments are kept: the S3-compatible bucket when
// an endpoint is configured, so that every instance sees the same files,
// else the data folder.
func fileStore(cfg config.Config, log *slog.Logger) crimesource.FileStore {
	if cfg.S3Endpoint == "" {
		return crimesource.DirStore{Dir: filepath.Join(cfg.DataDir, "files")}
	}
	log.Info("attachments in object storage", "endpoint", cfg.S3Endpoint, "bucket", cfg.S3Bucket, "prefix", cfg.S3Prefix)
	return &objstore.S3{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, Bucket: cfg.S3Bucket, Prefix: cfg.S3Prefix,
		AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, VirtualHost: cfg.S3VirtualHost}
}
