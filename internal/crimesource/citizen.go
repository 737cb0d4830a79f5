package crimesource

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"toandan/internal/audit"
	"toandan/internal/errs"
	"toandan/internal/seal"
	"toandan/internal/store"
)

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("crimesource: decode: %w", err)
	}
	return nil
}

// CitizenView is what a reporter sees with their receipt code: the status in
// plain words, the unit handling it, and the messages. Nothing of the
// internal handling.
type CitizenView struct {
	TrackingCode string
	Status       string
	StatusText   string
	UnitName     string
	ReceivedAt   time.Time
	Closed       bool
	Messages     []CitizenMessage
}

// CitizenMessage is one message between reporter and unit.
type CitizenMessage struct {
	At           time.Time
	FromReporter bool
	Body         string
}

var errBadReceipt = errs.Field("receipt_code", "Mã tiếp nhận không đúng. Kiểm tra lại mã đã được cấp khi gửi tin.")

func (s *Service) sourceByReceipt(ctx context.Context, code string) (int64, error) {
	canon, err := seal.ParseReceiptCode(code)
	if err != nil {
		return 0, errBadReceipt
	}
	var id int64
	err = s.DB.QueryRow(ctx, "SELECT id FROM sources WHERE receipt_hash = ?", s.Keys.ReceiptHash(canon)).Scan(&id)
	if isNoRows(err) {
		return 0, errBadReceipt
	}
	if err != nil {
		return 0, fmt.Errorf("crimesource: lookup: %w", err)
	}
	return id, nil
}

// Lookup returns the citizen's view of the source with that receipt code.
// A wrong code is an Invalid error on the field receipt_code; callers
// throttle repeated failures.
func (s *Service) Lookup(ctx context.Context, receiptCode string) (CitizenView, error) {
	id, err := s.sourceByReceipt(ctx, receiptCode)
	if err != nil {
		return CitizenView{}, err
	}
	return s.citizenView(ctx, id)
}

func (s *Service) citizenView(ctx context.Context, id int64) (CitizenView, error) {
	var v CitizenView
	var received string
	err := s.DB.QueryRow(ctx, `SELECT s.tracking_code, s.status, p.name, s.received_at FROM sources s
		JOIN police_units p ON p.id = s.unit_id WHERE s.id = ?`, id).Scan(&v.TrackingCode, &v.Status, &v.UnitName, &received)
	if err != nil {
		return v, fmt.Errorf("crimesource: citizen view: %w", err)
	}
	if v.ReceivedAt, err = store.ParseTime(received); err != nil {
		return v, err
	}
	v.StatusText = CitizenStatus(v.Status)
	v.Closed = Closed(v.Status)
	rows, err := s.DB.Query(ctx, "SELECT at, from_reporter, body FROM source_messages WHERE source_id = ? ORDER BY id", id)
	if err != nil {
		return v, fmt.Errorf("crimesource: messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m CitizenMessage
		var at string
		var from int
		if err := rows.Scan(&at, &from, &m.Body); err != nil {
			return v, fmt.Errorf("crimesource: messages: %w", err)
		}
		if m.At, err = store.ParseTime(at); err != nil {
			return v, err
		}
		m.FromReporter = from == 1
		v.Messages = append(v.Messages, m)
	}
	return v, rows.Err()
}

// Reply adds a reporter's message (and files) to their source.
func (s *Service) Reply(ctx context.Context, receiptCode, message string, files []Upload) (CitizenView, error) {
	id, err := s.sourceByReceipt(ctx, receiptCode)
	if err != nil {
		return CitizenView{}, err
	}
	message = clean(message)
	if message == "" && len(files) == 0 {
		return CitizenView{}, errs.Field("message", "Vui lòng nhập nội dung trả lời.")
	}
	if tooLong(message, 5000) {
		return CitizenView{}, errs.Field("message", "Nội dung dài quá 5.000 ký tự.")
	}
	ps, err := s.prepareFiles(files)
	if err != nil {
		return CitizenView{}, err
	}
	if err := s.storeFiles(ctx, ps); err != nil {
		return CitizenView{}, err
	}
	now := s.Clock.Now()
	at := store.FormatTime(now)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var tracking string
		if err := tx.QueryRow(ctx, "SELECT tracking_code FROM sources WHERE id = ?", id).Scan(&tracking); err != nil {
			return err
		}
		msgID, err := tx.InsertID(ctx, "INSERT INTO source_messages (source_id, at, from_reporter, body) VALUES (?, ?, 1, ?)", id, at, message)
		if err != nil {
			return fmt.Errorf("crimesource: reply: %w", err)
		}
		if err := insertAttachments(ctx, tx, id, msgID, nil, ps, at); err != nil {
			return err
		}
		if _, err := addEvent(ctx, tx, id, at, Actor{}, 0, "reporter_reply", "Người báo tin gửi thêm thông tin.", nil); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE sources SET updated_at = ? WHERE id = ?", at, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, Actor: "citizen", Action: "source.reply", Object: "source:" + tracking})
	})
	if err != nil {
		s.removeFiles(ps)
		return CitizenView{}, err
	}
	return s.citizenView(ctx, id)
}
