package crimesource

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"toandan/internal/audit"
	"toandan/internal/deadline"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// Action is one step an officer takes on a source.
type Action struct {
	Kind     string // one of the Action* constants
	Note     string
	Urgent   bool     // register: flagrant, very serious or drawing public attention
	Category string   // register: corrected category (optional)
	Agency   string   // transfer_agency: the receiving agency
	Province string   // transfer_investigation from the national intake unit
	AssignTo int64    // assign: the officer's user id
	Outcome  string   // decide: prosecute, not_prosecute, suspend
	Ground   string   // decide suspend: Art. 148(1) ground a, b or c
	Target   string   // merge: tracking code of the source kept
	Message  string   // message: text for the reporter
	Ref      string   // the number of the decision or document, if any
	Files    []Upload // documents attached to the step

	// ReceivedOn (YYYY-MM-DD) is the day the unit received the paper that
	// cancel_suspension or file_request records, from which its limit runs;
	// empty means today.
	ReceivedOn string
}

// Actions an officer can take.
const (
	ActRegister         = "register"
	ActCheck            = "preliminary_check"
	ActTransfer         = "transfer_investigation"
	ActTransferAgency   = "transfer_agency"
	ActAssign           = "assign"
	ActNotifyProcuracy  = "notify_procuracy"
	ActExtend           = "extend"
	ActProcuracyExtend  = "procuracy_extend"
	ActDecide           = "decide"
	ActResume           = "resume"
	ActCancelSuspension = "cancel_suspension"
	ActNotCrime         = "not_crime"
	ActMerge            = "merge"
	ActMessage          = "message"
	ActNote             = "note"
	ActFileRequest      = "file_request"
	ActFileHandover     = "file_handover"
)

// ActionNames are the Vietnamese names of the actions, as the timeline shows
// them.
var ActionNames = map[string]string{
	"received":          "Tiếp nhận",
	ActRegister:         "Lập biên bản tiếp nhận",
	ActCheck:            "Kiểm tra sơ bộ",
	ActTransfer:         "Chuyển cơ quan điều tra",
	ActTransferAgency:   "Chuyển cơ quan có thẩm quyền khác",
	ActAssign:           "Phân công điều tra viên",
	ActNotifyProcuracy:  "Thông báo Viện kiểm sát",
	ActExtend:           "Gia hạn lên 2 tháng",
	ActProcuracyExtend:  "Viện kiểm sát gia hạn",
	ActDecide:           "Ra quyết định",
	ActResume:           "Phục hồi giải quyết",
	ActCancelSuspension: "Viện kiểm sát hủy quyết định tạm đình chỉ",
	ActNotCrime:         "Không có dấu hiệu tội phạm, xử lý hành chính",
	ActMerge:            "Gộp vào nguồn tin khác",
	ActMessage:          "Nhắn tin cho người báo tin",
	ActNote:             "Ghi chú",
	ActFileRequest:      "Viện kiểm sát yêu cầu chuyển hồ sơ",
	ActFileHandover:     "Chuyển hồ sơ cho Viện kiểm sát",
	EventDueMoved:       "Tính lại hạn theo lịch ngày nghỉ",
	"reporter_reply":    "Người báo tin trả lời",
	"identity_reveal":   "Xem danh tính người báo tin",
}

// Outcomes of a decision (Art. 147(1)).
const (
	OutcomeProsecute    = "prosecute"
	OutcomeNotProsecute = "not_prosecute"
	OutcomeSuspend      = "suspend"
)

type actionRule struct {
	roles    []string
	statuses []string // empty: any status that is not closed
	anyState bool     // allowed on closed sources too
}

