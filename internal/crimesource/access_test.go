package crimesource_test

import (
	"strings"
	"testing"

	"toandan/internal/audit"
	"toandan/internal/crimesource"
	"toandan/internal/errs"
)

// inInbox reports whether the officer's first inbox page lists source id.
func (e *env) inInbox(t *testing.T, officer string, id int64) bool {
	t.Helper()
	p, err := e.svc.Inbox(e.ctx, e.actor(t, officer), crimesource.Filter{Limit: 200})
	if err != nil {
		t.Fatalf("inbox of %s: %v", officer, err)
	}
	for _, r := range p.Rows {
		if r.ID == id {
			return true
		}
	}
	return false
}

func TestAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		in := report("T0101", "Cho vay nặng lãi, đe dọa con nợ")
		in.Files = []crimesource.Upload{{Name: "anh.png", Data: tinyPNG(t)}}
		rec := e.submit(t, in)
		other := e.submit(t, report("T7901", "Cho vay nặng lãi ở Hồ Chí Minh"))
		var fileID int64
		if err := e.db.QueryRow(e.ctx, "SELECT id FROM attachments WHERE source_id = ?", rec.ID).Scan(&fileID); err != nil {
			t.Fatal(err)
		}
		note := crimesource.Action{Kind: crimesource.ActNote, Note: "Đã gọi điện cho người báo tin"}
		register := crimesource.Action{Kind: crimesource.ActRegister}

		type want struct {
			sees bool      // Get, Inbox, File
			act  errs.Code // of a note; "" when allowed
		}
		cases := []struct {
			officer string
			want    want
		}{
			{communeT0101, want{true, ""}},
			{communeT0102, want{false, errs.NotFound}}, // another commune of the same province
			{communeT7901, want{false, errs.NotFound}}, // a commune of another province
			{province01, want{true, errs.Forbidden}},   // movement staff: read only
			{procuracy01, want{true, errs.Forbidden}},  // supervises, read only
			{investig01, want{true, ""}},               // the province's investigation body
			{investig79, want{false, errs.NotFound}},   // another province's
			{ministryVN, want{true, errs.Forbidden}},   // sees the country, notes nothing
		}
		for _, tc := range cases {
			t.Run(tc.officer, func(t *testing.T) {
				a := e.actor(t, tc.officer)
				if got := e.inInbox(t, tc.officer, rec.ID); got != tc.want.sees {
					t.Errorf("inbox lists the source: %v, want %v", got, tc.want.sees)
				}
				_, err := e.svc.Get(e.ctx, a, rec.ID)
				_, _, ferr := e.svc.File(e.ctx, a, fileID)
				if tc.want.sees {
					if err != nil || ferr != nil {
						t.Errorf("Get: %v, File: %v; want both allowed", err, ferr)
					}
				} else {
					wantErr(t, err, errs.NotFound, "")
					wantErr(t, ferr, errs.NotFound, "")
					// Not even a refused action tells that it exists.
					wantErr(t, e.svc.Act(e.ctx, a, rec.ID, register), errs.NotFound, "")
				}
				err = e.svc.Act(e.ctx, a, rec.ID, note)
				if tc.want.act == "" {
					if err != nil {
						t.Errorf("note: %v", err)
					}
				} else {
					wantErr(t, err, tc.want.act, "")
				}
			})
		}
		// Only the province's own bodies see its sources, and a Hà Nội
		// officer sees nothing of Hồ Chí Minh.
		for _, officer := range []string{communeT0101, province01, investig01, procuracy01} {
			if e.inInbox(t, officer, other.ID) {
				t.Errorf("%s sees a source of province 79", officer)
			}
		}

		// Read-only roles can take no action at all.
		for _, officer := range []string{province01, procuracy01} {
			for _, kind := range []string{crimesource.ActRegister, crimesource.ActMessage, crimesource.ActNote, crimesource.ActTransfer, crimesource.ActDecide} {
				err := e.svc.Act(e.ctx, e.actor(t, officer), rec.ID, crimesource.Action{Kind: kind, Note: "x x x x x", Message: "Xin chào"})
				wantErr(t, err, errs.Forbidden, "")
			}
		}

		// Every view is in the audit log.
		views := e.count(t, "audit_log", "action = 'source.view' AND object = ?", "source:"+rec.TrackingCode)
		pa := e.actor(t, procuracy01)
		if _, err := e.svc.Get(e.ctx, pa, rec.ID); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, "audit_log", "action = 'source.view' AND object = ? AND actor = ?", "source:"+rec.TrackingCode, audit.Actor(pa.UserID)); n != 2 {
			t.Errorf("%d views by the procuracy logged, want 2", n)
		}
		if n := e.count(t, "audit_log", "action = 'source.view' AND object = ?", "source:"+rec.TrackingCode); n != views+1 {
			t.Errorf("one view logged %d entries", n-views)
		}

		// Nobody signed in sees anything.
		_, err := e.svc.Inbox(e.ctx, crimesource.Actor{}, crimesource.Filter{})
		wantErr(t, err, errs.Unauthorized, "")
		_, err = e.svc.Get(e.ctx, crimesource.Actor{}, rec.ID)
		wantErr(t, err, errs.Unauthorized, "")

		// After the transfer the commune still sees what it received, but the
		// investigation body handles it now.
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActTransfer})
		if !e.inInbox(t, communeT0101, rec.ID) {
			t.Error("the receiving commune no longer lists the source")
		}
		if _, err := e.svc.Get(e.ctx, e.actor(t, communeT0101), rec.ID); err != nil {
			t.Errorf("the receiving commune cannot open the source: %v", err)
		}
		for _, a := range []crimesource.Action{
			register,
			{Kind: crimesource.ActTransfer},
			{Kind: crimesource.ActTransferAgency, Agency: "Chi cục Hải quan"},
			{Kind: crimesource.ActMerge, Target: other.TrackingCode},
		} {
			err := e.svc.Act(e.ctx, e.actor(t, communeT0101), rec.ID, a)
			wantErr(t, err, errs.Forbidden, "")
			if de, _ := errs.As(err); !strings.Contains(de.Message, "đang do đơn vị khác giải quyết") {
				t.Errorf("%s: message %q does not say another unit handles it", a.Kind, de.Message)
			}
		}
		if s := e.status(t, rec.ID); s != crimesource.StatusVerifying {
			t.Errorf("status %s after refused actions", s)
		}
		// The investigation body of another province still sees nothing.
		if e.inInbox(t, investig79, rec.ID) {
			t.Error("investigator of 79 sees the transferred source")
		}
		// T0102 still sees nothing of it.
		_, err = e.svc.Get(e.ctx, e.actor(t, communeT0102), rec.ID)
		wantErr(t, err, errs.NotFound, "")
	})
}
