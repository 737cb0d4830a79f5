package backup_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"toandan/internal/audit"
	"toandan/internal/backup"
	"toandan/internal/crimesource"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// TestBackupRestoreRoundTrip backs an installation up, wipes its data
// folder (the identity key kept aside, as an operator keeps it), restores,
// and opens the program again: every report is readable as before. On
// PostgreSQL the database itself goes through pg_dump/pg_restore, outside
// toandan: the test keeps it and round-trips the files.
func TestBackupRestoreRoundTrip(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			srv := testutil.NewServer(t, eng)
			w := newWorld(t, srv)
			w.fill(t)
			m := srv.Main
			dataDir, dsn := m.Config.DataDir, m.Config.DB
			var opts []backup.Option
			if eng == store.Postgres {
				opts = append(opts, backup.FilesOnly())
			}
			var attachments int64
			if err := m.DB.QueryRow(w.ctx, "SELECT COUNT(*) FROM attachments").Scan(&attachments); err != nil {
				t.Fatal(err)
			}
			var calls int
			var lastDone, lastTotal int64
			var buf bytes.Buffer
			man, err := backup.Create(w.ctx, m.DB, dataDir, &buf, func(done, total int64) { calls, lastDone, lastTotal = calls+1, done, total },
				append(opts, backup.KeyFingerprint(m.Sources.Keys.Fingerprint()))...)
			if err != nil {
				t.Fatalf("backup: %v", err)
			}
			if man.Sources != int64(len(w.reports)) || man.Attachments != attachments || int64(man.Files) != attachments || len(man.MissingFiles) != 0 {
				t.Errorf("manifest counts: sources %d attachments %d files %d missing %v; want %d, %d, %d, none",
					man.Sources, man.Attachments, man.Files, man.MissingFiles, len(w.reports), attachments, attachments)
			}
			if !strings.Contains(man.IdentityKey, "identity key not included") || man.KeyFingerprint != m.Sources.Keys.Fingerprint() {
				t.Errorf("manifest key note %q, fingerprint %q", man.IdentityKey, man.KeyFingerprint)
			}
			if calls == 0 || lastDone != lastTotal || lastDone == 0 {
				t.Errorf("progress: %d calls, last %d of %d", calls, lastDone, lastTotal)
			}
			es := readArchive(t, buf.Bytes())
			for _, n := range names(es) {
				if strings.Contains(n, "identity") || strings.Contains(n, ".key") {
					t.Errorf("archive holds %s", n)
				}
			}
			if got := manifestOf(t, es); got.Sources != man.Sources || len(got.Entries) != len(es)-1 {
				t.Errorf("archived manifest: %d sources, %d entries for %d archive entries", got.Sources, len(got.Entries), len(es))
			}
			if leftovers, _ := filepath.Glob(filepath.Join(dataDir, ".backup-*")); len(leftovers) != 0 {
				t.Errorf("backup left %v", leftovers)
			}

			key := keepKey(t, m)
			srv.Close()
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.RemoveAll(dataDir); err != nil {
				t.Fatal(err)
			}
			got, err := backup.Restore(w.ctx, bytes.NewReader(buf.Bytes()), dataDir, opts...)
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if got.Sources != man.Sources || got.SchemaVersion != man.SchemaVersion || got.Engine != string(eng) {
				t.Errorf("restored manifest %+v, want %+v", got, man)
			}
			if _, err := os.Stat(filepath.Join(dataDir, "identity.key")); !os.IsNotExist(err) {
				t.Errorf("restore made an identity key: %v", err)
			}
			if leftovers, _ := filepath.Glob(filepath.Join(dataDir, ".restore-*")); len(leftovers) != 0 {
				t.Errorf("restore left %v", leftovers)
			}

			m2 := reopen(t, dataDir, dsn, key, srv)
			if m2.Sources.Keys.Fingerprint() != man.KeyFingerprint {
				t.Fatalf("reopened with key %s, archive sealed with %s", m2.Sources.Keys.Fingerprint(), man.KeyFingerprint)
			}
			inv := w.actor(t, m2, investi)
			for _, r := range w.reports {
				if r.receipt != "" {
					v, err := m2.Sources.Lookup(w.ctx, r.receipt)
					if err != nil || v.TrackingCode != r.tracking {
						t.Errorf("lookup %s by its receipt code: %+v, %v", r.tracking, v, err)
					}
				}
				d, err := m2.Sources.Get(w.ctx, inv, r.id)
				if err != nil {
					t.Errorf("investigator get %s: %v", r.tracking, err)
					continue
				}
				if d.TrackingCode != r.tracking || len(d.Attachments) != len(r.files) || len(d.Events) == 0 {
					t.Errorf("get %s: tracking %s, %d attachments (want %d), %d events", r.tracking, d.TrackingCode, len(d.Attachments), len(r.files), len(d.Events))
					continue
				}
				for i, a := range d.Attachments {
					data, ct, err := m2.Sources.File(w.ctx, inv, a.ID)
					if err != nil {
						t.Errorf("file %d of %s: %v", a.ID, r.tracking, err)
						continue
					}
					if ct != "image/png" || !bytes.Equal(data, stripped(t, r.files[i])) {
						t.Errorf("file %d of %s: %s, %d bytes, not the original after stripping", a.ID, r.tracking, ct, len(data))
					}
				}
				if r.reporter != "" {
					who, err := m2.Sources.Reveal(w.ctx, inv, r.id, "Xác minh lời khai của người tố giác")
					if err != nil || who.FullName != r.reporter {
						t.Errorf("reveal identity of %s: %+v, %v", r.tracking, who, err)
					}
				}
			}
			n, problem, err := audit.Verify(w.ctx, m2.DB)
			if err != nil || problem != nil || n == 0 {
				t.Errorf("audit chain after restore: %d entries, problem %v, err %v", n, problem, err)
			}
			// The restored installation keeps working: the register goes on.
			rec, err := m2.Sources.Submit(w.ctx, crimesource.Intake{Category: "khac", CommuneCode: "T0101", Description: "Tin báo mới sau khi phục hồi", Anonymous: true}, crimesource.Actor{})
			if err != nil || rec.RegisterNo < 2 {
				t.Errorf("submit after restore: %+v, %v", rec, err)
			}
		})
	}
}