var actionRules = map[string]actionRule{
	ActRegister:         {roles: []string{"commune", "investigator"}, statuses: []string{StatusReceived}},
	ActCheck:            {roles: []string{"commune"}, statuses: []string{StatusRegistered}},
	ActTransfer:         {roles: []string{"commune", "ministry"}, statuses: []string{StatusReceived, StatusRegistered}},
	ActTransferAgency:   {roles: []string{"commune", "investigator", "ministry"}},
	ActAssign:           {roles: []string{"investigator"}, statuses: []string{StatusReceived, StatusRegistered, StatusVerifying, StatusSuspended}},
	ActNotifyProcuracy:  {roles: []string{"investigator"}, anyState: true},
	ActExtend:           {roles: []string{"investigator"}, statuses: []string{StatusReceived, StatusRegistered, StatusVerifying}},
	ActProcuracyExtend:  {roles: []string{"investigator"}, statuses: []string{StatusReceived, StatusRegistered, StatusVerifying}},
	ActDecide:           {roles: []string{"investigator"}, statuses: []string{StatusReceived, StatusRegistered, StatusVerifying}},
	ActResume:           {roles: []string{"investigator"}, statuses: []string{StatusSuspended}},
	ActCancelSuspension: {roles: []string{"investigator"}, statuses: []string{StatusSuspended}},
	ActNotCrime:         {roles: []string{"investigator"}, statuses: []string{StatusReceived, StatusRegistered, StatusVerifying}},
	ActMerge:            {roles: []string{"commune", "investigator"}},
	ActMessage:          {roles: []string{"commune", "investigator"}, anyState: true},
	ActNote:             {roles: []string{"commune", "investigator"}, anyState: true},
	// The procuracy asks the unit holding the source for its file (Art.
	// 146(2)); the handover may still be owed once the source is closed.
	ActFileRequest:  {roles: []string{"commune", "investigator"}},
	ActFileHandover: {roles: []string{"commune", "investigator"}, anyState: true},
}

// Allowed reports whether role may take action kind at all (admins may take
// every action).
func Allowed(role, kind string) bool {
	r, ok := actionRules[kind]
	if !ok {
		return false
	}
	if role == "admin" {
		return true
	}
	for _, x := range r.roles {
		if x == role {
			return true
		}
	}
	return false
}

type current struct {
	id           int64
	tracking     string
	status       string
	unitID       int64
	unitLevel    string
	unitProvince string
	province     string
	receivedAt   time.Time
	postmarked   string
	facility     string // facility_received_on
	decidedAt    string
	urgent       bool
	remote       bool
	extended     bool
	procExtended bool
	anonymous    bool
}

func loadCurrent(ctx context.Context, tx *store.Tx, id int64) (current, error) {
	var c current
	var received string
	var urgent, remote, ext, pext, anon int
	err := tx.QueryRow(ctx, `SELECT s.id, s.tracking_code, s.status, s.unit_id, p.level, p.province_code, s.province_code, s.received_at, s.postmarked_on,
		s.facility_received_on, s.decided_at, s.urgent, s.remote, s.extended, s.procuracy_extended, s.anonymous
		FROM sources s JOIN police_units p ON p.id = s.unit_id WHERE s.id = ?`, id).
		Scan(&c.id, &c.tracking, &c.status, &c.unitID, &c.unitLevel, &c.unitProvince, &c.province, &received, &c.postmarked,
			&c.facility, &c.decidedAt, &urgent, &remote, &ext, &pext, &anon)
	if isNoRows(err) {
		return c, errNoSource
	}
	if err != nil {
		return c, fmt.Errorf("crimesource: load: %w", err)
	}
	c.urgent, c.remote, c.extended, c.procExtended, c.anonymous = urgent == 1, remote == 1, ext == 1, pext == 1, anon == 1
	c.receivedAt, err = store.ParseTime(received)
	return c, err
}

