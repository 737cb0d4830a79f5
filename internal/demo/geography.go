package demo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"toandan/internal/geo"
)

// The demo's history starts on 1 January 2022. The pre-reform list
// (units-2022.csv) is the last state before 1 July 2025; the demo treats it
// as in force from the start of its history so that the festival years
// 2022–2024 have communes to sit on (the file's own README says it is not the
// 2022 snapshot).
const (
	historyStart = "2022-01-01"
	oldGeoTo     = "2025-06-30"
)

// unit is an administrative unit as the demo plans with it.
type unit struct {
	Code, Name, FullName, Type string
	Province                   string // the province holding a commune (through its district)
}

func (u unit) title() string {
	if u.FullName != "" {
		return u.FullName
	}
	return geo.Unit{Name: u.Name, Type: u.Type}.Title()
}

func (u unit) isWard() bool { return u.Type == "ward" }

// geography is what the demo knows of both geographies before it imports
// them, read from the official lists or made up as sample communes.
type geography struct {
	realNew, realOld bool
	oldProvinces     []unit            // before 1 July 2025, by code
	oldCommunes      map[string][]unit // by old province, by code
	provinces        []unit            // from 1 July 2025, by code
	communes         map[string][]unit // by province, by code
	byCode           map[string]unit   // communes from 1 July 2025
	oldByCode        map[string]unit
	type2026         map[string]string // province types from 30 April 2026, where the 2026 list changed them
	ward2026         map[string]bool   // communes that became wards on 30 April 2026
	main             map[string]string // old commune → its main successor
	imports          []geoImport
}

type geoImport struct {
	at          time.Time
	opt         geo.ImportOptions
	units       []byte
	lineageName string
	lineage     []byte
}

func (g *geography) provinceType(code string, year int) string {
	if year >= 2026 {
		if t, ok := g.type2026[code]; ok {
			return t
		}
	}
	for _, p := range g.provinces {
		if p.Code == code {
			return p.Type
		}
	}
	return ""
}

func (g *geography) wardIn(u unit, year int) bool {
	return u.isWard() || (year >= 2026 && g.ward2026[u.Code])
}

