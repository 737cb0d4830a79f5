package crimesource

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"toandan/internal/audit"
	"toandan/internal/deadline"
	"toandan/internal/errs"
	"toandan/internal/store"
)

// Row is one line of an inbox.
type Row struct {
	ID           int64
	TrackingCode string
	Kind         string
	Channel      string
	Category     string
	CategoryName string
	Status       string
	UnitName     string
	CommuneCode  string
	ReceivedAt   time.Time
	RegisterYear int
	RegisterNo   int
	Anonymous    bool
	Summary      string
	NextDue      time.Time // earliest open limit, zero if none
	NextRule     string
	DaysLeft     int
	State        string // ok, at_risk, overdue, or "" with no open limit
}

// Filter narrows an inbox.
type Filter struct {
	Status   string
	Category string
	Channel  string
	Due      string // "at_risk" or "overdue"
	Search   string
	// Keyset paging: the received_at and id of the last row of the previous
	// page.
	AfterAt string
	AfterID int64
	Limit   int
}

// Page is one page of an inbox.
type Page struct {
	Rows []Row
	// Next is the cursor of the next page ("" on the last page).
	Next string
}

// Cursor renders a keyset cursor.
func Cursor(r Row) string { return store.FormatTime(r.ReceivedAt) + "_" + strconv.FormatInt(r.ID, 10) }

// ParseCursor reads a cursor into f.
func (f *Filter) ParseCursor(c string) error {
	if c == "" {
		return nil
	}
	at, id, ok := strings.Cut(c, "_")
	n, err := strconv.ParseInt(id, 10, 64)
	if _, terr := store.ParseTime(at); !ok || err != nil || terr != nil {
		return errs.Field("cursor", "Trang không hợp lệ.")
	}
	f.AfterAt, f.AfterID = at, n
	return nil
}

// ExportPage is the page size of exports: larger pages than a screen's, so
// that a million rows take a few hundred queries rather than thousands.
const ExportPage = 2000

const openDeadlineCond = "d.met_at = '' AND d.cancelled_at = ''"

