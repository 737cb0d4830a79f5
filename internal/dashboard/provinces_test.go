package dashboard_test

import (
	"strings"
	"testing"

	"toandan/internal/dashboard"
)

// TestMapClasses: counts get five classes from 0 to the largest count in
// round steps, shares fixed classes around the plan and the 99 % target;
// each figure falls in the class whose range holds it.
func TestMapClasses(t *testing.T) {
	count, _ := dashboard.MapIndicatorByCode(dashboard.MapReceived)
	share, _ := dashboard.MapIndicatorByCode(dashboard.MapRecognised)
	counts := func(vs ...float64) dashboard.ProvinceMap {
		m := dashboard.ProvinceMap{Indicator: count}
		for _, v := range vs {
			m.Provinces = append(m.Provinces, dashboard.ProvinceValue{Value: v})
		}
		return m
	}
	cases := []struct {
		name   string
		m      dashboard.ProvinceMap
		legend string
		// figure → class
		classes map[float64]string
	}{
		{"nothing received", counts(0, 0), "lop-1 0", map[float64]string{0: "lop-1"}},
		{"up to 2", counts(0, 1, 2), "lop-1 0; lop-2 1; lop-3 2", map[float64]string{0: "lop-1", 1: "lop-2", 2: "lop-3"}},
		{"up to 7", counts(0, 7), "lop-1 0; lop-2 1–2; lop-3 3–4; lop-4 5–6; lop-5 Từ 7 trở lên",
			map[float64]string{2: "lop-2", 3: "lop-3", 6: "lop-4", 7: "lop-5"}},
		{"up to 8", counts(8), "lop-1 0; lop-2 1–2; lop-3 3–4; lop-4 5–6; lop-5 Từ 7 trở lên", map[float64]string{8: "lop-5"}},
		{"up to 3,999", counts(3999, 12), "lop-1 0; lop-2 1–1.000; lop-3 1.001–2.000; lop-4 2.001–3.000; lop-5 Từ 3.001 trở lên",
			map[float64]string{1000: "lop-2", 1001: "lop-3", 3999: "lop-5"}},
		{"shares", dashboard.ProvinceMap{Indicator: share}, "lop-1 Dưới 50%; lop-2 50% – dưới 80%; lop-3 80% – dưới 95%; lop-4 95% – dưới 100%; lop-5 Từ 100% trở lên",
			map[float64]string{0: "lop-1", 49.99: "lop-1", 50: "lop-2", 98.9: "lop-4", 99: "lop-4", 100: "lop-5", 130: "lop-5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			classes := c.m.Classes()
			var legend []string
			for _, cl := range classes {
				legend = append(legend, cl.Key+" "+cl.Label)
			}
			if got := strings.Join(legend, "; "); got != c.legend {
				t.Errorf("legend %q, want %q", got, c.legend)
			}
			for v, want := range c.classes {
				if got := dashboard.ClassOf(classes, dashboard.ProvinceValue{Value: v}).Key; got != want {
					t.Errorf("%v in %s, want %s", v, got, want)
				}
			}
			if got := dashboard.ClassOf(classes, dashboard.ProvinceValue{NoData: true, Value: 5}); got != dashboard.NoDataClass {
				t.Errorf("a province without a figure in %s", got.Key)
			}
		})
	}
	m := counts(1234)
	if got := m.ValueText(m.Provinces[0]); got != "1.234 nguồn tin" {
		t.Errorf("count worded %q", got)
	}
	p := dashboard.ProvinceMap{Indicator: share}
	if got := p.ValueText(dashboard.ProvinceValue{Value: 200.0 / 3}); got != "66,7%" {
		t.Errorf("share worded %q", got)
	}
}
