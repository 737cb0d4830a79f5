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

	"toandan/internal/account"
	"toandan/internal/clock"
	"toandan/internal/config"
	"toandan/internal/geo"
	"toandan/internal/metrics"
	"toandan/internal/store"
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
	Metrics  *metrics.Registry
	Version  string

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
	g := &geo.Service{DB: db, Clock: clk}
	m := &Main{
		Config:   cfg,
		Log:      log,
		Clock:    clk,
		DB:       db,
		Geo:      g,
		Accounts: &account.Service{DB: db, Geo: g, Clock: clk, Settings: account.DefaultSettings()},
		Metrics:  metrics.New(),
		Version:  Version(),
	}
	m.Metrics.RegisterRuntime()
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
	s := &web.Server{DB: m.DB, Geo: m.Geo, Accounts: m.Accounts, Metrics: m.Metrics, Clock: m.Clock, Log: m.Log, Version: m.Version}
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
	m.Log.Info("serving", "addr", "http://"+m.Addr(), "engine", m.DB.Engine, "version", m.Version)
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.listener) }()
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
