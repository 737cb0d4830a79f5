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
// lock on PostgreSQL before it reads the head, so concurrent appenders queue
// rather than fork the chain.
func Append(ctx context.Context, tx *store.Tx, e Entry) error {
	s, err := Take(ctx, tx)
	if err != nil {
		return err
	}
	return s.Append(ctx, tx, e)
}

// Slot is the next place in the chain, held by one transaction from Take
// until it ends: on PostgreSQL, holding it is a lock on the chain's head.
type Slot struct {
	seq  int64
	prev string
}

// headKey keys, in a transaction's values, the chain's head as this
// transaction last wrote it.
type headKey struct{}

type head struct {
	seq  int64
	hash string
}

// Take takes the next slot of the chain in tx, for one entry to fill later
// in the same transaction with Slot.Append, before any other slot is taken.
// A write that holds other locks before its entry is known, and shares its
// transaction with others (store.InGroupTx), takes its slot first: every
// such write then locks the chain's head before anything else, and two
// groups never wait for each other.
//
// The first slot of a transaction locks and reads the head; the next ones
// follow the entry the transaction appended last, which no other
// transaction can have moved since: the head stays locked (on SQLite, the
// whole database) until this one ends.
func Take(ctx context.Context, tx *store.Tx) (*Slot, error) {
	if h, ok := tx.Value(headKey{}).(head); ok {
		return &Slot{seq: h.seq + 1, prev: h.hash}, nil
	}
	var s Slot
	if err := tx.QueryRow(ctx, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").Scan(&s.seq, &s.prev); err != nil {
		return nil, fmt.Errorf("audit: lock head: %w", err)
	}
	return &s, nil
}

// Append adds e to the log in the slot, in the transaction that took it.
// A slot holds one entry.
func (s *Slot) Append(ctx context.Context, tx *store.Tx, e Entry) error {
	e.Seq = s.seq
	if e.At.IsZero() {
		e.At = time.Now()
	}
	hash := entryHash(s.prev, e)
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, store.FormatTime(e.At), e.Actor, e.Action, e.Object, e.Detail, s.prev, hash); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", e.Seq, hash); err != nil {
		return fmt.Errorf("audit: move head: %w", err)
	}
	tx.SetValue(headKey{}, head{seq: e.Seq, hash: hash})
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
