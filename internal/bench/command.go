package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"strings"
)

// Command is `toandan bench`: it parses args and runs the scenarios.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opt Options
	scen := fs.String("scenario", "", "comma-separated scenarios to run (default: all): "+strings.Join(Scenarios, ", "))
	fs.StringVar(&opt.Postgres, "db", "", "PostgreSQL server URL for intake-postgres (a database of its own is created and dropped)")
	fs.StringVar(&opt.Dir, "dir", "", "parent folder of the temporary data (default: the system's temporary folder)")
	fs.DurationVar(&opt.Duration, "duration", 0, "measured time of each load scenario (default 10s)")
	fs.IntVar(&opt.Clients, "clients", 0, "concurrent clients of the intake scenarios (default 64)")
	fs.IntVar(&opt.Reports, "reports", 0, "reports behind the dashboard, inbox, search and export scenarios (default 5000000)")
	fs.IntVar(&opt.Years, "years", 0, "years those reports span (default 3)")
	fs.IntVar(&opt.Export, "export-rows", 0, "reports the export scenario writes (default 1000000)")
	fs.StringVar(&opt.GeoDir, "geo", "", "folder with the official units-2022.csv, units-2025.csv and lineage-2025.csv (default: a made-up country of the same size)")
	fs.BoolVar(&opt.JSON, "json", false, "print one JSON object per scenario instead of a table")
	fs.BoolVar(&opt.Keep, "keep", false, "keep the temporary data")
	quiet := fs.Bool("quiet", false, "no progress lines")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	if *scen != "" {
		opt.Scenarios = strings.Split(*scen, ",")
	}
	if opt.Postgres == "" && getenv != nil {
		opt.Postgres = getenv("TOANDAN_BENCH_POSTGRES")
	}
	opt.Out = stdout
	if !*quiet {
		opt.Progress = stderr
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	_, err := Run(ctx, opt)
	return err
}
