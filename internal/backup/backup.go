// Package backup writes and restores archives of a toandan installation:
// the SQLite database (a consistent snapshot taken while the server keeps
// serving), the attachment files (already sealed, copied as they are) and a
// manifest with the SHA-256 of every entry.
//
// The identity key is never in an archive: it opens reporters' identities,
// attachments and receipt codes, so an archive that held it would make a
// stolen backup readable. It is backed up on its own, and must be put back
// beside restored data.
//
// On PostgreSQL the database is backed up with pg_dump; this package then
// archives only the files (FilesOnly).
package backup

import (
	"fmt"
	"path"
	"strings"
	"time"

	"toandan/internal/clock"
)

// FormatVersion is the archive layout this program writes. Restore refuses
// archives of a newer layout.
const FormatVersion = 1

// Entry names inside an archive.
const (
	DBEntry       = "toandan.db"
	ManifestEntry = "manifest.json"
	FilesDir      = "files"
)

// PgDumpCommand is how an operator backs up a PostgreSQL database.
const PgDumpCommand = `pg_dump --format=custom --file=toandan.dump "$TOANDAN_DB"`

// IdentityKeyNote is written into every manifest.
const IdentityKeyNote = "identity key not included: it is backed up separately and must be restored beside the data " +
	"to read reporters' identities, attachments and receipt codes"

// Error is an error of this package; the wrapping error gives the detail.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrPostgres means a full backup was asked of a PostgreSQL database.
	ErrPostgres Error = "backup: the database is PostgreSQL"
	// ErrTargetInUse means Restore was pointed at a data folder that already
	// holds data, without Force.
	ErrTargetInUse Error = "backup: the data folder already holds data"
	// ErrBadArchive means the archive is damaged, altered, unsafe or not a
	// toandan archive. Nothing was restored.
	ErrBadArchive Error = "backup: bad archive"
	// ErrTooNew means the archive comes from a newer program.
	ErrTooNew Error = "backup: archive is newer than this program"
	// ErrTooLarge means the archive exceeds the restore limits.
	ErrTooLarge Error = "backup: archive too large"
)

// Manifest describes an archive. It is the archive's last entry.
type Manifest struct {
	Format        int       `json:"format"`
	CreatedAt     time.Time `json:"created_at"`
	Engine        string    `json:"engine"`
	SchemaVersion int       `json:"schema_version"`
	// FilesOnly: the database is not in the archive (PostgreSQL, backed up
	// with pg_dump).
	FilesOnly bool   `json:"files_only"`
	Database  string `json:"database"`
	// Counts in the archived database (on PostgreSQL, in the live database
	// when the files were archived).
	Sources     int64 `json:"sources"`
	Attachments int64 `json:"attachments"`
	Files       int   `json:"files"`
	// MissingFiles are attachments the database names whose file was not in
	// the files folder when the archive was written.
	MissingFiles []string `json:"missing_files,omitempty"`
	// Skipped are paths under the files folder that are not attachment
	// files (temporary files, links, stray names) and were left out.
	Skipped     []string `json:"skipped,omitempty"`
	IdentityKey string   `json:"identity_key"`
	// KeyFingerprint identifies (without revealing) the identity key the
	// data was sealed with.
	KeyFingerprint string  `json:"key_fingerprint,omitempty"`
	Entries        []Entry `json:"entries"`
}

// Entry is one archived file.
type Entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Limits bound what Restore accepts, against archives built to fill the disk.
type Limits struct {
	MaxBytes     int64 // all entries together, uncompressed
	MaxEntries   int
	MaxFileBytes int64 // one attachment file
}

// DefaultLimits are generous for a real installation and still stop a
// decompression bomb.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 1 << 40, MaxEntries: 5_000_000, MaxFileBytes: 1 << 30}
}

// Option changes how Create or Restore works.
type Option func(*options)

type options struct {
	filesOnly   bool
	force       bool
	fingerprint string
	limits      Limits
	clock       clock.Clock
	progress    func(stage string, done, total int64)
	size        int64 // of the archive Restore reads, when known
}

func collect(opts []Option) options {
	o := options{limits: DefaultLimits(), clock: clock.Real{}}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// FilesOnly archives (Create) or restores (Restore) only the files folder
// and the manifest: the database is PostgreSQL and is backed up with
// pg_dump and restored with pg_restore. Restore with FilesOnly refuses an
// archive that holds a database; Restore without it requires one.
func FilesOnly() Option { return func(o *options) { o.filesOnly = true } }

// Force lets Restore replace the data of a folder that already holds some.
// The old database and files are removed only once the new ones are in
// place; the identity key is left alone.
func Force() Option { return func(o *options) { o.force = true } }

// KeyFingerprint records the identity key's fingerprint in the manifest.
func KeyFingerprint(fp string) Option { return func(o *options) { o.fingerprint = fp } }

// WithLimits replaces the default restore limits.
func WithLimits(l Limits) Option { return func(o *options) { o.limits = l } }

// WithClock sets the clock that dates the manifest.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// RestoreProgress has Restore tell fn how far it has got: the stage
// ("unpacking", "checking the database", "moving into place") and, while
// unpacking, the bytes of the archive read so far and its size (0 when
// unknown), every few megabytes.
func RestoreProgress(fn func(stage string, done, total int64)) Option {
	return func(o *options) { o.progress = fn }
}

// KeyReminder is what the backup and restore commands print: the identity
// key is not in the archive.
func KeyReminder(keyFile, fingerprint string) string {
	fp := ""
	if fingerprint != "" {
		fp = " (fingerprint " + fingerprint + ")"
	}
	return fmt.Sprintf("The identity key is NOT in this archive. Keep %s%s backed up separately, and put it back beside "+
		"the restored data (same path, or --identity-key / TOANDAN_IDENTITY_KEY): without it reporters' identities, "+
		"attachments and receipt codes cannot be read.", keyFile, fp)
}

// fileEntry checks that rel (slash-separated, relative to the files folder)
// is the path of an attachment file as DirStore writes it: <2 chars>/<name>
// where name starts with those two characters and has only safe characters.
func fileEntry(rel string) bool {
	dir, name, ok := strings.Cut(rel, "/")
	if !ok || len(dir) != 2 || !strings.HasPrefix(name, dir) || len(name) > 200 || strings.HasSuffix(name, ".tmp") {
		return false
	}
	if path.Clean(rel) != rel {
		return false
	}
	for i, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		case c == '.' && i > 0:
		default:
			return false
		}
	}
	return true
}
