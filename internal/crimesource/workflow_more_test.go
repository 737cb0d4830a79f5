package crimesource_test

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/crimesource"
	"toandan/internal/errs"
)

// Workflow steps the main workflow test does not take, and officer entries
// for every channel and kind.

// onePDF is a minimal PDF, the kind of scanned record a step carries.
var onePDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// provinceSource receives an anonymous online report about Hà Nội as a
// whole: the province's investigation body holds it from the start.
func (e *env) provinceSource(t *testing.T, description string) crimesource.Receipt {
	t.Helper()
	in := report("", description)
	in.ProvinceCode = "01"
	return e.submit(t, in)
}

// limitOf returns the last limit of rule on a source, and whether there is
// one.
func (e *env) limitOf(t *testing.T, id int64, rule string) (dl, bool) {
	t.Helper()
	var out dl
	found := false
	for _, d := range e.deadlines(t, id) {
		if d.Rule == rule {
			out, found = d, true
		}
	}
	return out, found
}

// eventKinds returns the kinds of a source's timeline, as officer sees it.
func (e *env) eventKinds(t *testing.T, officer string, id int64) []string {
	t.Helper()
	d, err := e.svc.Get(e.ctx, e.actor(t, officer), id)
	if err != nil {
		t.Fatalf("%s: get %d: %v", officer, id, err)
	}
	var out []string
	for _, ev := range d.Events {
		out = append(out, ev.Kind)
	}
	return out
}