// Act takes one step on a source, checking who may take it and in which
// state, and moving the source's time limits as the law says.
func (s *Service) Act(ctx context.Context, actor Actor, sourceID int64, a Action) error {
	rule, ok := actionRules[a.Kind]
	if !ok {
		return errs.Field("action", "Thao tác không hợp lệ.")
	}
	sc, err := s.scopeOf(ctx, actor)
	if err != nil {
		return err
	}
	if ok, err := s.sees(ctx, sc, sourceID); err != nil {
		return err
	} else if !ok {
		return errNoSource
	}
	if !Allowed(actor.Role, a.Kind) {
		return errs.E(errs.Forbidden, "Vai trò của bạn không được thực hiện thao tác “%s”.", ActionNames[a.Kind])
	}
	a.Note = clean(a.Note)
	a.Message = clean(a.Message)
	a.Ref = clean(a.Ref)
	if tooLong(a.Note, 5000) || tooLong(a.Message, 5000) {
		return errs.Field("note", "Nội dung dài quá 5.000 ký tự.")
	}
	if tooLong(a.Ref, 100) {
		return errs.Field("ref", "Số văn bản dài quá 100 ký tự.")
	}
	files, err := s.prepareFiles(a.Files)
	if err != nil {
		return err
	}
	rules, cal, err := s.rules(ctx)
	if err != nil {
		return err
	}
	if err := s.storeFiles(ctx, files); err != nil {
		return err
	}
	now := s.Clock.Now()
	at := store.FormatTime(now)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := loadCurrent(ctx, tx, sourceID)
		if err != nil {
			return err
		}
		// Who holds the source is checked before its state: a unit that no
		// longer handles it is told so, not that the step does not fit.
		if a.Kind != ActMessage && a.Kind != ActNote {
			held, err := s.holds(ctx, actor, c.unitID)
			if err != nil {
				return err
			}
			if !held {
				return errs.E(errs.Forbidden, "Nguồn tin này đang do đơn vị khác giải quyết.")
			}
		}
		if !rule.anyState {
			allowed := false
			if len(rule.statuses) == 0 {
				allowed = !Closed(c.status)
			}
			for _, st := range rule.statuses {
				if st == c.status {
					allowed = true
				}
			}
			if !allowed {
				return errs.E(errs.Conflict, "Không thể “%s” khi nguồn tin đang ở trạng thái “%s”.", ActionNames[a.Kind], StatusName(c.status))
			}
		}
		st := step{s: s, tx: tx, actor: actor, c: c, a: a, now: now, at: at, rules: rules, cal: cal}
		eventID, err := st.apply(ctx)
		if err != nil {
			return err
		}
		if err := insertAttachments(ctx, tx, sourceID, nil, eventID, files, at); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE sources SET updated_at = ? WHERE id = ?", at, sourceID); err != nil {
			return fmt.Errorf("crimesource: touch: %w", err)
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: actor.audit(), Action: "source." + a.Kind, Object: "source:" + c.tracking, Detail: audit.Clean(a.Ref)})
	})
	if err != nil {
		s.removeFiles(files)
	}
	return err
}

type step struct {
	s     *Service
	tx    *store.Tx
	actor Actor
	c     current
	a     Action
	now   time.Time
	at    string
	rules *deadline.Rules
	cal   deadline.Calendar
}

func (st *step) event(ctx context.Context, note string, data any) (int64, error) {
	if st.a.Note != "" {
		if note != "" {
			note += " "
		}
		note += st.a.Note
	}
	return addEvent(ctx, st.tx, st.c.id, st.at, st.actor, st.c.unitID, st.a.Kind, note, data)
}

func (st *step) setStatus(ctx context.Context, status string, extra string, args ...any) error {
	q := "UPDATE sources SET status = ?"
	if extra != "" {
		q += ", " + extra
	}
	q += " WHERE id = ?"
	all := append([]any{status}, args...)
	all = append(all, st.c.id)
	if _, err := st.tx.Exec(ctx, q, all...); err != nil {
		return fmt.Errorf("crimesource: status: %w", err)
	}
	return nil
}

