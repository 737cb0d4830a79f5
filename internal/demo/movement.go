package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"time"

	"toandan/internal/audit"
	"toandan/internal/geo"
	"toandan/internal/movement"
)

// reformDay is the first day of the two-level geography.
var reformDay = vnTime(2025, 7, 1, 0, 0)

// officersFrom is when the officers of the communes of the new geography
// got their accounts.
var officersFrom = vnTime(2025, 7, 1, 7, 30)

// planGeography plans the imports of the administrative lists.
func (sd *seeder) planGeography() {
	for _, imp := range sd.g.imports {
		sd.at(imp.at, "geo import "+imp.opt.FileName, func(ctx context.Context) error {
			opt := imp.opt
			opt.Actor = audit.Actor(sd.admin().user.ID)
			_, err := sd.s.Geo.Import(ctx, opt, imp.units, imp.lineageName, imp.lineage)
			return err
		})
	}
}

// pickCommunes chooses the communes of the new geography the history works
// in: the featured ones (their officers' passwords are handed out), those
// with recognition cycles, and those whose officers receive reports.
func (sd *seeder) pickCommunes() {
	rng := sd.rng("communes")
	sd.featuredCommunes = map[string][]unit{}
	sd.activeCommunes = map[string][]unit{}
	sd.recog25 = map[string][]unit{}
	sd.recog26 = map[string][]unit{}
	sd.skipImport = map[string]bool{}
	officerAt := officersFrom
	for _, p := range sd.g.provinces {
		cs := sd.g.communes[p.Code]
		if len(cs) == 0 {
			continue
		}
		chosen := map[string]bool{}
		var featured []unit
		if isFeatured(p.Code) {
			// A well-known ward and commune of the province, or the first
			// ward and the first other commune by code.
			for i, want := range []bool{true, false} {
				var f *unit
				for _, c := range cs {
					if c.isWard() == want && (f == nil || c.Name == featuredNames[p.Code][i]) {
						c := c
						f = &c
					}
				}
				if f != nil {
					featured = append(featured, *f)
					chosen[f.Code] = true
				}
			}
		}
		sd.featuredCommunes[p.Code] = featured
		order := rng.Perm(len(cs))
		recog := append([]unit(nil), featured...)
		if p.Code == "19" {
			recog = nil
			for _, c := range cs {
				recog = append(recog, c)
				chosen[c.Code] = true
			}
		} else if isFeatured(p.Code) || chance(rng, sd.size.recogShare) {
			for _, i := range order {
				if len(recog) >= len(featured)+sd.size.recogCommunes {
					break
				}
				if !chosen[cs[i].Code] {
					recog = append(recog, cs[i])
					chosen[cs[i].Code] = true
				}
			}
		}
		sortUnits(recog)
		sd.recog25[p.Code] = recog
		var r26 []unit
		for _, c := range recog {
			if hasUnit(featured, c.Code) || (p.Code == "19" && chance(rng, sd.size.shareProvince19)) || (sd.size.compact && chance(rng, 0.5)) {
				r26 = append(r26, c)
			}
		}
		sd.recog26[p.Code] = r26
		active := append([]unit(nil), recog...)
		for _, i := range order {
			if len(active) >= sd.size.activeCommunes+len(featured) {
				break
			}
			if !chosen[cs[i].Code] {
				active = append(active, cs[i])
				chosen[cs[i].Code] = true
			}
		}
		sortUnits(active)
		sd.activeCommunes[p.Code] = active
		for _, c := range active {
			officerAt = officerAt.Add(time.Minute)
			sd.officer(officerAt, c, hasUnit(featured, c.Code))
		}
		for _, f := range featured {
			sd.skipImport[f.Code] = true
		}
	}
}

// featuredNames are the ward and commune the featured officers work in,
// when the official lists are loaded.
var featuredNames = map[string][2]string{"01": {"Ba Đình", "Sóc Sơn"}, "79": {"Sài Gòn", "Cần Giờ"}, "19": {"Phan Đình Phùng", "Đại Từ"}}

