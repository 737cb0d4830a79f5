package dashboard

import (
	"fmt"
	"html/template"
	"math"
	"strconv"

	"toandan/internal/chart"
	"toandan/internal/clock"
	"toandan/internal/geo"
	"toandan/internal/recognition"
)

// Panel is one block of a dashboard page: a chart (empty when the table
// says it all) and the table of the same numbers, to show under it and to
// export as CSV.
type Panel struct {
	// Key names the panel in a URL (a CSV download): stable, ASCII.
	Key   string
	Title string
	Chart template.HTML
	Table chart.TableData
}

// Panel keys.
const (
	KeyByMonth    = "nguon-tin-theo-thang"
	KeyByCategory = "nguon-tin-theo-linh-vuc"
	KeyByStatus   = "nguon-tin-theo-trang-thai"
	KeyOnTime     = "giai-quyet-dung-han"
	KeyDue        = "thoi-han"
	KeyFestival   = "ngay-hoi"
	KeyFestRows   = "ngay-hoi-theo-don-vi"
	KeyMovement   = "phong-trao"
	KeyTargets    = "chi-tieu"
)

var monthNames = [12]string{"Tháng 1", "Tháng 2", "Tháng 3", "Tháng 4", "Tháng 5", "Tháng 6",
	"Tháng 7", "Tháng 8", "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12"}

var monthShort = []string{"T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12"}

