package crimesource

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/audit"
	"toandan/internal/clock"
	"toandan/internal/deadline"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/media"
	"toandan/internal/seal"
	"toandan/internal/store"
)

// Intake is a new source as a citizen or an officer gives it.
type Intake struct {
	Category     string
	CommuneCode  string
	ProvinceCode string
	Address      string
	Lat, Lon     *float64
	OccurredAt   string // "" when unknown
	Description  string
	Anonymous    bool
	Reporter     *Reporter
	// Officer entries only:
	Kind         string // default to_giac
	Channel      string // default online
	ReporterOrg  string // the agency or outlet for tin báo / kiến nghị
	PostmarkedOn string // YYYY-MM-DD, for mail: the postmark date counts (Art. 134(2))
	Urgent       bool   // flagrant, very serious, or drawing public attention
	Files        []Upload

	// FacilityReceivedOn (YYYY-MM-DD, officer entries only) is, for a paper
	// filed through a detention facility, the day the head of the facility
	// received it, from which its limits run (Art. 134(2)).
	FacilityReceivedOn string
}

// Upload is one attached file as received.
type Upload struct {
	Name string
	Data []byte
}

// Receipt is what the reporter takes away. ReceiptCode is shown once and
// never stored.
type Receipt struct {
	ID           int64
	TrackingCode string
	ReceiptCode  string
	ReceivedAt   time.Time
	RegisterYear int
	RegisterNo   int
	UnitName     string
}

// Actor is who does something: a signed-in officer, or a citizen (ID 0).
type Actor struct {
	UserID int64
	Role   string
	Unit   string // the officer's unit code
}

func (a Actor) audit() string {
	switch {
	case a == systemActor:
		return "system"
	case a.UserID == 0:
		return "citizen"
	}
	return audit.Actor(a.UserID)
}

var (
	idNumberPattern = regexp.MustCompile(`^[0-9]{12}$`)
	phonePattern    = regexp.MustCompile(`^0[0-9]{9,10}$`)
)

