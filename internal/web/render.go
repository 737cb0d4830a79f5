package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"toandan/internal/account"
	"toandan/internal/crimesource"
	"toandan/internal/deadline"
	"toandan/internal/errs"
	"toandan/internal/geo"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err)
	}
	fileServer := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	})
}

type pages struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	"roleName":     func(r account.Role) string { return account.RoleName(r) },
	"areaKindName": geo.AreaKindName,
	"areaKinds":    func() any { return geo.AreaKinds },
	"typeWord":     geo.TypeWord,
	"timeVN": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(vnZone).Format("15:04 02/01/2006")
	},
	"dueVN":       crimesource.DueVN,
	"statusName":  crimesource.StatusName,
	"kindName":    crimesource.KindName,
	"channelName": crimesource.ChannelName,
	"channels":    func() any { return crimesource.Channels },
	"actionName":  func(k string) string { return crimesource.ActionNames[k] },
	"actionCtx":   func(root any, kind string) any { return struct{ Root, Kind any }{root, kind} },
	"overdueText": func(daysLeft int) string {
		if daysLeft >= 0 {
			return "Quá hạn"
		}
		return fmt.Sprintf("Quá hạn %d ngày", -daysLeft)
	},
	"fieldErr": func(m map[string]string, k string) string { return m[k] },
	"unitName": limitUnitName,
	"dayKind":  dayKindName,
	"dateVN": func(d string) string {
		if len(d) != 10 {
			return d
		}
		return d[8:10] + "/" + d[5:7] + "/" + d[0:4]
	},
}

// limitUnitName names the unit a time limit counts in.
func limitUnitName(u deadline.Unit) string {
	return map[deadline.Unit]string{deadline.Hours: "giờ", deadline.Days: "ngày", deadline.Months: "tháng"}[u]
}

// dayKindName names a kind of day in the calendar of days off.
func dayKindName(k string) string {
	return map[string]string{deadline.KindHoliday: "Ngày lễ, Tết", deadline.KindSubstitute: "Nghỉ bù", deadline.KindWorkingDay: "Làm việc bù"}[k]
}

func mustParsePages() *pages {
	p := &pages{byName: map[string]*template.Template{}}
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		t := template.Must(template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html", path.Join("templates", name)))
		p.byName[strings.TrimSuffix(name, ".html")] = t
	}
	return p
}

// view is what every page template receives.
type view struct {
	Title     string
	User      *account.User
	UnitTitle string
	Flash     string
	Error     string
	Fields    map[string]string // field name -> error message
	Form      map[string]string // values to put back in the form
	Data      any
	Staff     bool
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.Log.Error("render: no template", "name", name)
		http.Error(w, "Hệ thống gặp sự cố.", http.StatusInternalServerError)
		return
	}
	if v.User != nil && v.UnitTitle == "" {
		v.UnitTitle = s.unitTitle(r, v.User.UnitCode)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Log.Error("render", "name", name, "err", err)
		http.Error(w, "Hệ thống gặp sự cố.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) unitTitle(r *http.Request, code string) string {
	if code == geo.Nation {
		return "Toàn quốc"
	}
	u, err := s.Geo.UnitAt(r.Context(), code, s.Geo.Today())
	if err != nil {
		return code
	}
	return u.Title()
}

// fail answers a request with the error's status and a page saying what went
// wrong in words a user can act on. Internal errors are logged, not shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, u *account.User, err error) {
	status := errs.Status(err)
	if status == http.StatusInternalServerError {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		http.Redirect(w, r, "/dang-nhap?next="+url.QueryEscape(urlPathOnly(r)), http.StatusSeeOther)
		return
	}
	s.render(w, r, status, "error", view{Title: errorTitle(status), User: u, Error: errs.Message(err), Staff: u != nil})
}

func errorTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Không tìm thấy"
	case http.StatusForbidden:
		return "Không có quyền"
	case http.StatusBadRequest:
		return "Dữ liệu không hợp lệ"
	case http.StatusTooManyRequests:
		return "Thử lại sau"
	}
	return fmt.Sprintf("Lỗi %d", status)
}

func urlPathOnly(r *http.Request) string {
	if r.Method != http.MethodGet {
		return "/can-bo"
	}
	return r.URL.Path
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return "/can-bo"
	}
	for _, r := range next {
		// Browsers drop tabs and newlines, so "/\t/evil" would become "//evil".
		if r < 0x20 || r == 0x7f {
			return "/can-bo"
		}
	}
	return next
}

// formErrors turns a domain error about a field into the form's error map.
func formErrors(err error) (string, map[string]string) {
	if e, ok := errs.As(err); ok && e.Field != "" {
		return "Vui lòng sửa các mục được đánh dấu.", map[string]string{e.Field: e.Message}
	}
	return errs.Message(err), nil
}
