package crimesource

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"toandan/internal/audit"
	"toandan/internal/clock"
	"toandan/internal/store"
)

// Retention: a closed source, with its timeline, messages, time limits,
// reminders, attachment rows and stored files, is kept for the configured
// period after it closed, then purged. The audit log keeps one
// "source.purge" entry per source (tracking code, register number, closed
// date; nothing personal); the log itself is never purged.
//
// Merged sources (merged_into) are purged with or before the source they
// were merged into, never after: a target is kept, past its own cut-off,
// while any source merged into it (directly or through a chain) is still
// kept. A duplicate points at the case that was actually handled, and the
// link must hold as long as the duplicate exists; the target is the one
// record worth keeping. Clearing the reference instead would leave a
// "merged" duplicate that no longer says into what. Within one purge a
// target and its duplicates go in the same transaction.

// purgeBatch is how many sources one transaction purges (more when a batch
// pulls in the duplicates of its sources).
const purgeBatch = 200

// closedStatuses are the statuses Closed accepts.
var closedStatuses = []string{StatusProsecuted, StatusNotProsecuted, StatusNotCrime, StatusTransferredOut, StatusMerged}

// PurgeResult says what a purge removed.
type PurgeResult struct {
	Sources     int // sources removed, each with one audit entry
	Attachments int // attachment rows removed
	Files       int // stored files removed
	// FileErrors are stored files that could not be removed ("name: error"):
	// their rows are gone, the (sealed) bytes remain for an operator to
	// remove.
	FileErrors []string
	// Held counts sources closed before the cut-off and kept because a
	// source merged into them is not yet due.
	Held int
}

func eligibleCond(alias string) string {
	return alias + ".closed_at <> '' AND " + alias + ".closed_at < ? AND " + alias + ".status IN ('" + strings.Join(closedStatuses, "', '") + "')"
}

// Purge removes the sources closed before closedBefore, in batches of about
// 200 sources per transaction, and writes one audit entry per source with
// actor as the actor ("system" for the retention job). Stored files are
// removed after each batch commits; a file that cannot be removed is
// reported in the result, not an error.
func (s *Service) Purge(ctx context.Context, closedBefore time.Time, actor string) (PurgeResult, error) {
	var res PurgeResult
	cut := store.FormatTime(closedBefore)
	held, referrers, err := s.mergeLinks(ctx, cut)
	if err != nil {
		return res, err
	}
	done := map[int64]bool{}
	var after int64
	for {
		ids, last, err := s.nextCandidates(ctx, cut, after)
		if err != nil {
			return res, err
		}
		if len(ids) == 0 {
			break
		}
		after = last
		var batch []int64
		var add func(id int64)
		add = func(id int64) {
			if done[id] || held[id] {
				return
			}
			done[id] = true
			batch = append(batch, id)
			for _, r := range referrers[id] {
				add(r)
			}
		}
		for _, id := range ids {
			add(id)
		}
		if len(batch) == 0 {
			continue
		}
		names, n, err := s.purgeBatch(ctx, batch, cut, actor)
		if err != nil {
			return res, err
		}
		res.Sources += n
		res.Attachments += len(names)
		// Rows first, files after: a failure in between leaves a sealed
		// file without a row, never a row without its file.
		for _, name := range names {
			if err := s.Files.Delete(ctx, name); err != nil {
				res.FileErrors = append(res.FileErrors, name+": "+err.Error())
				continue
			}
			res.Files++
		}
	}
	for id := range held {
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM sources s WHERE s.id = ? AND "+eligibleCond("s"), id, cut).Scan(&n); err != nil {
			return res, fmt.Errorf("crimesource: purge: %w", err)
		}
		res.Held += n
	}
	return res, nil
}

