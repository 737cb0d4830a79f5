package crimesource_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"toandan/internal/audit"
	"toandan/internal/crimesource"
)

// purgeRows counts the rows a source leaves in every table that hangs off
// it.
func (e *env) purgeRows(t testing.TB, id int64, deadlineIDs []int64) map[string]int {
	t.Helper()
	out := map[string]int{
		"sources":          e.count(t, "sources", "id = ?", id),
		"source_events":    e.count(t, "source_events", "source_id = ?", id),
		"source_messages":  e.count(t, "source_messages", "source_id = ?", id),
		"attachments":      e.count(t, "attachments", "source_id = ?", id),
		"source_deadlines": e.count(t, "source_deadlines", "source_id = ?", id),
		"reminders":        0,
	}
	for _, d := range deadlineIDs {
		out["reminders"] += e.count(t, "reminders", "deadline_id = ?", d)
	}
	return out
}

func (e *env) deadlineIDs(t testing.TB, id int64) []int64 {
	t.Helper()
	rows, err := e.db.Query(e.ctx, "SELECT id FROM source_deadlines WHERE source_id = ?", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func (e *env) storedFiles(t testing.TB, id int64) []string {
	t.Helper()
	rows, err := e.db.Query(e.ctx, "SELECT id FROM attachments WHERE source_id = ? ORDER BY id", id)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var a int64
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a)
	}
	rows.Close()
	var out []string
	for _, a := range ids {
		out = append(out, e.storedFile(t, a))
	}
	return out
}

func (e *env) purgeAudits(t testing.TB) []string {
	t.Helper()
	rows, err := e.db.Query(e.ctx, "SELECT actor, object, detail FROM audit_log WHERE action = 'source.purge' ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, o, d string
		if err := rows.Scan(&a, &o, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, a+" "+o+" "+d)
	}
	return out
}

func (e *env) verifyAudit(t testing.TB) {
	t.Helper()
	n, problem, err := audit.Verify(e.ctx, e.db)
	if err != nil || problem != nil {
		t.Fatalf("audit chain (%d entries): %v %v", n, problem, err)
	}
}

