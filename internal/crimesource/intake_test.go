package crimesource_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
	"toandan/internal/seal"
	"toandan/internal/testutil"
)

func TestSubmitRouting(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		// Receipt is in the tamper-evident log and the timeline.
		{
			rec := e.submit(t, report("T0102", "Buôn bán hàng giả tại chợ"))
			if n := e.count(t, "audit_log", "action = 'source.receive' AND object = ?", "source:"+rec.TrackingCode); n != 1 {
				t.Errorf("%d audit entries for the receipt, want 1", n)
			}
			if n := e.count(t, "source_events", "source_id = ? AND kind = 'received'", rec.ID); n != 1 {
				t.Errorf("%d received events, want 1", n)
			}
			if !rec.ReceivedAt.Equal(testutil.DefaultNow) {
				t.Errorf("received at %v, want the clock's %v", rec.ReceivedAt, testutil.DefaultNow)
			}
		}

		tests := []struct {
			name     string
			commune  string
			province string
			want     string
		}{
			{"commune", "T0101", "", "CA-T0101"},
			{"commune with its province", "T7901", "79", "CA-T7901"},
			{"province only", "", "01", "CA-01"},
			{"no place", "", "", "CA-VN"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				in := report(tc.commune, "Có người lừa đảo qua điện thoại")
				in.ProvinceCode = tc.province
				rec := e.submit(t, in)
				recv, hold := e.unitOf(t, rec.ID)
				if recv != tc.want || hold != tc.want {
					t.Errorf("received by %s, held by %s; want %s", recv, hold, tc.want)
				}
				if rec.RegisterNo != 1 || rec.RegisterYear != 2026 {
					t.Errorf("register %d/%d, want 1/2026 (first of %s)", rec.RegisterNo, rec.RegisterYear, tc.want)
				}
				if rec.UnitName == "" {
					t.Error("receipt names no unit")
				}
			})
		}

		// The commune's province is recorded even when the reporter only
		// chose the commune.
		rec := e.submit(t, report("T0102", "Trộm cắp xe máy trước cổng chợ"))
		var prov string
		if err := e.db.QueryRow(e.ctx, "SELECT province_code FROM sources WHERE id = ?", rec.ID).Scan(&prov); err != nil {
			t.Fatal(err)
		}
		if prov != "01" {
			t.Errorf("province_code = %q, want 01", prov)
		}

		// Jurisdiction is data: once CA-T0102 covers T0101, reports about
		// T0101 go there.
		if err := e.srv.Main.Geo.SetJurisdiction(e.ctx, "CA-T0102", []string{"T0101", "T0102"}, "test"); err != nil {
			t.Fatal(err)
		}
		rec = e.submit(t, report("T0101", "Đánh bạc tại nhà văn hóa thôn"))
		if recv, hold := e.unitOf(t, rec.ID); recv != "CA-T0102" || hold != "CA-T0102" {
			t.Errorf("after the move, T0101 routes to %s/%s, want CA-T0102", recv, hold)
		}
	})
}

