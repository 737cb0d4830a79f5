package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"toandan/internal/recognition"
)

// Outcomes of a planned recognition cycle.
const (
	outRecognised = iota
	outReturned   // returned once, assessed again, then recognised
	outNotRecognised
)

// cyclePlan is one recognition cycle of the history.
type cyclePlan struct {
	year     int
	kind     string
	subject  func(ctx context.Context) (string, error)
	officer  *acct
	staff    *acct
	register time.Time
	assess   time.Time
	submit   time.Time
	decide   time.Time
	fail     []string // criteria self-assessed as not met
	outcome  int
	file     bool // attach a scanned record to criterion 1
}

// planCycle plans the steps of a cycle: registration by the officer,
// self-assessment of every criterion, submission, and the province's
// decision (a returned cycle is assessed again and resubmitted).
func (sd *seeder) planCycle(rng *rand.Rand, p cyclePlan) {
	var id int64
	what := fmt.Sprintf("%s cycle %d", p.kind, p.year)
	sd.at(p.register, "register "+what, func(ctx context.Context) error {
		code, err := p.subject(ctx)
		if err != nil {
			return err
		}
		c, err := sd.s.Recognition.Register(ctx, p.officer.user, p.year, p.kind, code)
		id = c.ID
		return err
	})
	evidence := pick(rng, cycleEvidence)
	sd.at(p.assess, "assess "+what, func(ctx context.Context) error {
		d, err := sd.s.Recognition.Cycle(ctx, p.officer.user, id)
		if err != nil {
			return err
		}
		for _, cr := range d.Set.Criteria {
			met := !slices.Contains(p.fail, cr.Code)
			note := evidence
			if !met {
				note = "Chưa đạt: " + pick(rngFor(cr.Code), failNotes)
			}
			var f *recognition.File
			if p.file && cr.Position == 1 {
				f = &recognition.File{Name: "bien-ban-tu-danh-gia.pdf", Data: samplePDF(p.year)}
			}
			if _, err := sd.s.Recognition.Assess(ctx, p.officer.user, id, cr.Code, met, note, f); err != nil {
				return err
			}
		}
		return nil
	})
	sd.at(p.submit, "submit "+what, func(ctx context.Context) error {
		_, err := sd.s.Recognition.Submit(ctx, p.officer.user, id)
		return err
	})
	if p.outcome != outReturned {
		note := pick(rng, decideNotes)
		sd.at(p.decide, "decide "+what, func(ctx context.Context) error {
			_, err := sd.s.Recognition.Decide(ctx, p.staff.user, id, true, note)
			return err
		})
		return
	}
	why := pick(rng, cycleReturnNotes)
	sd.at(p.decide, "return "+what, func(ctx context.Context) error {
		_, err := sd.s.Recognition.Decide(ctx, p.staff.user, id, false, why)
		return err
	})
	sd.at(p.decide.Add(3*24*time.Hour), "reassess "+what, func(ctx context.Context) error {
		d, err := sd.s.Recognition.Cycle(ctx, p.officer.user, id)
		if err != nil {
			return err
		}
		cr := d.Set.Criteria[0]
		_, err = sd.s.Recognition.Assess(ctx, p.officer.user, id, cr.Code, true, "Đã bổ sung biên bản và danh sách hộ gia đình đăng ký theo ý kiến của Công an tỉnh.", nil)
		return err
	})
	sd.at(p.decide.Add(4*24*time.Hour), "resubmit "+what, func(ctx context.Context) error {
		_, err := sd.s.Recognition.Submit(ctx, p.officer.user, id)
		return err
	})
	sd.at(p.decide.Add(8*24*time.Hour), "decide "+what, func(ctx context.Context) error {
		_, err := sd.s.Recognition.Decide(ctx, p.staff.user, id, true, "Hồ sơ đã bổ sung đầy đủ.")
		return err
	})
}

// rngFor is a small random source for texts that depend on nothing else.
func rngFor(s string) *rand.Rand {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return rand.New(rand.NewPCG(h, h>>7))
}

