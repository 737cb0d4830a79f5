package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"toandan/internal/store"
)

// Create writes an archive (tar.gz) of the installation to w: a snapshot of
// the SQLite database, the files folder of dataDir as it is (attachments are
// sealed already), and the manifest. The server may keep serving, and
// writing, meanwhile. progress, if not nil, is told the bytes archived so
// far and the expected total.
//
// On PostgreSQL Create returns an error wrapping ErrPostgres that gives the
// pg_dump command, unless FilesOnly is given: then the archive holds only
// the files and the manifest.
func Create(ctx context.Context, db *store.DB, dataDir string, w io.Writer, progress func(done, total int64), opts ...Option) (Manifest, error) {
	o := collect(opts)
	if db.Engine == store.Postgres && !o.filesOnly {
		return Manifest{}, fmt.Errorf("%w: back the database up with\n  %s\n(restore it with pg_restore), "+
			"and archive the attachment files with a files-only backup (toandan backup --files-only FILE)", ErrPostgres, PgDumpCommand)
	}
	m := Manifest{
		Format:         FormatVersion,
		CreatedAt:      o.clock.Now().UTC(),
		Engine:         string(db.Engine),
		FilesOnly:      o.filesOnly,
		Database:       DBEntry,
		IdentityKey:    IdentityKeyNote,
		KeyFingerprint: o.fingerprint,
	}
	tmp, err := os.MkdirTemp(dataDir, ".backup-")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: temporary folder: %w", err)
	}
	defer os.RemoveAll(tmp)

	var inv inventory
	snap := ""
	if o.filesOnly {
		m.Database = "not included: back the database up with " + PgDumpCommand
		// The counts are the live database's when the files are listed; the
		// pg_dump taken beside this archive may differ a little.
		if inv, err = takeInventory(ctx, db.R); err != nil {
			return Manifest{}, err
		}
	} else {
		snap = filepath.Join(tmp, DBEntry)
		if err := snapshot(ctx, db, snap); err != nil {
			return Manifest{}, err
		}
		if inv, err = snapshotInventory(ctx, snap); err != nil {
			return Manifest{}, err
		}
	}
	m.SchemaVersion, m.Sources, m.Attachments = inv.schema, inv.sources, inv.attachments

	// The files are listed after the snapshot: a file written since then is
	// archived without a row naming it (harmless), and every row of the
	// snapshot had its file on disk before the row was committed.
	files, skipped, err := listFiles(filepath.Join(dataDir, FilesDir))
	if err != nil {
		return Manifest{}, err
	}
	m.Skipped = skipped
	var total int64
	for _, f := range files {
		total += f.size
	}
	var snapInfo os.FileInfo
	if snap != "" {
		if snapInfo, err = os.Stat(snap); err != nil {
			return Manifest{}, fmt.Errorf("backup: snapshot: %w", err)
		}
		total += snapInfo.Size()
	}

	gz := gzip.NewWriter(w)
	a := &archiver{tw: tar.NewWriter(gz), p: &counter{fn: progress, total: total}}
	if snap != "" {
		e, err := a.addFile(ctx, DBEntry, snap)
		if err != nil {
			return Manifest{}, err
		}
		m.Entries = append(m.Entries, e)
	}
	archived := make(map[string]bool, len(files))
	for _, f := range files {
		e, err := a.addFile(ctx, FilesDir+"/"+f.rel, f.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted (retention) since it was listed
		}
		if err != nil {
			return Manifest{}, err
		}
		m.Entries = append(m.Entries, e)
		archived[f.rel[3:]] = true
	}
	m.Files = len(archived)
	for _, name := range inv.names {
		if !archived[name] {
			m.MissingFiles = append(m.MissingFiles, name)
		}
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: manifest: %w", err)
	}
	if err := a.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: ManifestEntry, Size: int64(len(body)), Mode: 0o600, ModTime: m.CreatedAt.Truncate(time.Second)}); err != nil {
		return Manifest{}, fmt.Errorf("backup: write: %w", err)
	}
	if _, err := a.tw.Write(body); err != nil {
		return Manifest{}, fmt.Errorf("backup: write: %w", err)
	}
	if err := a.tw.Close(); err != nil {
		return Manifest{}, fmt.Errorf("backup: write: %w", err)
	}
	if err := gz.Close(); err != nil {
		return Manifest{}, fmt.Errorf("backup: write: %w", err)
	}
	a.p.flush()
	return m, nil
}

