package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/store"
)

// An officer enters a paper filed through a detention facility with the day
// the head of the facility received it, then records the procuracy's request
// for the file with the day it arrived and the handover: the page takes both
// dates, shows them, and counts the limits from them. The clock stands at Mon
// 30/11/2026 10:00.
func TestSourcePageFacilityAndFileRequest(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			s := newSampleServer(t, e)
			if r := get(t, s.Server, s.A, "/can-bo/nguon-tin/moi"); !strings.Contains(r.Body, `name="facility_received_on"`) {
				t.Fatal("the officer entry form has no field for the day a detention facility received the paper")
			}
			form := url.Values{"kind": {"to_giac"}, "channel": {"transfer_in"}, "category": {"khac"},
				"description": {"Đơn tố giác của người bị tạm giam về hành vi lừa đảo"}, "facility_received_on": {"2026-12-01"}}
			r := post(t, s.Server, s.A, "/can-bo/nguon-tin", form)
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "không thể sau ngày tiếp nhận") || !strings.Contains(r.Body, `value="2026-12-01"`) {
				t.Fatalf("facility day after receipt: status %d, want 400 with the message and the value kept", r.Status)
			}
			form.Set("facility_received_on", "2026-11-25")
			r = post(t, s.Server, s.A, "/can-bo/nguon-tin", form)
			m := createdLoc.FindStringSubmatch(r.Location())
			if r.Status != http.StatusSeeOther || m == nil {
				t.Fatalf("entry: status %d, location %q:\n%s", r.Status, r.Location(), r.Body)
			}
			id := m[1]
			page := get(t, s.Server, s.A, "/can-bo/nguon-tin/"+id).Body
			// The transfer limit runs from 00:00 on 25/11.
			for _, want := range []string{"thủ trưởng cơ sở nhận ngày 25/11/2026", "00:00 25/11/2026", "Viện kiểm sát yêu cầu chuyển hồ sơ", `name="received_on"`} {
				if !strings.Contains(page, want) {
					t.Errorf("source page lacks %q", want)
				}
			}
			if strings.Contains(page, "Chuyển hồ sơ cho Viện kiểm sát") {
				t.Error("handover offered before any request")
			}

			r = postMultipart(t, s.Server, s.A, "/can-bo/nguon-tin/"+id+"/thao-tac", url.Values{"action": {"file_request"}, "received_on": {"2026-12-01"}})
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "không thể sau hôm nay") || !strings.Contains(r.Body, `value="2026-12-01"`) {
				t.Errorf("request received tomorrow: status %d, want 400 with the reason and the day kept", r.Status)
			}
			// Recorded the next morning, received Mon 30/11: 5 days end Fri
			// 04/12. (The session is used in the evening, so it lasts.)
			s.Clock.Set(time.Date(2026, 11, 30, 21, 0, 0, 0, clock.Vietnam))
			get(t, s.Server, s.A, "/can-bo/nguon-tin/"+id)
			s.Clock.Set(time.Date(2026, 12, 1, 8, 0, 0, 0, clock.Vietnam))
			act(t, s, s.A, id, url.Values{"action": {"file_request"}, "received_on": {"2026-11-30"}, "ref": {"15/YC-VKS"}})
			page = get(t, s.Server, s.A, "/can-bo/nguon-tin/"+id).Body
			for _, want := range []string{"Chuyển hồ sơ nguồn tin cho Viện kiểm sát theo yêu cầu", "nhận yêu cầu ngày 30/11/2026", "hạn 24:00 ngày 04/12/2026", "Chuyển hồ sơ cho Viện kiểm sát"} {
				if !strings.Contains(page, want) {
					t.Errorf("page after the request lacks %q", want)
				}
			}
			act(t, s, s.A, id, url.Values{"action": {"file_handover"}, "ref": {"88/CV"}})
			page = get(t, s.Server, s.A, "/can-bo/nguon-tin/"+id).Body
			if !strings.Contains(page, "Đã chuyển hồ sơ nguồn tin cho Viện kiểm sát.") || strings.Contains(page, `value="file_handover"`) {
				t.Error("after the handover the page does not record it, or still offers it")
			}
		})
	}
}

// A limit counted in days ends at 24:00 of its last day (Art. 134(1)): the
// source page's table of limits, its CSV and the inbox's CSV name that day,
// not 00:00 of the next one; an hour limit keeps its hour. A citizen's
// report received Mon 30/11/2026 10:00 gives the commune police 7 days, the
// last one Sun 06/12, moved to Mon 07/12.
func TestDeadlineDueAtEndOfDay(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			s := newSampleServer(t, e)
			ctx := context.Background()
			rec, err := s.Main.Sources.Submit(ctx, crimesource.Intake{Category: "cong_nghe_cao", CommuneCode: "T0101",
				Description: "Tài khoản lạ nhắn tin mạo danh ngân hàng.", Anonymous: true}, crimesource.Actor{})
			if err != nil {
				t.Fatal(err)
			}
			id := strconv.FormatInt(rec.ID, 10)
			page := get(t, s.Server, s.A, "/can-bo/nguon-tin/"+id).Body
			if !strings.Contains(page, "<td>24:00 ngày 07/12/2026</td>") || strings.Contains(page, "08/12/2026") {
				t.Errorf("the table of limits does not end the transfer limit at 24:00 ngày 07/12/2026:\n%s", excerpt(page))
			}
			r := get(t, s.Server, s.A, "/can-bo/nguon-tin/"+id+"?dinh-dang=csv&bang=thoi-han")
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
			if err != nil || len(recs) != 2 || recs[0][5] != "han" || recs[1][5] != "2026-12-07 24:00" {
				t.Errorf("limits CSV: %q, %v; want han 2026-12-07 24:00", recs, err)
			}
			r = get(t, s.Server, s.A, "/can-bo/nguon-tin?dinh-dang=csv")
			recs, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
			if err != nil || len(recs) != 2 || recs[0][8] != "han_gan_nhat" || recs[1][8] != "2026-12-07 24:00" {
				t.Errorf("inbox CSV: %q, %v; want han_gan_nhat 2026-12-07 24:00", recs, err)
			}

			// An urgent walk-in: 24 hours by the clock.
			u, err := s.Main.Accounts.ByUsername(ctx, "xa-a")
			if err != nil {
				t.Fatal(err)
			}
			rec, err = s.Main.Sources.Submit(ctx, crimesource.Intake{Kind: crimesource.KindDenunciation, Channel: "walk_in", Category: "trat_tu_xa_hoi",
				CommuneCode: "T0101", Description: "Bắt quả tang đối tượng trộm cắp xe máy", Anonymous: true, Urgent: true},
				crimesource.Actor{UserID: u.ID, Role: string(u.Role), Unit: u.UnitCode})
			if err != nil {
				t.Fatal(err)
			}
			page = get(t, s.Server, s.A, "/can-bo/nguon-tin/"+strconv.FormatInt(rec.ID, 10)).Body
			if !strings.Contains(page, "<td>10:00 ngày 01/12/2026</td>") {
				t.Errorf("the urgent transfer limit does not end at 10:00 ngày 01/12/2026:\n%s", excerpt(page))
			}
		})
	}
}
