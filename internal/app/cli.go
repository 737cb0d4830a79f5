package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"toandan/internal/account"
	"toandan/internal/audit"
	"toandan/internal/auth/secret"
	"toandan/internal/backup"
	"toandan/internal/clock"
	"toandan/internal/config"
	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/seal"
	"toandan/internal/store"
)

// CLI runs one command line. It returns the process exit code.
type CLI struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Clock  clock.Clock
	// StdinIsTerminal tells whether a password may be asked for
	// interactively (then it is generated instead of read).
	StdinIsTerminal bool
	// Bench runs `toandan bench` (package bench, which builds on this one).
	Bench func(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error
}

const usage = `toandan — tiếp nhận tin báo, tố giác tội phạm và phong trào Toàn dân bảo vệ an ninh Tổ quốc

Usage:
  toandan serve        [--addr ADDR] [--data DIR] [--db URL]
  toandan demo         [--addr ADDR] [--data DIR] [--db URL] [--geo DIR] [--seed N] [--size small|large]   (a made-up history in a fresh data folder, then serve it)
  toandan migrate      [--data DIR] [--db URL]
  toandan geo import   --valid-from YYYY-MM-DD [--valid-to YYYY-MM-DD] [--lineage LINEAGE.csv] FILE.csv
  toandan geo import-boundaries --valid-from YYYY-MM-DD FILE.geojson   (FeatureCollection, province code in "code", "ma_tinh" or "province_code")
  toandan geo remote   --valid-from YYYY-MM-DD [--note "basis"] FILE.csv   (commune_code[,note]: remote communes, 48-hour transfer limit; listed ones added or updated)
  toandan user create  --username U --role ROLE --unit CODE [--name "Full name"]   (password from stdin, or generated)
  toandan user passwd  --username U                                               (password from stdin, or generated)
  toandan audit verify
  toandan movement import festival FILE        (CSV or XLSX: year,commune_code,residential_area,held_on,participants,...)
  toandan movement import festival-plan FILE   (CSV or XLSX: year,province_code,planned_points)
  toandan report festival --year Y [--view current|recorded] --format csv|xlsx [--out FILE]
  toandan backup       [--files-only] FILE            (SQLite: database snapshot + files; PostgreSQL: --files-only, database with pg_dump)
  toandan restore      [--force] [--files-only] FILE  (into a data folder without data; --force replaces it, server stopped)
  toandan bench        [--scenario LIST] [--db URL] [--duration 10s] [--reports N] [--geo DIR] [--json]   (performance scenarios on temporary data; see docs/PERFORMANCE.md)
  toandan version

Every command that opens the database reads --data/TOANDAN_DATA and --db/TOANDAN_DB.
Roles: admin, ministry (unit VN); province, investigator, procuracy (a province code); commune (a commune code).
`

// Run executes args (without the program name).
func (c *CLI) Run(ctx context.Context, args []string) int {
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, usage)
		return 2
	}
	var err error
	switch cmd := args[0]; cmd {
	case "serve":
		err = c.serve(ctx, args[1:])
	case "bench":
		if c.Bench == nil {
			err = errors.New("bench is not built into this program")
		} else {
			err = c.Bench(ctx, args[1:], c.Stdout, c.Stderr, c.Getenv)
		}
	case "migrate":
		err = c.migrate(ctx, args[1:])
	case "geo":
		err = c.sub(ctx, args, map[string]func(context.Context, []string) error{"import": c.geoImport, "import-boundaries": c.geoImportBoundaries,
			"remote": c.geoRemote})
	case "user":
		err = c.sub(ctx, args, map[string]func(context.Context, []string) error{"create": c.userCreate, "passwd": c.userPasswd})
	case "audit":
		err = c.sub(ctx, args, map[string]func(context.Context, []string) error{"verify": c.auditVerify})
	case "movement":
		err = c.sub(ctx, args, map[string]func(context.Context, []string) error{"import": c.movementImport})
	case "report":
		err = c.sub(ctx, args, map[string]func(context.Context, []string) error{"festival": c.reportFestival})
	case "demo":
		err = c.runDemo(ctx, args[1:])
	case "backup":
		err = c.backup(ctx, args[1:])
	case "restore":
		err = c.restore(ctx, args[1:])
	case "version":
		fmt.Fprintln(c.Stdout, "toandan", Version())
	case "help", "-h", "--help":
		fmt.Fprint(c.Stdout, usage)
	default:
		fmt.Fprintf(c.Stderr, "toandan: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(c.Stderr, "toandan: %v\n", err)
			return 2
		}
		fmt.Fprintf(c.Stderr, "toandan: %v\n", err)
		return 1
	}
	return 0
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func (c *CLI) sub(ctx context.Context, args []string, cmds map[string]func(context.Context, []string) error) error {
	var names []string
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) < 2 {
		return usageError{fmt.Sprintf("%s needs a subcommand: %s", args[0], strings.Join(names, ", "))}
	}
	fn, ok := cmds[args[1]]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q %q (expected: %s)", args[0], args[1], strings.Join(names, ", "))}
	}
	return fn(ctx, args[2:])
}

