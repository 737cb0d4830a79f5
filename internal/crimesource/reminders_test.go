package crimesource_test

import (
	"fmt"
	"sync"
	"testing"

	"toandan/internal/crimesource"
)

// reminderRows lists the reminders recorded, as "rule kind".
func (e *env) reminderRows(t *testing.T) []string {
	t.Helper()
	rows, err := e.db.Query(e.ctx, `SELECT d.rule_code, r.kind FROM reminders r JOIN source_deadlines d ON d.id = r.deadline_id ORDER BY d.rule_code, r.kind`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var rule, kind string
		if err := rows.Scan(&rule, &kind); err != nil {
			t.Fatal(err)
		}
		out = append(out, rule+" "+kind)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRecordReminders(t *testing.T) {
	t.Parallel()
	for _, concurrent := range []bool{false, true} {
		name := "sequential"
		if concurrent {
			name = "concurrent"
		}
		t.Run(name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, e *env) {
				// Received Mon 30/11/2026 10:00: an urgent source (24 hours),
				// an ordinary one (to 24:00 Mon 07/12) and one closed at once,
				// whose limit must never be reminded.
				urgent := report("T0101", "Bắt quả tang vận chuyển ma túy")
				urgent.Urgent, urgent.Channel = true, "walk_in"
				e.submit(t, urgent, communeT0101)
				e.submit(t, report("T0101", "Tố giác hành vi cho vay nặng lãi"))
				closed := e.submit(t, report("T0102", "Tranh chấp đất đai giữa hai hộ"))
				e.act(t, communeT0102, closed.ID, crimesource.Action{Kind: crimesource.ActTransferAgency, Agency: "Ủy ban nhân dân xã"})

				run := func() int {
					t.Helper()
					if !concurrent {
						n, err := e.svc.RecordReminders(e.ctx)
						if err != nil {
							t.Fatal(err)
						}
						return n
					}
					const workers = 4
					var wg sync.WaitGroup
					var mu sync.Mutex
					total := 0
					for range workers {
						wg.Add(1)
						go func() {
							defer wg.Done()
							n, err := e.svc.RecordReminders(e.ctx)
							if err != nil {
								t.Error(err)
							}
							mu.Lock()
							total += n
							mu.Unlock()
						}()
					}
					wg.Wait()
					return total
				}
				expect := func(step string, n, want int, rows ...string) {
					t.Helper()
					if n != want {
						t.Errorf("%s: recorded %d, want %d", step, n, want)
					}
					if got := e.reminderRows(t); fmt.Sprint(got) != fmt.Sprint(rows) {
						t.Errorf("%s: reminders %v, want %v", step, got, rows)
					}
				}

				// Day of receipt: the urgent limit ends tomorrow, at risk.
				expect("at receipt", run(), 1, "commune_transfer_urgent at_risk")
				expect("again", run(), 0, "commune_transfer_urgent at_risk")

				// Fri 04/12: the urgent limit is overdue, the ordinary one has
				// three days left.
				e.clk.Set(vn(2026, 12, 4, 10, 0))
				expect("on 04/12", run(), 2, "commune_transfer at_risk", "commune_transfer_urgent at_risk", "commune_transfer_urgent overdue")
				expect("again on 04/12", run(), 0, "commune_transfer at_risk", "commune_transfer_urgent at_risk", "commune_transfer_urgent overdue")

				// 24:00 on 07/12 has passed.
				e.clk.Set(vn(2026, 12, 8, 0, 0))
				all := []string{"commune_transfer at_risk", "commune_transfer overdue", "commune_transfer_urgent at_risk", "commune_transfer_urgent overdue"}
				expect("on 08/12", run(), 1, all...)
				expect("again on 08/12", run(), 0, all...)
				e.clk.Set(vn(2027, 6, 1, 0, 0))
				expect("months later", run(), 0, all...)
			})
		})
	}
}
