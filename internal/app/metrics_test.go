package app_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/jobs"
	"toandan/internal/testutil"
)

// metricValue returns the value of the sample series (name with labels) in
// a /metrics body, or fails the test.
func metricValue(t *testing.T, body, series string) float64 {
	t.Helper()
	for line := range strings.Lines(body) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), series+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("%s: %v", series, err)
			}
			return v
		}
	}
	t.Fatalf("/metrics has no %s:\n%s", series, body)
	return 0
}

// /metrics shows the figures of the shared database (reports received,
// open, at risk and overdue; the job queue; the last successful periodic
// runs) next to this instance's own counts of requests and of periodic
// slots run, skipped and failed.
func TestMetricsFromDatabase(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			ctx := context.Background()
			m := srv.Main
			submit := func() {
				t.Helper()
				res, err := http.Post(srv.URL+"/api/v1/reports", "application/json", bytes.NewBufferString(
					`{"category":"khac","province_code":"01","description":"Báo tin để kiểm tra số liệu giám sát.","anonymous":true}`))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					t.Fatalf("POST /api/v1/reports: %d", res.StatusCode)
				}
			}
			// The first report's 3-day notice to the procuracy is overdue
			// eleven days later, when the second's, a day old, has three
			// days left (at risk): received on Thursday 10 December 2026,
			// the weekend not counted, it is due by Monday 14th.
			submit()
			srv.Clock.Advance(10 * 24 * time.Hour)
			submit()
			srv.Clock.Advance(24 * time.Hour)

			m.Jobs.Handle("broken", func(context.Context, jobs.Job) error { return errors.New("hỏng") })
			if _, err := m.Jobs.Enqueue(ctx, jobs.NewJob{Kind: "broken", MaxAttempts: 1}); err != nil {
				t.Fatal(err)
			}
			if ran, err := m.Jobs.Work(ctx); err != nil || !ran {
				t.Fatalf("Work: %v %v", ran, err)
			}
			if _, err := m.Jobs.Enqueue(ctx, jobs.NewJob{Kind: "later", RunAt: srv.Clock.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}

			var reminders jobs.Periodic
			for _, p := range m.Scheduler.Jobs() {
				if p.Name == "reminders" {
					reminders = p
				}
			}
			for i, want := range []bool{true, false} { // the second try finds the slot taken
				if ran, err := m.Scheduler.RunOnce(ctx, reminders); err != nil || ran != want {
					t.Fatalf("reminders try %d: ran %v, err %v", i+1, ran, err)
				}
			}
			if _, err := m.Scheduler.RunOnce(ctx, jobs.Periodic{Name: "export", Period: time.Hour, Run: func(context.Context) error {
				return errors.New("không ghi được tệp")
			}}); err != nil {
				t.Fatal(err)
			}

			status, body := srv.Get(t, srv.NewClient(t), "/metrics")
			if status != http.StatusOK {
				t.Fatalf("/metrics: %d", status)
			}
			for series, want := range map[string]float64{
				`toandan_reports_received`:                                                   2,
				`toandan_reports_open`:                                                       2,
				`toandan_reports_overdue`:                                                    1,
				`toandan_reports_at_risk`:                                                    1,
				`toandan_jobs{state="pending"}`:                                              1,
				`toandan_jobs{state="running"}`:                                              0,
				`toandan_jobs{state="failed"}`:                                               1,
				`toandan_job_runs_total{job="reminders",result="ok"}`:                        1,
				`toandan_job_runs_total{job="reminders",result="skipped"}`:                   1,
				`toandan_job_runs_total{job="reminders",result="error"}`:                     0,
				`toandan_job_runs_total{job="export",result="error"}`:                        1,
				`toandan_job_last_success_timestamp_seconds{job="reminders"}`:                float64(srv.Clock.Now().Unix()),
				`http_requests_total{route="POST /api/v1/reports",method="POST",code="201"}`: 2,
			} {
				if got := metricValue(t, body, series); got != want {
					t.Errorf("%s = %v, want %v", series, got, want)
				}
			}
			if strings.Contains(body, `toandan_job_last_success_timestamp_seconds{job="export"}`) {
				t.Errorf("a job that never succeeded has a last success:\n%s", body)
			}
		})
	}
}
