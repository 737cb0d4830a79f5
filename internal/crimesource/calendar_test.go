package crimesource_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/crimesource"
	"toandan/internal/deadline"
	"toandan/internal/errs"
)

// admin is the administrator who edits the calendar in these tests.
const admin = "quantri"

// atProvince receives a report at Hà Nội's investigation body at when.
func (e *env) atProvince(t *testing.T, when time.Time, description string) crimesource.Receipt {
	t.Helper()
	e.clk.Set(when)
	in := report("", description)
	in.ProvinceCode = "01"
	return e.submit(t, in)
}

// due returns the last limit of rule that a source started, failing the
// test if it has none.
func (e *env) due(t *testing.T, id int64, rule string) dl {
	t.Helper()
	ds := e.deadlines(t, id)
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i].Rule == rule {
			return ds[i]
		}
	}
	t.Fatalf("source %d has no %s limit: %v", id, rule, ds)
	return dl{}
}

// movedEvents returns the notes of the timeline events that record moved
// due times.
func (e *env) movedEvents(t *testing.T, id int64) []string {
	t.Helper()
	rows, err := e.db.Query(e.ctx, "SELECT note FROM source_events WHERE source_id = ? AND kind = ? ORDER BY id", id, crimesource.EventDueMoved)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCalendarEditMovesOpenLimits: a day off added or removed after a
// source arrived moves the due time of its running limits that counted on
// that day (Art. 134(1)), and only those; the timeline and the audit log say
// so, and the at-risk and overdue lists follow the new due time.
//
// Seeded calendar around Tết 2027: 04/02-10/02 off (Thu-Wed, with the
// weekend 06-07/02), Thu 11/02 a working day.
func TestCalendarEditMovesOpenLimits(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.srv.CreateUser(t, admin, account.Admin, "VN")
		a := e.actor(t, admin)

		// X, received Mon 18/01/2027: 20 days end Sat 06/02, in the break:
		// Thu 11/02.
		x := e.atProvince(t, vn(2027, 1, 18, 10, 0), "Tố giác hành vi lừa đảo chiếm đoạt tài sản")
		// Y, received Sat 23/01/2027: 20 days end Thu 11/02.
		y := e.atProvince(t, vn(2027, 1, 23, 10, 0), "Tin báo về việc trộm cắp xe máy")
		// Z, received the same day, decided Wed 10/02 10:00: its decision
		// limit is met and stays as it was; the 24-hour limit to send the
		// initiation decision ends Thu 11/02 10:00 and, running by the
		// clock, never moves.
		z := e.atProvince(t, vn(2027, 1, 23, 11, 0), "Tin báo về việc cố ý gây thương tích")
		// W, received Mon 11/01/2027: 20 days end Fri 29/01, before the
		// changed day.
		w := e.atProvince(t, vn(2027, 1, 11, 10, 0), "Tin báo về việc đánh bạc")
		for _, id := range []int64{x.ID, y.ID} {
			e.clk.Set(vn(2027, 1, 25, 9, 0))
			e.act(t, investig01, id, crimesource.Action{Kind: crimesource.ActNotifyProcuracy})
		}
		e.clk.Set(vn(2027, 2, 10, 10, 0))
		e.act(t, investig01, z.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeProsecute})

		if got := e.due(t, x.ID, "decision").Due; got != endOf(2027, 2, 11) {
			t.Fatalf("X decision due %s before the edit, want end of 11/02", got)
		}
		zBefore, wBefore := e.deadlines(t, z.ID), e.deadlines(t, w.ID)

		// The official schedule, announced late on Wed 10/02, adds Thu 11/02.
		e.clk.Set(vn(2027, 2, 10, 15, 0))
		moved, err := e.svc.SetDayOff(e.ctx, a, "2027-02-11", "Nghỉ Tết Âm lịch Đinh Mùi (lịch chính thức)", deadline.KindHoliday)
		if err != nil {
			t.Fatal(err)
		}
		if moved != 2 {
			t.Errorf("SetDayOff moved %d limits, want 2 (X and Y)", moved)
		}
		for _, id := range []int64{x.ID, y.ID} {
			if got := e.due(t, id, "decision"); got.Due != endOf(2027, 2, 12) || got.State != "open" {
				t.Errorf("source %d decision %v after the edit, want open, end of Fri 12/02", id, got)
			}
		}
		e.wantDeadlines(t, z.ID, zBefore...)
		e.wantDeadlines(t, w.ID, wBefore...)

		// The timeline of X and Y says the due time moved, and why.
		for _, id := range []int64{x.ID, y.ID} {
			notes := e.movedEvents(t, id)
			if len(notes) != 1 || !strings.Contains(notes[0], "11/02/2027") || !strings.Contains(notes[0], "12/02/2027") ||
				!strings.Contains(notes[0], "Giải quyết nguồn tin về tội phạm") {
				t.Errorf("source %d: due-moved events %q", id, notes)
			}
		}
		if n := e.movedEvents(t, z.ID); len(n) != 0 {
			t.Errorf("Z: due-moved events %q, want none", n)
		}
		d, err := e.svc.Get(e.ctx, e.actor(t, investig01), x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := d.Events[len(d.Events)-1]; last.Kind != crimesource.EventDueMoved || last.Name == "" || last.Name == last.Kind {
			t.Errorf("last event of X: %+v, want a named due-moved event", last)
		}
		var detail string
		if err := e.db.QueryRow(e.ctx, "SELECT detail FROM audit_log WHERE action = 'calendar.set' AND object = 'day:2027-02-11'").Scan(&detail); err != nil {
			t.Fatalf("calendar change not audited: %v", err)
		}
		if !strings.Contains(detail, "moved=2") {
			t.Errorf("audit detail %q does not count the moved limits", detail)
		}

		// On Fri 12/02 X is at risk (its last day), not overdue.
		e.clk.Set(vn(2027, 2, 12, 9, 0))
		inv := e.actor(t, investig01)
		for due, want := range map[string][]int64{"overdue": nil, "at_risk": {x.ID, y.ID}} {
			p, err := e.svc.Inbox(e.ctx, inv, crimesource.Filter{Due: due})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range p.Rows {
				if r.ID == x.ID || r.ID == y.ID {
					got = append(got, r.ID)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s list holds %v, want %v", due, got, want)
			}
		}

		// Removing the substitute day 10/02 brings X back to Wed 10/02; Y,
		// whose last day is 12/02 either way, stays.
		e.clk.Set(vn(2027, 2, 12, 9, 30))
		moved, err = e.svc.RemoveDayOff(e.ctx, a, "2027-02-10")
		if err != nil {
			t.Fatal(err)
		}
		if moved != 1 {
			t.Errorf("RemoveDayOff moved %d limits, want 1", moved)
		}
		if got := e.due(t, x.ID, "decision").Due; got != endOf(2027, 2, 10) {
			t.Errorf("X decision due %s after removing 10/02, want end of 10/02", got)
		}
		if got := e.due(t, y.ID, "decision").Due; got != endOf(2027, 2, 12) {
			t.Errorf("Y decision due %s after removing 10/02, want end of 12/02", got)
		}
		if n := e.movedEvents(t, x.ID); len(n) != 2 {
			t.Errorf("X has %d due-moved events, want 2", len(n))
		}
		var removed string
		if err := e.db.QueryRow(e.ctx, "SELECT detail FROM audit_log WHERE action = 'calendar.remove' AND object = 'day:2027-02-10'").Scan(&removed); err != nil || !strings.Contains(removed, "moved=1") {
			t.Errorf("removal audited as %q (%v)", removed, err)
		}

		// Only an administrator edits the calendar; a refused or invalid
		// edit changes nothing.
		_, err = e.svc.SetDayOff(e.ctx, e.actor(t, investig01), "2027-02-10", "Thử", deadline.KindHoliday)
		wantErr(t, err, errs.Forbidden, "")
		_, err = e.svc.SetDayOff(e.ctx, a, "2027-02-30", "Thử", deadline.KindHoliday)
		wantErr(t, err, errs.Invalid, "day")
		_, err = e.svc.RemoveDayOff(e.ctx, a, "2027-02-10")
		wantErr(t, err, errs.NotFound, "")
		if got := e.due(t, x.ID, "decision").Due; got != endOf(2027, 2, 10) {
			t.Errorf("X decision due %s after refused edits", got)
		}
	})
}