// areasOf returns the residential areas of a commune, the same every time
// for a code (a commune keeps its hamlets from year to year).
func (sd *seeder) areasOf(c unit) []string {
	if a, ok := sd.areaNames[c.Code+"|"+c.Name]; ok {
		return a
	}
	rng := sd.rng("areas " + c.Code + " " + c.Name)
	n := between(rng, 2, 4)
	if !c.isWard() {
		n = between(rng, 2, 5)
	}
	a := areaNames(rng, c.Type, c.Province, n)
	if sd.areaNames == nil {
		sd.areaNames = map[string][]string{}
	}
	sd.areaNames[c.Code+"|"+c.Name] = a
	return a
}

// festPoint is one festival point as planned.
type festPoint struct {
	commune      unit
	area         string // "" for the commune-level point
	held         time.Time
	participants int
	guests       int
	collective   int
	individual   int
	gifts        int64
	models       int
	place, notes string
}

func newFestPoint(rng *rand.Rand, year int, c unit, area string) festPoint {
	// Most points are held in the fortnight around 19 August.
	d := vnTime(year, 8, 19, 0, 0).AddDate(0, 0, int(math.Round(rng.NormFloat64()*8)))
	if d.Before(vnTime(year, 7, 15, 0, 0)) {
		d = vnTime(year, 7, 15, 0, 0)
	}
	if d.After(vnTime(year, 8, 30, 0, 0)) {
		d = vnTime(year, 8, 30, 0, 0)
	}
	p := festPoint{commune: c, area: area, held: d.Add(time.Duration(between(rng, 7, 9)) * time.Hour)}
	if area == "" {
		p.participants = between(rng, 180, 900)
		p.guests = between(rng, 15, 70)
		p.collective = between(rng, 1, 6)
		p.individual = between(rng, 3, 18)
		p.gifts = int64(between(rng, 20, 120)) * 500_000
		p.models = between(rng, 0, 2)
		p.place = fmt.Sprintf(pick(rng, communePlaces), c.title())
	} else {
		p.participants = between(rng, 60, 350)
		p.guests = between(rng, 5, 25)
		p.collective = between(rng, 0, 2)
		p.individual = between(rng, 0, 6)
		p.gifts = int64(between(rng, 4, 40)) * 500_000
		p.models = between(rng, 0, 1)
		p.place = fmt.Sprintf(pick(rng, areaPlaces), area)
	}
	p.notes = pick(rng, festivalNote)
	return p
}

func (p festPoint) input(year int, areaID int64) movement.PointInput {
	return movement.PointInput{Year: year, Commune: p.commune.Code, AreaID: areaID, HeldOn: dateOf(p.held), Place: p.place,
		Participants: p.participants, Guests: p.guests, CommendationsCollective: p.collective, CommendationsIndividual: p.individual,
		GiftsVND: p.gifts, ModelsLaunched: p.models, Notes: p.notes}
}

func dateOf(t time.Time) string { return t.In(vnZone).Format(time.DateOnly) }

// dayStart is midnight in Vietnam of t's day.
func dayStart(t time.Time) time.Time {
	y, m, d := t.In(vnZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, vnZone)
}

