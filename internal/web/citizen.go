package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"toandan/internal/crimesource"
	"toandan/internal/errs"
	"toandan/internal/geo"
)

type reportData struct {
	Categories []struct{ Code, Name string }
	Provinces  []geo.Unit
	Communes   []geo.Unit
	Province   string
	Challenge  string
	Difficulty int
	Receipt    *crimesource.Receipt
	MaxFiles   int
	MaxSize    string
}

func (s *Server) reportData(r *http.Request, province string) (reportData, error) {
	ctx := r.Context()
	d := reportData{Province: province, MaxFiles: s.limits().MaxFiles, MaxSize: sizeText(s.limits().MaxFileBytes)}
	var err error
	if d.Categories, err = s.Sources.Categories(ctx); err != nil {
		return d, err
	}
	today := s.Geo.Today()
	if d.Provinces, err = s.Geo.Provinces(ctx, today); err != nil {
		return d, err
	}
	if province != "" {
		if _, err := s.Geo.UnitAt(ctx, province, today); err == nil {
			if d.Communes, err = s.Geo.Children(ctx, province, today); err != nil {
				return d, err
			}
		} else {
			d.Province = ""
		}
	}
	if s.Guard != nil && s.Guard.PoW != nil && s.Guard.PoW.Difficulty > 0 {
		d.Challenge, d.Difficulty = s.Guard.PoW.Issue(), s.Guard.PoW.Difficulty
	}
	return d, nil
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) {
	d, err := s.reportData(r, r.URL.Query().Get("tinh"))
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.render(w, r, http.StatusOK, "report", view{Title: "Tố giác tội phạm", Data: d, Form: map[string]string{"anonymous": "1", "province_code": d.Province}})
}

func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) {
	files, err := s.parseUpload(w, r)
	if err != nil {
		s.reportAgain(w, r, err)
		return
	}
	// Choosing a province without JavaScript reloads the form with that
	// province's communes; nothing is submitted.
	if r.PostFormValue("chon_tinh") != "" {
		s.reportAgain(w, r, nil)
		return
	}
	proven := false
	if s.Guard != nil && s.Guard.PoW != nil {
		if n := r.PostFormValue("pow_nonce"); n != "" && s.Guard.PoW.Verify(r.PostFormValue("pow_challenge"), n) == nil {
			proven = true
		}
	}
	if err := s.Guard.AllowSubmit(w, r, proven); err != nil {
		s.reportAgain(w, r, err)
		return
	}
	rec, err := s.Sources.Submit(r.Context(), intakeFromForm(r, files), crimesource.Actor{})
	if err != nil {
		s.reportAgain(w, r, err)
		return
	}
	s.render(w, r, http.StatusCreated, "receipt", view{Title: "Đã gửi tin tố giác", Data: rec})
}

// intakeFromForm reads the report form, already parsed, as an intake. It
// checks nothing: the service validates a form and the API alike.
func intakeFromForm(r *http.Request, files []crimesource.Upload) crimesource.Intake {
	in := crimesource.Intake{
		Category: r.PostFormValue("category"), ProvinceCode: r.PostFormValue("province_code"), CommuneCode: r.PostFormValue("commune_code"),
		Address: r.PostFormValue("address"), Description: r.PostFormValue("description"), Anonymous: r.PostFormValue("anonymous") != "0", Files: files,
	}
	if r.PostFormValue("time_unknown") != "1" {
		in.OccurredAt = r.PostFormValue("occurred_at")
	}
	if lat, lon, ok := parsePoint(r.PostFormValue("lat"), r.PostFormValue("lon")); ok {
		in.Lat, in.Lon = &lat, &lon
	}
	if !in.Anonymous {
		in.Reporter = &crimesource.Reporter{FullName: r.PostFormValue("full_name"), IDNumber: r.PostFormValue("id_number"),
			Phone: r.PostFormValue("phone"), Address: r.PostFormValue("reporter_address"), Email: r.PostFormValue("email")}
	}
	return in
}