// mergeLinks returns the sources that must be kept because a source merged
// into them (directly or through a chain) is not due, and for each target
// the sources merged into it.
func (s *Service) mergeLinks(ctx context.Context, cut string) (held map[int64]bool, referrers map[int64][]int64, err error) {
	rows, err := s.DB.Query(ctx, "SELECT s.id, s.merged_into, CASE WHEN "+eligibleCond("s")+" THEN 1 ELSE 0 END FROM sources s WHERE s.merged_into IS NOT NULL", cut)
	if err != nil {
		return nil, nil, fmt.Errorf("crimesource: purge: merged sources: %w", err)
	}
	defer rows.Close()
	target := map[int64]int64{}
	var kept []int64
	referrers = map[int64][]int64{}
	for rows.Next() {
		var id, into int64
		var due int
		if err := rows.Scan(&id, &into, &due); err != nil {
			return nil, nil, fmt.Errorf("crimesource: purge: merged sources: %w", err)
		}
		target[id] = into
		referrers[into] = append(referrers[into], id)
		if due == 0 {
			kept = append(kept, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("crimesource: purge: merged sources: %w", err)
	}
	held = map[int64]bool{}
	for _, id := range kept {
		for t, ok := target[id]; ok && !held[t]; t, ok = target[t] {
			held[t] = true
		}
	}
	return held, referrers, nil
}

// nextCandidates returns up to purgeBatch due sources after id after.
func (s *Service) nextCandidates(ctx context.Context, cut string, after int64) ([]int64, int64, error) {
	rows, err := s.DB.Query(ctx, fmt.Sprintf("SELECT s.id FROM sources s WHERE %s AND s.id > ? ORDER BY s.id LIMIT %d", eligibleCond("s"), purgeBatch), cut, after)
	if err != nil {
		return nil, 0, fmt.Errorf("crimesource: purge: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, 0, fmt.Errorf("crimesource: purge: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("crimesource: purge: %w", err)
	}
	if len(ids) == 0 {
		return nil, after, nil
	}
	return ids, ids[len(ids)-1], nil
}

type purged struct {
	id, receivingUnitID int64
	tracking, closedAt  string
	year, no            int
}

// purgeBatch removes the sources ids (those still due) and everything that
// hangs off them in one transaction, and returns the stored names of their
// files and how many sources it removed.
func (s *Service) purgeBatch(ctx context.Context, ids []int64, cut, actor string) ([]string, int, error) {
	var names []string
	var gone []purged
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		names, gone = nil, nil
		in, args := inList(ids)
		// Claim the rows first: on PostgreSQL the update locks them, so a
		// second instance purging at the same time waits, then finds them
		// gone and does not audit them twice. The reference to a merge
		// target is cleared because the target may go in the same batch.
		rows, err := tx.Query(ctx, "UPDATE sources SET merged_into = NULL WHERE id IN "+in+" AND "+eligibleCond("sources")+
			" RETURNING id, tracking_code, COALESCE(register_year, 0), COALESCE(register_no, 0), closed_at, receiving_unit_id", append(args, cut)...)
		if err != nil {
			return fmt.Errorf("crimesource: purge: claim: %w", err)
		}
		for rows.Next() {
			var p purged
			if err := rows.Scan(&p.id, &p.tracking, &p.year, &p.no, &p.closedAt, &p.receivingUnitID); err != nil {
				rows.Close()
				return fmt.Errorf("crimesource: purge: claim: %w", err)
			}
			gone = append(gone, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("crimesource: purge: claim: %w", err)
		}
		if len(gone) == 0 {
			return nil
		}
		claimed := make([]int64, len(gone))
		for i, p := range gone {
			claimed[i] = p.id
		}
		in, args = inList(claimed)
		rows, err = tx.Query(ctx, "SELECT stored_name FROM attachments WHERE source_id IN "+in+" ORDER BY id", args...)
		if err != nil {
			return fmt.Errorf("crimesource: purge: attachments: %w", err)
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return fmt.Errorf("crimesource: purge: attachments: %w", err)
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("crimesource: purge: attachments: %w", err)
		}
		for _, q := range []string{
			"DELETE FROM reminders WHERE deadline_id IN (SELECT id FROM source_deadlines WHERE source_id IN " + in + ")",
			"DELETE FROM source_deadlines WHERE source_id IN " + in,
			"DELETE FROM attachments WHERE source_id IN " + in,
			"DELETE FROM source_messages WHERE source_id IN " + in,
			"DELETE FROM source_events WHERE source_id IN " + in,
			"DELETE FROM sources WHERE id IN " + in,
		} {
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fmt.Errorf("crimesource: purge: %s: %w", strings.Fields(q)[2], err)
			}
		}
		units := map[int64]string{}
		for _, p := range gone {
			code, ok := units[p.receivingUnitID]
			if !ok {
				if err := tx.QueryRow(ctx, "SELECT code FROM police_units WHERE id = ?", p.receivingUnitID).Scan(&code); err != nil {
					return fmt.Errorf("crimesource: purge: unit: %w", err)
				}
				units[p.receivingUnitID] = code
			}
			closed := p.closedAt
			if t, err := store.ParseTime(p.closedAt); err == nil {
				closed = t.In(clock.Vietnam).Format(store.DateLayout)
			}
			if err := audit.Append(ctx, tx, audit.Entry{At: s.Clock.Now(), Actor: actor, Action: "source.purge", Object: "source:" + p.tracking,
				Detail: fmt.Sprintf("register=%s %d/%d closed=%s", code, p.no, p.year, closed)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return names, len(gone), nil
}

func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}

// RetentionCutoff is the start (Vietnam time) of the day days days before
// now: sources closed before it are due for purging.
func RetentionCutoff(now time.Time, days int) time.Time {
	d := now.In(clock.Vietnam)
	return time.Date(d.Year(), d.Month(), d.Day()-days, 0, 0, 0, 0, clock.Vietnam)
}

// RetentionJob purges, now and then every interval until ctx ends, the
// sources closed more than days days ago. days <= 0 keeps sources forever
// and returns at once.
func (s *Service) RetentionJob(ctx context.Context, days int, every time.Duration, log *slog.Logger) {
	if days <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.RetentionOnce(ctx, days, log); err != nil && ctx.Err() == nil {
			log.Error("retention purge", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RetentionOnce purges the sources closed more than days days ago, logging
// what it removed; days <= 0 keeps sources forever. Servers sharing one
// database run it through a periodic job, so that one of them purges each
// day.
func (s *Service) RetentionOnce(ctx context.Context, days int, log *slog.Logger) error {
	if days <= 0 {
		return nil
	}
	cut := RetentionCutoff(s.Clock.Now(), days)
	res, err := s.Purge(ctx, cut, "system")
	if res.Sources > 0 || len(res.FileErrors) > 0 {
		log.Info("retention purge", "closed_before", cut.Format(store.DateLayout), "sources", res.Sources,
			"attachments", res.Attachments, "files", res.Files, "held_for_merged", res.Held)
	}
	for _, fe := range res.FileErrors {
		log.Warn("retention purge: stored file not removed", "file", fe)
	}
	if err != nil {
		return fmt.Errorf("retention purge (%d sources purged before the error): %w", res.Sources, err)
	}
	return nil
}