// loadGeography reads the official lists from dir (a folder shaped like
// vn-admin), or makes up sample communes when dir is empty. It plans their
// imports on the dates the lists came into use.
func loadGeography(dir string) (*geography, error) {
	g := &geography{communes: map[string][]unit{}, oldCommunes: map[string][]unit{}, byCode: map[string]unit{},
		oldByCode: map[string]unit{}, type2026: map[string]string{}, ward2026: map[string]bool{}, main: map[string]string{}}
	read := func(name string, required bool) ([]byte, error) {
		if dir == "" {
			return nil, nil
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) && !required {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("demo: geography: %w", err)
		}
		return b, nil
	}
	u2025, err := read("units-2025.csv", true)
	if err != nil {
		return nil, err
	}
	u2026, err := read("units-2026.csv", false)
	if err != nil {
		return nil, err
	}
	u2022, err := read("units-2022.csv", false)
	if err != nil {
		return nil, err
	}
	lin, err := read("lineage-2025.csv", false)
	if err != nil {
		return nil, err
	}

	// The geography from 1 July 2025.
	newFile := "units-2025.csv"
	if u2025 != nil {
		g.realNew = true
		rows, err := geo.ParseUnits(newFile, u2025)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			u := unit{Code: r.Code, Name: r.Name, FullName: r.FullName, Type: r.Type}
			switch r.Level {
			case geo.LevelProvince:
				g.provinces = append(g.provinces, u)
			case geo.LevelCommune:
				u.Province = r.ParentCode
				g.communes[u.Province] = append(g.communes[u.Province], u)
			}
		}
	} else {
		newFile = "xa-mau-2025.csv"
		for _, p := range geo.BuiltinProvinces() {
			g.provinces = append(g.provinces, unit{Code: p.Code, Name: p.Name, FullName: p.FullName, Type: p.Type})
		}
		u2025 = g.sampleCommunes()
	}
	sortUnits(g.provinces)
	for p, cs := range g.communes {
		sortUnits(cs)
		for _, c := range cs {
			g.byCode[c.Code] = c
		}
		g.communes[p] = cs
	}
	if u2026 != nil {
		rows, err := geo.ParseUnits("units-2026.csv", u2026)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			switch r.Level {
			case geo.LevelProvince:
				if t := g.provinceType(r.Code, 2025); t != "" && t != r.Type {
					g.type2026[r.Code] = r.Type
				}
			case geo.LevelCommune:
				if old, ok := g.byCode[r.Code]; ok && !old.isWard() && r.Type == "ward" {
					g.ward2026[r.Code] = true
				}
			}
		}
	}

	// The geography before 1 July 2025.
	oldFile, linName := "units-2022.csv", "lineage-2025.csv"
	if u2022 != nil {
		g.realOld = true
		rows, err := geo.ParseUnits(oldFile, u2022)
		if err != nil {
			return nil, err
		}
		district := map[string]string{}
		for _, r := range rows {
			switch r.Level {
			case geo.LevelProvince:
				g.oldProvinces = append(g.oldProvinces, unit{Code: r.Code, Name: r.Name, FullName: r.FullName, Type: r.Type})
			case geo.LevelDistrict:
				district[r.Code] = r.ParentCode
			}
		}
		for _, r := range rows {
			if r.Level != geo.LevelCommune {
				continue
			}
			prov := r.ParentCode
			if p, ok := district[prov]; ok {
				prov = p
			}
			u := unit{Code: r.Code, Name: r.Name, FullName: r.FullName, Type: r.Type, Province: prov}
			g.oldCommunes[prov] = append(g.oldCommunes[prov], u)
		}
		if lin != nil {
			links, err := geo.ParseLineage(linName, lin)
			if err != nil {
				return nil, err
			}
			for _, l := range links {
				if l.OldLevel == geo.LevelCommune && l.Main == 1 {
					g.main[l.OldCode] = l.NewCode
				}
			}
		}
	} else {
		oldFile, linName = "xa-mau-truoc-2025.csv", "lien-ket-xa-mau.csv"
		u2022, lin = g.sampleOldCommunes()
	}
	sortUnits(g.oldProvinces)
	for p, cs := range g.oldCommunes {
		sortUnits(cs)
		for _, c := range cs {
			g.oldByCode[c.Code] = c
		}
		g.oldCommunes[p] = cs
	}

	// Imports, on the dates the lists came into use. No police units are
	// made for the pre-reform communes: the demo's reports before the reform
	// go to the province police.
	if lin == nil {
		linName = ""
	}
	g.imports = append(g.imports,
		geoImport{at: vnTime(2022, 1, 3, 8, 30), opt: geo.ImportOptions{FileName: oldFile, ValidFrom: historyStart, ValidTo: oldGeoTo, Today: geo.ReformDate},
			units: u2022, lineageName: linName, lineage: lin},
		geoImport{at: vnTime(2025, 6, 20, 9, 0), opt: geo.ImportOptions{FileName: newFile, ValidFrom: geo.ReformDate}, units: u2025})
	if u2026 != nil {
		g.imports = append(g.imports, geoImport{at: vnTime(2026, 4, 25, 9, 0), opt: geo.ImportOptions{FileName: "units-2026.csv", ValidFrom: "2026-04-30"}, units: u2026})
	}
	return g, nil
}

func sortUnits(us []unit) { sort.Slice(us, func(i, j int) bool { return us[i].Code < us[j].Code }) }

// sampleCommunes makes up, for every built-in province, a few communes
// clearly labelled as samples ("Phường mẫu An Bình", code M0101): three wards
// and a commune in a centrally-run city, a ward and two communes elsewhere.
func (g *geography) sampleCommunes() []byte {
	var b bytes.Buffer
	b.WriteString("code,name,type,parent_code,full_name\n")
	for i, p := range g.provinces {
		types := []string{"ward", "commune", "commune"}
		if p.Type == "municipality" {
			types = []string{"ward", "ward", "ward", "commune"}
		}
		for j, t := range types {
			word := sampleWords[(i*4+j)%len(sampleWords)]
			u := unit{Code: fmt.Sprintf("M%s%02d", p.Code, j+1), Name: "Mẫu " + word, FullName: sampleTitle(t) + " mẫu " + word, Type: t, Province: p.Code}
			g.communes[p.Code] = append(g.communes[p.Code], u)
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s\n", u.Code, u.Name, u.Type, p.Code, u.FullName)
		}
	}
	return b.Bytes()
}

func sampleTitle(typ string) string {
	if typ == "ward" {
		return "Phường"
	}
	return "Xã"
}

