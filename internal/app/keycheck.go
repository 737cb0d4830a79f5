package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"toandan/internal/seal"
	"toandan/internal/store"
)

// ErrIdentityKey means the identity key given to the server is not the one
// the database was sealed with, or is missing while the database needs it.
// The server must not start: every report it took would be sealed under a
// key no other server holds.
var ErrIdentityKey = errors.New("identity key does not match the database")

// loadIdentityKey loads (or, for a new installation, creates) the key file
// and checks it against the fingerprint the database recorded when it was
// first used; the first server on a database records it. A key created just
// now for a database that already holds sealed data is removed again, so
// the operator's next step is to restore the lost file, not to find out
// which of two keys is right.
func loadIdentityKey(ctx context.Context, db *store.DB, keyFile string, now time.Time) (*seal.Keys, bool, error) {
	keys, created, err := seal.LoadOrCreateKeys(keyFile)
	if err != nil {
		return nil, false, err
	}
	refuse := func(err error) (*seal.Keys, bool, error) {
		if created {
			if rerr := os.Remove(keyFile); rerr != nil {
				err = fmt.Errorf("%w (and the key file made just now could not be removed: %v)", err, rerr)
			}
		}
		return nil, false, err
	}
	var recorded string
	err = db.QueryRow(ctx, "SELECT fingerprint FROM identity_key WHERE id = 1").Scan(&recorded)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return refuse(fmt.Errorf("read the identity key fingerprint: %w", err))
	case recorded == keys.Fingerprint():
		return keys, created, nil
	case created:
		return refuse(fmt.Errorf("%w: the key file %s is missing, and this database was sealed with the key of fingerprint %s; put that key file back (from its separate backup) and start again",
			ErrIdentityKey, keyFile, recorded))
	default:
		return refuse(fmt.Errorf("%w: the key file %s has fingerprint %s, and this database was sealed with the key of fingerprint %s; put the right key file there (every instance of one database uses the same key)",
			ErrIdentityKey, keyFile, keys.Fingerprint(), recorded))
	}
	if created {
		// A database from before fingerprints were recorded: if it holds
		// reports, they were sealed under a key that is now lost.
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM sources LIMIT 1) s").Scan(&n); err != nil {
			return refuse(fmt.Errorf("look for sealed reports: %w", err))
		}
		if n > 0 {
			return refuse(fmt.Errorf("%w: the key file %s is missing, and this database holds reports sealed with it; put that key file back (from its separate backup) and start again",
				ErrIdentityKey, keyFile))
		}
	}
	// Record it; of two servers starting together with different keys the
	// second finds the first one's fingerprint and refuses.
	if _, err := db.Exec(ctx, "INSERT INTO identity_key (id, fingerprint, recorded_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
		keys.Fingerprint(), store.FormatTime(now)); err != nil {
		return refuse(fmt.Errorf("record the identity key fingerprint: %w", err))
	}
	if err := db.QueryRow(ctx, "SELECT fingerprint FROM identity_key WHERE id = 1").Scan(&recorded); err != nil {
		return refuse(fmt.Errorf("read the identity key fingerprint: %w", err))
	}
	if recorded != keys.Fingerprint() {
		return refuse(fmt.Errorf("%w: the key file %s has fingerprint %s, and another server recorded %s for this database just now; give every instance the same key file",
			ErrIdentityKey, keyFile, keys.Fingerprint(), recorded))
	}
	return keys, created, nil
}