// Panels lays the dashboard out as charts and tables, in reading order.
// Chart ids derive from the figures, so panels of two dashboards can share
// a page.
func (d Dashboard) Panels() []Panel {
	var ps []Panel
	where := d.Name
	year := strconv.Itoa(d.Year)
	src := d.Sources

	// Received by month. Months not yet begun have no figure, not zero.
	months := make([]float64, 12)
	nowYear, nowMonth, _ := d.Now.In(clock.Vietnam).Date()
	for m := range 12 {
		months[m] = float64(src.ByMonth[m])
		if d.Year > nowYear || (d.Year == nowYear && m+1 > int(nowMonth)) {
			months[m] = math.NaN()
		}
	}
	title := "Nguồn tin về tội phạm tiếp nhận theo tháng, " + where + ", năm " + year
	series := []chart.Series{{Name: "Nguồn tin tiếp nhận", Values: months}}
	opt := chart.Options{Unit: "nguồn tin", ShortLabels: monthShort, Desc: "Tổng cộng " + chart.Int(src.Received) + " nguồn tin"}
	ps = append(ps, Panel{Key: KeyByMonth, Title: title,
		Chart: chart.Line(title, monthNames[:], series, opt),
		Table: chart.SeriesTable(title, "Tháng", monthNames[:], series, opt)})

	// By category and by status.
	for _, x := range []struct {
		key, title, header string
		counts             []Count
	}{
		{KeyByCategory, "Nguồn tin tiếp nhận theo lĩnh vực", "Lĩnh vực", src.ByCategory},
		{KeyByStatus, "Nguồn tin tiếp nhận theo tình trạng giải quyết hiện nay", "Tình trạng", src.ByStatus},
	} {
		title := x.title + ", " + where + ", năm " + year
		labels := make([]string, len(x.counts))
		vals := make([]float64, len(x.counts))
		for i, c := range x.counts {
			labels[i], vals[i] = c.Name, float64(c.N)
		}
		series := []chart.Series{{Name: "Số nguồn tin", Values: vals}}
		opt := chart.Options{Horizontal: true, Unit: "nguồn tin"}
		ps = append(ps, Panel{Key: x.key, Title: title, Chart: chart.Bar(title, labels, series, opt),
			Table: chart.SeriesTable(title, x.header, labels, series, opt)})
	}

	// Decided on time.
	title = "Giải quyết nguồn tin đúng thời hạn, " + where + ", năm " + year
	p := Panel{Key: KeyOnTime, Title: title, Table: chart.Table(
		[]string{"Đã giải quyết", "Đúng hạn", "Quá hạn", "Tỷ lệ đúng hạn"},
		[][]string{{chart.Int(src.Decided), chart.Int(src.DecidedOnTime), chart.Int(src.Decided - src.DecidedOnTime), pctOrDash(src.OnTimePct, src.Decided > 0)}})}
	if src.Decided > 0 {
		p.Chart = chart.Progress(title, src.OnTimePct, math.NaN(), chart.Options{Unit: "%", Decimals: 1,
			Desc: chart.Int(src.DecidedOnTime) + " trong " + chart.Int(src.Decided) + " nguồn tin đã giải quyết được giải quyết trước khi hết thời hạn"})
	}
	p.Table.Caption = title
	ps = append(ps, p)

	// Open sources against their limits, now.
	title = "Nguồn tin đang giải quyết theo thời hạn, " + where + ", tính đến " + d.Now.In(clock.Vietnam).Format("15:04 02/01/2006")
	dueLabels := []string{"Quá hạn", fmt.Sprintf("Sắp hết hạn (còn %d ngày trở xuống)", src.AtRiskDays), "Còn hạn hoặc không có thời hạn đang chạy"}
	dueSeries := []chart.Series{{Name: "Số nguồn tin", Values: []float64{float64(src.Overdue), float64(src.AtRisk), float64(src.Open - src.Overdue - src.AtRisk)}}}
	dueOpt := chart.Options{Horizontal: true, Unit: "nguồn tin", Desc: "Nguồn tin tiếp nhận năm " + year + " chưa giải quyết xong: " + chart.Int(src.Open)}
	ps = append(ps, Panel{Key: KeyDue, Title: title, Chart: chart.Bar(title, dueLabels, dueSeries, dueOpt),
		Table: chart.SeriesTable(title, "Thời hạn", dueLabels, dueSeries, dueOpt)})

	// Festival held against the plan.
	fe := d.Festival
	title = "Ngày hội Toàn dân bảo vệ an ninh Tổ quốc năm " + year + ", " + where
	p = Panel{Key: KeyFestival, Title: title, Table: chart.Table(
		[]string{"Số xã tổ chức điểm cấp xã", "Số khu dân cư tổ chức", "Kế hoạch (điểm)", "Tỷ lệ so với kế hoạch", "Người tham dự", "Đánh giá"},
		[][]string{{chart.Int(fe.CommunePoints), chart.Int(fe.AreaPoints), plannedOrDash(fe.Planned, d.Level), pctOrDash(fe.PlanPct, fe.Planned > 0),
			chart.Int(fe.Participants), fe.Verdict}})}
	p.Table.Caption = title
	if fe.Planned > 0 {
		p.Chart = chart.Progress(title, float64(fe.CommunePoints), float64(fe.Planned),
			chart.Options{Unit: "điểm", TargetName: "kế hoạch", Desc: "Số xã đã tổ chức điểm Ngày hội cấp xã so với kế hoạch: " + fe.Verdict})
	}
	ps = append(ps, p)

	if fe.RowLevel != "" {
		p := festivalRows(d, fe)
		ps = append(ps, p)
	}

	// Recognition progress.
	title = "Phong trào Toàn dân bảo vệ an ninh Tổ quốc, " + where + ", năm " + year
	rec := d.Recognition
	var recRows [][]string
	for _, in := range []Indicator{rec.CommunesRecognisedPct, rec.RecognisedModelWards, rec.ActiveModels} {
		recRows = append(recRows, []string{in.Name, indicatorValue(in), targetText(in.Target)})
	}
	p = Panel{Key: KeyMovement, Title: title, Table: chart.Table([]string{"Chỉ tiêu", "Thực hiện", "Chỉ tiêu đặt ra"}, recRows)}
	p.Table.Caption = title
	if in := rec.CommunesRecognisedPct; !in.NoData {
		target, cmp := math.NaN(), ""
		if in.Target != nil {
			target, cmp = in.Target.Value, in.Target.Comparator
		}
		p.Chart = chart.Progress(in.Name+", "+where+", năm "+year, in.Value, target, chart.Options{Unit: "%", Decimals: 1, Comparator: cmp})
	}
	ps = append(ps, p)

	// Targets.
	title = "Chỉ tiêu năm " + year + " và kết quả thực hiện, " + where
	var tRows [][]string
	for _, t := range d.Targets {
		state, actual := recognition.StateName(t.State), ""
		switch {
		case t.Err != "":
			state = "Không đánh giá được: " + t.Err
		case t.Target.ScopeKind == recognition.ScopeEach:
			actual = fmt.Sprintf("%d/%d đơn vị đạt", len(t.Units)-len(t.Below), len(t.Units))
		case len(t.Units) == 1 && t.Units[0].NoData:
			actual = "Chưa có số liệu"
		default:
			actual = measure(t.Actual, t.Measure)
		}
		tRows = append(tRows, []string{t.IndicatorName, t.ScopeName, comparatorText(t.Target.Comparator) + " " + measure(t.Target.Value, t.Measure), actual, state, t.Target.LegalSource})
	}
	p = Panel{Key: KeyTargets, Title: title, Table: chart.Table([]string{"Chỉ tiêu", "Đơn vị", "Yêu cầu", "Thực hiện", "Đánh giá", "Căn cứ"}, tRows)}
	p.Table.Caption = title
	ps = append(ps, p)
	return ps
}