// TestSubmitValidation checks each bad field is reported under its JSON
// name, and that a refused report leaves no trace at all.
func TestSubmitValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		good := func() crimesource.Intake {
			return crimesource.Intake{
				Category:    "kinh_te",
				CommuneCode: "T0101",
				Description: "Công ty X huy động vốn trái phép",
				OccurredAt:  "2026-11-29T21:30",
				Reporter:    &crimesource.Reporter{FullName: "Trần Thị Bình", IDNumber: "001099012345", Phone: "0912345678", Address: "Số 1 Tràng Tiền", Email: "binh@example.vn"},
			}
		}
		lat, lon := 21.0, 105.8
		png := tinyPNG(t)
		tests := []struct {
			field string
			edit  func(in *crimesource.Intake)
		}{
			{"category", func(in *crimesource.Intake) { in.Category = "" }},
			{"category", func(in *crimesource.Intake) { in.Category = "khong_co" }},
			{"commune_code", func(in *crimesource.Intake) { in.CommuneCode = "T9999" }},
			{"commune_code", func(in *crimesource.Intake) { in.CommuneCode = "01" }},  // a province is not a commune
			{"commune_code", func(in *crimesource.Intake) { in.ProvinceCode = "79" }}, // T0101 is not in 79
			{"province_code", func(in *crimesource.Intake) { in.CommuneCode, in.ProvinceCode = "", "99" }},
			{"province_code", func(in *crimesource.Intake) { in.CommuneCode, in.ProvinceCode = "", "T0101" }},
			{"occurred_at", func(in *crimesource.Intake) { in.OccurredAt = "2026-11-30T12:00" }}, // 2 hours ahead
			{"occurred_at", func(in *crimesource.Intake) { in.OccurredAt = "2027-01-01" }},
			{"occurred_at", func(in *crimesource.Intake) { in.OccurredAt = "hôm qua" }},
			{"occurred_at", func(in *crimesource.Intake) { in.OccurredAt = "2026-13-01T10:00" }},
			{"occurred_at", func(in *crimesource.Intake) { in.OccurredAt = "30/11/2026" }},
			{"description", func(in *crimesource.Intake) { in.Description = "  Lừa  đảo  " }},
			{"description", func(in *crimesource.Intake) { in.Description = "" }},
			{"location", func(in *crimesource.Intake) { in.Lat = &lat }},
			{"kind", func(in *crimesource.Intake) { in.Kind = "khac" }},
			{"channel", func(in *crimesource.Intake) { in.Channel = "fax" }},
			{"reporter.full_name", func(in *crimesource.Intake) { in.Reporter = nil }},
			{"reporter.full_name", func(in *crimesource.Intake) { in.Reporter.FullName = "   " }},
			{"reporter.full_name", func(in *crimesource.Intake) { in.Reporter.FullName = "Robert'); DROP TABLE sources;--" }},
			{"reporter.id_number", func(in *crimesource.Intake) { in.Reporter.IDNumber = "00109901234" }},   // 11 digits
			{"reporter.id_number", func(in *crimesource.Intake) { in.Reporter.IDNumber = "0010990123456" }}, // 13 digits
			{"reporter.id_number", func(in *crimesource.Intake) { in.Reporter.IDNumber = "00109901234X" }},
			{"reporter.id_number", func(in *crimesource.Intake) { in.Reporter.IDNumber = "" }},
			{"reporter.phone", func(in *crimesource.Intake) { in.Reporter.Phone = "12345" }},
			{"reporter.phone", func(in *crimesource.Intake) { in.Reporter.Phone = "" }},
			{"reporter.address", func(in *crimesource.Intake) { in.Reporter.Address = "" }},
			{"reporter.email", func(in *crimesource.Intake) { in.Reporter.Email = "binh-at-example" }},
			{"reporter.email", func(in *crimesource.Intake) { in.Reporter.Email = "Bình <binh@example.vn>" }},
			{"attachments", func(in *crimesource.Intake) {
				in.Files = []crimesource.Upload{{Name: "anh.jpg", Data: []byte("MZ\x90\x00 this is a Windows program")}}
			}},
			{"attachments", func(in *crimesource.Intake) {
				// A good photo first: nothing of it may be kept either.
				in.Files = []crimesource.Upload{{Name: "a.png", Data: png}, {Name: "b.txt", Data: []byte("chỉ là văn bản")}}
			}},
		}
		tables := []string{"sources", "source_events", "source_deadlines", "register_counters", "audit_log", "attachments", "source_messages"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = e.count(t, tb)
		}
		filesBefore := e.filesOnDisk(t)
		for _, tc := range tests {
			in := good()
			tc.edit(&in)
			_, err := e.svc.Submit(e.ctx, in, crimesource.Actor{})
			if err == nil {
				t.Errorf("%s: bad input accepted: %+v", tc.field, in)
				continue
			}
			de, ok := errs.As(err)
			if !ok || de.Code != errs.Invalid || de.Field != tc.field {
				t.Errorf("%s: got %v, want Invalid on %s", tc.field, err, tc.field)
			} else if de.Message == "" {
				t.Errorf("%s: no message for the user", tc.field)
			}
		}
		for _, tb := range tables {
			if n := e.count(t, tb); n != before[tb] {
				t.Errorf("refused reports wrote %d rows to %s", n-before[tb], tb)
			}
		}
		if n := e.filesOnDisk(t); n != filesBefore {
			t.Errorf("refused reports left %d files on disk", n-filesBefore)
		}

		// The same report, corrected, is received: the cases above failed
		// for their own field only.
		in := good()
		in.Lat, in.Lon = &lat, &lon
		in.Reporter.Phone = "+84 912 345 678"
		in.Files = []crimesource.Upload{{Name: "a.png", Data: png}}
		rec := e.submit(t, in)
		if rec.RegisterNo != 1 {
			t.Errorf("first accepted report has register number %d, want 1", rec.RegisterNo)
		}
		for tb, want := range map[string]int{"sources": 1, "register_counters": 1, "attachments": 1} {
			if n := e.count(t, tb) - before[tb]; n != want {
				t.Errorf("accepted report wrote %d rows to %s, want %d", n, tb, want)
			}
		}
	})
}

func TestRegisterNumbersConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		const n = 200
		nums := make([]int, n)
		errc := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec, err := e.svc.Submit(e.ctx, report("T0101", "Tụ tập gây rối trật tự công cộng"), crimesource.Actor{})
				if err != nil {
					errc <- err
					return
				}
				if rec.RegisterYear != 2026 {
					t.Errorf("register year %d, want 2026", rec.RegisterYear)
				}
				nums[i] = rec.RegisterNo
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatalf("concurrent submit: %v", err)
		}
		seen := make([]bool, n+1)
		for _, no := range nums {
			if no < 1 || no > n {
				t.Fatalf("register number %d outside 1..%d", no, n)
			}
			if seen[no] {
				t.Fatalf("register number %d given twice", no)
			}
			seen[no] = true
		}
		// The stored register agrees with the receipts.
		var lo, hi, cnt int
		if err := e.db.QueryRow(e.ctx, `SELECT MIN(s.register_no), MAX(s.register_no), COUNT(DISTINCT s.register_no) FROM sources s
			JOIN police_units p ON p.id = s.receiving_unit_id WHERE p.code = 'CA-T0101' AND s.register_year = 2026`).Scan(&lo, &hi, &cnt); err != nil {
			t.Fatal(err)
		}
		if lo != 1 || hi != n || cnt != n {
			t.Errorf("register of CA-T0101: %d..%d, %d distinct; want 1..%d", lo, hi, cnt, n)
		}

		// Another unit has a register of its own.
		if rec := e.submit(t, report("T0102", "Trộm cắp tài sản tại chợ xã")); rec.RegisterNo != 1 {
			t.Errorf("first report of CA-T0102 has number %d, want 1", rec.RegisterNo)
		}
		if rec := e.submit(t, report("T0101", "Trộm cắp tài sản tại chợ xã")); rec.RegisterNo != n+1 {
			t.Errorf("next report of CA-T0101 has number %d, want %d", rec.RegisterNo, n+1)
		}

		// The register is yearly, and the year is Vietnam's: 23:59 on 31
		// December is still 2026 there, 00:00 is 2027.
		e.clk.Set(vn(2026, 12, 31, 23, 59))
		if rec := e.submit(t, report("T0101", "Cướp giật điện thoại trên phố")); rec.RegisterYear != 2026 || rec.RegisterNo != n+2 {
			t.Errorf("31/12 23:59: number %d/%d, want %d/2026", rec.RegisterNo, rec.RegisterYear, n+2)
		}
		e.clk.Set(vn(2027, 1, 1, 0, 0))
		for i, want := range []int{1, 2} {
			rec := e.submit(t, report("T0101", "Cướp giật điện thoại trên phố"))
			if rec.RegisterYear != 2027 || rec.RegisterNo != want {
				t.Errorf("2027 report %d: number %d/%d, want %d/2027", i, rec.RegisterNo, rec.RegisterYear, want)
			}
			if !strings.HasPrefix(rec.TrackingCode, "TG-2027-") {
				t.Errorf("tracking code %s is not of 2027", rec.TrackingCode)
			}
		}
	})
}

var receiptPattern = regexp.MustCompile(`^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}(-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}){3}$`)

