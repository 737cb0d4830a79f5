package crimesource_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"toandan/internal/crimesource"
	"toandan/internal/store"
)

// searchAll returns the ids of every source a search finds for officer,
// newest first, following the pages.
func (e *env) searchAll(t testing.TB, officer, q string) []int64 {
	t.Helper()
	return e.searchPages(t, officer, q, 200)
}

// searchPages is searchAll with pages of limit rows.
func (e *env) searchPages(t testing.TB, officer, q string, limit int) []int64 {
	t.Helper()
	a := e.actor(t, officer)
	f := crimesource.Filter{Search: q, Limit: limit}
	var out []int64
	for range 1000 {
		p, err := e.svc.Inbox(e.ctx, a, f)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		out = append(out, ids(p)...)
		if p.Next == "" {
			return out
		}
		if len(p.Rows) != limit {
			t.Fatalf("search %q: a page of %d rows before the last, want %d", q, len(p.Rows), limit)
		}
		f = crimesource.Filter{Search: q, Limit: limit}
		if err := f.ParseCursor(p.Next); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("search %q: paging does not end", q)
	return nil
}

// likeSearch is the search as it was before the index: LIKE '%term%' for
// every term over the raw rows of sources in scope, newest first.
func (e *env) likeSearch(t testing.TB, scope string, scopeArgs []any, q string) []int64 {
	t.Helper()
	terms := crimesource.ParseQuery(q).Terms
	if len(terms) == 0 {
		return nil
	}
	sql := "SELECT id FROM sources s WHERE " + scope
	args := slices.Clone(scopeArgs)
	for _, term := range terms {
		sql += " AND search_text LIKE ?"
		args = append(args, "%"+term+"%")
	}
	rows, err := e.db.Query(e.ctx, sql+" ORDER BY received_at DESC, id DESC", args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSearchIndex fails when SQLite's FTS5 index differs in any way from
// the text in sources (integrity-check with rank 1 compares the two).
// PostgreSQL maintains its GIN index itself.
func (e *env) checkSearchIndex(t testing.TB) {
	t.Helper()
	if e.db.Engine != store.SQLite {
		return
	}
	if _, err := e.db.Exec(e.ctx, "INSERT INTO sources_search (sources_search, rank) VALUES ('integrity-check', 1)"); err != nil {
		t.Fatalf("search index out of step with sources: %v", err)
	}
}

func TestSearch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		accented := e.submit(t, report("T0101", "Lừa Đảo qua mạng, chiếm đoạt 50 triệu")).ID
		plain := e.submit(t, report("T0101", "bi lua dao mua ve may bay gia re")).ID
		decomposed := e.submit(t, report("T0102", norm.NFD.String("Tôi bị lừa đảo khi bán hàng online"))).ID
		theft := e.submit(t, report("T0101", "Trộm xe máy Honda Wave trước cổng chợ")).ID
		other := e.submit(t, report("T7901", "Lừa đảo đầu tư tiền ảo ở tỉnh khác")).ID
		foreign := e.submit(t, report("T0101", "Tin nhắn lạ ký tên 東京都 và ß-Straße")).ID
		var theftCode string
		if err := e.db.QueryRow(e.ctx, "SELECT tracking_code FROM sources WHERE id = ?", theft).Scan(&theftCode); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			officer, q string
			want       []int64
		}{
			{ministryVN, "lừa đảo", []int64{other, decomposed, plain, accented}},
			{ministryVN, "lua dao", []int64{other, decomposed, plain, accented}},
			{ministryVN, "LỪA ĐẢO", []int64{other, decomposed, plain, accented}},
			{ministryVN, norm.NFD.String("lừa đảo"), []int64{other, decomposed, plain, accented}},
			// Every term must be there, in any order.
			{ministryVN, "dao lua mang", []int64{accented}},
			{ministryVN, "lừa đảo tỉnh khác", []int64{other}},
			{ministryVN, "lừa đảo xe máy", nil},
			// Quotes ask for the words together.
			{ministryVN, `"lua dao qua"`, []int64{accented}},
			{ministryVN, `"dao lua"`, nil},
			// A term is found inside words too, as LIKE '%term%' always did:
			// a piece of a tracking code, the end of a syllable, a number.
			{ministryVN, strings.ToLower(theftCode[8:14]), []int64{theft}},
			{ministryVN, "ua da", []int64{other, decomposed, plain, accented}},
			{ministryVN, "triệu", []int64{accented}},
			{ministryVN, `"50 triệu"`, []int64{accented}},
			// Two letters have no trigram and are scanned for; mixed with a
			// longer term, the index narrows and LIKE checks both. (Tracking
			// codes are random, but hold no I, L, O or U.)
			{ministryVN, "ho", []int64{theft}},
			{ministryVN, "xe honda", []int64{theft}},
			{ministryVN, "ao", []int64{other, decomposed, plain, accented}},
			// Letters other than Vietnamese ones.
			{ministryVN, "東京都", []int64{foreign}},
			{ministryVN, "straße", []int64{foreign}},
			{ministryVN, "trực thăng", nil},
			{ministryVN, "uu", nil},
			// Results stay within the officer's scope.
			{communeT0101, "lừa đảo", []int64{plain, accented}},
			{communeT0102, "lừa đảo", []int64{decomposed}},
			{province01, "lừa đảo", []int64{decomposed, plain, accented}},
			{investig79, "lừa đảo", []int64{other}},
			{communeT7901, "trộm xe", nil},
		}
		for _, tc := range tests {
			if got := e.searchAll(t, tc.officer, tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("%s searches %q: %v, want %v", tc.officer, tc.q, got, tc.want)
			}
		}
		e.checkSearchIndex(t)

		// SQLite's index keys sources by the day they were received: a
		// date it cannot read fails the write instead of losing the source
		// from search.
		if e.db.Engine == store.SQLite {
			if _, err := e.db.Exec(e.ctx, "UPDATE sources SET received_at = 'hôm qua' WHERE id = ?", theft); err == nil {
				t.Error("a received_at SQLite cannot read was written")
			}
			if got := e.searchAll(t, ministryVN, "honda"); !slices.Equal(got, []int64{theft}) {
				t.Errorf("after a refused write, honda finds %v", got)
			}
		}
	})
}

