package crimesource_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
	"time"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// gpsNote is a text chunk a phone may write into a photo; it must not
// survive.
const gpsNote = "GPS 21.028511,105.804817 Pixel 9"

// tinyPNG returns a 4×3 PNG carrying a tEXt chunk with a location.
func tinyPNG(t testing.TB) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for x := range 4 {
		for y := range 3 {
			m.Set(x, y, color.RGBA{uint8(60 * x), uint8(80 * y), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	// Insert the chunk after IHDR (signature, then a 13-byte IHDR chunk).
	ihdrEnd := len(pngMagic) + 12 + 13
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len("Comment\x00"+gpsNote)))
	chunk = append(chunk, "tEXt"+"Comment\x00"+gpsNote...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := append(append(append([]byte{}, plain[:ihdrEnd]...), chunk...), plain[ihdrEnd:]...)
	if _, err := png.Decode(bytes.NewReader(out)); err != nil {
		t.Fatalf("test PNG does not decode: %v", err)
	}
	return out
}

func TestMessages(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		rec := e.submit(t, report("T0101", "Lừa đảo bán hàng online, không giao hàng"))
		officer := e.actor(t, communeT0101)

		e.clk.Advance(2 * time.Hour)
		e.act(t, communeT0101, rec.ID, crimesource.Action{Kind: crimesource.ActMessage, Message: "Đề nghị anh/chị cung cấp ảnh chụp màn hình giao dịch."})
		wantErr(t, e.svc.Act(e.ctx, officer, rec.ID, crimesource.Action{Kind: crimesource.ActMessage, Message: "   "}), errs.Invalid, "message")

		v, err := e.svc.Lookup(e.ctx, rec.ReceiptCode)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Messages) != 1 || v.Messages[0].FromReporter || v.Messages[0].Body != "Đề nghị anh/chị cung cấp ảnh chụp màn hình giao dịch." {
			t.Fatalf("citizen sees messages %+v", v.Messages)
		}

		// The citizen answers with a screenshot.
		e.clk.Advance(2 * time.Hour)
		shot := tinyPNG(t)
		v, err = e.svc.Reply(e.ctx, rec.ReceiptCode, "Tôi gửi ảnh chụp màn hình chuyển khoản.", []crimesource.Upload{{Name: "chuyen-khoan.png", Data: shot}})
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Messages) != 2 || !v.Messages[1].FromReporter {
			t.Fatalf("after reply the citizen sees %+v", v.Messages)
		}
		_, err = e.svc.Reply(e.ctx, rec.ReceiptCode, "  ", nil)
		wantErr(t, err, errs.Invalid, "message")
		_, err = e.svc.Reply(e.ctx, rec.ReceiptCode, "Tệp hỏng", []crimesource.Upload{{Name: "x.png", Data: []byte("<html>không phải ảnh</html>")}})
		wantErr(t, err, errs.Invalid, "attachments")

		d, err := e.svc.Get(e.ctx, officer, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Messages) != 2 {
			t.Fatalf("officer sees %d messages, want 2", len(d.Messages))
		}
		if m := d.Messages[1]; !m.FromReporter || m.Body != "Tôi gửi ảnh chụp màn hình chuyển khoản." || !m.At.Equal(e.clk.Now()) {
			t.Errorf("reply seen as %+v", m)
		}
		if d.Messages[0].FromReporter {
			t.Error("the officer's message is marked as the reporter's")
		}
		var replyEvents int
		for _, ev := range d.Events {
			if ev.Kind == "reporter_reply" {
				replyEvents++
			}
		}
		if replyEvents != 1 {
			t.Errorf("%d reply events on the timeline, want 1", replyEvents)
		}
		if len(d.Attachments) != 1 || !d.Attachments[0].FromCitizen || !d.Attachments[0].Stripped || d.Attachments[0].ContentType != "image/png" {
			t.Fatalf("attachments %+v", d.Attachments)
		}
		id := d.Attachments[0].ID

		var stripped int
		var msgID *int64
		if err := e.db.QueryRow(e.ctx, "SELECT metadata_stripped, message_id FROM attachments WHERE id = ?", id).Scan(&stripped, &msgID); err != nil {
			t.Fatal(err)
		}
		if stripped != 1 || msgID == nil {
			t.Errorf("attachment row: metadata_stripped=%d message_id=%v", stripped, msgID)
		}

		data, ct, err := e.svc.File(e.ctx, officer, id)
		if err != nil {
			t.Fatal(err)
		}
		if ct != "image/png" {
			t.Errorf("content type %q", ct)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("file does not decode as PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 4 || b.Dy() != 3 {
			t.Errorf("image is %v, want 4×3", b)
		}
		if bytes.Contains(data, []byte(gpsNote)) || bytes.Contains(data, []byte("tEXt")) {
			t.Error("the photo's location text survived")
		}

		// On disk the file is sealed: neither a PNG nor the photo's bytes.
		raw, err := os.ReadFile(e.storedFile(t, id))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(raw, pngMagic) || bytes.Contains(raw, pngMagic) || bytes.Contains(raw, data[len(pngMagic):len(pngMagic)+16]) {
			t.Error("the stored file holds the photo in clear")
		}
		if bytes.Contains(raw, []byte(gpsNote)) {
			t.Error("the stored file holds the location text")
		}
		// Viewing a file is audited.
		if n := e.count(t, "audit_log", "action = 'file.view'"); n != 1 {
			t.Errorf("%d file views logged, want 1", n)
		}
	})
}
