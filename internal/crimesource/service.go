package crimesource

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"toandan/internal/clock"
	"toandan/internal/deadline"
	"toandan/internal/geo"
	"toandan/internal/media"
	"toandan/internal/seal"
	"toandan/internal/store"
)

// Service receives and handles crime sources. Web pages and the JSON API
// both call it.
type Service struct {
	DB     *store.DB
	Geo    *geo.Service
	Clock  clock.Clock
	Keys   *seal.Keys
	Files  FileStore
	Limits media.Limits
	// RevealRoles may reveal a reporter's identity (after a stated reason).
	RevealRoles []string
	// AtRiskDays: a limit with this many days left or fewer is "at risk".
	AtRiskDays int

	cache rulesCache
}

// FileStore keeps attachment bytes. Files reach it already encrypted.
type FileStore interface {
	Put(ctx context.Context, name string, data []byte) error
	Get(ctx context.Context, name string) ([]byte, error)
	Delete(ctx context.Context, name string) error
}

// DirStore keeps files in a folder, outside anything the web server serves.
type DirStore struct{ Dir string }

func (d DirStore) path(name string) string {
	return filepath.Join(d.Dir, name[:2], name)
}

// Put writes a file and syncs it, so that a row that names it after commit
// never points at nothing.
func (d DirStore) Put(ctx context.Context, name string, data []byte) error {
	p := d.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	f, err := os.OpenFile(p+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("files: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("files: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(p)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return nil
}

func (d DirStore) Get(ctx context.Context, name string) ([]byte, error) {
	b, err := os.ReadFile(d.path(name))
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	return b, nil
}

func (d DirStore) Delete(ctx context.Context, name string) error {
	if err := os.Remove(d.path(name)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("files: %w", err)
	}
	return nil
}

// rulesCache keeps the deadline rules and the calendar between submissions:
// they change a few times a year, and reading them on every report would
// double the statements of the intake path. An edit in this process
// invalidates them at once; another instance's edit is seen within
// rulesTTL.
type rulesCache struct {
	mu     sync.Mutex
	rules  *deadline.Rules
	cal    deadline.Calendar
	loaded time.Time
}

const rulesTTL = time.Minute

func (s *Service) rules(ctx context.Context) (*deadline.Rules, deadline.Calendar, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.rules != nil && time.Since(s.cache.loaded) < rulesTTL {
		return s.cache.rules, s.cache.cal, nil
	}
	r, err := deadline.LoadRules(ctx, s.DB)
	if err != nil {
		return nil, nil, err
	}
	c, err := deadline.LoadCalendar(ctx, s.DB)
	if err != nil {
		return nil, nil, err
	}
	s.cache.rules, s.cache.cal, s.cache.loaded = r, c, time.Now()
	return r, c, nil
}

// InvalidateRules makes the next time limit computed read the rules and the
// calendar again; call it after editing either.
func (s *Service) InvalidateRules() {
	s.cache.mu.Lock()
	s.cache.rules, s.cache.cal = nil, nil
	s.cache.mu.Unlock()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Ready checks that the folder exists and can be written.
func (d DirStore) Ready(ctx context.Context) error {
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	f, err := os.CreateTemp(d.Dir, ".ready-*")
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
