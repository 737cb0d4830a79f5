package crimesource_test

import (
	"strings"
	"testing"
	"time"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// The expected limits below are worked out by hand from LEGAL.md and the
// seeded rules (migration 0003): day limits count the day of receipt as day
// one and end at 24:00 Vietnam time of the last day; month limits end on the
// same-numbered day of the later month, or its last day when it has none
// (Art. 134(1)); a last day that is a day off (weekend, or a row of
// days_off) moves to the next working day; hour limits run by the clock.
// Weekdays used: Mon 30/11/2026, Sun 06/12/2026, Tue 01/12/2026, Thu
// 03/12/2026, Sun 20/12/2026, Mon 01/02/2027, Thu 01/04/2027, Fri 09/04/2027,
// Sun 11/04/2027, Sun 09/05/2027.

// TestWorkflowDeadlines follows one source from a citizen's report at a
// commune to the investigation body's final decision.
func TestWorkflowDeadlines(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		// Received Mon 30/11/2026 10:00 at commune police T0101.
		rec := e.submit(t, report("T0101", "Phát hiện nhóm người tổ chức đánh bạc qua mạng"))
		received := at(2026, 11, 30, 10, 0)
		// Commune transfer, other cases: 7 days, day one 30/11, last day
		// 06/12 is a Sunday, so it ends at 24:00 Mon 07/12.
		e.wantDeadlines(t, rec.ID,
			dl{"commune_transfer", received, endOf(2026, 12, 7), "open"})

		// At the record of receipt the officer marks it urgent (flagrant,
		// very serious, public attention): 24 hours from receipt, by the
		// clock.
		e.clk.Set(vn(2026, 11, 30, 11, 0))
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActRegister, Urgent: true})
		if s := e.status(t, rec.ID); s != crimesource.StatusRegistered {
			t.Fatalf("status %s after register", s)
		}
		e.wantDeadlines(t, rec.ID,
			dl{"commune_transfer", received, endOf(2026, 12, 7), "cancelled"},
			dl{"commune_transfer_urgent", received, at(2026, 12, 1, 10, 0), "open"})

		// Commune officers cannot do the investigation body's work.
		for _, kind := range []string{crimesource.ActExtend, crimesource.ActDecide, crimesource.ActNotifyProcuracy} {
			err := e.svc.Act(e.ctx, e.actor(t, communeT0101), rec.ID, crimesource.Action{Kind: kind, Outcome: crimesource.OutcomeProsecute})
			wantErr(t, err, errs.Forbidden, "")
		}

		// Transferred Tue 01/12 08:00, within the 24 hours. The investigation
		// body's limits run from its own receipt: procuracy notice 3 days
		// (01/12-03/12), decision 20 days (01/12-20/12, a Sunday: Mon 21/12).
		e.clk.Set(vn(2026, 12, 1, 8, 0))
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActTransfer, Ref: "123/CV-CAP"})
		transferred := at(2026, 12, 1, 8, 0)
		if _, hold := e.unitOf(t, rec.ID); hold != "CA-01" {
			t.Fatalf("after transfer held by %s, want CA-01", hold)
		}
		if s := e.status(t, rec.ID); s != crimesource.StatusVerifying {
			t.Fatalf("status %s after transfer", s)
		}
		base := []dl{
			{"commune_transfer", received, endOf(2026, 12, 7), "cancelled"},
			{"commune_transfer_urgent", received, at(2026, 12, 1, 10, 0), "met"},
		}
		notice := dl{"procuracy_notice", transferred, endOf(2026, 12, 3), "open"}
		decision := dl{"decision", transferred, endOf(2026, 12, 21), "open"}
		e.wantDeadlines(t, rec.ID, append(base, notice, decision)...)

		e.clk.Set(vn(2026, 12, 2, 15, 0))
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActNotifyProcuracy, Ref: "45/TB-CSĐT"})
		notice.State = "met"
		e.wantDeadlines(t, rec.ID, append(base, notice, decision)...)
		var notified string
		if err := e.db.QueryRow(e.ctx, "SELECT procuracy_notified_at FROM sources WHERE id = ?", rec.ID).Scan(&notified); err != nil || notified != at(2026, 12, 2, 15, 0) {
			t.Errorf("procuracy_notified_at = %q (%v)", notified, err)
		}

		// The procuracy cannot extend before the 2-month extension.
		e.clk.Set(vn(2026, 12, 10, 9, 0))
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: crimesource.ActProcuracyExtend}), errs.Conflict, "")

		// Complex case: 2 months from the investigation body's receipt,
		// 01/12/2026 to 01/02/2027 (a Monday).
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActExtend})
		decision.State = "cancelled"
		extended := dl{"decision_extended", transferred, endOf(2027, 2, 1), "open"}
		e.wantDeadlines(t, rec.ID, append(base, notice, decision, extended)...)
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: crimesource.ActExtend}), errs.Conflict, "")

		// The procuracy extends once: 4 months from receipt at most,
		// 01/04/2027 (a Thursday).
		e.clk.Set(vn(2027, 1, 20, 9, 0))
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActProcuracyExtend, Ref: "07/QĐ-VKS"})
		extended.State = "cancelled"
		procExt := dl{"procuracy_extension", transferred, endOf(2027, 4, 1), "open"}
		e.wantDeadlines(t, rec.ID, append(base, notice, decision, extended, procExt)...)
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: crimesource.ActProcuracyExtend}), errs.Conflict, "")

		// Suspension only once the limit runs out (Art. 148): refused the
		// day before the last day.
		suspend := crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeSuspend, Ground: "a"}
		for _, now := range []time.Time{vn(2027, 1, 20, 9, 0), vn(2027, 3, 31, 23, 59)} {
			e.clk.Set(now)
			wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, suspend), errs.Conflict, "")
		}
		// On the last day it is allowed, with a ground of Art. 148(1).
		e.clk.Set(vn(2027, 4, 1, 9, 0))
		for _, g := range []string{"", "d"} {
			wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeSuspend, Ground: g}), errs.Invalid, "ground")
		}
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: "dismiss"}), errs.Invalid, "outcome")
		if s := e.status(t, rec.ID); s != crimesource.StatusVerifying {
			t.Fatalf("refused decisions changed the status to %s", s)
		}
		e.act(t, investig01, rec.ID, suspend)
		if s := e.status(t, rec.ID); s != crimesource.StatusSuspended {
			t.Fatalf("status %s after suspension", s)
		}
		procExt.State = "met"
		// The decision goes to the procuracy within 24 hours.
		toProc := dl{"suspension_to_procuracy", at(2027, 4, 1, 9, 0), at(2027, 4, 2, 9, 0), "open"}
		e.wantDeadlines(t, rec.ID, append(base, notice, decision, extended, procExt, toProc)...)

		// A suspended source takes no decision until resumed.
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeNotProsecute}), errs.Conflict, "")

		// Resumed Fri 09/04/2027: 1 month to 09/05 (a Sunday: Mon 10/05);
		// notice of resumption 3 days to 11/04 (a Sunday: Mon 12/04).
		e.clk.Set(vn(2027, 4, 9, 10, 0))
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActResume})
		if s := e.status(t, rec.ID); s != crimesource.StatusVerifying {
			t.Fatalf("status %s after resumption", s)
		}
		resumed := at(2027, 4, 9, 10, 0)
		resolve := dl{"resolve_after_resumption", resumed, endOf(2027, 5, 10), "open"}
		resNotice := dl{"resumption_notice", resumed, endOf(2027, 4, 12), "open"}
		e.wantDeadlines(t, rec.ID, append(base, notice, decision, extended, procExt, toProc, resolve, resNotice)...)

		e.clk.Set(vn(2027, 4, 20, 14, 0))
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeNotProsecute, Ref: "12/QĐ-KKT"})
		if s := e.status(t, rec.ID); s != crimesource.StatusNotProsecuted {
			t.Fatalf("status %s after not_prosecute", s)
		}
		resolve.State = "met"
		e.wantDeadlines(t, rec.ID, append(base, notice, decision, extended, procExt, toProc, resolve, resNotice)...)
		var outcome, closed string
		if err := e.db.QueryRow(e.ctx, "SELECT outcome, closed_at FROM sources WHERE id = ?", rec.ID).Scan(&outcome, &closed); err != nil {
			t.Fatal(err)
		}
		if outcome != crimesource.OutcomeNotProsecute || closed != at(2027, 4, 20, 14, 0) {
			t.Errorf("outcome %q closed %q", outcome, closed)
		}
		// Closed: no further decision.
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeProsecute}), errs.Conflict, "")

		// Every step is on the timeline.
		d, err := e.svc.Get(e.ctx, e.actor(t, investig01), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, ev := range d.Events {
			kinds = append(kinds, ev.Kind)
		}
		want := "received register transfer_investigation notify_procuracy extend procuracy_extend decide resume decide"
		if got := strings.Join(kinds, " "); got != want {
			t.Errorf("timeline %q, want %q", got, want)
		}
		v, err := e.svc.Lookup(e.ctx, rec.ReceiptCode)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Closed || v.Status != crimesource.StatusNotProsecuted {
			t.Errorf("citizen sees %+v", v)
		}
	})
}

