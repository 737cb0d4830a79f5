package crimesource_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// benchProvinces are the 34 provinces in force since 1 July 2025.
var benchProvinces = strings.Fields("01 04 08 11 12 14 15 19 20 22 24 25 31 33 37 38 40 42 44 46 48 51 52 56 66 68 75 79 80 82 86 91 92 96")

// benchCommunesPer gives about as many communes as the country has (3,321).
const benchCommunesPer = 98

// benchEnv is the application on one engine with n generated sources spread
// over every commune of the country since 2021, and one officer of each
// scope: the ministry, the province 01, and the police of commune 01042
// (under the usual usernames).
func benchEnv(b *testing.B, eng store.Engine, n int) *env {
	b.Helper()
	srv := testutil.NewServer(b, eng)
	var csv strings.Builder
	csv.WriteString("code,name,type,parent_code,full_name\n")
	for _, p := range benchProvinces {
		for i := range benchCommunesPer {
			fmt.Fprintf(&csv, "%s%03d,Xã %s %d,commune,%s,Xã %s %d\n", p, i, p, i, p, p, i)
		}
	}
	srv.ImportCSV(b, csv.String(), "2025-07-01")
	srv.CreateUser(b, ministryVN, account.Ministry, "VN")
	srv.CreateUser(b, province01, account.Province, "01")
	srv.CreateUser(b, communeT0101, account.Commune, "01042")
	e := &env{ctx: context.Background(), srv: srv, svc: srv.Main.Sources, db: srv.Main.DB, clk: srv.Clock}

	type unit struct {
		id                 int64
		commune, province  string
		provinceUnitHolder int64
	}
	provinceUnit := map[string]int64{}
	rows, err := e.db.Query(e.ctx, "SELECT id, province_code FROM police_units WHERE level = 'province'")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			b.Fatal(err)
		}
		provinceUnit[p] = id
	}
	rows.Close()
	var units []unit
	rows, err = e.db.Query(e.ctx, `SELECT p.id, j.commune_code, p.province_code FROM police_units p
		JOIN police_jurisdiction j ON j.police_unit_id = p.id WHERE p.level = 'commune' ORDER BY j.commune_code`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var u unit
		if err := rows.Scan(&u.id, &u.commune, &u.province); err != nil {
			b.Fatal(err)
		}
		u.provinceUnitHolder = provinceUnit[u.province]
		units = append(units, u)
	}
	rows.Close()
	if len(units) != len(benchProvinces)*benchCommunesPer {
		b.Fatalf("%d commune police units", len(units))
	}

	g := newTextGen(2026)
	statuses := []string{crimesource.StatusReceived, crimesource.StatusRegistered, crimesource.StatusVerifying, crimesource.StatusProsecuted,
		crimesource.StatusNotProsecuted, crimesource.StatusNotCrime, crimesource.StatusTransferredOut}
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, clock.Vietnam)
	step := testutil.DefaultNow.Sub(start) / time.Duration(n)
	const batch = 500
	const cols = "tracking_code, kind, channel, category, province_code, commune_code, address, description, search_text, anonymous, reporter_org, received_at, receiving_unit_id, unit_id, status, updated_at"
	began := time.Now()
	for done := 0; done < n; done += batch {
		m := min(batch, n-done)
		args := make([]any, 0, m*16)
		for i := range m {
			k := done + i
			u := units[g.r.IntN(len(units))]
			holder := u.id
			if g.r.IntN(10) == 0 {
				holder = u.provinceUnitHolder
			}
			at := start.Add(time.Duration(k)*step + time.Duration(g.r.Int64N(int64(step))))
			code := fmt.Sprintf("TG-%d-%08X", at.Year(), k*2654435761%(1<<32))
			category, description := g.report()
			address, org := g.address(), g.reporterOrg()
			search := crimesource.Fold(strings.Join([]string{description, address, code, org}, " "))
			ts := store.FormatTime(at)
			args = append(args, code, crimesource.KindDenunciation, "online", category, u.province, u.commune, address, description, search,
				1, org, ts, u.id, holder, statuses[g.r.IntN(len(statuses))], ts)
		}
		err := e.db.InTx(e.ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(e.ctx, "INSERT INTO sources ("+cols+") VALUES "+store.Placeholders(m, 16), args...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if eng == store.Postgres {
		// As autovacuum would have done long before the table got this big.
		if _, err := e.db.Exec(e.ctx, "VACUUM ANALYZE sources"); err != nil {
			b.Fatal(err)
		}
	}
	var index, text, table int64
	sizes := "SELECT pg_relation_size('sources_search_trgm'), (SELECT SUM(LENGTH(search_text)) FROM sources), pg_relation_size('sources')"
	if eng == store.SQLite {
		sizes = `SELECT (SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'sources_search%'), (SELECT SUM(LENGTH(search_text)) FROM sources),
			(SELECT SUM(pgsize) FROM dbstat WHERE name = 'sources')`
	}
	if err := e.db.QueryRow(e.ctx, sizes).Scan(&index, &text, &table); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: search index %d MB; search_text %d MB, sources %d MB", eng, index>>20, text>>20, table>>20)
	b.Logf("%s: %d sources loaded in %s (%s each)", eng, n, time.Since(began).Round(time.Millisecond), (time.Since(began) / time.Duration(n)).Round(time.Microsecond))
	return e
}

// BenchmarkSearch measures the first page (50 rows) of an officer's inbox
// search over TOANDAN_BENCH_SOURCES generated sources (default 20,000), by
// scope and by how common the words are, on each engine. Besides ns/op it
// reports the median and the 95th percentile of the runs.
//
//	TOANDAN_BENCH_SOURCES=200000 go test ./internal/crimesource -run '^$' -bench BenchmarkSearch -benchtime 40x -timeout 2h
func BenchmarkSearch(b *testing.B) {
	n := 20000
	if v := os.Getenv("TOANDAN_BENCH_SOURCES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("TOANDAN_BENCH_SOURCES=%q: want a positive number", v)
		}
	}
	queries := []struct{ name, q string }{
		{"common", "lừa đảo"},                // about one report in three
		{"two-words", "xe máy bị trộm"},      // one in five; "xe" has no trigram
		{"street", "Lý Thường Kiệt"},         // one in twenty
		{"phrase", `"cá chết hàng loạt"`},    // one in twenty
		{"name", `"Trần Quốc Khải"`},         // about one in ten thousand
		{"code", "TG-2024-0"},                // a piece of tracking code: one in a hundred, all from 2024
		{"none", "trực thăng"},               // nowhere
		{"short", "ao"},                      // two letters: no index, every second report
		{"mixed", "đánh bạc Quang Trung zz"}, // the last term is nowhere
		{"inbox", ""},                        // no search: the inbox as it was
	}
	scopes := []struct{ name, officer string }{{"nation", ministryVN}, {"province", province01}, {"commune", communeT0101}}
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(eng), func(b *testing.B) {
			if eng == store.Postgres && os.Getenv("TOANDAN_TEST_POSTGRES") == "" {
				b.Skip("set TOANDAN_TEST_POSTGRES to run on PostgreSQL")
			}
			e := benchEnv(b, eng, n)
			for _, sc := range scopes {
				a := e.actor(b, sc.officer)
				for _, q := range queries {
					b.Run(sc.name+"/"+q.name, func(b *testing.B) {
						f := crimesource.Filter{Search: q.q, Limit: 50}
						times := make([]time.Duration, 0, b.N)
						rows := 0
						b.ResetTimer()
						for range b.N {
							t0 := time.Now()
							p, err := e.svc.Inbox(e.ctx, a, f)
							if err != nil {
								b.Fatal(err)
							}
							times = append(times, time.Since(t0))
							rows = len(p.Rows)
						}
						b.StopTimer()
						slices.Sort(times)
						b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
						b.ReportMetric(float64(times[(len(times)*95+99)/100-1].Microseconds())/1000, "p95-ms")
						b.ReportMetric(float64(rows), "rows")
					})
				}
			}
		})
	}
}