// TestPurge: sources closed before the cut-off go with everything that
// hangs off them, their stored files included; open sources and sources
// closed since stay; each purge is audited; merged duplicates go with or
// before their target, and a target whose duplicate is kept is kept too.
func TestPurge(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		transferOut := func(id int64) {
			e.act(t, communeT0101, id, crimesource.Action{Kind: crimesource.ActTransferAgency, Agency: "Chi cục Quản lý thị trường"})
		}
		merge := func(dup, into crimesource.Receipt) {
			e.act(t, communeT0101, dup.ID, crimesource.Action{Kind: crimesource.ActMerge, Target: into.TrackingCode})
		}

		// August 2025: these close long before the cut-off.
		e.clk.Set(vn(2025, 8, 1, 9, 0))
		in := report("T0101", "Lừa đảo chuyển khoản, bí mật riêng của người báo")
		in.Files = []crimesource.Upload{{Name: "a.png", Data: tinyPNG(t)}}
		old := e.submit(t, in)
		if _, err := e.svc.Reply(e.ctx, old.ReceiptCode, "Ảnh chụp thêm", []crimesource.Upload{{Name: "b.png", Data: tinyPNG(t)}}); err != nil {
			t.Fatal(err)
		}
		e.act(t, communeT0101, old.ID, crimesource.Action{Kind: crimesource.ActMessage, Message: "Đề nghị anh chị đến trụ sở"})
		e.clk.Set(vn(2025, 8, 7, 9, 0))
		if n, err := e.svc.RecordReminders(e.ctx); err != nil || n == 0 {
			t.Fatalf("reminders: %d, %v", n, err)
		}
		openOld := e.submit(t, report("T0101", "Nguồn tin cũ còn đang giải quyết"))
		target := e.submit(t, report("T0101", "Đánh bạc ở quán nước, tin gốc"))
		dup := e.submit(t, report("T0101", "Đánh bạc ở quán nước, tin trùng"))
		merge(dup, target)
		transferOut(target.ID)
		// A chain: q merged into p, both closed; r is merged into q only
		// in 2026, after the cut-off.
		p := e.submit(t, report("T0101", "Trộm cắp tài sản, tin gốc của chuỗi"))
		q := e.submit(t, report("T0101", "Trộm cắp tài sản, tin trùng thứ nhất"))
		r := e.submit(t, report("T0101", "Trộm cắp tài sản, tin trùng thứ hai"))
		merge(q, p)
		transferOut(p.ID)
		e.clk.Set(vn(2025, 8, 10, 9, 0))
		transferOut(old.ID)

		// November 2026: closed after the cut-off.
		e.clk.Set(vn(2026, 11, 30, 10, 0))
		in = report("T0101", "Nguồn tin mới đóng gần đây")
		in.Files = []crimesource.Upload{{Name: "c.png", Data: tinyPNG(t)}}
		recent := e.submit(t, in)
		transferOut(recent.ID)
		merge(r, q)

		gone := []crimesource.Receipt{old, target, dup}
		kept := []crimesource.Receipt{openOld, p, q, r, recent}
		deadlines := map[int64][]int64{}
		var goneFiles, keptFiles []string
		for _, s := range gone {
			deadlines[s.ID] = e.deadlineIDs(t, s.ID)
			goneFiles = append(goneFiles, e.storedFiles(t, s.ID)...)
		}
		for _, s := range kept {
			keptFiles = append(keptFiles, e.storedFiles(t, s.ID)...)
		}
		if len(goneFiles) != 2 || len(keptFiles) != 1 || e.purgeRows(t, old.ID, deadlines[old.ID])["reminders"] == 0 ||
			e.purgeRows(t, old.ID, nil)["source_messages"] < 2 {
			t.Fatalf("fixture: %d files to go, %d to keep, rows of the old source %v", len(goneFiles), len(keptFiles), e.purgeRows(t, old.ID, deadlines[old.ID]))
		}
		for _, f := range append(goneFiles, keptFiles...) {
			if _, err := os.Stat(f); err != nil {
				t.Fatalf("fixture file: %v", err)
			}
		}
		onDisk := e.filesOnDisk(t)
		keptRows := map[int64]map[string]int{}
		for _, s := range kept {
			keptRows[s.ID] = e.purgeRows(t, s.ID, e.deadlineIDs(t, s.ID))
		}

		cut := vn(2026, 1, 1, 0, 0)
		res, err := e.svc.Purge(e.ctx, cut, "system")
		if err != nil {
			t.Fatalf("purge: %v", err)
		}
		if res.Sources != 3 || res.Attachments != 2 || res.Files != 2 || len(res.FileErrors) != 0 || res.Held != 2 {
			t.Errorf("purge result %+v; want 3 sources, 2 attachments, 2 files, 2 held", res)
		}
		for _, s := range gone {
			for table, n := range e.purgeRows(t, s.ID, deadlines[s.ID]) {
				if n != 0 {
					t.Errorf("source %s purged but %d rows left in %s", s.TrackingCode, n, table)
				}
			}
		}
		for _, f := range goneFiles {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("stored file %s of a purged source: %v", f, err)
			}
		}
		for _, f := range keptFiles {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("stored file of a kept source: %v", err)
			}
		}
		if n := e.filesOnDisk(t); n != onDisk-2 {
			t.Errorf("%d files on disk after purge, want %d", n, onDisk-2)
		}
		for _, s := range kept {
			if got := e.purgeRows(t, s.ID, e.deadlineIDs(t, s.ID)); fmt.Sprint(got) != fmt.Sprint(keptRows[s.ID]) {
				t.Errorf("kept source %s: rows %v, were %v", s.TrackingCode, got, keptRows[s.ID])
			}
		}
		var qInto, rInto int64
		if err := e.db.QueryRow(e.ctx, "SELECT (SELECT merged_into FROM sources WHERE id = ?), (SELECT merged_into FROM sources WHERE id = ?)", q.ID, r.ID).Scan(&qInto, &rInto); err != nil {
			t.Fatal(err)
		}
		if qInto != p.ID || rInto != q.ID {
			t.Errorf("kept merge links: q→%d r→%d, want q→%d r→%d", qInto, rInto, p.ID, q.ID)
		}
		audits := e.purgeAudits(t)
		var objects []string
		for _, a := range audits {
			f := strings.Fields(a)
			objects = append(objects, f[1])
			if f[0] != "system" || !strings.Contains(a, "register=") || !strings.Contains(a, "closed=2025-08-") {
				t.Errorf("audit entry %q", a)
			}
			if strings.Contains(a, "Lừa đảo") || strings.Contains(a, "Đánh bạc") || strings.Contains(a, "bí mật") {
				t.Errorf("audit entry holds the report's text: %q", a)
			}
		}
		slices.Sort(objects)
		want := []string{"source:" + old.TrackingCode, "source:" + target.TrackingCode, "source:" + dup.TrackingCode}
		slices.Sort(want)
		if !slices.Equal(objects, want) {
			t.Errorf("purge audit objects %v, want %v", objects, want)
		}
		e.verifyAudit(t)
		if _, err := e.svc.Lookup(e.ctx, old.ReceiptCode); err == nil {
			t.Error("the receipt code of a purged source still finds it")
		}

		// Nothing more is due: a second run removes nothing.
		res, err = e.svc.Purge(e.ctx, cut, "system")
		if err != nil || res.Sources != 0 || res.Held != 2 {
			t.Errorf("second purge: %+v, %v", res, err)
		}

		// Later, the whole chain is due and goes together. A stored file
		// that cannot be removed is reported, not fatal.
		recentFiles := e.storedFiles(t, recent.ID)
		if err := os.Remove(recentFiles[0]); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(recentFiles[0], "blocker"), 0o700); err != nil {
			t.Fatal(err)
		}
		res, err = e.svc.Purge(e.ctx, vn(2026, 12, 1, 0, 0), "user:1")
		if err != nil {
			t.Fatalf("purge of the chain: %v", err)
		}
		if res.Sources != 4 || res.Held != 0 || res.Files != 0 || len(res.FileErrors) != 1 || !strings.Contains(res.FileErrors[0], filepath.Base(recentFiles[0])) {
			t.Errorf("purge of the chain: %+v; want 4 sources, 1 file error", res)
		}
		if n := e.count(t, "sources", "status <> 'received'"); n != 0 {
			t.Errorf("%d closed sources left", n)
		}
		if n := e.count(t, "sources"); n != 1 {
			t.Errorf("%d sources left, want the open one", n)
		}
		if n := len(e.purgeAudits(t)); n != 7 {
			t.Errorf("%d purge audit entries, want 7", n)
		}
		e.verifyAudit(t)
	})
}