// planMovement plans the festival years: plans, points held, and their
// review.
func (sd *seeder) planMovement() {
	sd.pickCommunes()
	// The featured communes' officers register their residential areas
	// soon after the reform.
	for _, p := range featuredProvinces {
		for i, c := range sd.featuredCommunes[p] {
			off := sd.officer(officersFrom, c, true)
			sd.at(vnTime(2025, 7, 3, 9, 0).Add(time.Duration(i)*time.Hour), "areas of "+c.Code, func(ctx context.Context) error {
				for _, name := range sd.areasOf(c) {
					if _, err := sd.s.Geo.CreateArea(ctx, c.Code, geo.AreaInput{Name: name, Kind: movement.AreaKindOf(name)}, off.user.ID, audit.Actor(off.user.ID)); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}
	for y := 2022; y <= sd.end.In(vnZone).Year(); y++ {
		sd.planFestival(y)
	}
}

// planFestival plans one year's festival: the plans, the points held, and
// their review.
func (sd *seeder) planFestival(year int) {
	rng := sd.rng(fmt.Sprintf("festival %d", year))
	old := year < reformDay.Year()
	provinces, communes := sd.g.provinces, sd.g.communes
	if old {
		provinces, communes = sd.g.oldProvinces, sd.g.oldCommunes
	}
	// Who holds a point: a share of each province's communes, and in some
	// of their residential areas.
	held := map[string][]unit{}
	switch {
	case year == 2022 && sd.g.realOld:
		held = sd.conference2022(rng)
	default:
		for _, p := range provinces {
			share := 0.55 + 0.4*rng.Float64()
			for _, c := range communes[p.Code] {
				force := !old && (sd.skipImport[c.Code] || (year == 2025 && sd.inRecog25(c)))
				if force || chance(rng, share) {
					held[p.Code] = append(held[p.Code], c)
				}
			}
		}
	}
	var points []festPoint
	areaPoints := map[string][]string{}
	if year == 2022 && sd.g.realOld {
		// 117 residential areas of Hà Giang, as reported at the conference.
		hg := held["02"]
		for k := 0; k < 117 && len(hg) > 0; k++ {
			c := hg[k%len(hg)]
			names := sd.areasOf(c)
			if i := k / len(hg); i < len(names) {
				areaPoints[c.Code] = append(areaPoints[c.Code], names[i])
			}
		}
	}
	for _, p := range provinces {
		for _, c := range held[p.Code] {
			points = append(points, newFestPoint(rng, year, c, ""))
			var areas []string
			switch {
			case year == 2022 && sd.g.realOld:
				areas = areaPoints[c.Code]
			case !old && year == 2025 && sd.inRecog25(c):
				areas = sd.areasOf(c) // every area holds one: they are all registered for recognition
			default:
				for _, a := range sd.areasOf(c) {
					if chance(rng, 0.3) {
						areas = append(areas, a)
					}
				}
			}
			for _, a := range areas {
				points = append(points, newFestPoint(rng, year, c, a))
			}
		}
	}

	// Plans: set by the Ministry in March (for 2025, again after the
	// reform, on the new provinces), a little below what was held in most
	// provinces.
	planAt := vnTime(year, 3, 5, 9, 0)
	if year == 2025 {
		planAt = vnTime(2025, 7, 10, 9, 0)
	}
	planned := map[string]int{}
	for _, p := range provinces {
		n := len(held[p.Code])
		planned[p.Code] = int(math.Round(float64(n) * (0.9 + 0.16*rng.Float64())))
	}
	if year == 2022 {
		// The 2022 festival exceeded its plan: 5,813 points held against
		// 5,500 planned on the official lists, in that ratio on samples.
		want := 5500
		if !sd.g.realOld {
			n := 0
			for _, cs := range held {
				n += len(cs)
			}
			want = int(math.Round(float64(n) * 5500 / 5813))
		}
		scaleTo(planned, provinces, want)
	}
	var pb bytes.Buffer
	pw := csv.NewWriter(&pb)
	pw.Write([]string{"year", "province_code", "planned_points", "source"})
	for _, p := range provinces {
		pw.Write([]string{strconv.Itoa(year), p.Code, strconv.Itoa(planned[p.Code]),
			fmt.Sprintf("Kế hoạch của Bộ Công an tổ chức Ngày hội Toàn dân bảo vệ ANTQ năm %d", year)})
	}
	pw.Flush()
	sd.at(planAt, fmt.Sprintf("festival plans %d", year), func(ctx context.Context) error {
		_, err := sd.s.Movement.ImportFestivalPlan(ctx, fmt.Sprintf("ke-hoach-ngay-hoi-%d.csv", year), pb.Bytes(), audit.Actor(sd.ministry().user.ID))
		return err
	})
	for i, p := range featuredProvinces {
		staff := sd.staff(p)
		n := planned[p] + between(rng, 0, 4)
		sd.at(planAt.AddDate(0, 0, 20+i), fmt.Sprintf("plan %d %s", year, p), func(ctx context.Context) error {
			return sd.s.Movement.SetPlan(ctx, staff.user, year, p, n,
				fmt.Sprintf("Kế hoạch của Công an %s về tổ chức Ngày hội năm %d (điều chỉnh)", sd.provinceName(p), year))
		})
	}

	// Points recorded by the featured communes' officers themselves; the
	// rest comes in one consolidated file after the season.
	importAt := vnTime(year, 9, 8, 9, 0)
	if !importAt.Before(sd.end) {
		importAt = sd.end.Add(-2 * time.Hour)
		if importAt.Before(vnTime(year, 8, 31, 0, 0)) {
			importAt = time.Time{} // the season is not over: nothing consolidated yet
		}
	}
	var rows [][]string
	byCommune := map[string]int{}
	for _, pt := range points {
		if pt.held.After(sd.end) || (!importAt.IsZero() && !pt.held.Before(importAt)) {
			continue
		}
		if !old && sd.skipImport[pt.commune.Code] {
			continue
		}
		if importAt.IsZero() {
			continue
		}
		byCommune[pt.commune.Code]++
		rows = append(rows, []string{strconv.Itoa(year), pt.commune.Code, pt.area, dateOf(pt.held), strconv.Itoa(pt.participants),
			strconv.Itoa(pt.collective), strconv.Itoa(pt.individual), strconv.FormatInt(pt.gifts, 10), pt.place, strconv.Itoa(pt.guests),
			strconv.Itoa(pt.models), pt.notes})
	}
	if len(rows) > 0 {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write([]string{"year", "commune_code", "residential_area", "held_on", "participants", "commendations_collective",
			"commendations_individual", "gifts_vnd", "place", "guests", "models_launched", "notes"})
		w.WriteAll(rows)
		sd.at(importAt, fmt.Sprintf("festival import %d", year), func(ctx context.Context) error {
			_, err := sd.s.Movement.ImportFestival(ctx, fmt.Sprintf("ngay-hoi-%d-tong-hop.csv", year), b.Bytes(), audit.Actor(sd.ministry().user.ID))
			return err
		})
		// The featured provinces' staff review part of what was imported.
		for _, p := range featuredProvinces {
			var cs []string
			for _, c := range communes[p] {
				if byCommune[c.Code] > 0 {
					cs = append(cs, c.Code)
				}
			}
			rng.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
			cs = cs[:min(len(cs), sd.size.reviewCap)]
			sort.Strings(cs)
			staff := sd.staff(p)
			at := importAt.Add(72 * time.Hour)
			for _, code := range cs {
				at = at.Add(time.Duration(between(rng, 20, 180)) * time.Minute)
				ret := chance(rng, 0.05) && year != 2022 // the conference's figures were final
				note := pick(rng, returnNotes)
				sd.at(at, fmt.Sprintf("review points %d %s", year, code), func(ctx context.Context) error {
					pts, err := sd.s.Movement.Points(ctx, staff.user, year, code)
					if err != nil {
						return err
					}
					for i, pt := range pts {
						if pt.Status != movement.StatusSubmitted {
							continue
						}
						if ret && i == len(pts)-1 {
							_, err = sd.s.Movement.ReviewPoint(ctx, staff.user, pt.ID, false, note)
						} else {
							_, err = sd.s.Movement.ReviewPoint(ctx, staff.user, pt.ID, true, "")
						}
						if err != nil {
							return err
						}
					}
					return nil
				})
			}
		}
	}
	if old {
		return
	}
	// The featured communes' officers record their own points the evening
	// after, and the province reviews them within days.
	for _, pt := range points {
		if !sd.skipImport[pt.commune.Code] {
			continue
		}
		sd.planRecordedPoint(rng, year, pt)
	}
}

func (sd *seeder) inRecog25(c unit) bool { return hasUnit(sd.recog25[c.Province], c.Code) }

func hasUnit(us []unit, code string) bool {
	return slices.ContainsFunc(us, func(u unit) bool { return u.Code == code })
}

// planRecordedPoint plans a point entered by its commune's officer, and its
// review (a few are returned, corrected and approved).
func (sd *seeder) planRecordedPoint(rng *rand.Rand, year int, pt festPoint) {
	off := sd.officer(officersFrom, pt.commune, true)
	staff := sd.staff(pt.commune.Province)
	var id int64
	recordAt := dayStart(pt.held).Add(time.Duration(between(rng, 17, 20))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
	in := pt.input(year, 0)
	sd.at(recordAt, "record point "+pt.commune.Code, func(ctx context.Context) error {
		if pt.area != "" {
			aid, err := sd.areaID(ctx, pt.commune.Code, pt.area)
			if err != nil {
				return err
			}
			in.AreaID = aid
		}
		p, err := sd.s.Movement.RecordPoint(ctx, off.user, in)
		id = p.ID
		return err
	})
	reviewAt := dayStart(recordAt.AddDate(0, 0, between(rng, 2, 7))).Add(time.Duration(between(rng, 8, 16))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
	if !chance(rng, 0.15) {
		sd.at(reviewAt, "approve point", func(ctx context.Context) error {
			_, err := sd.s.Movement.ReviewPoint(ctx, staff.user, id, true, "")
			return err
		})
		return
	}
	note := pick(rng, returnNotes)
	sd.at(reviewAt, "return point", func(ctx context.Context) error {
		_, err := sd.s.Movement.ReviewPoint(ctx, staff.user, id, false, note)
		return err
	})
	fixed := in
	fixed.Participants += between(rng, -20, 40)
	fixed.CommendationsIndividual++
	sd.at(reviewAt.Add(26*time.Hour), "correct point", func(ctx context.Context) error {
		f := fixed
		f.AreaID = in.AreaID
		_, err := sd.s.Movement.UpdatePoint(ctx, off.user, id, f)
		return err
	})
	sd.at(reviewAt.Add(75*time.Hour), "approve corrected point", func(ctx context.Context) error {
		_, err := sd.s.Movement.ReviewPoint(ctx, staff.user, id, true, "Đã kiểm tra số liệu điều chỉnh.")
		return err
	})
}

// areaID finds a residential area of a commune in force today by name.
func (sd *seeder) areaID(ctx context.Context, commune, name string) (int64, error) {
	as, err := sd.s.Geo.Areas(ctx, commune, sd.s.Geo.Today())
	if err != nil {
		return 0, err
	}
	for _, a := range as {
		if a.Name == name {
			return a.ID, nil
		}
	}
	return 0, fmt.Errorf("no residential area %q in %s", name, commune)
}

// conference2022 picks the communes holding a point in 2022 so that the
// figures are those of the Ministry's conference of 23 November 2022:
// 5,813 commune-level points in the nation, 76 communes in Hà Giang.
func (sd *seeder) conference2022(rng *rand.Rand) map[string][]unit {
	const nation, hagiang = 5813, 76
	held := map[string][]unit{}
	want := map[string]int{}
	weights := map[string]float64{}
	sum := 0.0
	for _, p := range sd.g.oldProvinces {
		if p.Code == "02" {
			continue
		}
		weights[p.Code] = float64(len(sd.g.oldCommunes[p.Code])) * (0.55 + 0.4*rng.Float64())
		sum += weights[p.Code]
	}
	rest := nation - hagiang
	for _, p := range sd.g.oldProvinces {
		if p.Code == "02" {
			want[p.Code] = min(hagiang, len(sd.g.oldCommunes["02"]))
			continue
		}
		want[p.Code] = min(len(sd.g.oldCommunes[p.Code]), int(float64(rest)*weights[p.Code]/sum))
	}
	// Hand out what rounding left over, one point at a time, to provinces
	// with communes to spare.
	got := 0
	for _, n := range want {
		got += n
	}
	for i := 0; got < nation && i < 100*len(sd.g.oldProvinces); i++ {
		p := sd.g.oldProvinces[i%len(sd.g.oldProvinces)].Code
		if p != "02" && want[p] < len(sd.g.oldCommunes[p]) {
			want[p]++
			got++
		}
	}
	for _, p := range sd.g.oldProvinces {
		cs := append([]unit(nil), sd.g.oldCommunes[p.Code]...)
		rng.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
		cs = cs[:want[p.Code]]
		sortUnits(cs)
		held[p.Code] = cs
	}
	return held
}

// scaleTo scales the plans to add up to total, by largest remainder.
func scaleTo(planned map[string]int, provinces []unit, total int) {
	sum := 0
	for _, n := range planned {
		sum += n
	}
	if sum == 0 {
		return
	}
	type rem struct {
		code string
		frac float64
	}
	var rs []rem
	got := 0
	for _, p := range provinces {
		x := float64(planned[p.Code]) * float64(total) / float64(sum)
		planned[p.Code] = int(x)
		got += int(x)
		rs = append(rs, rem{p.Code, x - math.Floor(x)})
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].frac > rs[j].frac })
	for i := 0; got < total; i++ {
		planned[rs[i%len(rs)].code]++
		got++
	}
}