func TestReceiptCode(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		rec := e.submit(t, report("T0101", "Lừa đảo qua mạng, chiếm đoạt 50 triệu đồng"))
		if !receiptPattern.MatchString(rec.ReceiptCode) {
			t.Fatalf("receipt code %q is not 16 Crockford symbols grouped XXXX-XXXX-XXXX-XXXX", rec.ReceiptCode)
		}
		var stored []byte
		if err := e.db.QueryRow(e.ctx, "SELECT receipt_hash FROM sources WHERE id = ?", rec.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		bare := strings.ReplaceAll(rec.ReceiptCode, "-", "")
		plainSum, bareSum := sha256.Sum256([]byte(rec.ReceiptCode)), sha256.Sum256([]byte(bare))
		for name, bad := range map[string][]byte{"the code": []byte(rec.ReceiptCode), "the code without dashes": []byte(bare),
			"sha256 of the code": plainSum[:], "sha256 without dashes": bareSum[:]} {
			if bytes.Equal(stored, bad) {
				t.Errorf("receipt_hash is %s", name)
			}
		}
		if bytes.Contains(stored, []byte(bare[:8])) {
			t.Error("receipt_hash contains part of the code")
		}
		// It is the HMAC under the key held in the key file, not in the
		// database.
		keys, created, err := seal.LoadOrCreateKeys(filepath.Join(e.srv.Main.Config.DataDir, "identity.key"))
		if err != nil || created {
			t.Fatalf("key file: created=%v err=%v", created, err)
		}
		if !hmac.Equal(stored, keys.ReceiptHash(rec.ReceiptCode)) {
			t.Error("receipt_hash is not the keyed hash of the receipt code")
		}
		other, err := seal.NewKeys(bytes.Repeat([]byte{7}, 32))
		if err != nil {
			t.Fatal(err)
		}
		if hmac.Equal(stored, other.ReceiptHash(rec.ReceiptCode)) {
			t.Error("receipt_hash does not depend on the key")
		}

		// A second report gets another code.
		rec2 := e.submit(t, report("T0101", "Lừa đảo qua mạng, chiếm đoạt 50 triệu đồng"))
		if rec2.ReceiptCode == rec.ReceiptCode {
			t.Fatal("two reports got the same receipt code")
		}

		for _, code := range []string{rec.ReceiptCode, strings.ToLower(rec.ReceiptCode), bare, strings.ToLower(bare), "  " + rec.ReceiptCode + "  "} {
			v, err := e.svc.Lookup(e.ctx, code)
			if err != nil {
				t.Errorf("lookup %q: %v", code, err)
				continue
			}
			if v.TrackingCode != rec.TrackingCode || v.Status != crimesource.StatusReceived || v.StatusText != crimesource.CitizenStatus(crimesource.StatusReceived) {
				t.Errorf("lookup %q: %+v", code, v)
			}
			if v.StatusText == "" || v.UnitName == "" || v.Closed {
				t.Errorf("lookup %q: incomplete view %+v", code, v)
			}
		}

		// A citizen never reaches another report, nor learns whether a
		// wrong code is merely mistyped or belongs to no one.
		wrongs := []string{"", "ABCD", "0000-0000-0000-0000", flip(rec.ReceiptCode), rec.ReceiptCode + "-0000", "' OR 1=1 --"}
		for _, code := range wrongs {
			_, err := e.svc.Lookup(e.ctx, code)
			wantErr(t, err, errs.Invalid, "receipt_code")
			_, err = e.svc.Reply(e.ctx, code, "Tôi có thêm thông tin", nil)
			wantErr(t, err, errs.Invalid, "receipt_code")
		}

		// Officer entries from other channels have no receipt code.
		in := report("T0101", "Báo tin qua điện thoại về vụ trộm")
		in.Channel = "phone"
		if rec := e.submit(t, in, communeT0101); rec.ReceiptCode != "" {
			t.Errorf("phone report got receipt code %q", rec.ReceiptCode)
		}
	})
}

// flip changes the last symbol of a receipt code.
func flip(code string) string {
	last := code[len(code)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return code[:len(code)-1] + string(repl)
}
