package recognition_test

import (
	"bytes"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"

	"toandan/internal/audit"
	"toandan/internal/errs"
	"toandan/internal/recognition"
)

// pngFile is a whole one-pixel PNG: evidence images are cleaned of their
// metadata, which needs a file that decodes.
var pngFile = func() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 1, 1))); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

// TestCommuneRecognition follows a commune through its year: the automatic
// checks of criteria 1 and 4 refuse a "met" the data contradicts, the
// province returns the file, the commune assesses again and the province
// recognises it.
func TestCommuneRecognition(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		xa, tinh := e.user(t, "xa-t0101"), e.user(t, "tinh-01")
		a1 := e.area(t, "T0101", "Tổ dân phố 1")
		a2 := e.area(t, "T0101", "Tổ dân phố 2")
		m, err := e.svc.CreateModel(e.ctx, xa, "T0101", recognition.ModelInput{Name: "Camera an ninh", TypeCode: "camera_an_ninh", StartedOn: "2025-01-01"})
		must(t, err)

		cc, err := e.svc.Register(e.ctx, xa, 2026, recognition.KindCommune, "T0101")
		must(t, err)
		if cc.Status != recognition.StatusRegistered || cc.CommuneCode != "T0101" || cc.SubjectCode != "T0101" {
			t.Fatalf("registered %+v", cc)
		}
		_, err = e.svc.Register(e.ctx, xa, 2026, recognition.KindCommune, "T0101")
		wantCode(t, err, errs.Conflict)

		_, err = e.svc.Assess(e.ctx, xa, cc.ID, "1", true, "Nghị quyết số 01-NQ/ĐU", &recognition.File{Name: `C:\tai lieu\nghi-quyet.png`, Data: pngFile})
		must(t, err)
		_, err = e.svc.Assess(e.ctx, xa, cc.ID, "2", true, "", &recognition.File{Name: "ghi-chu.txt", Data: []byte("chỉ là văn bản")})
		wantField(t, err, "file")
		_, err = e.svc.Assess(e.ctx, xa, cc.ID, "9", true, "", nil)
		wantField(t, err, "criterion")
		// Not every criterion assessed yet.
		_, err = e.svc.Submit(e.ctx, xa, cc.ID)
		wantCode(t, err, errs.Invalid)
		contains(t, errs.Message(err), "Chưa tự đánh giá tiêu chí 2, 3, 4")
		e.assessAll(t, xa, cc)

		// No effective model, no residential area registered.
		_, err = e.svc.Submit(e.ctx, xa, cc.ID)
		wantCode(t, err, errs.Invalid)
		contains(t, errs.Message(err), "Tiêu chí 1: Phường Mẫu Một chưa có mô hình tự quản nào được đánh giá hoạt động hiệu quả trong năm 2026",
			"Tiêu chí 4: còn 2/2 khu dân cư", "cần 100% đăng ký")

		_, err = e.svc.Evaluate(e.ctx, xa, m.ID, "2026-H1", true, "")
		must(t, err)
		e.run(t, 2026, recognition.KindResidentialArea, itoa(a1.ID), recognition.StatusRecognised)
		ac2, err := e.svc.Register(e.ctx, xa, 2026, recognition.KindResidentialArea, itoa(a2.ID))
		must(t, err)
		_, err = e.svc.Submit(e.ctx, xa, cc.ID)
		wantCode(t, err, errs.Invalid)
		if msg := errs.Message(err); strings.Contains(msg, "Tiêu chí 1") {
			t.Fatalf("criterion 1 refused with an effective model: %s", msg)
		}
		contains(t, errs.Message(err), "Tiêu chí 4: mới có 1/2 khu dân cư đã đăng ký của Phường Mẫu Một (50%) được công nhận", "cần ít nhất 70%")

		e.assessAll(t, xa, ac2)
		_, err = e.svc.Submit(e.ctx, xa, ac2.ID)
		must(t, err)
		_, err = e.svc.Decide(e.ctx, tinh, ac2.ID, true, "")
		must(t, err)
		cc, err = e.svc.Submit(e.ctx, xa, cc.ID)
		must(t, err)
		if cc.Status != recognition.StatusSubmitted {
			t.Fatalf("status %s", cc.Status)
		}
		_, err = e.svc.Assess(e.ctx, xa, cc.ID, "3", true, "", nil)
		wantCode(t, err, errs.Conflict)

		// The province returns the file with a reason.
		_, err = e.svc.Decide(e.ctx, tinh, cc.ID, false, "  ")
		wantField(t, err, "note")
		cc, err = e.svc.Decide(e.ctx, tinh, cc.ID, false, "Bổ sung minh chứng tiêu chí 3.")
		must(t, err)
		if cc.Status != recognition.StatusReturned || e.status(t, cc.ID) != recognition.StatusReturned {
			t.Fatalf("returned: %+v", cc)
		}
		_, err = e.svc.Decide(e.ctx, tinh, cc.ID, true, "")
		wantCode(t, err, errs.Conflict)

		// The commune assesses again (keeping the file of criterion 1) and
		// submits; the province recognises it.
		_, err = e.svc.Assess(e.ctx, xa, cc.ID, "3", true, "Biên bản kiểm tra của Công an tỉnh", nil)
		must(t, err)
		_, err = e.svc.Assess(e.ctx, xa, cc.ID, "1", true, "Nghị quyết và kế hoạch", nil)
		must(t, err)
		_, err = e.svc.Submit(e.ctx, xa, cc.ID)
		must(t, err)
		cc, err = e.svc.Decide(e.ctx, tinh, cc.ID, true, "Đủ điều kiện.")
		must(t, err)
		if cc.Status != recognition.StatusRecognised || cc.DecidedBy != tinh.ID || cc.DecidedAt.IsZero() {
			t.Fatalf("decided %+v", cc)
		}
		_, err = e.svc.Decide(e.ctx, tinh, cc.ID, true, "")
		wantCode(t, err, errs.Conflict)

		d, err := e.svc.Cycle(e.ctx, tinh, cc.ID)
		must(t, err)
		if d.Subject != "Phường Mẫu Một" || len(d.Assessments) != 4 || d.Set.SubjectKind != recognition.KindCommune {
			t.Fatalf("detail: subject %q, %d assessments", d.Subject, len(d.Assessments))
		}
		if a := d.Assessments[0]; a.FileName != "nghi-quyet.png" || a.FileType != "image/png" || a.Evidence != "Nghị quyết và kế hoạch" {
			t.Fatalf("criterion 1 assessment: %+v", a)
		}
		f, err := e.svc.AssessmentFile(e.ctx, tinh, cc.ID, "1")
		must(t, err)
		if !bytes.Equal(f.Data, pngFile) || f.Name != "nghi-quyet.png" || f.Type != "image/png" {
			t.Fatalf("file: %q %q %d bytes", f.Name, f.Type, len(f.Data))
		}
		_, err = e.svc.AssessmentFile(e.ctx, tinh, cc.ID, "2")
		wantCode(t, err, errs.NotFound)

		var kinds []string
		for _, ev := range d.Events {
			kinds = append(kinds, ev.Kind)
		}
		want := []string{"registered", "assessed", "assessed", "assessed", "assessed", "assessed", "submitted", "returned", "assessed", "assessed", "submitted", "recognised"}
		if !slices.Equal(kinds, want) {
			t.Fatalf("events %v\nwant   %v", kinds, want)
		}
		for _, ev := range d.Events {
			if ev.Actor == "" || ev.At.IsZero() {
				t.Fatalf("event without actor or time: %+v", ev)
			}
		}
		if n := e.count(t, "audit_log", "object = ? AND action LIKE 'recognition.%'", "recognition_cycle:"+itoa(cc.ID)); n != len(want) {
			t.Fatalf("audit entries for the cycle: %d, want %d", n, len(want))
		}
		_, problem, err := audit.Verify(e.ctx, e.db)
		must(t, err)
		if problem != nil {
			t.Fatalf("audit chain: %s", problem)
		}
		n, err := e.svc.Indicator(e.ctx, recognition.CommunesRecognisedPct, "T0101", 2026)
		must(t, err)
		if n != 100 {
			t.Fatalf("communes recognised in T0101: %v%%", n)
		}
	})
}

