package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"toandan/internal/clock"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// instance is one running `toandan serve` process.
type instance struct {
	name    string
	base    string // http://127.0.0.1:port
	cmd     *exec.Cmd
	logs    *syncBuffer
	exited  chan struct{} // closed when the process has ended
	waitErr error         // its exit status, once exited is closed
}

// twoInstanceFlags are the settings both servers and the operator's
// commands share: one database, one identity key.
type twoInstanceFlags struct {
	bin, dsn, key string
}

func (f twoInstanceFlags) common(data string) []string {
	return []string{"--db", f.dsn, "--identity-key", f.key, "--data", data}
}

// run executes an operator's command (e.g. "geo import") against the
// shared database.
func (f twoInstanceFlags) run(t *testing.T, stdin, command string, args ...string) string {
	t.Helper()
	line := append(append(strings.Fields(command), f.common(t.TempDir())...), args...)
	cmd := exec.Command(f.bin, line...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("toandan %s: %v\n%s", strings.Join(line, " "), err, out)
	}
	return string(out)
}

// start launches `toandan serve` without waiting for it to answer.
func (f twoInstanceFlags) start(t *testing.T, name string) *instance {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"serve", "--addr", addr,
		// A reminder period of two seconds; the limits would otherwise stop
		// the 200 submissions from one address.
		"--job-tick", "2s", "--submit-limit", "1000000", "--submit-global", "1000000", "--pow-difficulty", "0"},
		f.common(t.TempDir())...)
	cmd := exec.Command(f.bin, args...)
	in := &instance{name: name, base: "http://" + addr, cmd: cmd, logs: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = in.logs, in.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { in.waitErr = cmd.Wait(); close(in.exited) }()
	t.Cleanup(func() {
		select {
		case <-in.exited:
		default:
			cmd.Process.Kill()
			<-in.exited
		}
		if t.Failed() {
			t.Logf("log of instance %s:\n%s", name, in.logs.String())
		}
	})
	return in
}

func (in *instance) waitHealthy(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if res, err := http.Get(in.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-in.exited:
			t.Fatalf("instance %s exited: %v\n%s", in.name, in.waitErr, in.logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s not healthy after 60 s:\n%s", in.name, in.logs.String())
		}
	}
}

