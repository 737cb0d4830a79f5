package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"toandan/internal/account"
	"toandan/internal/errs"
)

// outcome is what a request of the matrix must get.
type outcome int

const (
	// allow: the route served the request: not 401, 403 or 404, not a
	// redirect to the login page, not a server error.
	allow outcome = iota
	// deny: 403 or 404, and nothing stored.
	deny
	// hidden: 404, and nothing stored: the object or unit is outside the
	// officer's subtree, or does not exist, and the two look the same.
	hidden
	// toSignIn: a redirect to the login page (or 401 from a login step), and
	// nothing stored.
	toSignIn
	// invalid: 400, and nothing stored: the form names a unit outside the
	// officer's subtree and is refused as such.
	invalid
	// loggedOut: a redirect to the login page, which is where logging out
	// leads.
	loggedOut
)

func (o outcome) String() string {
	return [...]string{"allowed", "denied (403 or 404)", "not found (404)", "sent to sign in", "refused as invalid (400)", "logged out"}[o]
}

// refusal reports whether the request must leave the database as it was.
func (o outcome) refusal() bool { return o == deny || o == hidden || o == toSignIn || o == invalid }

// problem says how r fails to be o, or "" when it is o.
func (o outcome) problem(r reply) string {
	toLogin := r.Status == http.StatusSeeOther && (r.Location() == "/dang-nhap" || strings.HasPrefix(r.Location(), "/dang-nhap?"))
	ok := false
	switch o {
	case allow:
		ok = r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden && r.Status != http.StatusNotFound &&
			r.Status < 500 && !toLogin
	case deny:
		ok = r.Status == http.StatusForbidden || r.Status == http.StatusNotFound
	case hidden:
		ok = r.Status == http.StatusNotFound
	case toSignIn:
		ok = toLogin || r.Status == http.StatusUnauthorized
	case invalid:
		ok = r.Status == http.StatusBadRequest
	case loggedOut:
		ok = toLogin
	}
	if ok {
		return ""
	}
	return fmt.Sprintf("status %d, location %q; want %s", r.Status, r.Location(), o)
}

// call is one request of the matrix.
type call struct {
	method, path string
	form         url.Values // sent as a form, unless json is set
	json         string
	session      string // a session other than the officer's own (logout ends it)
}

type builder func(t *testing.T, f *authzFixture, a *actor, sc scope) (call, bool)

// rule is the matrix entry of one route: who may use it, and the request
// that proves it. Requests are harmless: a permitted POST fails validation
// or does nothing irreversible, unless the rule says otherwise.
type rule struct {
	public bool           // anonymous visitors may use it too
	roles  []account.Role // the roles that may use it on their own units; nil: every role
	req    builder        // the request of an officer in a scope; false: the scope does not apply
	// want replaces the expectation that public and roles give.
	want func(a *actor, sc scope) outcome
	// shows names the kind of fixture object an allowed page must show
	// (see authzFixture.marker); "" for none.
	shows string
	// showsTo limits shows to one role; "" for every role.
	showsTo account.Role
	// before runs before each request; after after each allowed one.
	before func(f *authzFixture, t *testing.T)
	after  func(t *testing.T, f *authzFixture, a *actor, c call, r reply)
}

func (r rule) may(role account.Role) bool { return r.roles == nil || slices.Contains(r.roles, role) }

func (r rule) expect(a *actor, sc scope) outcome {
	switch {
	case r.want != nil:
		return r.want(a, sc)
	case a.anon() && r.public:
		return allow
	case a.anon():
		return toSignIn
	case !r.may(a.role):
		return deny
	case sc == scopeOther || sc == scopeMissing:
		return hidden
	}
	return allow
}

// Requests that name no unit are made in the officer's own scope only.

func page(path string) builder {
	return func(_ *testing.T, _ *authzFixture, _ *actor, sc scope) (call, bool) {
		return call{method: http.MethodGet, path: path}, sc == scopeOwn
	}
}

func form(path string, v url.Values) builder {
	return func(_ *testing.T, _ *authzFixture, _ *actor, sc scope) (call, bool) {
		return call{method: http.MethodPost, path: path, form: v}, sc == scopeOwn
	}
}