func (c *CLI) flags(name string) (*flag.FlagSet, *config.Config) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	return fs, config.Register(fs, c.Getenv)
}

// datedFile parses the arguments of a geography import, which takes one
// file (what it is, for the usage message) and a --valid-from date, and
// returns the file's path.
func datedFile(fs *flag.FlagSet, args []string, cmd, what string, validFrom *string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() != 1 {
		return "", usageError{cmd + " needs exactly one " + what}
	}
	if *validFrom == "" {
		return "", usageError{cmd + " needs --valid-from YYYY-MM-DD"}
	}
	return fs.Arg(0), nil
}

func (c *CLI) logger(cfg *config.Config) *slog.Logger {
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(c.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(c.Stderr, nil))
}

func (c *CLI) open(ctx context.Context, cfg *config.Config) (*Main, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	return Open(ctx, *cfg, c.logger(cfg), c.Clock)
}

func (c *CLI) serve(ctx context.Context, args []string) error {
	fs, cfg := c.flags("serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Listen(); err != nil {
		return err
	}
	return m.Serve(ctx)
}

func (c *CLI) migrate(ctx context.Context, args []string) error {
	fs, cfg := c.flags("migrate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	cur, latest, err := m.DB.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "database schema at version %d of %d (%s)\n", cur, latest, m.DB.Engine)
	return nil
}

func (c *CLI) geoImport(ctx context.Context, args []string) error {
	fs, cfg := c.flags("geo import")
	validFrom := fs.String("valid-from", "", "first day the listed units are in force (YYYY-MM-DD)")
	validTo := fs.String("valid-to", "", "last day the listed units are in force (YYYY-MM-DD); empty while in force")
	lineage := fs.String("lineage", "", "old→new commune lineage CSV (old_commune_code,new_commune_code,...,merge_type)")
	path, err := datedFile(fs, args, "geo import", "units CSV file", validFrom)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var lin []byte
	if *lineage != "" {
		if lin, err = os.ReadFile(*lineage); err != nil {
			return err
		}
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	fmt.Fprintf(c.Stdout, "importing %s (in force %s to %s)...\n", path, *validFrom, orOpen(*validTo))
	p := c.progress()
	res, err := m.Geo.Import(ctx, geo.ImportOptions{
		FileName: filepath.Base(path), ValidFrom: *validFrom, ValidTo: *validTo, Actor: "cli", Progress: p.rows,
	}, data, filepath.Base(*lineage), lin)
	p.end(err)
	if err != nil {
		var ie *geo.ImportError
		if errors.As(err, &ie) {
			return fmt.Errorf("import failed, nothing was imported: %w", err)
		}
		return err
	}
	fmt.Fprintf(c.Stdout, "%d rows read: %d new versions, %d corrected, %d closed, %d unchanged; %d police units created\n",
		res.Rows, res.Inserted, res.Updated, res.Closed, res.Unchanged, res.PoliceUnits)
	if lin != nil {
		fmt.Fprintf(c.Stdout, "lineage: %d links read, %d new or changed\n", res.LineageRows, res.LineageNew)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(c.Stdout, "note:", w)
	}
	if !res.Changed() {
		fmt.Fprintln(c.Stdout, "nothing changed: the database already holds this list")
	}
	return nil
}

func orOpen(d string) string {
	if d == "" {
		return "now"
	}
	return d
}

// readPassword takes a password from stdin when it is piped; otherwise it
// generates one and says so.
func (c *CLI) readPassword() (string, bool, error) {
	if !c.StdinIsTerminal && c.Stdin != nil {
		line, err := bufio.NewReader(c.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, err
		}
		if pw := strings.TrimRight(line, "\r\n"); pw != "" {
			return pw, false, nil
		}
	}
	return secret.GeneratePassword(), true, nil
}

func (c *CLI) userCreate(ctx context.Context, args []string) error {
	fs, cfg := c.flags("user create")
	username := fs.String("username", "", "login name")
	role := fs.String("role", "", "admin, ministry, province, investigator, commune or procuracy")
	unit := fs.String("unit", "", "unit code: VN for the nation, a province or commune code")
	name := fs.String("name", "", "display name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *username == "" || *role == "" || *unit == "" {
		return usageError{"user create needs --username, --role and --unit"}
	}
	pw, generated, err := c.readPassword()
	if err != nil {
		return err
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	u, err := m.Accounts.Create(ctx, account.NewUser{Username: *username, DisplayName: *name, Role: account.Role(*role), UnitCode: *unit, Password: pw}, "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "created user %s (%s, unit %s)\n", u.Username, u.Role, u.UnitCode)
	if generated {
		fmt.Fprintf(c.Stdout, "password (shown once): %s\n", pw)
	}
	if account.RequiresTOTP(u.Role) {
		fmt.Fprintln(c.Stdout, "this role must set up two-step verification (TOTP) at first login")
	}
	return nil
}

func (c *CLI) userPasswd(ctx context.Context, args []string) error {
	fs, cfg := c.flags("user passwd")
	username := fs.String("username", "", "login name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *username == "" {
		return usageError{"user passwd needs --username"}
	}
	pw, generated, err := c.readPassword()
	if err != nil {
		return err
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Accounts.SetPassword(ctx, *username, pw, "cli"); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "password changed for %s; their sessions were ended\n", *username)
	if generated {
		fmt.Fprintf(c.Stdout, "password (shown once): %s\n", pw)
	}
	return nil
}

func (c *CLI) auditVerify(ctx context.Context, args []string) error {
	fs, cfg := c.flags("audit verify")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	n, problem, err := audit.Verify(ctx, m.DB)
	if err != nil {
		return err
	}
	if problem != nil {
		return fmt.Errorf("audit log broken at %s (%d entries read)", problem, n)
	}
	fmt.Fprintf(c.Stdout, "audit log intact: %d entries\n", n)
	return nil
}

func (c *CLI) movementImport(ctx context.Context, args []string) error {
	kinds := map[string]string{"festival": "festival points", "festival-plan": "festival plans"}
	if len(args) == 0 || kinds[args[0]] == "" {
		return usageError{"movement import needs a kind: festival or festival-plan"}
	}
	kind := args[0]
	fs, cfg := c.flags("movement import " + kind)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"movement import " + kind + " needs exactly one CSV or XLSX file"}
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	p := c.progress()
	svc := &movement.Service{DB: m.DB, Geo: m.Geo, Clock: m.Clock, Progress: p.rows}
	imp := svc.ImportFestival
	if kind == "festival-plan" {
		imp = svc.ImportFestivalPlan
	}
	res, err := imp(ctx, filepath.Base(path), data, "cli")
	p.end(err)
	if err != nil {
		var ie *geo.ImportError
		if errors.As(err, &ie) {
			return fmt.Errorf("import failed, nothing was imported: %w", err)
		}
		return err
	}
	fmt.Fprintf(c.Stdout, "%s: %d rows read: %d new, %d updated, %d unchanged", kinds[kind], res.Rows, res.Inserted, res.Updated, res.Unchanged)
	if kind == "festival" {
		fmt.Fprintf(c.Stdout, "; %d residential areas created", res.AreasCreated)
	}
	fmt.Fprintln(c.Stdout)
	return nil
}

func (c *CLI) reportFestival(ctx context.Context, args []string) error {
	fs, cfg := c.flags("report festival")
	year := fs.Int("year", 0, "the festival year")
	viewName := fs.String("view", "current", "current (the geography in force for the year, through the lineage) or recorded (units as recorded)")
	format := fs.String("format", "csv", "csv or xlsx")
	out := fs.String("out", "", "output file; standard output when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *year == 0 || fs.NArg() != 0 {
		return usageError{"report festival needs --year Y and no other arguments"}
	}
	view, err := movement.ParseView(*viewName)
	if err != nil {
		return usageError{fmt.Sprintf("--view %q: use current or recorded", *viewName)}
	}
	write := movement.WriteCSV
	switch *format {
	case "csv":
	case "xlsx":
		write = movement.WriteXLSX
		if *out == "" && isTerminal(c.Stdout) {
			return usageError{"report festival --format xlsx needs --out FILE or a redirected standard output"}
		}
	default:
		return usageError{fmt.Sprintf("--format %q: use csv or xlsx", *format)}
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	svc := &movement.Service{DB: m.DB, Geo: m.Geo, Clock: m.Clock}
	// Progress goes to standard error: the report may be standard output.
	p := c.progress()
	p.rows(fmt.Sprintf("tallying the festival points of %d", *year), 0, 0)
	r, err := svc.ConferenceReport(ctx, *year, view)
	var b bytes.Buffer
	if err == nil {
		err = write(&b, r)
	}
	p.end(err)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := c.Stdout.Write(b.Bytes())
		return err
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "wrote %s: %d provinces; %d communes held of %d planned (%s)\n", *out, len(r.Provinces), r.Held, r.Planned, r.Verdict)
	return nil
}

// isTerminal reports whether w is a terminal, where binary output is refused.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (c *CLI) backup(ctx context.Context, args []string) error {
	fs, cfg := c.flags("backup")
	filesOnly := fs.Bool("files-only", false, "archive only the attachment files (PostgreSQL: back the database up with pg_dump)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"backup needs exactly one FILE: the archive to write (.tar.gz)"}
	}
	m, err := c.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	opts := []backup.Option{backup.KeyFingerprint(m.Sources.Keys.Fingerprint()), backup.WithClock(m.Clock)}
	if *filesOnly {
		opts = append(opts, backup.FilesOnly())
	}
	p := c.progress()
	if *filesOnly {
		p.rows("listing the files", 0, 0)
	} else {
		p.rows("taking a snapshot of the database", 0, 0)
	}
	man, err := backup.CreateFile(ctx, m.DB, cfg.DataDir, fs.Arg(0), func(done, total int64) { p.bytes("archiving", done, total) }, opts...)
	p.end(err)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "wrote %s: %d sources, %d attachments, %d files (%s, schema version %d)\n",
		fs.Arg(0), man.Sources, man.Attachments, man.Files, man.Engine, man.SchemaVersion)
	if man.FilesOnly {
		fmt.Fprintf(c.Stdout, "the database is NOT in this archive: back it up with\n  %s\n", backup.PgDumpCommand)
	}
	if cfg.S3Endpoint != "" {
		// Every attachment then lives in the bucket, and would otherwise be
		// listed here as missing.
		fmt.Fprintf(c.Stdout, "attachments are in object storage (bucket %s at %s) and are NOT in this archive: "+
			"back them up with the storage's own versioning or replication\n", cfg.S3Bucket, cfg.S3Endpoint)
	} else {
		for _, n := range man.MissingFiles {
			fmt.Fprintln(c.Stdout, "warning: attachment file missing from the files folder:", n)
		}
	}
	fmt.Fprintln(c.Stdout, backup.KeyReminder(cfg.KeyFile, man.KeyFingerprint))
	return nil
}

func (c *CLI) restore(ctx context.Context, args []string) error {
	fs, cfg := c.flags("restore")
	force := fs.Bool("force", false, "replace the database and files of a data folder that holds some (stop the server first)")
	filesOnly := fs.Bool("files-only", false, "restore only the attachment files (PostgreSQL: restore the database with pg_restore)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"restore needs exactly one FILE: an archive written by toandan backup"}
	}
	if err := cfg.Check(); err != nil {
		return err
	}
	pg := store.IsPostgresURL(cfg.DB)
	switch {
	case cfg.DB != "" && !pg:
		return usageError{"restore writes toandan.db into the data folder (--data): unset --db / TOANDAN_DB"}
	case pg && !*filesOnly:
		return usageError{"the database is PostgreSQL: restore it with pg_restore --clean --if-exists --no-owner --dbname \"$TOANDAN_DB\" toandan.dump, " +
			"then the files with toandan restore --files-only FILE"}
	}
	var opts []backup.Option
	if *force {
		opts = append(opts, backup.Force())
	}
	if *filesOnly {
		opts = append(opts, backup.FilesOnly())
	}
	p := c.progress()
	opts = append(opts, backup.RestoreProgress(p.bytes))
	man, err := backup.RestoreFile(ctx, fs.Arg(0), cfg.DataDir, opts...)
	p.end(err)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "restored %s into %s: %d sources, %d attachments, %d files (archive of %s, schema version %d)\n",
		fs.Arg(0), cfg.DataDir, man.Sources, man.Attachments, man.Files, man.CreatedAt.Format("2006-01-02 15:04 MST"), man.SchemaVersion)
	fmt.Fprintln(c.Stdout, backup.KeyReminder(cfg.KeyFile, man.KeyFingerprint))
	// The key is checked before the database is opened: opening without
	// it would make a new key, and opening a database of before recorded
	// fingerprints would record whichever key is there.
	keys, err := seal.LoadKeys(cfg.KeyFile)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(c.Stdout, "no identity key at %s yet: put it back there before starting the server\n", cfg.KeyFile)
		return nil
	}
	if err != nil {
		return err
	}
	if man.KeyFingerprint != "" && keys.Fingerprint() != man.KeyFingerprint {
		return fmt.Errorf("the identity key at %s (fingerprint %s) is not the key this data was sealed with (%s): put the right key back before starting the server",
			cfg.KeyFile, keys.Fingerprint(), man.KeyFingerprint)
	}
	m, err := c.open(ctx, cfg) // applies newer migrations
	if err != nil {
		return err
	}
	defer m.Close()
	cur, latest, err := m.DB.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "database ready: schema version %d of %d, identity key %s matches\n", cur, latest, m.Sources.Keys.Fingerprint())
	return nil
}