// onWorkday draws a moment in office hours on a weekday between two days
// (inclusive).
func onWorkday(rng *rand.Rand, from, to time.Time) time.Time {
	var days []time.Time
	for d := dayStart(from); !d.After(to); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			days = append(days, d)
		}
	}
	d := dayStart(from)
	if len(days) > 0 {
		d = pick(rng, days)
	}
	return d.Add(time.Duration(between(rng, 8*60, 16*60+30)) * time.Minute)
}

func day(y int, m time.Month, d int) time.Time { return vnTime(y, m, d, 0, 0) }

// planRecognition plans the grassroots models and their evaluations, the
// recognition of residential areas and communes after the reform, and the
// model ward police pilot from 2023.
func (sd *seeder) planRecognition() {
	sd.models = map[string]int{}
	sd.wardCycles = map[string]bool{}
	rng := sd.rng("recognition")
	outcome25 := map[string]int{}
	failWhy := map[string]string{}
	for _, p := range sd.g.provinces {
		for _, c := range sd.recog25[p.Code] {
			o := outRecognised
			switch x := rng.Float64(); {
			case p.Code == "19" && x < 0.1:
				o = outReturned
			case p.Code == "19":
			case x < 0.1:
				o = outReturned
			case x < 0.22:
				o = outNotRecognised
				failWhy[c.Code] = pick(rng, []string{"models", "discipline", "areas"})
			}
			outcome25[c.Code] = o
		}
	}
	for _, p := range sd.g.provinces {
		for _, c := range sd.recog25[p.Code] {
			sd.planModels(rng, c, failWhy[c.Code] == "models")
		}
	}
	for _, year := range []int{2025, 2026} {
		for _, p := range sd.g.provinces {
			list := sd.recog25[p.Code]
			if year == 2026 {
				list = sd.recog26[p.Code]
			}
			for _, c := range list {
				o := outcome25[c.Code]
				why := failWhy[c.Code]
				if year == 2026 {
					o, why = outRecognised, ""
					if chance(rng, 0.1) {
						o = outReturned
					}
				}
				sd.planCommuneCycles(rng, year, c, o, why)
			}
		}
	}
	sd.planModelWards(rng)
}

// planModels plans a commune's grassroots models, registered in the system
// in September 2025, and their evaluations for 2025 and the first half of
// 2026. noneEffective leaves the commune without an effective model in 2025.
func (sd *seeder) planModels(rng *rand.Rand, c unit, noneEffective bool) {
	off := sd.officer(officersFrom, c, false)
	areas := sd.areasOf(c)
	n := between(rng, 1, 3)
	for i := 0; i < n; i++ {
		kind := modelKinds[rng.IntN(len(modelKinds))]
		if i == 0 {
			kind = modelKinds[rng.IntN(3)] // cameras, self-managed teams, loudspeakers: the common ones
		}
		place, area := c.title(), ""
		if chance(rng, 0.6) {
			area = pick(rng, areas)
			place = area
		}
		name := fmt.Sprintf(pick(rng, kind.names), place)
		if kind.typ == "dong_ho_tu_quan" {
			name = fmt.Sprintf(kind.names[0], pickW(rng, surnames))
		}
		started := day(2018, 1, 1).AddDate(0, 0, rng.IntN(2700))
		in := recognition.ModelInput{Name: name, TypeCode: kind.typ, StartedOn: dateOf(started), Members: between(rng, 8, 60)}
		status := recognition.ModelActive
		if i > 0 {
			switch x := rng.Float64(); {
			case x < 0.08:
				status = recognition.ModelPaused
			case x < 0.15 && started.Before(day(2024, 1, 1)):
				status = recognition.ModelEnded
				in.EndedOn = dateOf(started.AddDate(1, rng.IntN(6), 0))
			}
		}
		in.Status = status
		sd.models[c.Province]++
		var id int64
		sd.at(onWorkday(rng, day(2025, 9, 12), day(2025, 9, 30)), "model "+c.Code, func(ctx context.Context) error {
			if area != "" {
				aid, err := sd.areaID(ctx, c.Code, area)
				if err != nil {
					return err
				}
				in.AreaID = aid
			}
			m, err := sd.s.Recognition.CreateModel(ctx, off.user, c.Code, in)
			id = m.ID
			return err
		})
		if status == recognition.ModelEnded {
			continue
		}
		eff25 := !noneEffective && (i == 0 || chance(rng, 0.8))
		note25 := pick(rng, evalNotes)
		if !eff25 {
			note25 = "Hoạt động chưa thường xuyên, chưa phát huy hiệu quả."
		}
		sd.at(onWorkday(rng, day(2025, 11, 3), day(2025, 11, 18)), "evaluate model 2025", func(ctx context.Context) error {
			_, err := sd.s.Recognition.Evaluate(ctx, off.user, id, "2025", eff25, note25)
			return err
		})
		if status != recognition.ModelActive {
			continue
		}
		eff26 := i == 0 || chance(rng, 0.85)
		note26 := pick(rng, evalNotes)
		sd.at(onWorkday(rng, day(2026, 7, 6), day(2026, 7, 24)), "evaluate model 2026-H1", func(ctx context.Context) error {
			_, err := sd.s.Recognition.Evaluate(ctx, off.user, id, "2026-H1", eff26, note26)
			return err
		})
	}
}

