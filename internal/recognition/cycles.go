package recognition

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"toandan/internal/account"
	"toandan/internal/audit"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/media"
	"toandan/internal/store"
)

// Statuses of a recognition cycle.
const (
	StatusRegistered    = "registered"     // registered; the unit assesses itself
	StatusSubmitted     = "submitted"      // self-assessment sent for decision
	StatusReturned      = "returned"       // sent back to be assessed again
	StatusRecognised    = "recognised"     // every criterion met
	StatusNotRecognised = "not_recognised" // decided, some criterion not met
)

// Statuses lists the cycle statuses with their Vietnamese names.
var Statuses = []struct{ Code, Name string }{
	{StatusRegistered, "Đã đăng ký"},
	{StatusSubmitted, "Đã gửi xét duyệt"},
	{StatusReturned, "Bị trả lại"},
	{StatusRecognised, "Được công nhận"},
	{StatusNotRecognised, "Không được công nhận"},
}

// StatusName returns the Vietnamese name of a cycle status.
func StatusName(code string) string {
	for _, st := range Statuses {
		if st.Code == code {
			return st.Name
		}
	}
	return code
}

// Cycle is one year's recognition of one subject: a residential area (its
// id as SubjectCode), a commune, or a ward in the model ward pilot.
// CommuneCode is the commune whose officers assess and whose province
// decides.
type Cycle struct {
	ID           int64
	SetID        int64
	Year         int
	SubjectKind  string
	SubjectCode  string
	CommuneCode  string
	Status       string
	RegisteredBy int64
	RegisteredAt time.Time
	DecidedBy    int64
	DecidedAt    time.Time // zero until decided
	DecisionNote string
}

// Assessment is the self-assessment of one criterion.
type Assessment struct {
	CriterionID   int64
	CriterionCode string
	Met           bool
	Evidence      string
	FileName      string // "" when no file is attached
	FileType      string
	AssessedBy    int64
	AssessedAt    time.Time
}

// Event is one step of a cycle, for the record.
type Event struct {
	ID    int64
	At    time.Time
	Actor string
	Kind  string
	Note  string
}

// CycleDetail is a cycle with what an officer needs to work on it.
type CycleDetail struct {
	Cycle
	Subject     string // the subject's name
	Set         CriteriaSet
	Assessments []Assessment // in the set's order; unassessed criteria absent
	Events      []Event
}

// File is an attachment to a self-assessment.
type File struct {
	Name string
	Type string // detected from the content; what a caller passes is ignored
	Data []byte
}

// MaxFileBytes bounds one attachment.
const MaxFileBytes = 20 << 20

// acceptedTypes are the attachment types of a self-assessment file: scans
// and photos of documents.
var acceptedTypes = map[string]bool{media.PDF: true, media.JPEG: true, media.PNG: true, media.WebP: true, media.HEIC: true}

var errCycleNotFound = errs.E(errs.NotFound, "Không tìm thấy hồ sơ công nhận trong phạm vi quản lý của bạn.")

const cycleCols = `id, set_id, year, subject_kind, subject_code, commune_code, status, COALESCE(registered_by, 0), registered_at,
	COALESCE(decided_by, 0), decided_at, decision_note`

func scanCycle(r interface{ Scan(...any) error }) (Cycle, error) {
	var c Cycle
	var reg, dec string
	if err := r.Scan(&c.ID, &c.SetID, &c.Year, &c.SubjectKind, &c.SubjectCode, &c.CommuneCode, &c.Status, &c.RegisteredBy, &reg,
		&c.DecidedBy, &dec, &c.DecisionNote); err != nil {
		return c, err
	}
	var err error
	if c.RegisteredAt, err = store.ParseTime(reg); err != nil {
		return c, err
	}
	if dec != "" {
		c.DecidedAt, err = store.ParseTime(dec)
	}
	return c, err
}