func (st *step) apply(ctx context.Context) (int64, error) {
	tx, c, a := st.tx, st.c, st.a
	switch a.Kind {
	case ActRegister:
		extra, args := "registered_at = ?", []any{st.at}
		if a.Category != "" {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM crime_categories WHERE code = ?", a.Category).Scan(&n); err != nil {
				return 0, err
			}
			if n == 0 {
				return 0, errs.Field("category", "Lĩnh vực không hợp lệ.")
			}
			extra += ", category = ?"
			args = append(args, a.Category)
		}
		if a.Urgent != c.urgent {
			extra += ", urgent = ?"
			args = append(args, b2i(a.Urgent))
			// The transfer limit depends on urgency: restart it from receipt
			// under the right rule.
			if c.unitLevel == "commune" {
				if _, _, _, open, err := openDeadline(ctx, tx, c.id, transferRules); err != nil {
					return 0, err
				} else if open {
					if err := closeDeadlines(ctx, tx, c.id, transferRules, st.at, false); err != nil {
						return 0, err
					}
					start := receiptStart(c.receivedAt, c.postmarked, c.facility)
					if _, err := startDeadline(ctx, tx, st.rules, st.cal, c.id, c.unitID, transferRule(a.Urgent, c.remote), start); err != nil {
						return 0, err
					}
				}
			}
		}
		if err := st.setStatus(ctx, StatusRegistered, extra, args...); err != nil {
			return 0, err
		}
		note := "Đã lập biên bản tiếp nhận."
		if a.Urgent {
			note += " Phạm tội quả tang, rất nghiêm trọng, đặc biệt nghiêm trọng hoặc dư luận quan tâm."
		}
		return st.event(ctx, note, map[string]any{"urgent": a.Urgent, "category": a.Category})

	case ActCheck:
		if a.Note == "" {
			return 0, errs.Field("note", "Vui lòng ghi kết quả kiểm tra sơ bộ.")
		}
		return st.event(ctx, "", nil)

	case ActTransfer:
		prov := c.unitProvince
		if c.unitLevel == "national" {
			prov = strings.TrimSpace(a.Province)
			if prov == "" {
				return 0, errs.Field("province", "Vui lòng chọn tỉnh, thành phố có cơ quan điều tra có thẩm quyền.")
			}
		} else if c.unitLevel != "commune" {
			return 0, errs.E(errs.Conflict, "Nguồn tin đã ở cơ quan điều tra.")
		}
		target, err := st.s.Geo.PoliceUnit(ctx, geo.PoliceCode(prov))
		if err != nil {
			return 0, errs.Field("province", "Không tìm thấy cơ quan điều tra của tỉnh %s.", prov)
		}
		if err := closeDeadlines(ctx, tx, c.id, transferRules, st.at, true); err != nil {
			return 0, err
		}
		if c.unitLevel == "national" {
			// The national intake unit's own limits end with the transfer;
			// the province's investigation body starts its own.
			if err := st.closeAll(ctx); err != nil {
				return 0, err
			}
		}
		if err := startInvestigationDeadlines(ctx, tx, st.rules, st.cal, c.id, target.ID, st.now); err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, StatusVerifying, "unit_id = ?", target.ID); err != nil {
			return 0, err
		}
		return st.event(ctx, "Chuyển đến "+target.Name+".", map[string]any{"to": target.Code})

	case ActTransferAgency:
		a.Agency = clean(a.Agency)
		if a.Agency == "" || tooLong(a.Agency, 300) {
			return 0, errs.Field("agency", "Vui lòng nhập tên cơ quan có thẩm quyền nhận nguồn tin.")
		}
		if err := st.closeAll(ctx); err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, StatusTransferredOut, "outcome = ?, closed_at = ?", "Chuyển "+a.Agency, st.at); err != nil {
			return 0, err
		}
		return st.event(ctx, "Chuyển đến "+a.Agency+".", map[string]any{"agency": a.Agency})

	case ActAssign:
		var role, unit, name string
		err := tx.QueryRow(ctx, "SELECT role, unit_code, COALESCE(NULLIF(display_name, ''), username) FROM users WHERE id = ? AND disabled = 0", a.AssignTo).Scan(&role, &unit, &name)
		if isNoRows(err) || (err == nil && (role != "investigator" || unit != c.unitProvince)) {
			return 0, errs.Field("assign_to", "Chỉ phân công được điều tra viên của đơn vị đang giải quyết.")
		}
		if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, "UPDATE sources SET assigned_to = ? WHERE id = ?", a.AssignTo, c.id); err != nil {
			return 0, err
		}
		if c.status == StatusReceived || c.status == StatusRegistered {
			if err := st.setStatus(ctx, StatusVerifying, ""); err != nil {
				return 0, err
			}
		}
		return st.event(ctx, "Phân công: "+name+".", map[string]any{"user_id": a.AssignTo})

	case ActNotifyProcuracy:
		if err := closeDeadlines(ctx, tx, c.id, procuracyRules, st.at, true); err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, "UPDATE sources SET procuracy_notified_at = ? WHERE id = ? AND procuracy_notified_at = ''", st.at, c.id); err != nil {
			return 0, err
		}
		return st.event(ctx, "Đã gửi văn bản thông báo Viện kiểm sát.", map[string]any{"ref": a.Ref})

	case ActExtend:
		if c.extended {
			return 0, errs.E(errs.Conflict, "Nguồn tin đã được gia hạn lên 2 tháng.")
		}
		_, start, _, open, err := openDeadline(ctx, tx, c.id, []string{"decision"})
		if err != nil {
			return 0, err
		}
		if !open {
			return 0, errs.E(errs.Conflict, "Không có thời hạn giải quyết 20 ngày đang chạy để gia hạn.")
		}
		if err := closeDeadlines(ctx, tx, c.id, []string{"decision"}, st.at, false); err != nil {
			return 0, err
		}
		if _, err := startDeadline(ctx, tx, st.rules, st.cal, c.id, c.unitID, "decision_extended", start); err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, StatusVerifying, "extended = 1"); err != nil {
			return 0, err
		}
		return st.event(ctx, "Vụ việc phức tạp, gia hạn giải quyết đến 2 tháng (Điều 147 khoản 2).", map[string]any{"ref": a.Ref})

	case ActProcuracyExtend:
		if !c.extended {
			return 0, errs.E(errs.Conflict, "Chỉ Viện kiểm sát gia hạn thêm sau khi đã gia hạn lên 2 tháng.")
		}
		if c.procExtended {
			return 0, errs.E(errs.Conflict, "Viện kiểm sát chỉ được gia hạn một lần (tối đa 4 tháng kể từ khi tiếp nhận).")
		}
		_, start, prevDue, open, err := openDeadline(ctx, tx, c.id, []string{"decision_extended"})
		if err != nil {
			return 0, err
		}
		if !open {
			return 0, errs.E(errs.Conflict, "Không có thời hạn 2 tháng đang chạy để gia hạn.")
		}
		r, err := st.rules.For("procuracy_extension", start)
		if err != nil {
			return 0, err
		}
		due, err := deadline.DecisionDue(st.rules, start, true, true, st.cal)
		if err != nil {
			return 0, err
		}
		if due.Before(prevDue) {
			due = prevDue
		}
		if err := closeDeadlines(ctx, tx, c.id, []string{"decision_extended"}, st.at, false); err != nil {
			return 0, err
		}
		if err := insertDeadline(ctx, tx, c.id, c.unitID, r, start, due); err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, StatusVerifying, "procuracy_extended = 1"); err != nil {
			return 0, err
		}
		return st.event(ctx, "Viện kiểm sát gia hạn thêm (tối đa 2 tháng).", map[string]any{"ref": a.Ref})

	case ActDecide:
		return st.decide(ctx)

	case ActResume:
		if _, err := startDeadline(ctx, tx, st.rules, st.cal, c.id, c.unitID, "resolve_after_resumption", st.now); err != nil {
			return 0, err
		}
		if _, err := startDeadline(ctx, tx, st.rules, st.cal, c.id, c.unitID, "resumption_notice", st.now); err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, StatusVerifying, "outcome = '', decided_at = ''"); err != nil {
			return 0, err
		}
		return st.event(ctx, "Ra quyết định phục hồi giải quyết (Điều 149): giải quyết trong 1 tháng.", map[string]any{"ref": a.Ref})

	case ActCancelSuspension:
		// The month runs from the day the investigating body received the
		// annulment (Art. 148(2)), which cannot precede the suspension.
		since, what := c.receivedAt, "ngày tiếp nhận nguồn tin"
		if t, err := store.ParseTime(c.decidedAt); err == nil {
			since, what = t, "ngày quyết định tạm đình chỉ"
		}
		start, day, err := st.receivedOn(since, what)
		if err != nil {
			return 0, err
		}
		due, err := startDeadline(ctx, tx, st.rules, st.cal, c.id, c.unitID, "resolve_after_cancel", start)
		if err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, StatusVerifying, "outcome = '', decided_at = ''"); err != nil {
			return 0, err
		}
		note := fmt.Sprintf("Viện kiểm sát hủy quyết định tạm đình chỉ (Điều 148 khoản 2); cơ quan điều tra nhận quyết định hủy ngày %s: giải quyết trong 1 tháng, hạn %s.",
			dateVN(day), DueVN(due))
		return st.event(ctx, note, map[string]any{"ref": a.Ref, "received_on": day.String()})

	case ActFileRequest:
		if _, _, _, open, err := openDeadline(ctx, tx, c.id, fileRules); err != nil {
			return 0, err
		} else if open {
			return 0, errs.E(errs.Conflict, "Yêu cầu chuyển hồ sơ trước của Viện kiểm sát chưa được thực hiện.")
		}
		start, day, err := st.receivedOn(c.receivedAt, "ngày tiếp nhận nguồn tin")
		if err != nil {
			return 0, err
		}
		due, err := startDeadline(ctx, tx, st.rules, st.cal, c.id, c.unitID, deadline.FileHandover, start)
		if err != nil {
			return 0, err
		}
		note := fmt.Sprintf("Viện kiểm sát yêu cầu chuyển hồ sơ (Điều 146 khoản 2), nhận yêu cầu ngày %s: chuyển hồ sơ trong 5 ngày, hạn %s.", dateVN(day), DueVN(due))
		return st.event(ctx, note, map[string]any{"ref": a.Ref, "received_on": day.String()})

	case ActFileHandover:
		if _, _, _, open, err := openDeadline(ctx, tx, c.id, fileRules); err != nil {
			return 0, err
		} else if !open {
			return 0, errs.E(errs.Conflict, "Không có yêu cầu chuyển hồ sơ nào của Viện kiểm sát đang chờ thực hiện.")
		}
		if err := closeDeadlines(ctx, tx, c.id, fileRules, st.at, true); err != nil {
			return 0, err
		}
		return st.event(ctx, "Đã chuyển hồ sơ nguồn tin cho Viện kiểm sát.", map[string]any{"ref": a.Ref})

	case ActNotCrime:
		if err := closeDeadlines(ctx, tx, c.id, decisionRules, st.at, true); err != nil {
			return 0, err
		}
		if err := closeDeadlines(ctx, tx, c.id, transferRules, st.at, false); err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, StatusNotCrime, "outcome = ?, decided_at = ?, closed_at = ?", "not_crime", st.at, st.at); err != nil {
			return 0, err
		}
		return st.event(ctx, "Không có dấu hiệu tội phạm; chuyển xử lý vi phạm hành chính.", map[string]any{"ref": a.Ref})

	case ActMerge:
		var targetID int64
		err := tx.QueryRow(ctx, "SELECT id FROM sources WHERE tracking_code = ?", strings.ToUpper(strings.TrimSpace(a.Target))).Scan(&targetID)
		if isNoRows(err) {
			return 0, errs.Field("target", "Không tìm thấy nguồn tin có mã %s.", a.Target)
		}
		if err != nil {
			return 0, err
		}
		if targetID == c.id {
			return 0, errs.Field("target", "Không thể gộp nguồn tin vào chính nó.")
		}
		sc, err := st.s.scopeOf(ctx, st.actor)
		if err != nil {
			return 0, err
		}
		if ok, err := st.s.sees(ctx, sc, targetID); err != nil {
			return 0, err
		} else if !ok {
			return 0, errs.Field("target", "Không tìm thấy nguồn tin có mã %s.", a.Target)
		}
		if err := st.closeAll(ctx); err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, StatusMerged, "merged_into = ?, outcome = 'merged', closed_at = ?", targetID, st.at); err != nil {
			return 0, err
		}
		return st.event(ctx, "Trùng sự việc, gộp vào nguồn tin "+strings.ToUpper(a.Target)+".", map[string]any{"target": targetID})

	case ActMessage:
		if a.Message == "" {
			return 0, errs.Field("message", "Vui lòng nhập nội dung tin nhắn.")
		}
		if _, err := tx.Exec(ctx, "INSERT INTO source_messages (source_id, at, from_reporter, user_id, body) VALUES (?, ?, 0, ?, ?)",
			c.id, st.at, st.actor.UserID, a.Message); err != nil {
			return 0, fmt.Errorf("crimesource: message: %w", err)
		}
		return st.event(ctx, "Đã gửi tin nhắn cho người báo tin.", nil)

	case ActNote:
		if a.Note == "" {
			return 0, errs.Field("note", "Vui lòng nhập ghi chú.")
		}
		return st.event(ctx, "", nil)
	}
	return 0, errs.Field("action", "Thao tác không hợp lệ.")
}