// stop ends the server as a service manager would, with SIGTERM.
func (in *instance) stop(t *testing.T) {
	t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-in.exited:
		if in.waitErr != nil {
			t.Errorf("instance %s exited with %v after SIGTERM", in.name, in.waitErr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("instance %s did not stop within 30 s of SIGTERM", in.name)
	}
}

type apiReceipt struct {
	TrackingCode string `json:"tracking_code"`
	ReceiptCode  string `json:"receipt_code"`
	RegisterNo   int    `json:"register_no"`
	RegisterYear int    `json:"register_year"`
}

var twoClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func postJSON(base, path, body string) (int, []byte, error) {
	res, err := twoClient.Post(base+path, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func (in *instance) submit(t *testing.T, body string) apiReceipt {
	t.Helper()
	status, b, err := postJSON(in.base, "/api/v1/reports", body)
	if err != nil || status != http.StatusCreated {
		t.Fatalf("report through %s: status %d, err %v: %s", in.name, status, err, b)
	}
	var r apiReceipt
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// request sends a request with the session cookie, and no cookie jar: the
// cookie goes exactly where the test says.
func (in *instance) request(t *testing.T, method, path string, session *http.Cookie, form url.Values) (int, string, http.Header) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, in.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if session != nil {
		req.AddCookie(session)
	}
	res, err := twoClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}

func (in *instance) metrics(t *testing.T) string {
	t.Helper()
	status, body, _ := in.request(t, http.MethodGet, "/metrics", nil, nil)
	if status != http.StatusOK {
		t.Fatalf("%s /metrics: %d", in.name, status)
	}
	return body
}

func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTwoInstances runs two `toandan serve` processes of the real binary
// on one PostgreSQL database, as stateless app servers behind a load
// balancer would run: different addresses and data folders, the same
// database and identity key. Started together on an empty database they
// migrate it once; a report taken by one is handled by an officer on the
// other with the session from the first; the reminder job runs each slot
// on one of them; and register numbers given by both stay unique and
// gapless.
func TestTwoInstances(t *testing.T) {
	dsn := testutil.NewDSN(t, store.Postgres) // skips without TOANDAN_TEST_POSTGRES
	begin := time.Now()
	bin := filepath.Join(t.TempDir(), "toandan")
	build := exec.Command("go", "build", "-o", bin, "./cmd/toandan")
	build.Dir = testutil.ModuleRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	f := twoInstanceFlags{bin: bin, dsn: dsn, key: filepath.Join(t.TempDir(), "keys", "identity.key")}
	ctx := context.Background()

	// Both start at once on an empty database and with no key file yet.
	a, b := f.start(t, "A"), f.start(t, "B")
	a.waitHealthy(t)
	b.waitHealthy(t)
	bothUp := store.FormatTime(time.Now())
	db, err := store.Open(ctx, dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}

	t.Run("migrations ran once", func(t *testing.T) {
		ms, err := store.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		applied := 0
		re := regexp.MustCompile(`msg="database migrated".* applied=(\d+)`)
		for _, in := range []*instance{a, b} {
			for _, m := range re.FindAllStringSubmatch(in.logs.String(), -1) {
				n, _ := strconv.Atoi(m[1])
				applied += n
			}
		}
		if applied != len(ms) {
			t.Errorf("the two instances applied %d migrations in all, want %d (each once)", applied, len(ms))
		}
		if n := count("SELECT COUNT(*) FROM schema_migrations"); n != len(ms) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
		}
	})

	// The operator's commands, with the same database and key.
	communes := filepath.Join(t.TempDir(), "communes.csv")
	if err := os.WriteFile(communes, []byte(testutil.SampleCommunes), 0o600); err != nil {
		t.Fatal(err)
	}
	f.run(t, "", "geo import", "--valid-from", "2025-07-01", communes)
	const officer, password = "xa-mau-mot", "mat-khau-xa-mau-mot-2026"
	f.run(t, password+"\n", "user create", "--username", officer, "--role", "commune", "--unit", "T0101")

	t.Run("report on A handled on B with A's session", func(t *testing.T) {
		r := a.submit(t, `{"category":"trat_tu_xa_hoi","commune_code":"T0101","description":"Báo tin qua máy chủ A: tụ tập gây rối trật tự ban đêm.","anonymous":true}`)
		// The reporter follows up on the other server with the receipt
		// code: both hash it with the one identity key.
		status, body, err := postJSON(b.base, "/api/v1/reports/lookup", `{"receipt_code":"`+r.ReceiptCode+`"}`)
		if err != nil || status != http.StatusOK || !strings.Contains(string(body), r.TrackingCode) {
			t.Fatalf("receipt of A looked up on B: status %d, err %v: %s", status, err, body)
		}

		status, _, h := a.request(t, http.MethodPost, "/dang-nhap", nil, url.Values{"username": {officer}, "password": {password}})
		var session *http.Cookie
		for _, c := range (&http.Response{Header: h}).Cookies() {
			if c.Name == "toandan_session" {
				session = c
			}
		}
		if status != http.StatusSeeOther || session == nil {
			t.Fatalf("login on A: status %d, no session cookie", status)
		}
		if status, body, _ := b.request(t, http.MethodGet, "/can-bo/nguon-tin", session, nil); status != http.StatusOK || !strings.Contains(body, r.TrackingCode) {
			t.Fatalf("inbox on B with A's session: status %d, tracking code %s listed: %v", status, r.TrackingCode, strings.Contains(body, r.TrackingCode))
		}
		id := count("SELECT id FROM sources WHERE tracking_code = ?", r.TrackingCode)
		path := fmt.Sprintf("/can-bo/nguon-tin/%d", id)
		if status, body, _ := b.request(t, http.MethodGet, path, session, nil); status != http.StatusOK || !strings.Contains(body, r.TrackingCode) {
			t.Fatalf("GET %s on B: status %d", path, status)
		}
		status, _, h = b.request(t, http.MethodPost, path+"/thao-tac", session, url.Values{"action": {"register"}, "note": {"Lập biên bản tiếp nhận trên máy chủ B."}})
		if status != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "?kq=ok") {
			t.Fatalf("register on B: status %d, location %q", status, h.Get("Location"))
		}
		var st string
		if err := db.QueryRow(ctx, "SELECT status FROM sources WHERE id = ?", id).Scan(&st); err != nil {
			t.Fatal(err)
		}
		events := count(`SELECT COUNT(*) FROM source_events e JOIN users u ON u.id = e.user_id
			WHERE e.source_id = ? AND e.kind = 'register' AND u.username = ?`, id, officer)
		if st != "registered" || events != 1 {
			t.Errorf("after register on B: status %s, %d register events by %s; want registered and 1", st, events, officer)
		}
	})

	t.Run("reminder recorded once", func(t *testing.T) {
		r := b.submit(t, `{"category":"khac","commune_code":"T0102","description":"Báo tin qua máy chủ B để thử nhắc hạn.","anonymous":true}`)
		// Bring its transfer limit into the reminder window: twelve hours
		// left, whatever the day of the week.
		due := store.FormatTime(time.Now().Add(12 * time.Hour))
		if _, err := db.Exec(ctx, `UPDATE source_deadlines SET due_at = ? WHERE source_id = (SELECT id FROM sources WHERE tracking_code = ?)`,
			due, r.TrackingCode); err != nil {
			t.Fatal(err)
		}
		var deadlineID int64
		if err := db.QueryRow(ctx, "SELECT d.id FROM source_deadlines d JOIN sources s ON s.id = d.source_id WHERE s.tracking_code = ?", r.TrackingCode).
			Scan(&deadlineID); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "reminder recorded", 20*time.Second, func() bool {
			return count("SELECT COUNT(*) FROM reminders WHERE deadline_id = ?", deadlineID) > 0
		})
		time.Sleep(3 * time.Second) // both schedulers go through a few more slots
		if n := count("SELECT COUNT(*) FROM reminders"); n != 1 {
			t.Errorf("%d reminders recorded, want 1", n)
		}
		var at string
		if err := db.QueryRow(ctx, "SELECT at FROM reminders WHERE deadline_id = ? AND kind = 'at_risk'", deadlineID).Scan(&at); err != nil {
			t.Fatalf("at-risk reminder: %v", err)
		}
		// The run that recorded it: one row for its slot, claimed by both
		// instances and run by one.
		rows, err := db.Query(ctx, `SELECT slot, instance, claims, error FROM job_runs
			WHERE name = 'reminders' AND started_at <= ? AND finished_at >= ?`, at, at)
		if err != nil {
			t.Fatal(err)
		}
		var runs []string
		for rows.Next() {
			var slot, inst, msg string
			var claims int
			if err := rows.Scan(&slot, &inst, &claims, &msg); err != nil {
				t.Fatal(err)
			}
			runs = append(runs, fmt.Sprintf("slot %s run by %s, claimed %d times, error %q", slot, inst, claims, msg))
			if claims != 2 || msg != "" {
				t.Errorf("the run that recorded the reminder: %s; want claimed by both instances, no error", runs[len(runs)-1])
			}
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 {
			t.Errorf("runs covering the reminder: %q, want exactly one", runs)
		}
		logged := strings.Count(a.logs.String(), `msg="reminders recorded"`) + strings.Count(b.logs.String(), `msg="reminders recorded"`)
		if logged != 1 {
			t.Errorf("%d instances logged recording reminders, want 1", logged)
		}
		// Over the slots since both were up: one row each, none claimed
		// more than twice, and both instances ran the scheduler.
		slots := count("SELECT COUNT(*) FROM job_runs WHERE name = 'reminders' AND started_at >= ?", bothUp)
		both := count("SELECT COUNT(*) FROM job_runs WHERE name = 'reminders' AND started_at >= ? AND claims = 2", bothUp)
		over := count("SELECT COUNT(*) FROM job_runs WHERE name = 'reminders' AND claims > 2")
		if both*2 < slots || over != 0 {
			t.Errorf("of %d reminder slots since both were up, %d were claimed by both instances and %d more than twice; want most by both, none more", slots, both, over)
		}
		t.Logf("%d reminder slots run, %d of them contended by both instances", slots, both)
	})

	t.Run("200 concurrent reports get gapless register numbers", func(t *testing.T) {
		const n = 200
		year := time.Now().In(clock.Vietnam).Year()
		var mu sync.Mutex
		numbers := map[int]string{}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 32)
		for i := range n {
			in := a
			if i%2 == 1 {
				in = b
			}
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				body := fmt.Sprintf(`{"category":"kinh_te","province_code":"01","description":"Báo tin đồng thời số %d qua máy chủ %s.","anonymous":true}`, i, in.name)
				status, b, err := postJSON(in.base, "/api/v1/reports", body)
				if err != nil || status != http.StatusCreated {
					t.Errorf("report %d through %s: status %d, err %v: %s", i, in.name, status, err, b)
					return
				}
				var r apiReceipt
				if err := json.Unmarshal(b, &r); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if prev, dup := numbers[r.RegisterNo]; dup {
					t.Errorf("register number %d given to %s and %s", r.RegisterNo, prev, r.TrackingCode)
				}
				numbers[r.RegisterNo] = r.TrackingCode
				if r.RegisterYear != year {
					t.Errorf("register year %d, want %d", r.RegisterYear, year)
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		// In the database: the province police's register for the year
		// holds exactly 1..200.
		rows, err := db.Query(ctx, `SELECT s.register_no FROM sources s JOIN police_units p ON p.id = s.receiving_unit_id
			WHERE p.level = 'province' AND p.province_code = '01' AND s.register_year = ? ORDER BY s.register_no`, year)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for rows.Next() {
			var no int
			if err := rows.Scan(&no); err != nil {
				t.Fatal(err)
			}
			got = append(got, no)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("%d sources in the register, want %d", len(got), n)
		}
		for i, no := range got {
			if no != i+1 {
				t.Fatalf("register numbers are not 1..%d: position %d holds %d", n, i+1, no)
			}
		}
	})

	t.Run("metrics agree across instances", func(t *testing.T) {
		total := count("SELECT COUNT(*) FROM sources")
		skipped := 0.0
		for _, in := range []*instance{a, b} {
			body := in.metrics(t)
			if got := metricValue(t, body, "toandan_reports_received"); got != float64(total) {
				t.Errorf("%s: toandan_reports_received = %v, want %d (the database's count)", in.name, got, total)
			}
			skipped += metricValue(t, body, `toandan_job_runs_total{job="reminders",result="skipped"}`)
		}
		if skipped == 0 {
			t.Error("neither instance counted a reminder slot taken by the other")
		}
	})

	a.stop(t)
	b.stop(t)
	t.Logf("two instances: %s from build to shutdown", time.Since(begin).Round(time.Second))
}
