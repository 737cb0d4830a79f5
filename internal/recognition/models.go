package recognition

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// Statuses of a grassroots model. The status is the model's state now;
// only ended models carry a date, so a paused model counts as active in no
// year (its pause has no date to place it).
const (
	ModelActive = "active"
	ModelPaused = "paused"
	ModelEnded  = "ended"
)

// ModelStatuses lists the statuses with their Vietnamese names.
var ModelStatuses = []struct{ Code, Name string }{
	{ModelActive, "Đang hoạt động"},
	{ModelPaused, "Tạm dừng"},
	{ModelEnded, "Đã kết thúc"},
}

// ModelStatusName returns the Vietnamese name of a model status.
func ModelStatusName(code string) string {
	for _, st := range ModelStatuses {
		if st.Code == code {
			return st.Name
		}
	}
	return code
}

// ModelType is a kind of grassroots model ("Camera an ninh", ...); the list
// is data (table model_types).
type ModelType struct {
	Code     string
	Name     string
	Position int
	Active   bool
}

// Model is a grassroots self-managed model (mô hình tự quản) of a commune,
// optionally run by one of its residential areas.
type Model struct {
	ID          int64
	CommuneCode string
	AreaID      int64 // 0: the commune as a whole
	Name        string
	TypeCode    string
	StartedOn   string
	Members     int
	Status      string
	EndedOn     string // set only for an ended model
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ModelInput is what an officer enters to create or edit a model.
type ModelInput struct {
	Name      string
	TypeCode  string
	AreaID    int64
	StartedOn string // YYYY-MM-DD
	Members   int
	Status    string // "" means active
	EndedOn   string // for an ended model; "" means today
}

// Evaluation is the periodic verdict on a model: effective or not.
type Evaluation struct {
	ModelID     int64
	Period      string
	Effective   bool
	Note        string
	EvaluatedBy int64
	EvaluatedAt time.Time
}

var errModelNotFound = errs.E(errs.NotFound, "Không tìm thấy mô hình tự quản trong phạm vi quản lý của bạn.")

// ModelTypes lists the model types in display order.
func (s *Service) ModelTypes(ctx context.Context) ([]ModelType, error) {
	rows, err := s.DB.Query(ctx, "SELECT code, name, position, active FROM model_types ORDER BY position, code")
	if err != nil {
		return nil, fmt.Errorf("recognition: model types: %w", err)
	}
	defer rows.Close()
	var out []ModelType
	for rows.Next() {
		var t ModelType
		var active int
		if err := rows.Scan(&t.Code, &t.Name, &t.Position, &active); err != nil {
			return nil, fmt.Errorf("recognition: model types: %w", err)
		}
		t.Active = active != 0
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recognition: model types: %w", err)
	}
	return out, nil
}

func (in *ModelInput) clean(today string) error {
	in.Name = cleanName(in.Name)
	in.TypeCode = strings.TrimSpace(in.TypeCode)
	in.StartedOn = strings.TrimSpace(in.StartedOn)
	in.EndedOn = strings.TrimSpace(in.EndedOn)
	if in.Status == "" {
		in.Status = ModelActive
	}
	if in.Name == "" {
		return errs.Field("name", "Vui lòng nhập tên mô hình.")
	}
	if utf8.RuneCountInString(in.Name) > 200 {
		return errs.Field("name", "Tên mô hình dài quá 200 ký tự.")
	}
	if in.TypeCode == "" {
		return errs.Field("type", "Vui lòng chọn loại mô hình.")
	}
	if !geo.ValidDate(in.StartedOn) {
		return errs.Field("started_on", "Ngày bắt đầu không hợp lệ (cần dạng năm-tháng-ngày).")
	}
	if in.StartedOn > today {
		return errs.Field("started_on", "Ngày bắt đầu không được sau hôm nay.")
	}
	if in.Members < 0 || in.Members > 1_000_000 {
		return errs.Field("members", "Số thành viên không hợp lệ.")
	}
	switch in.Status {
	case ModelActive, ModelPaused:
		in.EndedOn = ""
	case ModelEnded:
		if in.EndedOn == "" {
			in.EndedOn = today
		}
		if !geo.ValidDate(in.EndedOn) {
			return errs.Field("ended_on", "Ngày kết thúc không hợp lệ (cần dạng năm-tháng-ngày).")
		}
		if in.EndedOn < in.StartedOn || in.EndedOn > today {
			return errs.Field("ended_on", "Ngày kết thúc phải từ ngày bắt đầu đến hôm nay.")
		}
	default:
		return errs.Field("status", "Vui lòng chọn trạng thái của mô hình.")
	}
	return nil
}

// checkType accepts a type in use, or the model's current type even if it
// has since been withdrawn.
func (s *Service) checkType(ctx context.Context, code, current string) error {
	var active int
	err := s.DB.QueryRow(ctx, "SELECT active FROM model_types WHERE code = ?", code).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && active == 0 && code != current) {
		return errs.Field("type", "Vui lòng chọn loại mô hình.")
	}
	if err != nil {
		return fmt.Errorf("recognition: model type: %w", err)
	}
	return nil
}

