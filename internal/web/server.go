// Package web serves the HTML pages: the staff login and workspace and the
// citizen portal, rendered on the server so they work on a cheap phone
// without JavaScript. It also mounts the JSON API, health and metrics.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"time"

	"toandan/internal/abuse"
	"toandan/internal/account"
	"toandan/internal/api"
	"toandan/internal/clock"
	"toandan/internal/crimesource"
	"toandan/internal/dashboard"
	"toandan/internal/geo"
	"toandan/internal/metrics"
	"toandan/internal/movement"
	"toandan/internal/recognition"
	"toandan/internal/store"
	"toandan/internal/warning"
)

// Server holds what the pages need.
type Server struct {
	DB       *store.DB
	Geo      *geo.Service
	Accounts *account.Service
	Sources  *crimesource.Service
	// Dashboard computes the figures of the dashboards.
	Dashboard *dashboard.Service
	// Movement and Recognition serve the movement pages and the
	// conference report.
	Movement    *movement.Service
	Recognition *recognition.Service
	Warnings    *warning.Service // the security warnings of the citizen portal
	Guard       *api.Guard
	Metrics     *metrics.Registry
	Clock       clock.Clock
	Log         *slog.Logger
	Version     string
	// SecureCookies marks cookies Secure (set when serving TLS or behind a
	// TLS-terminating proxy).
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose forwarding headers are
	// believed.
	TrustedProxies []netip.Prefix

	pages      *pages
	loginLimit *abuse.Limiter
}

// Handler returns the whole HTTP handler: routes, then security headers,
// cross-origin protection for state-changing requests, metrics and recovery.
func (s *Server) Handler() http.Handler {
	s.pages = mustParsePages()
	s.loginLimit = abuse.NewLimiter(10, time.Minute, s.Clock)
	mux := s.Routes()
	var h http.Handler = mux
	h = http.NewCrossOriginProtection().Handler(h)
	h = securityHeaders(hsts(h))
	h = gzipped(h)
	if s.Metrics != nil {
		h = s.Metrics.InstrumentHTTP(h, func(r *http.Request) string { return r.Pattern })
	}
	return s.realClient(s.recoverer(h))
}