// TestCalendarEditSettles: a limit started by an instance whose cached
// calendar predates an edit is put right by the job the edit queues.
func TestCalendarEditSettles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.srv.CreateUser(t, admin, account.Admin, "VN")
		other := &crimesource.Service{DB: e.db, Geo: e.svc.Geo, Clock: e.clk, Keys: e.svc.Keys, Files: e.svc.Files}
		submitOther := func(when time.Time) crimesource.Receipt {
			t.Helper()
			e.clk.Set(when)
			in := report("", "Tin báo về đường dây cá độ bóng đá")
			in.ProvinceCode = "01"
			rec, err := other.Submit(e.ctx, in, crimesource.Actor{})
			if err != nil {
				t.Fatal(err)
			}
			return rec
		}
		// The other instance reads the calendar, then the edit lands.
		submitOther(vn(2027, 1, 22, 10, 0))
		e.clk.Set(vn(2027, 1, 23, 9, 0))
		if _, err := e.svc.SetDayOff(e.ctx, e.actor(t, admin), "2027-02-11", "Nghỉ Tết", deadline.KindHoliday); err != nil {
			t.Fatal(err)
		}
		// Received on the other instance seconds later: 20 days to Thu 11/02
		// on its stale calendar.
		late := submitOther(vn(2027, 1, 23, 9, 0).Add(10 * time.Second))
		if got := e.due(t, late.ID, "decision").Due; got != endOf(2027, 2, 11) {
			t.Fatalf("the other instance's cache was not stale (due %s)", got)
		}

		var kind, payload string
		if err := e.db.QueryRow(e.ctx, "SELECT kind, payload FROM jobs WHERE kind = ?", crimesource.JobSettleDues).Scan(&kind, &payload); err != nil {
			t.Fatalf("no settling job queued: %v", err)
		}
		var p map[string]string
		if err := json.Unmarshal([]byte(payload), &p); err != nil || p["from"] != "2027-02-11" || p["to"] != "2027-02-11" {
			t.Errorf("job payload %s (%v)", payload, err)
		}
		// Not due before every cache has expired.
		if ran, err := e.srv.Main.Jobs.Work(e.ctx); err != nil || ran {
			t.Fatalf("job ran at once (%v, %v)", ran, err)
		}
		e.clk.Set(vn(2027, 1, 23, 9, 5))
		if ran, err := e.srv.Main.Jobs.Work(e.ctx); err != nil || !ran {
			t.Fatalf("job did not run (%v, %v)", ran, err)
		}
		if got := e.due(t, late.ID, "decision").Due; got != endOf(2027, 2, 12) {
			t.Errorf("decision due %s after the job, want end of 12/02", got)
		}
		if n := e.movedEvents(t, late.ID); len(n) != 1 {
			t.Errorf("due-moved events %q, want one", n)
		}
	})
}