// TestNotRecognised: approval recognises only when every criterion is met,
// by the self-assessment and by the data at the time of the decision.
func TestNotRecognised(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		xa2, tinh := e.user(t, "xa-t0102"), e.user(t, "tinh-01")

		// A residential area that does not meet criterion 3.
		a := e.area(t, "T0102", "Thôn Đông")
		ac, err := e.svc.Register(e.ctx, xa2, 2026, recognition.KindResidentialArea, itoa(a.ID))
		must(t, err)
		if ac.CommuneCode != "T0102" || ac.SubjectCode != itoa(a.ID) {
			t.Fatalf("area cycle %+v", ac)
		}
		e.assessAll(t, xa2, ac, "3")
		_, err = e.svc.Submit(e.ctx, xa2, ac.ID)
		must(t, err)
		ac, err = e.svc.Decide(e.ctx, tinh, ac.ID, true, "")
		must(t, err)
		if ac.Status != recognition.StatusNotRecognised {
			t.Fatalf("status %s, want not_recognised", ac.Status)
		}
		contains(t, ac.DecisionNote, "Tiêu chí 3 không đạt")
		d, err := e.svc.Cycle(e.ctx, xa2, ac.ID)
		must(t, err)
		contains(t, d.Subject, "Thôn Đông", "Xã Mẫu Hai")

		// A commune whose model was effective when it submitted but is no
		// longer when the province decides.
		m, err := e.svc.CreateModel(e.ctx, xa2, "T0102", recognition.ModelInput{Name: "Tổ tự quản", TypeCode: "to_tu_quan", StartedOn: "2025-03-01"})
		must(t, err)
		_, err = e.svc.Evaluate(e.ctx, xa2, m.ID, "2026-H1", true, "")
		must(t, err)
		cc, err := e.svc.Register(e.ctx, xa2, 2026, recognition.KindCommune, "T0102")
		must(t, err)
		e.assessAll(t, xa2, cc, "4")
		_, err = e.svc.Submit(e.ctx, xa2, cc.ID)
		must(t, err)
		_, err = e.svc.Evaluate(e.ctx, xa2, m.ID, "2026-H2", false, "Ngừng hoạt động")
		must(t, err)
		cc, err = e.svc.Decide(e.ctx, tinh, cc.ID, true, "Xét duyệt cuối năm.")
		must(t, err)
		if cc.Status != recognition.StatusNotRecognised {
			t.Fatalf("status %s, want not_recognised", cc.Status)
		}
		contains(t, cc.DecisionNote, "Xét duyệt cuối năm.", "Tiêu chí 4 không đạt", "Tiêu chí 1: Xã Mẫu Hai chưa có mô hình tự quản")

		// A model ward file must cover every criterion, and only a ward can
		// be a model ward.
		xa := e.user(t, "xa-t0101")
		mw, err := e.svc.Register(e.ctx, xa, 2026, recognition.KindModelWard, "T0101")
		must(t, err)
		for _, code := range []string{"1", "2", "3"} {
			_, err := e.svc.Assess(e.ctx, xa, mw.ID, code, true, "", nil)
			must(t, err)
		}
		_, err = e.svc.Submit(e.ctx, xa, mw.ID)
		wantCode(t, err, errs.Invalid)
		contains(t, errs.Message(err), "Chưa tự đánh giá tiêu chí 4")
		_, err = e.svc.Register(e.ctx, xa2, 2026, recognition.KindModelWard, "T0102")
		wantField(t, err, "subject_code")
		_, err = e.svc.Register(e.ctx, xa, 2021, recognition.KindCommune, "T0101")
		wantCode(t, err, errs.NotFound)
		_, err = e.svc.Register(e.ctx, xa, 2028, recognition.KindCommune, "T0101")
		wantField(t, err, "year")
		_, err = e.svc.Register(e.ctx, xa, 2026, "school", "T0101")
		wantField(t, err, "subject_kind")
	})
}