// sourceCols returns columns (or expressions) of a source as text.
func (e *env) sourceCols(t *testing.T, id int64, cols ...string) []string {
	t.Helper()
	n := len(cols)
	vals := make([]string, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := e.db.QueryRow(e.ctx, "SELECT "+strings.Join(cols, ", ")+" FROM sources WHERE id = ?", id).Scan(ptrs...); err != nil {
		t.Fatalf("%s of source %d: %v", cols, id, err)
	}
	return vals
}

// TestAssign: the investigation body assigns one of its own investigators;
// the step is on the timeline and moves a new source to verification.
func TestAssign(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.srv.CreateUser(t, "dieutra-01b", account.Investigator, "01")
		e.srv.CreateUser(t, "dieutra-01-nghi", account.Investigator, "01")
		if _, err := e.db.Exec(e.ctx, "UPDATE users SET disabled = 1 WHERE username = 'dieutra-01-nghi'"); err != nil {
			t.Fatal(err)
		}
		idOf := func(username string) int64 { return e.actor(t, username).UserID }
		rec := e.provinceSource(t, "Đường dây cá độ bóng đá qua mạng")
		before := e.deadlines(t, rec.ID)

		// Only an active investigator of the unit holding the source.
		for _, who := range []struct {
			name string
			id   int64
		}{
			{"an investigator of another province", idOf(investig79)},
			{"provincial movement staff", idOf(province01)},
			{"a commune officer of the province", idOf(communeT0101)},
			{"the procuracy", idOf(procuracy01)},
			{"a disabled investigator", idOf("dieutra-01-nghi")},
			{"nobody", 0},
			{"a user that does not exist", 987654},
		} {
			err := e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: crimesource.ActAssign, AssignTo: who.id})
			if de, ok := errs.As(err); !ok || de.Code != errs.Invalid || de.Field != "assign_to" {
				t.Errorf("assign to %s: %v, want Invalid on assign_to", who.name, err)
			}
		}
		// Only the investigation body assigns, and only what it sees.
		for officer, code := range map[string]errs.Code{
			communeT0101: errs.NotFound, // not received or held by the commune
			investig79:   errs.NotFound,
			procuracy01:  errs.Forbidden,
			province01:   errs.Forbidden,
			ministryVN:   errs.Forbidden,
		} {
			err := e.svc.Act(e.ctx, e.actor(t, officer), rec.ID, crimesource.Action{Kind: crimesource.ActAssign, AssignTo: idOf("dieutra-01b")})
			wantErr(t, err, code, "")
		}
		if s := e.status(t, rec.ID); s != crimesource.StatusReceived {
			t.Fatalf("refused assignments changed the status to %s", s)
		}
		if n := e.count(t, "source_events", "source_id = ? AND kind = 'assign'", rec.ID); n != 0 {
			t.Fatalf("refused assignments left %d events", n)
		}

		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActAssign, AssignTo: idOf("dieutra-01b"), Ref: "08/PC-CSHS"})
		if s := e.status(t, rec.ID); s != crimesource.StatusVerifying {
			t.Errorf("status %s after assignment, want %s", s, crimesource.StatusVerifying)
		}
		d, err := e.svc.Get(e.ctx, e.actor(t, investig01), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := d.Events[len(d.Events)-1]
		if d.Assigned != "dieutra-01b" || last.Kind != crimesource.ActAssign || last.Name != "Phân công điều tra viên" ||
			last.Note != "Phân công: dieutra-01b." || last.Actor != investig01 || last.Unit == "" {
			t.Errorf("after assignment: assigned %q, last event %+v", d.Assigned, last)
		}
		// The assignee reads it; the limits do not move.
		if _, err := e.svc.Get(e.ctx, e.actor(t, "dieutra-01b"), rec.ID); err != nil {
			t.Errorf("the assignee cannot read the source: %v", err)
		}
		e.wantDeadlines(t, rec.ID, before...)
		if n := e.count(t, "audit_log", "action = 'source.assign' AND object = ?", "source:"+rec.TrackingCode); n != 1 {
			t.Errorf("%d audit entries for the assignment, want 1", n)
		}

		// Reassigning is another step on the timeline.
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActAssign, AssignTo: idOf(investig01)})
		if got := strings.Join(e.eventKinds(t, investig01, rec.ID), " "); got != "received assign assign" {
			t.Errorf("timeline %q", got)
		}
		if v := e.sourceCols(t, rec.ID, "assigned_to"); v[0] != itoa(idOf(investig01)) {
			t.Errorf("assigned_to %s, want %d", v[0], idOf(investig01))
		}

		// A source a commune police unit still holds is the commune's.
		held := e.submit(t, report("T0101", "Trộm cắp tài sản tại chợ"))
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), held.ID, crimesource.Action{Kind: crimesource.ActAssign, AssignTo: idOf(investig01)}),
			errs.Forbidden, "")
		// A closed source takes no assignment.
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeNotProsecute})
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: crimesource.ActAssign, AssignTo: idOf("dieutra-01b")}),
			errs.Conflict, "")
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestCancelSuspensionStep: the procuracy annuls a suspension; the source
// is back in verification with 1 month to resolve it (Art. 148(2)), and no
// notice of resumption is owed.
func TestCancelSuspensionStep(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		rec := e.provinceSource(t, "Lừa đảo chiếm đoạt tài sản qua mạng xã hội")
		cancel := crimesource.Action{Kind: crimesource.ActCancelSuspension, Ref: "03/QĐ-VKS"}

		// Only a suspended source has a suspension to annul.
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, cancel), errs.Conflict, "")

		// Suspended once the 20 days have run out (Mon 04/01/2027).
		e.clk.Set(vn(2027, 1, 4, 9, 0))
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeSuspend, Ground: "b"})
		if s := e.status(t, rec.ID); s != crimesource.StatusSuspended {
			t.Fatalf("status %s after suspension", s)
		}

		e.clk.Set(vn(2027, 1, 18, 10, 0))
		for officer, code := range map[string]errs.Code{
			communeT0101: errs.NotFound,
			investig79:   errs.NotFound,
			procuracy01:  errs.Forbidden, // the procuracy's decision is recorded by the body that received it
			ministryVN:   errs.Forbidden,
		} {
			wantErr(t, e.svc.Act(e.ctx, e.actor(t, officer), rec.ID, cancel), code, "")
		}
		if s := e.status(t, rec.ID); s != crimesource.StatusSuspended {
			t.Fatalf("refused annulments changed the status to %s", s)
		}

		e.act(t, investig01, rec.ID, cancel)
		if s := e.status(t, rec.ID); s != crimesource.StatusVerifying {
			t.Errorf("status %s after the annulment, want %s", s, crimesource.StatusVerifying)
		}
		if v := e.sourceCols(t, rec.ID, "outcome", "decided_at", "closed_at"); v[0] != "" || v[1] != "" || v[2] != "" {
			t.Errorf("outcome %q, decided_at %q, closed_at %q after the annulment; want all empty", v[0], v[1], v[2])
		}
		// Recorded Mon 18/01/2027: 1 month to Thu 18/02/2027.
		want := dl{"resolve_after_cancel", at(2027, 1, 18, 10, 0), endOf(2027, 2, 18), "open"}
		if got, _ := e.limitOf(t, rec.ID, "resolve_after_cancel"); got != want {
			t.Errorf("limit %v, want %v", got, want)
		}
		if got, ok := e.limitOf(t, rec.ID, "resumption_notice"); ok {
			t.Errorf("an annulment started %v, which only a resumption owes", got)
		}
		d, err := e.svc.Get(e.ctx, e.actor(t, investig01), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := d.Events[len(d.Events)-1]; last.Kind != crimesource.ActCancelSuspension || last.Name != crimesource.ActionNames[crimesource.ActCancelSuspension] ||
			!strings.Contains(last.Note, "Điều 148") {
			t.Errorf("last event %+v, want the annulment", last)
		}
		if n := e.count(t, "audit_log", "action = 'source.cancel_suspension' AND object = ? AND detail LIKE '%03/QĐ-VKS%'", "source:"+rec.TrackingCode); n != 1 {
			t.Errorf("%d audit entries for the annulment, want 1 naming the decision", n)
		}
		// Not suspended any more: neither annulled again nor resumed.
		for _, kind := range []string{crimesource.ActCancelSuspension, crimesource.ActResume} {
			wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), rec.ID, crimesource.Action{Kind: kind}), errs.Conflict, "")
		}
		v, err := e.svc.Lookup(e.ctx, rec.ReceiptCode)
		if err != nil || v.Closed || v.Status != crimesource.StatusVerifying {
			t.Errorf("citizen sees %+v, %v", v, err)
		}

		// The decision within the month meets it.
		e.clk.Set(vn(2027, 2, 1, 14, 0))
		e.act(t, investig01, rec.ID, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeProsecute})
		want.State = "met"
		if got, _ := e.limitOf(t, rec.ID, "resolve_after_cancel"); got != want {
			t.Errorf("limit after the decision %v, want %v", got, want)
		}
	})
}