// reportAgain shows the form again with what the citizen typed, and the
// error next to its field. Files must be chosen again; the page says so.
func (s *Server) reportAgain(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil && errs.Status(err) >= 500 {
		s.fail(w, r, nil, err)
		return
	}
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostFormValue(k)
	}
	if r.MultipartForm != nil {
		for k, v := range r.MultipartForm.Value {
			if len(v) > 0 {
				form[k] = v[0]
			}
		}
	}
	d, derr := s.reportData(r, form["province_code"])
	if derr != nil {
		s.fail(w, r, nil, derr)
		return
	}
	status := http.StatusOK
	var msg string
	var fields map[string]string
	if err != nil {
		status = errs.Status(err)
		msg, fields = formErrors(err)
		if r.MultipartForm != nil && len(r.MultipartForm.File["attachments"]) > 0 {
			msg += " Vì lý do an toàn, tệp đính kèm chưa được lưu: vui lòng chọn lại tệp."
		}
	}
	s.render(w, r, status, "report", view{Title: "Tố giác tội phạm", Data: d, Error: msg, Fields: fields, Form: form})
}

// parsePoint reads the map's hidden coordinates. ParseFloat also takes
// "NaN" and "Inf", which no map gives: they are not a point.
func parsePoint(lat, lon string) (float64, float64, bool) {
	a, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	b, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
	return a, b, err1 == nil && err2 == nil && finite(a) && finite(b)
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func (s *Server) followForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "follow", view{Title: "Theo dõi tin đã gửi"})
}

func (s *Server) follow(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, nil, errs.E(errs.Invalid, "Không đọc được dữ liệu gửi lên."))
		return
	}
	code := r.PostFormValue("receipt_code")
	if err := s.Guard.LookupWait(w, r); err != nil {
		s.render(w, r, errs.Status(err), "follow", view{Title: "Theo dõi tin đã gửi", Error: errs.Message(err)})
		return
	}
	v, err := s.Sources.Lookup(r.Context(), code)
	s.Guard.LookupResult(r, err)
	if err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, nil, err)
			return
		}
		s.render(w, r, errs.Status(err), "follow", view{Title: "Theo dõi tin đã gửi", Error: errs.Message(err)})
		return
	}
	s.render(w, r, http.StatusOK, "follow", view{Title: "Theo dõi tin đã gửi", Data: v, Form: map[string]string{"receipt_code": code}})
}

func (s *Server) followReply(w http.ResponseWriter, r *http.Request) {
	files, err := s.parseUpload(w, r)
	code := r.PostFormValue("receipt_code")
	// The code is checked under the wait however the request fails: a reply
	// refused for its file, or during the wait, must not confirm a code.
	if werr := s.Guard.LookupWait(w, r); werr != nil {
		s.render(w, r, errs.Status(werr), "follow", view{Title: "Theo dõi tin đã gửi", Error: errs.Message(werr)})
		return
	}
	var v crimesource.CitizenView
	if err == nil {
		v, err = s.Sources.Reply(r.Context(), code, r.PostFormValue("message"), files)
	}
	if err != nil {
		if errs.Status(err) >= 500 {
			s.fail(w, r, nil, err)
			return
		}
		// Show the conversation again when the code was right.
		cv, lerr := s.Sources.Lookup(r.Context(), code)
		s.Guard.LookupResult(r, lerr)
		if lerr == nil {
			s.render(w, r, errs.Status(err), "follow", view{Title: "Theo dõi tin đã gửi", Data: cv, Error: errs.Message(err),
				Form: map[string]string{"receipt_code": code, "message": r.PostFormValue("message")}})
			return
		}
		s.render(w, r, errs.Status(err), "follow", view{Title: "Theo dõi tin đã gửi", Error: errs.Message(err)})
		return
	}
	s.Guard.LookupResult(r, nil)
	s.render(w, r, http.StatusOK, "follow", view{Title: "Theo dõi tin đã gửi", Data: v, Flash: "Đã gửi thông tin bổ sung.",
		Form: map[string]string{"receipt_code": code}})
}
