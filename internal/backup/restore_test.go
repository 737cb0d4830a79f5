package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"toandan/internal/backup"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// TestRestoreRefusesBadArchives: a damaged, altered or unsafe archive is
// refused, and the target folder is left exactly as it was, whether empty
// (but for the identity key put back) or holding an installation that
// --force would replace.
func TestRestoreRefusesBadArchives(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, store.SQLite)
	w := newWorld(t, srv)
	w.fill(t)
	m := srv.Main
	var buf bytes.Buffer
	if _, err := backup.Create(w.ctx, m.DB, m.Config.DataDir, &buf, nil); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	es := readArchive(t, good)
	key, err := os.ReadFile(filepath.Join(m.Config.DataDir, "identity.key"))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}

	// alter returns the archive with fn applied to a copy of its entries.
	alter := func(fn func([]entry) []entry) []byte {
		cp := make([]entry, len(es))
		for i, e := range es {
			cp[i] = entry{e.hdr, append([]byte{}, e.body...)}
		}
		return writeArchive(t, fn(cp))
	}
	withManifest := func(fn func(*backup.Manifest)) []byte {
		return alter(func(es []entry) []entry {
			for i, e := range es {
				if e.hdr.Name == backup.ManifestEntry {
					var man backup.Manifest
					if err := json.Unmarshal(e.body, &man); err != nil {
						t.Fatal(err)
					}
					fn(&man)
					b, err := json.Marshal(man)
					if err != nil {
						t.Fatal(err)
					}
					es[i].body = b
				}
			}
			return es
		})
	}
	insert := func(h tar.Header, body string) []byte {
		return alter(func(es []entry) []entry {
			if h.Typeflag == 0 {
				h.Typeflag = tar.TypeReg
			}
			h.Mode, h.ModTime = 0o600, time.Now()
			return append([]entry{{h, []byte(body)}}, es...)
		})
	}
	firstFile := ""
	for _, e := range es {
		if strings.HasPrefix(e.hdr.Name, "files/") {
			firstFile = e.hdr.Name
			break
		}
	}
	if firstFile == "" {
		t.Fatal("archive holds no files")
	}
	// A bit flipped in the compressed stream, where it changes what the
	// stream holds: a few bits of a deflate stream (an unused code length,
	// padding) change nothing when flipped, and the archive is then the
	// same archive.
	var gzFlipped []byte
	for i := len(good) / 2; gzFlipped == nil && i < len(good)-8; i++ {
		b := append([]byte{}, good...)
		b[i] ^= 0x40
		if !sameGzipContent(good, b) {
			gzFlipped = b
		}
	}
	if gzFlipped == nil {
		t.Fatal("no flipped byte changes the archive")
	}

	cases := []struct {
		name    string
		archive []byte
		opts    []backup.Option
		want    error
		says    string
	}{
		{"byte flipped inside toandan.db", alter(func(es []entry) []entry {
			for i := range es {
				if es[i].hdr.Name == backup.DBEntry {
					es[i].body[len(es[i].body)/2] ^= 0x01
				}
			}
			return es
		}), nil, backup.ErrBadArchive, "SHA-256"},
		{"byte flipped inside an attachment", alter(func(es []entry) []entry {
			for i := range es {
				if es[i].hdr.Name == firstFile {
					es[i].body[0] ^= 0x01
				}
			}
			return es
		}), nil, backup.ErrBadArchive, "SHA-256"},
		{"byte flipped in the compressed stream", gzFlipped, nil, nil, ""},
		{"cut short", good[:len(good)/2], nil, nil, ""},
		{"not an archive", []byte("toandan.db\nhello"), nil, backup.ErrBadArchive, "gzip"},
		{"parent folder", insert(tar.Header{Name: "../evil"}, "x"), nil, backup.ErrBadArchive, "../evil"},
		{"parent folder inside files", insert(tar.Header{Name: "files/../../evil"}, "x"), nil, backup.ErrBadArchive, "evil"},
		{"absolute path", insert(tar.Header{Name: "/tmp/toandan-evil"}, "x"), nil, backup.ErrBadArchive, "toandan-evil"},
		{"symbolic link", insert(tar.Header{Name: "files/ab/ab01", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}, ""), nil, backup.ErrBadArchive, "links"},
		{"hard link", insert(tar.Header{Name: "files/ab/ab02", Typeflag: tar.TypeLink, Linkname: backup.DBEntry}, ""), nil, backup.ErrBadArchive, "links"},
		{"identity key inside", insert(tar.Header{Name: "identity.key"}, string(key)), nil, backup.ErrBadArchive, "identity.key"},
		{"file not in the manifest", insert(tar.Header{Name: "files/ab/ab0123"}, "sealed?"), nil, backup.ErrBadArchive, "not listed"},
		{"no manifest", alter(func(es []entry) []entry { return es[:len(es)-1] }), nil, backup.ErrBadArchive, "manifest"},
		{"entry missing", withManifest(func(m *backup.Manifest) {
			m.Entries = append(m.Entries, backup.Entry{Name: "files/zz/zz99", Size: 1, SHA256: strings.Repeat("0", 64)})
		}), nil, backup.ErrBadArchive, "missing"},
		{"newer schema", withManifest(func(m *backup.Manifest) { m.SchemaVersion = len(ms) + 1 }), nil, backup.ErrTooNew, "schema"},
		{"newer format", withManifest(func(m *backup.Manifest) { m.Format = backup.FormatVersion + 1 }), nil, backup.ErrTooNew, "format"},
		{"schema in manifest and database differ", withManifest(func(m *backup.Manifest) { m.SchemaVersion-- }), nil, backup.ErrBadArchive, "schema"},
		{"too many bytes", good, []backup.Option{backup.WithLimits(backup.Limits{MaxBytes: 4096, MaxEntries: 100, MaxFileBytes: 1 << 20})}, backup.ErrTooLarge, ""},
		{"too many entries", good, []backup.Option{backup.WithLimits(backup.Limits{MaxBytes: 1 << 30, MaxEntries: 2, MaxFileBytes: 1 << 20})}, backup.ErrTooLarge, ""},
		{"file too large", good, []backup.Option{backup.WithLimits(backup.Limits{MaxBytes: 1 << 30, MaxEntries: 100, MaxFileBytes: 10})}, backup.ErrTooLarge, "files/"},
		{"full archive restored as files only", good, []backup.Option{backup.FilesOnly()}, backup.ErrBadArchive, "pg_restore"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// An empty data folder with the identity key put back.
			empty := t.TempDir()
			if err := os.WriteFile(filepath.Join(empty, "identity.key"), key, 0o600); err != nil {
				t.Fatal(err)
			}
			// A folder that holds an installation, replaced only with Force.
			full := t.TempDir()
			if _, err := backup.Restore(w.ctx, bytes.NewReader(good), full); err != nil {
				t.Fatal(err)
			}
			for _, target := range []struct {
				dir  string
				opts []backup.Option
			}{{empty, c.opts}, {full, append([]backup.Option{backup.Force()}, c.opts...)}} {
				before := tree(t, target.dir)
				_, err := backup.Restore(w.ctx, bytes.NewReader(c.archive), target.dir, target.opts...)
				if err == nil {
					t.Fatalf("restore into %s accepted the archive", target.dir)
				}
				if c.want != nil && !errors.Is(err, c.want) {
					t.Errorf("error %v, want %v", err, c.want)
				}
				if !strings.Contains(err.Error(), c.says) {
					t.Errorf("error %q does not say %q", err, c.says)
				}
				if after := tree(t, target.dir); !reflect.DeepEqual(before, after) {
					t.Errorf("target folder changed:\nbefore %v\nafter  %v", keys(before), keys(after))
				}
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(empty), "evil")); err == nil {
				t.Error("an entry was written outside the target folder")
			}
			if _, err := os.Lstat("/tmp/toandan-evil"); err == nil {
				t.Error("an absolute entry was written")
			}
		})
	}

	t.Run("folder in use", func(t *testing.T) {
		full := t.TempDir()
		if _, err := backup.Restore(w.ctx, bytes.NewReader(good), full); err != nil {
			t.Fatal(err)
		}
		// Data written since, which Force replaces.
		if err := os.WriteFile(filepath.Join(full, "toandan.db-wal"), []byte("stale"), 0o600); err != nil {
			t.Fatal(err)
		}
		before := tree(t, full)
		if _, err := backup.Restore(w.ctx, bytes.NewReader(good), full); !errors.Is(err, backup.ErrTargetInUse) || !strings.Contains(err.Error(), "--force") {
			t.Fatalf("restore over a database without force: %v", err)
		}
		if after := tree(t, full); !reflect.DeepEqual(before, after) {
			t.Fatalf("refused restore changed the folder")
		}
		// Files without a database also count as data.
		filesOnly := t.TempDir()
		if err := os.MkdirAll(filepath.Join(filesOnly, "files", "ab"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(filesOnly, "files", "ab", "ab0123"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := backup.Restore(w.ctx, bytes.NewReader(good), filesOnly); !errors.Is(err, backup.ErrTargetInUse) {
			t.Fatalf("restore over files without force: %v", err)
		}
		if _, err := backup.Restore(w.ctx, bytes.NewReader(good), full, backup.Force()); err != nil {
			t.Fatalf("forced restore: %v", err)
		}
		if _, err := os.Stat(filepath.Join(full, "toandan.db-wal")); !os.IsNotExist(err) {
			t.Errorf("forced restore kept the old WAL beside the new database: %v", err)
		}
		db, err := store.Open(w.ctx, "", full)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(w.ctx, "SELECT COUNT(*) FROM sources").Scan(&n); err != nil || n != len(w.reports) {
			t.Errorf("forced restore holds %d sources, %v; want %d", n, err, len(w.reports))
		}
	})

	t.Run("file archive", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "toandan-backup.tar.gz")
		man, err := backup.CreateFile(w.ctx, m.DB, m.Config.DataDir, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path + ".partial"); !os.IsNotExist(err) {
			t.Errorf("partial file left: %v", err)
		}
		target := filepath.Join(dir, "restored", "data")
		got, err := backup.RestoreFile(w.ctx, path, target)
		if err != nil || got.Sources != man.Sources {
			t.Fatalf("restore file: %+v, %v", got, err)
		}
		// A failed backup leaves no archive under the name.
		bad := filepath.Join(dir, "refused.tar.gz")
		cancelled, cancel := contextWithCancel(w)
		cancel()
		if _, err := backup.CreateFile(cancelled, m.DB, m.Config.DataDir, bad, nil); err == nil {
			t.Fatal("backup with a cancelled context succeeded")
		}
		if matches, _ := filepath.Glob(bad + "*"); len(matches) != 0 {
			t.Errorf("failed backup left %v", matches)
		}
		// A restore that fails into a folder it created removes the folder.
		fresh := filepath.Join(dir, "fresh")
		if _, err := backup.Restore(w.ctx, bytes.NewReader([]byte("junk")), fresh); err == nil {
			t.Fatal("junk restored")
		}
		if _, err := os.Stat(fresh); !os.IsNotExist(err) {
			t.Errorf("failed restore left the folder it created: %v", err)
		}
	})
}

// sameGzipContent reports whether b decompresses, checksum included, to
// what a holds.
func sameGzipContent(a, b []byte) bool {
	read := func(p []byte) ([]byte, error) {
		zr, err := gzip.NewReader(bytes.NewReader(p))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	}
	x, errA := read(a)
	y, errB := read(b)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}