// CreateFile writes the archive to path through a temporary file renamed
// at the end, so that a failed backup never leaves a truncated archive
// under the expected name.
func CreateFile(ctx context.Context, db *store.DB, dataDir, path string, progress func(done, total int64), opts ...Option) (Manifest, error) {
	part := path + ".partial"
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	m, err := Create(ctx, db, dataDir, f, progress, opts...)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(part, path)
	}
	if err != nil {
		os.Remove(part)
		return Manifest{}, err
	}
	return m, nil
}

// snapshot copies the database into out with VACUUM INTO, which reads one
// consistent snapshot. It runs on a connection of its own: the writer pool
// has one connection, and holding it for the whole copy would stop every
// write of the running server; a reader in WAL mode blocks nobody. (The
// reader pool is query_only, which SQLite counts VACUUM INTO against.)
func snapshot(ctx context.Context, db *store.DB, out string) error {
	if db.Path == "" {
		return fmt.Errorf("backup: the SQLite database has no file path")
	}
	c, err := sql.Open("sqlite", "file:"+db.Path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("backup: open snapshot connection: %w", err)
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		return fmt.Errorf("backup: snapshot: %w", err)
	}
	return nil
}

// inventory is what the manifest says of the database.
type inventory struct {
	schema               int
	sources, attachments int64
	names                []string // stored names of the attachments
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func takeInventory(ctx context.Context, q queryer) (inventory, error) {
	var inv inventory
	err := q.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(version), 0) FROM schema_migrations),
		(SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM attachments)`).Scan(&inv.schema, &inv.sources, &inv.attachments)
	if err != nil {
		return inv, fmt.Errorf("backup: count rows: %w", err)
	}
	rows, err := q.QueryContext(ctx, "SELECT stored_name FROM attachments ORDER BY stored_name")
	if err != nil {
		return inv, fmt.Errorf("backup: list attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return inv, fmt.Errorf("backup: list attachments: %w", err)
		}
		inv.names = append(inv.names, n)
	}
	if err := rows.Err(); err != nil {
		return inv, fmt.Errorf("backup: list attachments: %w", err)
	}
	return inv, nil
}

func snapshotInventory(ctx context.Context, path string) (inventory, error) {
	c, err := openSQLiteFile(path)
	if err != nil {
		return inventory{}, err
	}
	defer c.Close()
	return takeInventory(ctx, c)
}

// openSQLiteFile opens a database file that is not the live one (a
// snapshot, or a staged restore) for reading.
func openSQLiteFile(path string) (*sql.DB, error) {
	c, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("backup: open %s: %w", filepath.Base(path), err)
	}
	c.SetMaxOpenConns(1)
	return c, nil
}

type listed struct {
	rel, path string // rel: "ab/abcd..." (slashes)
	size      int64
}

// listFiles lists the attachment files under dir, sorted. Anything that is
// not one (links, temporary files of a write in progress, stray names) is
// left out, and named in skipped unless it is a temporary file.
func listFiles(dir string) (files []listed, skipped []string, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if d.IsDir() {
			if len(rel) != 2 {
				skipped = append(skipped, rel+"/")
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(rel, ".tmp") {
			return nil
		}
		if !d.Type().IsRegular() || !fileEntry(rel) {
			skipped = append(skipped, rel)
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		files = append(files, listed{rel: rel, path: p, size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("backup: list files: %w", err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	return files, skipped, nil
}

type archiver struct {
	tw *tar.Writer
	p  *counter
}

// addFile archives the file at path as name and returns its entry. A file
// that no longer exists is an error matching fs.ErrNotExist.
func (a *archiver) addFile(ctx context.Context, name, path string) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Entry{}, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Entry{}, fmt.Errorf("backup: %w", err)
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: info.Size(), Mode: 0o600, ModTime: info.ModTime().UTC().Truncate(time.Second)}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return Entry{}, fmt.Errorf("backup: write: %w", err)
	}
	h := sha256.New()
	n, err := io.CopyN(io.MultiWriter(a.tw, h, a.p), f, info.Size())
	if err != nil {
		return Entry{}, fmt.Errorf("backup: archive %s (%d of %d bytes): %w", name, n, info.Size(), err)
	}
	return Entry{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// counter reports progress every few megabytes.
type counter struct {
	fn                func(done, total int64)
	done, total, told int64
}

func (c *counter) Write(p []byte) (int, error) {
	c.done += int64(len(p))
	if c.fn != nil && c.done-c.told >= 4<<20 {
		c.flush()
	}
	return len(p), nil
}

func (c *counter) flush() {
	if c.fn != nil {
		c.told = c.done
		c.fn(c.done, max(c.total, c.done))
	}
}
