package crimesource_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
)

// ids returns the ids of an inbox page, in order.
func ids(p crimesource.Page) []int64 {
	var out []int64
	for _, r := range p.Rows {
		out = append(out, r.ID)
	}
	return out
}

func TestInboxFilters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		mk := func(category, channel, description string, urgent bool) int64 {
			in := crimesource.Intake{Category: category, CommuneCode: "T0101", Description: description, Anonymous: true, Channel: channel, Urgent: urgent}
			if channel == "online" {
				return e.submit(t, in).ID
			}
			return e.submit(t, in, communeT0101).ID
		}
		scam := mk("cong_nghe_cao", "online", "Lừa đảo qua mạng, chiếm đoạt tài khoản ngân hàng", false)
		gambling := mk("trat_tu_xa_hoi", "walk_in", "Đánh bạc tại quán cà phê đầu ngõ", false)
		fakes := mk("buon_lau", "phone", "Buôn bán hàng giả nhãn hiệu, bắt quả tang", true)
		savings := mk("kinh_te", "online", "Chiếm đoạt 100% số tiền_tiết kiệm của người già", false)
		all := []int64{savings, fakes, gambling, scam} // newest first
		e.act(t, communeT0101, gambling, crimesource.Action{Kind: crimesource.ActRegister})
		var fakesCode string
		if err := e.db.QueryRow(e.ctx, "SELECT tracking_code FROM sources WHERE id = ?", fakes).Scan(&fakesCode); err != nil {
			t.Fatal(err)
		}

		inv := e.actor(t, investig01)
		list := func(t *testing.T, f crimesource.Filter) []int64 {
			t.Helper()
			p, err := e.svc.Inbox(e.ctx, inv, f)
			if err != nil {
				t.Fatalf("inbox %+v: %v", f, err)
			}
			return ids(p)
		}
		check := func(t *testing.T, f crimesource.Filter, want ...int64) {
			t.Helper()
			if got := list(t, f); !slices.Equal(got, want) {
				t.Errorf("inbox %+v = %v, want %v", f, got, want)
			}
		}

		t.Run("fields", func(t *testing.T) {
			check(t, crimesource.Filter{}, all...)
			check(t, crimesource.Filter{Status: crimesource.StatusRegistered}, gambling)
			check(t, crimesource.Filter{Status: crimesource.StatusReceived}, savings, fakes, scam)
			check(t, crimesource.Filter{Status: crimesource.StatusSuspended})
			check(t, crimesource.Filter{Category: "cong_nghe_cao"}, scam)
			check(t, crimesource.Filter{Category: "kinh_te", Channel: "online"}, savings)
			check(t, crimesource.Filter{Category: "kinh_te", Channel: "phone"})
			check(t, crimesource.Filter{Channel: "online"}, savings, scam)
			check(t, crimesource.Filter{Channel: "phone"}, fakes)
			_, err := e.svc.Inbox(e.ctx, inv, crimesource.Filter{Due: "soon"})
			wantErr(t, err, errs.Invalid, "due")
		})

		t.Run("search", func(t *testing.T) {
			tests := []struct {
				q    string
				want []int64
			}{
				{"lua dao", []int64{scam}},
				{"LỪA ĐẢO", []int64{scam}},
				{"Lừa Đảo", []int64{scam}},
				{"lừa đảo", []int64{scam}},
				{"đanh bac", []int64{gambling}},
				{"ĐÁNH BẠC", []int64{gambling}},
				{"chiem doat", []int64{savings, scam}},
				{"chiem doat ngan hang", []int64{scam}},
				{`"qua mang"`, []int64{scam}},
				{`"mang qua"`, nil},
				{"lua gao", nil},
				{"100% tiền", []int64{savings}},
				{"tiền_tiết", []int64{savings}},
				{fakesCode, []int64{fakes}},
				// LIKE wildcards are never wildcards.
				{"%", nil},
				{"_", nil},
				{"%%", nil},
				{"%_%", nil},
				{`\%`, nil},
				{"", all},
				{"   ", all},
			}
			for _, tc := range tests {
				if got := list(t, crimesource.Filter{Search: tc.q}); !slices.Equal(got, tc.want) {
					t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
				}
			}
		})

		t.Run("due", func(t *testing.T) {
			// Received Mon 30/11 10:00. The urgent one has 24 hours: its last
			// day is tomorrow, within the 3 days that make a limit at risk;
			// the others have until 07/12.
			check(t, crimesource.Filter{Due: "at_risk"}, fakes)
			check(t, crimesource.Filter{Due: "overdue"})
			e.clk.Set(vn(2026, 12, 1, 10, 0))
			check(t, crimesource.Filter{Due: "overdue"}, fakes)
			check(t, crimesource.Filter{Due: "at_risk"})
			// Fri 04/12: three days left on the 7-day limits.
			e.clk.Set(vn(2026, 12, 4, 10, 0))
			check(t, crimesource.Filter{Due: "at_risk"}, savings, gambling, scam)
			check(t, crimesource.Filter{Due: "overdue"}, fakes)
			check(t, crimesource.Filter{Due: "at_risk", Channel: "online"}, savings, scam)
			// 24:00 on Mon 07/12 has passed.
			e.clk.Set(vn(2026, 12, 8, 0, 0))
			check(t, crimesource.Filter{Due: "overdue"}, all...)
			p, err := e.svc.Inbox(e.ctx, inv, crimesource.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Rows {
				if r.State != "overdue" || r.DaysLeft >= 0 {
					t.Errorf("source %d: state %s, %d days left", r.ID, r.State, r.DaysLeft)
				}
			}
			// A limit that was met is no longer overdue.
			e.act(t, communeT0101, scam, crimesource.Action{Kind: crimesource.ActTransfer})
			if slices.Contains(list(t, crimesource.Filter{Due: "overdue"}), scam) {
				t.Error("transferred source is still overdue on its transfer limit")
			}
		})
	})
}