// sampleOldCommunes makes up the pre-reform geography: the 63 provinces of
// the time with a few sample communes each, and the lineage that takes every
// sample commune into a commune of the province that absorbed its own.
func (g *geography) sampleOldCommunes() (units, lineage []byte) {
	var b, l bytes.Buffer
	b.WriteString("code,name,type,parent_code,full_name\n")
	l.WriteString("old_commune_code,new_commune_code,merge_type\n")
	for _, p := range oldProvinceList {
		full := "Tỉnh " + p.name
		if p.typ == "municipality" {
			full = "Thành phố " + p.name
		}
		g.oldProvinces = append(g.oldProvinces, unit{Code: p.code, Name: p.name, FullName: full, Type: p.typ})
		fmt.Fprintf(&b, "%s,%s,%s,,%s\n", p.code, p.name, p.typ, full)
	}
	next := map[string]int{}
	for i, p := range oldProvinceList {
		types := []string{"ward", "commune"}
		if p.typ == "municipality" {
			types = []string{"ward", "ward", "ward", "commune"}
		}
		targets := g.communes[p.becomes]
		for j, t := range types {
			word := sampleWords[(i*5+j+7)%len(sampleWords)]
			u := unit{Code: fmt.Sprintf("C%s%02d", p.code, j+1), Name: "Mẫu " + word, FullName: sampleTitle(t) + " mẫu " + word, Type: t, Province: p.code}
			g.oldCommunes[p.code] = append(g.oldCommunes[p.code], u)
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s\n", u.Code, u.Name, u.Type, p.code, u.FullName)
			if len(targets) > 0 {
				to := targets[next[p.becomes]%len(targets)].Code
				next[p.becomes]++
				g.main[u.Code] = to
				fmt.Fprintf(&l, "%s,%s,full\n", u.Code, to)
			}
		}
	}
	return b.Bytes(), l.Bytes()
}

// oldProvinceList is the 63 provinces before 1 July 2025 and the province
// each became part of (Resolution 202/2025/QH15).
var oldProvinceList = []struct{ code, name, typ, becomes string }{
	{"01", "Hà Nội", "municipality", "01"}, {"02", "Hà Giang", "province", "08"}, {"04", "Cao Bằng", "province", "04"},
	{"06", "Bắc Kạn", "province", "19"}, {"08", "Tuyên Quang", "province", "08"}, {"10", "Lào Cai", "province", "15"},
	{"11", "Điện Biên", "province", "11"}, {"12", "Lai Châu", "province", "12"}, {"14", "Sơn La", "province", "14"},
	{"15", "Yên Bái", "province", "15"}, {"17", "Hòa Bình", "province", "25"}, {"19", "Thái Nguyên", "province", "19"},
	{"20", "Lạng Sơn", "province", "20"}, {"22", "Quảng Ninh", "province", "22"}, {"24", "Bắc Giang", "province", "24"},
	{"25", "Phú Thọ", "province", "25"}, {"26", "Vĩnh Phúc", "province", "25"}, {"27", "Bắc Ninh", "province", "24"},
	{"30", "Hải Dương", "province", "31"}, {"31", "Hải Phòng", "municipality", "31"}, {"33", "Hưng Yên", "province", "33"},
	{"34", "Thái Bình", "province", "33"}, {"35", "Hà Nam", "province", "37"}, {"36", "Nam Định", "province", "37"},
	{"37", "Ninh Bình", "province", "37"}, {"38", "Thanh Hóa", "province", "38"}, {"40", "Nghệ An", "province", "40"},
	{"42", "Hà Tĩnh", "province", "42"}, {"44", "Quảng Bình", "province", "44"}, {"45", "Quảng Trị", "province", "44"},
	{"46", "Huế", "municipality", "46"}, {"48", "Đà Nẵng", "municipality", "48"}, {"49", "Quảng Nam", "province", "48"},
	{"51", "Quảng Ngãi", "province", "51"}, {"52", "Bình Định", "province", "52"}, {"54", "Phú Yên", "province", "66"},
	{"56", "Khánh Hòa", "province", "56"}, {"58", "Ninh Thuận", "province", "56"}, {"60", "Bình Thuận", "province", "68"},
	{"62", "Kon Tum", "province", "51"}, {"64", "Gia Lai", "province", "52"}, {"66", "Đắk Lắk", "province", "66"},
	{"67", "Đắk Nông", "province", "68"}, {"68", "Lâm Đồng", "province", "68"}, {"70", "Bình Phước", "province", "75"},
	{"72", "Tây Ninh", "province", "80"}, {"74", "Bình Dương", "province", "79"}, {"75", "Đồng Nai", "province", "75"},
	{"77", "Bà Rịa - Vũng Tàu", "province", "79"}, {"79", "Hồ Chí Minh", "municipality", "79"}, {"80", "Long An", "province", "80"},
	{"82", "Tiền Giang", "province", "82"}, {"83", "Bến Tre", "province", "86"}, {"84", "Trà Vinh", "province", "86"},
	{"86", "Vĩnh Long", "province", "86"}, {"87", "Đồng Tháp", "province", "82"}, {"89", "An Giang", "province", "91"},
	{"91", "Kiên Giang", "province", "91"}, {"92", "Cần Thơ", "municipality", "92"}, {"93", "Hậu Giang", "province", "92"},
	{"94", "Sóc Trăng", "province", "92"}, {"95", "Bạc Liêu", "province", "96"}, {"96", "Cà Mau", "province", "96"},
}

// vnTime is a moment in Vietnam.
func vnTime(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, vnZone)
}
