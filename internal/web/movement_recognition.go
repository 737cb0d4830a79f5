package web

import (
	"context"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"toandan/internal/account"
	"toandan/internal/errs"
	"toandan/internal/recognition"
)

type cycleRow struct {
	recognition.Cycle
	Subject     string
	CommuneName string
}

type subjectOption struct{ Value, Name string }

type cyclesData struct {
	Years    yearChoice
	Year     int
	Scope    movementScope
	Kind     string
	Status   string
	Kinds    any
	Statuses any
	Rows     []cycleRow
	Subjects []subjectOption // what the officer may register; empty when none
	Query    template.URL
}

var cycleFlash = map[string]string{
	"dang-ky":    "Đã đăng ký. Hãy tự đánh giá từng tiêu chí rồi gửi xét duyệt.",
	"danh-gia":   "Đã ghi kết quả tự đánh giá.",
	"gui":        "Đã gửi hồ sơ để xét công nhận.",
	"quyet-dinh": "Đã ghi quyết định.",
}

func (s *Server) cyclesData(ctx context.Context, u *account.User, year int, unit, kind, status string) (cyclesData, error) {
	sc, err := s.scopeOf(ctx, u, unit)
	if err != nil {
		return cyclesData{}, err
	}
	if recognition.SubjectKindName(kind) == kind {
		kind = ""
	}
	if recognition.StatusName(status) == status {
		status = ""
	}
	d := cyclesData{Year: year, Scope: sc, Kind: kind, Status: status, Kinds: recognition.SubjectKinds, Statuses: recognition.Statuses,
		Years: s.yearChoice("/can-bo/phong-trao/cong-nhan", year, map[string]string{"don-vi": unit, "loai": kind, "trang-thai": status}),
		Query: template.URL(query("nam", strconv.Itoa(year), "don-vi", unit, "loai", kind, "trang-thai", status))}
	cycles, err := s.Recognition.Cycles(ctx, *u, recognition.CycleFilter{Unit: sc.Code, Year: year, Kind: kind, Status: status})
	if err != nil {
		return d, err
	}
	names := map[string]string{}
	for _, c := range cycles {
		d.Rows = append(d.Rows, cycleRow{Cycle: c, Subject: s.cycleSubjectName(ctx, c, names), CommuneName: s.communeTitle(ctx, c.CommuneCode, names)})
	}
	if sc.IsCommune() && account.Allowed(u.Role, account.EditMovement) {
		areas, err := s.Geo.Areas(ctx, sc.Code, s.Geo.Today())
		if err != nil {
			return d, err
		}
		for _, a := range areas {
			d.Subjects = append(d.Subjects, subjectOption{recognition.KindResidentialArea + ":" + strconv.FormatInt(a.ID, 10),
				"Khu dân cư: " + areaLabel(a)})
		}
		d.Subjects = append(d.Subjects, subjectOption{recognition.KindCommune + ":" + sc.Code, "Xã, phường, đặc khu: " + sc.Title})
		if sc.Type == "ward" {
			d.Subjects = append(d.Subjects, subjectOption{recognition.KindModelWard + ":" + sc.Code, "Công an phường điển hình, kiểu mẫu: " + sc.Title})
		}
	}
	return d, nil
}