// TestNotCrime: a source found not to be a crime is handled as an
// administrative matter: it closes, and its resolution limits stop.
func TestNotCrime(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		step := crimesource.Action{Kind: crimesource.ActNotCrime, Ref: "15/QĐ-XPHC", Note: "Chuyển Đội Cảnh sát quản lý hành chính xử phạt."}

		// A source a commune still holds: the commune transfers it first,
		// and a commune officer cannot decide this.
		held := e.submit(t, report("T0101", "Tranh chấp lối đi giữa hai hộ gia đình"))
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), held.ID, step), errs.Forbidden, "")
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, communeT0101), held.ID, step), errs.Forbidden, "")

		// Transferred, then found not to be a crime.
		e.clk.Set(vn(2026, 11, 30, 15, 0))
		e.act(t, communeT0101, held.ID, crimesource.Action{Kind: crimesource.ActTransfer})
		e.clk.Set(vn(2026, 12, 2, 10, 0))
		e.act(t, investig01, held.ID, step)
		now := at(2026, 12, 2, 10, 0)
		if s := e.status(t, held.ID); s != crimesource.StatusNotCrime {
			t.Fatalf("status %s, want %s", s, crimesource.StatusNotCrime)
		}
		if v := e.sourceCols(t, held.ID, "outcome", "decided_at", "closed_at"); v[0] != "not_crime" || v[1] != now || v[2] != now {
			t.Errorf("outcome %q, decided_at %q, closed_at %q; want not_crime, closed %s", v[0], v[1], v[2], now)
		}
		if d, _ := e.limitOf(t, held.ID, "commune_transfer"); d.State != "met" {
			t.Errorf("transfer limit %v, want met by the transfer", d)
		}
		decision, _ := e.limitOf(t, held.ID, "decision")
		if decision.State != "met" {
			t.Errorf("decision limit %v, want met by the step", decision)
		}
		d, err := e.svc.Get(e.ctx, e.actor(t, investig01), held.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := d.Events[len(d.Events)-1]
		if last.Kind != crimesource.ActNotCrime || last.Name != "Không có dấu hiệu tội phạm, xử lý hành chính" || !strings.Contains(last.Note, "Đội Cảnh sát quản lý hành chính") {
			t.Errorf("last event %+v", last)
		}
		if n := e.count(t, "audit_log", "action = 'source.not_crime' AND object = ?", "source:"+held.TrackingCode); n != 1 {
			t.Errorf("%d audit entries, want 1", n)
		}
		// The commune that received it sees the outcome too.
		if got := e.eventKinds(t, communeT0101, held.ID); strings.Join(got, " ") != "received transfer_investigation not_crime" {
			t.Errorf("timeline seen by the commune: %v", got)
		}

		// Closed: no further handling step, but notes are still taken.
		for _, a := range []crimesource.Action{
			{Kind: crimesource.ActNotCrime},
			{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeProsecute},
			{Kind: crimesource.ActExtend},
			{Kind: crimesource.ActAssign, AssignTo: e.actor(t, investig01).UserID},
		} {
			wantErr(t, e.svc.Act(e.ctx, e.actor(t, investig01), held.ID, a), errs.Conflict, "")
		}
		e.act(t, investig01, held.ID, crimesource.Action{Kind: crimesource.ActNote, Note: "Đã nhận kết quả xử phạt hành chính."})

		// The reporter is told in plain words.
		v, err := e.svc.Lookup(e.ctx, held.ReceiptCode)
		if err != nil || !v.Closed || v.Status != crimesource.StatusNotCrime || v.StatusText != crimesource.CitizenStatus(crimesource.StatusNotCrime) {
			t.Errorf("citizen sees %+v, %v", v, err)
		}

		// Long after, the stopped limits remind nobody.
		e.clk.Set(vn(2027, 3, 1, 9, 0))
		if _, err := e.svc.RecordReminders(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, "reminders", `deadline_id IN (SELECT id FROM source_deadlines WHERE source_id = ?
			AND rule_code IN ('decision', 'commune_transfer', 'commune_transfer_urgent', 'commune_transfer_remote'))`, held.ID); n != 0 {
			t.Errorf("%d reminders on the limits the step stopped", n)
		}
		// The inbox filter by status finds it.
		p, err := e.svc.Inbox(e.ctx, e.actor(t, investig01), crimesource.Filter{Status: crimesource.StatusNotCrime, Limit: 50})
		if err != nil || len(p.Rows) != 1 || p.Rows[0].ID != held.ID {
			t.Errorf("inbox of not_crime sources: %+v, %v", p.Rows, err)
		}
	})
}

