package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSourceEntryKindChannel: an officer's entry whose kind does not fit
// its channel, or a body's report that does not name the body, is refused
// with the message by the field at fault and the values kept.
func TestSourceEntryKindChannel(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := newSampleServer(t, e)
			base := func(kind, channel, org string) url.Values {
				return url.Values{"kind": {kind}, "channel": {channel}, "category": {"trat_tu_xa_hoi"}, "reporter_org": {org},
					"description": {"Báo Mẫu đăng tin về đường dây cho vay nặng lãi."}}
			}
			n := countSources(t, srv.Server)
			for _, c := range []struct {
				name string
				form url.Values
				want string
			}{
				{"media without the outlet", base("tin_bao", "media", ""), "Vui lòng nhập tên cơ quan, tổ chức hoặc cơ quan báo chí báo tin."},
				{"recommendation without its body", base("kien_nghi_khoi_to", "petition", ""), "Vui lòng nhập tên cơ quan nhà nước kiến nghị khởi tố."},
				{"denunciation through the media", base("to_giac", "media", "Báo Mẫu"), "không dùng cho loại nguồn tin"},
			} {
				r := postMultipart(t, srv.Server, srv.A, "/can-bo/nguon-tin", c.form)
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, c.want) || !strings.Contains(r.Body, "đường dây cho vay nặng lãi") {
					t.Errorf("%s: status %d; want 400 with %q and the description kept:\n%s", c.name, r.Status, c.want, excerpt(r.Body))
				}
			}
			if got := countSources(t, srv.Server); got != n {
				t.Errorf("refused entries stored %d sources", got-n)
			}
			r := postMultipart(t, srv.Server, srv.A, "/can-bo/nguon-tin", base("tin_bao", "media", "Báo Mẫu"))
			if r.Status != http.StatusSeeOther {
				t.Errorf("a media report naming its outlet: status %d:\n%s", r.Status, excerpt(r.Body))
			}
		})
	}
}