func TestInboxPaging(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		const n = 120
		var made []int64
		for i := range n {
			if i%3 == 0 {
				e.clk.Advance(time.Second) // groups of three share a received_at
			}
			made = append(made, e.submit(t, report("T0101", fmt.Sprintf("Tin báo số %d về trộm cắp", i))).ID)
		}
		// An unrelated province's sources never show.
		e.submit(t, report("T7901", "Tin báo ở tỉnh khác"))
		slices.Reverse(made) // newest first

		a := e.actor(t, communeT0101)
		var got []int64
		var sizes []int
		f := crimesource.Filter{Limit: 50}
		for page := 0; ; page++ {
			if page > 5 {
				t.Fatal("paging does not end")
			}
			p, err := e.svc.Inbox(e.ctx, a, f)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(p.Rows))
			got = append(got, ids(p)...)
			if p.Next == "" {
				break
			}
			if len(p.Rows) == 0 {
				t.Fatal("empty page with a next cursor")
			}
			f = crimesource.Filter{Limit: 50}
			if err := f.ParseCursor(p.Next); err != nil {
				t.Fatalf("cursor %q: %v", p.Next, err)
			}
		}
		if !slices.Equal(sizes, []int{50, 50, 20}) {
			t.Errorf("page sizes %v, want [50 50 20]", sizes)
		}
		if !slices.Equal(got, made) {
			t.Errorf("pages give %v,\nwant newest first %v", got, made)
		}

		// Exactly one page's worth: no next page.
		p, err := e.svc.Inbox(e.ctx, a, crimesource.Filter{Limit: n})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rows) != n || p.Next != "" {
			t.Errorf("limit %d: %d rows, next %q", n, len(p.Rows), p.Next)
		}
		for _, bad := range []string{"x", "2026-11-30T03:00:00.000000Z", "2026-11-30_12", "hôm-nay_1"} {
			var f crimesource.Filter
			wantErr(t, f.ParseCursor(bad), errs.Invalid, "cursor")
		}
	})
}
