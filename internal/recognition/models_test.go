package recognition_test

import (
	"strings"
	"testing"
	"time"

	"toandan/internal/audit"
	"toandan/internal/errs"
	"toandan/internal/recognition"
)

func TestCriteriaSetsAreSeededWithTheirSources(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		sets, err := e.svc.CriteriaSets(e.ctx)
		must(t, err)
		byKind := map[string]recognition.CriteriaSet{}
		for _, cs := range sets {
			byKind[cs.SubjectKind] = cs
		}
		if len(sets) != 3 || len(byKind) != 3 {
			t.Fatalf("got %d sets over %d kinds, want one per kind", len(sets), len(byKind))
		}
		area, commune, ward := byKind[recognition.KindResidentialArea], byKind[recognition.KindCommune], byKind[recognition.KindModelWard]
		for _, cs := range []recognition.CriteriaSet{area, commune} {
			contains(t, cs.LegalSource, "124/2021/TT-BCA", "48/2025/TT-BCA")
			if cs.EffectiveFrom != "2022-02-10" {
				t.Errorf("%s: effective from %s, want 2022-02-10", cs.Code, cs.EffectiveFrom)
			}
		}
		if len(area.Criteria) != 5 || len(commune.Criteria) != 4 || len(ward.Criteria) != 4 {
			t.Fatalf("criteria: area %d, commune %d, ward %d; want 5, 4, 4", len(area.Criteria), len(commune.Criteria), len(ward.Criteria))
		}
		for _, code := range []string{"4", "5"} {
			cr, _ := area.Criterion(code)
			contains(t, cr.Note, "UNCONFIRMED")
		}
		c1, _ := commune.Criterion("1")
		contains(t, c1.Text, "ít nhất một mô hình tự quản")
		if c1.AutoCheck != "effective_models:1" {
			t.Errorf("commune criterion 1 check %q", c1.AutoCheck)
		}
		c4, _ := commune.Criterion("4")
		contains(t, c4.Text, "100%", "70%")
		if c4.AutoCheck != "areas_recognised_pct:70" {
			t.Errorf("commune criterion 4 check %q", c4.AutoCheck)
		}
		contains(t, ward.Note, "UNCONFIRMED", "tạm thời")
		for _, want := range []string{"Xây dựng lực lượng", "An ninh", "Trật tự", "Văn minh đô thị"} {
			found := false
			for _, cr := range ward.Criteria {
				found = found || strings.HasPrefix(cr.Text, want)
			}
			if !found {
				t.Errorf("model ward set lacks %q", want)
			}
		}

		// The set in force: none before Circular 124, which governs 2022 on.
		_, err = e.svc.SetInForce(e.ctx, recognition.KindCommune, 2021)
		wantCode(t, err, errs.NotFound)
		cs, err := e.svc.SetInForce(e.ctx, recognition.KindCommune, 2022)
		must(t, err)
		if cs.ID != commune.ID || len(cs.Criteria) != 4 {
			t.Fatalf("set in force 2022: %+v", cs)
		}
	})
}

