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
	"toandan/internal/jobs"
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
	// Jobs, when set, takes the job that settles due times after an edit of
	// the calendar of days off (see SettleDues).
	Jobs *jobs.Queue

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

// rulesCache keeps the deadline rules, the calendar and the active
// categories between submissions: they change a few times a year, and
// reading them on every report would double the statements of the intake
// path. An edit in this process invalidates them at once; another
// instance's edit is seen within rulesTTL.
type rulesCache struct {
	mu     sync.Mutex
	ref    *reference // nil when invalidated
	loaded time.Time
}

// reference is one reading of the rules, the calendar and the categories.
// It is never changed once read: a newer reading replaces it.
type reference struct {
	rules      *deadline.Rules
	cal        deadline.Calendar
	categories map[string]bool // codes of the active categories
}

const rulesTTL = time.Minute

func (s *Service) rules(ctx context.Context) (*deadline.Rules, deadline.Calendar, error) {
	ref, err := s.reference(ctx)
	if err != nil {
		return nil, nil, err
	}
	return ref.rules, ref.cal, nil
}

// activeCategory reports whether code is a category a new source may have.
func (s *Service) activeCategory(ctx context.Context, code string) (bool, error) {
	ref, err := s.reference(ctx)
	if err != nil {
		return false, err
	}
	return ref.categories[code], nil
}

// reference returns the cached reading, read again when it is older than
// rulesTTL.
func (s *Service) reference(ctx context.Context) (*reference, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.ref != nil && time.Since(s.cache.loaded) < rulesTTL {
		return s.cache.ref, nil
	}
	var ref reference
	var err error
	if ref.rules, err = deadline.LoadRules(ctx, s.DB); err != nil {
		return nil, err
	}
	if ref.cal, err = deadline.LoadCalendar(ctx, s.DB); err != nil {
		return nil, err
	}
	if ref.categories, err = s.loadActiveCategories(ctx); err != nil {
		return nil, err
	}
	s.cache.ref, s.cache.loaded = &ref, time.Now()
	return &ref, nil
}

func (s *Service) loadActiveCategories(ctx context.Context) (map[string]bool, error) {
	rows, err := s.DB.Query(ctx, "SELECT code FROM crime_categories WHERE active = 1")
	if err != nil {
		return nil, fmt.Errorf("crimesource: categories: %w", err)
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, fmt.Errorf("crimesource: categories: %w", err)
		}
		m[code] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("crimesource: categories: %w", err)
	}
	return m, nil
}

// InvalidateRules makes the next time limit computed read the rules and the
// calendar (and the categories) again; call it after editing either.
func (s *Service) InvalidateRules() {
	s.cache.mu.Lock()
	s.cache.ref = nil
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
