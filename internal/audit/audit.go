// Package audit keeps the append-only, hash-chained log of every change and
// every read of sensitive data. Each entry's hash covers the previous hash
// and the entry's own fields, so editing or deleting a row breaks the chain
// from that row on, and Verify names the first broken entry.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"toandan/internal/store"
)

// Entry is one audited event.
type Entry struct {
	Seq    int64
	At     time.Time
	Actor  string // "user:12", "system", "citizen"
	Action string // e.g. "geo.import", "area.create"
	Object string // e.g. "area:5"
	Detail string
}

func entryHash(prev string, e Entry) string {
	h := sha256.New()
	for _, s := range []string{prev, strconv.FormatInt(e.Seq, 10), store.FormatTime(e.At), e.Actor, e.Action, e.Object, e.Detail} {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Append adds e to the log inside tx. The update of audit_head takes a row
// lock on PostgreSQL, so concurrent appenders queue rather than fork the chain.
func Append(ctx context.Context, tx *store.Tx, e Entry) error {
	var seq int64
	var prev string
	if _, err := tx.Exec(ctx, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1"); err != nil {
		return fmt.Errorf("audit: lock head: %w", err)
	}
	if err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&seq, &prev); err != nil {
		return fmt.Errorf("audit: read head: %w", err)
	}
	e.Seq = seq
	if e.At.IsZero() {
		e.At = time.Now()
	}
	hash := entryHash(prev, e)
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, seq, store.FormatTime(e.At), e.Actor, e.Action, e.Object, e.Detail, prev, hash); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE audit_head SET hash = ? WHERE id = 1", hash); err != nil {
		return fmt.Errorf("audit: move head: %w", err)
	}
	return nil
}

// Problem describes the first place where the chain does not hold.
type Problem struct {
	Seq    int64
	Reason string
}

func (p *Problem) String() string { return fmt.Sprintf("entry %d: %s", p.Seq, p.Reason) }

// Verify walks the whole chain and returns the number of entries checked and
// the first problem, or nil when the chain holds.
func Verify(ctx context.Context, db *store.DB) (int64, *Problem, error) {
	rows, err := db.Query(ctx, "SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log ORDER BY seq")
	if err != nil {
		return 0, nil, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	var n, want int64
	prev := ""
	for rows.Next() {
		var e Entry
		var at, prevHash, hash string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &prevHash, &hash); err != nil {
			return n, nil, fmt.Errorf("audit: verify: %w", err)
		}
		want++
		n++
		if e.Seq != want {
			return n, &Problem{Seq: want, Reason: fmt.Sprintf("missing (next entry present is %d)", e.Seq)}, nil
		}
		t, err := store.ParseTime(at)
		if err != nil {
			return n, &Problem{Seq: e.Seq, Reason: "unreadable time"}, nil
		}
		e.At = t
		if prevHash != prev {
			return n, &Problem{Seq: e.Seq, Reason: "previous hash does not match the entry before it"}, nil
		}
		if got := entryHash(prev, e); got != hash {
			return n, &Problem{Seq: e.Seq, Reason: "content does not match its hash (edited)"}, nil
		}
		prev = hash
	}
	if err := rows.Err(); err != nil {
		return n, nil, fmt.Errorf("audit: verify: %w", err)
	}
	var headSeq int64
	var headHash string
	if err := db.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		return n, nil, fmt.Errorf("audit: verify head: %w", err)
	}
	if headSeq != want || headHash != prev {
		return n, &Problem{Seq: want + 1, Reason: "the last entries were removed (the chain's head is further on)"}, nil
	}
	return n, nil, nil
}

// Actor formats a user id as an audit actor.
func Actor(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }

// Clean keeps details on one line.
func Clean(s string) string { return strings.ReplaceAll(s, "\n", " ") }