// cycleFor loads a cycle the actor may do a on; one outside the actor's
// subtree is not found, exactly like one that does not exist.
func (s *Service) cycleFor(ctx context.Context, u account.User, a account.Action, id int64) (Cycle, error) {
	if err := can(u, a); err != nil {
		return Cycle{}, err
	}
	c, err := scanCycle(s.DB.QueryRow(ctx, "SELECT "+cycleCols+" FROM recognition_cycles WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Cycle{}, errCycleNotFound
	}
	if err != nil {
		return Cycle{}, fmt.Errorf("recognition: cycle %d: %w", id, err)
	}
	ok, err := s.inScope(ctx, u, c.CommuneCode)
	if err != nil {
		return Cycle{}, err
	}
	if !ok {
		return Cycle{}, errCycleNotFound
	}
	return c, nil
}

func cycleObject(id int64) string { return "recognition_cycle:" + strconv.FormatInt(id, 10) }

func addEvent(ctx context.Context, tx *store.Tx, cycleID int64, at time.Time, u account.User, kind, note string) error {
	if _, err := tx.Exec(ctx, "INSERT INTO recognition_events (cycle_id, at, actor, kind, note) VALUES (?, ?, ?, ?, ?)",
		cycleID, store.FormatTime(at), audit.Actor(u.ID), kind, note); err != nil {
		return fmt.Errorf("recognition: event: %w", err)
	}
	return nil
}

// Register opens the cycle of year for a subject: a residential area (code
// is its id), a commune (its code) or a ward for the model ward pilot (its
// code). The criteria set in force for the year and kind is fixed on the
// cycle.
func (s *Service) Register(ctx context.Context, u account.User, year int, kind, code string) (Cycle, error) {
	if err := can(u, account.EditMovement); err != nil {
		return Cycle{}, err
	}
	if err := checkYear("year", year); err != nil {
		return Cycle{}, err
	}
	if year > s.currentYear()+1 {
		return Cycle{}, errs.Field("year", "Chỉ đăng ký được đến năm %d.", s.currentYear()+1)
	}
	d := s.refDate(year)
	code = strings.TrimSpace(code)
	var commune string
	switch kind {
	case KindResidentialArea:
		id, err := strconv.ParseInt(code, 10, 64)
		if err != nil || id <= 0 {
			return Cycle{}, errs.Field("subject_code", "Mã khu dân cư không hợp lệ.")
		}
		a, err := s.Geo.Area(ctx, id)
		if err != nil {
			return Cycle{}, err
		}
		ok, err := s.inScope(ctx, u, a.CommuneCode)
		if err != nil {
			return Cycle{}, err
		}
		if !ok {
			return Cycle{}, errs.E(errs.NotFound, "Không tìm thấy khu dân cư.")
		}
		if a.ValidFrom > yearEnd(year) || (a.ValidTo != "" && a.ValidTo < yearStart(year)) {
			return Cycle{}, errs.Field("subject_code", "Khu dân cư “%s” không tồn tại trong năm %d.", a.Name, year)
		}
		code, commune = strconv.FormatInt(id, 10), a.CommuneCode
	case KindCommune, KindModelWard:
		ok, err := s.inScope(ctx, u, code)
		if err != nil {
			return Cycle{}, err
		}
		if !ok {
			return Cycle{}, errUnitNotFound
		}
		unit, err := s.Geo.UnitAt(ctx, code, d)
		if err != nil {
			return Cycle{}, err
		}
		if unit.Level != geo.LevelCommune {
			return Cycle{}, errs.Field("subject_code", "%s không phải là đơn vị cấp xã.", unit.Title())
		}
		if kind == KindModelWard && unit.Type != "ward" {
			return Cycle{}, errs.Field("subject_code", "%s không phải là phường: chỉ phường mới đăng ký xây dựng Công an phường điển hình, kiểu mẫu.", unit.Title())
		}
		commune = code
	default:
		return Cycle{}, errs.Field("subject_kind", "Vui lòng chọn đối tượng đăng ký.")
	}
	set, err := s.SetInForce(ctx, kind, year)
	if err != nil {
		return Cycle{}, err
	}
	now := s.Clock.Now()
	c := Cycle{SetID: set.ID, Year: year, SubjectKind: kind, SubjectCode: code, CommuneCode: commune, Status: StatusRegistered,
		RegisteredBy: u.ID, RegisteredAt: now.UTC()}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO recognition_cycles (set_id, year, subject_kind, subject_code, commune_code, status, registered_by, registered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, set.ID, year, kind, code, commune, StatusRegistered, u.ID, store.FormatTime(now))
		if store.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "%s này đã đăng ký năm %d.", SubjectKindName(kind), year)
		}
		if err != nil {
			return fmt.Errorf("recognition: register: %w", err)
		}
		c.ID = id
		if err := addEvent(ctx, tx, id, now, u, "registered", fmt.Sprintf("Đăng ký năm %d theo bộ tiêu chí “%s” (%s).", year, set.Name, set.LegalSource)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, u, now, "recognition.register", cycleObject(id), fmt.Sprintf("year=%d kind=%s subject=%s set=%s/%s", year, kind, code, set.Code, set.Version))
	})
	if err != nil {
		return Cycle{}, err
	}
	return c, nil
}

