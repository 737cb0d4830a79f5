package crimesource_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// textGen writes reports the way citizens and officers do: a few kinds of
// crime, common much more often than rare, with names, streets, amounts,
// plates and account numbers that make some searches hit many reports and
// others one. Seeded, so a test or a benchmark sees the same reports every
// run.
type textGen struct{ r *rand.Rand }

func newTextGen(seed uint64) textGen { return textGen{rand.New(rand.NewPCG(seed, 0x70616e))} }

func (g textGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

var (
	genSurnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	genMiddles  = []string{"Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc", "Xuân", "Thu"}
	genGivens   = []string{"An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam",
		"Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến", "Khải", "Đạt", "Hiếu", "Nhung", "Oanh", "Phúc", "Thắng"}
	genStreets = []string{"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Phạm Văn Đồng", "Võ Văn Kiệt",
		"Điện Biên Phủ", "Cách Mạng Tháng Tám", "Quang Trung", "Hùng Vương", "Lạc Long Quân", "Nguyễn Văn Cừ", "Giải Phóng", "Láng Hạ",
		"Tôn Đức Thắng", "Bạch Đằng", "Hoàng Quốc Việt", "Xuân Thủy", "Kim Mã", "Đội Cấn", "Phan Đình Phùng", "Nguyễn Chí Thanh"}
	genPlaces = []string{"chợ đầu mối", "quán cà phê đầu ngõ", "bến xe khách", "khu trọ công nhân", "bãi đất trống cạnh trường học",
		"quán karaoke", "tiệm cầm đồ", "sân bóng mini", "cổng khu công nghiệp", "bờ đê", "nhà văn hóa thôn", "bãi gửi xe bệnh viện"}
	genBanks  = []string{"Vietcombank", "Techcombank", "BIDV", "Agribank", "VietinBank", "MB Bank", "ACB", "VPBank", "Sacombank", "TPBank"}
	genBrands = []string{"Honda Wave", "Honda Vision", "Yamaha Exciter", "Honda SH", "Yamaha Sirius", "VinFast Klara", "Suzuki Raider"}
	genPhones = []string{"iPhone 15", "iPhone 13", "Samsung Galaxy", "Oppo Reno", "Xiaomi Redmi", "Vivo Y"}
	genApps   = []string{"Facebook", "Zalo", "Telegram", "TikTok", "Shopee", "Messenger"}
	genGoods  = []string{"mỹ phẩm", "quần áo", "thuốc lá", "rượu ngoại", "túi xách", "đồng hồ", "sữa bột", "phân bón"}
	genRivers = []string{"sông Tô Lịch", "sông Nhuệ", "sông Đồng Nai", "sông Cầu", "sông Hồng", "kênh Nhiêu Lộc", "sông Sài Gòn"}
	genOrgs   = []string{"Ngân hàng Vietcombank chi nhánh", "Công ty TNHH Thương mại", "Ban quản lý chợ", "Trường THCS", "UBND xã"}
	genTrails = []string{
		"Đề nghị cơ quan công an xác minh, xử lý theo quy định.",
		"Tôi có ảnh chụp màn hình tin nhắn và sao kê tài khoản.",
		"Sự việc đã kéo dài nhiều tháng, người dân rất bức xúc.",
		"Người báo tin đề nghị giữ bí mật danh tính.",
		"Có camera an ninh của nhà bên cạnh ghi lại sự việc.",
		"Nhiều người trong xóm cũng bị tương tự.",
		"Đối tượng thường đi xe không biển số.",
		"Tôi đã trình báo với tổ dân phố nhưng chưa được giải quyết.",
	}
)

func (g textGen) name() string {
	return g.pick(genSurnames) + " " + g.pick(genMiddles) + " " + g.pick(genGivens)
}

func (g textGen) money() string {
	return fmt.Sprintf("%d.%03d.000 đồng", 1+g.r.IntN(900), g.r.IntN(1000))
}

func (g textGen) plate() string {
	return fmt.Sprintf("%02d%c%d-%03d.%02d", 11+g.r.IntN(88), 'A'+rune(g.r.IntN(12)), 1+g.r.IntN(9), g.r.IntN(1000), g.r.IntN(100))
}

func (g textGen) account() string { return fmt.Sprintf("%010d", g.r.Int64N(1e10)) }

// category and description of one report.
func (g textGen) report() (category, description string) {
	var b strings.Builder
	day := fmt.Sprintf("ngày %d/%d", 1+g.r.IntN(28), 1+g.r.IntN(12))
	switch n := g.r.IntN(100); {
	case n < 28:
		category = "cong_nghe_cao"
		fmt.Fprintf(&b, "Tôi bị lừa đảo qua mạng: %s đối tượng xưng là nhân viên ngân hàng %s, gọi từ số %s, yêu cầu chuyển %s vào tài khoản số %s mang tên %s để nhận quà tri ân.",
			day, g.pick(genBanks), "09"+g.account()[:8], g.money(), g.account(), strings.ToUpper(g.name()))
	case n < 36:
		category = "cong_nghe_cao"
		fmt.Fprintf(&b, "Tài khoản %s của tôi bị chiếm đoạt, đối tượng nhắn tin cho người thân vay %s, hứa trả trong ngày.",
			g.pick(genApps), g.money())
	case n < 54:
		category = "trat_tu_xa_hoi"
		fmt.Fprintf(&b, "Xe máy %s biển số %s bị trộm tại %s trên đường %s vào khoảng %d giờ %s.",
			g.pick(genBrands), g.plate(), g.pick(genPlaces), g.pick(genStreets), g.r.IntN(24), day)
	case n < 62:
		category = "trat_tu_xa_hoi"
		fmt.Fprintf(&b, "Bị cướp giật điện thoại %s khi đang đi trên đường %s, đối tượng đi xe máy %s, hai người.",
			g.pick(genPhones), g.pick(genStreets), g.pick(genBrands))
	case n < 70:
		category = "trat_tu_xa_hoi"
		fmt.Fprintf(&b, "Một nhóm thanh niên thường xuyên tụ tập đánh bạc ăn tiền tại %s, có người cầm đầu tên %s.",
			g.pick(genPlaces), g.name())
	case n < 77:
		category = "ma_tuy"
		fmt.Fprintf(&b, "Nghi vấn mua bán, sử dụng trái phép chất ma túy tại %s, thường có người lạ ra vào lúc đêm khuya.", g.pick(genPlaces))
	case n < 84:
		category = "kinh_te"
		fmt.Fprintf(&b, "Đối tượng %s cho vay nặng lãi với lãi suất %d%%/tháng, đe dọa, ném chất bẩn vào nhà người vay %s.",
			g.name(), 10+g.r.IntN(40), g.money())
	case n < 90:
		category = "buon_lau"
		fmt.Fprintf(&b, "Cửa hàng trên đường %s bán %s giả nhãn hiệu, nghi nhập lậu, không có hóa đơn chứng từ.",
			g.pick(genStreets), g.pick(genGoods))
	case n < 95:
		category = "moi_truong"
		fmt.Fprintf(&b, "Cơ sở sản xuất xả nước thải chưa qua xử lý ra %s, gây mùi hôi thối, cá chết hàng loạt.", g.pick(genRivers))
	default:
		category = "tham_nhung"
		fmt.Fprintf(&b, "Cán bộ địa chính tên %s nhận %s để làm nhanh hồ sơ cấp giấy chứng nhận quyền sử dụng đất.",
			g.name(), g.money())
	}
	for range g.r.IntN(3) {
		b.WriteString(" ")
		b.WriteString(g.pick(genTrails))
	}
	return category, b.String()
}

func (g textGen) address() string {
	return fmt.Sprintf("Số %d đường %s", 1+g.r.IntN(400), g.pick(genStreets))
}

// reporterOrg is empty for most reports, as few come from organisations.
func (g textGen) reporterOrg() string {
	if g.r.IntN(10) > 0 {
		return ""
	}
	return g.pick(genOrgs) + " " + g.pick(genStreets)
}

// query returns a search box's text made from words of the reports, cut,
// mixed, quoted, in capitals or not: whatever the index answers must be what
// LIKE answers.
func (g textGen) query(codes []string) string {
	words := func() string {
		switch g.r.IntN(9) {
		case 0:
			return g.pick(genSurnames) + " " + g.pick(genMiddles)
		case 1:
			return g.pick(genStreets)
		case 2:
			return g.pick(genBanks)
		case 3:
			return g.pick(genPlaces)
		case 4:
			return g.pick(genGivens)
		case 5:
			return g.pick(genGoods)
		case 6:
			if len(codes) > 0 {
				c := g.pick(codes)
				i := g.r.IntN(len(c) - 3)
				return c[i : i+3+g.r.IntN(len(c)-i-3)]
			}
			return "tg-20"
		case 7:
			return g.pick([]string{"lừa đảo", "lua dao", "xe máy", "trộm", "ma túy", "đánh bạc", "tài khoản", "đồng", "giả", "xe", "đe", "ao", "ua d", "zq"})
		default:
			return g.pick(genTrails)
		}
	}
	var parts []string
	for range 1 + g.r.IntN(3) {
		w := words()
		r := []rune(w)
		switch g.r.IntN(6) {
		case 0: // a piece of a word or across words
			i := g.r.IntN(len(r))
			w = string(r[i:min(len(r), i+2+g.r.IntN(6))])
		case 1:
			w = strings.ToUpper(w)
		case 2:
			w = `"` + w + `"`
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, " ")
}
