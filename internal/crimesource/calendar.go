package crimesource

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"toandan/internal/account"
	"toandan/internal/audit"
	"toandan/internal/deadline"
	"toandan/internal/errs"
	"toandan/internal/jobs"
	"toandan/internal/store"
)

// EventDueMoved is the timeline event of a source whose running limits were
// given a new due time after the calendar of days off changed.
const EventDueMoved = "due_moved"

// JobSettleDues is the kind of the job that moves the due times again once
// every instance has read the edited calendar (see SettleDues).
const JobSettleDues = "deadlines.settle"

// settleAfter is when the job runs after the edit: past rulesTTL, when no
// instance still computes limits on a calendar it read before the edit.
const settleAfter = rulesTTL + 30*time.Second

// systemActor is the actor of what the system does by itself.
var systemActor = Actor{Role: "system"}

// SetDayOff adds a day to the calendar of days off, or replaces its row, and
// in the same transaction gives every running limit that counted on that
// day its new due time (Art. 134(1)): a Tết schedule announced after a
// source arrived moves the source's limits. It returns how many limits
// moved. Only administrators edit the calendar.
func (s *Service) SetDayOff(ctx context.Context, actor Actor, day, name, kind string) (int, error) {
	return s.editCalendar(ctx, actor, "calendar.set", day, func(tx *store.Tx) (string, string, error) {
		if err := deadline.AddDayOff(ctx, tx, day, name, kind); err != nil {
			return "", "", err
		}
		d, _ := deadline.ParseDate(strings.TrimSpace(day))
		why := "ngày " + dateVN(d) + " thành ngày nghỉ (" + strings.TrimSpace(name) + ")"
		if kind == deadline.KindWorkingDay {
			why = "ngày " + dateVN(d) + " thành ngày làm việc bù (" + strings.TrimSpace(name) + ")"
		}
		return why, kind + " " + name, nil
	})
}

// RemoveDayOff deletes the calendar row of day and moves the limits that
// counted on it, as SetDayOff does.
func (s *Service) RemoveDayOff(ctx context.Context, actor Actor, day string) (int, error) {
	return s.editCalendar(ctx, actor, "calendar.remove", day, func(tx *store.Tx) (string, string, error) {
		if err := deadline.RemoveDayOff(ctx, tx, day); err != nil {
			return "", "", err
		}
		d, _ := deadline.ParseDate(strings.TrimSpace(day))
		return "ngày " + dateVN(d) + " bị bỏ khỏi lịch ngày nghỉ", "", nil
	})
}

// editCalendar runs edit, which changes the row of day and says why in
// Vietnamese for the timeline and in its audit detail, then moves the
// limits, queues the settling job and writes the audit entry, all in one
// transaction.
func (s *Service) editCalendar(ctx context.Context, actor Actor, action, day string, edit func(*store.Tx) (why, detail string, err error)) (int, error) {
	if !account.Allowed(account.Role(actor.Role), account.ManageDaysOff) {
		return 0, errs.E(errs.Forbidden, "Chỉ quản trị hệ thống được sửa lịch ngày nghỉ.")
	}
	rules, _, err := s.rules(ctx)
	if err != nil {
		return 0, err
	}
	now := s.Clock.Now()
	moved := 0
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		why, detail, err := edit(tx)
		if err != nil {
			return err
		}
		d, err := deadline.ParseDate(strings.TrimSpace(day))
		if err != nil {
			return fmt.Errorf("crimesource: calendar day %q: %w", day, err)
		}
		if moved, err = moveDues(ctx, tx, rules, d, d, actor, now, "Lịch ngày nghỉ thay đổi: "+why+"."); err != nil {
			return err
		}
		if s.Jobs != nil {
			if _, err := s.Jobs.EnqueueTx(ctx, tx, jobs.NewJob{Kind: JobSettleDues, Payload: settlePayload{From: d.String(), To: d.String()},
				RunAt: now.Add(settleAfter)}); err != nil {
				return err
			}
		}
		detail = strings.TrimSpace(fmt.Sprintf("%s moved=%d", detail, moved))
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: actor.audit(), Action: action, Object: "day:" + d.String(), Detail: audit.Clean(detail)})
	})
	if err != nil {
		return 0, err
	}
	s.InvalidateRules()
	return moved, nil
}