func TestModels(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		xa, xa2, xa79 := e.user(t, "xa-t0101"), e.user(t, "xa-t0102"), e.user(t, "xa-t7901")
		tinh, tinh79 := e.user(t, "tinh-01"), e.user(t, "tinh-79")
		a1 := e.area(t, "T0101", "Tổ dân phố 1")
		other := e.area(t, "T0102", "Thôn Đông")

		m1, err := e.svc.CreateModel(e.ctx, xa, "T0101", recognition.ModelInput{Name: "  Camera   an ninh tổ 1 ", TypeCode: "camera_an_ninh",
			AreaID: a1.ID, StartedOn: "2024-03-01", Members: 12})
		must(t, err)
		if m1.Name != "Camera an ninh tổ 1" || m1.Status != recognition.ModelActive || m1.AreaID != a1.ID || m1.CommuneCode != "T0101" {
			t.Fatalf("created %+v", m1)
		}

		t.Run("validation", func(t *testing.T) {
			for _, tc := range []struct {
				field string
				in    recognition.ModelInput
			}{
				{"name", recognition.ModelInput{TypeCode: "camera_an_ninh", StartedOn: "2024-01-01"}},
				{"type", recognition.ModelInput{Name: "X", TypeCode: "khong_co", StartedOn: "2024-01-01"}},
				{"started_on", recognition.ModelInput{Name: "X", TypeCode: "to_tu_quan", StartedOn: "2026-12-01"}},
				{"started_on", recognition.ModelInput{Name: "X", TypeCode: "to_tu_quan", StartedOn: "1/1/2024"}},
				{"members", recognition.ModelInput{Name: "X", TypeCode: "to_tu_quan", StartedOn: "2024-01-01", Members: -1}},
				{"status", recognition.ModelInput{Name: "X", TypeCode: "to_tu_quan", StartedOn: "2024-01-01", Status: "closed"}},
				{"ended_on", recognition.ModelInput{Name: "X", TypeCode: "to_tu_quan", StartedOn: "2024-01-01", Status: "ended", EndedOn: "2023-12-31"}},
				{"area_id", recognition.ModelInput{Name: "X", TypeCode: "to_tu_quan", StartedOn: "2024-01-01", AreaID: other.ID}},
			} {
				_, err := e.svc.CreateModel(e.ctx, xa, "T0101", tc.in)
				wantField(t, err, tc.field)
			}
		})

		t.Run("access", func(t *testing.T) {
			before := e.count(t, "grassroots_models")
			_, err := e.svc.CreateModel(e.ctx, xa2, "T0101", recognition.ModelInput{Name: "X", TypeCode: "to_tu_quan", StartedOn: "2024-01-01"})
			wantCode(t, err, errs.NotFound)
			_, err = e.svc.CreateModel(e.ctx, tinh, "T0101", recognition.ModelInput{Name: "X", TypeCode: "to_tu_quan", StartedOn: "2024-01-01"})
			wantCode(t, err, errs.Forbidden)
			_, err = e.svc.UpdateModel(e.ctx, xa2, m1.ID, recognition.ModelInput{Name: "Đổi tên", TypeCode: "to_tu_quan", StartedOn: "2024-01-01"})
			wantCode(t, err, errs.NotFound)
			_, err = e.svc.Model(e.ctx, xa2, m1.ID)
			wantCode(t, err, errs.NotFound)
			_, err = e.svc.Evaluate(e.ctx, xa2, m1.ID, "2026", true, "")
			wantCode(t, err, errs.NotFound)
			_, err = e.svc.Models(e.ctx, tinh79, "T0101")
			wantCode(t, err, errs.NotFound)
			if n := e.count(t, "grassroots_models"); n != before {
				t.Fatalf("models: %d, want %d", n, before)
			}
			if n := e.count(t, "model_evaluations"); n != 0 {
				t.Fatalf("evaluations: %d, want 0", n)
			}
			got, err := e.svc.Model(e.ctx, xa, m1.ID)
			must(t, err)
			if got.Name != m1.Name {
				t.Fatalf("model renamed by another commune: %q", got.Name)
			}
			ms, err := e.svc.Models(e.ctx, tinh, "T0101")
			must(t, err)
			if len(ms) != 1 || ms[0].ID != m1.ID {
				t.Fatalf("province sees %+v", ms)
			}
		})

		// More models: one started in 2026, one that ended mid-2025 in
		// another commune, one paused in Hồ Chí Minh.
		_, err = e.svc.CreateModel(e.ctx, xa, "T0101", recognition.ModelInput{Name: "Tổ tự quản", TypeCode: "to_tu_quan", StartedOn: "2026-01-10", Members: 8})
		must(t, err)
		m3, err := e.svc.CreateModel(e.ctx, xa2, "T0102", recognition.ModelInput{Name: "Tiếng loa an ninh", TypeCode: "tieng_loa_an_ninh", StartedOn: "2023-05-01"})
		must(t, err)
		m3, err = e.svc.UpdateModel(e.ctx, xa2, m3.ID, recognition.ModelInput{Name: m3.Name, TypeCode: m3.TypeCode, StartedOn: m3.StartedOn,
			Status: recognition.ModelEnded, EndedOn: "2025-06-30"})
		must(t, err)
		if m3.Status != recognition.ModelEnded || m3.EndedOn != "2025-06-30" {
			t.Fatalf("ended: %+v", m3)
		}
		_, err = e.svc.CreateModel(e.ctx, xa79, "T7901", recognition.ModelInput{Name: "Camera", TypeCode: "camera_an_ninh", StartedOn: "2025-02-01", Status: recognition.ModelPaused})
		must(t, err)

		t.Run("active", func(t *testing.T) {
			for _, tc := range []struct {
				unit string
				year int
				want int
			}{
				{"T0101", 2025, 1}, {"T0101", 2026, 2},
				{"T0102", 2025, 1}, {"T0102", 2026, 0},
				{"01", 2025, 2}, {"01", 2026, 2},
				{"79", 2026, 0},
				{"VN", 2025, 2}, {"VN", 2026, 2},
			} {
				n, err := e.svc.ActiveModels(e.ctx, tc.unit, tc.year)
				must(t, err)
				if n != tc.want {
					t.Errorf("ActiveModels(%s, %d) = %d, want %d", tc.unit, tc.year, n, tc.want)
				}
			}
			_, err := e.svc.ActiveModels(e.ctx, "99", 2026)
			wantCode(t, err, errs.NotFound)
		})

		t.Run("evaluation", func(t *testing.T) {
			effective := func(year, want int) {
				t.Helper()
				n, err := e.svc.EffectiveModels(e.ctx, "T0101", year)
				must(t, err)
				if n != want {
					t.Fatalf("EffectiveModels(T0101, %d) = %d, want %d", year, n, want)
				}
			}
			effective(2026, 0)
			ev, err := e.svc.Evaluate(e.ctx, xa, m1.ID, " 2026-h1 ", true, "Hoạt động tốt")
			must(t, err)
			if ev.Period != "2026-H1" {
				t.Fatalf("period %q", ev.Period)
			}
			effective(2026, 1)
			// The whole year ends after its first half: its verdict is the latest.
			_, err = e.svc.Evaluate(e.ctx, xa, m1.ID, "2026", false, "Camera hỏng nửa cuối năm")
			must(t, err)
			effective(2026, 0)
			// Evaluating the same period again replaces the verdict.
			e.clk.Advance(time.Second)
			_, err = e.svc.Evaluate(e.ctx, xa, m1.ID, "2026", true, "Đã sửa camera")
			must(t, err)
			effective(2026, 1)
			effective(2025, 0)
			if n := e.count(t, "model_evaluations", "model_id = ?", m1.ID); n != 2 {
				t.Fatalf("evaluations of m1: %d, want 2 (upsert)", n)
			}
			evs, err := e.svc.Evaluations(e.ctx, e.user(t, "tinh-01"), m1.ID)
			must(t, err)
			if len(evs) != 2 || evs[0].Period != "2026" || !evs[0].Effective || evs[0].Note != "Đã sửa camera" || evs[1].Period != "2026-H1" {
				t.Fatalf("evaluations: %+v", evs)
			}
			for _, tc := range []struct{ period string }{{"2027"}, {"2026-H3"}, {"26"}, {"2026-Q5"}, {"2023"}} {
				_, err := e.svc.Evaluate(e.ctx, xa, m1.ID, tc.period, true, "")
				wantField(t, err, "period")
			}
			_, err = e.svc.Evaluate(e.ctx, e.user(t, "tinh-01"), m1.ID, "2026", true, "")
			wantCode(t, err, errs.Forbidden)
		})

		t.Run("audited", func(t *testing.T) {
			if n := e.count(t, "audit_log", "action = 'model.create'"); n != 4 {
				t.Errorf("model.create entries: %d, want 4", n)
			}
			if n := e.count(t, "audit_log", "action = 'model.update' AND object = ?", "model:"+itoa(m3.ID)); n != 1 {
				t.Errorf("model.update entries: %d, want 1", n)
			}
			if n := e.count(t, "audit_log", "action = 'model.evaluate' AND object = ?", "model:"+itoa(m1.ID)); n != 3 {
				t.Errorf("model.evaluate entries: %d, want 3", n)
			}
			_, problem, err := audit.Verify(e.ctx, e.db)
			must(t, err)
			if problem != nil {
				t.Fatalf("audit chain: %s", problem)
			}
		})

		// Ending a model without a date ends it today.
		m, err := e.svc.UpdateModel(e.ctx, xa, m1.ID, recognition.ModelInput{Name: m1.Name, TypeCode: m1.TypeCode, StartedOn: m1.StartedOn, AreaID: m1.AreaID, Status: recognition.ModelEnded})
		must(t, err)
		if m.EndedOn != "2026-11-30" {
			t.Fatalf("ended on %q, want today", m.EndedOn)
		}
	})
}
