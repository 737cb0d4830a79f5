package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"toandan/internal/account"
	"toandan/internal/dashboard"
	"toandan/internal/errs"
	"toandan/internal/geo"
)

// The province map: every province coloured by one figure of the year. The
// page itself is a grid of provinces in the same colours, which is all a
// phone without JavaScript, or a system without imported boundaries, shows;
// static/map.js draws the map over it from du-lieu.json with Leaflet.

// mapProvince is one province of the map, classed.
type mapProvince struct {
	dashboard.ProvinceValue
	Text  string
	Class dashboard.Class
	// InScope is set when the officer may see the province's figures; the
	// others are drawn without them.
	InScope bool
}

type mapData struct {
	Map        dashboard.ProvinceMap
	Indicators []dashboard.MapIndicator
	Years      []int
	Legend     []dashboard.Class
	Provinces  []mapProvince
	Boundaries []geo.Boundary
	// NoData is set when some province has no figure, so that the legend
	// shows the no-data class.
	NoData bool
	// Focus lists the provinces the map opens on: a province officer's
	// own; none, the whole country.
	Focus []string
}

// outOfScope is the note of a province whose figures the officer does not
// see.
const outOfScope = "Ngoài phạm vi quản lý của bạn."

// mapFor computes the map the request asks for (?chi-so=, ?nam=), with the
// figures of the provinces outside the officer's scope left out: a
// province's officers see their province, the nation's every province.
func (s *Server) mapFor(ctx context.Context, r *http.Request, u *account.User) (mapData, error) {
	q := r.URL.Query()
	indicator := q.Get("chi-so")
	if indicator == "" {
		indicator = dashboard.MapReceived
	}
	year, err := s.movementYear(r)
	if err != nil {
		return mapData{}, err
	}
	m, err := s.Dashboard.ByProvince(ctx, indicator, year)
	if err != nil {
		return mapData{}, err
	}
	inScope := map[string]bool{}
	for i := range m.Provinces {
		p := &m.Provinces[i]
		if u.UnitCode == geo.Nation || u.UnitCode == p.Code {
			inScope[p.Code] = true
			continue
		}
		p.Value, p.NoData, p.Note = 0, true, outOfScope
	}
	d := mapData{Map: m, Indicators: dashboard.MapIndicators(), Legend: m.Classes()}
	for y := s.currentYear(); y >= s.currentYear()-4; y-- {
		d.Years = append(d.Years, y)
	}
	for _, p := range m.Provinces {
		d.NoData = d.NoData || p.NoData
		mp := mapProvince{ProvinceValue: p, Text: m.ValueText(p), Class: dashboard.ClassOf(d.Legend, p), InScope: inScope[p.Code]}
		if !mp.InScope {
			mp.Text = "Ngoài phạm vi"
		}
		d.Provinces = append(d.Provinces, mp)
	}
	if d.NoData {
		// The grey class holds provinces without a figure and those
		// outside the officer's scope; the legend names what it holds.
		none := dashboard.NoDataClass
		hidden, empty := 0, 0
		for _, p := range d.Provinces {
			switch {
			case !p.InScope:
				hidden++
			case p.NoData:
				empty++
			}
		}
		switch {
		case hidden > 0 && empty > 0:
			none.Label = "Chưa có số liệu hoặc ngoài phạm vi"
		case hidden > 0:
			none.Label = "Ngoài phạm vi quản lý"
		}
		d.Legend = append(d.Legend, none)
	}
	if u.UnitCode != geo.Nation && inScope[u.UnitCode] {
		d.Focus = []string{u.UnitCode}
	}
	if d.Boundaries, err = s.Geo.Boundaries(ctx, m.Date); err != nil {
		return mapData{}, err
	}
	return d, nil
}

func (s *Server) mapPage(w http.ResponseWriter, r *http.Request, u *account.User) {
	d, err := s.mapFor(r.Context(), r, u)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "map", staffView(u, "Bản đồ theo tỉnh: "+d.Map.Indicator.Name+", năm "+strconv.Itoa(d.Map.Year), d, ""))
}

// The map's data is a GeoJSON FeatureCollection, one feature per province
// with a boundary, with the figure and its class in the properties and the
// legend as a foreign member.
type mapJSON struct {
	Type      string `json:"type"`
	Indicator struct {
		Code    string `json:"code"`
		Name    string `json:"name"`
		Measure string `json:"measure"`
	} `json:"indicator"`
	Year int    `json:"year"`
	Date string `json:"date"`
	// Legend lists the classes, lowest first, the no-data class last.
	Legend   []mapClassJSON   `json:"legend"`
	Features []mapFeatureJSON `json:"features"`
	// WithoutBoundary lists the provinces that have no boundary to draw.
	WithoutBoundary []string `json:"without_boundary"`
	// Focus lists the provinces to open the map on; empty: all of them.
	Focus []string `json:"focus"`
}

type mapClassJSON struct {
	Class string `json:"class"`
	Label string `json:"label"`
	Fill  string `json:"fill"`
}

type mapFeatureJSON struct {
	Type       string          `json:"type"`
	Properties mapPropsJSON    `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

type mapPropsJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Value is null for a province without a figure (or outside the
	// officer's scope); Text words it either way.
	Value *float64 `json:"value"`
	Text  string   `json:"text"`
	Note  string   `json:"note,omitempty"`
	Class string   `json:"class"`
	Fill  string   `json:"fill"`
}

func (s *Server) mapData(w http.ResponseWriter, r *http.Request, u *account.User) {
	d, err := s.mapFor(r.Context(), r, u)
	if err != nil {
		status := errs.Status(err)
		if status == http.StatusInternalServerError {
			s.Log.Error("map data", "err", err)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": errs.Message(err)})
		return
	}
	out := mapJSON{Type: "FeatureCollection", Year: d.Map.Year, Date: d.Map.Date, Features: []mapFeatureJSON{}, WithoutBoundary: []string{}, Focus: d.Focus}
	if out.Focus == nil {
		out.Focus = []string{}
	}
	out.Indicator.Code, out.Indicator.Name, out.Indicator.Measure = d.Map.Indicator.Code, d.Map.Indicator.Name, d.Map.Indicator.Measure
	for _, c := range d.Legend {
		out.Legend = append(out.Legend, mapClassJSON{Class: c.Key, Label: c.Label, Fill: c.Fill})
	}
	shapes := map[string]json.RawMessage{}
	for _, b := range d.Boundaries {
		shapes[b.ProvinceCode] = b.Geometry
	}
	for _, p := range d.Provinces {
		g, ok := shapes[p.Code]
		if !ok {
			out.WithoutBoundary = append(out.WithoutBoundary, p.Code)
			continue
		}
		props := mapPropsJSON{Code: p.Code, Name: p.Name, Text: p.Text, Note: p.Note, Class: p.Class.Key, Fill: p.Class.Fill}
		if !p.NoData {
			v := p.Value
			props.Value = &v
		}
		out.Features = append(out.Features, mapFeatureJSON{Type: "Feature", Properties: props, Geometry: g})
	}
	// application/json rather than application/geo+json: the server's
	// gzip layer compresses it (the boundaries shrink to a third).
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		s.Log.Error("map data", "err", err)
	}
}
