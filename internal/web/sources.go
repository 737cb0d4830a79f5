package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"toandan/internal/account"
	"toandan/internal/crimesource"
	"toandan/internal/deadline"
	"toandan/internal/errs"
	"toandan/internal/geo"
	"toandan/internal/store"
	"toandan/internal/xlsx"
)

func actorOf(u *account.User) crimesource.Actor {
	return crimesource.Actor{UserID: u.ID, Role: string(u.Role), Unit: u.UnitCode}
}

type inboxData struct {
	Page       crimesource.Page
	Filter     crimesource.Filter
	Categories []struct{ Code, Name string }
	Statuses   []struct{ Code, Name string }
	Query      template.URL // the filter as a query string, for the CSV and next links
	CanEnter   bool
}

var statusList = []string{crimesource.StatusReceived, crimesource.StatusRegistered, crimesource.StatusVerifying, crimesource.StatusSuspended,
	crimesource.StatusProsecuted, crimesource.StatusNotProsecuted, crimesource.StatusNotCrime, crimesource.StatusTransferredOut, crimesource.StatusMerged}

func filterFrom(r *http.Request) (crimesource.Filter, error) {
	q := r.URL.Query()
	f := crimesource.Filter{
		Status:   q.Get("trang-thai"),
		Category: q.Get("linh-vuc"),
		Channel:  q.Get("kenh"),
		Due:      q.Get("han"),
		Search:   q.Get("q"),
	}
	return f, f.ParseCursor(q.Get("sau"))
}

func filterQuery(f crimesource.Filter) string {
	v := make([]string, 0, 5)
	add := func(k, val string) {
		if val != "" {
			v = append(v, k+"="+urlQueryEscape(val))
		}
	}
	add("trang-thai", f.Status)
	add("linh-vuc", f.Category)
	add("kenh", f.Channel)
	add("han", f.Due)
	add("q", f.Search)
	return strings.Join(v, "&")
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	f, err := filterFrom(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	switch format := r.URL.Query().Get("dinh-dang"); format {
	case "csv", "xlsx":
		s.inboxExport(w, r, u, f, format)
		return
	}
	page, err := s.Sources.Inbox(ctx, actorOf(u), f)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	cats, err := s.Sources.Categories(ctx)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d := inboxData{Page: page, Filter: f, Categories: cats, Query: template.URL(filterQuery(f)),
		CanEnter: u.Role == account.Commune || u.Role == account.Investigator || u.Role == account.Admin}
	for _, st := range statusList {
		d.Statuses = append(d.Statuses, struct{ Code, Name string }{st, crimesource.StatusName(st)})
	}
	s.render(w, r, http.StatusOK, "sources", view{Title: "Nguồn tin về tội phạm", User: u, Staff: true, Data: d})
}

// maxExportRows is the most rows one export holds: what a spreadsheet
// sheet can (1,048,576 lines, one of them the header).
const maxExportRows = 1<<20 - 1

// inboxExport streams every source of the filter as CSV or XLSX, newest
// first, in keyset pages, so that memory stays flat whatever the count.
// gioi-han=N stops after N rows. The number of rows written is sent as the
// X-Rows trailer.
func (s *Server) inboxExport(w http.ResponseWriter, r *http.Request, u *account.User, f crimesource.Filter, format string) {
	ctx := r.Context()
	limit := maxExportRows
	if v := r.URL.Query().Get("gioi-han"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.fail(w, r, u, errs.Field("gioi-han", "Giới hạn số dòng phải là số nguyên dương."))
			return
		}
		limit = min(n, maxExportRows)
	}
	header := []string{"ma_theo_doi", "so_tiep_nhan", "nam", "ngay_tiep_nhan", "linh_vuc", "kenh", "trang_thai", "don_vi", "han_gan_nhat", "so_ngay_con_lai", "tom_tat"}
	w.Header().Set("Trailer", "X-Rows")
	var write func(row crimesource.Row) error
	var finish func() error
	switch format {
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="nguon-tin.xlsx"`)
		xw := xlsx.NewWriter(w)
		xw.SheetName("Nguồn tin")
		if err := xw.WriteHeader(header...); err != nil {
			s.Log.Error("inbox xlsx", "err", err)
			return
		}
		write = func(row crimesource.Row) error { return xw.WriteRow(exportCells(row)...) }
		finish = xw.Close
	default:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="nguon-tin.csv"`)
		w.Write([]byte("\xef\xbb\xbf"))
		cw := csv.NewWriter(w)
		cw.Write(header)
		write = func(row crimesource.Row) error {
			cells := exportCells(row)
			rec := make([]string, len(cells))
			for i, c := range cells {
				switch v := c.(type) {
				case string:
					rec[i] = v
				case int:
					rec[i] = strconv.Itoa(v)
				}
			}
			return cw.Write(rec)
		}
		finish = func() error { cw.Flush(); return cw.Error() }
	}
	n := 0
	f.Limit = crimesource.ExportPage
	for n < limit {
		page, err := s.Sources.Inbox(ctx, actorOf(u), f)
		if err != nil {
			s.Log.Error("inbox export", "err", err)
			return
		}
		for _, row := range page.Rows {
			if n == limit {
				break
			}
			if err := write(row); err != nil {
				s.Log.Error("inbox export", "err", err)
				return
			}
			n++
		}
		if page.Next == "" {
			break
		}
		if err := f.ParseCursor(page.Next); err != nil {
			return
		}
	}
	if err := finish(); err != nil {
		s.Log.Error("inbox export", "err", err)
		return
	}
	w.Header().Set("X-Rows", strconv.Itoa(n))
}

