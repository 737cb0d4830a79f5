package web

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// readyChecker is a part of the system that can say whether it can serve:
// the attachment store, for one.
type readyChecker interface {
	Ready(ctx context.Context) error
}

// readyz answers 200 when the instance can take traffic: the database
// answers, its schema is the one this binary expects, and the attachment
// store can be written. A load balancer sends no request to an instance
// that answers 503.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	var problems []string
	if err := s.DB.Ping(ctx); err != nil {
		problems = append(problems, "database unavailable")
	} else if cur, latest, err := s.DB.SchemaVersion(ctx); err != nil || cur != latest {
		problems = append(problems, "database schema not current")
	}
	if s.Sources != nil {
		if rc, ok := s.Sources.Files.(readyChecker); ok {
			if err := rc.Ready(ctx); err != nil {
				problems = append(problems, "attachment store unavailable")
			}
		}
	}
	if len(problems) > 0 {
		s.Log.Error("readyz", "problems", strings.Join(problems, "; "))
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(strings.Join(problems, "\n") + "\n"))
		return
	}
	w.Write([]byte("ready\n"))
}