// TestTransferLimits checks the commune police's transfer limit for each
// kind of case (JC 01/2017 as amended by JC 01/2021).
func TestTransferLimits(t *testing.T) {
	t.Parallel()
	communes := testutil.SampleCommunes + "T0103,Bạch Long Vĩ Mẫu,special_zone,01,Đặc khu Bạch Long Vĩ Mẫu\n"
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, eng, communes)
			if _, err := e.db.Exec(e.ctx, "INSERT INTO remote_communes (commune_code, note) VALUES ('T0102', 'xã vùng núi (dữ liệu thử)')"); err != nil {
				t.Fatal(err)
			}
			received := vn(2026, 12, 4, 20, 0) // Friday evening
			tests := []struct {
				name    string
				commune string
				urgent  bool // at receipt
				mark    *bool
				rule    string
				due     string
			}{
				// 7 days from Fri 04/12 (day one): 10/12, a Thursday.
				{"ordinary", "T0101", false, nil, "commune_transfer", endOf(2026, 12, 10)},
				// 24 hours by the clock: Saturday 20:00, not moved to Monday.
				{"urgent", "T0101", true, nil, "commune_transfer_urgent", at(2026, 12, 5, 20, 0)},
				{"urgent in a remote commune", "T0102", true, nil, "commune_transfer_remote", at(2026, 12, 6, 20, 0)},
				{"urgent in a special zone", "T0103", true, nil, "commune_transfer_remote", at(2026, 12, 6, 20, 0)},
				{"remote but not urgent", "T0102", false, nil, "commune_transfer", endOf(2026, 12, 10)},
				{"marked urgent at register", "T0101", false, ptr(true), "commune_transfer_urgent", at(2026, 12, 5, 20, 0)},
				{"marked urgent at register, special zone", "T0103", false, ptr(true), "commune_transfer_remote", at(2026, 12, 6, 20, 0)},
				{"marked urgent at register, remote", "T0102", false, ptr(true), "commune_transfer_remote", at(2026, 12, 6, 20, 0)},
				{"urgency withdrawn at register", "T0101", true, ptr(false), "commune_transfer", endOf(2026, 12, 10)},
			}
			e.srv.CreateUser(t, "xa-t0103", "commune", "T0103")
			officers := map[string]string{"T0101": communeT0101, "T0102": communeT0102, "T0103": "xa-t0103"}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					e.clk.Set(received)
					in := report(tc.commune, "Bắt quả tang đối tượng trộm cắp")
					in.Urgent = tc.urgent
					in.Channel = "walk_in"
					rec := e.submit(t, in, officers[tc.commune])
					if tc.mark != nil {
						e.clk.Set(received.Add(30 * time.Minute))
						e.act(t, officers[tc.commune], rec.ID, crimesource.Action{Kind: crimesource.ActRegister, Urgent: *tc.mark})
					}
					var open []dl
					for _, d := range e.deadlines(t, rec.ID) {
						if d.State == "open" {
							open = append(open, d)
						}
					}
					want := dl{tc.rule, store.FormatTime(received), tc.due, "open"}
					if len(open) != 1 || open[0] != want {
						t.Errorf("open limits %v, want [%v]", open, want)
					}
				})
			}

			// Mail: the postmark date counts (Art. 134(2)). Posted Wed 25/11,
			// received Mon 30/11: 7 days from 25/11 end with Tue 01/12.
			e.clk.Set(vn(2026, 11, 30, 10, 0))
			in := report("T0101", "Thư tố giác về hành vi lừa đảo")
			in.Channel, in.PostmarkedOn = "mail", "2026-11-25"
			rec := e.submit(t, in, communeT0101)
			e.wantDeadlines(t, rec.ID, dl{"commune_transfer", at(2026, 11, 25, 0, 0), endOf(2026, 12, 1), "open"})
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestDeadlineCounting covers month limits from the end of a month, limits
// whose last day falls in a holiday, and hour limits over a weekend, for
// sources received directly by the province's investigation body.
func TestDeadlineCounting(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		atProvince := func(when time.Time) crimesource.Receipt {
			e.clk.Set(when)
			in := report("", "Tin báo về đường dây cá độ bóng đá")
			in.ProvinceCode = "01"
			return e.submit(t, in)
		}
		extend := func(id int64, kind string) {
			e.act(t, investig01, id, crimesource.Action{Kind: kind})
		}

		t.Run("prosecution notice", func(t *testing.T) {
			// A decision to prosecute goes to the procuracy within 24 hours
			// (TT 28/2020 Art. 16), by the clock: Fri 16:30 to Sat 16:30.
			rec := atProvince(vn(2026, 11, 30, 10, 0))
			received := at(2026, 11, 30, 10, 0)
			e.clk.Set(vn(2026, 12, 4, 16, 30))
			e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeProsecute})
			// Mon 30/11: notice to Wed 02/12; decision 20 days to Sat 19/12,
			// moved to Mon 21/12.
			e.wantDeadlines(t, rec.ID,
				dl{"procuracy_notice", received, endOf(2026, 12, 2), "open"},
				dl{"decision", received, endOf(2026, 12, 21), "met"},
				dl{"initiation_to_procuracy", at(2026, 12, 4, 16, 30), at(2026, 12, 5, 16, 30), "open"})
			if s := e.status(t, rec.ID); s != crimesource.StatusProsecuted {
				t.Errorf("status %s", s)
			}
		})

		t.Run("received 31 December", func(t *testing.T) {
			// Thu 31/12/2026. Notice: 3 days to Sat 02/01/2027, moved to Mon
			// 04/01. Decision: 20 days to Tue 19/01/2027.
			rec := atProvince(vn(2026, 12, 31, 10, 0))
			received := at(2026, 12, 31, 10, 0)
			notice := dl{"procuracy_notice", received, endOf(2027, 1, 4), "open"}
			decision := dl{"decision", received, endOf(2027, 1, 19), "open"}
			e.wantDeadlines(t, rec.ID, notice, decision)
			// 2 months: February 2027 has no 31st, so its last day, Sun
			// 28/02, moved to Mon 01/03.
			e.clk.Set(vn(2027, 1, 5, 9, 0))
			extend(rec.ID, crimesource.ActExtend)
			decision.State = "cancelled"
			ext := dl{"decision_extended", received, endOf(2027, 3, 1), "open"}
			e.wantDeadlines(t, rec.ID, notice, decision, ext)
			// 4 months from receipt: 30/04/2027 (holiday), 01/05 (holiday,
			// Saturday), 02/05 (Sunday), 03/05 (substitute day): Tue 04/05.
			extend(rec.ID, crimesource.ActProcuracyExtend)
			ext.State = "cancelled"
			e.wantDeadlines(t, rec.ID, notice, decision, ext, dl{"procuracy_extension", received, endOf(2027, 5, 4), "open"})
		})

		t.Run("received 31 December before a leap year", func(t *testing.T) {
			// Fri 31/12/2027 + 2 months: Tue 29/02/2028.
			rec := atProvince(vn(2027, 12, 31, 10, 0))
			extend(rec.ID, crimesource.ActExtend)
			d := e.deadlines(t, rec.ID)
			if got := d[len(d)-1]; got.Rule != "decision_extended" || got.Due != endOf(2028, 2, 29) {
				t.Errorf("2-month limit %v, want end of 29/02/2028", got)
			}
		})

		t.Run("day limit ending in Tết 2026", func(t *testing.T) {
			// Fri 30/01/2026. Notice: to Sun 01/02, moved to Mon 02/02.
			// Decision: 20 days to Wed 18/02, inside the Tết break 14/02-22/02:
			// Mon 23/02.
			rec := atProvince(vn(2026, 1, 30, 10, 0))
			received := at(2026, 1, 30, 10, 0)
			e.wantDeadlines(t, rec.ID,
				dl{"procuracy_notice", received, endOf(2026, 2, 2), "open"},
				dl{"decision", received, endOf(2026, 2, 23), "open"})
		})

		t.Run("month limit ending in Tết 2026", func(t *testing.T) {
			// Sun 14/12/2025 + 2 months: Sat 14/02/2026, first day of the
			// break: Mon 23/02.
			rec := atProvince(vn(2025, 12, 14, 10, 0))
			received := at(2025, 12, 14, 10, 0)
			e.clk.Set(vn(2025, 12, 20, 9, 0))
			extend(rec.ID, crimesource.ActExtend)
			e.wantDeadlines(t, rec.ID,
				dl{"procuracy_notice", received, endOf(2025, 12, 16), "open"},
				dl{"decision", received, endOf(2026, 1, 2), "cancelled"},
				dl{"decision_extended", received, endOf(2026, 2, 23), "open"})
		})

		t.Run("commune transfer ending in Tết 2026", func(t *testing.T) {
			// Mon 09/02/2026 + 7 days: Sun 15/02, in the break: Mon 23/02.
			e.clk.Set(vn(2026, 2, 9, 10, 0))
			rec := e.submit(t, report("T0101", "Trộm cắp tài sản ngày giáp Tết"))
			e.wantDeadlines(t, rec.ID, dl{"commune_transfer", at(2026, 2, 9, 10, 0), endOf(2026, 2, 23), "open"})
		})
	})
}