// exportCells is a row of an export: texts that could run as formulas
// neutralised, numbers as numbers, nil where a source has no open limit.
func exportCells(row crimesource.Row) []any {
	var due, left any
	if !row.NextDue.IsZero() {
		due, left = crimesource.DueStamp(row.NextDue), row.DaysLeft
	}
	return []any{row.TrackingCode, row.RegisterNo, row.RegisterYear, row.ReceivedAt.In(vnZone).Format("2006-01-02 15:04"),
		row.CategoryName, crimesource.ChannelName(row.Channel), crimesource.StatusName(row.Status), csvSafe(row.UnitName), due, left, csvSafe(row.Summary)}
}

type sourceData struct {
	D            crimesource.Detail
	Actions      []string
	CanReveal    bool
	Identity     *crimesource.Reporter
	Categories   []struct{ Code, Name string }
	Provinces    []geo.Unit
	Investigator []account.User
	Grounds      any
	Form         map[string]string
}

func (s *Server) sourceID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, errs.E(errs.NotFound, "Không tìm thấy nguồn tin.")
	}
	return id, nil
}

func (s *Server) sourceData(ctx context.Context, u *account.User, id int64) (sourceData, error) {
	d, err := s.Sources.Get(ctx, actorOf(u), id)
	if err != nil {
		return sourceData{}, err
	}
	sd := sourceData{D: d, Actions: crimesource.AvailableActions(string(u.Role), d), Grounds: crimesource.GroundsOn(s.Clock.Now())}
	for _, r := range s.Sources.RevealRoles {
		if r == string(u.Role) && d.HasIdentity {
			sd.CanReveal = true
		}
	}
	if sd.Categories, err = s.Sources.Categories(ctx); err != nil {
		return sd, err
	}
	if sd.Provinces, err = s.Geo.Provinces(ctx, s.Geo.Today()); err != nil {
		return sd, err
	}
	if d.Province != "" && (u.Role == account.Investigator || u.Role == account.Admin) {
		users, err := s.Accounts.List(ctx, d.Province)
		if err != nil {
			return sd, err
		}
		for _, x := range users {
			if x.Role == account.Investigator && x.UnitCode == d.Province && !x.Disabled {
				sd.Investigator = append(sd.Investigator, x)
			}
		}
	}
	return sd, nil
}