// BenchmarkSubmitSearchIndex measures intake (Submit, one report with its
// deadlines, timeline and audit entry) with the search index and without
// it, on each engine: the difference is what keeping the index costs each
// report.
func BenchmarkSubmitSearchIndex(b *testing.B) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		for _, indexed := range []bool{true, false} {
			name := string(eng) + "/index"
			if !indexed {
				name = string(eng) + "/no-index"
			}
			b.Run(name, func(b *testing.B) {
				if eng == store.Postgres && os.Getenv("TOANDAN_TEST_POSTGRES") == "" {
					b.Skip("set TOANDAN_TEST_POSTGRES to run on PostgreSQL")
				}
				srv := testutil.NewServer(b, eng)
				srv.ImportCSV(b, testutil.SampleCommunes, "2025-07-01")
				e := &env{ctx: context.Background(), svc: srv.Main.Sources, db: srv.Main.DB}
				if !indexed {
					drop := []string{"DROP INDEX sources_search_trgm"}
					if eng == store.SQLite {
						drop = []string{"DROP TRIGGER sources_search_insert", "DROP TRIGGER sources_search_update", "DROP TRIGGER sources_search_delete"}
					}
					for _, q := range drop {
						if _, err := e.db.Exec(e.ctx, q); err != nil {
							b.Fatal(err)
						}
					}
				}
				g := newTextGen(7)
				ins := make([]crimesource.Intake, b.N)
				for i := range ins {
					category, description := g.report()
					ins[i] = crimesource.Intake{Category: category, CommuneCode: "T0101", Description: description, Address: g.address(), Anonymous: true}
				}
				b.ResetTimer()
				for i := range b.N {
					if _, err := e.svc.Submit(e.ctx, ins[i], crimesource.Actor{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
