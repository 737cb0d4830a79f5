package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"toandan/internal/abuse"
	"toandan/internal/api"
	"toandan/internal/store"
	"toandan/internal/testutil"
)

// TestGlobalSubmitLimit: once the budget of reports all clients share is
// spent, a report is refused with 429 and a Vietnamese message, whichever
// client sends it, until the window ends.
func TestGlobalSubmitLimit(t *testing.T) {
	t.Parallel()
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			srv := testutil.NewServer(t, e)
			srv.ImportCSV(t, testutil.SampleCommunes, "2025-07-01")
			m := srv.Main
			// 3 reports a minute in all; 2 an hour per client, so that no
			// client below meets its own limit first.
			guard := &api.Guard{
				ClientKey: []byte("test client key"),
				Normal:    abuse.NewLimiter(2, time.Hour, srv.Clock),
				Strict:    abuse.NewLimiter(2, time.Hour, srv.Clock),
				Global:    abuse.NewLimiter(3, time.Minute, srv.Clock),
			}
			mux := http.NewServeMux()
			(&api.API{Geo: m.Geo, Sources: m.Sources, Guard: guard, Log: m.Log}).Register(mux)
			n := 0
			send := func(client string) *httptest.ResponseRecorder {
				t.Helper()
				n++
				body := fmt.Sprintf(`{"category":"khac","commune_code":"T0101","description":"Báo tin số %d từ máy %s."}`, n, client)
				req := httptest.NewRequest(http.MethodPost, "/api/v1/reports", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.RemoteAddr = client
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, req)
				return w
			}

			for _, client := range []string{"203.0.113.1:40001", "203.0.113.2:40002", "198.51.100.7:51000"} {
				if w := send(client); w.Code != http.StatusCreated {
					t.Fatalf("report from %s within the budget: status %d:\n%s", client, w.Code, w.Body)
				}
			}
			before := count(t, srv, "sources")
			var retry int
			// A client never seen before, one that sent one report, and one
			// over IPv6: all refused alike.
			for _, client := range []string{"203.0.113.9:40009", "203.0.113.1:40011", "[2001:db8::5]:443"} {
				w := send(client)
				if w.Code != http.StatusTooManyRequests {
					t.Fatalf("report from %s once the budget is spent: status %d, want 429:\n%s", client, w.Code, w.Body)
				}
				if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("429 from %s: Content-Type %q, want JSON", client, ct)
				}
				var body apiError
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
					t.Fatalf("429 from %s is not JSON: %v\n%s", client, err, w.Body)
				}
				if body.Error.Code != "too_many_requests" || !strings.Contains(body.Error.Message, "Hệ thống đang nhận quá nhiều tin") ||
					!strings.Contains(body.Error.Message, "113") {
					t.Errorf("429 from %s: error %+v; want the system-wide message naming 113", client, body.Error)
				}
				secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
				if err != nil || secs < 1 || secs > 60 {
					t.Errorf("429 from %s: Retry-After %q, want seconds within the minute", client, w.Header().Get("Retry-After"))
				}
				retry = max(retry, secs)
			}
			if got := count(t, srv, "sources"); got != before {
				t.Errorf("sources: %d after refused reports, want %d", got, before)
			}

			// The next window has a fresh budget.
			srv.Clock.Advance(time.Duration(retry) * time.Second)
			if w := send("203.0.113.9:40009"); w.Code != http.StatusCreated {
				t.Errorf("report after the wait: status %d:\n%s", w.Code, w.Body)
			}
		})
	}
}