// TestPurgeBatches: more sources than one transaction takes, with a
// duplicate far from its target, all go, each audited once.
func TestPurgeBatches(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.clk.Set(vn(2025, 8, 1, 9, 0))
		first := e.submit(t, report("T0101", "Tin gốc của nhóm trùng lặp"))
		var ids []int64
		for i := range 230 {
			ids = append(ids, e.submit(t, report("T0101", fmt.Sprintf("Nguồn tin số %d để thử xóa theo lô", i))).ID)
		}
		e.act(t, communeT0101, ids[len(ids)-1], crimesource.Action{Kind: crimesource.ActMerge, Target: first.TrackingCode})
		for _, id := range append([]int64{first.ID}, ids[:len(ids)-1]...) {
			e.act(t, communeT0101, id, crimesource.Action{Kind: crimesource.ActTransferAgency, Agency: "Cơ quan khác"})
		}
		e.clk.Set(vn(2026, 11, 30, 10, 0))
		res, err := e.svc.Purge(e.ctx, vn(2026, 1, 1, 0, 0), "system")
		if err != nil {
			t.Fatalf("purge: %v", err)
		}
		if res.Sources != 231 || e.count(t, "sources") != 0 || len(e.purgeAudits(t)) != 231 {
			t.Errorf("purge: %+v, %d sources left, %d audit entries", res, e.count(t, "sources"), len(e.purgeAudits(t)))
		}
		e.verifyAudit(t)
	})
}

// TestPurgeRetentionJob: the job purges at start with the configured
// number of days, and does nothing with 0 days.
func TestPurgeRetentionJob(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.clk.Set(vn(2025, 8, 1, 9, 0))
		s := e.submit(t, report("T0101", "Nguồn tin để thử việc xóa định kỳ"))
		e.act(t, communeT0101, s.ID, crimesource.Action{Kind: crimesource.ActTransferAgency, Agency: "Cơ quan khác"})
		e.clk.Set(vn(2026, 11, 30, 10, 0))
		log := slog.New(slog.DiscardHandler)
		e.svc.RetentionJob(e.ctx, 0, time.Hour, log) // returns at once
		if e.count(t, "sources") != 1 {
			t.Fatal("retention 0 purged")
		}
		if got := crimesource.RetentionCutoff(e.clk.Now(), 365); !got.Equal(vn(2025, 11, 30, 0, 0)) {
			t.Errorf("cut-off 365 days before 30/11/2026: %v", got)
		}
		ctx, cancel := context.WithCancel(e.ctx)
		done := make(chan struct{})
		go func() { e.svc.RetentionJob(ctx, 365, time.Hour, log); close(done) }()
		deadline := time.Now().Add(10 * time.Second)
		for e.count(t, "sources") != 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		<-done
		if e.count(t, "sources") != 0 {
			t.Error("the job did not purge a source closed 16 months ago with 365 days' retention")
		}
		var actor string
		if err := e.db.QueryRow(e.ctx, "SELECT actor FROM audit_log WHERE action = 'source.purge'").Scan(&actor); err != nil || actor != "system" {
			t.Errorf("job audit actor %q, %v", actor, err)
		}
	})
}