// TestPreliminaryCheck: after the record of receipt the commune police
// check the information (Art. 146(3)); each check is on the timeline.
func TestPreliminaryCheck(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		rec := e.submit(t, report("T0101", "Nghi vấn có người tàng trữ pháo nổ trong kho"))
		check := crimesource.Action{Kind: crimesource.ActCheck, Note: "Đã xác minh tại hiện trường, lấy lời khai người báo tin."}

		// Not before the record of receipt.
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, communeT0101), rec.ID, check), errs.Conflict, "")
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActRegister})
		limits := e.deadlines(t, rec.ID)

		// The result is required; only the commune police holding it check.
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, communeT0101), rec.ID, crimesource.Action{Kind: crimesource.ActCheck, Note: "   "}), errs.Invalid, "note")
		for officer, code := range map[string]errs.Code{
			communeT0102: errs.NotFound,
			investig01:   errs.Forbidden,
			procuracy01:  errs.Forbidden,
		} {
			wantErr(t, e.svc.Act(e.ctx, e.actor(t, officer), rec.ID, check), code, "")
		}

		e.clk.Set(vn(2026, 11, 30, 14, 0))
		e.act(t, communeT0101, rec.ID, check)
		e.clk.Set(vn(2026, 11, 30, 16, 0))
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActCheck, Note: "Đã kiểm tra nhân thân người bị tố giác."})
		if s := e.status(t, rec.ID); s != crimesource.StatusRegistered {
			t.Errorf("status %s after checks, want %s", s, crimesource.StatusRegistered)
		}
		// Checking does not move the transfer limit.
		e.wantDeadlines(t, rec.ID, limits...)
		d, err := e.svc.Get(e.ctx, e.actor(t, investig01), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		var notes []string
		for _, ev := range d.Events {
			if ev.Kind == crimesource.ActCheck {
				notes = append(notes, ev.Note)
				if ev.Name != "Kiểm tra sơ bộ" || ev.Actor != communeT0101 || ev.Unit != "Công an phường Mẫu Một" {
					t.Errorf("check event %+v", ev)
				}
			}
		}
		if len(notes) != 2 || notes[0] != check.Note {
			t.Errorf("check notes %q", notes)
		}

		// Once transferred, the commune no longer holds it.
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActTransfer})
		wantErr(t, e.svc.Act(e.ctx, e.actor(t, communeT0101), rec.ID, check), errs.Forbidden, "")
	})
}

