package crimesource_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
)

// The expected limits are worked out by hand as in workflow_test.go. Weekdays
// used: Mon 30/11/2026, Fri 04/12/2026, Mon 23/11/2026, Tue 01/12/2026, Fri
// 01/01/2027 (a holiday), Mon 04/01/2027, Mon 22/11/2021, Wed 01/12/2021.

// actions returns the steps the page offers an officer on a source.
func (e *env) actions(t *testing.T, officer string, id int64) []string {
	t.Helper()
	a := e.actor(t, officer)
	d, err := e.svc.Get(e.ctx, a, id)
	if err != nil {
		t.Fatal(err)
	}
	return crimesource.AvailableActions(a.Role, d)
}

// timeline returns the kinds of a source's events, in order.
func (e *env) timeline(t *testing.T, id int64) string {
	t.Helper()
	d, err := e.svc.Get(e.ctx, e.actor(t, ministryVN), id)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range d.Events {
		kinds = append(kinds, ev.Kind)
	}
	return strings.Join(kinds, " ")
}

// TestFileHandover: the procuracy's request for the file starts the 5-day
// limit to hand it over (Art. 146(2)), counted from the day the request was
// received; recording the handover meets it.
func TestFileHandover(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		rec := e.atProvince(t, vn(2026, 11, 30, 10, 0), "Tin báo về việc chiếm giữ trái phép tài sản")
		request := crimesource.Action{Kind: crimesource.ActFileRequest, Ref: "15/YC-VKS"}
		handover := crimesource.Action{Kind: crimesource.ActFileHandover, Ref: "88/CV-CSĐT"}

		e.clk.Set(vn(2026, 12, 2, 14, 0))
		if got := e.actions(t, investig01, rec.ID); !slices.Contains(got, crimesource.ActFileRequest) || slices.Contains(got, crimesource.ActFileHandover) {
			t.Errorf("offered %v before any request", got)
		}
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, handover), errs.Conflict, "")
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, procuracy01), rec.ID, request), errs.Forbidden, "")
		for _, bad := range []string{"2026-12-03", "02/12/2026", "2026-11-29"} {
			r := request
			r.ReceivedOn = bad
			wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, r), errs.Invalid, "received_on")
		}

		// Recorded on Wed 02/12, received on Mon 30/11: 5 days with day
		// one 30/11 end on Fri 04/12.
		r := request
		r.ReceivedOn = "2026-11-30"
		e.act(t, investig01, rec.ID, r)
		dues := e.deadlines(t, rec.ID)
		want := dl{"file_handover", at(2026, 11, 30, 0, 0), endOf(2026, 12, 4), "open"}
		if got := dues[len(dues)-1]; got != want {
			t.Fatalf("limit %v, want %v", got, want)
		}
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, request), errs.Conflict, "")
		if got := e.actions(t, investig01, rec.ID); slices.Contains(got, crimesource.ActFileRequest) || !slices.Contains(got, crimesource.ActFileHandover) {
			t.Errorf("offered %v with a request open", got)
		}
		// Notifying the procuracy of receipt is another limit: it does not
		// meet the handover.
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActNotifyProcuracy})
		if got := e.due(t, rec.ID, "file_handover"); got.State != "open" {
			t.Errorf("handover limit %v after the notice", got)
		}

		e.clk.Set(vn(2026, 12, 4, 16, 0))
		e.act(t, investig01, rec.ID, handover)
		want.State = "met"
		if got := e.due(t, rec.ID, "file_handover"); got != want {
			t.Errorf("limit %v after handover, want %v", got, want)
		}
		if got := e.actions(t, investig01, rec.ID); slices.Contains(got, crimesource.ActFileHandover) {
			t.Errorf("handover still offered: %v", got)
		}
		if got, want := e.timeline(t, rec.ID), "received file_request notify_procuracy file_handover"; got != want {
			t.Errorf("timeline %q, want %q", got, want)
		}

		// A request recorded the day it arrives runs from that moment; a
		// commune police holding a source may record it too.
		e.clk.Set(vn(2026, 12, 1, 9, 0))
		c := e.submit(t, report("T0101", "Tố giác hành vi cưỡng đoạt tài sản"))
		e.clk.Set(vn(2026, 12, 3, 15, 0))
		e.act(t, communeT0101, c.ID, request)
		if got := e.due(t, c.ID, "file_handover"); got != (dl{"file_handover", at(2026, 12, 3, 15, 0), endOf(2026, 12, 7), "open"}) {
			t.Errorf("commune request: limit %v, want 03/12 15:00 to end of Mon 07/12", got)
		}
		for _, name := range []string{crimesource.ActFileRequest, crimesource.ActFileHandover} {
			if crimesource.ActionNames[name] == "" {
				t.Errorf("no Vietnamese name for %s", name)
			}
		}
	})
}

