package bench

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"toandan/internal/account"
	"toandan/internal/app"
	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/geo"
	"toandan/internal/store"
)

// world is the application holding years of data: Reports reports over
// Years years spread over every commune, and five years of festival points.
type world struct {
	in       *instance
	communes []commune
	police   map[string]int64 // commune code → its police unit id
	ministry string           // username of a ministry account (password: benchPassword)
	reports  int
}

const benchPassword = "Mật-khẩu-đo-hiệu-năng-2026"

// world builds the data once for the dashboard, inbox, search and export
// scenarios. Reports go straight into the tables in large transactions, as
// years of intake would have left them: rows, register numbers, the
// resolution limit of each and its outcome.
func (b *runner) world(ctx context.Context) (*world, error) {
	dir, err := b.tempDir("world")
	if err != nil {
		return nil, err
	}
	in, err := b.openInstance(ctx, dir, "", nil)
	if err != nil {
		return nil, err
	}
	w := &world{in: in, communes: in.geo.communes, police: map[string]int64{}, reports: b.opt.Reports}
	db := in.m.DB
	rows, err := db.Query(ctx, "SELECT id, code FROM police_units WHERE level = 'commune'")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			rows.Close()
			return nil, err
		}
		w.police[strings.TrimPrefix(code, "CA-")] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(w.police) == 0 {
		return nil, fmt.Errorf("no commune police units after the geography import")
	}
	w.ministry = "bench.bocongan"
	if _, err := in.m.Accounts.Create(ctx, account.NewUser{Username: w.ministry, DisplayName: "Cán bộ Bộ Công an", Role: account.Ministry,
		UnitCode: geo.Nation, Password: benchPassword}, "bench"); err != nil {
		return nil, err
	}
	if err := b.festivals(ctx, in.m, w); err != nil {
		return nil, fmt.Errorf("festival data: %w", err)
	}
	if err := b.fillReports(ctx, db, w); err != nil {
		return nil, err
	}
	// Start the server again on the data: the scenarios measure a server
	// that serves years of data, not one that just wrote them (the fill's
	// page cache and buffers would count in its memory).
	in.close()
	if w.in, err = b.openInstance(ctx, dir, "", nil); err != nil {
		return nil, err
	}
	b.onCleanup(w.in.close)
	return w, nil
}

// festivals records a festival point in every commune for each of the
// last five years: on the pre-reform communes before 2025 (that list is
// imported with its lineage, in force from 2021), on the current ones after.
func (b *runner) festivals(ctx context.Context, m *app.Main, w *world) error {
	g := b.geography()
	now := time.Now()
	if _, err := m.Geo.Import(ctx, geo.ImportOptions{FileName: "units-2022.csv", ValidFrom: "2021-01-01", ValidTo: "2025-06-30", Actor: "bench",
		Today: now.Format("2006-01-02"), Now: now}, g.units2022, "lineage-2025.csv", g.lineage); err != nil {
		return err
	}
	year := now.In(clock.Vietnam).Year()
	var csv bytes.Buffer
	csv.WriteString("year,commune_code,residential_area,held_on,participants,commendations_collective,commendations_individual,gifts_vnd\n")
	rows := 0
	for y := year - 4; y <= year; y++ {
		codes, held := g.oldCommunes, fmt.Sprintf("%d-05-01", y)
		if y >= 2025 {
			codes, held = nil, fmt.Sprintf("%d-08-19", y)
			for _, c := range w.communes {
				codes = append(codes, c.code)
			}
		}
		for i, c := range codes {
			fmt.Fprintf(&csv, "%d,%s,,%s,%d,%d,%d,%d\n", y, c, held, 40+i%200, i%3, i%7, (i%5)*1_000_000)
			rows++
		}
	}
	b.progress("data: %d festival points over five years", rows)
	_, err := m.Movement.ImportFestival(ctx, "festival.csv", csv.Bytes(), "bench")
	return err
}