// planCommuneCycles plans a year's recognition of a commune and of all its
// residential areas (a commune needs 100% of its areas registered and 70%
// recognised).
func (sd *seeder) planCommuneCycles(rng *rand.Rand, year int, c unit, outcome int, why string) {
	off := sd.officer(officersFrom, c, false)
	staff := sd.staff(c.Province)
	areas := sd.areasOf(c)
	failing := 0
	if why == "areas" {
		failing = int(0.3*float64(len(areas))) + 1
	}
	// Dates: after the reform the 2025 cycles were registered again on the
	// new communes in September; from 2026 in the first quarter.
	reg := [2]time.Time{day(2025, 9, 15), day(2025, 9, 26)}
	ass := [2]time.Time{day(2025, 10, 1), day(2025, 10, 20)}
	dec := [2]time.Time{day(2025, 11, 1), day(2025, 11, 12)}
	cAss := [2]time.Time{day(2025, 11, 26), day(2025, 11, 28)}
	cDec := [2]time.Time{day(2025, 12, 5), day(2025, 12, 15)}
	if year == 2026 {
		reg = [2]time.Time{day(2026, 2, 9), day(2026, 3, 20)}
		ass = [2]time.Time{day(2026, 6, 1), day(2026, 8, 28)}
		dec = [2]time.Time{day(2026, 9, 14), day(2026, 10, 16)}
		cAss = [2]time.Time{day(2026, 11, 9), day(2026, 11, 30)}
		cDec = [2]time.Time{day(2026, 12, 2), day(2026, 12, 16)}
	}
	for i, name := range areas {
		ao := outRecognised
		var fail []string
		switch {
		case i < failing:
			ao, fail = outNotRecognised, []string{"4"}
		case chance(rng, 0.06):
			ao = outReturned
		}
		a := onWorkday(rng, ass[0], ass[1])
		sd.planCycle(rng, cyclePlan{year: year, kind: recognition.KindResidentialArea, officer: off, staff: staff,
			subject: func(ctx context.Context) (string, error) {
				id, err := sd.areaID(ctx, c.Code, name)
				return strconv.FormatInt(id, 10), err
			},
			register: onWorkday(rng, reg[0], reg[1]), assess: a, submit: a.Add(time.Duration(between(rng, 20, 50)) * time.Hour),
			decide: onWorkday(rng, dec[0], dec[1]), fail: fail, outcome: ao, file: chance(rng, 0.1)})
	}
	var fail []string
	switch why {
	case "models":
		fail = []string{"1"}
	case "discipline":
		fail = []string{"3"}
	case "areas":
		fail = []string{"4"}
	}
	a := onWorkday(rng, cAss[0], cAss[1])
	sd.planCycle(rng, cyclePlan{year: year, kind: recognition.KindCommune, officer: off, staff: staff,
		subject:  func(context.Context) (string, error) { return c.Code, nil },
		register: onWorkday(rng, reg[0], reg[1]), assess: a, submit: a.Add(time.Duration(between(rng, 20, 70)) * time.Hour),
		decide: onWorkday(rng, cDec[0], cDec[1]), fail: fail, outcome: outcome, file: chance(rng, 0.3)})
}

