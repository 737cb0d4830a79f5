package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"toandan/internal/demo"
)

// runDemo fills a fresh data folder with a made-up history and serves it.
func (c *CLI) runDemo(ctx context.Context, args []string) error {
	fs, cfg := c.flags("demo")
	geoDir := fs.String("geo", "", "folder of official unit lists shaped like vn-admin (units-2025.csv, units-2026.csv, units-2022.csv, lineage-2025.csv); empty: sample communes")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same history")
	size := fs.String("size", "small", "small (a few hundred reports) or large (about twelve thousand)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{"demo takes no arguments"}
	}
	dataGiven := c.Getenv("TOANDAN_DATA") != ""
	fs.Visit(func(f *flag.Flag) { dataGiven = dataGiven || f.Name == "data" })
	if !dataGiven && cfg.DB == "" {
		// A demo never writes into the default data folder: a fresh one each time.
		dir, err := os.MkdirTemp("", "toandan-demo-")
		if err != nil {
			return err
		}
		cfg.DataDir = dir
	}
	if err := cfg.Check(); err != nil {
		return err
	}
	clk := demo.NewClock() // real time until Seed moves it
	m, err := Open(ctx, *cfg, c.logger(cfg), clk)
	if err != nil {
		return err
	}
	defer m.Close()
	where := cfg.DataDir
	if cfg.DB != "" {
		where = "the PostgreSQL database of --db"
	}
	fmt.Fprintf(c.Stdout, "writing a %s demo history (seed %d) into %s...\n", *size, *seed, where)
	res, err := demo.Seed(ctx, demo.Services{DB: m.DB, Geo: m.Geo, Accounts: m.Accounts, Sources: m.Sources,
		Movement: m.Movement, Recognition: m.Recognition, Clock: clk}, demo.Options{Seed: *seed, Size: *size, GeoDir: *geoDir, Log: m.Log})
	if err != nil {
		return err
	}
	clk.UseReal() // from here on the services serve the present
	fmt.Fprintf(c.Stdout, "done in %s: %s, %s to %s\n", res.Elapsed.Round(time.Second), res.Geography,
		res.From.Format("02/01/2006"), res.To.Format("02/01/2006"))
	for _, n := range res.Counts {
		fmt.Fprintf(c.Stdout, "  %6d  %s\n", n.N, n.What)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(c.Stdout, "note:", n)
	}
	fmt.Fprintln(c.Stdout, "\naccounts (shown once; admin and investigators need the TOTP secret in an authenticator app):")
	tw := tabwriter.NewWriter(c.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  username\tpassword\trole\tunit\tTOTP secret")
	for _, u := range res.Users {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s %s\t%s\n", u.Username, u.Password, u.Role, u.Unit, u.UnitName, u.TOTPSecret)
	}
	tw.Flush()
	fmt.Fprintf(c.Stdout, "%d other accounts carry the other units' history (reset one with toandan user passwd).\n\n", res.OtherUsers)
	if err := m.Listen(); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "open http://%s/dang-nhap\n", m.Addr())
	return m.Serve(ctx)
}
