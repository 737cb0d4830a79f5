package geo_test

import (
	"errors"
	"testing"

	"toandan/internal/geo"
)

// Import files come from outside; no byte sequence may crash the parser,
// and whatever it accepts must be well formed.
func FuzzParseUnits(f *testing.F) {
	f.Add([]byte("code,name,type,parent_code\n01,Hà Nội,municipality,\n00004,Ba Đình,ward,01\n"))
	f.Add([]byte("\xef\xbb\xbfcode,name,type,parent_code,full_name,name_en,level\n01,Hà Nội,municipality,,Thành phố Hà Nội,Ha Noi,province\n"))
	f.Add([]byte("code,name,type,parent_code\n01,\"A,\"\"B\",province,\n"))
	f.Add([]byte("code,name\n\xff\xfe"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := geo.ParseUnits("f.csv", data)
		if err != nil {
			var ie *geo.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an ImportError", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if r.Code == "" || r.Name == "" || r.Level == "" {
				t.Fatalf("accepted a row without code, name or level: %+v", r)
			}
			if seen[r.Code] {
				t.Fatalf("accepted duplicate code %s", r.Code)
			}
			seen[r.Code] = true
		}
	})
}

func FuzzParseLineage(f *testing.F) {
	f.Add([]byte("old_commune_code,new_commune_code,merge_type\n00001,00097,full\n00007,00008,partial\n00007,00009,partial\n"))
	f.Add([]byte("old_commune_code,new_commune_code,old_level,merge_type,is_main\n318,11948,district,full,yes\n"))
	f.Add([]byte("old_commune_code,new_commune_code\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		links, err := geo.ParseLineage("l.csv", data)
		if err != nil {
			var ie *geo.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an ImportError", err)
			}
			return
		}
		mains := map[string]int{}
		for _, l := range links {
			if l.MergeType != "full" && l.MergeType != "partial" {
				t.Fatalf("accepted merge type %q", l.MergeType)
			}
			if l.Main == 1 {
				mains[l.OldCode]++
			}
		}
		for _, l := range links {
			if mains[l.OldCode] != 1 {
				t.Fatalf("old code %s has %d main successors, want exactly 1", l.OldCode, mains[l.OldCode])
			}
		}
	})
}
