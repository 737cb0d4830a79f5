package movement_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"toandan/internal/geo"
	"toandan/internal/movement"
	"toandan/internal/testutil"
)

// benchGeography is a geography the size of the 2025 reform, generated: 34
// provinces, each with 300 old communes in 10 districts (in force 1 Mar – 30
// Jun 2025) merged three into one of 100 new communes, every tenth old
// commune split between two new ones.
func benchGeography() (newList, oldList, lineage string) {
	var nb, ob, lb strings.Builder
	nb.WriteString("code,name,type,parent_code\n")
	ob.WriteString("code,name,type,parent_code\n")
	lb.WriteString("old_commune_code,new_commune_code,merge_type\n")
	for _, p := range geo.BuiltinProvinces() {
		fmt.Fprintf(&ob, "%s,Cũ %s,%s,\n", p.Code, p.Name, p.Type)
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&nb, "N%s%03d,Mới %d,commune,%s\n", p.Code, i, i, p.Code)
		}
		for d := 0; d < 10; d++ {
			fmt.Fprintf(&ob, "D%s%02d,Huyện %d,district,%s\n", p.Code, d, d, p.Code)
		}
		for i := 0; i < 300; i++ {
			fmt.Fprintf(&ob, "O%s%03d,Xã %d,commune,D%s%02d\n", p.Code, i, i, p.Code, i/30)
			if i%10 == 9 {
				fmt.Fprintf(&lb, "O%s%03d,N%s%03d,partial\n", p.Code, i, p.Code, i/3)
				fmt.Fprintf(&lb, "O%s%03d,N%s%03d,partial\n", p.Code, i, p.Code, (i/3+1)%100)
			} else {
				fmt.Fprintf(&lb, "O%s%03d,N%s%03d,full\n", p.Code, i, p.Code, i/3)
			}
		}
	}
	return nb.String(), ob.String(), lb.String()
}

// benchYear is 9,000 commune-level points on the old communes and 1,000
// residential-area points.
func benchYear() string {
	var codes []string
	for _, p := range geo.BuiltinProvinces() {
		for i := 0; i < 300; i++ {
			codes = append(codes, fmt.Sprintf("O%s%03d", p.Code, i))
		}
	}
	var b strings.Builder
	b.WriteString(festivalHeader)
	var chosen []string
	for k, c := range codes {
		if (k*7919)%len(codes) < 9000 {
			chosen = append(chosen, c)
		}
	}
	for k, c := range chosen {
		fmt.Fprintf(&b, "2025,%s,,2025-%02d-%02d,%d,1,2,500000\n", c, 3+k%4, 1+k%28, 100+k%300)
	}
	for k := 0; k < 1000; k++ {
		fmt.Fprintf(&b, "2025,%s,Thôn %d,2025-06-%02d,%d,0,1,100000\n", chosen[k], k, 1+k%28, 20+k%50)
	}
	return b.String()
}

// BenchmarkFestivalByProvince rolls up 10,000 points in each view. Setting up
// the geography takes a few seconds; ns/op is the roll-up alone.
func BenchmarkFestivalByProvince(b *testing.B) {
	newList, oldList, lineage := benchGeography()
	year := benchYear()
	for _, engine := range testutil.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			e := newEnv(b, testutil.NewDB(b, engine))
			e.importUnits(b, "bench-new.csv", newList, "2025-07-01", "", "")
			e.importUnits(b, "bench-old.csv", oldList, "2025-03-01", "2025-06-30", lineage)
			res := e.mustImport(b, "bench-2025.csv", []byte(year))
			if res.Inserted != 10_000 {
				b.Fatalf("import: %+v", res)
			}
			for _, view := range []movement.View{movement.Current, movement.Recorded} {
				b.Run(string(view), func(b *testing.B) {
					ctx := context.Background()
					var total movement.ProvinceRow
					for b.Loop() {
						var err error
						if _, total, err = e.svc.FestivalByProvince(ctx, 2025, view); err != nil {
							b.Fatal(err)
						}
					}
					if total.CommunesHeld == 0 || total.ResidentialAreasHeld != 1000 {
						b.Fatalf("totals: %+v", total)
					}
				})
			}
		})
	}
}

// TestBenchYear keeps the benchmark's data honest without running it.
func TestBenchYear(t *testing.T) {
	if n := strings.Count(benchYear(), "\n"); n != 10_001 {
		t.Errorf("bench year: %d lines, want a header and 10,000 points", n)
	}
}