// checkArea accepts no area, an area of the commune in force, or the
// model's current area.
func (s *Service) checkArea(ctx context.Context, commune string, id, current int64) error {
	if id == 0 || id == current {
		return nil
	}
	a, err := s.Geo.Area(ctx, id)
	if errs.Is(err, errs.NotFound) || (err == nil && (a.CommuneCode != commune || a.ValidTo != "")) {
		return errs.Field("area_id", "Khu dân cư đã chọn không thuộc đơn vị này.")
	}
	return err
}

const modelCols = "id, commune_code, COALESCE(area_id, 0), name, type_code, started_on, members, status, ended_on, created_at, updated_at"

func scanModel(r interface{ Scan(...any) error }) (Model, error) {
	var m Model
	var created, updated string
	if err := r.Scan(&m.ID, &m.CommuneCode, &m.AreaID, &m.Name, &m.TypeCode, &m.StartedOn, &m.Members, &m.Status, &m.EndedOn, &created, &updated); err != nil {
		return m, err
	}
	var err error
	if m.CreatedAt, err = store.ParseTime(created); err != nil {
		return m, err
	}
	m.UpdatedAt, err = store.ParseTime(updated)
	return m, err
}

func (s *Service) loadModel(ctx context.Context, id int64) (Model, error) {
	m, err := scanModel(s.DB.QueryRow(ctx, "SELECT "+modelCols+" FROM grassroots_models WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, errModelNotFound
	}
	if err != nil {
		return m, fmt.Errorf("recognition: model %d: %w", id, err)
	}
	return m, nil
}

// modelFor loads a model the actor may do a on.
func (s *Service) modelFor(ctx context.Context, u account.User, a account.Action, id int64) (Model, error) {
	if err := can(u, a); err != nil {
		return Model{}, err
	}
	m, err := s.loadModel(ctx, id)
	if err != nil {
		return m, err
	}
	ok, err := s.inScope(ctx, u, m.CommuneCode)
	if err != nil {
		return m, err
	}
	if !ok {
		return Model{}, errModelNotFound
	}
	return m, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateModel records a model of commune, which the actor (a commune
// officer of that commune, or an administrator) runs.
func (s *Service) CreateModel(ctx context.Context, u account.User, commune string, in ModelInput) (Model, error) {
	if err := s.authorize(ctx, u, account.EditMovement, commune); err != nil {
		return Model{}, err
	}
	today := s.today()
	unit, err := s.Geo.UnitAt(ctx, commune, today)
	if err != nil {
		return Model{}, err
	}
	if unit.Level != geo.LevelCommune {
		return Model{}, errs.E(errs.Invalid, "Mô hình tự quản được ghi nhận ở cấp xã, phường, đặc khu.")
	}
	if err := in.clean(today); err != nil {
		return Model{}, err
	}
	if err := s.checkType(ctx, in.TypeCode, ""); err != nil {
		return Model{}, err
	}
	if err := s.checkArea(ctx, commune, in.AreaID, 0); err != nil {
		return Model{}, err
	}
	now := s.Clock.Now()
	m := Model{CommuneCode: commune, AreaID: in.AreaID, Name: in.Name, TypeCode: in.TypeCode, StartedOn: in.StartedOn,
		Members: in.Members, Status: in.Status, EndedOn: in.EndedOn, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO grassroots_models (commune_code, area_id, name, type_code, started_on, members, status, ended_on, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, commune, nullID(in.AreaID), in.Name, in.TypeCode, in.StartedOn, in.Members, in.Status, in.EndedOn,
			u.ID, store.FormatTime(now), store.FormatTime(now))
		if err != nil {
			return fmt.Errorf("recognition: create model: %w", err)
		}
		m.ID = id
		return appendAudit(ctx, tx, u, now, "model.create", "model:"+strconv.FormatInt(id, 10),
			fmt.Sprintf("%s %s type=%s status=%s", commune, in.Name, in.TypeCode, in.Status))
	})
	if err != nil {
		return Model{}, err
	}
	return m, nil
}

// UpdateModel changes a model. Its commune does not change.
func (s *Service) UpdateModel(ctx context.Context, u account.User, id int64, in ModelInput) (Model, error) {
	m, err := s.modelFor(ctx, u, account.EditMovement, id)
	if err != nil {
		return Model{}, err
	}
	if err := in.clean(s.today()); err != nil {
		return Model{}, err
	}
	if err := s.checkType(ctx, in.TypeCode, m.TypeCode); err != nil {
		return Model{}, err
	}
	if err := s.checkArea(ctx, m.CommuneCode, in.AreaID, m.AreaID); err != nil {
		return Model{}, err
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE grassroots_models SET area_id = ?, name = ?, type_code = ?, started_on = ?, members = ?, status = ?, ended_on = ?, updated_at = ?
			WHERE id = ?`, nullID(in.AreaID), in.Name, in.TypeCode, in.StartedOn, in.Members, in.Status, in.EndedOn, store.FormatTime(now), id); err != nil {
			return fmt.Errorf("recognition: update model: %w", err)
		}
		return appendAudit(ctx, tx, u, now, "model.update", "model:"+strconv.FormatInt(id, 10),
			fmt.Sprintf("%s → %s; status %s → %s; members %d → %d", m.Name, in.Name, m.Status, in.Status, m.Members, in.Members))
	})
	if err != nil {
		return Model{}, err
	}
	m.AreaID, m.Name, m.TypeCode, m.StartedOn, m.Members, m.Status, m.EndedOn = in.AreaID, in.Name, in.TypeCode, in.StartedOn, in.Members, in.Status, in.EndedOn
	m.UpdatedAt = now.UTC()
	return m, nil
}

// Model returns one model the actor may see.
func (s *Service) Model(ctx context.Context, u account.User, id int64) (Model, error) {
	return s.modelFor(ctx, u, account.ViewMovement, id)
}

// Models lists the models of a commune, by name.
func (s *Service) Models(ctx context.Context, u account.User, commune string) ([]Model, error) {
	if err := s.authorize(ctx, u, account.ViewMovement, commune); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+modelCols+" FROM grassroots_models WHERE commune_code = ? ORDER BY name, id", commune)
	if err != nil {
		return nil, fmt.Errorf("recognition: models of %s: %w", commune, err)
	}
	defer rows.Close()
	var out []Model
	for rows.Next() {
		m, err := scanModel(rows)
		if err != nil {
			return nil, fmt.Errorf("recognition: models of %s: %w", commune, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recognition: models of %s: %w", commune, err)
	}
	return out, nil
}

// ParsePeriod reads an evaluation period: a year ("2025"), a half
// ("2025-H1") or a quarter ("2025-Q3"), and returns it in canonical form
// with its first and last day.
func ParsePeriod(p string) (canon string, year int, from, to string, err error) {
	p = strings.ToUpper(strings.TrimSpace(p))
	bad := errs.Field("period", "Kỳ đánh giá “%s” không hợp lệ: ghi năm (2025), nửa năm (2025-H1, 2025-H2) hoặc quý (2025-Q1 đến 2025-Q4).", p)
	ys, part, _ := strings.Cut(p, "-")
	year, convErr := strconv.Atoi(ys)
	if len(ys) != 4 || convErr != nil || year < 2000 || year > 2100 {
		return "", 0, "", "", bad
	}
	first, last := 1, 12
	switch part {
	case "":
	case "H1", "H2":
		first = 1 + 6*int(part[1]-'1')
		last = first + 5
	case "Q1", "Q2", "Q3", "Q4":
		first = 1 + 3*int(part[1]-'1')
		last = first + 2
	default:
		return "", 0, "", "", bad
	}
	end := time.Date(year, time.Month(last)+1, 0, 0, 0, 0, 0, time.UTC)
	return p, year, fmt.Sprintf("%04d-%02d-01", year, first), end.Format(store.DateLayout), nil
}

// Evaluate records whether a model was effective over a period; evaluating
// the same period again replaces the verdict.
func (s *Service) Evaluate(ctx context.Context, u account.User, modelID int64, period string, effective bool, note string) (Evaluation, error) {
	m, err := s.modelFor(ctx, u, account.EditMovement, modelID)
	if err != nil {
		return Evaluation{}, err
	}
	period, _, from, to, err := ParsePeriod(period)
	if err != nil {
		return Evaluation{}, err
	}
	if from > s.today() {
		return Evaluation{}, errs.Field("period", "Kỳ đánh giá %s chưa bắt đầu.", period)
	}
	if m.StartedOn > to {
		return Evaluation{}, errs.Field("period", "Mô hình bắt đầu hoạt động từ %s, sau kỳ đánh giá %s.", m.StartedOn, period)
	}
	if note, err = cleanText("note", note, 2000); err != nil {
		return Evaluation{}, err
	}
	now := s.Clock.Now()
	ev := Evaluation{ModelID: modelID, Period: period, Effective: effective, Note: note, EvaluatedBy: u.ID, EvaluatedAt: now.UTC()}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO model_evaluations (model_id, period, effective, note, evaluated_by, evaluated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (model_id, period) DO UPDATE SET effective = excluded.effective, note = excluded.note,
			evaluated_by = excluded.evaluated_by, evaluated_at = excluded.evaluated_at`,
			modelID, period, boolInt(effective), note, u.ID, store.FormatTime(now)); err != nil {
			return fmt.Errorf("recognition: evaluate model: %w", err)
		}
		return appendAudit(ctx, tx, u, now, "model.evaluate", "model:"+strconv.FormatInt(modelID, 10),
			fmt.Sprintf("period=%s effective=%t", period, effective))
	})
	if err != nil {
		return Evaluation{}, err
	}
	return ev, nil
}