// TestBackupWhileWriting takes a backup while reports keep arriving: the
// snapshot is one consistent state of the database.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, store.SQLite)
	w := newWorld(t, srv)
	w.fill(t)
	m := srv.Main
	ctx, stop := context.WithCancel(w.ctx)
	var wg sync.WaitGroup
	var submitted, duringBackup atomic.Int64
	var backingUp atomic.Bool
	errc := make(chan error, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				in := crimesource.Intake{Category: "cong_nghe_cao", CommuneCode: "T0101", Anonymous: true,
					Description: fmt.Sprintf("Tin báo gửi trong lúc sao lưu, luồng %d số %d", g, i)}
				if i%2 == 0 {
					in.Files = []crimesource.Upload{{Name: "p.png", Data: photo(t, g*10+i%7)}}
				}
				if _, err := m.Sources.Submit(w.ctx, in, crimesource.Actor{}); err != nil {
					errc <- err
					return
				}
				submitted.Add(1)
				if backingUp.Load() {
					duringBackup.Add(1)
				}
			}
		}()
	}
	for submitted.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	var buf bytes.Buffer
	backingUp.Store(true)
	man, err := backup.Create(w.ctx, m.DB, m.Config.DataDir, &buf, nil)
	backingUp.Store(false)
	// Let a few more land, so the archive is not the latest state.
	for after := submitted.Load(); submitted.Load() < after+10 && len(errc) == 0; {
		time.Sleep(time.Millisecond)
	}
	stop()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("submit during backup: %v", err)
	}
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	t.Logf("%d reports submitted in all, %d while the backup ran; archive holds %d", submitted.Load(), duringBackup.Load(), man.Sources)

	es := readArchive(t, buf.Bytes())
	dir := t.TempDir()
	files := map[string][]byte{}
	for _, e := range es {
		switch {
		case e.hdr.Name == backup.DBEntry:
			if err := os.WriteFile(filepath.Join(dir, "snap.db"), e.body, 0o600); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(e.hdr.Name, "files/"):
			files[filepath.Base(e.hdr.Name)] = e.body
		}
	}
	snap, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "snap.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var check string
	if err := snap.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the snapshot: %q, %v", check, err)
	}
	var sources, attachments, unregistered, noEvent, noDeadline, receiveAudits int64
	err = snap.QueryRow(`SELECT (SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM attachments),
		(SELECT COUNT(*) FROM sources WHERE register_no IS NULL),
		(SELECT COUNT(*) FROM sources s WHERE NOT EXISTS (SELECT 1 FROM source_events e WHERE e.source_id = s.id AND e.kind = 'received')),
		(SELECT COUNT(*) FROM sources s WHERE NOT EXISTS (SELECT 1 FROM source_deadlines d WHERE d.source_id = s.id)),
		(SELECT COUNT(*) FROM audit_log WHERE action = 'source.receive')`).
		Scan(&sources, &attachments, &unregistered, &noEvent, &noDeadline, &receiveAudits)
	if err != nil {
		t.Fatal(err)
	}
	if sources != man.Sources || attachments != man.Attachments {
		t.Errorf("snapshot holds %d sources and %d attachments, manifest says %d and %d", sources, attachments, man.Sources, man.Attachments)
	}
	if sources < 20 || unregistered+noEvent+noDeadline != 0 || receiveAudits != sources {
		t.Errorf("snapshot of %d sources: %d without register number, %d without their receipt event, %d without time limits, %d receipt audit entries",
			sources, unregistered, noEvent, noDeadline, receiveAudits)
	}
	// Every attachment of the snapshot has its sealed file in the archive,
	// and the file opens to the bytes the row describes.
	rows, err := snap.Query("SELECT stored_name, sha256 FROM attachments")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name, sum string
		if err := rows.Scan(&name, &sum); err != nil {
			t.Fatal(err)
		}
		sealed, ok := files[name]
		if !ok {
			t.Errorf("attachment %s: file not in the archive", name)
			continue
		}
		plain, err := m.Sources.Keys.OpenIdentity(sealed, "file:"+name)
		if err != nil {
			t.Errorf("attachment %s: %v", name, err)
			continue
		}
		if h := sha256.Sum256(plain); hex.EncodeToString(h[:]) != sum {
			t.Errorf("attachment %s: content does not match its row", name)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if int64(n) != man.Attachments || len(man.MissingFiles) != 0 {
		t.Errorf("%d attachments checked, manifest says %d (missing %v)", n, man.Attachments, man.MissingFiles)
	}
	// The snapshot's own audit chain holds.
	restored := t.TempDir()
	if _, err := backup.Restore(w.ctx, bytes.NewReader(buf.Bytes()), restored); err != nil {
		t.Fatalf("restore: %v", err)
	}
	rdb, err := store.Open(w.ctx, "", restored)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if n, problem, err := audit.Verify(w.ctx, rdb); err != nil || problem != nil {
		t.Errorf("audit chain of the snapshot (%d entries): %v %v", n, problem, err)
	}
}