func clean(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// validate checks and normalises an intake, and returns its place (the
// zero Place when it names none). Field names are those of the JSON API, so
// a form and the API report the same field.
func (s *Service) validate(ctx context.Context, in *Intake, now time.Time) (geo.Place, error) {
	var place geo.Place
	in.Category = strings.TrimSpace(in.Category)
	in.CommuneCode = strings.TrimSpace(in.CommuneCode)
	in.ProvinceCode = strings.TrimSpace(in.ProvinceCode)
	in.Address = clean(in.Address)
	in.Description = clean(in.Description)
	in.OccurredAt = strings.TrimSpace(in.OccurredAt)
	in.ReporterOrg = clean(in.ReporterOrg)
	if in.Kind == "" {
		in.Kind = KindDenunciation
	}
	if in.Channel == "" {
		in.Channel = "online"
	}
	if in.Kind != KindDenunciation && in.Kind != KindReport && in.Kind != KindPetition {
		return place, errs.Field("kind", "Loại nguồn tin không hợp lệ.")
	}
	if !validChannel(in.Channel) {
		return place, errs.Field("channel", "Kênh tiếp nhận không hợp lệ.")
	}
	if err := checkKindChannel(in); err != nil {
		return place, err
	}
	active, err := s.activeCategory(ctx, in.Category)
	if err != nil {
		return place, err
	}
	if !active {
		return place, errs.Field("category", "Vui lòng chọn lĩnh vực của sự việc.")
	}
	today := clock.Today(s.Clock)
	if in.CommuneCode != "" {
		p, err := s.Geo.PlaceAt(ctx, in.CommuneCode, today)
		if errs.Is(err, errs.NotFound) || (err == nil && p.Unit.Level != geo.LevelCommune) {
			return place, errs.Field("commune_code", "Xã, phường, đặc khu đã chọn không tồn tại.")
		}
		if err != nil {
			return place, err
		}
		if in.ProvinceCode != "" && in.ProvinceCode != p.Province.Code {
			return place, errs.Field("commune_code", "Xã, phường, đặc khu đã chọn không thuộc tỉnh, thành phố đã chọn.")
		}
		in.ProvinceCode = p.Province.Code
		place = p
	} else if in.ProvinceCode != "" {
		p, err := s.Geo.PlaceAt(ctx, in.ProvinceCode, today)
		if errs.Is(err, errs.NotFound) || (err == nil && p.Unit.Level != geo.LevelProvince) {
			return place, errs.Field("province_code", "Tỉnh, thành phố đã chọn không tồn tại.")
		}
		if err != nil {
			return place, err
		}
		place = p
	}
	if err := validateRest(in, now); err != nil {
		return place, err
	}
	return place, nil
}

// validateRest checks the fields of an intake other than its category and
// place.
func validateRest(in *Intake, now time.Time) error {
	if tooLong(in.Address, 500) {
		return errs.Field("address", "Địa chỉ dài quá 500 ký tự.")
	}
	if (in.Lat == nil) != (in.Lon == nil) {
		return errs.Field("location", "Vị trí trên bản đồ cần cả vĩ độ và kinh độ.")
	}
	// Written as "not inside" so that NaN, which compares false with
	// everything, is outside too.
	if in.Lat != nil && !(*in.Lat >= 5 && *in.Lat <= 24 && *in.Lon >= 100 && *in.Lon <= 120) {
		return errs.Field("location", "Vị trí trên bản đồ nằm ngoài lãnh thổ Việt Nam.")
	}
	if in.OccurredAt != "" {
		t, norm, err := parseOccurred(in.OccurredAt)
		if err != nil {
			return errs.Field("occurred_at", "Thời gian xảy ra không hợp lệ (ví dụ: 2026-11-29T21:30).")
		}
		if t.After(now.Add(10 * time.Minute)) {
			return errs.Field("occurred_at", "Thời gian xảy ra không thể ở tương lai.")
		}
		in.OccurredAt = norm
	}
	if utf8.RuneCountInString(in.Description) < 10 {
		return errs.Field("description", "Vui lòng mô tả sự việc (ít nhất 10 ký tự).")
	}
	if tooLong(in.Description, 10000) {
		return errs.Field("description", "Nội dung dài quá 10.000 ký tự.")
	}
	if in.PostmarkedOn != "" {
		if !geo.ValidDate(in.PostmarkedOn) || in.Channel != "mail" {
			return errs.Field("postmarked_on", "Ngày dấu bưu điện chỉ dùng cho tin gửi qua bưu điện, dạng YYYY-MM-DD.")
		}
		if err := deadline.CheckPostmark(now, in.PostmarkedOn); err != nil {
			return err
		}
	}
	if in.FacilityReceivedOn != "" {
		switch {
		case in.Channel == "online":
			return errs.Field("facility_received_on", "Ngày cơ sở giam giữ nhận đơn chỉ dùng cho đơn do cán bộ nhập.")
		case in.PostmarkedOn != "":
			return errs.Field("facility_received_on", "Đơn nộp qua cơ sở giam giữ được tính từ ngày thủ trưởng cơ sở nhận đơn: không nhập cùng ngày dấu bưu điện.")
		}
		if err := deadline.CheckFacilityReceipt(now, in.FacilityReceivedOn); err != nil {
			return err
		}
	}
	if tooLong(in.ReporterOrg, 300) {
		return errs.Field("reporter_org", "Tên cơ quan, tổ chức dài quá 300 ký tự.")
	}
	if in.Anonymous {
		in.Reporter = nil
	} else {
		if in.Reporter == nil {
			if in.Channel != "online" && in.Kind != KindDenunciation {
				return nil // an agency's report needs no personal identity
			}
			return errs.Field("reporter.full_name", "Vui lòng nhập họ và tên, hoặc chọn gửi ẩn danh.")
		}
		if err := validateReporter(in.Reporter); err != nil {
			return err
		}
	}
	return nil
}

func validateReporter(r *Reporter) error {
	r.FullName = strings.Join(strings.Fields(clean(r.FullName)), " ")
	r.IDNumber = strings.ReplaceAll(strings.TrimSpace(r.IDNumber), " ", "")
	r.Phone = normalizePhone(r.Phone)
	r.Address = clean(r.Address)
	r.Email = strings.TrimSpace(r.Email)
	if r.FullName == "" {
		return errs.Field("reporter.full_name", "Vui lòng nhập họ và tên.")
	}
	if tooLong(r.FullName, 100) {
		return errs.Field("reporter.full_name", "Họ và tên dài quá 100 ký tự.")
	}
	for _, c := range r.FullName {
		if !unicode.IsLetter(c) && c != ' ' && c != '\'' && c != '-' && c != '.' {
			return errs.Field("reporter.full_name", "Họ và tên chỉ gồm chữ cái và dấu cách.")
		}
	}
	if !idNumberPattern.MatchString(r.IDNumber) {
		return errs.Field("reporter.id_number", "Số định danh cá nhân (căn cước) phải gồm đúng 12 chữ số.")
	}
	if !phonePattern.MatchString(r.Phone) {
		return errs.Field("reporter.phone", "Số điện thoại không hợp lệ (ví dụ: 0912345678).")
	}
	if r.Address == "" {
		return errs.Field("reporter.address", "Vui lòng nhập địa chỉ liên hệ.")
	}
	if tooLong(r.Address, 300) {
		return errs.Field("reporter.address", "Địa chỉ dài quá 300 ký tự.")
	}
	if r.Email != "" {
		a, err := mail.ParseAddress(r.Email)
		if err != nil || a.Address != r.Email || len(r.Email) > 254 {
			return errs.Field("reporter.email", "Địa chỉ email không hợp lệ.")
		}
	}
	return nil
}

func normalizePhone(p string) string {
	var b strings.Builder
	for _, c := range strings.TrimSpace(p) {
		if c >= '0' && c <= '9' || c == '+' {
			b.WriteRune(c)
		}
	}
	s := b.String()
	if strings.HasPrefix(s, "+84") {
		s = "0" + s[3:]
	} else if strings.HasPrefix(s, "84") && len(s) == 11 {
		s = "0" + s[2:]
	}
	return s
}

// parseOccurred accepts RFC 3339, an HTML datetime-local value, or a date.
// Local values are Vietnam time. It returns the stored form.
func parseOccurred(s string) (time.Time, string, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		// An offset can carry year 0000 back into year -1, which would be
		// stored in a form nothing reads back.
		norm := t.In(clock.Vietnam).Format("2006-01-02T15:04")
		if _, err := time.ParseInLocation("2006-01-02T15:04", norm, clock.Vietnam); err != nil {
			return time.Time{}, "", errors.New("bad time")
		}
		return t, norm, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, clock.Vietnam); err == nil {
			return t, t.Format("2006-01-02T15:04"), nil
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, clock.Vietnam); err == nil {
		return t, s, nil
	}
	return time.Time{}, "", errors.New("bad time")
}

