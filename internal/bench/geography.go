package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"toandan/internal/app"
	"toandan/internal/geo"
)

// commune is one commune of the benchmark's geography.
type commune struct{ code, province string }

// geography is the country the benchmark runs on: the official lists when
// GeoDir holds them, otherwise a made-up country of the same size (34
// provinces, 3,321 communes; before the 2025 reform 63 provinces and
// 10,599 communes, merged by a lineage file).
type geography struct {
	units2025, units2022, lineage []byte
	communes                      []commune
	oldCommunes                   []string
	real                          bool
}

// geography returns the run's country, read or made up on first use.
func (b *runner) geography() *geography {
	b.geoOnce.Do(func() {
		if b.opt.GeoDir != "" {
			g, err := readGeography(b.opt.GeoDir)
			if err == nil {
				b.geo = g
				return
			}
			b.progress("geography: %v; using a made-up country", err)
		}
		b.geo = madeUpGeography()
	})
	return b.geo
}

func readGeography(dir string) (*geography, error) {
	g := &geography{real: true}
	var err error
	if g.units2025, err = os.ReadFile(filepath.Join(dir, "units-2025.csv")); err != nil {
		return nil, err
	}
	if g.units2022, err = os.ReadFile(filepath.Join(dir, "units-2022.csv")); err != nil {
		return nil, err
	}
	if g.lineage, err = os.ReadFile(filepath.Join(dir, "lineage-2025.csv")); err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(g.units2025), "\n")[1:] {
		f := strings.Split(strings.TrimSpace(line), ",")
		if len(f) >= 4 && f[3] != "" {
			g.communes = append(g.communes, commune{code: f[0], province: f[3]})
		}
	}
	for _, line := range strings.Split(string(g.units2022), "\n")[1:] {
		f := strings.Split(strings.TrimSpace(line), ",")
		if len(f) >= 4 && len(f[0]) == 5 && (f[2] == "commune" || f[2] == "ward" || f[2] == "township") {
			g.oldCommunes = append(g.oldCommunes, f[0])
		}
	}
	return g, nil
}

// madeUpGeography builds lists shaped like the official ones, with
// Vietnamese names, deterministically.
func madeUpGeography() *geography {
	rng := rand.New(rand.NewPCG(2025, 7))
	syll := strings.Fields("An Bình Hòa Phú Thạnh Tân Long Đông Tây Nam Bắc Trung Hưng Phước Lộc Thọ Xuân Thu Hải Sơn Lâm Minh Quang Đức Thắng Lợi Thành Vĩnh Hiệp Nghĩa")
	name := func() string { return syll[rng.IntN(len(syll))] + " " + syll[rng.IntN(len(syll))] }
	provinces := geo.BuiltinProvinces()
	g := &geography{}
	var u25, u22, lin bytes.Buffer
	u25.WriteString("code,name,type,parent_code\n")
	u22.WriteString("code,name,type,parent_code\n")
	lin.WriteString("old_commune_code,new_commune_code,old_name,new_name,old_level,new_province_code,merge_type\n")
	for _, p := range provinces {
		fmt.Fprintf(&u25, "%s,%s,%s,\n", p.Code, p.Name, p.Type)
	}
	// 63 old provinces: the 34 codes and 29 more that merged into them.
	oldProv := make([]string, 0, 63)
	for i := range 63 {
		code := fmt.Sprintf("%02d", i+1)
		oldProv = append(oldProv, code)
		fmt.Fprintf(&u22, "%s,Tỉnh cũ %s,province,\n", code, name())
	}
	const newCommunes, oldCommunes = 3321, 10599
	oldCode := 0
	for i := range newCommunes {
		p := provinces[i%len(provinces)]
		code := fmt.Sprintf("%05d", 20000+i*3)
		typ := "commune"
		if i%4 == 0 {
			typ = "ward"
		}
		nm := name()
		fmt.Fprintf(&u25, "%s,%s,%s,%s\n", code, nm, typ, p.Code)
		g.communes = append(g.communes, commune{code: code, province: p.Code})
		// three or four old communes merged into each new one
		parts := 3
		if i < oldCommunes-3*newCommunes {
			parts = 4
		}
		for range parts {
			oldCode++
			old := fmt.Sprintf("%05d", oldCode)
			op := oldProv[oldCode%len(oldProv)]
			on := name()
			fmt.Fprintf(&u22, "%s,%s,commune,%s\n", old, on, op)
			g.oldCommunes = append(g.oldCommunes, old)
			fmt.Fprintf(&lin, "%s,%s,%s,%s,commune,%s,full\n", old, code, on, nm, p.Code)
		}
	}
	g.units2025, g.units2022, g.lineage = u25.Bytes(), u22.Bytes(), lin.Bytes()
	return g
}

// importNew imports the current list (without lineage) into m.
func (g *geography) importNew(ctx context.Context, m *app.Main) error {
	now := time.Now()
	_, err := m.Geo.Import(ctx, geo.ImportOptions{FileName: "units-2025.csv", ValidFrom: "2025-07-01", Actor: "bench",
		Today: now.Format("2006-01-02"), Now: now}, g.units2025, "", nil)
	return err
}

// geoImport times the import of the current list with its lineage into a
// database that holds the pre-reform list, as a new deployment does.
func (b *runner) geoImport(ctx context.Context) (Result, error) {
	dir, err := b.tempDir("geo")
	if err != nil {
		return Result{}, err
	}
	cfgIn, err := openApp(ctx, dir, "")
	if err != nil {
		return Result{}, err
	}
	defer cfgIn.Close()
	g := b.geography()
	now := time.Now()
	today := now.Format("2006-01-02")
	t0 := time.Now()
	if _, err := cfgIn.Geo.Import(ctx, geo.ImportOptions{FileName: "units-2022.csv", ValidFrom: "2025-03-01", ValidTo: "2025-06-30", Actor: "bench",
		Today: today, Now: now}, g.units2022, "", nil); err != nil {
		return Result{}, err
	}
	old := time.Since(t0)
	resetPeakRSS()
	t0 = time.Now()
	res, err := cfgIn.Geo.Import(ctx, geo.ImportOptions{FileName: "units-2025.csv", ValidFrom: "2025-07-01", Actor: "bench",
		Today: today, Now: now}, g.units2025, "lineage-2025.csv", g.lineage)
	if err != nil {
		return Result{}, err
	}
	d := time.Since(t0)
	ms := float64(d.Microseconds()) / 1000
	kind := "made-up lists of the official size"
	if g.real {
		kind = "official lists"
	}
	return Result{Scenario: "geo-import", Ops: 1, OpsPerS: 1 / d.Seconds(), P50: ms, P95: ms, P99: ms, PeakRSSMB: peakRSSMB(),
		Target: "< 2 s", Met: d < 2*time.Second,
		Note: fmt.Sprintf("%s: %d units and %d lineage links in %.2f s (the pre-reform list before it: %.2f s)", kind, res.Rows, res.LineageNew, d.Seconds(), old.Seconds())}, nil
}

// freshPostgres creates a database of its own on the server of dsn and
// drops it when the benchmark ends.
func freshPostgres(ctx context.Context, dsn string, b *runner) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("toandan_bench_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", fmt.Errorf("create benchmark database: %w", err)
	}
	b.onCleanup(func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	})
	u.Path = "/" + name
	return u.String(), nil
}
