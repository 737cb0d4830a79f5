package demo

import (
	"context"
	"fmt"
	"time"

	"toandan/internal/recognition"
)

// conferenceSource is the legal source of the targets set at the Ministry's
// conference of 23 November 2022.
const conferenceSource = "Hội nghị sơ kết phong trào Toàn dân bảo vệ an ninh Tổ quốc của Bộ Công an ngày 23/11/2022"

// planTargets plans the targets: those of the November 2022 conference (99%
// of one province's communes recognised by 2025; model ward police in every
// centrally-run city and province from 2023), a festival held-vs-plan target
// every year, and a few provincial targets for the current year.
func (sd *seeder) planTargets() {
	endYear := sd.end.In(vnZone).Year()
	type plan struct {
		at time.Time
		by func() *acct
		t  recognition.Target
	}
	ministry := sd.ministry
	staff := func(p string) func() *acct { return func() *acct { return sd.staff(p) } }
	var ps []plan
	for y := 2022; y <= endYear; y++ {
		at := vnTime(y, 3, 6, 10, 0)
		if y == 2025 {
			at = vnTime(2025, 7, 11, 10, 0) // with the plans made again on the new provinces
		}
		ps = append(ps, plan{at, ministry, recognition.Target{Indicator: recognition.HeldVsPlanPct, ScopeKind: recognition.ScopeUnit, Scope: "VN",
			Year: y, Comparator: ">=", Value: 100, LegalSource: fmt.Sprintf("Kế hoạch của Bộ Công an tổ chức Ngày hội Toàn dân bảo vệ ANTQ năm %d", y),
			Note: "Số xã, phường, đặc khu tổ chức Ngày hội đạt và vượt kế hoạch."}})
	}
	conf := vnTime(2022, 11, 23, 15, 0)
	ps = append(ps,
		plan{conf, staff("19"), recognition.Target{Indicator: recognition.CommunesRecognisedPct, ScopeKind: recognition.ScopeUnit, Scope: "19",
			Year: 2025, Comparator: ">=", Value: 99, LegalSource: conferenceSource,
			Note: "Đến năm 2025, 99% xã, phường, thị trấn của tỉnh đạt tiêu chuẩn “An toàn về an ninh, trật tự”."}},
		plan{conf.Add(30 * time.Minute), ministry, recognition.Target{Indicator: recognition.RecognisedModelWards, ScopeKind: recognition.ScopeEach,
			Scope: "municipality", Year: 2023, Comparator: ">=", Value: 3, LegalSource: conferenceSource,
			Note: "Thí điểm Công an phường điển hình, kiểu mẫu: ít nhất 3 mô hình ở mỗi thành phố trực thuộc trung ương."}},
		plan{conf.Add(31 * time.Minute), ministry, recognition.Target{Indicator: recognition.RecognisedModelWards, ScopeKind: recognition.ScopeEach,
			Scope: "province", Year: 2023, Comparator: ">=", Value: 1, LegalSource: conferenceSource,
			Note: "Thí điểm Công an phường điển hình, kiểu mẫu: ít nhất 1 mô hình ở mỗi tỉnh."}},
	)
	for y := 2024; y <= endYear; y++ {
		at := vnTime(y, 1, 8, 9, 0)
		src := fmt.Sprintf("Kế hoạch năm %d của Bộ Công an tiếp tục thực hiện kết luận Hội nghị ngày 23/11/2022", y)
		ps = append(ps,
			plan{at, ministry, recognition.Target{Indicator: recognition.RecognisedModelWards, ScopeKind: recognition.ScopeEach,
				Scope: "municipality", Year: y, Comparator: ">=", Value: 3, LegalSource: src}},
			plan{at.Add(time.Minute), ministry, recognition.Target{Indicator: recognition.RecognisedModelWards, ScopeKind: recognition.ScopeEach,
				Scope: "province", Year: y, Comparator: ">=", Value: 1, LegalSource: src}})
	}
	if endYear >= 2026 {
		at := vnTime(2026, 1, 12, 10, 0)
		ps = append(ps,
			plan{at, staff("19"), recognition.Target{Indicator: recognition.CommunesRecognisedPct, ScopeKind: recognition.ScopeUnit, Scope: "19",
				Year: 2026, Comparator: ">=", Value: 99, LegalSource: "Kế hoạch năm 2026 của Công an tỉnh Thái Nguyên"}},
			plan{at.Add(time.Hour), staff("01"), recognition.Target{Indicator: recognition.CommunesRecognisedPct, ScopeKind: recognition.ScopeUnit, Scope: "01",
				Year: 2026, Comparator: ">=", Value: 90, LegalSource: "Kế hoạch năm 2026 của Công an thành phố Hà Nội"}},
			plan{at.Add(2 * time.Hour), staff("79"), recognition.Target{Indicator: recognition.ActiveModelsCount, ScopeKind: recognition.ScopeUnit, Scope: "79",
				Year: 2026, Comparator: ">=", Value: float64(max(1, sd.models["79"]-1)), LegalSource: "Kế hoạch năm 2026 của Công an Thành phố Hồ Chí Minh",
				Note: "Duy trì các mô hình tự quản hiện có."}},
			plan{at.Add(3 * time.Hour), staff("01"), recognition.Target{Indicator: recognition.HeldVsPlanPct, ScopeKind: recognition.ScopeUnit, Scope: "01",
				Year: 2026, Comparator: ">=", Value: 100, LegalSource: "Kế hoạch năm 2026 của Công an thành phố Hà Nội"}},
		)
	}
	for _, p := range ps {
		sd.at(p.at, "target "+p.t.Indicator, func(ctx context.Context) error {
			_, err := sd.s.Recognition.CreateTarget(ctx, p.by().user, p.t)
			return err
		})
	}
}