// TestFacilityReceipt: for a paper filed through a detention facility the
// limits run from the day the head of the facility received it (Art.
// 134(2)).
func TestFacilityReceipt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.clk.Set(vn(2026, 11, 30, 10, 0))
		paper := func(commune string) crimesource.Intake {
			in := report(commune, "Đơn tố giác của người bị tạm giam về hành vi lừa đảo")
			in.Channel, in.FacilityReceivedOn = "transfer_in", "2026-11-25"
			return in
		}
		// Commune police: 7 days from Wed 25/11 end Tue 01/12.
		rec := e.submit(t, paper("T0101"), communeT0101)
		e.wantDeadlines(t, rec.ID, dl{"commune_transfer", at(2026, 11, 25, 0, 0), endOf(2026, 12, 1), "open"})
		d, err := e.svc.Get(e.ctx, e.actor(t, communeT0101), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.FacilityReceivedOn != "2026-11-25" || d.PostmarkedOn != "" {
			t.Errorf("detail: facility %q postmark %q", d.FacilityReceivedOn, d.PostmarkedOn)
		}
		// Marked urgent at the record of receipt: 24 hours from 25/11.
		e.clk.Set(vn(2026, 11, 30, 11, 0))
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActRegister, Urgent: true})
		e.wantDeadlines(t, rec.ID,
			dl{"commune_transfer", at(2026, 11, 25, 0, 0), endOf(2026, 12, 1), "cancelled"},
			dl{"commune_transfer_urgent", at(2026, 11, 25, 0, 0), at(2026, 11, 26, 0, 0), "open"})

		// Investigation body: notice 3 days to Fri 27/11, decision 20 days
		// to Mon 14/12.
		e.clk.Set(vn(2026, 11, 30, 10, 0))
		in := paper("")
		in.ProvinceCode = "01"
		rec = e.submit(t, in, investig01)
		e.wantDeadlines(t, rec.ID,
			dl{"procuracy_notice", at(2026, 11, 25, 0, 0), endOf(2026, 11, 27), "open"},
			dl{"decision", at(2026, 11, 25, 0, 0), endOf(2026, 12, 14), "open"})

		bad := []struct {
			name     string
			facility string
			postmark string
			channel  string
			field    string
		}{
			{"not a date", "25/11/2026", "", "transfer_in", "facility_received_on"},
			{"no such day", "2026-11-31", "", "transfer_in", "facility_received_on"},
			{"after receipt", "2026-12-01", "", "transfer_in", "facility_received_on"},
			{"both postmark and facility", "2026-11-25", "2026-11-26", "mail", "facility_received_on"},
			{"online report", "2026-11-25", "", "online", "facility_received_on"},
			{"postmark after receipt", "", "2026-12-01", "mail", "postmarked_on"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				in := report("T0101", "Đơn tố giác gửi qua trại tạm giam")
				in.Channel, in.FacilityReceivedOn, in.PostmarkedOn = tt.channel, tt.facility, tt.postmark
				var a crimesource.Actor
				if tt.channel != "online" {
					a = e.actor(t, communeT0101)
				}
				_, err := e.svc.Submit(e.ctx, in, a)
				wantErr(t, err, errs.Invalid, tt.field)
			})
		}
	})
}

// suspended returns a source received at Hà Nội's investigation body 20
// days before Mon 23/11/2026 (the last day of its limit) and suspended on
// that day.
func (e *env) suspended(t *testing.T) int64 {
	t.Helper()
	rec := e.atProvince(t, vn(2026, 11, 2, 10, 0), "Tin báo về việc làm giả giấy tờ")
	e.clk.Set(vn(2026, 11, 23, 9, 0))
	e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeSuspend, Ground: "a"})
	return rec.ID
}