// TestBackupPostgresNeedsPgDump: the database of a PostgreSQL installation
// is backed up with pg_dump; toandan archives its files.
func TestBackupPostgresNeedsPgDump(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, store.Postgres)
	w := newWorld(t, srv)
	w.fill(t)
	m := srv.Main
	var buf bytes.Buffer
	_, err := backup.Create(w.ctx, m.DB, m.Config.DataDir, &buf, nil)
	if !errors.Is(err, backup.ErrPostgres) || !strings.Contains(err.Error(), `pg_dump --format=custom --file=toandan.dump "$TOANDAN_DB"`) {
		t.Fatalf("full backup of PostgreSQL: %v; want the pg_dump command", err)
	}
	if buf.Len() != 0 {
		t.Errorf("refused backup wrote %d bytes", buf.Len())
	}
	man, err := backup.Create(w.ctx, m.DB, m.Config.DataDir, &buf, nil, backup.FilesOnly())
	if err != nil {
		t.Fatalf("files-only backup: %v", err)
	}
	es := readArchive(t, buf.Bytes())
	var fileEntries int
	for _, n := range names(es) {
		switch {
		case n == backup.ManifestEntry:
		case strings.HasPrefix(n, "files/"):
			fileEntries++
		default:
			t.Errorf("files-only archive holds %s", n)
		}
	}
	if !man.FilesOnly || man.Engine != "postgres" || fileEntries == 0 || fileEntries != man.Files || int64(fileEntries) != man.Attachments ||
		!strings.Contains(man.Database, "pg_dump") || slices.Contains(names(es), backup.DBEntry) {
		t.Errorf("files-only manifest %+v with %d file entries", man, fileEntries)
	}
	// A files-only archive is not a full one.
	if _, err := backup.Restore(w.ctx, bytes.NewReader(buf.Bytes()), t.TempDir()); !errors.Is(err, backup.ErrBadArchive) {
		t.Errorf("restore of a files-only archive as a full one: %v", err)
	}
}
