package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"toandan/internal/crimesource"
	"toandan/internal/deadline"
)

// report is one crime source of the history.
type report struct {
	at       time.Time // received
	province string
	commune  *unit // the commune police that receives it; nil: the province police
	national bool  // no place given: the national intake unit
	in       crimesource.Intake
	entry    *acct // the officer who entered it; nil: the citizen, online
	dupOf    *report

	// Set when it is received.
	id       int64
	tracking string
	receipt  string
}

// Where reports come from: population and economy, roughly.
var provinceWeights = []weighted[string]{
	{"01", 14}, {"79", 16}, {"19", 5}, {"31", 5}, {"48", 4}, {"92", 3}, {"38", 4}, {"40", 4}, {"75", 4}, {"24", 3}, {"33", 3},
	{"37", 3}, {"22", 2}, {"25", 3}, {"46", 2}, {"56", 2}, {"66", 2}, {"68", 2}, {"80", 3}, {"82", 2}, {"86", 2}, {"91", 2},
	{"96", 2}, {"52", 2}, {"51", 2}, {"42", 2}, {"44", 2}, {"08", 1}, {"15", 1}, {"14", 1}, {"20", 1}, {"04", 1}, {"11", 1}, {"12", 1},
}

var categoryWeights = []weighted[string]{
	{"cong_nghe_cao", 24}, {"trat_tu_xa_hoi", 28}, {"ma_tuy", 13}, {"kinh_te", 10}, {"buon_lau", 8}, {"moi_truong", 7},
	{"tham_nhung", 5}, {"khac", 5},
}

var channelWeights = []weighted[string]{
	{"online", 48}, {"walk_in", 16}, {"phone", 12}, {"mail", 5}, {"agency", 8}, {"media", 3}, {"petition", 3}, {"transfer_in", 5},
}

// Outcomes of a source's handling at the investigation body.
const (
	oNotCrime = iota
	oProsecute
	oNotProsecute
	oExtended     // extended to 2 months, then decided
	oProcExtended // extended again by the procuracy, then decided
	oSuspend      // suspended when the limit ran out (Art. 148)
	oTransferOut  // to another competent agency
	oLate         // decided after the limit
	oOpen         // nothing decided (still being verified)
)

var outcomeWeights = []weighted[int]{
	{oNotCrime, 20}, {oProsecute, 24}, {oNotProsecute, 18}, {oExtended, 12}, {oProcExtended, 3}, {oSuspend, 9}, {oTransferOut, 7}, {oLate, 4},
}

// handling plans the steps of reports.
type handling struct {
	sd    *seeder
	rng   *rand.Rand
	rules *deadline.Rules
	cal   deadline.Calendar
}