// settlePayload is the payload of a JobSettleDues job: the days changed.
type settlePayload struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// SettleDues handles a JobSettleDues job. An instance that read the calendar
// before an edit may have started limits on it until its reading expired;
// this moves them as the edit moved the others. It is safe to repeat: a
// limit already right does not move.
func (s *Service) SettleDues(ctx context.Context, j jobs.Job) error {
	var p settlePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("crimesource: settle dues: %w", err)
	}
	first, err := deadline.ParseDate(p.From)
	if err != nil {
		return fmt.Errorf("crimesource: settle dues: %w", err)
	}
	last, err := deadline.ParseDate(p.To)
	if err != nil {
		return fmt.Errorf("crimesource: settle dues: %w", err)
	}
	s.InvalidateRules()
	rules, _, err := s.rules(ctx)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		moved, err := moveDues(ctx, tx, rules, first, last, systemActor, now, "Tính lại theo lịch ngày nghỉ đã sửa.")
		if err != nil || moved == 0 {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: systemActor.audit(), Action: "deadline.settle",
			Object: "day:" + first.String(), Detail: fmt.Sprintf("to=%s moved=%d", last, moved)})
	})
}

// dueMove is one limit given a new due time.
type dueMove struct {
	id, source int64
	name       string
	from, to   time.Time
}

// moveDues gives the running limits that the days off from first to last
// can move (deadline.Reach) their due time on the calendar as tx sees it,
// and records the moves on each source's timeline, why first. It returns
// how many limits moved. Only limits whose rule moves a last day that is a
// day off depend on the calendar; a recorded reminder stays.
func moveDues(ctx context.Context, tx *store.Tx, rules *deadline.Rules, first, last deadline.Date, actor Actor, now time.Time, why string) (int, error) {
	cal, err := deadline.LoadCalendar(ctx, tx)
	if err != nil {
		return 0, err
	}
	from, to := deadline.Reach(first, last, cal)
	rows, err := tx.Query(ctx, `SELECT d.id, d.source_id, d.rule_code, d.rule_version, d.started_at, d.due_at FROM source_deadlines d
		WHERE `+openDeadlineCond+` AND d.due_at >= ? AND d.due_at <= ? ORDER BY d.source_id, d.id`, store.FormatTime(from), store.FormatTime(to))
	if err != nil {
		return 0, fmt.Errorf("crimesource: limits to move: %w", err)
	}
	var moves []dueMove
	for rows.Next() {
		var m dueMove
		var code, version, started, due string
		if err := rows.Scan(&m.id, &m.source, &code, &version, &started, &due); err != nil {
			rows.Close()
			return 0, fmt.Errorf("crimesource: limits to move: %w", err)
		}
		r, ok := rules.Version(code, version)
		if !ok {
			rows.Close()
			return 0, fmt.Errorf("crimesource: limit %d: no rule %s/%s", m.id, code, version)
		}
		if !r.DayOffMoves {
			continue
		}
		start, err := store.ParseTime(started)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if m.from, err = store.ParseTime(due); err != nil {
			rows.Close()
			return 0, err
		}
		if m.to, err = dueOf(rules, r, start, cal); err != nil {
			rows.Close()
			return 0, err
		}
		if !m.to.Equal(m.from) {
			m.name = r.Name
			moves = append(moves, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("crimesource: limits to move: %w", err)
	}
	at := store.FormatTime(now)
	for i, m := range moves {
		if _, err := tx.Exec(ctx, "UPDATE source_deadlines SET due_at = ? WHERE id = ?", store.FormatTime(m.to), m.id); err != nil {
			return 0, fmt.Errorf("crimesource: move limit %d: %w", m.id, err)
		}
		// One event per source, after its last limit (moves are by source).
		if i+1 < len(moves) && moves[i+1].source == m.source {
			continue
		}
		var notes []string
		var data []map[string]string
		for j := i; j >= 0 && moves[j].source == m.source; j-- {
			x := moves[j]
			notes = append([]string{fmt.Sprintf("Hạn “%s” chuyển từ %s sang %s.", x.name, DueVN(x.from), DueVN(x.to))}, notes...)
			data = append([]map[string]string{{"deadline_id": itoa(x.id), "from": store.FormatTime(x.from), "to": store.FormatTime(x.to)}}, data...)
		}
		if _, err := addEvent(ctx, tx, m.source, at, actor, 0, EventDueMoved, why+" "+strings.Join(notes, " "), map[string]any{"moved": data}); err != nil {
			return 0, err
		}
	}
	return len(moves), nil
}

// dueOf computes the due time of a limit of rule r started at start, as
// the step that started it did.
func dueOf(rules *deadline.Rules, r deadline.Rule, start time.Time, cal deadline.Calendar) (time.Time, error) {
	if r.Code == deadline.ProcuracyExtension {
		// Counted with the 2-month extension from receipt (Art. 147(2)).
		return deadline.DecisionDue(rules, start, true, true, cal)
	}
	return deadline.Due(r, start, cal), nil
}