func (s *Server) sourcePage(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := s.sourceID(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if wantsCSV(r) {
		s.sourceDeadlinesCSV(w, r, u, id)
		return
	}
	sd, err := s.sourceData(r.Context(), u, id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "source", view{Title: "Nguồn tin " + sd.D.TrackingCode, User: u, Staff: true, Data: sd,
		Flash: map[string]string{"ok": "Đã ghi nhận thao tác."}[r.URL.Query().Get("kq")]})
}

// deadlineStateNames word the state of a source's time limit.
var deadlineStateNames = map[string]string{
	deadline.StateOK: "Trong hạn", deadline.StateAtRisk: "Sắp hết hạn", deadline.StateOverdue: "Quá hạn",
	"met": "Đã thực hiện", "cancelled": "Không còn áp dụng",
}

// sourceDeadlinesCSV sends the time limits of a source, the table its page
// shows, as ?dinh-dang=csv&bang=thoi-han.
func (s *Server) sourceDeadlinesCSV(w http.ResponseWriter, r *http.Request, u *account.User, id int64) {
	if table := r.URL.Query().Get("bang"); table != "thoi-han" {
		s.fail(w, r, u, errs.E(errs.NotFound, "Trang này không có bảng “%s”.", table))
		return
	}
	d, err := s.Sources.Get(r.Context(), actorOf(u), id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	rows := make([][]string, 0, len(d.Deadlines))
	for _, x := range d.Deadlines {
		left, met := "", ""
		if x.State == deadline.StateOK || x.State == deadline.StateAtRisk || x.State == deadline.StateOverdue {
			left = strconv.Itoa(x.DaysLeft)
		}
		if t, err := store.ParseTime(x.MetAt); err == nil && !t.IsZero() {
			met = t.In(vnZone).Format("2006-01-02 15:04")
		}
		rows = append(rows, []string{d.TrackingCode, x.RuleCode, csvSafe(x.RuleName), csvSafe(x.Basis), x.StartedAt.In(vnZone).Format("2006-01-02 15:04"),
			crimesource.DueStamp(x.DueAt), x.State, deadlineStateNames[x.State], left, met})
	}
	s.writeCSV(w, "thoi-han-"+d.TrackingCode+".csv", []string{"ma_theo_doi", "ma_viec", "viec", "can_cu", "bat_dau", "han",
		"tinh_trang", "tinh_trang_ten", "so_ngay_con_lai", "thuc_hien_luc"}, rows)
}

func (s *Server) sourceAct(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	id, err := s.sourceID(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	files, err := s.parseUpload(w, r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	assign, _ := strconv.ParseInt(r.PostFormValue("assign_to"), 10, 64)
	a := crimesource.Action{
		Kind: r.PostFormValue("action"), Note: r.PostFormValue("note"), Urgent: r.PostFormValue("urgent") == "1",
		Category: r.PostFormValue("category"), Agency: r.PostFormValue("agency"), Province: r.PostFormValue("province"),
		AssignTo: assign, Outcome: r.PostFormValue("outcome"), Ground: r.PostFormValue("ground"), Target: r.PostFormValue("target"),
		Message: r.PostFormValue("message"), Ref: r.PostFormValue("ref"), Files: files, ReceivedOn: r.PostFormValue("received_on"),
	}
	if err := s.Sources.Act(ctx, actorOf(u), id, a); err != nil {
		if errs.Status(err) >= 500 || errs.Is(err, errs.NotFound) {
			s.fail(w, r, u, err)
			return
		}
		sd, derr := s.sourceData(ctx, u, id)
		if derr != nil {
			s.fail(w, r, u, derr)
			return
		}
		msg, fields := formErrors(err)
		if fields != nil {
			for _, m := range fields {
				msg = m
			}
		}
		sd.Form = map[string]string{"action": a.Kind, "note": a.Note, "message": a.Message, "received_on": a.ReceivedOn}
		s.render(w, r, errs.Status(err), "source", view{Title: "Nguồn tin " + sd.D.TrackingCode, User: u, Staff: true, Data: sd, Error: msg})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/nguon-tin/%d?kq=ok", id), http.StatusSeeOther)
}

func (s *Server) sourceReveal(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	id, err := s.sourceID(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	rep, err := s.Sources.Reveal(ctx, actorOf(u), id, r.PostFormValue("reason"))
	sd, derr := s.sourceData(ctx, u, id)
	if derr != nil {
		s.fail(w, r, u, derr)
		return
	}
	if err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, u, err)
			return
		}
		s.render(w, r, errs.Status(err), "source", view{Title: "Nguồn tin " + sd.D.TrackingCode, User: u, Staff: true, Data: sd, Error: errs.Message(err)})
		return
	}
	sd.Identity = rep
	s.render(w, r, http.StatusOK, "source", view{Title: "Nguồn tin " + sd.D.TrackingCode, User: u, Staff: true, Data: sd,
		Flash: "Danh tính người báo tin chỉ hiển thị một lần trên trang này; lần xem đã được ghi vào nhật ký."})
}

func (s *Server) sourceFile(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, u, errs.E(errs.NotFound, "Không tìm thấy tệp."))
		return
	}
	data, ct, err := s.Sources.File(r.Context(), actorOf(u), id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	// The usual extension of each accepted type: the system's MIME table
	// lists them alphabetically (image/jpeg → .jfif first).
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic",
		"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm", "application/pdf": ".pdf"}[ct]
	if exts, _ := mime.ExtensionsByType(ct); ext == "" && len(exts) > 0 {
		ext = exts[0]
	} else if ext == "" {
		ext = ".bin"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="tep-%d%s"`, id, ext))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

type newSourceData struct {
	Categories []struct{ Code, Name string }
	Channels   any
	Communes   []geo.Unit
	Form       map[string]string
}

func (s *Server) sourceNewForm(w http.ResponseWriter, r *http.Request, u *account.User) {
	d, err := s.newSourceData(r.Context(), u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "source_new", view{Title: "Nhập nguồn tin", User: u, Staff: true, Data: d, Form: map[string]string{"channel": "walk_in"}})
}

func (s *Server) newSourceData(ctx context.Context, u *account.User) (newSourceData, error) {
	cats, err := s.Sources.Categories(ctx)
	if err != nil {
		return newSourceData{}, err
	}
	d := newSourceData{Categories: cats, Channels: crimesource.Channels[1:]}
	today := s.Geo.Today()
	switch {
	case u.Role == account.Commune:
		c, err := s.Geo.UnitAt(ctx, u.UnitCode, today)
		if err != nil {
			return d, err
		}
		d.Communes = []geo.Unit{c}
	case u.UnitCode != geo.Nation:
		if d.Communes, err = s.Geo.Children(ctx, u.UnitCode, today); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *Server) sourceCreate(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	if !(u.Role == account.Commune || u.Role == account.Investigator || u.Role == account.Admin) {
		s.fail(w, r, u, errs.E(errs.Forbidden, "Vai trò của bạn không nhập nguồn tin."))
		return
	}
	files, err := s.parseUpload(w, r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	in := crimesource.Intake{
		Kind: r.PostFormValue("kind"), Channel: r.PostFormValue("channel"), Category: r.PostFormValue("category"),
		CommuneCode: r.PostFormValue("commune_code"), Address: r.PostFormValue("address"), OccurredAt: r.PostFormValue("occurred_at"),
		Description: r.PostFormValue("description"), ReporterOrg: r.PostFormValue("reporter_org"), PostmarkedOn: r.PostFormValue("postmarked_on"),
		Urgent: r.PostFormValue("urgent") == "1", Anonymous: r.PostFormValue("anonymous") == "1", Files: files,
		FacilityReceivedOn: r.PostFormValue("facility_received_on"),
	}
	if u.UnitCode != geo.Nation && u.Role != account.Commune {
		in.ProvinceCode = u.UnitCode
	}
	if u.Role == account.Commune {
		in.CommuneCode = u.UnitCode
	}
	if name := strings.TrimSpace(r.PostFormValue("full_name")); name != "" || r.PostFormValue("id_number") != "" {
		in.Reporter = &crimesource.Reporter{FullName: name, IDNumber: r.PostFormValue("id_number"), Phone: r.PostFormValue("phone"),
			Address: r.PostFormValue("reporter_address"), Email: r.PostFormValue("email")}
	}
	if in.Reporter == nil && in.Kind == crimesource.KindDenunciation {
		in.Anonymous = true
	}
	rec, err := s.Sources.Submit(ctx, in, actorOf(u))
	if err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, u, err)
			return
		}
		d, derr := s.newSourceData(ctx, u)
		if derr != nil {
			s.fail(w, r, u, derr)
			return
		}
		msg, fields := formErrors(err)
		form := map[string]string{}
		for k := range r.PostForm {
			form[k] = r.PostFormValue(k)
		}
		s.render(w, r, errs.Status(err), "source_new", view{Title: "Nhập nguồn tin", User: u, Staff: true, Data: d, Error: msg, Fields: fields, Form: form})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/nguon-tin/%d?kq=ok", rec.ID), http.StatusSeeOther)
}