// checkFile reads what an attachment is and refuses what is not accepted.
func checkFile(f *File) (name, typ string, err error) {
	if len(f.Data) == 0 {
		return "", "", errs.Field("file", "Tệp đính kèm rỗng.")
	}
	if len(f.Data) > MaxFileBytes {
		return "", "", errs.Field("file", "Tệp đính kèm lớn quá %d MB.", MaxFileBytes>>20)
	}
	typ, ok := media.Sniff(f.Data[:min(len(f.Data), media.SniffLen)])
	if !ok || !acceptedTypes[typ] {
		return "", "", errs.Field("file", "Chỉ nhận tệp PDF hoặc ảnh (JPEG, PNG, WebP, HEIC).")
	}
	if typ != media.PDF {
		// A photo says where and on which phone it was taken; as with
		// reporters' photos, only a clean copy is stored.
		var clean bytes.Buffer
		if err := media.Strip(typ, bytes.NewReader(f.Data), &clean); err != nil {
			if errors.Is(err, media.ErrMalformed) {
				return "", "", errs.Field("file", "Ảnh bị hỏng hoặc không đọc được.")
			}
			return "", "", fmt.Errorf("recognition: strip %s: %w", typ, err)
		}
		f.Data = clean.Bytes()
	}
	name = cleanName(filepath.Base(strings.ReplaceAll(f.Name, "\\", "/")))
	if name == "" || name == "." || name == "/" {
		name = "tep-dinh-kem"
	}
	if utf8.RuneCountInString(name) > 200 {
		r := []rune(name)
		name = string(r[len(r)-200:])
	}
	return name, typ, nil
}