// planCrime plans the crime reports: received over the last three years,
// more of them each year, in every province, each handled as the law says
// (or, for the latest, still being handled), and a few placed so that at the
// end some time limits are at risk and some overdue.
func (sd *seeder) planCrime(ctx context.Context) error {
	rules, err := deadline.LoadRules(ctx, sd.s.DB)
	if err != nil {
		return err
	}
	cal, err := deadline.LoadCalendar(ctx, sd.s.DB)
	if err != nil {
		return err
	}
	h := &handling{sd: sd, rng: sd.rng("crime"), rules: rules, cal: cal}
	rng := h.rng
	start := vnTime(sd.end.In(vnZone).Year()-2, 1, 1, 0, 0)
	span := sd.end.Add(-3 * time.Hour).Sub(start)
	times := make([]time.Time, sd.size.reports)
	for i := range times {
		// Density rising linearly to twice its start: more people report
		// each year.
		x := -1 + math.Sqrt(1+3*rng.Float64())
		times[i] = start.Add(time.Duration(x * float64(span))).Truncate(time.Minute)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i, t := range times {
		r := h.newReport(t)
		compact := sd.size.compact && t.Before(sd.end.AddDate(0, 0, -150))
		h.plan(r, pickW(rng, outcomeWeights), compact)
		// Several people report the same incident; the unit that receives
		// the later reports merges them into the first.
		if !r.national && (chance(rng, 0.03) || i%40 == 17) {
			d := &report{at: r.at.Add(time.Duration(between(rng, 60, 48*60)) * time.Minute), province: r.province, commune: r.commune, dupOf: r}
			h.fill(d, "")
			h.plan(d, oOpen, compact)
		}
	}
	h.lastStretch()
	return nil
}

// newReport makes up a report received at t, routed as reports of its time
// are: before the reform to the province police; after it mostly to the
// commune police of the place, some to the province, a few with no place at
// all to the national intake unit.
func (h *handling) newReport(t time.Time) *report {
	sd, rng := h.sd, h.rng
	r := &report{at: t, province: pickW(rng, provinceWeights)}
	if !t.Before(reformDay) {
		switch {
		case chance(rng, 0.03):
			r.national = true // the province is where it happened; the report does not say
		case chance(rng, 0.7):
			if cs := sd.activeCommunes[r.province]; len(cs) > 0 {
				c := pick(rng, cs)
				r.commune = &c
			}
		}
	}
	h.fill(r, "")
	return r
}

// fill makes up what a routed report says: category, channel, reporter,
// description. channel "" draws one. A duplicate repeats its original's
// category.
func (h *handling) fill(r *report, channel string) {
	sd, rng := h.sd, h.rng
	t := r.at
	old := t.Before(reformDay)
	category := pickW(rng, categoryWeights)
	if r.dupOf != nil {
		category = r.dupOf.in.Category
	}
	if channel == "" {
		channel = pickW(rng, channelWeights)
		if r.national {
			channel = "online"
			if chance(rng, 0.3) {
				channel = "phone"
			}
		}
		if r.dupOf != nil && (channel == "agency" || channel == "media" || channel == "petition" || channel == "transfer_in") {
			channel = "phone"
		}
	}
	kind := crimesource.KindDenunciation
	for _, c := range crimesource.Channels {
		if c.Code == channel {
			kind = c.Kind
		}
	}
	if channel != "online" {
		r.at = officeHours(rng, r.at)
	}
	place := ""
	provTitle := sd.provinceTitle(r.province)
	switch {
	case r.commune != nil:
		place = r.commune.title()
	case old:
		if cs := sd.g.oldCommunes[r.province]; len(cs) > 0 {
			place = pick(rng, cs).title()
		}
		for _, p := range sd.g.oldProvinces {
			if p.Code == r.province {
				provTitle = p.title()
			}
		}
	default:
		if cs := sd.g.communes[r.province]; len(cs) > 0 {
			place = pick(rng, cs).title()
		}
	}
	where := strings.Trim(place+", "+provTitle, ", ")
	in := crimesource.Intake{Category: category, Kind: kind, Channel: channel, Description: describe(rng, category, where),
		Urgent: chance(rng, 0.06)}
	switch {
	case r.commune != nil:
		in.CommuneCode = r.commune.Code
		in.Address = fmt.Sprintf("%s, %s", pick(rng, placesNear(r.commune)), where)
	case !r.national:
		in.ProvinceCode = r.province
		in.Address = where
	}
	if chance(rng, 0.75) {
		in.OccurredAt = r.at.Add(-time.Duration(between(rng, 30, 7*24*60)) * time.Minute).In(vnZone).Format("2006-01-02T15:04")
	}
	if channel == "mail" {
		in.PostmarkedOn = dateOf(r.at.AddDate(0, 0, -between(rng, 1, 4)))
	}
	switch channel {
	case "agency":
		in.ReporterOrg = agency(rng, reportingAgencies, orDefault(place, provTitle))
	case "media":
		in.ReporterOrg = agency(rng, mediaOutlets, provTitle)
	case "petition":
		in.ReporterOrg = agency(rng, petitioners, sd.provinceName(r.province))
		if r.dupOf == nil {
			in.Category = pick(rng, []string{"tham_nhung", "kinh_te", "moi_truong", "buon_lau"})
		}
	case "transfer_in":
		in.ReporterOrg = agency(rng, forwarders, sd.provinceName(pickW(rng, provinceWeights)))
	default:
		anonymous := 0.2
		switch channel {
		case "online":
			anonymous = 0.55
		case "phone":
			anonymous = 0.4
		}
		if chance(rng, anonymous) {
			in.Anonymous = true
			break
		}
		p := newPerson(rng)
		born := r.province
		if chance(rng, 0.3) {
			born = pickW(rng, provinceWeights)
		}
		rep := &crimesource.Reporter{FullName: p.name, IDNumber: p.idNumber(rng, born), Phone: phone(rng),
			Address: streetAddress(rng, orDefault(place, "phường Trung tâm"), provTitle)}
		if chance(rng, 0.2) {
			rep.Email = fmt.Sprintf("%s%d@gmail.com", slug(p.name), between(rng, 1, 99))
		}
		in.Reporter = rep
	}
	if channel == "online" && chance(rng, 0.1) {
		in.Files = []crimesource.Upload{{Name: "anh-hien-truong.jpg", Data: photo(rng)}}
	}
	r.in = in
	switch {
	case channel == "online":
	case r.commune != nil:
		r.entry = sd.officerOf[r.commune.Code]
	case r.national:
		r.entry = sd.ministry()
	default:
		r.entry = sd.investigator(r.province)
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// placesNear are ways to say where in a commune something happened.
func placesNear(c *unit) []string {
	return []string{"Số " + fmt.Sprint(len(c.Name)*7%90+3) + " đường " + streets[len(c.Code)%len(streets)],
		"gần chợ", "gần bến xe", "gần khu công nghiệp", "gần trường học", "khu vực bờ sông"}
}

// officeHours moves t into the next working hours (7:30–17:30).
func officeHours(rng *rand.Rand, t time.Time) time.Time {
	l := t.In(vnZone)
	mins := l.Hour()*60 + l.Minute()
	switch {
	case mins < 7*60+30:
		return dayStart(l).Add(time.Duration(7*60+30+rng.IntN(120)) * time.Minute)
	case mins >= 17*60+30:
		return dayStart(l).AddDate(0, 0, 1).Add(time.Duration(7*60+30+rng.IntN(120)) * time.Minute)
	}
	return t
}

// within draws a moment in (lo, hi), in office hours when it can.
func (h *handling) within(lo, hi time.Time) time.Time {
	if !hi.After(lo) {
		return lo.Add(time.Minute)
	}
	var t time.Time
	for i := 0; i < 6; i++ {
		t = lo.Add(time.Duration(h.rng.Int64N(int64(hi.Sub(lo)))))
		if m := t.In(vnZone).Hour()*60 + t.In(vnZone).Minute(); m >= 7*60+30 && m < 17*60+30 {
			return t.Truncate(time.Minute)
		}
	}
	return t.Truncate(time.Minute)
}

func days(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }

// act plans one step taken by an officer.
func (h *handling) act(at time.Time, r *report, who func() *acct, a crimesource.Action) {
	h.sd.madeBy(who(), at)
	h.sd.at(at, "source "+a.Kind, func(ctx context.Context) error {
		if a.Kind == crimesource.ActAssign {
			a.AssignTo = who().user.ID
		}
		return h.sd.s.Sources.Act(ctx, who().actor(), r.id, a)
	})
}

// due returns when a limit started at start runs out.
func (h *handling) due(code string, start time.Time) time.Time {
	rule, err := h.rules.For(code, start)
	if err != nil {
		return start.AddDate(0, 0, 20)
	}
	return deadline.Due(rule, start, h.cal)
}

// lastDayAt is a moment on the last day of a limit ending at due.
func (h *handling) lastDayAt(due time.Time) time.Time {
	return dayStart(due.Add(-time.Nanosecond)).Add(time.Duration(14*60+h.rng.IntN(120)) * time.Minute)
}

func (h *handling) ref(suffix string) string {
	return fmt.Sprintf("%d/%s", between(h.rng, 12, 980), suffix)
}

// plan plans a report's reception and handling up to outcome o.
func (h *handling) plan(r *report, o int, compact bool) {
	sd, rng := h.sd, h.rng
	h.planReceive(r)
	inv := func() *acct { return sd.investigator(r.province) }
	online := r.in.Channel == "online"
	R := r.at
	var T, start time.Time // at the investigation body, and the start of its limits
	messaged := false
	switch {
	case r.commune != nil:
		off := func() *acct { return sd.officerOf[r.commune.Code] }
		reg := h.within(R.Add(20*time.Minute), R.Add(8*time.Hour))
		if !compact || r.dupOf != nil || r.in.Urgent {
			h.act(reg, r, off, crimesource.Action{Kind: crimesource.ActRegister, Urgent: r.in.Urgent})
		}
		if r.dupOf != nil {
			h.merge(r, h.within(reg.Add(time.Hour), reg.Add(20*time.Hour)), off)
			return
		}
		if o == oTransferOut && chance(rng, 0.5) {
			h.act(h.within(R.Add(days(1)), R.Add(days(5))), r, off, crimesource.Action{Kind: crimesource.ActTransferAgency,
				Agency: agency(rng, receivers, r.commune.title()), Note: "Sự việc thuộc thẩm quyền giải quyết của cơ quan khác."})
			return
		}
		switch {
		case r.in.Urgent:
			T = h.within(reg.Add(30*time.Minute), R.Add(20*time.Hour))
		case chance(rng, 0.03):
			T = h.within(R.Add(days(8)), R.Add(days(11))) // late
		default:
			T = h.within(reg.Add(4*time.Hour), R.Add(days(6)))
		}
		if !compact && T.Sub(reg) > 3*time.Hour && chance(rng, 0.5) {
			h.act(h.within(reg.Add(time.Hour), T.Add(-time.Hour)), r, off, crimesource.Action{Kind: crimesource.ActCheck, Note: pick(rng, checkNotes)})
		}
		if online && !compact && chance(rng, 0.3) {
			h.conversation(r, h.within(reg.Add(time.Hour), T), off)
			messaged = true
		}
		h.act(T, r, off, crimesource.Action{Kind: crimesource.ActTransfer})
		start = T
	case r.national:
		T = h.within(R.Add(2*time.Hour), R.Add(36*time.Hour))
		h.act(T, r, sd.ministry, crimesource.Action{Kind: crimesource.ActTransfer, Province: r.province})
		start = T
	default:
		T = R
		start = deadline.StartFor(R, r.in.PostmarkedOn)
		if !compact {
			reg := h.within(R.Add(20*time.Minute), R.Add(6*time.Hour))
			h.act(reg, r, inv, crimesource.Action{Kind: crimesource.ActRegister, Urgent: r.in.Urgent})
			T = reg // what follows comes after the record of receipt
		}
		if r.dupOf != nil {
			h.merge(r, h.within(R.Add(days(1)+time.Hour), R.Add(days(2))), inv)
			return
		}
	}
	h.investigate(r, o, compact, T, start, online && !messaged)
}

// merge plans the merge of a duplicate into the report it repeats.
func (h *handling) merge(r *report, at time.Time, who func() *acct) {
	h.sd.at(at, "merge source", func(ctx context.Context) error {
		return h.sd.s.Sources.Act(ctx, who().actor(), r.id, crimesource.Action{Kind: crimesource.ActMerge, Target: r.dupOf.tracking,
			Note: "Cùng một sự việc với nguồn tin đã tiếp nhận."})
	})
}

// conversation plans an officer's question to the reporter, the reply with
// the receipt code, and sometimes a thank-you.
func (h *handling) conversation(r *report, at time.Time, who func() *acct) {
	rng := h.rng
	h.act(at, r, who, crimesource.Action{Kind: crimesource.ActMessage, Message: pick(rng, officerAsks)})
	reply := at.Add(time.Duration(between(rng, 3*60, 2*24*60)) * time.Minute)
	text := pick(rng, citizenReplies)
	h.sd.at(reply, "reporter replies", func(ctx context.Context) error {
		_, err := h.sd.s.Sources.Reply(ctx, r.receipt, text, nil)
		return err
	})
	if chance(rng, 0.5) {
		h.act(h.within(reply.Add(2*time.Hour), reply.Add(days(2))), r, who, crimesource.Action{Kind: crimesource.ActMessage, Message: pick(rng, officerThanks)})
	}
}

// investigate plans the investigation body's part: assignment, notice to
// the procuracy, questions, and the outcome, from T (when it got the report;
// its limits start at start).
func (h *handling) investigate(r *report, o int, compact bool, T, start time.Time, mayMessage bool) {
	sd, rng := h.sd, h.rng
	inv := func() *acct { return sd.investigator(r.province) }
	notify := func(at time.Time, note string) {
		h.act(at, r, inv, crimesource.Action{Kind: crimesource.ActNotifyProcuracy, Ref: h.ref("TB"), Note: note})
	}
	if !compact {
		h.act(h.within(T.Add(time.Hour), T.Add(days(1.5))), r, inv, crimesource.Action{Kind: crimesource.ActAssign})
	}
	if chance(rng, 0.05) {
		notify(h.within(T.Add(days(4)), T.Add(days(6))), "")
	} else {
		notify(h.within(T.Add(2*time.Hour), T.Add(days(2.5))), "")
	}
	if !compact && r.in.Reporter != nil && chance(rng, 0.1) && slices.Contains(sd.s.Sources.RevealRoles, "investigator") {
		reason := pick(rng, revealReasons)
		sd.at(h.within(T.Add(days(1)), T.Add(days(6))), "reveal identity", func(ctx context.Context) error {
			_, err := sd.s.Sources.Reveal(ctx, inv().actor(), r.id, reason)
			return err
		})
	}
	if mayMessage && !compact && chance(rng, 0.25) {
		h.conversation(r, h.within(T.Add(days(1)), T.Add(days(7))), inv)
	}
	due20 := h.due("decision", start)
	decide := func(at time.Time, outcome string) {
		h.act(at, r, inv, crimesource.Action{Kind: crimesource.ActDecide, Outcome: outcome, Ref: h.ref("QĐ"), Note: pick(rng, decisionNotes[outcome])})
		if outcome == crimesource.OutcomeProsecute {
			notify(h.within(at.Add(time.Hour), at.Add(20*time.Hour)), "Gửi quyết định khởi tố vụ án.")
		}
	}
	either := func() string {
		if chance(rng, 0.55) {
			return crimesource.OutcomeProsecute
		}
		return crimesource.OutcomeNotProsecute
	}
	extend := func() time.Time {
		at := h.within(T.Add(days(12)), due20.Add(-6*time.Hour))
		h.act(at, r, inv, crimesource.Action{Kind: crimesource.ActExtend, Ref: h.ref("QĐ"), Note: "Phải trưng cầu giám định và xác minh ở nhiều nơi."})
		return at
	}
	switch o {
	case oOpen:
	case oNotCrime:
		at := h.within(T.Add(days(3)), due20.Add(-days(1)))
		h.act(at, r, inv, crimesource.Action{Kind: crimesource.ActNotCrime, Ref: h.ref("TB"), Note: pick(rng, decisionNotes["not_crime"])})
	case oProsecute:
		decide(h.within(T.Add(days(3)), due20.Add(-days(1))), crimesource.OutcomeProsecute)
	case oNotProsecute:
		decide(h.within(T.Add(days(3)), due20.Add(-days(1))), crimesource.OutcomeNotProsecute)
	case oLate:
		decide(h.within(due20.Add(days(1)), due20.Add(days(10))), either())
	case oTransferOut:
		h.act(h.within(T.Add(days(2)), T.Add(days(10))), r, inv, crimesource.Action{Kind: crimesource.ActTransferAgency,
			Agency: agency(rng, receivers, sd.provinceName(r.province)), Note: "Không thuộc thẩm quyền giải quyết của Cơ quan điều tra."})
	case oExtended:
		extend()
		dueExt := h.due("decision_extended", start)
		decide(h.within(due20.Add(days(2)), dueExt.Add(-days(1))), either())
	case oProcExtended:
		extend()
		dueExt := h.due("decision_extended", start)
		h.act(h.within(dueExt.Add(-days(7)), dueExt.Add(-days(1))), r, inv, crimesource.Action{Kind: crimesource.ActProcuracyExtend, Ref: h.ref("QĐ-VKS"),
			Note: "Viện kiểm sát nhân dân quyết định gia hạn thời hạn giải quyết nguồn tin."})
		dueProc, err := deadline.DecisionDue(h.rules, start, true, true, h.cal)
		if err != nil {
			dueProc = dueExt.AddDate(0, 2, 0)
		}
		decide(h.within(dueExt.Add(days(3)), dueProc.Add(-days(2))), either())
	case oSuspend:
		limit := due20
		if chance(rng, 0.3) {
			extend()
			limit = h.due("decision_extended", start)
		}
		s := h.lastDayAt(limit)
		h.act(s, r, inv, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeSuspend, Ground: pick(rng, []string{"a", "a", "b", "c"}),
			Ref: h.ref("QĐ"), Note: "Hết thời hạn giải quyết nhưng chưa có kết quả giám định, định giá tài sản."})
		notify(h.within(s.Add(time.Hour), s.Add(20*time.Hour)), "Gửi quyết định tạm đình chỉ và tài liệu liên quan.")
		switch x := rng.Float64(); {
		case x < 0.35: // still suspended
		case x < 0.75:
			res := h.within(s.Add(days(20)), s.Add(days(120)))
			h.act(res, r, inv, crimesource.Action{Kind: crimesource.ActResume, Ref: h.ref("QĐ"), Note: "Đã có kết luận giám định."})
			notify(h.within(res.Add(time.Hour), res.Add(days(1.5))), "Gửi quyết định phục hồi giải quyết.")
			decide(h.within(res.Add(days(5)), res.Add(days(27))), either())
		default:
			c := h.within(s.Add(days(6)), s.Add(days(30)))
			h.act(c, r, inv, crimesource.Action{Kind: crimesource.ActCancelSuspension, Ref: h.ref("QĐ-VKS"),
				Note: "Viện kiểm sát nhân dân hủy quyết định tạm đình chỉ vì không có căn cứ."})
			decide(h.within(c.Add(days(5)), c.Add(days(27))), either())
		}
	}
}

// lastStretch plans, in each featured province, reports whose limits at the
// end of the history are at risk, overdue, or in each open state.
func (h *handling) lastStretch() {
	sd, rng := h.sd, h.rng
	E := sd.end
	for _, p := range featuredProvinces {
		fc := sd.featuredCommunes[p]
		if len(fc) == 0 {
			continue
		}
		c := fc[0]
		mk := func(at time.Time, commune bool, channel string) *report {
			r := &report{at: at, province: p}
			if commune {
				cc := c
				r.commune = &cc
			}
			h.fill(r, channel)
			r.at, r.in.Urgent = at, false
			return r
		}
		// Just received online, not yet in the register's record.
		r := mk(E.Add(-time.Duration(between(rng, 2, 20))*time.Hour), true, "online")
		h.planReceive(r)
		// Registered at the commune: transfer limit at risk, and one overdue.
		for _, want := range [][2]int{{1, 2}, {-5, -2}} {
			R := h.startFor("commune_transfer", E.AddDate(0, 0, -14), E, want)
			r := mk(R, true, "walk_in")
			h.planReceive(r)
			h.act(h.within(R.Add(30*time.Minute), R.Add(4*time.Hour)), r, func() *acct { return sd.officerOf[c.Code] },
				crimesource.Action{Kind: crimesource.ActRegister})
		}
		// At the investigation body: the 20-day limit at risk, and overdue.
		for _, want := range [][2]int{{1, 3}, {-6, -1}} {
			R := h.startFor("decision", E.AddDate(0, 0, -35), E, want)
			r := mk(R, false, "walk_in")
			h.planReceive(r)
			h.investigate(r, oOpen, false, R, R, false)
		}
		// Extended, still within its two months.
		r = mk(officeHours(rng, E.AddDate(0, 0, -between(rng, 35, 45))), false, "phone")
		h.planReceive(r)
		h.investigate(r, oOpen, false, r.at, r.at, false)
		h.act(h.within(r.at.Add(days(13)), r.at.Add(days(16))), r, func() *acct { return sd.investigator(p) },
			crimesource.Action{Kind: crimesource.ActExtend, Note: "Vụ việc phức tạp, phải xác minh ở nhiều nơi."})
		// Suspended, and resumed with its month running out.
		r = mk(officeHours(rng, E.AddDate(0, 0, -between(rng, 70, 90))), false, "walk_in")
		h.planReceive(r)
		h.investigate(r, oOpen, false, r.at, r.at, false)
		s := h.lastDayAt(h.due("decision", r.at))
		h.act(s, r, func() *acct { return sd.investigator(p) }, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeSuspend, Ground: "a",
			Note: "Chưa có kết luận giám định."})
		h.act(h.within(s.Add(time.Hour), s.Add(20*time.Hour)), r, func() *acct { return sd.investigator(p) },
			crimesource.Action{Kind: crimesource.ActNotifyProcuracy, Note: "Gửi quyết định tạm đình chỉ."})
		r = mk(officeHours(rng, E.AddDate(0, 0, -between(rng, 120, 150))), false, "walk_in")
		h.planReceive(r)
		h.investigate(r, oOpen, false, r.at, r.at, false)
		s = h.lastDayAt(h.due("decision", r.at))
		inv := func() *acct { return sd.investigator(p) }
		h.act(s, r, inv, crimesource.Action{Kind: crimesource.ActDecide, Outcome: crimesource.OutcomeSuspend, Ground: "b"})
		h.act(h.within(s.Add(time.Hour), s.Add(20*time.Hour)), r, inv, crimesource.Action{Kind: crimesource.ActNotifyProcuracy})
		res := officeHours(rng, E.AddDate(0, 0, -29))
		h.act(res, r, inv, crimesource.Action{Kind: crimesource.ActResume, Note: "Đã nhận được tài liệu yêu cầu cung cấp."})
		h.act(res.Add(2*time.Hour), r, inv, crimesource.Action{Kind: crimesource.ActNotifyProcuracy, Note: "Gửi quyết định phục hồi giải quyết."})
	}
}

// receive returns the step that receives r.
// planReceive plans the reception of a report at r.at.
func (h *handling) planReceive(r *report) {
	h.sd.madeBy(r.entry, r.at)
	h.sd.at(r.at, "receive source", h.receive(r))
}

// madeBy moves the creation of a planned account before t when it was
// planned later: an officer acts only once their account exists (a new
// commune's officer on its first morning, say).
func (sd *seeder) madeBy(a *acct, t time.Time) {
	if a == nil {
		return
	}
	if e := &sd.events[a.event]; t.Before(e.at) {
		e.at = t.Add(-time.Minute)
	}
}

func (h *handling) receive(r *report) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var actor crimesource.Actor
		if r.entry != nil {
			actor = r.entry.actor()
		}
		rec, err := h.sd.s.Sources.Submit(ctx, r.in, actor)
		r.id, r.tracking, r.receipt = rec.ID, rec.TrackingCode, rec.ReceiptCode
		return err
	}
}

// startFor finds a receipt time in office hours between from and to whose
// limit code has, at the end of the history, between want[0] and want[1]
// days left.
func (h *handling) startFor(code string, from, to time.Time, want [2]int) time.Time {
	var found []time.Time
	for t := dayStart(from).Add(9 * time.Hour); t.Before(to); t = t.Add(24 * time.Hour) {
		if left := deadline.DaysLeft(h.due(code, t), h.sd.end); left >= want[0] && left <= want[1] {
			found = append(found, t)
		}
	}
	if len(found) == 0 {
		return from
	}
	t := pick(h.rng, found)
	return t.Add(time.Duration(h.rng.IntN(6*60)) * time.Minute)
}

// photo is a small picture standing for a photo of the scene.
func photo(rng *rand.Rand) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 96, 72))
	r0, g0, b0 := rng.IntN(160), rng.IntN(160), rng.IntN(160)
	for y := 0; y < 72; y++ {
		for x := 0; x < 96; x++ {
			img.Set(x, y, color.RGBA{uint8(r0 + x/2), uint8(g0 + y), uint8(b0 + (x+y)/3), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 70}); err != nil {
		return nil
	}
	return b.Bytes()
}
