package crimesource

import (
	"context"
	"fmt"
	"time"

	"toandan/internal/clock"
	"toandan/internal/deadline"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// Deadline rule codes (rows of deadline_rules) grouped by what meets them.
var (
	transferRules  = []string{"commune_transfer", "commune_transfer_urgent", "commune_transfer_remote"}
	decisionRules  = []string{"decision", "decision_extended", "procuracy_extension", "resolve_after_cancel", "resolve_after_resumption"}
	procuracyRules = []string{"procuracy_notice", "suspension_to_procuracy", "initiation_to_procuracy", "resumption_notice"}
	// The file handover is met by handing the file over, not by a notice to
	// the procuracy.
	fileRules = []string{deadline.FileHandover}
)

type deadlineSource struct {
	id         int64
	receivedAt time.Time
	postmarked string
	facility   string // facility_received_on
	urgent     bool
	remote     bool
}

// transferRule picks the commune police's transfer limit: 24 hours for
// flagrant, very serious or public-attention cases (48 hours in a remote
// mountain or island commune), 7 days for the rest.
func transferRule(urgent, remote bool) string {
	switch {
	case urgent && remote:
		return "commune_transfer_remote"
	case urgent:
		return "commune_transfer_urgent"
	}
	return "commune_transfer"
}

// startDeadline records one limit of a source, computed by its rule in force
// on the start date.
func startDeadline(ctx context.Context, tx *store.Tx, rules *deadline.Rules, cal deadline.Calendar, sourceID, unitID int64, code string, start time.Time) (time.Time, error) {
	dues, err := startDeadlines(ctx, tx, rules, cal, sourceID, unitID, start, code)
	if err != nil {
		return time.Time{}, err
	}
	return dues[0], nil
}

// startDeadlines records limits of a source that start together, in one
// statement, and returns their due times in the order of codes.
func startDeadlines(ctx context.Context, tx *store.Tx, rules *deadline.Rules, cal deadline.Calendar, sourceID, unitID int64, start time.Time, codes ...string) ([]time.Time, error) {
	dues := make([]time.Time, len(codes))
	args := make([]any, 0, 6*len(codes))
	started := store.FormatTime(start)
	for i, code := range codes {
		r, err := rules.For(code, start)
		if err != nil {
			return nil, fmt.Errorf("crimesource: rule %s: %w", code, err)
		}
		dues[i] = deadline.Due(r, start, cal)
		args = append(args, sourceID, r.Code, r.Version, unitID, started, store.FormatTime(dues[i]))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO source_deadlines (source_id, rule_code, rule_version, unit_id, started_at, due_at) VALUES `+
		store.Placeholders(len(codes), 6), args...); err != nil {
		return nil, fmt.Errorf("crimesource: deadlines %v: %w", codes, err)
	}
	return dues, nil
}

func insertDeadline(ctx context.Context, tx *store.Tx, sourceID, unitID int64, r deadline.Rule, start, due time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO source_deadlines (source_id, rule_code, rule_version, unit_id, started_at, due_at) VALUES (?, ?, ?, ?, ?, ?)`,
		sourceID, r.Code, r.Version, unitID, store.FormatTime(start), store.FormatTime(due)); err != nil {
		return fmt.Errorf("crimesource: deadline %s: %w", r.Code, err)
	}
	return nil
}

// startReceiptDeadlines starts the limits that run from receipt: the
// commune police's transfer limit, or, at an investigation body, the notice
// to the procuracy and the 20-day decision.
func startReceiptDeadlines(ctx context.Context, tx *store.Tx, rules *deadline.Rules, cal deadline.Calendar, src deadlineSource, unit geo.PoliceUnit, now time.Time) error {
	start := receiptStart(src.receivedAt, src.postmarked, src.facility)
	if unit.Level == "commune" {
		_, err := startDeadline(ctx, tx, rules, cal, src.id, unit.ID, transferRule(src.urgent, src.remote), start)
		return err
	}
	return startInvestigationDeadlines(ctx, tx, rules, cal, src.id, unit.ID, start)
}

// receiptStart returns the start of the limits that run from receipt of a
// source received at received: the postmark date of a paper sent by post,
// the day the head of a detention facility received a paper filed there
// (Art. 134(2)), else received. Intake refuses a source with both.
func receiptStart(received time.Time, postmarked, facility string) time.Time {
	if postmarked != "" {
		return deadline.StartFor(received, postmarked)
	}
	return deadline.StartFor(received, facility)
}

// dateVN renders a day as officers write it, DD/MM/YYYY.
func dateVN(d deadline.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// DueVN renders a due time as Art. 134(1) words it: "24:00 ngày 04/12/2026"
// for a limit that ends with a day (stored as 00:00 of the day after), the
// hour otherwise ("10:00 ngày 01/12/2026"). Every page and note that shows
// when a limit ends uses it, so that a day limit never reads as ending on
// the next day.
func DueVN(t time.Time) string {
	v := t.In(clock.Vietnam)
	if endOfDay(v) {
		return "24:00 ngày " + dateVN(deadline.DateOf(v.Add(-time.Nanosecond)))
	}
	return v.Format("15:04") + " ngày " + dateVN(deadline.DateOf(v))
}

// DueStamp is DueVN for files: "2026-12-04 24:00" for a limit that ends
// with a day, "2026-12-01 10:00" otherwise (ISO 8601 allows 24:00 for the
// end of a day).
func DueStamp(t time.Time) string {
	v := t.In(clock.Vietnam)
	if endOfDay(v) {
		return v.Add(-time.Nanosecond).Format(time.DateOnly) + " 24:00"
	}
	return v.Format("2006-01-02 15:04")
}

// endOfDay reports whether v (in Vietnam time) is 00:00 exactly: the end of
// the day before.
func endOfDay(v time.Time) bool {
	return v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0
}

// startInvestigationDeadlines starts the limits of the investigation body,
// counted from the day it received the source (Art. 146(2), 147(1)).
func startInvestigationDeadlines(ctx context.Context, tx *store.Tx, rules *deadline.Rules, cal deadline.Calendar, sourceID, unitID int64, start time.Time) error {
	_, err := startDeadlines(ctx, tx, rules, cal, sourceID, unitID, start, "procuracy_notice", "decision")
	return err
}

// closeDeadlines marks the open limits of a source with one of codes as met
// (met = true) or cancelled.
func closeDeadlines(ctx context.Context, tx *store.Tx, sourceID int64, codes []string, at string, met bool) error {
	col := "cancelled_at"
	if met {
		col = "met_at"
	}
	q := "UPDATE source_deadlines SET " + col + " = ? WHERE source_id = ? AND met_at = '' AND cancelled_at = '' AND rule_code IN (" + marks(len(codes)) + ")"
	args := []any{at, sourceID}
	for _, c := range codes {
		args = append(args, c)
	}
	if _, err := tx.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("crimesource: close deadlines: %w", err)
	}
	return nil
}

func marks(n int) string {
	s := ""
	for i := 0; i < n; i++ {
		if i > 0 {
			s += ", "
		}
		s += "?"
	}
	return s
}

// Deadline is one limit of a source as officers see it.
type Deadline struct {
	ID        int64
	SourceID  int64
	RuleCode  string
	RuleName  string
	Basis     string
	StartedAt time.Time
	DueAt     time.Time
	MetAt     string
	Cancelled bool
	DaysLeft  int
	State     string // ok, at_risk, overdue, met, cancelled
}

// openDeadline returns the open limit of a source with one of codes.
func openDeadline(ctx context.Context, tx *store.Tx, sourceID int64, codes []string) (string, time.Time, time.Time, bool, error) {
	args := []any{sourceID}
	for _, c := range codes {
		args = append(args, c)
	}
	var code, start, due string
	err := tx.QueryRow(ctx, "SELECT rule_code, started_at, due_at FROM source_deadlines WHERE source_id = ? AND met_at = '' AND cancelled_at = '' AND rule_code IN ("+
		marks(len(codes))+") ORDER BY id DESC LIMIT 1", args...).Scan(&code, &start, &due)
	if err != nil {
		if isNoRows(err) {
			return "", time.Time{}, time.Time{}, false, nil
		}
		return "", time.Time{}, time.Time{}, false, fmt.Errorf("crimesource: open deadline: %w", err)
	}
	st, err := store.ParseTime(start)
	if err != nil {
		return "", time.Time{}, time.Time{}, false, err
	}
	d, err := store.ParseTime(due)
	if err != nil {
		return "", time.Time{}, time.Time{}, false, err
	}
	return code, st, d, true, nil
}
