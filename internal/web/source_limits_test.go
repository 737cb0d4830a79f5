package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"toandan/internal/clock"
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