func (st *step) closeAll(ctx context.Context) error {
	all := append(append(append(append([]string{}, transferRules...), decisionRules...), procuracyRules...), fileRules...)
	return closeDeadlines(ctx, st.tx, st.c.id, all, st.at, false)
}

func (st *step) decide(ctx context.Context) (int64, error) {
	tx, c, a := st.tx, st.c, st.a
	if c.unitLevel != "province" {
		return 0, errs.E(errs.Conflict, "Chỉ cơ quan điều tra cấp tỉnh mới ra quyết định giải quyết nguồn tin.")
	}
	switch a.Outcome {
	case OutcomeProsecute, OutcomeNotProsecute:
		if err := closeDeadlines(ctx, tx, c.id, decisionRules, st.at, true); err != nil {
			return 0, err
		}
		status, note := StatusProsecuted, "Quyết định khởi tố vụ án."
		if a.Outcome == OutcomeNotProsecute {
			status, note = StatusNotProsecuted, "Quyết định không khởi tố vụ án."
		} else if _, err := startDeadline(ctx, tx, st.rules, st.cal, c.id, c.unitID, "initiation_to_procuracy", st.now); err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, status, "outcome = ?, decided_at = ?, closed_at = ?", a.Outcome, st.at, st.at); err != nil {
			return 0, err
		}
		return st.event(ctx, note, map[string]any{"outcome": a.Outcome, "ref": a.Ref})

	case OutcomeSuspend:
		var ground *Ground
		for i, g := range SuspensionGrounds {
			if g.Code == a.Ground {
				ground = &SuspensionGrounds[i]
			}
		}
		if ground == nil {
			return 0, errs.Field("ground", "Tạm đình chỉ phải nêu một căn cứ của Điều 148 khoản 1 (a, b hoặc c).")
		}
		if today := deadline.DateOf(st.now); !ground.InForce(today) {
			from, _ := deadline.ParseDate(ground.EffectiveFrom)
			return 0, errs.Field("ground", "Căn cứ tại điểm %s khoản 1 Điều 148 được bổ sung bởi %s, áp dụng từ ngày %s; không thể dùng cho quyết định tạm đình chỉ ngày %s.",
				ground.Code, ground.AddedBy, dateVN(from), dateVN(today))
		}
		_, _, due, open, err := openDeadline(ctx, tx, c.id, decisionRules)
		if err != nil {
			return 0, err
		}
		// Art. 148: suspension only when the resolution limit runs out. The
		// decision is taken as the limit expires, so its last day counts.
		if open && deadline.DaysLeft(due, st.now) > 0 {
			return 0, errs.E(errs.Conflict, "Chỉ được tạm đình chỉ khi đã hết thời hạn giải quyết (Điều 148); thời hạn còn %d ngày.", deadline.DaysLeft(due, st.now))
		}
		if err := closeDeadlines(ctx, tx, c.id, decisionRules, st.at, true); err != nil {
			return 0, err
		}
		if _, err := startDeadline(ctx, tx, st.rules, st.cal, c.id, c.unitID, "suspension_to_procuracy", st.now); err != nil {
			return 0, err
		}
		if err := st.setStatus(ctx, StatusSuspended, "outcome = ?, decided_at = ?", OutcomeSuspend, st.at); err != nil {
			return 0, err
		}
		return st.event(ctx, "Quyết định tạm đình chỉ giải quyết. Căn cứ: "+ground.Name+".", map[string]any{"outcome": OutcomeSuspend, "ground": a.Ground, "ref": a.Ref})
	}
	return 0, errs.Field("outcome", "Vui lòng chọn quyết định: khởi tố, không khởi tố hoặc tạm đình chỉ.")
}