// prepared is an attachment checked, cleaned and encrypted, ready to store.
type prepared struct {
	name, contentType, sum string
	size                   int64
	stripped               bool
	sealed                 []byte
}

// prepareFiles checks type by content and size, strips metadata and seals
// each file. Nothing is stored yet.
func (s *Service) prepareFiles(files []Upload) ([]prepared, error) {
	lim := s.Limits
	if lim.MaxFiles == 0 {
		lim = media.DefaultLimits()
	}
	if len(files) > lim.MaxFiles {
		return nil, errs.Field("attachments", "Chỉ được đính kèm tối đa %d tệp.", lim.MaxFiles)
	}
	var out []prepared
	for i, f := range files {
		if len(f.Data) == 0 {
			continue
		}
		if int64(len(f.Data)) > lim.MaxFileBytes {
			return nil, errs.Field("attachments", "Tệp thứ %d quá lớn: mỗi tệp tối đa %d MB.", i+1, lim.MaxFileBytes>>20)
		}
		ct, ok := media.Sniff(f.Data)
		if !ok {
			return nil, errs.Field("attachments", "Tệp thứ %d không phải ảnh, video hoặc PDF được chấp nhận.", i+1)
		}
		var buf bytes.Buffer
		stripped := true
		if err := media.Strip(ct, bytes.NewReader(f.Data), &buf); err != nil {
			if !errors.Is(err, media.ErrNotStripped) {
				return nil, errs.Field("attachments", "Tệp thứ %d bị hỏng hoặc không đọc được.", i+1)
			}
			stripped = false
		}
		data := buf.Bytes()
		sum := sha256.Sum256(data)
		name := newFileName()
		sealed, err := s.Keys.SealIdentity(data, "file:"+name)
		if err != nil {
			return nil, fmt.Errorf("crimesource: seal file: %w", err)
		}
		out = append(out, prepared{name: name, contentType: ct, sum: hex.EncodeToString(sum[:]), size: int64(len(data)), stripped: stripped, sealed: sealed})
	}
	return out, nil
}