// Evaluations lists a model's evaluations, latest period first.
func (s *Service) Evaluations(ctx context.Context, u account.User, modelID int64) ([]Evaluation, error) {
	if _, err := s.modelFor(ctx, u, account.ViewMovement, modelID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT model_id, period, effective, note, COALESCE(evaluated_by, 0), evaluated_at FROM model_evaluations WHERE model_id = ?", modelID)
	if err != nil {
		return nil, fmt.Errorf("recognition: evaluations: %w", err)
	}
	defer rows.Close()
	var out []Evaluation
	for rows.Next() {
		ev, err := scanEvaluation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recognition: evaluations: %w", err)
	}
	sortEvaluations(out)
	slices.Reverse(out)
	return out, nil
}

func scanEvaluation(r interface{ Scan(...any) error }) (Evaluation, error) {
	var ev Evaluation
	var eff int
	var at string
	if err := r.Scan(&ev.ModelID, &ev.Period, &eff, &ev.Note, &ev.EvaluatedBy, &at); err != nil {
		return ev, fmt.Errorf("recognition: evaluation: %w", err)
	}
	ev.Effective = eff != 0
	t, err := store.ParseTime(at)
	ev.EvaluatedAt = t
	return ev, err
}

// sortEvaluations orders evaluations from the earliest to the latest: by the
// period's last day, then by when the verdict was given (a year and its
// second half end together; the later verdict stands).
func sortEvaluations(evs []Evaluation) {
	key := func(ev Evaluation) string {
		_, _, _, to, err := ParsePeriod(ev.Period)
		if err != nil {
			to = ""
		}
		return to + " " + store.FormatTime(ev.EvaluatedAt)
	}
	slices.SortStableFunc(evs, func(a, b Evaluation) int { return strings.Compare(key(a), key(b)) })
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ActiveModels counts the models active at some time during year within
// unit (VN, a province or a commune): started by the end of the year and
// either active now or ended during or after it.
func (s *Service) ActiveModels(ctx context.Context, unit string, year int) (int, error) {
	if err := checkYear("year", year); err != nil {
		return 0, err
	}
	cond, args, err := s.unitFilter(ctx, "commune_code", unit, s.refDate(year), false)
	if err != nil {
		return 0, err
	}
	var n int
	args = append(args, yearEnd(year), yearStart(year))
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM grassroots_models WHERE "+cond+
		" AND started_on <= ? AND (status = 'active' OR (status = 'ended' AND ended_on >= ?))", args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("recognition: active models: %w", err)
	}
	return n, nil
}

// EffectiveModels counts the models of commune whose latest evaluation in
// year says effective.
func (s *Service) EffectiveModels(ctx context.Context, commune string, year int) (int, error) {
	if err := checkYear("year", year); err != nil {
		return 0, err
	}
	rows, err := s.DB.Query(ctx, `SELECT e.model_id, e.period, e.effective, e.note, COALESCE(e.evaluated_by, 0), e.evaluated_at
		FROM model_evaluations e JOIN grassroots_models m ON m.id = e.model_id
		WHERE m.commune_code = ? AND (e.period = ? OR e.period LIKE ?)`, commune, strconv.Itoa(year), strconv.Itoa(year)+"-%")
	if err != nil {
		return 0, fmt.Errorf("recognition: effective models: %w", err)
	}
	defer rows.Close()
	byModel := map[int64][]Evaluation{}
	for rows.Next() {
		ev, err := scanEvaluation(rows)
		if err != nil {
			return 0, err
		}
		byModel[ev.ModelID] = append(byModel[ev.ModelID], ev)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("recognition: effective models: %w", err)
	}
	n := 0
	for _, evs := range byModel {
		sortEvaluations(evs)
		if evs[len(evs)-1].Effective {
			n++
		}
	}
	return n, nil
}