// Reveal opens a reporter's sealed identity for an officer whose role may
// see it, after a stated reason. Every reveal is in the audit log.
func (s *Service) Reveal(ctx context.Context, actor Actor, sourceID int64, reason string) (*Reporter, error) {
	allowed := false
	for _, r := range s.RevealRoles {
		if r == actor.Role {
			allowed = true
		}
	}
	if !allowed {
		return nil, errs.E(errs.Forbidden, "Vai trò của bạn không được xem danh tính người báo tin.")
	}
	sc, err := s.scopeOf(ctx, actor)
	if err != nil {
		return nil, err
	}
	if ok, err := s.sees(ctx, sc, sourceID); err != nil {
		return nil, err
	} else if !ok {
		return nil, errNoSource
	}
	reason = clean(reason)
	if utf8.RuneCountInString(reason) < 10 {
		return nil, errs.Field("reason", "Vui lòng nêu lý do xem danh tính (ít nhất 10 ký tự).")
	}
	var tracking string
	var sealed []byte
	if err := s.DB.QueryRow(ctx, "SELECT tracking_code, identity_sealed FROM sources WHERE id = ?", sourceID).Scan(&tracking, &sealed); err != nil {
		return nil, fmt.Errorf("crimesource: reveal: %w", err)
	}
	if len(sealed) == 0 {
		return nil, errs.E(errs.NotFound, "Người báo tin đã gửi ẩn danh; không có danh tính để xem.")
	}
	plain, err := s.Keys.OpenIdentity(sealed, "source:"+tracking)
	if err != nil {
		return nil, fmt.Errorf("crimesource: open identity of %s: %w", tracking, err)
	}
	var r Reporter
	if err := jsonUnmarshal(plain, &r); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := addEvent(ctx, tx, sourceID, store.FormatTime(now), actor, 0, "identity_reveal", "Lý do: "+reason, nil); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: actor.audit(), Action: "identity.reveal", Object: "source:" + tracking, Detail: audit.Clean(reason)})
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// running reports whether a limit of rule code is running on the source.
func (d Detail) running(code string) bool {
	for _, x := range d.Deadlines {
		if x.RuleCode == code && x.State != "met" && x.State != "cancelled" {
			return true
		}
	}
	return false
}