// TestRecognitionAccess: officers act only within their unit; outside it a
// cycle is simply not found, and nothing changes.
func TestRecognitionAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		xa, xa2, tinh, tinh79, vks := e.user(t, "xa-t0101"), e.user(t, "xa-t0102"), e.user(t, "tinh-01"), e.user(t, "tinh-79"), e.user(t, "vks-01")
		a := e.area(t, "T0101", "Tổ dân phố 1")
		cc, err := e.svc.Register(e.ctx, xa, 2026, recognition.KindCommune, "T0101")
		must(t, err)

		_, err = e.svc.Register(e.ctx, xa2, 2026, recognition.KindResidentialArea, itoa(a.ID))
		wantCode(t, err, errs.NotFound)
		_, err = e.svc.Register(e.ctx, xa2, 2026, recognition.KindModelWard, "T0101")
		wantCode(t, err, errs.NotFound)
		_, err = e.svc.Cycle(e.ctx, xa2, cc.ID)
		wantCode(t, err, errs.NotFound)
		_, err = e.svc.Assess(e.ctx, xa2, cc.ID, "1", false, "", nil)
		wantCode(t, err, errs.NotFound)
		_, err = e.svc.Submit(e.ctx, xa2, cc.ID)
		wantCode(t, err, errs.NotFound)
		_, err = e.svc.Assess(e.ctx, tinh, cc.ID, "1", false, "", nil)
		wantCode(t, err, errs.Forbidden)
		_, err = e.svc.Assess(e.ctx, vks, cc.ID, "1", false, "", nil)
		wantCode(t, err, errs.Forbidden)
		_, err = e.svc.Cycle(e.ctx, e.user(t, "xa-t0101"), 999999)
		wantCode(t, err, errs.NotFound)
		if n := e.count(t, "recognition_assessments"); n != 0 {
			t.Fatalf("assessments: %d, want 0", n)
		}
		if n := e.count(t, "recognition_cycles"); n != 1 {
			t.Fatalf("cycles: %d, want 1", n)
		}

		// Criteria 1 and 4 honestly not met: no automatic check applies.
		e.assessAll(t, xa, cc, "1", "4")
		_, err = e.svc.Submit(e.ctx, xa, cc.ID)
		must(t, err)
		_, err = e.svc.Decide(e.ctx, tinh79, cc.ID, true, "")
		wantCode(t, err, errs.NotFound)
		_, err = e.svc.Cycle(e.ctx, tinh79, cc.ID)
		wantCode(t, err, errs.NotFound)
		_, err = e.svc.Decide(e.ctx, xa, cc.ID, true, "")
		wantCode(t, err, errs.Forbidden)
		if st := e.status(t, cc.ID); st != recognition.StatusSubmitted {
			t.Fatalf("status %s after refused decisions", st)
		}
		if _, err := e.svc.Cycle(e.ctx, vks, cc.ID); err != nil {
			t.Fatalf("procuracy of the province cannot see the cycle: %v", err)
		}

		list, err := e.svc.Cycles(e.ctx, tinh, recognition.CycleFilter{Year: 2026, Status: recognition.StatusSubmitted})
		must(t, err)
		if len(list) != 1 || list[0].ID != cc.ID {
			t.Fatalf("province list: %+v", list)
		}
		_, err = e.svc.Cycles(e.ctx, tinh79, recognition.CycleFilter{Unit: "01"})
		wantCode(t, err, errs.NotFound)
		list, err = e.svc.Cycles(e.ctx, tinh79, recognition.CycleFilter{})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("Hồ Chí Minh sees %d cycles of Hà Nội", len(list))
		}
		list, err = e.svc.Cycles(e.ctx, xa2, recognition.CycleFilter{})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("T0102 sees %d cycles of T0101", len(list))
		}
	})
}
