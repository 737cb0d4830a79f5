package geo_test

import (
	"context"
	"strings"
	"testing"

	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/testdb"
)

// remoteRows returns the listings as "code|basis|from", by code.
func remoteRows(t *testing.T, db *store.DB) string {
	t.Helper()
	rows, err := db.Query(context.Background(), "SELECT commune_code, note, valid_from FROM remote_communes ORDER BY commune_code")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c, n, f string
		if err := rows.Scan(&c, &n, &f); err != nil {
			t.Fatal(err)
		}
		out = append(out, c+"|"+n+"|"+f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = ?", action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// importEnding adds commune 00777 of Cao Bằng, in force until the end of
// 2026.
func importEnding(t *testing.T, s *geo.Service) {
	t.Helper()
	mustImport(t, s, importArgs{file: "ending.csv", from: geo.ReformDate, to: "2026-12-31",
		units: []byte("code,name,type,parent_code\n00777,Sắp Nhập,commune,04\n")})
}

// TestImportRemote: a list of remote communes is all or nothing, names the
// bad line, changes nothing the second time, and takes effect from its date.
func TestImportRemote(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		importFixture2025(t, s)
		importEnding(t, s)
		const today = "2026-11-30"
		imp := func(data, from, basis string) (geo.RemoteImportResult, error) {
			return s.ImportRemote(ctx, geo.RemoteImportOptions{FileName: "vung-xa.csv", ValidFrom: from, Basis: basis, Actor: "cli"}, []byte(data))
		}

		bad := []struct {
			name, data, from, basis string
			line                    int
			reason                  string
		}{
			{"unknown code", "commune_code,note\n00004,QĐ 1\n99999,QĐ 1\n", "2026-12-01", "", 3, "unknown commune_code"},
			{"duplicate", "commune_code,note\n00004,QĐ 1\n00190,QĐ 1\n00004,QĐ 2\n", "2026-12-01", "", 4, "dòng 2"},
			{"province", "commune_code\n00004\n01\n", "2026-12-01", "QĐ 1", 3, "not a commune"},
			{"no basis", "commune_code\n00004\n", "2026-12-01", "", 2, "missing legal basis"},
			{"no basis in a row", "commune_code,note\n00004,QĐ 1\n00190,\n", "2026-12-01", "", 3, "missing legal basis"},
			{"bad code", "commune_code,note\n00004,QĐ 1\n0 04,QĐ 1\n", "2026-12-01", "", 3, "bad commune_code"},
			{"no column", "ma,note\n00004,QĐ 1\n", "2026-12-01", "", 1, "commune_code"},
			{"no rows", "commune_code,note\n", "2026-12-01", "", 2, "no data rows"},
			{"short row", "commune_code,note\n00004\n", "2026-12-01", "", 2, "columns"},
			{"bad date", "commune_code,note\n00004,QĐ 1\n", "01/12/2026", "", 0, "YYYY-MM-DD"},
			// A list that starts after a commune ends is checked against
			// the units in force on its first day.
			{"commune gone by then", "commune_code,note\n00004,QĐ 1\n00777,QĐ 1\n", "2027-01-01", "", 3, "unknown commune_code"},
		}
		for _, tc := range bad {
			_, err := imp(tc.data, tc.from, tc.basis)
			ie := importError(t, err)
			if ie.Line != tc.line || !strings.Contains(ie.Reason, tc.reason) || ie.File != "vung-xa.csv" {
				t.Errorf("%s: error %q (line %d), want line %d naming %q", tc.name, ie, ie.Line, tc.line, tc.reason)
			}
			if got := remoteRows(t, db); got != "" {
				t.Errorf("%s: a refused list stored %q", tc.name, got)
			}
		}

		// A commune read before the list: its place is cached, and the
		// import must drop it.
		if p, err := s.PlaceAt(ctx, "00190", today); err != nil || p.Remote {
			t.Fatalf("00190 before the list: %+v, %v", p, err)
		}
		list := "\xef\xbb\xbfcommune_code,note\n00190,\n01273,Quyết định 861/QĐ-TTg (xã biên giới)\n\n"
		res, err := imp(list, "2026-11-01", "  Quyết định   353/QĐ-TTg ")
		if err != nil {
			t.Fatal(err)
		}
		if res != (geo.RemoteImportResult{Rows: 2, Inserted: 2}) {
			t.Errorf("first import: %+v", res)
		}
		want := "00190|Quyết định 353/QĐ-TTg|2026-11-01\n01273|Quyết định 861/QĐ-TTg (xã biên giới)|2026-11-01"
		if got := remoteRows(t, db); got != want {
			t.Errorf("stored:\n%s\nwant:\n%s", got, want)
		}
		for _, c := range []struct {
			code, d string
			want    bool
		}{
			{"00190", today, true}, {"01273", today, true}, {"00190", "2026-10-31", false}, {"00004", today, false},
		} {
			if p, err := s.PlaceAt(ctx, c.code, c.d); err != nil || p.Remote != c.want {
				t.Errorf("PlaceAt(%s, %s).Remote = %v (%v), want %v", c.code, c.d, p.Remote, err, c.want)
			}
		}

		// The same file again changes nothing and logs nothing.
		res, err = imp(list, "2026-11-01", "Quyết định 353/QĐ-TTg")
		if err != nil || res.Changed() || res.Unchanged != 2 {
			t.Errorf("second import: %+v, %v; want 2 unchanged", res, err)
		}
		if n := auditCount(t, db, "geo.remote.import"); n != 1 {
			t.Errorf("%d audit entries after two imports of one file, want 1", n)
		}
		// Another date updates the listed communes and leaves the others.
		res, err = imp("commune_code,note\n00190,Quyết định 353/QĐ-TTg\n00004,Quyết định 353/QĐ-TTg\n", "2026-12-15", "")
		if err != nil || res != (geo.RemoteImportResult{Rows: 2, Inserted: 1, Updated: 1}) {
			t.Errorf("third import: %+v, %v", res, err)
		}
		if p, _ := s.PlaceAt(ctx, "00190", today); p.Remote {
			t.Errorf("00190 is remote on %s, before its new date 2026-12-15", today)
		}
		if p, _ := s.PlaceAt(ctx, "01273", today); !p.Remote {
			t.Errorf("01273, absent from the third file, lost its listing")
		}
		verifyAudit(t, db)
	})
}