func apiCall(path, body string) builder {
	return func(_ *testing.T, _ *authzFixture, _ *actor, sc scope) (call, bool) {
		return call{method: http.MethodPost, path: path, json: body}, sc == scopeOwn
	}
}

// withReceipt is a citizen's request with the receipt code of a fixture
// report.
func withReceipt(c func(code string) call) builder {
	return func(_ *testing.T, f *authzFixture, _ *actor, sc scope) (call, bool) {
		return c(f.receipt), sc == scopeOwn
	}
}

// Requests that name a unit or an object are made in every scope.

// unitPage is a page of a unit given as ?don-vi=.
func unitPage(path string) builder {
	return func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
		return call{method: http.MethodGet, path: path + "?don-vi=" + f.unit(a, sc)}, true
	}
}

// communePage is a page of a commune given as ?don-vi=.
func communePage(path string) builder {
	return func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
		return call{method: http.MethodGet, path: path + "?don-vi=" + f.commune(a, sc)}, true
	}
}

// object is a request on the object of kind whose id replaces {id}.
func object(method, kind, path string, v url.Values) builder {
	return func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
		return call{method: method, path: strings.Replace(path, "{id}", f.id(kind, a, sc), 1), form: v}, true
	}
}

// withCommune is a form naming a commune in the field "commune".
func withCommune(path string, v url.Values) builder {
	return func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
		values := url.Values{"commune": {f.commune(a, sc)}}
		for k, x := range v {
			values[k] = x
		}
		return call{method: http.MethodPost, path: path, form: values}, true
	}
}

var (
	editors      = []account.Role{account.Admin, account.Commune}                       // residential areas, movement entries
	reviewers    = []account.Role{account.Admin, account.Ministry, account.Province}    // movement review, plans, targets
	sourceTakers = []account.Role{account.Admin, account.Commune, account.Investigator} // enter sources, note on them
	revealers    = []account.Role{account.Admin, account.Investigator}                  // the default --reveal-roles
	admins       = []account.Role{account.Admin}
	publishers   = []account.Role{account.Admin, account.Ministry, account.Province} // security warnings
	remoteEditor = []account.Role{account.Admin, account.Province}                   // remote communes
	policeEditor = []account.Role{account.Admin, account.Province}                   // police units' names and jurisdictions
	// Everyone who reads a province's geography; a commune officer sees
	// their unit on their commune's page.
	policeReaders = []account.Role{account.Admin, account.Ministry, account.Province, account.Investigator, account.Procuracy}
)