func (s *Server) cyclesPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	year, err := s.movementYear(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	q := r.URL.Query()
	d, err := s.cyclesData(r.Context(), u, year, q.Get("don-vi"), q.Get("loai"), q.Get("trang-thai"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if wantsCSV(r) {
		rows := make([][]string, 0, len(d.Rows))
		for _, c := range d.Rows {
			decided := ""
			if !c.DecidedAt.IsZero() {
				decided = c.DecidedAt.In(vnZone).Format("2006-01-02 15:04")
			}
			rows = append(rows, []string{strconv.FormatInt(c.ID, 10), strconv.Itoa(c.Year), c.SubjectKind, recognition.SubjectKindName(c.SubjectKind),
				c.SubjectCode, csvSafe(c.Subject), c.CommuneCode, csvSafe(c.CommuneName), c.Status, recognition.StatusName(c.Status),
				c.RegisteredAt.In(vnZone).Format("2006-01-02 15:04"), decided, csvSafe(c.DecisionNote)})
		}
		s.writeCSV(w, fmt.Sprintf("cong-nhan-%d-%s.csv", year, d.Scope.Code), []string{"id", "nam", "loai", "ten_loai", "ma_doi_tuong", "doi_tuong",
			"ma_xa", "ten_xa", "trang_thai", "ten_trang_thai", "dang_ky_luc", "quyet_dinh_luc", "y_kien"}, rows)
		return
	}
	s.render(w, r, http.StatusOK, "movement_cycles", staffView(u, "Công nhận “An toàn về an ninh, trật tự” năm "+strconv.Itoa(year), d, ""))
}

func (s *Server) cycleRegister(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	year, err := s.movementYear(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	kind, code, _ := strings.Cut(r.PostFormValue("subject"), ":")
	c, err := s.Recognition.Register(ctx, *u, year, kind, code)
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		d, derr := s.cyclesData(ctx, u, year, "", "", "")
		if derr != nil {
			s.fail(w, r, u, derr)
			return
		}
		msg, fields := formErrors(err)
		for _, m := range fields {
			// The form has one control for kind and subject.
			fields = map[string]string{"subject": m}
			break
		}
		v := staffView(u, "Công nhận “An toàn về an ninh, trật tự” năm "+strconv.Itoa(year), d, "")
		v.Error, v.Fields, v.Form = msg, fields, formValues(r)
		s.render(w, r, errs.Status(err), "movement_cycles", v)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/cong-nhan/%d?ok=dang-ky", c.ID), http.StatusSeeOther)
}

type criterionRow struct {
	recognition.Criterion
	Assessment *recognition.Assessment
}

type eventRow struct {
	recognition.Event
	Name      string
	ActorName string
}

type cycleData struct {
	D           recognition.CycleDetail
	CommuneName string
	Criteria    []criterionRow
	Events      []eventRow
	Assessed    int
	CanAssess   bool
	CanDecide   bool
	MaxFileSize string
}

var eventNames = map[string]string{
	"registered":     "Đăng ký",
	"assessed":       "Tự đánh giá",
	"submitted":      "Gửi xét duyệt",
	"returned":       "Trả lại để đánh giá lại",
	"recognised":     "Công nhận",
	"not_recognised": "Không công nhận",
}

func (s *Server) cycleData(ctx context.Context, u *account.User, id int64) (cycleData, error) {
	cd, err := s.Recognition.Cycle(ctx, *u, id)
	if err != nil {
		return cycleData{}, err
	}
	names := map[string]string{}
	cd.Subject = s.cycleSubjectName(ctx, cd.Cycle, names)
	d := cycleData{D: cd, CommuneName: s.communeTitle(ctx, cd.CommuneCode, names),
		MaxFileSize: sizeText(min(s.limits().MaxFileBytes, recognition.MaxFileBytes))}
	byCode := map[string]*recognition.Assessment{}
	for i := range cd.Assessments {
		byCode[cd.Assessments[i].CriterionCode] = &cd.Assessments[i]
	}
	for _, c := range cd.Set.Criteria {
		row := criterionRow{Criterion: c, Assessment: byCode[c.Code]}
		if row.Assessment != nil {
			d.Assessed++
		}
		d.Criteria = append(d.Criteria, row)
	}
	open := cd.Status == recognition.StatusRegistered || cd.Status == recognition.StatusReturned
	// Cycle has checked the unit; what is left is the role and the state.
	d.CanAssess = open && account.Allowed(u.Role, account.EditMovement)
	d.CanDecide = cd.Status == recognition.StatusSubmitted && account.Allowed(u.Role, account.ReviewMovement)
	actors := map[string]string{}
	for _, e := range cd.Events {
		d.Events = append(d.Events, eventRow{Event: e, Name: eventNames[e.Kind], ActorName: s.actorName(ctx, e.Actor, actors)})
	}
	return d, nil
}

// actorName turns an audit actor ("user:12") into the account's name.
func (s *Server) actorName(ctx context.Context, actor string, cache map[string]string) string {
	if n, ok := cache[actor]; ok {
		return n
	}
	n := actor
	if idText, ok := strings.CutPrefix(actor, "user:"); ok {
		if id, err := strconv.ParseInt(idText, 10, 64); err == nil {
			if x, err := s.Accounts.ByID(ctx, id); err == nil {
				n = x.Username
				if x.DisplayName != "" {
					n = x.DisplayName
				}
			}
		}
	}
	cache[actor] = n
	return n
}

func cycleTitle(d cycleData) string {
	return recognition.SubjectKindName(d.D.SubjectKind) + ": " + d.D.Subject + " — năm " + strconv.Itoa(d.D.Year)
}

func (s *Server) cyclePage(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := pathID(r, "Không tìm thấy hồ sơ công nhận.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	d, err := s.cycleData(r.Context(), u, id)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "movement_cycle", staffView(u, cycleTitle(d), d, cycleFlash[r.URL.Query().Get("ok")]))
}

// cycleAgain shows the cycle page again with what went wrong.
func (s *Server) cycleAgain(w http.ResponseWriter, r *http.Request, u *account.User, id int64, err error, form map[string]string) {
	d, derr := s.cycleData(r.Context(), u, id)
	if derr != nil {
		s.fail(w, r, u, derr)
		return
	}
	msg, fields := formErrors(err)
	v := staffView(u, cycleTitle(d), d, "")
	v.Error, v.Fields, v.Form = msg, fields, form
	s.render(w, r, errs.Status(err), "movement_cycle", v)
}

func (s *Server) cycleAssess(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	id, err := pathID(r, "Không tìm thấy hồ sơ công nhận.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	code := r.PathValue("code")
	form := map[string]string{"criterion": code}
	files, err := s.parseUpload(w, r)
	if err == nil {
		form["met"], form["evidence"] = r.PostFormValue("met"), r.PostFormValue("evidence")
		var met bool
		switch form["met"] {
		case "1":
			met = true
		case "0":
		default:
			err = errs.Field("met", "Vui lòng chọn đạt hoặc không đạt.")
		}
		if err == nil {
			var file *recognition.File
			if len(files) > 1 {
				err = errs.Field("attachments", "Mỗi tiêu chí chỉ đính kèm một tệp.")
			} else if len(files) == 1 {
				file = &recognition.File{Name: files[0].Name, Data: files[0].Data}
			}
			if err == nil {
				_, err = s.Recognition.Assess(ctx, *u, id, code, met, form["evidence"], file)
			}
		}
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		if e, ok := errs.As(err); ok && e.Field == "file" {
			err = errs.Field("attachments", "%s", e.Message)
		}
		s.cycleAgain(w, r, u, id, err, form)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/cong-nhan/%d?ok=danh-gia#tieu-chi-%s", id, urlQueryEscape(code)), http.StatusSeeOther)
}

func (s *Server) cycleFile(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := pathID(r, "Không tìm thấy hồ sơ công nhận.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	f, err := s.Recognition.AssessmentFile(r.Context(), *u, id, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	w.Header().Set("Content-Type", f.Type)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.Write(f.Data)
}

func (s *Server) cycleSubmit(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := pathID(r, "Không tìm thấy hồ sơ công nhận.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if _, err := s.Recognition.Submit(r.Context(), *u, id); err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		s.cycleAgain(w, r, u, id, err, nil)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/cong-nhan/%d?ok=gui", id), http.StatusSeeOther)
}

func (s *Server) cycleDecide(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, err := pathID(r, "Không tìm thấy hồ sơ công nhận.")
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	decision, note := r.PostFormValue("decision"), r.PostFormValue("note")
	if decision != "approve" && decision != "return" {
		err = errs.E(errs.Invalid, "Vui lòng chọn công nhận hoặc trả lại.")
	} else {
		_, err = s.Recognition.Decide(r.Context(), *u, id, decision == "approve", note)
	}
	if err != nil {
		if !userError(err) {
			s.fail(w, r, u, err)
			return
		}
		s.cycleAgain(w, r, u, id, err, map[string]string{"note": note})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/can-bo/phong-trao/cong-nhan/%d?ok=quyet-dinh", id), http.StatusSeeOther)
}