// TestSearchMatchesLike: on a few hundred generated reports, through
// intake, an edit of the text and a retention purge, the indexed search
// finds exactly what LIKE over the raw rows finds, for hundreds of random
// queries and two scopes.
func TestSearchMatchesLike(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of reports")
	}
	forEachEngine(t, func(t *testing.T, e *env) {
		g := newTextGen(6)
		communes := []struct{ code, officer string }{{"T0101", communeT0101}, {"T0102", communeT0102}, {"T7901", communeT7901}}
		var codes []string
		type closing struct {
			id      int64
			officer string
		}
		var toClose []closing
		submit := func(n int) {
			for range n {
				c := communes[g.r.IntN(len(communes))]
				category, description := g.report()
				in := crimesource.Intake{Category: category, CommuneCode: c.code, Description: description, Address: g.address(), Anonymous: true}
				var rec crimesource.Receipt
				if org := g.reporterOrg(); org != "" {
					in.Kind, in.Channel, in.ReporterOrg = crimesource.KindReport, "walk_in", org
					rec = e.submit(t, in, c.officer)
				} else {
					rec = e.submit(t, in)
				}
				codes = append(codes, strings.ToLower(rec.TrackingCode))
				if g.r.IntN(4) == 0 {
					toClose = append(toClose, closing{rec.ID, c.officer})
				}
				e.clk.Advance(time.Duration(1+g.r.IntN(120)) * time.Minute)
			}
		}
		e.clk.Set(vn(2025, 8, 1, 9, 0))
		submit(300)
		for _, c := range toClose {
			e.act(t, c.officer, c.id, crimesource.Action{Kind: crimesource.ActTransferAgency, Agency: "Chi cục Quản lý thị trường"})
		}
		closed := len(toClose)
		e.clk.Set(vn(2026, 11, 30, 10, 0))
		submit(60)

		var t0101 int64
		if err := e.db.QueryRow(e.ctx, "SELECT id FROM police_units WHERE code = 'CA-T0101'").Scan(&t0101); err != nil {
			t.Fatal(err)
		}
		queries := []string{"lừa đảo", "xe", "ao", `"ua d"`, "đồng tài khoản", "zq", codes[0], codes[len(codes)-1][3:]}
		for range 250 {
			queries = append(queries, g.query(codes))
		}
		compare := func(t *testing.T) {
			t.Helper()
			hits := 0
			for _, q := range queries {
				want := e.likeSearch(t, "1 = 1", nil, q)
				if got := e.searchAll(t, ministryVN, q); !slices.Equal(got, want) {
					t.Errorf("nation searches %q: %d sources %v,\nLIKE finds %d %v", q, len(got), got, len(want), want)
				}
				want = e.likeSearch(t, "(s.unit_id = ? OR s.receiving_unit_id = ?)", []any{t0101, t0101}, q)
				if got := e.searchAll(t, communeT0101, q); !slices.Equal(got, want) {
					t.Errorf("commune searches %q: %v, LIKE finds %v", q, got, want)
				}
				if len(want) > 0 {
					hits++
				}
			}
			// Many queries must find something, or the comparison proves
			// little.
			if hits < len(queries)/3 {
				t.Errorf("only %d of %d queries find anything", hits, len(queries))
			}
			e.checkSearchIndex(t)
		}
		t.Run("intake", compare)

		// No path edits a report's text today; the index must follow one
		// that does all the same.
		rows, err := e.db.Query(e.ctx, "SELECT id FROM sources ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		var all []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			all = append(all, id)
		}
		rows.Close()
		for i := 0; i < len(all); i += 7 {
			_, description := g.report()
			if _, err := e.db.Exec(e.ctx, "UPDATE sources SET description = ?, search_text = ? WHERE id = ?",
				description, crimesource.Fold(description), all[i]); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("edit", compare)

		res, err := e.svc.Purge(e.ctx, vn(2026, 1, 1, 0, 0), "system")
		if err != nil {
			t.Fatal(err)
		}
		if res.Sources != closed {
			t.Fatalf("purge removed %d sources, want %d", res.Sources, closed)
		}
		t.Run("purge", compare)
	})
}