// authzRules is the authorization matrix: one entry per route pattern.
func authzRules() map[string]rule {
	empty := url.Values{}
	return map[string]rule{
		// Public: static files, health, metrics, the API, the citizen portal.
		"GET /static/":             {public: true, req: page("/static/style.css")},
		"GET /static/pow.js":       {public: true, req: page("/static/pow.js")},
		"GET /healthz":             {public: true, req: page("/healthz")},
		"GET /readyz":              {public: true, req: page("/readyz")},
		"GET /metrics":             {public: true, req: page("/metrics")},
		"GET /api/v1/openapi.json": {public: true, req: page("/api/v1/openapi.json")},
		"GET /api/v1/geo/units":    {public: true, req: page("/api/v1/geo/units?parent=01")},
		"GET /api/v1/categories":   {public: true, req: page("/api/v1/categories")},
		"POST /api/v1/reports":     {public: true, req: apiCall("/api/v1/reports", `{}`)},
		// The follow-up routes get the right receipt code, so that the
		// look-up throttle (which wrong codes feed) stays out of the way; a
		// reply without a message is refused.
		"POST /api/v1/reports/lookup": {public: true, req: withReceipt(func(code string) call {
			return call{method: http.MethodPost, path: "/api/v1/reports/lookup", json: `{"receipt_code": "` + code + `"}`}
		})},
		"POST /api/v1/reports/reply": {public: true, req: withReceipt(func(code string) call {
			return call{method: http.MethodPost, path: "/api/v1/reports/reply", json: `{"receipt_code": "` + code + `", "message": ""}`}
		})},
		"GET /{$}":     {public: true, req: page("/")},
		"GET /to-giac": {public: true, req: page("/to-giac")},
		// Choosing a province reloads the form; nothing is submitted.
		"POST /to-giac": {public: true, req: form("/to-giac", url.Values{"chon_tinh": {"1"}, "province_code": {"01"}})},
		"GET /theo-doi": {public: true, req: page("/theo-doi")},
		"POST /theo-doi": {public: true, req: withReceipt(func(code string) call {
			return call{method: http.MethodPost, path: "/theo-doi", form: url.Values{"receipt_code": {code}}}
		})},
		"POST /theo-doi/tra-loi": {public: true, req: withReceipt(func(code string) call {
			return call{method: http.MethodPost, path: "/theo-doi/tra-loi", form: url.Values{"receipt_code": {code}, "message": {""}}}
		})},

		// Login. The second-factor steps need a session, so an anonymous
		// visitor is sent to sign in; a signed-in officer is told the step
		// is not needed or is shown it.
		"GET /dang-nhap":          {public: true, req: page("/dang-nhap")},
		"POST /dang-nhap":         {public: true, before: (*authzFixture).nextLoginWindow, req: form("/dang-nhap", empty)},
		"GET /dang-nhap/xac-thuc": {req: page("/dang-nhap/xac-thuc")},
		"POST /dang-nhap/xac-thuc": {before: (*authzFixture).nextLoginWindow,
			req: form("/dang-nhap/xac-thuc", url.Values{"code": {""}})},
		"GET /dang-nhap/dang-ky-xac-thuc":  {req: page("/dang-nhap/dang-ky-xac-thuc")},
		"POST /dang-nhap/dang-ky-xac-thuc": {req: form("/dang-nhap/dang-ky-xac-thuc", url.Values{"code": {""}})},
		"POST /dang-xuat": {
			// Logging out ends a throwaway session, not the one the matrix uses.
			req: func(t *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				c := call{method: http.MethodPost, path: "/dang-xuat"}
				if !a.anon() {
					c.session = f.freshSession(t, a)
				}
				return c, sc == scopeOwn
			},
			want: func(*actor, scope) outcome { return loggedOut },
			after: func(t *testing.T, f *authzFixture, a *actor, c call, r reply) {
				if c.session == "" {
					return
				}
				if _, _, err := f.srv.Main.Accounts.Session(context.Background(), c.session); !errs.Is(err, errs.Unauthorized) {
					t.Errorf("%s: the session is still open after logging out (%v)", a.name, err)
				}
			},
		},

		// The workspace and geography.
		"GET /can-bo":         {req: page("/can-bo")},
		"GET /can-bo/dia-ban": {req: page("/can-bo/dia-ban")},
		// A commune's page lists its areas; a province's only counts them.
		"GET /can-bo/dia-ban/{code}": {shows: "area", showsTo: account.Commune,
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				return call{method: http.MethodGet, path: "/can-bo/dia-ban/" + f.unit(a, sc)}, true
			}},
		"POST /can-bo/dia-ban/{code}/khu-dan-cu": {roles: editors,
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				// No name: a permitted request fails validation.
				return call{method: http.MethodPost, path: "/can-bo/dia-ban/" + f.commune(a, sc) + "/khu-dan-cu",
					form: url.Values{"name": {""}, "kind": {"thon"}}}, true
			}},
		// Remote communes: the administrator anywhere, provincial staff in
		// their own province. Without a basis a permitted listing fails
		// validation; unmarking is the permitted request, on a commune
		// listed before each try.
		"POST /can-bo/dia-ban/{code}/vung-xa": {roles: remoteEditor,
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				return call{method: http.MethodPost, path: "/can-bo/dia-ban/" + f.commune(a, sc) + "/vung-xa",
					form: url.Values{"basis": {""}, "valid_from": {"2026-12-01"}}}, true
			}},
		"POST /can-bo/dia-ban/{code}/vung-xa/xoa": {roles: remoteEditor, before: (*authzFixture).listRemote,
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				return call{method: http.MethodPost, path: "/can-bo/dia-ban/" + f.commune(a, sc) + "/vung-xa/xoa", form: empty}, true
			},
			after: func(t *testing.T, f *authzFixture, a *actor, c call, _ reply) {
				if code := strings.Split(c.path, "/")[3]; f.isRemote(t, code) {
					t.Errorf("%s unmarked %s, yet it is still listed as remote", a.name, code)
				}
			}},
		// Police units: the list of a province's units and their
		// jurisdictions; editing one (named by its code, CA- and the
		// commune's) for the administrator anywhere and provincial staff in
		// their own province. Without a name a permitted edit fails
		// validation.
		"GET /can-bo/dia-ban/{code}/don-vi-cong-an": {roles: policeReaders,
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				return call{method: http.MethodGet, path: "/can-bo/dia-ban/" + f.province(a, sc) + "/don-vi-cong-an"}, true
			}},
		"GET /can-bo/don-vi-cong-an/{code}": {roles: policeEditor,
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				return call{method: http.MethodGet, path: "/can-bo/don-vi-cong-an/CA-" + f.commune(a, sc)}, true
			}},
		"POST /can-bo/don-vi-cong-an/{code}": {roles: policeEditor,
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				return call{method: http.MethodPost, path: "/can-bo/don-vi-cong-an/CA-" + f.commune(a, sc),
					form: url.Values{"name": {""}, "communes": {f.commune(a, sc)}}}, true
			}},
		"GET /can-bo/khu-dan-cu/{id}":  {roles: editors, shows: "area", req: object(http.MethodGet, "area", "/can-bo/khu-dan-cu/{id}", nil)},
		"POST /can-bo/khu-dan-cu/{id}": {roles: editors, req: object(http.MethodPost, "area", "/can-bo/khu-dan-cu/{id}", url.Values{"name": {""}, "kind": {"thon"}})},

		// Crime sources.
		"GET /can-bo/nguon-tin": {shows: "source", req: page("/can-bo/nguon-tin")},
		// The blank entry form shows nothing of any source; entering one is
		// checked on POST.
		"GET /can-bo/nguon-tin/moi": {req: page("/can-bo/nguon-tin/moi")},
		"POST /can-bo/nguon-tin": {roles: sourceTakers,
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				switch {
				case sc == scopeMissing || (sc == scopeOther && a.role == account.Commune):
					// A commune officer's sources go to their own commune
					// whatever the form says; unit codes are public.
					return call{}, false
				case sc == scopeOther:
					// A complete report for another province's commune.
					return call{method: http.MethodPost, path: "/can-bo/nguon-tin", form: url.Values{"kind": {"to_giac"}, "channel": {"walk_in"},
						"category": {"cong_nghe_cao"}, "commune_code": {f.commune(a, sc)}, "anonymous": {"1"},
						"description": {"Tin báo thử nghiệm của đơn vị khác về lừa đảo qua mạng."}}}, true
				}
				return call{method: http.MethodPost, path: "/can-bo/nguon-tin", form: url.Values{}}, true
			},
			want: func(a *actor, sc scope) outcome {
				if sc == scopeOther && a.role == account.Investigator {
					return invalid
				}
				return rule{roles: sourceTakers}.expect(a, sc)
			}},
		"GET /can-bo/nguon-tin/{id}": {shows: "source", req: object(http.MethodGet, "source", "/can-bo/nguon-tin/{id}", nil)},
		"POST /can-bo/nguon-tin/{id}/thao-tac": {roles: sourceTakers,
			req: object(http.MethodPost, "source", "/can-bo/nguon-tin/{id}/thao-tac", url.Values{"action": {"note"}, "note": {""}})},
		"POST /can-bo/nguon-tin/{id}/danh-tinh": {roles: revealers,
			req: object(http.MethodPost, "source", "/can-bo/nguon-tin/{id}/danh-tinh", url.Values{"reason": {""}})},
		"GET /can-bo/tep/{id}": {req: object(http.MethodGet, "file", "/can-bo/tep/{id}", nil)},

		// Dashboards, of the unit given as ?don-vi=.
		"GET /can-bo/so-lieu": {req: unitPage("/can-bo/so-lieu")},

		// Time limits and the calendar.
		"GET /can-bo/thoi-han":       {req: page("/can-bo/thoi-han")},
		"POST /can-bo/thoi-han/ngay": {roles: admins, req: form("/can-bo/thoi-han/ngay", url.Values{"day": {""}, "name": {""}, "kind": {"holiday"}})},
		"POST /can-bo/thoi-han/ngay/{day}/xoa": {roles: admins,
			// Deleting is the permitted request, on a throwaway day.
			before: (*authzFixture).restoreDay,
			req:    form("/can-bo/thoi-han/ngay/"+throwawayDay+"/xoa", empty),
			after: func(t *testing.T, f *authzFixture, a *actor, _ call, _ reply) {
				if f.hasDay(t) {
					t.Errorf("%s deleted %s, yet it is still in the calendar", a.name, throwawayDay)
				}
			}},

		// The movement.
		"GET /can-bo/phong-trao":          {req: unitPage("/can-bo/phong-trao")},
		"GET /can-bo/phong-trao/ngay-hoi": {req: unitPage("/can-bo/phong-trao/ngay-hoi")},
		"POST /can-bo/phong-trao/ngay-hoi/ke-hoach": {roles: reviewers,
			// A real plan, for a year nothing else uses.
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				return call{method: http.MethodPost, path: "/can-bo/phong-trao/ngay-hoi/ke-hoach", form: url.Values{"year": {"2031"},
					"province": {f.province(a, sc)}, "planned": {"3"}, "source": {"Kế hoạch thử"}}}, sc != scopeMissing
			}},
		"GET /can-bo/phong-trao/ngay-hoi/diem-moi":  {roles: editors, req: communePage("/can-bo/phong-trao/ngay-hoi/diem-moi")},
		"POST /can-bo/phong-trao/ngay-hoi/diem":     {roles: editors, req: withCommune("/can-bo/phong-trao/ngay-hoi/diem", url.Values{"year": {"2026"}})},
		"GET /can-bo/phong-trao/ngay-hoi/diem/{id}": {shows: "point", req: object(http.MethodGet, "point", "/can-bo/phong-trao/ngay-hoi/diem/{id}", nil)},
		"POST /can-bo/phong-trao/ngay-hoi/diem/{id}": {roles: editors,
			req: object(http.MethodPost, "point", "/can-bo/phong-trao/ngay-hoi/diem/{id}", url.Values{"held_on": {""}})},
		"POST /can-bo/phong-trao/ngay-hoi/diem/{id}/duyet": {roles: reviewers,
			// Returning needs a reason: a permitted request without one fails.
			req: object(http.MethodPost, "point", "/can-bo/phong-trao/ngay-hoi/diem/{id}/duyet", url.Values{"decision": {"return"}, "note": {""}})},
		"GET /can-bo/phong-trao/mo-hinh":      {req: unitPage("/can-bo/phong-trao/mo-hinh")},
		"GET /can-bo/phong-trao/mo-hinh/moi":  {roles: editors, req: communePage("/can-bo/phong-trao/mo-hinh/moi")},
		"POST /can-bo/phong-trao/mo-hinh":     {roles: editors, req: withCommune("/can-bo/phong-trao/mo-hinh", url.Values{"name": {""}})},
		"GET /can-bo/phong-trao/mo-hinh/{id}": {shows: "model", req: object(http.MethodGet, "model", "/can-bo/phong-trao/mo-hinh/{id}", nil)},
		"POST /can-bo/phong-trao/mo-hinh/{id}": {roles: editors,
			req: object(http.MethodPost, "model", "/can-bo/phong-trao/mo-hinh/{id}", url.Values{"name": {""}})},
		"POST /can-bo/phong-trao/mo-hinh/{id}/danh-gia": {roles: editors,
			req: object(http.MethodPost, "model", "/can-bo/phong-trao/mo-hinh/{id}/danh-gia", url.Values{"effective": {"1"}, "period": {"không phải kỳ"}})},
		"GET /can-bo/phong-trao/cong-nhan": {req: unitPage("/can-bo/phong-trao/cong-nhan")},
		"POST /can-bo/phong-trao/cong-nhan": {roles: editors,
			// The commune is registered for 2026 already: a permitted
			// request is a conflict.
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				subject := "commune:" + f.commune(a, sc)
				if sc == scopeMissing {
					subject = fmt.Sprintf("residential_area:%d", missingID)
				}
				return call{method: http.MethodPost, path: "/can-bo/phong-trao/cong-nhan", form: url.Values{"year": {"2026"}, "subject": {subject}}}, true
			}},
		"GET /can-bo/phong-trao/cong-nhan/{id}": {shows: "cycle", req: object(http.MethodGet, "cycle", "/can-bo/phong-trao/cong-nhan/{id}", nil)},
		"POST /can-bo/phong-trao/cong-nhan/{id}/tieu-chi/{code}": {roles: editors,
			// Evidence longer than allowed: a permitted request fails.
			req: object(http.MethodPost, "cycle", "/can-bo/phong-trao/cong-nhan/{id}/tieu-chi/1",
				url.Values{"met": {"1"}, "evidence": {strings.Repeat("x", 4001)}})},
		"GET /can-bo/phong-trao/cong-nhan/{id}/tieu-chi/{code}/tep": {req: object(http.MethodGet, "cycle", "/can-bo/phong-trao/cong-nhan/{id}/tieu-chi/1/tep", nil)},
		// Not every criterion is assessed: a permitted request fails.
		"POST /can-bo/phong-trao/cong-nhan/{id}/gui": {roles: editors, req: object(http.MethodPost, "cycle", "/can-bo/phong-trao/cong-nhan/{id}/gui", empty)},
		// The cycle is not submitted: a permitted request is a conflict.
		"POST /can-bo/phong-trao/cong-nhan/{id}/quyet-dinh": {roles: reviewers,
			req: object(http.MethodPost, "cycle", "/can-bo/phong-trao/cong-nhan/{id}/quyet-dinh", url.Values{"decision": {"return"}, "note": {""}})},
		"GET /can-bo/phong-trao/chi-tieu": {req: page("/can-bo/phong-trao/chi-tieu")},
		"POST /can-bo/phong-trao/chi-tieu": {roles: reviewers,
			// A real target, for a year nothing else uses.
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				return call{method: http.MethodPost, path: "/can-bo/phong-trao/chi-tieu", form: url.Values{"indicator": {"active_models"},
					"scope": {f.unit(a, sc)}, "year": {"2031"}, "comparator": {">="}, "value": {"1"}, "legal_source": {"Văn bản thử"}}}, sc != scopeMissing
			}},
		// The national conference report: figures by province, which every
		// movement role reads.
		"GET /bao-cao/ngay-hoi/{year}": {req: page("/bao-cao/ngay-hoi/2026")},

		// The province map: every officer opens it; the figures of
		// provinces outside their scope are left out (map_test.go).
		"GET /can-bo/ban-do":              {req: page("/can-bo/ban-do")},
		"GET /can-bo/ban-do/du-lieu.json": {req: page("/can-bo/ban-do/du-lieu.json?chi-so=qua-han")},

		// Security warnings. Anyone reads a published one on the portal;
		// the fixture's province warnings are drafts, which only their
		// province's officers and the nation's manage.
		"GET /canh-bao/{id}": {public: true,
			req: func(_ *testing.T, f *authzFixture, _ *actor, sc scope) (call, bool) {
				return call{method: http.MethodGet, path: "/canh-bao/" + strconv.FormatInt(f.publicWarning, 10)}, sc == scopeOwn
			}},
		"GET /can-bo/canh-bao":     {roles: publishers, shows: "warning", req: page("/can-bo/canh-bao")},
		"GET /can-bo/canh-bao/moi": {roles: publishers, req: page("/can-bo/canh-bao/moi")},
		"POST /can-bo/canh-bao": {roles: publishers,
			// No title: a permitted request fails validation; another
			// province, or a unit that does not exist, is not found.
			req: func(_ *testing.T, f *authzFixture, a *actor, sc scope) (call, bool) {
				return call{method: http.MethodPost, path: "/can-bo/canh-bao", form: url.Values{"unit": {f.province(a, sc)},
					"category": {"lua_dao"}, "title": {""}, "body": {"Nội dung thử."}, "dang": {"1"}}}, true
			}},
		"GET /can-bo/canh-bao/{id}": {roles: publishers, shows: "warning", req: object(http.MethodGet, "warning", "/can-bo/canh-bao/{id}", nil)},
		// No unit and no title: a permitted request fails validation.
		"POST /can-bo/canh-bao/{id}": {roles: publishers, req: object(http.MethodPost, "warning", "/can-bo/canh-bao/{id}", url.Values{"title": {""}})},
		// Publishing is the permitted request; the warning goes back to a
		// draft after it, so that the portal stays as the fixture made it.
		"POST /can-bo/canh-bao/{id}/dang": {roles: publishers, req: object(http.MethodPost, "warning", "/can-bo/canh-bao/{id}/dang", empty),
			after: func(t *testing.T, f *authzFixture, a *actor, _ call, r reply) {
				if r.Status != http.StatusSeeOther {
					t.Errorf("%s published a warning: status %d, want a redirect to it", a.name, r.Status)
				}
				f.unpublishWarnings(t, a)
			}},
		// The warning is a draft: a permitted request is a conflict.
		"POST /can-bo/canh-bao/{id}/go": {roles: publishers, req: object(http.MethodPost, "warning", "/can-bo/canh-bao/{id}/go", empty)},

		// Staff accounts: the administrator manages those of their subtree
		// (a commune officer's account stands for the scope); every other
		// role is refused whatever the id. A permitted request changes
		// nothing: an account without a username, an action without its
		// confirmation, unlocking or enabling an account that is neither
		// locked nor disabled.
		"GET /can-bo/tai-khoan":     {roles: admins, req: page("/can-bo/tai-khoan")},
		"GET /can-bo/tai-khoan/moi": {roles: admins, req: page("/can-bo/tai-khoan/moi")},
		"POST /can-bo/tai-khoan": {roles: admins,
			req: form("/can-bo/tai-khoan", url.Values{"username": {""}, "role": {"commune"}, "unit": {"T0101"}})},
		"GET /can-bo/tai-khoan/{id}":                   {roles: admins, req: accountObject(http.MethodGet, "/can-bo/tai-khoan/{id}")},
		"POST /can-bo/tai-khoan/{id}/dat-lai-mat-khau": {roles: admins, req: accountObject(http.MethodPost, "/can-bo/tai-khoan/{id}/dat-lai-mat-khau")},
		"POST /can-bo/tai-khoan/{id}/dat-lai-xac-thuc": {roles: admins, req: accountObject(http.MethodPost, "/can-bo/tai-khoan/{id}/dat-lai-xac-thuc")},
		"POST /can-bo/tai-khoan/{id}/vo-hieu-hoa":      {roles: admins, req: accountObject(http.MethodPost, "/can-bo/tai-khoan/{id}/vo-hieu-hoa")},
		"POST /can-bo/tai-khoan/{id}/kich-hoat":        {roles: admins, req: accountObject(http.MethodPost, "/can-bo/tai-khoan/{id}/kich-hoat")},
		"POST /can-bo/tai-khoan/{id}/mo-khoa":          {roles: admins, req: accountObject(http.MethodPost, "/can-bo/tai-khoan/{id}/mo-khoa")},
		// Every officer changes their own password; without the current
		// one a request fails validation.
		"GET /can-bo/mat-khau":  {req: page("/can-bo/mat-khau")},
		"POST /can-bo/mat-khau": {req: form("/can-bo/mat-khau", url.Values{"current": {""}, "new": {"mat-khau-moi-2026"}, "confirm": {"mat-khau-moi-2026"}})},
	}
}

