package crimesource

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"toandan/internal/clock"
	"toandan/internal/errs"
)

// fields validateRest may name, as the form and the API show them.
var restFields = map[string]bool{
	"address": true, "location": true, "occurred_at": true, "description": true, "postmarked_on": true, "reporter_org": true,
	"reporter.full_name": true, "reporter.id_number": true, "reporter.phone": true, "reporter.address": true, "reporter.email": true,
}

// FuzzValidateRest checks a report's fields other than its category and
// place (those need the database), as a citizen's form or API call gives
// them. Any intake is either refused with an input error naming one of its
// fields, or accepted in a normal form that is within the rules and that
// validates again to itself.
//
// testdata/fuzz holds the inputs that failed it: a NaN point passed the
// territory check, and a time at year 0000 with an offset was stored as
// year -1.
func FuzzValidateRest(f *testing.F) {
	f.Add("Số 12 ngõ 34 phố Hàng Bạc, phường Hoàn Kiếm", true, 21.0285, 105.8542, "2026-11-29T21:30",
		"Có một nhóm thanh niên tụ tập đánh bạc ở quán nước đầu ngõ vào mỗi tối.", true, "", "", "", "", "")
	f.Add("Ấp 3, xã Tân Thạnh", false, 0.0, 0.0, "2026-11-29",
		"Tôi bị lừa chuyển khoản 20 triệu đồng qua Zalo, đối tượng xưng là cán bộ công an.", false,
		"  Nguyễn   Văn Ánh ", "0010 9901 2345", "+84 912 345 678", "Số 5 Lê Duẩn, Hà Nội", "nguyenvana@example.vn")
	f.Add("", true, 10.7769, 106.7009, "2026-11-29T14:30:00Z",
		"Xe tải chở cát quá tải chạy ban đêm trên đê, làm hỏng mặt đường.", false,
		"Trần Thị Bích Ngọc", "079199012345", "84912345678", "Quận 1, TP. Hồ Chí Minh", "")
	f.Add("", true, 21.0, 105.0, "2026-12-24T20:00", "Sự việc trong tương lai.", true, "", "", "", "", "")
	f.Add("", true, 1.0, 105.0, "29/11/2026", "Ngắn", false, "Lê Văn 8", "12345", "abc", "", "không phải email")
	f.Add("Tôn Đức Thắng", true, 21.0, 105.0, "", "Mo\u0302 ta\u0309 su\u031b\u0323 vie\u0323\u0302c bằng chữ tổ hợp.", false,
		"Nguye\u0302\u0303n Thi\u0323", "001099012345", "0912345678", "Hà Nội", "a@b.vn")

	now := time.Date(2026, 11, 30, 10, 0, 0, 0, clock.Vietnam)
	f.Fuzz(func(t *testing.T, address string, located bool, lat, lon float64, occurredAt, description string, anonymous bool,
		fullName, idNumber, phone, reporterAddress, email string) {
		in := Intake{Address: address, OccurredAt: occurredAt, Description: description, Anonymous: anonymous, Kind: KindDenunciation, Channel: "online"}
		if located {
			in.Lat, in.Lon = &lat, &lon
		}
		if !anonymous {
			in.Reporter = &Reporter{FullName: fullName, IDNumber: idNumber, Phone: phone, Address: reporterAddress, Email: email}
		}
		// As validate does before validateRest.
		in.Address, in.Description, in.OccurredAt = clean(in.Address), clean(in.Description), strings.TrimSpace(in.OccurredAt)
		err := validateRest(&in, now)
		if err != nil {
			e, ok := errs.As(err)
			if !ok || e.Code != errs.Invalid || !restFields[e.Field] || e.Message == "" {
				t.Fatalf("error %#v does not name one of the report's fields", err)
			}
			return
		}
		if in.Lat != nil && !(*in.Lat >= 5 && *in.Lat <= 24 && *in.Lon >= 100 && *in.Lon <= 120) {
			t.Fatalf("point %v, %v accepted outside Vietnam", *in.Lat, *in.Lon)
		}
		if n := utf8.RuneCountInString(in.Description); n < 10 || n > 10000 {
			t.Fatalf("description of %d characters accepted", n)
		}
		if in.OccurredAt != "" {
			tm, norm, err := parseOccurred(in.OccurredAt)
			if err != nil || norm != in.OccurredAt {
				t.Fatalf("stored time %q reads back as %q, %v", in.OccurredAt, norm, err)
			}
			if tm.After(now.Add(10 * time.Minute)) {
				t.Fatalf("time %q in the future accepted", in.OccurredAt)
			}
		}
		if anonymous != (in.Reporter == nil) {
			t.Fatalf("anonymous=%v, reporter %+v", anonymous, in.Reporter)
		}
		if r := in.Reporter; r != nil && (!idNumberPattern.MatchString(r.IDNumber) || !phonePattern.MatchString(r.Phone) || r.FullName == "" || r.Address == "") {
			t.Fatalf("reporter %+v accepted", *r)
		}
		// The accepted form is a fixed point: validating it again changes
		// nothing.
		again := in
		if in.Reporter != nil {
			rp := *in.Reporter
			again.Reporter = &rp
		}
		again.Address, again.Description = clean(again.Address), clean(again.Description)
		if err := validateRest(&again, now); err != nil {
			t.Fatalf("accepted intake refused on a second pass: %v", err)
		}
		if again.Address != in.Address || again.Description != in.Description || again.OccurredAt != in.OccurredAt ||
			(in.Reporter != nil && *again.Reporter != *in.Reporter) {
			t.Fatalf("second pass changed the intake:\n%+v\n%+v", in, again)
		}
	})
}