// Assess records the self-assessment of one criterion, with optional
// evidence text and file. Assessing a criterion again replaces the verdict
// and the evidence; the file stays unless a new one is attached.
func (s *Service) Assess(ctx context.Context, u account.User, cycleID int64, criterionCode string, met bool, evidence string, file *File) (Assessment, error) {
	c, err := s.cycleFor(ctx, u, account.EditMovement, cycleID)
	if err != nil {
		return Assessment{}, err
	}
	if c.Status != StatusRegistered && c.Status != StatusReturned {
		return Assessment{}, errs.E(errs.Conflict, "Hồ sơ đang ở trạng thái “%s”, không thể tự đánh giá.", StatusName(c.Status))
	}
	set, err := s.CriteriaSet(ctx, c.SetID)
	if err != nil {
		return Assessment{}, err
	}
	cr, ok := set.Criterion(strings.TrimSpace(criterionCode))
	if !ok {
		return Assessment{}, errs.Field("criterion", "Bộ tiêu chí của hồ sơ không có tiêu chí “%s”.", criterionCode)
	}
	if evidence, err = cleanText("evidence", evidence, 4000); err != nil {
		return Assessment{}, err
	}
	var fileName, fileType, fileKey string
	if file != nil {
		if fileName, fileType, err = checkFile(file); err != nil {
			return Assessment{}, err
		}
		if s.Files == nil {
			return Assessment{}, fmt.Errorf("recognition: no file store")
		}
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return Assessment{}, fmt.Errorf("recognition: file name: %w", err)
		}
		fileKey = hex.EncodeToString(b[:])
		// The file is stored before the row that names it is committed, so a
		// row never points at nothing; a failed transaction leaves an orphan
		// file, which is harmless.
		if err := s.Files.Put(ctx, fileKey, file.Data); err != nil {
			return Assessment{}, fmt.Errorf("recognition: store file: %w", err)
		}
	}
	now := s.Clock.Now()
	a := Assessment{CriterionID: cr.ID, CriterionCode: cr.Code, Met: met, Evidence: evidence, AssessedBy: u.ID, AssessedAt: now.UTC()}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		// Lock the cycle and check its status again inside the transaction.
		res, err := tx.Exec(ctx, "UPDATE recognition_cycles SET status = status WHERE id = ? AND status IN (?, ?)", c.ID, StatusRegistered, StatusReturned)
		if err != nil {
			return fmt.Errorf("recognition: assess: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errs.E(errs.Conflict, "Hồ sơ vừa thay đổi trạng thái, không thể tự đánh giá.")
		}
		if fileKey == "" {
			err := tx.QueryRow(ctx, "SELECT file_name, file_type, file_key FROM recognition_assessments WHERE cycle_id = ? AND criterion_id = ?", c.ID, cr.ID).
				Scan(&fileName, &fileType, &fileKey)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("recognition: assess: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO recognition_assessments (cycle_id, criterion_id, met, evidence, file_name, file_type, file_key, assessed_by, assessed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (cycle_id, criterion_id) DO UPDATE SET met = excluded.met, evidence = excluded.evidence, file_name = excluded.file_name,
			file_type = excluded.file_type, file_key = excluded.file_key, assessed_by = excluded.assessed_by, assessed_at = excluded.assessed_at`,
			c.ID, cr.ID, boolInt(met), evidence, fileName, fileType, fileKey, u.ID, store.FormatTime(now)); err != nil {
			return fmt.Errorf("recognition: assess: %w", err)
		}
		verdict := "không đạt"
		if met {
			verdict = "đạt"
		}
		note := fmt.Sprintf("Tiêu chí %s: %s.", cr.Code, verdict)
		if file != nil {
			note += " Đính kèm “" + fileName + "”."
		}
		if err := addEvent(ctx, tx, c.ID, now, u, "assessed", note); err != nil {
			return err
		}
		return appendAudit(ctx, tx, u, now, "recognition.assess", cycleObject(c.ID), fmt.Sprintf("criterion=%s met=%t file=%s", cr.Code, met, fileKey))
	})
	if err != nil {
		return Assessment{}, err
	}
	a.FileName, a.FileType = fileName, fileType
	return a, nil
}

// AssessmentFile returns the file attached to a criterion's assessment.
func (s *Service) AssessmentFile(ctx context.Context, u account.User, cycleID int64, criterionCode string) (File, error) {
	c, err := s.cycleFor(ctx, u, account.ViewMovement, cycleID)
	if err != nil {
		return File{}, err
	}
	var f File
	var key string
	err = s.DB.QueryRow(ctx, `SELECT a.file_name, a.file_type, a.file_key FROM recognition_assessments a JOIN criteria cr ON cr.id = a.criterion_id
		WHERE a.cycle_id = ? AND cr.code = ?`, c.ID, criterionCode).Scan(&f.Name, &f.Type, &key)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && key == "") {
		return File{}, errs.E(errs.NotFound, "Tiêu chí này không có tệp đính kèm.")
	}
	if err != nil {
		return File{}, fmt.Errorf("recognition: file: %w", err)
	}
	if s.Files == nil {
		return File{}, fmt.Errorf("recognition: no file store")
	}
	if f.Data, err = s.Files.Get(ctx, key); err != nil {
		return File{}, fmt.Errorf("recognition: file: %w", err)
	}
	return f, nil
}

func (s *Service) assessments(ctx context.Context, cycleID int64) ([]Assessment, error) {
	rows, err := s.DB.Query(ctx, `SELECT a.criterion_id, cr.code, a.met, a.evidence, a.file_name, a.file_type, COALESCE(a.assessed_by, 0), a.assessed_at
		FROM recognition_assessments a JOIN criteria cr ON cr.id = a.criterion_id WHERE a.cycle_id = ? ORDER BY cr.position, cr.id`, cycleID)
	if err != nil {
		return nil, fmt.Errorf("recognition: assessments: %w", err)
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		var a Assessment
		var met int
		var at string
		if err := rows.Scan(&a.CriterionID, &a.CriterionCode, &met, &a.Evidence, &a.FileName, &a.FileType, &a.AssessedBy, &at); err != nil {
			return nil, fmt.Errorf("recognition: assessments: %w", err)
		}
		a.Met = met != 0
		if a.AssessedAt, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recognition: assessments: %w", err)
	}
	return out, nil
}

func (s *Service) events(ctx context.Context, cycleID int64) ([]Event, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, at, actor, kind, note FROM recognition_events WHERE cycle_id = ? ORDER BY id", cycleID)
	if err != nil {
		return nil, fmt.Errorf("recognition: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Kind, &e.Note); err != nil {
			return nil, fmt.Errorf("recognition: events: %w", err)
		}
		if e.At, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recognition: events: %w", err)
	}
	return out, nil
}

// subjectName names a cycle's subject for people.
func (s *Service) subjectName(ctx context.Context, c Cycle) string {
	if c.SubjectKind == KindResidentialArea {
		id, _ := strconv.ParseInt(c.SubjectCode, 10, 64)
		a, err := s.Geo.Area(ctx, id)
		if err != nil {
			return "Khu dân cư " + c.SubjectCode
		}
		return geo.AreaKindName(a.Kind) + " " + a.Name + ", " + s.unitTitle(ctx, a.CommuneCode, s.refDate(c.Year))
	}
	return s.unitTitle(ctx, c.SubjectCode, s.refDate(c.Year))
}

// Cycle returns a cycle with its criteria, assessments and history.
func (s *Service) Cycle(ctx context.Context, u account.User, id int64) (CycleDetail, error) {
	c, err := s.cycleFor(ctx, u, account.ViewMovement, id)
	if err != nil {
		return CycleDetail{}, err
	}
	return s.detail(ctx, c)
}

func (s *Service) detail(ctx context.Context, c Cycle) (CycleDetail, error) {
	d := CycleDetail{Cycle: c, Subject: s.subjectName(ctx, c)}
	var err error
	if d.Set, err = s.CriteriaSet(ctx, c.SetID); err != nil {
		return d, err
	}
	if d.Assessments, err = s.assessments(ctx, c.ID); err != nil {
		return d, err
	}
	if d.Events, err = s.events(ctx, c.ID); err != nil {
		return d, err
	}
	return d, nil
}

// CycleFilter selects cycles for a list. Unit is VN, a province or a
// commune; empty fields select everything.
type CycleFilter struct {
	Unit   string
	Year   int
	Kind   string
	Status string
}

// Cycles lists the cycles within the filter's unit that the actor may see,
// newest year first.
func (s *Service) Cycles(ctx context.Context, u account.User, f CycleFilter) ([]Cycle, error) {
	if f.Unit == "" {
		f.Unit = u.UnitCode
	}
	if err := s.authorize(ctx, u, account.ViewMovement, f.Unit); err != nil {
		return nil, err
	}
	d := s.today()
	if f.Year != 0 {
		d = s.refDate(f.Year)
	}
	cond, args, err := s.unitFilter(ctx, "commune_code", f.Unit, d, false)
	if err != nil {
		return nil, err
	}
	q := "SELECT " + cycleCols + " FROM recognition_cycles WHERE " + cond
	if f.Year != 0 {
		q += " AND year = ?"
		args = append(args, f.Year)
	}
	if f.Kind != "" {
		q += " AND subject_kind = ?"
		args = append(args, f.Kind)
	}
	if f.Status != "" {
		q += " AND status = ?"
		args = append(args, f.Status)
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY year DESC, commune_code, subject_kind, subject_code", args...)
	if err != nil {
		return nil, fmt.Errorf("recognition: cycles: %w", err)
	}
	defer rows.Close()
	var out []Cycle
	for rows.Next() {
		c, err := scanCycle(rows)
		if err != nil {
			return nil, fmt.Errorf("recognition: cycles: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recognition: cycles: %w", err)
	}
	return out, nil
}

// Submit sends a cycle's self-assessment for decision. Every criterion must
// be assessed, and a "met" that the recorded data contradicts is refused.
func (s *Service) Submit(ctx context.Context, u account.User, cycleID int64) (Cycle, error) {
	c, err := s.cycleFor(ctx, u, account.EditMovement, cycleID)
	if err != nil {
		return Cycle{}, err
	}
	if c.Status != StatusRegistered && c.Status != StatusReturned {
		return Cycle{}, errs.E(errs.Conflict, "Hồ sơ đang ở trạng thái “%s”, không thể gửi xét duyệt.", StatusName(c.Status))
	}
	d, err := s.detail(ctx, c)
	if err != nil {
		return Cycle{}, err
	}
	assessed := map[string]Assessment{}
	for _, a := range d.Assessments {
		assessed[a.CriterionCode] = a
	}
	var missing []string
	for _, cr := range d.Set.Criteria {
		if _, ok := assessed[cr.Code]; !ok {
			missing = append(missing, cr.Code)
		}
	}
	if len(missing) > 0 {
		return Cycle{}, errs.E(errs.Invalid, "Chưa tự đánh giá tiêu chí %s. Vui lòng đánh giá đủ các tiêu chí trước khi gửi xét duyệt.", strings.Join(missing, ", "))
	}
	problems, err := s.contradictions(ctx, c, d.Set, assessed)
	if err != nil {
		return Cycle{}, err
	}
	if len(problems) > 0 {
		return Cycle{}, errs.E(errs.Invalid, "%s", strings.Join(problems, " "))
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE recognition_cycles SET status = ? WHERE id = ? AND status IN (?, ?)", StatusSubmitted, c.ID, StatusRegistered, StatusReturned)
		if err != nil {
			return fmt.Errorf("recognition: submit: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errs.E(errs.Conflict, "Hồ sơ vừa thay đổi trạng thái, không thể gửi xét duyệt.")
		}
		if err := addEvent(ctx, tx, c.ID, now, u, "submitted", "Gửi hồ sơ tự đánh giá để xét công nhận."); err != nil {
			return err
		}
		return appendAudit(ctx, tx, u, now, "recognition.submit", cycleObject(c.ID), "")
	})
	if err != nil {
		return Cycle{}, err
	}
	c.Status = StatusSubmitted
	return c, nil
}

// Decide is the province's decision on a submitted cycle. Approving
// recognises the subject only if every criterion is met, by the
// self-assessment and by the recorded data at the time of the decision;
// otherwise the cycle ends not recognised, and its note says why.
// Returning (approve false) sends it back to be assessed again, with a
// reason.
func (s *Service) Decide(ctx context.Context, u account.User, cycleID int64, approve bool, note string) (Cycle, error) {
	c, err := s.cycleFor(ctx, u, account.ReviewMovement, cycleID)
	if err != nil {
		return Cycle{}, err
	}
	if c.Status != StatusSubmitted {
		return Cycle{}, errs.E(errs.Conflict, "Hồ sơ đang ở trạng thái “%s”, không thể xét duyệt.", StatusName(c.Status))
	}
	if note, err = cleanText("note", note, 2000); err != nil {
		return Cycle{}, err
	}
	status, event := StatusReturned, "returned"
	decision := note
	if !approve {
		if note == "" {
			return Cycle{}, errs.Field("note", "Vui lòng ghi lý do trả lại hồ sơ.")
		}
	} else {
		d, err := s.detail(ctx, c)
		if err != nil {
			return Cycle{}, err
		}
		assessed := map[string]Assessment{}
		for _, a := range d.Assessments {
			assessed[a.CriterionCode] = a
		}
		var reasons []string
		for _, cr := range d.Set.Criteria {
			if a, ok := assessed[cr.Code]; !ok || !a.Met {
				reasons = append(reasons, fmt.Sprintf("Tiêu chí %s không đạt (theo hồ sơ tự đánh giá).", cr.Code))
			}
		}
		problems, err := s.contradictions(ctx, c, d.Set, assessed)
		if err != nil {
			return Cycle{}, err
		}
		reasons = append(reasons, problems...)
		status, event = StatusRecognised, "recognised"
		if len(reasons) > 0 {
			status, event = StatusNotRecognised, "not_recognised"
			why := "Không đủ điều kiện công nhận vì chưa đạt tất cả các tiêu chí: " + strings.Join(reasons, " ")
			decision = strings.TrimSpace(note + "\n" + why)
		}
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE recognition_cycles SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?
			WHERE id = ? AND status = ?`, status, u.ID, store.FormatTime(now), decision, c.ID, StatusSubmitted)
		if err != nil {
			return fmt.Errorf("recognition: decide: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errs.E(errs.Conflict, "Hồ sơ vừa thay đổi trạng thái, không thể xét duyệt.")
		}
		if err := addEvent(ctx, tx, c.ID, now, u, event, decision); err != nil {
			return err
		}
		return appendAudit(ctx, tx, u, now, "recognition.decide", cycleObject(c.ID), "status="+status+" "+decision)
	})
	if err != nil {
		return Cycle{}, err
	}
	c.Status, c.DecidedBy, c.DecidedAt, c.DecisionNote = status, u.ID, now.UTC(), decision
	return c, nil
}