// TestAuthorizationMatrix tries every route of the router with an officer
// of every role on their own unit, on another unit and on ids and codes
// that do not exist, and anonymously; each answer must be the one the
// matrix states, a refusal must leave the database as it was, and no page
// may show an object outside the officer's subtree. A route without an
// entry fails the test, so a new route forces a decision.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newAuthzFixture(t, e)
			rules := authzRules()
			patterns := f.patterns()
			routed := map[string]bool{}
			for _, p := range patterns {
				routed[p] = true
				if _, ok := rules[p]; !ok {
					t.Errorf("route %q has no entry in the authorization matrix: decide who may use it and add it to authzRules", p)
				}
			}
			for p := range rules {
				if !routed[p] {
					t.Errorf("the authorization matrix has an entry for %q, which is no longer a route: remove it", p)
				}
			}
			cases := 0
			for _, p := range patterns {
				r, ok := rules[p]
				if !ok {
					continue
				}
				t.Run(p, func(t *testing.T) { cases += f.check(t, r) })
			}
			t.Logf("%s: %d routes, %d cases (route, officer, scope)", e, len(patterns), cases)
		})
	}
}

// check makes every request of one route's rule and returns how many.
func (f *authzFixture) check(t *testing.T, r rule) int {
	n := 0
	for _, a := range f.actors {
		status := map[scope]int{}
		for _, sc := range a.scopes() {
			c, ok := r.req(t, f, a, sc)
			if !ok {
				continue
			}
			n++
			want := r.expect(a, sc)
			if r.before != nil {
				r.before(f, t)
				f.cached = ""
			}
			before := f.cached
			if want.refusal() && before == "" {
				before = f.digest(t)
			}
			res := f.send(t, a, c)
			status[sc] = res.Status
			what := fmt.Sprintf("%s %s as %s (%s)", c.method, c.path, a.name, sc)
			if p := want.problem(res); p != "" {
				t.Errorf("%s: %s\n%s", what, p, excerpt(res.Body))
			}
			if want.refusal() {
				after := f.digest(t)
				if after != before {
					t.Errorf("%s: refused, yet the database changed", what)
				}
				f.cached = after
			} else {
				f.cached = ""
			}
			for _, m := range f.markers {
				if !m.visibleTo(a) && strings.Contains(res.Body, m.text) {
					t.Errorf("%s: the answer shows %s, an object outside the officer's subtree", what, m.text)
				}
			}
			if want == allow && res.Status == http.StatusOK && r.shows != "" && (r.showsTo == "" || r.showsTo == a.role) {
				if m := f.marker(r.shows, a, sc); !strings.Contains(res.Body, m) {
					t.Errorf("%s: the page does not show %s, the object the case is about", what, m)
				}
			}
			if r.after != nil && want.problem(res) == "" && !want.refusal() {
				r.after(t, f, a, c, res)
			}
		}
		// Another unit's object and a missing one answer alike, so that
		// guessing ids or codes tells nothing.
		other, okOther := status[scopeOther]
		missing, okMissing := status[scopeMissing]
		if okOther && okMissing && other != missing {
			t.Errorf("as %s: another unit's object answers %d and a missing one %d; guessing tells which exist", a.name, other, missing)
		}
	}
	return n
}

// send makes c as a, with a's session (or the call's own).
func (f *authzFixture) send(t *testing.T, a *actor, c call) reply {
	t.Helper()
	var req *http.Request
	var err error
	switch {
	case c.json != "":
		req, err = http.NewRequest(c.method, f.srv.URL+c.path, strings.NewReader(c.json))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	case c.method == http.MethodPost:
		req, err = http.NewRequest(c.method, f.srv.URL+c.path, strings.NewReader(c.form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	default:
		req, err = http.NewRequest(c.method, f.srv.URL+c.path, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	token := a.token
	if c.session != "" {
		token = c.session
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "toandan_session", Value: token})
	}
	return send(t, f.client, req)
}

// excerpt is the part of a body worth showing in a failure message: the
// page's main content, shortened.
func excerpt(body string) string {
	if _, main, ok := strings.Cut(body, `<main id="noi-dung">`); ok {
		body = main
	}
	if len(body) > 600 {
		return body[:600] + "…"
	}
	return body
}