// fillReports writes w.reports reports, newest at the present.
func (b *runner) fillReports(ctx context.Context, db *store.DB, w *world) error {
	rng := rand.New(rand.NewPCG(5, 2026))
	now := time.Now().UTC()
	span := time.Duration(b.opt.Years) * 365 * 24 * time.Hour
	start := now.Add(-span)
	step := span / time.Duration(w.reports)
	regNo := map[[2]int64]int64{}
	const batch = 500
	const perTx = 50_000
	closed := []string{crimesource.StatusProsecuted, crimesource.StatusNotProsecuted, crimesource.StatusNotProsecuted, crimesource.StatusNotCrime,
		crimesource.StatusNotProsecuted, crimesource.StatusTransferredOut, crimesource.StatusMerged}
	open := []string{crimesource.StatusReceived, crimesource.StatusRegistered, crimesource.StatusVerifying, crimesource.StatusVerifying, crimesource.StatusSuspended}
	srcCols := "id, tracking_code, kind, channel, category, province_code, commune_code, description, search_text, anonymous, received_at, receiving_unit_id, unit_id, register_year, register_no, status, decided_at, closed_at, updated_at"
	dlCols := "source_id, rule_code, rule_version, unit_id, started_at, due_at, met_at"
	srcQ := "INSERT INTO sources (" + srcCols + ") VALUES " + store.Placeholders(batch, 19)
	dlQ := "INSERT INTO source_deadlines (" + dlCols + ") VALUES " + store.Placeholders(batch, 7)
	restore, err := dropIndexes(ctx, db)
	if err != nil {
		return err
	}
	t0 := time.Now()
	var src, dl []any
	for done := 0; done < w.reports; {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for n := 0; n < perTx && done < w.reports; n += batch {
				src, dl = src[:0], dl[:0]
				for k := 0; k < batch; k++ {
					i := done + k
					if i >= w.reports {
						break // the last batch is short
					}
					id := int64(i + 1)
					c := w.communes[rng.IntN(len(w.communes))]
					unit := w.police[c.code]
					at := start.Add(time.Duration(i)*step + time.Duration(rng.Int64N(int64(step)+1)))
					year := at.In(clock.Vietnam).Year()
					key := [2]int64{unit, int64(year)}
					regNo[key]++
					desc := description(rng)
					tracking := fmt.Sprintf("TD-%04d-B%09d", year, id)
					status := closed[rng.IntN(len(closed))]
					decided, closedAt := "", ""
					age := now.Sub(at)
					if age < 60*24*time.Hour && rng.IntN(3) > 0 {
						status = open[rng.IntN(len(open))]
					}
					received := store.FormatTime(at)
					due := store.FormatTime(at.Add(20 * 24 * time.Hour))
					met := ""
					if crimesource.Closed(status) {
						d := at.Add(time.Duration(2+rng.IntN(40)) * 24 * time.Hour)
						if d.After(now) {
							d = now
						}
						decided, closedAt, met = store.FormatTime(d), store.FormatTime(d), store.FormatTime(d)
					}
					src = append(src, id, tracking, "to_giac", "online", categories[rng.IntN(len(categories))], c.province, c.code, desc,
						crimesource.Fold(desc+" "+tracking), 1, received, unit, unit, year, regNo[key], status, decided, closedAt, received)
					dl = append(dl, id, "decision", "bench", unit, received, due, met)
				}
				rowsIn := len(src) / 19
				if rowsIn == 0 {
					break
				}
				qs, qd := srcQ, dlQ
				if rowsIn < batch {
					qs = "INSERT INTO sources (" + srcCols + ") VALUES " + store.Placeholders(rowsIn, 19)
					qd = "INSERT INTO source_deadlines (" + dlCols + ") VALUES " + store.Placeholders(rowsIn, 7)
				}
				if _, err := tx.Exec(ctx, qs, src...); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, qd, dl...); err != nil {
					return err
				}
				done += rowsIn
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		el := time.Since(t0)
		rate := float64(done) / el.Seconds()
		b.progress("data: %d of %d reports (%.0f/s, about %s left, then the indexes)", done, w.reports, rate,
			(time.Duration(float64(w.reports-done)/rate) * time.Second).Round(time.Second))
	}
	if err := restore(); err != nil {
		return err
	}
	// The planner needs statistics on tables this size.
	_, err = db.Exec(ctx, "ANALYZE")
	return err
}

// dropIndexes drops the indexes of the tables the reports go into and
// returns a function that builds them again: building an index from sorted
// rows once is many times faster than keeping it in step row by row, and
// the result is the same index. The writer's page cache is enlarged for the
// while.
func dropIndexes(ctx context.Context, db *store.DB) (func() error, error) {
	if db.Engine != store.SQLite {
		return func() error { return nil }, nil
	}
	rows, err := db.Query(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('sources', 'source_deadlines')`)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if _, err := db.Exec(ctx, "PRAGMA cache_size = -262144"); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := db.Exec(ctx, "DROP INDEX "+n); err != nil {
			return nil, err
		}
	}
	return func() error {
		for _, d := range defs {
			if _, err := db.Exec(ctx, d); err != nil {
				return fmt.Errorf("rebuild index: %w", err)
			}
		}
		_, err := db.Exec(ctx, "PRAGMA cache_size = -2000")
		return err
	}, nil
}