// TestStepDocuments: documents attached to a step are stored sealed, listed
// with the step, and opened only by officers who see the source.
func TestStepDocuments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		rec := e.submit(t, report("T0101", "Tố giác hành vi cố ý gây thương tích"))
		other := e.submit(t, report("T0102", "Tố giác ở xã khác"))
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActRegister,
			Files: []crimesource.Upload{{Name: "bien-ban-tiep-nhan.pdf", Data: onePDF}}})
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActCheck, Note: "Lời khai người làm chứng kèm theo.",
			Files: []crimesource.Upload{{Name: "loi-khai.pdf", Data: onePDF}, {Name: "anh-hien-truong.png", Data: tinyPNG(t)}}})

		d, err := e.svc.Get(e.ctx, e.actor(t, communeT0101), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		byKind := map[string][]crimesource.Attachment{}
		for _, ev := range d.Events {
			byKind[ev.Kind] = append(byKind[ev.Kind], ev.Files...)
		}
		if len(byKind[crimesource.ActRegister]) != 1 || len(byKind[crimesource.ActCheck]) != 2 || len(byKind["received"]) != 0 {
			t.Fatalf("files by step: register %d, check %d, received %d; want 1, 2, 0",
				len(byKind[crimesource.ActRegister]), len(byKind[crimesource.ActCheck]), len(byKind["received"]))
		}
		if len(d.Attachments) != 3 {
			t.Errorf("%d attachments listed, want 3", len(d.Attachments))
		}
		for _, a := range d.Attachments {
			if a.FromCitizen {
				t.Errorf("attachment %d of an officer's step counted as the citizen's", a.ID)
			}
		}
		png := byKind[crimesource.ActCheck][1]
		if png.ContentType != "image/png" || !png.Stripped {
			t.Errorf("photo of the check: %+v, want a PNG with its metadata stripped", png)
		}
		pdf := byKind[crimesource.ActRegister][0]
		// At rest the file is sealed.
		raw := e.storedFile(t, pdf.ID)
		if b, err := os.ReadFile(raw); err != nil || bytes.Contains(b, []byte("%PDF")) {
			t.Errorf("the stored file %s holds the document in clear (%v)", raw, err)
		}

		// Opened by those who see the source, and each opening is logged.
		for officer, want := range map[string]errs.Code{
			communeT0101: "",
			investig01:   "",
			procuracy01:  "",
			ministryVN:   "",
			communeT0102: errs.NotFound,
			investig79:   errs.NotFound,
		} {
			data, ct, err := e.svc.File(e.ctx, e.actor(t, officer), pdf.ID)
			switch {
			case want == "" && (err != nil || ct != "application/pdf" || !bytes.Equal(data, onePDF)):
				t.Errorf("%s opens the record: %q, %d bytes, %v", officer, ct, len(data), err)
			case want != "":
				wantErr(t, err, want, "")
				if data != nil {
					t.Errorf("%s was refused but got %d bytes", officer, len(data))
				}
			}
		}
		if _, _, err := e.svc.File(e.ctx, crimesource.Actor{}, pdf.ID); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("a citizen opens an officer's document: %v, want Unauthorized", err)
		}
		if data, _, err := e.svc.File(e.ctx, e.actor(t, investig01), png.ID); err != nil || !bytes.HasPrefix(data, pngMagic) || bytes.Contains(data, []byte(gpsNote)) {
			t.Errorf("photo opened: %d bytes, %v; want a PNG without the location note", len(data), err)
		}
		if n := e.count(t, "audit_log", "action = 'file.view' AND object = ?", "attachment:"+itoa(pdf.ID)); n != 4 {
			t.Errorf("%d audit entries for the record, want one per officer who opened it (4)", n)
		}

		// A step with a file that is not a document fails whole: no event,
		// no attachment, no file left behind.
		events, files, onDisk := e.count(t, "source_events"), e.count(t, "attachments"), e.filesOnDisk(t)
		err = e.svc.Act(e.ctx, e.actor(t, communeT0101), rec.ID, crimesource.Action{Kind: crimesource.ActNote, Note: "Kèm tệp lạ",
			Files: []crimesource.Upload{{Name: "a.pdf", Data: onePDF}, {Name: "virus.exe", Data: []byte("MZ\x90\x00 program")}}})
		wantErr(t, err, errs.Invalid, "attachments")
		if e.count(t, "source_events") != events || e.count(t, "attachments") != files || e.filesOnDisk(t) != onDisk {
			t.Errorf("a refused step left events, attachments or files behind")
		}
		// A step on a source the officer does not see stores nothing either.
		err = e.svc.Act(e.ctx, e.actor(t, communeT0101), other.ID, crimesource.Action{Kind: crimesource.ActNote, Note: "Không phải của tôi",
			Files: []crimesource.Upload{{Name: "a.pdf", Data: onePDF}}})
		wantErr(t, err, errs.NotFound, "")
		if e.count(t, "attachments") != files || e.filesOnDisk(t) != onDisk {
			t.Errorf("a step refused for scope left attachments or files behind")
		}
	})
}