func newFileName() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// storeFiles writes prepared files; on failure it removes what it wrote.
func (s *Service) storeFiles(ctx context.Context, ps []prepared) error {
	for i, p := range ps {
		if err := s.Files.Put(ctx, p.name, p.sealed); err != nil {
			s.removeFiles(ps[:i])
			return err
		}
	}
	return nil
}

func (s *Service) removeFiles(ps []prepared) {
	for _, p := range ps {
		s.Files.Delete(context.Background(), p.name)
	}
}

func insertAttachments(ctx context.Context, tx *store.Tx, sourceID int64, messageID, eventID any, ps []prepared, at string) error {
	for _, p := range ps {
		stripped := 0
		if p.stripped {
			stripped = 1
		}
		if _, err := tx.Exec(ctx, `INSERT INTO attachments (source_id, message_id, event_id, stored_name, content_type, size, sha256, metadata_stripped, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, sourceID, messageID, eventID, p.name, p.contentType, p.size, p.sum, stripped, at); err != nil {
			return fmt.Errorf("crimesource: attachment: %w", err)
		}
	}
	return nil
}

// route picks the police unit that receives a source: the unit whose
// jurisdiction holds the commune; with no commune, the province police; with
// no place at all, the national intake unit.
func (s *Service) route(ctx context.Context, place geo.Place) (geo.PoliceUnit, error) {
	if place.Unit.Code == "" {
		return s.Geo.PoliceUnit(ctx, geo.NationalIntakeCode)
	}
	return place.Police()
}

// Submit receives a source. Every source is received (Art. 145): it is
// routed, numbered in the receiving unit's register, and its time limits
// start, all in one durable transaction. For an online report the receipt
// code is generated here and only its keyed hash is stored.
func (s *Service) Submit(ctx context.Context, in Intake, actor Actor) (Receipt, error) {
	now := s.Clock.Now()
	place, err := s.validate(ctx, &in, now)
	if err != nil {
		return Receipt{}, err
	}
	unit, err := s.route(ctx, place)
	if err != nil {
		return Receipt{}, err
	}
	remote := place.Remote
	files, err := s.prepareFiles(in.Files)
	if err != nil {
		return Receipt{}, err
	}
	rec := Receipt{ReceivedAt: now, UnitName: unit.Name}
	year := now.In(clock.Vietnam).Year()
	rec.TrackingCode = seal.NewTrackingCode(year)
	var receiptHash []byte
	if in.Channel == "online" {
		rec.ReceiptCode = seal.NewReceiptCode()
		receiptHash = s.Keys.ReceiptHash(rec.ReceiptCode)
	}
	var sealed []byte
	if in.Reporter != nil {
		plain, err := json.Marshal(in.Reporter)
		if err != nil {
			return Receipt{}, fmt.Errorf("crimesource: identity: %w", err)
		}
		if sealed, err = s.Keys.SealIdentity(plain, "source:"+rec.TrackingCode); err != nil {
			return Receipt{}, fmt.Errorf("crimesource: seal identity: %w", err)
		}
	}
	rules, cal, err := s.rules(ctx)
	if err != nil {
		return Receipt{}, err
	}
	if err := s.storeFiles(ctx, files); err != nil {
		return Receipt{}, err
	}
	at := store.FormatTime(now)
	search := Fold(strings.Join([]string{in.Description, in.Address, rec.TrackingCode, in.ReporterOrg}, " "))
	var createdBy any
	if actor.UserID != 0 {
		createdBy = actor.UserID
	}
	anonymous := 0
	if in.Anonymous || in.Reporter == nil {
		anonymous = 1
	}
	// A grouped transaction: a burst of reports shares one durable commit,
	// each report under its own savepoint (see store.InGroupTx). Its audit
	// slot is taken first (see audit.Take).
	err = s.DB.InGroupTx(ctx, func(tx *store.Tx) error {
		slot, err := audit.Take(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO register_counters (unit_id, year, last_no) VALUES (?, ?, 1)
			ON CONFLICT (unit_id, year) DO UPDATE SET last_no = register_counters.last_no + 1 RETURNING last_no`, unit.ID, year).Scan(&rec.RegisterNo); err != nil {
			return fmt.Errorf("crimesource: register number: %w", err)
		}
		rec.RegisterYear = year
		var lat, lon any
		if in.Lat != nil {
			lat, lon = *in.Lat, *in.Lon
		}
		id, err := tx.InsertID(ctx, `INSERT INTO sources (tracking_code, receipt_hash, kind, channel, category, province_code, commune_code, address,
			lat, lon, occurred_at, description, search_text, anonymous, identity_sealed, reporter_org, received_at, postmarked_on,
			facility_received_on, receiving_unit_id, unit_id, register_year, register_no, status, urgent, remote, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.TrackingCode, receiptHash, in.Kind, in.Channel, in.Category, in.ProvinceCode, in.CommuneCode, in.Address,
			lat, lon, in.OccurredAt, in.Description, search, anonymous, sealed, in.ReporterOrg, at, in.PostmarkedOn,
			in.FacilityReceivedOn, unit.ID, unit.ID, year, rec.RegisterNo, StatusReceived, b2i(in.Urgent), b2i(remote), createdBy, at)
		if err != nil {
			return fmt.Errorf("crimesource: insert: %w", err)
		}
		rec.ID = id
		note := fmt.Sprintf("Tiếp nhận qua kênh: %s. Số %d/%d sổ tiếp nhận của %s.", ChannelName(in.Channel), rec.RegisterNo, year, unit.Name)
		eventID, err := addEvent(ctx, tx, id, at, actor, unit.ID, "received", note, nil)
		if err != nil {
			return err
		}
		if err := insertAttachments(ctx, tx, id, nil, eventID, files, at); err != nil {
			return err
		}
		src := deadlineSource{id: id, receivedAt: now, postmarked: in.PostmarkedOn, facility: in.FacilityReceivedOn, urgent: in.Urgent, remote: remote}
		if err := startReceiptDeadlines(ctx, tx, rules, cal, src, unit, now); err != nil {
			return err
		}
		return slot.Append(ctx, tx, audit.Entry{At: now, Actor: actor.audit(), Action: "source.receive", Object: "source:" + rec.TrackingCode,
			Detail: fmt.Sprintf("unit=%s register=%d/%d channel=%s", unit.Code, rec.RegisterNo, year, in.Channel)})
	})
	if err != nil {
		s.removeFiles(files)
		return Receipt{}, err
	}
	return rec, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func addEvent(ctx context.Context, tx *store.Tx, sourceID int64, at string, actor Actor, unitID int64, kind, note string, data any) (int64, error) {
	var userID, unit any
	if actor.UserID != 0 {
		userID = actor.UserID
	}
	if unitID != 0 {
		unit = unitID
	}
	d := ""
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return 0, fmt.Errorf("crimesource: event data: %w", err)
		}
		d = string(b)
	}
	id, err := tx.InsertID(ctx, `INSERT INTO source_events (source_id, at, actor, user_id, unit_id, kind, note, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		sourceID, at, actor.audit(), userID, unit, kind, note, d)
	if err != nil {
		return 0, fmt.Errorf("crimesource: event: %w", err)
	}
	return id, nil
}

// readAll reads at most max+1 bytes, so callers can tell an oversize body.
func readAll(r io.Reader, max int64) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, max+1))
}