// TestMarkRemote: listing one commune from the staff page's service.
func TestMarkRemote(t *testing.T) {
	testdb.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		importFixture2025(t, s)
		importEnding(t, s)
		const today = "2026-11-30"
		good := geo.RemoteInput{Basis: "Quyết định 861/QĐ-TTg ngày 04/6/2021", ValidFrom: today}

		for _, tc := range []struct {
			name, code string
			in         geo.RemoteInput
			field      string
		}{
			{"no basis", "00004", geo.RemoteInput{Basis: "  ", ValidFrom: today}, "basis"},
			{"basis too long", "00004", geo.RemoteInput{Basis: strings.Repeat("Q", 501), ValidFrom: today}, "basis"},
			{"no date", "00004", geo.RemoteInput{Basis: good.Basis}, "valid_from"},
			{"bad date", "00004", geo.RemoteInput{Basis: good.Basis, ValidFrom: "30/11/2026"}, "valid_from"},
			{"commune gone by then", "00777", geo.RemoteInput{Basis: good.Basis, ValidFrom: "2027-01-01"}, "valid_from"},
			{"province", "01", good, ""},
			{"nation", geo.Nation, good, ""},
		} {
			_, err := s.MarkRemote(ctx, tc.code, tc.in, "user:1")
			de, ok := errs.As(err)
			if !ok || de.Code != errs.Invalid || de.Field != tc.field {
				t.Errorf("%s: %v, want Invalid on %q", tc.name, err, tc.field)
			}
		}
		if got := remoteRows(t, db); got != "" {
			t.Fatalf("refused listings stored %q", got)
		}
		marks, unmarks := auditCount(t, db, "geo.remote.mark"), auditCount(t, db, "geo.remote.unmark")

		if p, _ := s.PlaceAt(ctx, "00097", today); p.Remote {
			t.Fatal("00097 remote before it was listed")
		}
		changed, err := s.MarkRemote(ctx, "00097", good, "user:7")
		if err != nil || !changed {
			t.Fatalf("mark: %v, %v", changed, err)
		}
		if p, _ := s.PlaceAt(ctx, "00097", today); !p.Remote {
			t.Error("00097 not remote once listed")
		}
		if r, err := s.RemoteCommuneOf(ctx, "00097"); err != nil || r.Basis != good.Basis || r.ValidFrom != today || !r.InForce(today) || r.InForce("2026-11-29") {
			t.Errorf("listing %+v, %v", r, err)
		}
		if changed, err := s.MarkRemote(ctx, "00097", good, "user:7"); err != nil || changed {
			t.Errorf("the same listing again: changed %v, %v", changed, err)
		}
		if n := auditCount(t, db, "geo.remote.mark"); n != marks+1 {
			t.Errorf("%d mark entries, want %d", n, marks+1)
		}

		removed, err := s.UnmarkRemote(ctx, "00097", "user:7")
		if err != nil || !removed {
			t.Fatalf("unmark: %v, %v", removed, err)
		}
		if p, _ := s.PlaceAt(ctx, "00097", today); p.Remote {
			t.Error("00097 still remote once unmarked")
		}
		if _, err := s.RemoteCommuneOf(ctx, "00097"); !errs.Is(err, errs.NotFound) {
			t.Errorf("listing after unmark: %v, want NotFound", err)
		}
		if removed, err := s.UnmarkRemote(ctx, "00097", "user:7"); err != nil || removed {
			t.Errorf("unmark again: %v, %v; want nothing to do", removed, err)
		}
		if _, err := s.UnmarkRemote(ctx, "99999", "user:7"); !errs.Is(err, errs.NotFound) {
			t.Errorf("unmark an unknown code: %v, want NotFound", err)
		}
		if n := auditCount(t, db, "geo.remote.unmark"); n != unmarks+1 {
			t.Errorf("%d unmark entries, want %d", n, unmarks+1)
		}
		verifyAudit(t, db)
	})
}