// Inbox lists the sources an officer sees, newest first.
func (s *Service) Inbox(ctx context.Context, actor Actor, f Filter) (Page, error) {
	sc, err := s.scopeOf(ctx, actor)
	if err != nil {
		return Page{}, err
	}
	cond, args := sc.where()
	scopeArgs := len(args)
	where := []string{cond}
	if f.Status != "" {
		where = append(where, "s.status = ?")
		args = append(args, f.Status)
	}
	if f.Category != "" {
		where = append(where, "s.category = ?")
		args = append(args, f.Category)
	}
	if f.Channel != "" {
		where = append(where, "s.channel = ?")
		args = append(args, f.Channel)
	}
	now := s.Clock.Now()
	switch f.Due {
	case "overdue":
		where = append(where, "EXISTS (SELECT 1 FROM source_deadlines d WHERE d.source_id = s.id AND "+openDeadlineCond+" AND d.due_at <= ?)")
		args = append(args, store.FormatTime(now))
	case "at_risk":
		// At risk: the last day is within AtRiskDays days; computed on the
		// calendar in Go below, pre-filtered here by a generous bound.
		where = append(where, "EXISTS (SELECT 1 FROM source_deadlines d WHERE d.source_id = s.id AND "+openDeadlineCond+" AND d.due_at > ? AND d.due_at <= ?)")
		args = append(args, store.FormatTime(now), store.FormatTime(now.Add(time.Duration(s.atRisk()+1)*24*time.Hour)))
	case "":
	default:
		return Page{}, errs.Field("due", "Bộ lọc thời hạn không hợp lệ.")
	}
	terms := ParseQuery(f.Search).Terms
	if len(terms) == 0 && strings.TrimSpace(f.Search) != "" {
		// Only punctuation or single letters: nothing can be searched for,
		// and a search must never widen to every source.
		return Page{}, nil
	}
	search, err := s.planSearch(ctx, terms, sc.unitID != 0, f.AfterAt)
	if err != nil {
		return Page{}, err
	}
	where = append(where, search.where...)
	args = append(args, search.args...)
	if f.AfterAt != "" {
		// The leading received_at <= ? is implied by the rest; it is there
		// so that both engines start the next page in the index instead of
		// scanning from the newest row again.
		where = append(where, "s.received_at <= ? AND (s.received_at < ? OR s.id < ?)")
		args = append(args, f.AfterAt, f.AfterAt, f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 || (limit > 200 && limit != ExportPage) {
		limit = 50
	}
	if sc.unitID != 0 && len(terms) == 0 {
		// A unit sees what it holds and what it received: two indexes in
		// received order. Each gives its newest rows of the page, and the
		// page is made of those, instead of gathering and sorting every
		// row of the unit (1,500 after three years for a commune).
		rest, restArgs := where[1:], args[scopeArgs:]
		branch := func(col string) string {
			q := "SELECT s.id FROM sources s WHERE s." + col + " = ?"
			if len(rest) > 0 {
				q += " AND " + strings.Join(rest, " AND ")
			}
			return q + " ORDER BY s.received_at DESC, s.id DESC LIMIT " + strconv.Itoa(limit+1)
		}
		where = []string{"s.id IN (SELECT id FROM (" + branch("unit_id") + ") a UNION SELECT id FROM (" + branch("receiving_unit_id") + ") b)"}
		args = append(append(append([]any{sc.unitID}, restArgs...), sc.unitID), restArgs...)
	}
	// The names come from scalar subqueries, not joins: with joins SQLite
	// may loop over the units first and sort every row of the scope,
	// where sources alone walk an index already in order.
	q := `SELECT s.id, s.tracking_code, s.kind, s.channel, s.category, (SELECT c.name FROM crime_categories c WHERE c.code = s.category),
		s.status, (SELECT p.name FROM police_units p WHERE p.id = s.unit_id), s.commune_code, s.received_at,
		COALESCE(s.register_year, 0), COALESCE(s.register_no, 0), s.anonymous, s.description,
		COALESCE((SELECT MIN(d.due_at) FROM source_deadlines d WHERE d.source_id = s.id AND ` + openDeadlineCond + `), '')
		FROM ` + search.from + `
		WHERE ` + strings.Join(where, " AND ") + search.orderBy(limit)
	query := s.DB.Query
	if len(terms) > 0 {
		query = s.DB.QueryCustomPlan
	}
	rows, err := query(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("crimesource: inbox: %w", err)
	}
	defer rows.Close()
	var page Page
	var lastDay int64 // walk: the day of row limit+1
	for rows.Next() {
		var r Row
		var received, due string
		var anon int
		if err := rows.Scan(&r.ID, &r.TrackingCode, &r.Kind, &r.Channel, &r.Category, &r.CategoryName, &r.Status, &r.UnitName, &r.CommuneCode,
			&received, &r.RegisterYear, &r.RegisterNo, &anon, &r.Summary, &due); err != nil {
			return Page{}, fmt.Errorf("crimesource: inbox: %w", err)
		}
		r.Anonymous = anon == 1
		if r.ReceivedAt, err = store.ParseTime(received); err != nil {
			return Page{}, err
		}
		if due != "" {
			if r.NextDue, err = store.ParseTime(due); err != nil {
				return Page{}, err
			}
			r.DaysLeft = deadline.DaysLeft(r.NextDue, now)
			r.State = deadline.State(r.NextDue, now, s.atRisk())
		}
		if len([]rune(r.Summary)) > 140 {
			r.Summary = string([]rune(r.Summary)[:140]) + "…"
		}
		if search.walk && len(page.Rows) > limit && searchDay(r.ReceivedAt) < lastDay {
			break
		}
		page.Rows = append(page.Rows, r)
		if len(page.Rows) == limit+1 {
			lastDay = searchDay(r.ReceivedAt)
		}
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("crimesource: inbox: %w", err)
	}
	if search.walk {
		newestFirst(page.Rows)
		page.Rows = page.Rows[:min(len(page.Rows), limit+1)]
	}
	if f.Due == "at_risk" {
		kept := page.Rows[:0]
		for _, r := range page.Rows {
			if r.State == "at_risk" {
				kept = append(kept, r)
			}
		}
		page.Rows = kept
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		page.Next = Cursor(page.Rows[limit-1])
	}
	return page, nil
}

func (s *Service) atRisk() int {
	if s.AtRiskDays > 0 {
		return s.AtRiskDays
	}
	return 3
}

// Detail is a source as an officer sees it on its page.
type Detail struct {
	Row
	Description   string
	Address       string
	OccurredAt    string
	Province      string
	ReporterOrg   string
	PostmarkedOn  string
	HasIdentity   bool
	Urgent        bool
	Remote        bool
	Extended      bool
	ProcExtended  bool
	Outcome       string
	ReceivingUnit string
	HoldingUnitID int64
	Assigned      string
	Events        []Event
	Messages      []CitizenMessage
	Attachments   []Attachment
	Deadlines     []Deadline

	// FacilityReceivedOn is the day the head of a detention facility
	// received a paper filed there (YYYY-MM-DD), or "".
	FacilityReceivedOn string
}

// Event is one step of the timeline.
type Event struct {
	At     time.Time
	Kind   string
	Name   string
	Actor  string
	Unit   string
	Note   string
	Files  []Attachment
	byID   int64
	unitID int64
}

// Attachment is a stored file's description.
type Attachment struct {
	ID          int64
	ContentType string
	Size        int64
	Stripped    bool
	At          time.Time
	FromCitizen bool
	eventID     int64
}

// Get returns a source's page for an officer who may see it, and records the
// view in the audit log.
func (s *Service) Get(ctx context.Context, actor Actor, id int64) (Detail, error) {
	sc, err := s.scopeOf(ctx, actor)
	if err != nil {
		return Detail{}, err
	}
	if ok, err := s.sees(ctx, sc, id); err != nil {
		return Detail{}, err
	} else if !ok {
		return Detail{}, errNoSource
	}
	var d Detail
	var received string
	var anon, urgent, remote, ext, pext int
	var sealedLen int
	err = s.DB.QueryRow(ctx, `SELECT s.id, s.tracking_code, s.kind, s.channel, s.category, c.name, s.status, p.name, s.unit_id, s.commune_code,
		s.province_code, s.received_at, COALESCE(s.register_year, 0), COALESCE(s.register_no, 0), s.anonymous, s.description, s.address,
		s.occurred_at, s.reporter_org, s.postmarked_on, s.facility_received_on, COALESCE(LENGTH(s.identity_sealed), 0), s.urgent, s.remote, s.extended,
		s.procuracy_extended, s.outcome, r.name, COALESCE((SELECT COALESCE(NULLIF(u.display_name, ''), u.username) FROM users u WHERE u.id = s.assigned_to), '')
		FROM sources s JOIN police_units p ON p.id = s.unit_id JOIN police_units r ON r.id = s.receiving_unit_id
		JOIN crime_categories c ON c.code = s.category WHERE s.id = ?`, id).
		Scan(&d.ID, &d.TrackingCode, &d.Kind, &d.Channel, &d.Category, &d.CategoryName, &d.Status, &d.UnitName, &d.HoldingUnitID, &d.CommuneCode,
			&d.Province, &received, &d.RegisterYear, &d.RegisterNo, &anon, &d.Description, &d.Address,
			&d.OccurredAt, &d.ReporterOrg, &d.PostmarkedOn, &d.FacilityReceivedOn, &sealedLen, &urgent, &remote, &ext,
			&pext, &d.Outcome, &d.ReceivingUnit, &d.Assigned)
	if err != nil {
		return d, fmt.Errorf("crimesource: get %d: %w", id, err)
	}
	d.Anonymous, d.HasIdentity = anon == 1, sealedLen > 0
	d.Urgent, d.Remote, d.Extended, d.ProcExtended = urgent == 1, remote == 1, ext == 1, pext == 1
	if d.ReceivedAt, err = store.ParseTime(received); err != nil {
		return d, err
	}
	if d.Events, err = s.events(ctx, id); err != nil {
		return d, err
	}
	cv, err := s.citizenView(ctx, id)
	if err != nil {
		return d, err
	}
	d.Messages = cv.Messages
	if d.Attachments, err = s.attachments(ctx, id); err != nil {
		return d, err
	}
	byEvent := map[int64][]Attachment{}
	for _, a := range d.Attachments {
		if a.eventID != 0 {
			byEvent[a.eventID] = append(byEvent[a.eventID], a)
		}
	}
	for i := range d.Events {
		d.Events[i].Files = byEvent[d.Events[i].byID]
	}
	if d.Deadlines, err = s.deadlines(ctx, id); err != nil {
		return d, err
	}
	for _, dl := range d.Deadlines {
		if dl.State != "met" && dl.State != "cancelled" && (d.NextDue.IsZero() || dl.DueAt.Before(d.NextDue)) {
			d.NextDue, d.NextRule, d.DaysLeft, d.State = dl.DueAt, dl.RuleName, dl.DaysLeft, dl.State
		}
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, audit.Entry{At: s.Clock.Now(), Actor: actor.audit(), Action: "source.view", Object: "source:" + d.TrackingCode})
	})
	return d, err
}

