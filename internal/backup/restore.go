package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"toandan/internal/store"
)

// Restore unpacks an archive written by Create into dataDir. The folder
// must not hold a database yet (nor attachment files), unless Force is
// given; the server must not be running on it.
//
// Every entry is unpacked under a temporary name inside dataDir and checked
// against the manifest (size and SHA-256), the database is checked with
// PRAGMA integrity_check, and only then is anything renamed into place:
// a damaged, altered or unsafe archive leaves dataDir as it was. Entries
// outside the expected layout (absolute paths, "..", links, devices,
// unknown names) are refused, as are archives beyond the size limits and
// archives of a newer schema than this program's migrations. An older
// schema is fine: the program migrates it forward when it next starts.
//
// The identity key is not in the archive and is not touched: it must be put
// back beside the data (see KeyReminder).
func Restore(ctx context.Context, r io.Reader, dataDir string, opts ...Option) (Manifest, error) {
	o := collect(opts)
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: data folder: %w", err)
	}
	if err := checkTarget(dataDir, o); err != nil {
		return Manifest{}, err
	}
	created := false
	if _, err := os.Stat(dataDir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return Manifest{}, fmt.Errorf("backup: create data folder: %w", err)
		}
		created = true
	}
	staging, err := os.MkdirTemp(dataDir, ".restore-")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: staging folder: %w", err)
	}
	fail := func(err error) (Manifest, error) {
		os.RemoveAll(staging)
		if created {
			os.Remove(dataDir) // only if still empty
		}
		return Manifest{}, err
	}
	tell := func(stage string) {
		if o.progress != nil {
			o.progress(stage, 0, 0)
		}
	}
	read := &counter{total: o.size}
	if o.progress != nil {
		read.fn = func(done, total int64) {
			if o.size == 0 {
				total = 0
			}
			o.progress("unpacking", done, total)
		}
		read.flush()
		r = io.TeeReader(r, read)
	}
	got, body, err := extract(ctx, r, staging, o.limits)
	read.flush()
	if err != nil {
		return fail(err)
	}
	m, err := checkManifest(got, body, o)
	if err != nil {
		return fail(err)
	}
	if !m.FilesOnly {
		tell("checking the database")
		if err := checkDatabase(ctx, filepath.Join(staging, DBEntry), m); err != nil {
			return fail(err)
		}
	}
	tell("moving into place")
	if err := putInPlace(staging, dataDir, m.FilesOnly); err != nil {
		return fail(err)
	}
	os.RemoveAll(staging)
	return m, nil
}

// RestoreFile restores the archive at path.
func RestoreFile(ctx context.Context, path, dataDir string, opts ...Option) (Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		opts = append(opts, func(o *options) { o.size = fi.Size() })
	}
	return Restore(ctx, f, dataDir, opts...)
}

// checkTarget refuses a data folder that already holds data, unless forced.
func checkTarget(dataDir string, o options) error {
	if o.force {
		return nil
	}
	db := filepath.Join(dataDir, DBEntry)
	if !o.filesOnly {
		if _, err := os.Lstat(db); err == nil {
			return fmt.Errorf("%w: %s exists; restore into a new data folder, or replace it with --force (stop the server first)", ErrTargetInUse, db)
		}
	}
	files, _, err := listFiles(filepath.Join(dataDir, FilesDir))
	if err != nil {
		return err
	}
	if len(files) > 0 {
		return fmt.Errorf("%w: %s holds %d attachment files; restore into a new data folder, or replace them with --force (stop the server first)",
			ErrTargetInUse, filepath.Join(dataDir, FilesDir), len(files))
	}
	return nil
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadArchive}, args...)...)
}