// Panel returns the panel with key, for a CSV download.
func (d Dashboard) Panel(key string) (Panel, bool) {
	for _, p := range d.Panels() {
		if p.Key == key {
			return p, true
		}
	}
	return Panel{}, false
}

// festivalRows is the table (and for the nation the chart) of festival
// figures by province or commune.
func festivalRows(d Dashboard, fe Festival) Panel {
	year := strconv.Itoa(d.Year)
	unitWord := "Tỉnh, thành phố"
	if fe.RowLevel == geo.LevelCommune {
		unitWord = "Xã, phường, đặc khu"
	}
	title := "Ngày hội Toàn dân bảo vệ an ninh Tổ quốc năm " + year + " theo " + map[string]string{geo.LevelProvince: "tỉnh, thành phố", geo.LevelCommune: "xã, phường, đặc khu"}[fe.RowLevel] + ", " + d.Name
	headers := []string{"Mã", unitWord, "Điểm cấp xã", "Khu dân cư", "Người tham dự"}
	if fe.RowLevel == geo.LevelProvince {
		headers = append(headers, "Kế hoạch (điểm)", "Tỷ lệ so với kế hoạch")
	}
	var rows [][]string
	var labels []string
	var pct []float64
	top := 100.0 // a share of the plan, unless one province exceeds it
	for _, r := range fe.Rows {
		row := []string{r.Code, r.Name, chart.Int(r.CommunePoints), chart.Int(r.AreaPoints), chart.Int(r.Participants)}
		if fe.RowLevel == geo.LevelProvince {
			row = append(row, plannedOrDash(r.Planned, geo.LevelProvince), pctOrDash(r.PlanPct, r.Planned > 0))
			labels = append(labels, r.Name)
			v := math.NaN()
			if r.Planned > 0 {
				v = r.PlanPct
				top = max(top, v)
			}
			pct = append(pct, v)
		}
		rows = append(rows, row)
	}
	p := Panel{Key: KeyFestRows, Title: title, Table: chart.Table(headers, rows)}
	p.Table.Caption = title
	if fe.RowLevel == geo.LevelProvince {
		// A chart of 0 or 1 per commune would say nothing the table does
		// not; by province the share of the plan compares.
		ct := "Tỷ lệ xã tổ chức Ngày hội so với kế hoạch theo tỉnh, thành phố, năm " + year
		p.Chart = chart.Bar(ct, labels, []chart.Series{{Name: "Tỷ lệ so với kế hoạch", Values: pct}},
			chart.Options{Horizontal: true, Unit: "%", Decimals: 1, Max: top, Desc: "Tỉnh, thành phố chưa có kế hoạch ghi “–”"})
	}
	return p
}

func pctOrDash(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	return chart.Percent(v, 1)
}

func plannedOrDash(n int, level string) string {
	if level == geo.LevelCommune {
		return "–" // communes have no plan of their own
	}
	return chart.Int(n)
}

func measure(v float64, unit string) string {
	if unit == "%" {
		return chart.Percent(v, 1)
	}
	s := chart.Number(v, 1)
	if unit != "" {
		s += "\u00a0" + unit
	}
	return s
}

func indicatorValue(in Indicator) string {
	if in.NoData {
		return "Chưa có số liệu"
	}
	return measure(in.Value, in.Measure)
}

func targetText(t *recognition.Target) string {
	if t == nil {
		return "–"
	}
	m := ""
	if def, ok := recognition.IndicatorByCode(t.Indicator); ok {
		m = def.Measure
	}
	return comparatorText(t.Comparator) + " " + measure(t.Value, m)
}

func comparatorText(c string) string {
	switch c {
	case "<=":
		return "≤"
	case "=":
		return "="
	}
	return "≥"
}