// Routes registers every route on a new mux. The authorization matrix test
// enumerates this mux, so a route added here is checked there too.
func (s *Server) Routes() *Router {
	mux := &Router{ServeMux: http.NewServeMux()}
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics.Handler())
	}
	(&api.API{Geo: s.Geo, Sources: s.Sources, Guard: s.Guard, Log: s.Log}).Register(mux)
	mux.HandleFunc("GET /static/pow.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(abuse.Script)
	})

	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /canh-bao/{id}", s.warningPage)
	mux.HandleFunc("GET /to-giac", s.reportForm)
	mux.HandleFunc("POST /to-giac", s.reportSubmit)
	mux.HandleFunc("GET /theo-doi", s.followForm)
	mux.HandleFunc("POST /theo-doi", s.follow)
	mux.HandleFunc("POST /theo-doi/tra-loi", s.followReply)
	mux.HandleFunc("GET /dang-nhap", s.loginForm)
	mux.HandleFunc("POST /dang-nhap", s.login)
	mux.HandleFunc("GET /dang-nhap/xac-thuc", s.mfaForm)
	mux.HandleFunc("POST /dang-nhap/xac-thuc", s.mfaVerify)
	mux.HandleFunc("GET /dang-nhap/dang-ky-xac-thuc", s.enrolForm)
	mux.HandleFunc("POST /dang-nhap/dang-ky-xac-thuc", s.enrolConfirm)
	mux.HandleFunc("POST /dang-xuat", s.logout)

	mux.HandleFunc("GET /can-bo", s.staff(s.staffHome))
	mux.HandleFunc("GET /can-bo/dia-ban", s.staff(s.geoRoot))
	mux.HandleFunc("GET /can-bo/dia-ban/{code}", s.staff(s.geoUnit))
	mux.HandleFunc("POST /can-bo/dia-ban/{code}/khu-dan-cu", s.staff(s.areaCreate))
	mux.HandleFunc("POST /can-bo/dia-ban/{code}/vung-xa", s.staff(s.remoteMark))
	mux.HandleFunc("POST /can-bo/dia-ban/{code}/vung-xa/xoa", s.staff(s.remoteUnmark))
	mux.HandleFunc("GET /can-bo/dia-ban/{code}/don-vi-cong-an", s.staff(s.policeList))
	mux.HandleFunc("GET /can-bo/don-vi-cong-an/{code}", s.staff(s.policeEdit))
	mux.HandleFunc("POST /can-bo/don-vi-cong-an/{code}", s.staff(s.policeUpdate))
	mux.HandleFunc("GET /can-bo/khu-dan-cu/{id}", s.staff(s.areaEdit))
	mux.HandleFunc("POST /can-bo/khu-dan-cu/{id}", s.staff(s.areaUpdate))

	mux.HandleFunc("GET /can-bo/nguon-tin", s.staff(s.inbox))
	mux.HandleFunc("GET /can-bo/nguon-tin/moi", s.staff(s.sourceNewForm))
	mux.HandleFunc("POST /can-bo/nguon-tin", s.staff(s.sourceCreate))
	mux.HandleFunc("GET /can-bo/nguon-tin/{id}", s.staff(s.sourcePage))
	mux.HandleFunc("POST /can-bo/nguon-tin/{id}/thao-tac", s.staff(s.sourceAct))
	mux.HandleFunc("POST /can-bo/nguon-tin/{id}/danh-tinh", s.staff(s.sourceReveal))
	mux.HandleFunc("GET /can-bo/tep/{id}", s.staff(s.sourceFile))
	mux.HandleFunc("GET /can-bo/so-lieu", s.staff(s.dashboardPage))
	mux.HandleFunc("GET /can-bo/ban-do", s.staff(s.mapPage))
	mux.HandleFunc("GET /can-bo/ban-do/du-lieu.json", s.staff(s.mapData))
	mux.HandleFunc("GET /can-bo/thoi-han", s.staff(s.rulesPage))
	mux.HandleFunc("POST /can-bo/thoi-han/ngay", s.staff(s.dayOffSave))
	mux.HandleFunc("POST /can-bo/thoi-han/ngay/{day}/xoa", s.staff(s.dayOffDelete))

	mux.HandleFunc("GET /can-bo/phong-trao", s.staff(s.movementHome))
	mux.HandleFunc("GET /can-bo/phong-trao/ngay-hoi", s.staff(s.festivalPage))
	mux.HandleFunc("POST /can-bo/phong-trao/ngay-hoi/ke-hoach", s.staff(s.festivalPlanSave))
	mux.HandleFunc("GET /can-bo/phong-trao/ngay-hoi/diem-moi", s.staff(s.festivalPointNew))
	mux.HandleFunc("POST /can-bo/phong-trao/ngay-hoi/diem", s.staff(s.festivalPointCreate))
	mux.HandleFunc("GET /can-bo/phong-trao/ngay-hoi/diem/{id}", s.staff(s.festivalPointPage))
	mux.HandleFunc("POST /can-bo/phong-trao/ngay-hoi/diem/{id}", s.staff(s.festivalPointUpdate))
	mux.HandleFunc("POST /can-bo/phong-trao/ngay-hoi/diem/{id}/duyet", s.staff(s.festivalPointReview))
	mux.HandleFunc("GET /can-bo/phong-trao/mo-hinh", s.staff(s.modelsPage))
	mux.HandleFunc("GET /can-bo/phong-trao/mo-hinh/moi", s.staff(s.modelNew))
	mux.HandleFunc("POST /can-bo/phong-trao/mo-hinh", s.staff(s.modelCreate))
	mux.HandleFunc("GET /can-bo/phong-trao/mo-hinh/{id}", s.staff(s.modelPage))
	mux.HandleFunc("POST /can-bo/phong-trao/mo-hinh/{id}", s.staff(s.modelUpdate))
	mux.HandleFunc("POST /can-bo/phong-trao/mo-hinh/{id}/danh-gia", s.staff(s.modelEvaluate))
	mux.HandleFunc("GET /can-bo/phong-trao/cong-nhan", s.staff(s.cyclesPage))
	mux.HandleFunc("POST /can-bo/phong-trao/cong-nhan", s.staff(s.cycleRegister))
	mux.HandleFunc("GET /can-bo/phong-trao/cong-nhan/{id}", s.staff(s.cyclePage))
	mux.HandleFunc("POST /can-bo/phong-trao/cong-nhan/{id}/tieu-chi/{code}", s.staff(s.cycleAssess))
	mux.HandleFunc("GET /can-bo/phong-trao/cong-nhan/{id}/tieu-chi/{code}/tep", s.staff(s.cycleFile))
	mux.HandleFunc("POST /can-bo/phong-trao/cong-nhan/{id}/gui", s.staff(s.cycleSubmit))
	mux.HandleFunc("POST /can-bo/phong-trao/cong-nhan/{id}/quyet-dinh", s.staff(s.cycleDecide))
	mux.HandleFunc("GET /can-bo/phong-trao/chi-tieu", s.staff(s.targetsPage))
	mux.HandleFunc("POST /can-bo/phong-trao/chi-tieu", s.staff(s.targetCreate))
	mux.HandleFunc("GET /bao-cao/ngay-hoi/{year}", s.staff(s.festivalReport))

	mux.HandleFunc("GET /can-bo/canh-bao", s.staff(s.warningsList))
	mux.HandleFunc("GET /can-bo/canh-bao/moi", s.staff(s.warningNew))
	mux.HandleFunc("POST /can-bo/canh-bao", s.staff(s.warningCreate))
	mux.HandleFunc("GET /can-bo/canh-bao/{id}", s.staff(s.warningEdit))
	mux.HandleFunc("POST /can-bo/canh-bao/{id}", s.staff(s.warningUpdate))
	mux.HandleFunc("POST /can-bo/canh-bao/{id}/dang", s.staff(s.warningPublish))
	mux.HandleFunc("POST /can-bo/canh-bao/{id}/go", s.staff(s.warningUnpublish))

	mux.HandleFunc("GET /can-bo/tai-khoan", s.staff(s.accountsList))
	mux.HandleFunc("GET /can-bo/tai-khoan/moi", s.staff(s.accountNew))
	mux.HandleFunc("POST /can-bo/tai-khoan", s.staff(s.accountCreate))
	mux.HandleFunc("GET /can-bo/tai-khoan/{id}", s.staff(s.accountPage))
	mux.HandleFunc("POST /can-bo/tai-khoan/{id}/dat-lai-mat-khau", s.staff(s.accountResetPassword))
	mux.HandleFunc("POST /can-bo/tai-khoan/{id}/dat-lai-xac-thuc", s.staff(s.accountResetTOTP))
	mux.HandleFunc("POST /can-bo/tai-khoan/{id}/vo-hieu-hoa", s.staff(s.accountDisable))
	mux.HandleFunc("POST /can-bo/tai-khoan/{id}/kich-hoat", s.staff(s.accountEnable))
	mux.HandleFunc("POST /can-bo/tai-khoan/{id}/mo-khoa", s.staff(s.accountUnlock))
	mux.HandleFunc("GET /can-bo/mat-khau", s.staff(s.passwordForm))
	mux.HandleFunc("POST /can-bo/mat-khau", s.staff(s.passwordChange))
	return mux
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.DB.Ping(ctx); err != nil {
		s.Log.Error("healthz", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// securityHeaders sets the headers every response carries: no inline
// scripts, no framing, no referrer leaking a page address, no sniffing.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "Hệ thống gặp sự cố. Vui lòng thử lại sau.", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Router is a ServeMux that remembers every pattern registered on it, so
// that the authorization tests enumerate the real routes and cannot go stale.
type Router struct {
	*http.ServeMux
	Patterns []string
}

// Handle registers h for pattern.
func (r *Router) Handle(pattern string, h http.Handler) {
	r.Patterns = append(r.Patterns, pattern)
	r.ServeMux.Handle(pattern, h)
}

// HandleFunc registers f for pattern.
func (r *Router) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	r.Handle(pattern, http.HandlerFunc(f))
}