// receivedOn reads the day the unit received the paper a step records, for a
// limit that runs from it (a.ReceivedOn): empty or today starts the limit
// now, an earlier day at 00:00 of that day. The day can be neither after
// today nor before since (what names since in the message).
func (st *step) receivedOn(since time.Time, what string) (time.Time, deadline.Date, error) {
	today := deadline.DateOf(st.now)
	on := strings.TrimSpace(st.a.ReceivedOn)
	if on == "" {
		return st.now, today, nil
	}
	d, err := deadline.ParseDate(on)
	if err != nil {
		return time.Time{}, deadline.Date{}, errs.Field("received_on", "Ngày nhận phải có dạng NNNN-TT-NN (ví dụ 2026-12-01).")
	}
	if today.Before(d) {
		return time.Time{}, deadline.Date{}, errs.Field("received_on", "Ngày nhận không thể sau hôm nay.")
	}
	if first := deadline.DateOf(since); d.Before(first) {
		return time.Time{}, deadline.Date{}, errs.Field("received_on", "Ngày nhận không thể trước %s (%s).", what, dateVN(first))
	}
	if d == today {
		return st.now, today, nil
	}
	return d.Start(), d, nil
}

// AvailableActions lists the actions role may take on a source in its
// current state, for the page to offer. Act checks everything again.
func AvailableActions(role string, d Detail) []string {
	var out []string
	for _, kind := range []string{ActRegister, ActCheck, ActTransfer, ActAssign, ActNotifyProcuracy, ActExtend, ActProcuracyExtend,
		ActDecide, ActResume, ActCancelSuspension, ActFileRequest, ActFileHandover, ActNotCrime, ActTransferAgency, ActMerge, ActMessage, ActNote} {
		if !Allowed(role, kind) {
			continue
		}
		r := actionRules[kind]
		ok := r.anyState || (len(r.statuses) == 0 && !Closed(d.Status))
		for _, st := range r.statuses {
			if st == d.Status {
				ok = true
			}
		}
		switch kind {
		case ActExtend:
			ok = ok && !d.Extended
		case ActProcuracyExtend:
			ok = ok && d.Extended && !d.ProcExtended
		case ActMessage:
			ok = ok && d.Channel == "online"
		case ActFileRequest:
			ok = ok && !d.running(deadline.FileHandover)
		case ActFileHandover:
			ok = ok && d.running(deadline.FileHandover)
		}
		if ok {
			out = append(out, kind)
		}
	}
	return out
}
