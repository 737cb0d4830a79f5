package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"toandan/internal/app"
	"toandan/internal/config"
	"toandan/internal/store"
)

// instance is the application on a temporary data folder, served over a
// real loopback listener.
type instance struct {
	m    *app.Main
	url  string
	srv  *http.Server
	geo  *geography
	done chan struct{}
}

// openInstance opens the application on dir (and dsn, for PostgreSQL),
// imports the benchmark's geography and serves the application, or what
// wrap returns.
func (b *runner) openInstance(ctx context.Context, dir, dsn string, wrap func(*app.Main) http.Handler) (*instance, error) {
	m, err := openApp(ctx, dir, dsn)
	if err != nil {
		return nil, err
	}
	g := b.geography()
	if err := g.importNew(ctx, m); err != nil {
		m.Close()
		return nil, err
	}
	h := m.Handler()
	if wrap != nil {
		h = wrap(m)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		m.Close()
		return nil, err
	}
	in := &instance{m: m, url: "http://" + ln.Addr().String(), geo: g, done: make(chan struct{}),
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() { in.srv.Serve(ln); close(in.done) }()
	return in, nil
}

// openApp opens the application on dir (and dsn) with the abuse limits
// lifted: the benchmark is one client address sending thousands of reports.
func openApp(ctx context.Context, dir, dsn string) (*app.Main, error) {
	cfg := config.Register(flag.NewFlagSet("bench", flag.ContinueOnError), func(string) string { return "" })
	cfg.DataDir = dir
	cfg.DB = dsn
	cfg.Addr = "127.0.0.1:0"
	cfg.SubmitLimit = 1 << 30
	cfg.SubmitGlobal = 1 << 30
	cfg.PoWDifficulty = 0
	return app.Open(ctx, *cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
}

func (in *instance) close() {
	in.srv.Close()
	<-in.done
	in.m.Close()
}

// client is an HTTP client that keeps a connection per concurrent caller.
func client(conns int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, MaxConnsPerHost: conns * 2,
			IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// load runs clients goroutines calling do until the scenario's time is up,
// after a warm-up that is not measured.
func (b *runner) load(ctx context.Context, clients int, do func(c *http.Client, rng *rand.Rand) error) (*latencies, time.Duration, int64) {
	lat := &latencies{}
	var errCount atomic.Int64
	hc := client(clients)
	warm := min(2*time.Second, b.opt.Duration/5)
	start := time.Now()
	measureFrom := start.Add(warm)
	end := measureFrom.Add(b.opt.Duration)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i)+1, 42))
			for ctx.Err() == nil {
				t0 := time.Now()
				if t0.After(end) {
					return
				}
				err := do(hc, rng)
				if t0.Before(measureFrom) {
					continue
				}
				if err != nil {
					if errCount.Add(1) == 1 {
						b.progress("first error: %v", err)
					}
					continue
				}
				lat.add(time.Since(t0))
			}
		}()
	}
	wg.Wait()
	hc.CloseIdleConnections()
	return lat, b.opt.Duration, errCount.Load()
}

// post sends body and checks the status.
func post(c *http.Client, url string, body []byte, want int) error {
	res, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("status %d: %.200s", res.StatusCode, data)
	}
	return nil
}

// Words of the made-up reports: ordinary Vietnamese of the kind citizens
// write, so that text sizes and folding cost what they cost in life.
var words = strings.Fields(`tôi phát hiện một nhóm người lạ mặt thường xuyên tụ tập trước cổng chợ vào ban đêm có dấu hiệu
	buôn bán ma túy và đánh bạc trái phép nhiều lần gây mất trật tự khu dân cư đề nghị công an xã kiểm tra xử lý
	kẻ gian gọi điện tự xưng là cán bộ ngân hàng yêu cầu chuyển tiền vào tài khoản lạ để nhận quà lừa đảo chiếm đoạt
	tài sản của người cao tuổi xe máy biển số lạ chở hàng lậu qua biên giới thuốc lá điếu nhập khẩu hàng giả nhãn hiệu
	xưởng sản xuất xả nước thải chưa qua xử lý ra sông gây ô nhiễm môi trường thực phẩm bẩn bán cho học sinh
	cán bộ địa chính nhận tiền của dân để làm giấy tờ đất đai trộm cắp gà vịt trâu bò cướp giật điện thoại
	trên đường về nhà lúc mười giờ tối thanh niên đua xe mang theo hung khí cho vay nặng lãi đòi nợ thuê khủng bố tinh thần`)