// extract unpacks the archive into staging and returns the entries it
// wrote, with their sizes and hashes, and the manifest's text.
func extract(ctx context.Context, r io.Reader, staging string, lim Limits) (map[string]Entry, []byte, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, bad("not a gzip stream: %v", err)
	}
	tr := tar.NewReader(gz)
	got := map[string]Entry{}
	var manifest []byte
	var total int64
	entries := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, bad("%v", err)
		}
		entries++
		if entries > lim.MaxEntries+1 {
			return nil, nil, fmt.Errorf("%w: more than %d entries", ErrTooLarge, lim.MaxEntries)
		}
		name := hdr.Name
		if !safeName(name) {
			return nil, nil, bad("entry %q: not a relative path inside the archive", name)
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			dir := strings.TrimSuffix(name, "/")
			if dir != FilesDir && !(strings.HasPrefix(dir, FilesDir+"/") && len(dir) == len(FilesDir)+3 && !strings.Contains(dir[len(FilesDir)+1:], "/")) {
				return nil, nil, bad("entry %q: unexpected folder", name)
			}
			continue
		case tar.TypeReg:
		default:
			return nil, nil, bad("entry %q: links and special files are refused (type %q)", name, hdr.Typeflag)
		}
		if _, dup := got[name]; dup || (name == ManifestEntry && manifest != nil) {
			return nil, nil, bad("entry %q appears twice", name)
		}
		if hdr.Size < 0 {
			return nil, nil, bad("entry %q: negative size", name)
		}
		total += hdr.Size
		if total > lim.MaxBytes {
			return nil, nil, fmt.Errorf("%w: more than %d bytes unpacked", ErrTooLarge, lim.MaxBytes)
		}
		var dst string
		switch {
		case name == ManifestEntry:
			if hdr.Size > int64(lim.MaxEntries)*512+1<<20 {
				return nil, nil, fmt.Errorf("%w: manifest of %d bytes", ErrTooLarge, hdr.Size)
			}
			var b bytes.Buffer
			if _, err := io.CopyN(&b, tr, hdr.Size); err != nil {
				return nil, nil, bad("manifest: %v", err)
			}
			manifest = b.Bytes()
			continue
		case name == DBEntry:
			dst = filepath.Join(staging, DBEntry)
		case strings.HasPrefix(name, FilesDir+"/") && fileEntry(name[len(FilesDir)+1:]):
			if hdr.Size > lim.MaxFileBytes {
				return nil, nil, fmt.Errorf("%w: %s is %d bytes, more than %d", ErrTooLarge, name, hdr.Size, lim.MaxFileBytes)
			}
			dst = filepath.Join(staging, filepath.FromSlash(name))
		default:
			return nil, nil, bad("entry %q: not part of a toandan archive", name)
		}
		e, err := writeStaged(dst, tr, name, hdr.Size)
		if err != nil {
			return nil, nil, err
		}
		got[name] = e
	}
	// Read to the end of the gzip stream so that its checksum is verified,
	// but not without bound: Create writes nothing after the tar trailer.
	if n, err := io.CopyN(io.Discard, gz, 1<<20); err != nil && err != io.EOF {
		return nil, nil, bad("%v", err)
	} else if n == 1<<20 {
		return nil, nil, bad("data after the end of the archive")
	}
	return got, manifest, nil
}

// safeName accepts only clean, relative, slash-separated names.
func safeName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || strings.ContainsRune(name, 0) {
		return false
	}
	trimmed := strings.TrimSuffix(name, "/")
	if path.Clean(trimmed) != trimmed || filepath.IsAbs(trimmed) {
		return false
	}
	for _, part := range strings.Split(trimmed, "/") {
		if part == ".." || part == "." || part == "" {
			return false
		}
	}
	return true
}