// TestOfficerEntries: an officer enters sources of every channel and kind;
// each is stored as entered, and what a kind or channel needs is required.
func TestOfficerEntries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		reporter := func() *crimesource.Reporter {
			return &crimesource.Reporter{FullName: "Lê Văn Cường", IDNumber: "001088004321", Phone: "0987654321", Address: "Số 5 ngõ Mẫu"}
		}
		type entry struct {
			kind, channel, org, postmark string
			anonymous, identity          bool
		}
		good := []entry{
			{kind: crimesource.KindDenunciation, channel: "walk_in", identity: true},
			{kind: crimesource.KindDenunciation, channel: "phone", anonymous: true},
			{kind: crimesource.KindDenunciation, channel: "mail", identity: true, postmark: "2026-11-27"},
			{kind: crimesource.KindReport, channel: "agency", org: "Ủy ban nhân dân phường Mẫu Một"},
			{kind: crimesource.KindReport, channel: "media", org: "Báo Công an Nhân dân"},
			{kind: crimesource.KindPetition, channel: "petition", org: "Thanh tra Thành phố Hà Nội"},
			{kind: crimesource.KindReport, channel: "transfer_in", org: "Viện kiểm sát nhân dân khu vực 1"},
			{kind: crimesource.KindDenunciation, channel: "transfer_in", org: "Tòa án nhân dân khu vực 1", identity: true},
			// A person's paper passed on by a detention facility.
			{kind: crimesource.KindDenunciation, channel: "transfer_in", identity: true},
			{kind: crimesource.KindReport, channel: "walk_in", org: "Trường THCS Mẫu Một"},
			{kind: crimesource.KindReport, channel: "phone", anonymous: true},
			{kind: crimesource.KindPetition, channel: "mail", org: "Kiểm toán Nhà nước khu vực I", postmark: "2026-11-28"},
		}
		officer := e.actor(t, communeT0101)
		for i, c := range good {
			in := report("T0101", "Nội dung nguồn tin nhập tại trụ sở số "+itoa(int64(i+1)))
			in.Kind, in.Channel, in.ReporterOrg, in.PostmarkedOn, in.Anonymous = c.kind, c.channel, c.org, c.postmark, c.anonymous
			if c.identity {
				in.Reporter = reporter()
			}
			rec, err := e.svc.Submit(e.ctx, in, officer)
			if err != nil {
				t.Errorf("%s via %s: %v", c.kind, c.channel, err)
				continue
			}
			if rec.ReceiptCode != "" {
				t.Errorf("%s via %s: an officer's entry got a citizen's receipt code", c.kind, c.channel)
			}
			if rec.RegisterNo != i+1 {
				t.Errorf("%s via %s: register number %d, want %d", c.kind, c.channel, rec.RegisterNo, i+1)
			}
			v := e.sourceCols(t, rec.ID, "kind", "channel", "reporter_org", "postmarked_on", "anonymous", "COALESCE(created_by, 0)",
				"CASE WHEN receipt_hash IS NULL THEN 'none' ELSE 'set' END")
			anon := "0"
			if !c.identity {
				anon = "1"
			}
			if want := []string{c.kind, c.channel, c.org, c.postmark, anon, itoa(officer.UserID), "none"}; strings.Join(v, "|") != strings.Join(want, "|") {
				t.Errorf("%s via %s stored as %q, want %q", c.kind, c.channel, v, want)
			}
			if recv, hold := e.unitOf(t, rec.ID); recv != "CA-T0101" || hold != "CA-T0101" {
				t.Errorf("%s via %s: received by %s, held by %s", c.kind, c.channel, recv, hold)
			}
			d, err := e.svc.Get(e.ctx, officer, rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind != c.kind || d.Channel != c.channel || d.ReporterOrg != c.org || d.HasIdentity != c.identity {
				t.Errorf("%s via %s: page shows %s via %s, org %q, identity %v", c.kind, c.channel, d.Kind, d.Channel, d.ReporterOrg, d.HasIdentity)
			}
			if ev := d.Events[0]; ev.Kind != "received" || !strings.Contains(ev.Note, crimesource.ChannelName(c.channel)) || ev.Actor != communeT0101 {
				t.Errorf("%s via %s: receipt event %+v", c.kind, c.channel, ev)
			}
		}

		// An investigator enters one for the province as a whole.
		in := report("", "Kiến nghị khởi tố về sai phạm trong đấu thầu")
		in.ProvinceCode, in.Kind, in.Channel, in.ReporterOrg = "01", crimesource.KindPetition, "petition", "Thanh tra Chính phủ"
		rec := e.submit(t, in, investig01)
		if recv, _ := e.unitOf(t, rec.ID); recv != "CA-01" {
			t.Errorf("investigator's entry received by %s, want CA-01", recv)
		}

		bad := []struct {
			name  string
			edit  func(in *crimesource.Intake)
			field string
		}{
			{"petition without the recommending body", func(in *crimesource.Intake) {
				in.Kind, in.Channel = crimesource.KindPetition, "petition"
			}, "reporter_org"},
			{"recommendation by post without the body", func(in *crimesource.Intake) {
				in.Kind, in.Channel = crimesource.KindPetition, "mail"
			}, "reporter_org"},
			{"agency without its name", func(in *crimesource.Intake) { in.Kind, in.Channel = crimesource.KindReport, "agency" }, "reporter_org"},
			{"media without the outlet", func(in *crimesource.Intake) { in.Kind, in.Channel = crimesource.KindReport, "media" }, "reporter_org"},
			{"a person's denunciation through the media", func(in *crimesource.Intake) {
				in.Kind, in.Channel, in.ReporterOrg = crimesource.KindDenunciation, "media", "Báo Mẫu"
			}, "kind"},
			{"a denunciation by an agency", func(in *crimesource.Intake) {
				in.Kind, in.Channel, in.ReporterOrg = crimesource.KindDenunciation, "agency", "Ủy ban Mẫu"
			}, "kind"},
			{"the petition channel for a report", func(in *crimesource.Intake) {
				in.Kind, in.Channel, in.ReporterOrg = crimesource.KindReport, "petition", "Thanh tra Mẫu"
			}, "kind"},
			{"a recommendation by phone", func(in *crimesource.Intake) {
				in.Kind, in.Channel, in.ReporterOrg = crimesource.KindPetition, "phone", "Thanh tra Mẫu"
			}, "kind"},
			{"postmark on a walk-in", func(in *crimesource.Intake) { in.Channel, in.PostmarkedOn = "walk_in", "2026-11-27" }, "postmarked_on"},
			{"a named denunciation without the name", func(in *crimesource.Intake) { in.Channel, in.Anonymous = "walk_in", false }, "reporter.full_name"},
			{"unknown kind", func(in *crimesource.Intake) { in.Kind, in.Channel = "to_cao", "walk_in" }, "kind"},
			{"unknown channel", func(in *crimesource.Intake) { in.Channel = "fax" }, "channel"},
		}
		sources := e.count(t, "sources")
		for _, tc := range bad {
			in := report("T0101", "Nguồn tin thiếu thông tin bắt buộc")
			tc.edit(&in)
			_, err := e.svc.Submit(e.ctx, in, officer)
			if de, ok := errs.As(err); !ok || de.Code != errs.Invalid || de.Field != tc.field || de.Message == "" {
				t.Errorf("%s: %v, want Invalid on %s", tc.name, err, tc.field)
			}
		}
		if n := e.count(t, "sources"); n != sources {
			t.Errorf("refused entries stored %d sources", n-sources)
		}
	})
}