// description is a made-up report text of 20 to 60 words.
func description(rng *rand.Rand) string {
	n := 20 + rng.IntN(41)
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(words[rng.IntN(len(words))])
	}
	sb.WriteByte('.')
	return sb.String()
}

var categories = []string{"trat_tu_xa_hoi", "kinh_te", "tham_nhung", "ma_tuy", "moi_truong", "cong_nghe_cao", "buon_lau", "khac"}

// intake measures the citizen submission path: anonymous JSON reports over
// HTTP, each validated, routed, numbered, audited and durably committed.
func (b *runner) intake(ctx context.Context, dsn string, baseline *Result) (Result, error) {
	name := "intake"
	target := "≥ 5,000/s, p99 < 50 ms, ≥ 55% of baseline"
	minRate := 5000.0
	if dsn != "" {
		name = "intake-postgres"
		target = "≥ 3,000/s, p99 < 50 ms"
		minRate = 3000
		var err error
		if dsn, err = freshPostgres(ctx, dsn, b); err != nil {
			return Result{}, err
		}
	}
	dir, err := b.tempDir(name)
	if err != nil {
		return Result{}, err
	}
	b.progress("%s: preparing (geography of %d communes)", name, len(b.geography().communes))
	in, err := b.openInstance(ctx, dir, dsn, nil)
	if err != nil {
		return Result{}, err
	}
	defer in.close()
	communes := in.geo.communes
	b.progress("%s: %d clients for %s", name, b.opt.Clients, b.opt.Duration)
	resetPeakRSS()
	lat, elapsed, errs := b.load(ctx, b.opt.Clients, func(c *http.Client, rng *rand.Rand) error {
		cm := communes[rng.IntN(len(communes))]
		body, _ := json.Marshal(map[string]any{
			"category": categories[rng.IntN(len(categories))], "province_code": cm.province, "commune_code": cm.code,
			"description": description(rng), "anonymous": true,
		})
		return post(c, in.url+"/api/v1/reports", body, http.StatusCreated)
	})
	r := Result{Scenario: name, Target: target, Errors: errs, PeakRSSMB: peakRSSMB()}
	lat.fill(&r, elapsed)
	var stored int64
	if err := in.m.DB.QueryRow(ctx, "SELECT COUNT(*) FROM sources").Scan(&stored); err != nil {
		return r, err
	}
	r.Met = r.OpsPerS >= minRate && r.P99 < 50 && errs == 0
	r.Note = fmt.Sprintf("%d reports stored", stored)
	if baseline != nil && baseline.OpsPerS > 0 {
		ratio := r.OpsPerS / baseline.OpsPerS
		r.Met = r.Met && ratio >= 0.55
		r.Note += fmt.Sprintf("; %.0f%% of baseline", ratio*100)
	}
	return r, nil
}

// baseline measures the same HTTP stack and the same durable writer doing
// the least a report could: one 1 KB row per request.
func (b *runner) baseline(ctx context.Context) (Result, error) {
	dir, err := b.tempDir("baseline")
	if err != nil {
		return Result{}, err
	}
	in, err := b.openInstance(ctx, dir, "", func(m *app.Main) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /row", func(w http.ResponseWriter, r *http.Request) {
			var v struct {
				Body string `json:"body"`
			}
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&v); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			var id int64
			err := m.DB.InGroupTx(r.Context(), func(tx *store.Tx) error {
				var err error
				id, err = tx.InsertID(r.Context(), "INSERT INTO bench_rows (body) VALUES (?)", v.Body)
				return err
			})
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":%d}`, id)
		})
		return mux
	})
	if err != nil {
		return Result{}, err
	}
	defer in.close()
	if _, err := in.m.DB.Exec(ctx, "CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"); err != nil {
		return Result{}, err
	}
	b.progress("baseline: %d clients for %s", b.opt.Clients, b.opt.Duration)
	resetPeakRSS()
	lat, elapsed, errs := b.load(ctx, b.opt.Clients, func(c *http.Client, rng *rand.Rand) error {
		var sb strings.Builder
		for sb.Len() < 1000 {
			sb.WriteString(words[rng.IntN(len(words))])
			sb.WriteByte(' ')
		}
		body, _ := json.Marshal(map[string]string{"body": sb.String()})
		return post(c, in.url+"/row", body, http.StatusCreated)
	})
	r := Result{Scenario: "baseline", Target: "(reference for intake)", Errors: errs, PeakRSSMB: peakRSSMB(), Met: errs == 0,
		Note: "the same HTTP server and durable SQLite writer storing one 1 KB row per request"}
	lat.fill(&r, elapsed)
	return r, nil
}