func writeStaged(dst string, r io.Reader, name string, size int64) (Entry, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return Entry{}, fmt.Errorf("backup: %w", err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Entry{}, fmt.Errorf("backup: %w", err)
	}
	h := sha256.New()
	n, err := io.CopyN(io.MultiWriter(f, h), r, size)
	if err != nil {
		f.Close()
		return Entry{}, bad("entry %q: %d of %d bytes: %v", name, n, size, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return Entry{}, fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return Entry{}, fmt.Errorf("backup: %w", err)
	}
	return Entry{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// checkManifest reads the manifest and checks every entry against it.
func checkManifest(got map[string]Entry, body []byte, o options) (Manifest, error) {
	if body == nil {
		return Manifest{}, bad("no %s: not a toandan archive, or cut short", ManifestEntry)
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return Manifest{}, bad("%s: %v", ManifestEntry, err)
	}
	if m.Format < 1 {
		return Manifest{}, bad("%s: no format version", ManifestEntry)
	}
	if m.Format > FormatVersion {
		return Manifest{}, fmt.Errorf("%w: archive format %d, this program reads up to %d", ErrTooNew, m.Format, FormatVersion)
	}
	ms, err := store.Migrations()
	if err != nil {
		return Manifest{}, err
	}
	if m.SchemaVersion > len(ms) {
		return Manifest{}, fmt.Errorf("%w: database schema version %d, this program knows up to %d; restore it with the newer program",
			ErrTooNew, m.SchemaVersion, len(ms))
	}
	_, hasDB := got[DBEntry]
	switch {
	case o.filesOnly && (hasDB || !m.FilesOnly):
		return Manifest{}, bad("it holds a SQLite database, and this installation's database is restored with pg_restore; " +
			"restore the archive without --files-only into a SQLite installation")
	case !o.filesOnly && (!hasDB || m.FilesOnly):
		return Manifest{}, bad("it holds no database (a files-only archive of a PostgreSQL installation): " +
			"restore the database with pg_restore, then this archive with --files-only")
	}
	listed := make(map[string]bool, len(m.Entries))
	for _, e := range m.Entries {
		if listed[e.Name] {
			return Manifest{}, bad("%s lists %q twice", ManifestEntry, e.Name)
		}
		listed[e.Name] = true
		g, ok := got[e.Name]
		if !ok {
			return Manifest{}, bad("%q is listed in %s but missing", e.Name, ManifestEntry)
		}
		if g.Size != e.Size || g.SHA256 != e.SHA256 {
			return Manifest{}, bad("%q does not match its SHA-256 in %s (damaged or altered)", e.Name, ManifestEntry)
		}
	}
	for name := range got {
		if !listed[name] {
			return Manifest{}, bad("%q is not listed in %s", name, ManifestEntry)
		}
	}
	return m, nil
}

// checkDatabase checks the staged database's integrity and schema version.
func checkDatabase(ctx context.Context, path string, m Manifest) error {
	c, err := openSQLiteFile(path)
	if err != nil {
		return err
	}
	defer c.Close()
	rows, err := c.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return bad("database: %v", err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return bad("database: %v", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return bad("database: %v", err)
	}
	if len(problems) > 0 {
		return bad("database fails its integrity check: %s", strings.Join(problems[:min(len(problems), 5)], "; "))
	}
	var v int
	if err := c.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return bad("database: %v", err)
	}
	if v != m.SchemaVersion {
		return bad("database schema version %d, manifest says %d", v, m.SchemaVersion)
	}
	return nil
}

// putInPlace moves the staged database and files into dataDir. What was
// there is moved aside first and put back if a step fails; it is deleted
// once the new data is in place.
func putInPlace(staging, dataDir string, filesOnly bool) error {
	old := filepath.Join(staging, "old")
	if err := os.Mkdir(old, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	type move struct{ from, to string }
	var done []move
	mv := func(from, to string) error {
		if err := os.Rename(from, to); err != nil {
			return err
		}
		done = append(done, move{from, to})
		return nil
	}
	undo := func(err error) error {
		for i := len(done) - 1; i >= 0; i-- {
			if uerr := os.Rename(done[i].to, done[i].from); uerr != nil {
				err = errors.Join(err, fmt.Errorf("put back %s: %w", done[i].from, uerr))
			}
		}
		return fmt.Errorf("backup: move into place: %w", err)
	}
	db := filepath.Join(dataDir, DBEntry)
	if !filesOnly {
		// A WAL or journal left beside the old database would be applied
		// to the new one: it goes too.
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if _, err := os.Lstat(db + suffix); err == nil {
				if err := mv(db+suffix, filepath.Join(old, DBEntry+suffix)); err != nil {
					return undo(err)
				}
			}
		}
	}
	files := filepath.Join(dataDir, FilesDir)
	if _, err := os.Lstat(files); err == nil {
		if err := mv(files, filepath.Join(old, FilesDir)); err != nil {
			return undo(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(staging, FilesDir), 0o700); err != nil {
		return undo(err)
	}
	if err := mv(filepath.Join(staging, FilesDir), files); err != nil {
		return undo(err)
	}
	if !filesOnly {
		// The database goes last: until it is in place, the folder holds
		// no database and the program would not start on half the data.
		if err := mv(filepath.Join(staging, DBEntry), db); err != nil {
			return undo(err)
		}
	}
	if d, err := os.Open(dataDir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