func (s *Service) events(ctx context.Context, id int64) ([]Event, error) {
	rows, err := s.DB.Query(ctx, `SELECT e.id, e.at, e.kind, e.note, e.actor, COALESCE(p.name, ''),
		COALESCE((SELECT COALESCE(NULLIF(u.display_name, ''), u.username) FROM users u WHERE u.id = e.user_id), '')
		FROM source_events e LEFT JOIN police_units p ON p.id = e.unit_id WHERE e.source_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("crimesource: events: %w", err)
	}
	defer rows.Close()
	var es []Event
	for rows.Next() {
		var e Event
		var at, actor, user string
		if err := rows.Scan(&e.byID, &at, &e.Kind, &e.Note, &actor, &e.Unit, &user); err != nil {
			return nil, fmt.Errorf("crimesource: events: %w", err)
		}
		if e.At, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		e.Name = ActionNames[e.Kind]
		switch {
		case user != "":
			e.Actor = user
		case actor == "citizen":
			e.Actor = "Người báo tin"
		default:
			e.Actor = "Hệ thống"
		}
		es = append(es, e)
	}
	return es, rows.Err()
}

func (s *Service) attachments(ctx context.Context, id int64) ([]Attachment, error) {
	rows, err := s.DB.Query(ctx, `SELECT a.id, a.content_type, a.size, a.metadata_stripped, a.at, COALESCE(a.event_id, 0),
		COALESCE((SELECT m.from_reporter FROM source_messages m WHERE m.id = a.message_id), 0)
		FROM attachments a WHERE a.source_id = ? ORDER BY a.id`, id)
	if err != nil {
		return nil, fmt.Errorf("crimesource: attachments: %w", err)
	}
	defer rows.Close()
	var as []Attachment
	for rows.Next() {
		var a Attachment
		var at string
		var stripped, fromCitizen int
		if err := rows.Scan(&a.ID, &a.ContentType, &a.Size, &stripped, &at, &a.eventID, &fromCitizen); err != nil {
			return nil, fmt.Errorf("crimesource: attachments: %w", err)
		}
		a.Stripped, a.FromCitizen = stripped == 1, fromCitizen == 1
		if a.At, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		as = append(as, a)
	}
	return as, rows.Err()
}

func (s *Service) deadlines(ctx context.Context, id int64) ([]Deadline, error) {
	rows, err := s.DB.Query(ctx, `SELECT d.id, d.rule_code, COALESCE(r.name, d.rule_code), COALESCE(r.basis, ''), d.started_at, d.due_at, d.met_at, d.cancelled_at
		FROM source_deadlines d LEFT JOIN deadline_rules r ON r.code = d.rule_code AND r.version = d.rule_version
		WHERE d.source_id = ? ORDER BY d.id`, id)
	if err != nil {
		return nil, fmt.Errorf("crimesource: deadlines: %w", err)
	}
	defer rows.Close()
	now := s.Clock.Now()
	var ds []Deadline
	for rows.Next() {
		var d Deadline
		var start, due, cancelled string
		if err := rows.Scan(&d.ID, &d.RuleCode, &d.RuleName, &d.Basis, &start, &due, &d.MetAt, &cancelled); err != nil {
			return nil, fmt.Errorf("crimesource: deadlines: %w", err)
		}
		d.SourceID = id
		if d.StartedAt, err = store.ParseTime(start); err != nil {
			return nil, err
		}
		if d.DueAt, err = store.ParseTime(due); err != nil {
			return nil, err
		}
		d.Cancelled = cancelled != ""
		d.DaysLeft = deadline.DaysLeft(d.DueAt, now)
		switch {
		case d.MetAt != "":
			d.State = "met"
		case d.Cancelled:
			d.State = "cancelled"
		default:
			d.State = deadline.State(d.DueAt, now, s.atRisk())
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// File returns an attachment's bytes and type for an officer who may see its
// source. The bytes are decrypted here and never written to disk in clear.
func (s *Service) File(ctx context.Context, actor Actor, attachmentID int64) ([]byte, string, error) {
	var sourceID int64
	var name, ct string
	err := s.DB.QueryRow(ctx, "SELECT source_id, stored_name, content_type FROM attachments WHERE id = ?", attachmentID).Scan(&sourceID, &name, &ct)
	if isNoRows(err) {
		return nil, "", errs.E(errs.NotFound, "Không tìm thấy tệp.")
	}
	if err != nil {
		return nil, "", fmt.Errorf("crimesource: file: %w", err)
	}
	sc, err := s.scopeOf(ctx, actor)
	if err != nil {
		return nil, "", err
	}
	if ok, err := s.sees(ctx, sc, sourceID); err != nil {
		return nil, "", err
	} else if !ok {
		return nil, "", errs.E(errs.NotFound, "Không tìm thấy tệp.")
	}
	sealed, err := s.Files.Get(ctx, name)
	if err != nil {
		return nil, "", err
	}
	data, err := s.Keys.OpenIdentity(sealed, "file:"+name)
	if err != nil {
		return nil, "", fmt.Errorf("crimesource: open file %d: %w", attachmentID, err)
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, audit.Entry{At: s.Clock.Now(), Actor: actor.audit(), Action: "file.view", Object: "attachment:" + strconv.FormatInt(attachmentID, 10)})
	})
	return data, ct, err
}

// Categories lists the active categories in order.
func (s *Service) Categories(ctx context.Context) ([]struct{ Code, Name string }, error) {
	rows, err := s.DB.Query(ctx, "SELECT code, name FROM crime_categories WHERE active = 1 ORDER BY position")
	if err != nil {
		return nil, fmt.Errorf("crimesource: categories: %w", err)
	}
	defer rows.Close()
	var out []struct{ Code, Name string }
	for rows.Next() {
		var c struct{ Code, Name string }
		if err := rows.Scan(&c.Code, &c.Name); err != nil {
			return nil, fmt.Errorf("crimesource: categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecordReminders records, once per limit, that an open limit is at risk or
// overdue. The unique key on (deadline, kind) makes it run exactly once even
// when several instances run the job.
func (s *Service) RecordReminders(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	horizon := now.Add(time.Duration(s.atRisk()+1) * 24 * time.Hour)
	rows, err := s.DB.Query(ctx, "SELECT d.id, d.due_at FROM source_deadlines d WHERE "+openDeadlineCond+" AND d.due_at <= ?", store.FormatTime(horizon))
	if err != nil {
		return 0, fmt.Errorf("crimesource: reminders: %w", err)
	}
	type due struct {
		id   int64
		kind string
	}
	var todo []due
	for rows.Next() {
		var id int64
		var at string
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return 0, fmt.Errorf("crimesource: reminders: %w", err)
		}
		t, err := store.ParseTime(at)
		if err != nil {
			rows.Close()
			return 0, err
		}
		switch deadline.State(t, now, s.atRisk()) {
		case "overdue":
			todo = append(todo, due{id, "overdue"})
		case "at_risk":
			todo = append(todo, due{id, "at_risk"})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("crimesource: reminders: %w", err)
	}
	n := 0
	for _, d := range todo {
		var res int64
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			r, err := tx.Exec(ctx, "INSERT INTO reminders (deadline_id, at, kind) VALUES (?, ?, ?) ON CONFLICT (deadline_id, kind) DO NOTHING",
				d.id, store.FormatTime(now), d.kind)
			if err != nil {
				return err
			}
			res, err = r.RowsAffected()
			return err
		})
		if err != nil {
			return n, fmt.Errorf("crimesource: reminder: %w", err)
		}
		n += int(res)
	}
	return n, nil
}