// TestCancelSuspensionFromReceipt: after the procuracy annuls a suspension
// the source is resolved within 1 month from the day the investigating body
// received the annulment (Art. 148(2)), not from when the step is recorded.
func TestCancelSuspensionFromReceipt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		id := e.suspended(t)
		e.clk.Set(vn(2026, 12, 7, 10, 0))
		for _, bad := range []string{"2026-12-08", "2026-11-22", "1/12/2026"} {
			wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), id, crimesource.Action{Kind: crimesource.ActCancelSuspension, ReceivedOn: bad}), errs.Invalid, "received_on")
		}
		if s := e.status(t, id); s != crimesource.StatusSuspended {
			t.Fatalf("refused steps changed the status to %s", s)
		}
		// Received Tue 01/12, recorded Mon 07/12: 1 month to Fri 01/01/2027
		// (a holiday), then the weekend: Mon 04/01/2027.
		e.act(t, investig01, id, crimesource.Action{Kind: crimesource.ActCancelSuspension, ReceivedOn: "2026-12-01", Ref: "03/QĐ-VKS"})
		want := dl{"resolve_after_cancel", at(2026, 12, 1, 0, 0), endOf(2027, 1, 4), "open"}
		if got := e.due(t, id, "resolve_after_cancel"); got != want {
			t.Errorf("limit %v, want %v", got, want)
		}
		if s := e.status(t, id); s != crimesource.StatusVerifying {
			t.Errorf("status %s", s)
		}
		d, err := e.svc.Get(e.ctx, e.actor(t, investig01), id)
		if err != nil {
			t.Fatal(err)
		}
		if last := d.Events[len(d.Events)-1]; last.Kind != crimesource.ActCancelSuspension || !strings.Contains(last.Note, "01/12/2026") {
			t.Errorf("last event %+v, want the annulment with its date of receipt", last)
		}

		// Received the day it is recorded, and by default: from that moment.
		for _, on := range []string{"2026-12-07", ""} {
			id := e.suspended(t)
			e.clk.Set(vn(2026, 12, 7, 10, 0))
			e.act(t, investig01, id, crimesource.Action{Kind: crimesource.ActCancelSuspension, ReceivedOn: on})
			// 1 month from Mon 07/12/2026: Thu 07/01/2027.
			want := dl{"resolve_after_cancel", at(2026, 12, 7, 10, 0), endOf(2027, 1, 7), "open"}
			if got := e.due(t, id, "resolve_after_cancel"); got != want {
				t.Errorf("received on %q: limit %v, want %v", on, got, want)
			}
		}
	})
}

// TestForceMajeureGround: ground (c) of Art. 148(1), natural disaster or
// epidemic, came with Law 02/2021/QH15 in force from 01/12/2021; a
// suspension decided before then cannot rest on it.
func TestForceMajeureGround(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		// A report with no place reaches the national intake unit, which
		// transfers it to Hà Nội on Mon 01/11/2021: 20 days end Sat 20/11,
		// moved to Mon 22/11/2021.
		received := func() int64 {
			e.clk.Set(vn(2021, 11, 1, 8, 0))
			rec := e.submit(t, report("", "Tin báo về việc khai thác cát trái phép"))
			e.clk.Set(vn(2021, 11, 1, 10, 0))
			e.act(t, ministryVN, rec.ID, crimesource.Action{Kind: crimesource.ActTransfer, Province: "01"})
			return rec.ID
		}
		suspend := func(ground string) crimesource.Action {
			return crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeSuspend, Ground: ground}
		}

		id := received()
		if got := e.due(t, id, "decision").Due; got != endOf(2021, 11, 22) {
			t.Fatalf("decision due %s, want end of 22/11/2021", got)
		}
		e.clk.Set(vn(2021, 11, 22, 15, 0))
		err := e.svc.Act(e.ctx, e.actor(t, investig01), id, suspend("c"))
		wantErr(t, err, errs.Invalid, "ground")
		if msg := errs.Message(err); !strings.Contains(msg, "01/12/2021") || !strings.Contains(msg, "02/2021/QH15") {
			t.Errorf("message %q does not say when ground c took effect", msg)
		}
		if s := e.status(t, id); s != crimesource.StatusVerifying {
			t.Fatalf("refused suspension changed the status to %s", s)
		}
		e.act(t, investig01, id, suspend("a"))

		// Decided on 01/12/2021 itself, ground (c) stands.
		id = received()
		e.clk.Set(vn(2021, 12, 1, 9, 0))
		e.act(t, investig01, id, suspend("c"))
		if s := e.status(t, id); s != crimesource.StatusSuspended {
			t.Errorf("status %s after a suspension on ground c", s)
		}
		var data string
		if err := e.db.QueryRow(e.ctx, "SELECT data FROM source_events WHERE source_id = ? AND kind = 'decide'", id).Scan(&data); err != nil || !strings.Contains(data, `"ground":"c"`) {
			t.Errorf("decision event data %q (%v)", data, err)
		}

		// The grounds the page offers on a date are those in force then.
		var codes []string
		for _, g := range crimesource.GroundsOn(time.Date(2021, 11, 30, 12, 0, 0, 0, time.UTC)) {
			codes = append(codes, g.Code)
		}
		if strings.Join(codes, "") != "ab" {
			t.Errorf("grounds on 30/11/2021: %v", codes)
		}
		if n := len(crimesource.GroundsOn(time.Date(2021, 12, 1, 0, 0, 0, 0, time.UTC))); n != 3 {
			t.Errorf("%d grounds on 01/12/2021, want 3", n)
		}
	})
}