// planModelWards plans the model ward police pilot: from 2023 on the wards
// of the time (at least three in each centrally-run city and one in each
// province, as the conference of November 2022 set), then on the wards of
// the new geography; a ward that kept its code through the reform keeps
// its recognition.
func (sd *seeder) planModelWards(rng *rand.Rand) {
	recognisedBy := map[string]int{} // new province → wards recognised (or to be) and in force after the reform
	var cities []string
	for _, p := range sd.g.oldProvinces {
		if p.Type == "municipality" && p.Code != "01" && p.Code != "79" {
			cities = append(cities, p.Code)
		}
	}
	shortCity := pick(rng, cities) // one city reaches three model wards only in 2024
	officerAt := vnTime(2023, 1, 5, 8, 0)
	for _, p := range sd.g.oldProvinces {
		var wards []unit
		for _, c := range sd.g.oldCommunes[p.Code] {
			if c.isWard() {
				wards = append(wards, c)
			}
		}
		// Wards whose code lives on after the reform first.
		slices.SortStableFunc(wards, func(a, b unit) int {
			ka, kb := sd.keepsCode(a), sd.keepsCode(b)
			switch {
			case ka && !kb:
				return -1
			case kb && !ka:
				return 1
			}
			return 0
		})
		need := 1
		if p.Type == "municipality" {
			need = 3
			if p.Code == "01" || p.Code == "79" {
				need = 4
			}
		}
		var picked []unit
		for _, i := range permKeepFirst(rng, wards, sd.keepsCode) {
			if len(picked) == need {
				break
			}
			picked = append(picked, wards[i])
		}
		for k, w := range picked {
			year, o := 2023, outRecognised
			switch x := rng.Float64(); {
			case p.Type == "municipality" && p.Code == shortCity && k == len(picked)-1:
				year = 2024
			case p.Type == "municipality":
				if x < 0.1 {
					o = outReturned
				}
			case x < 0.62:
				if x < 0.08 {
					o = outReturned
				}
			case x < 0.72:
				o = outNotRecognised // tried in 2023, recognised in 2024
			case x < 0.9:
				year = 2024
			default:
				continue // not yet
			}
			officerAt = officerAt.Add(2 * time.Minute)
			off := sd.officer(officerAt, w, false)
			staff := sd.staff(p.Code)
			sd.planWardCycle(rng, year, w, off, staff, o)
			if o == outNotRecognised {
				sd.planWardCycle(rng, 2024, w, off, staff, outRecognised)
			}
			if nc, ok := sd.g.byCode[w.Code]; ok && sd.keepsCode(w) {
				recognisedBy[nc.Province]++
			}
		}
	}
	// After the reform: each province tops up to its target, most in 2025;
	// a few fall short, and in 2026 some add more.
	endYear := sd.end.In(vnZone).Year()
	for _, year := range []int{2025, 2026} {
		if year > endYear {
			break
		}
		for _, p := range sd.g.provinces {
			need := 1
			if sd.g.provinceType(p.Code, year) == "municipality" {
				need = 3
			}
			add := need - recognisedBy[p.Code]
			switch {
			case year == 2025 && add > 0 && chance(rng, 0.15):
				add-- // falls short this year
			case year == 2025 && add <= 0 && chance(rng, 0.4):
				add = 1 // the pilot grows beyond the target
			}
			if year == 2026 && chance(rng, 0.3) {
				add = max(add, 0) + 1
			}
			if add <= 0 {
				continue
			}
			var wards []unit
			for _, c := range sd.g.communes[p.Code] {
				if c.isWard() && !sd.wardPlanned(c.Code) {
					wards = append(wards, c)
				}
			}
			for _, i := range rng.Perm(len(wards)) {
				if add == 0 {
					break
				}
				w := wards[i]
				officerAt = maxTime(officerAt, officersFrom).Add(time.Minute)
				off := sd.officer(officerAt, w, hasUnit(sd.featuredCommunes[p.Code], w.Code))
				o := outRecognised
				if chance(rng, 0.1) {
					o = outReturned
				}
				sd.planWardCycle(rng, year, w, off, sd.staff(p.Code), o)
				recognisedBy[p.Code]++
				add--
			}
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// keepsCode reports whether a pre-reform ward's code names a ward after the
// reform too, the same ward carried on.
func (sd *seeder) keepsCode(w unit) bool {
	nc, ok := sd.g.byCode[w.Code]
	return ok && nc.isWard() && sd.g.main[w.Code] == w.Code
}

// permKeepFirst shuffles the indexes of us, those for which keep holds first.
func permKeepFirst(rng *rand.Rand, us []unit, keep func(unit) bool) []int {
	var a, b []int
	for _, i := range rng.Perm(len(us)) {
		if keep(us[i]) {
			a = append(a, i)
		} else {
			b = append(b, i)
		}
	}
	return append(a, b...)
}

func (sd *seeder) wardPlanned(code string) bool { return sd.wardCycles[code] }

// planWardCycle plans one year's model ward cycle of a ward.
func (sd *seeder) planWardCycle(rng *rand.Rand, year int, w unit, off, staff *acct, o int) {
	sd.wardCycles[w.Code] = true
	var fail []string
	if o == outNotRecognised {
		fail = []string{pick(rng, []string{"1", "3", "4"})}
	}
	reg := onWorkday(rng, day(year, 2, 10), day(year, 3, 20))
	a := onWorkday(rng, day(year, 6, 1), day(year, 9, 15))
	if year == 2025 {
		// Registered again on the wards of the new geography.
		reg = onWorkday(rng, day(2025, 8, 4), day(2025, 8, 25))
		a = onWorkday(rng, day(2025, 9, 1), day(2025, 9, 30))
	}
	sub := onWorkday(rng, day(year, 10, 2), day(year, 10, 31))
	dec := onWorkday(rng, day(year, 11, 16), day(year, 12, 12))
	if o == outReturned {
		dec = onWorkday(rng, day(year, 11, 10), day(year, 11, 25))
	}
	sd.planCycle(rng, cyclePlan{year: year, kind: recognition.KindModelWard, officer: off, staff: staff,
		subject:  func(context.Context) (string, error) { return w.Code, nil },
		register: reg, assess: a, submit: sub, decide: dec, fail: fail, outcome: o, file: chance(rng, 0.2)})
}

var (
	cycleEvidence = []string{
		"Biên bản họp tự đánh giá ngày cuối quý; hồ sơ lưu tại Công an xã, phường.",
		"Có nghị quyết, kế hoạch và danh sách hộ gia đình ký cam kết; số liệu đối chiếu với sổ theo dõi.",
		"Đã kiểm tra thực tế, có xác nhận của Ban công tác Mặt trận và trưởng thôn, tổ dân phố.",
		"Kết quả khảo sát sự hài lòng của Nhân dân đạt trên 90%.",
	}
	failNotes = []string{
		"trong năm xảy ra vụ việc phức tạp về an ninh, trật tự kéo dài.",
		"có cán bộ, chiến sĩ bị xử lý kỷ luật.",
		"tỷ lệ hộ gia đình đăng ký chưa đạt yêu cầu.",
	}
	decideNotes = []string{
		"Đủ điều kiện theo hồ sơ và kết quả kiểm tra thực tế.",
		"Hội đồng xét công nhận thống nhất.",
		"",
	}
	cycleReturnNotes = []string{
		"Hồ sơ thiếu biên bản họp và danh sách hộ gia đình đăng ký; đề nghị bổ sung.",
		"Minh chứng tiêu chí 1 chưa rõ, đề nghị đánh giá lại.",
	}
	evalNotes = []string{
		"Duy trì sinh hoạt định kỳ, phát hiện và báo tin kịp thời.",
		"Góp phần giảm trộm cắp tài sản trên địa bàn.",
		"Được Nhân dân hưởng ứng, có nguồn kinh phí xã hội hóa.",
	}
)

// samplePDF is a one-page PDF standing for a scanned record.
func samplePDF(year int) []byte {
	text := fmt.Sprintf("Bien ban tu danh gia nam %d (du lieu mau)", year)
	stream := fmt.Sprintf("BT /F1 14 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b []byte
	b = append(b, "%PDF-1.4\n"...)
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = len(b)
		b = append(b, fmt.Sprintf("%d 0 obj\n%s\nendobj\n", i+1, o)...)
	}
	xref := len(b)
	b = append(b, fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)...)
	for _, off := range offsets {
		b = append(b, fmt.Sprintf("%010d 00000 n \n", off)...)
	}
	b = append(b, fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)...)
	return b
}