// TestSearchOrder: SQLite's index gives matches by the day they were
// received, and by id within a day; pages must still come exactly newest
// first, with ties on the instant broken by id, whatever order the sources
// were written in.
func TestSearchOrder(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		g := newTextGen(9)
		// A second before midnight UTC, where the index's days change.
		base := time.Date(2026, 11, 27, 23, 59, 59, 0, time.UTC)
		for i := range 90 {
			// Over three days, back and forth, several to an instant: a
			// later id is often an earlier time, or an earlier day.
			e.clk.Set(base.Add(time.Duration(g.r.IntN(3))*24*time.Hour + time.Duration(g.r.IntN(3))*time.Second +
				time.Duration(g.r.IntN(3))*300*time.Millisecond))
			commune := []string{"T0101", "T0102", "T7901"}[i%3]
			e.submit(t, report(commune, fmt.Sprintf("Lừa đảo lần thứ %d, tiền ảo", i)))
		}
		for _, officer := range []string{ministryVN, province01, communeT0101} {
			scope := "1 = 1"
			switch officer {
			case province01:
				scope = "(s.unit_id IN (SELECT id FROM police_units WHERE province_code = '01') OR s.receiving_unit_id IN (SELECT id FROM police_units WHERE province_code = '01'))"
			case communeT0101:
				scope = "(s.unit_id IN (SELECT id FROM police_units WHERE code = 'CA-T0101') OR s.receiving_unit_id IN (SELECT id FROM police_units WHERE code = 'CA-T0101'))"
			}
			for _, q := range []string{"lừa đảo", "tiền ảo lần"} {
				want := e.likeSearch(t, scope, nil, q)
				if len(want) < 20 {
					t.Fatalf("%s %q: %d sources, too few to page", officer, q, len(want))
				}
				for _, limit := range []int{1, 2, 3, 7, 50} {
					if got := e.searchPages(t, officer, q, limit); !slices.Equal(got, want) {
						t.Errorf("%s searches %q by %d: %v,\nwant %v", officer, q, limit, got, want)
					}
				}
			}
		}
	})
}
