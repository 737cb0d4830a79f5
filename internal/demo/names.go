package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// People's names, drawn with the frequencies surnames have in Vietnam
// (Nguyễn alone is about four in ten).
var (
	surnames = []weighted[string]{
		{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9}, {"Phạm", 7}, {"Hoàng", 5}, {"Huỳnh", 4}, {"Phan", 4},
		{"Vũ", 4}, {"Võ", 3}, {"Đặng", 2}, {"Bùi", 2}, {"Đỗ", 2}, {"Hồ", 2}, {"Ngô", 2}, {"Dương", 1},
		{"Lý", 1}, {"Đinh", 1}, {"Trịnh", 1}, {"Lương", 1}, {"Mai", 1},
	}
	middleMale   = []string{"Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Xuân", "Đình", "Ngọc", "Trọng", "Anh"}
	middleFemale = []string{"Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Kim", "Hồng", "Bích", "Mai"}
	givenMale    = []string{"An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Hoàng", "Huy", "Khoa", "Khánh", "Long", "Nam", "Phong",
		"Phúc", "Quân", "Sơn", "Tuấn", "Thắng", "Trung", "Việt", "Vinh", "Tùng", "Thịnh", "Hiếu", "Lâm", "Kiên", "Tài"}
	givenFemale = []string{"Anh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung",
		"Oanh", "Phương", "Thảo", "Trang", "Vân", "Yến", "Huyền", "Loan", "Thủy", "Hằng", "Quỳnh", "Nga", "Tâm"}
)

type weighted[T any] struct {
	v T
	w int
}

// pickW draws one value with the given weights.
func pickW[T any](rng *rand.Rand, xs []weighted[T]) T {
	total := 0
	for _, x := range xs {
		total += x.w
	}
	n := rng.IntN(total)
	for _, x := range xs {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return xs[len(xs)-1].v
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// chance reports true with probability p.
func chance(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

// between draws a whole number in [lo, hi].
func between(rng *rand.Rand, lo, hi int) int { return lo + rng.IntN(hi-lo+1) }

// person is a made-up citizen.
type person struct {
	name   string
	female bool
	born   int
}

func newPerson(rng *rand.Rand) person {
	p := person{female: chance(rng, 0.45), born: between(rng, 1958, 2005)}
	sur := pickW(rng, surnames)
	if p.female {
		p.name = sur + " " + pick(rng, middleFemale) + " " + pick(rng, givenFemale)
	} else {
		p.name = sur + " " + pick(rng, middleMale) + " " + pick(rng, givenMale)
	}
	return p
}

// idNumber is a 12-digit personal identification number shaped like the
// real ones: the 3-digit code of the province of birth, a digit for sex and
// century, the last two digits of the year of birth, six random digits.
func (p person) idNumber(rng *rand.Rand, province string) string {
	g := 0
	if p.born >= 2000 {
		g = 2
	}
	if p.female {
		g++
	}
	return fmt.Sprintf("0%s%d%02d%06d", province, g, p.born%100, rng.IntN(1_000_000))
}

// phone is a mobile number of the 09x series.
func phone(rng *rand.Rand) string { return fmt.Sprintf("09%08d", rng.IntN(100_000_000)) }

// slug turns a Vietnamese name into lower-case ASCII letters and digits, for
// usernames: "Hồ Chí Minh" → "hochiminh".
func slug(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case r == 'đ':
			b.WriteRune('d')
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		}
	}
	return b.String()
}

var streets = []string{"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Quang Trung", "Hai Bà Trưng", "Lý Thường Kiệt", "Nguyễn Du",
	"Phan Đình Phùng", "Hùng Vương", "Điện Biên Phủ", "Lê Duẩn", "Nguyễn Văn Cừ", "Trường Chinh", "Cách Mạng Tháng Tám",
	"Võ Thị Sáu", "Nguyễn Thị Minh Khai", "Bà Triệu", "Lê Hồng Phong", "Phạm Văn Đồng", "Tôn Đức Thắng"}

// streetAddress is a house address in a commune, the way people write it.
func streetAddress(rng *rand.Rand, commune, province string) string {
	switch rng.IntN(3) {
	case 0:
		return fmt.Sprintf("Số %d đường %s, %s, %s", between(rng, 1, 480), pick(rng, streets), commune, province)
	case 1:
		return fmt.Sprintf("Số %d, ngõ %d %s, %s, %s", between(rng, 1, 90), between(rng, 2, 300), pick(rng, streets), commune, province)
	}
	return fmt.Sprintf("Tổ %d, %s, %s", between(rng, 1, 25), commune, province)
}

// Residential areas: names by kind and region.
var (
	thonNames = []string{"Đông", "Đoài", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Tân Lập", "Tiền Phong", "Đồng Tâm", "Quyết Tiến",
		"Thắng Lợi", "Hòa Bình", "Phú Thượng", "Yên Thịnh", "An Lạc", "Đông Hòa", "Tây Sơn", "Hưng Long", "Lạc Thịnh"}
	banNames = []string{"Nà Lừa", "Pá Khôm", "Huổi Hẹ", "Phiêng Lao", "Co Mạ", "Noong Luông", "Nà Sản", "Khuổi Nạc", "Lũng Cẩm",
		"Tả Phìn", "Nà Hin", "Pác Bó", "Hua Pan", "Nậm Cang"}
	apNames = []string{"Tân Hòa", "Phú Lợi", "Long Thạnh", "Bình Đông", "Mỹ Hòa", "Thạnh Phú", "An Thới", "Vĩnh Hưng", "Phước Lộc",
		"Hòa Thuận", "Tân Thành", "Long Bình", "Mỹ Phước", "Bình An"}
)

// mountainProvinces are northern mountain provinces, where hamlets are
// "bản"; southernProvinces those where they are "ấp" and streets "khu phố".
// Codes of both geographies are listed.
var (
	mountainProvinces = map[string]bool{"02": true, "04": true, "06": true, "08": true, "10": true, "11": true, "12": true, "14": true, "15": true, "17": true, "20": true}
	southernProvinces = map[string]bool{"70": true, "72": true, "74": true, "75": true, "77": true, "79": true, "80": true, "82": true, "83": true,
		"84": true, "86": true, "87": true, "89": true, "91": true, "92": true, "93": true, "94": true, "95": true, "96": true}
)

// areaNames returns n distinct residential-area names for a commune of a
// type in a province, names that carry their kind ("Thôn Đông").
func areaNames(rng *rand.Rand, typ, province string, n int) []string {
	var out []string
	if typ == "ward" || typ == "special_zone" || typ == "township" {
		word := "Tổ dân phố số"
		if southernProvinces[province] {
			word = "Khu phố"
		}
		for i := 1; i <= n; i++ {
			out = append(out, fmt.Sprintf("%s %d", word, i))
		}
		return out
	}
	prefix, names := "Thôn", thonNames
	switch {
	case mountainProvinces[province]:
		prefix, names = "Bản", banNames
	case southernProvinces[province]:
		prefix, names = "Ấp", apNames
	}
	for _, i := range rng.Perm(len(names))[:min(n, len(names))] {
		out = append(out, prefix+" "+names[i])
	}
	return out
}

// Sample communes' names, used when no official list is given.
var sampleWords = []string{"An Bình", "Tân Phú", "Hòa Lạc", "Phú Mỹ", "Đông Hưng", "Thanh Bình", "Tân Lập", "Hưng Thịnh", "Phước Long",
	"Quang Trung", "Trung Sơn", "Bình Minh", "Hòa Bình", "Long Hải", "Tân Tiến", "Đồng Xuân", "Vĩnh Phúc", "Nam Sơn", "Bắc Hà",
	"Thịnh Hào", "Kim Liên", "Hoàng Văn Thụ", "Yên Hòa", "Mỹ Đình", "Phú Thượng", "Thạch Bàn", "Cẩm Phả", "Hồng Hà", "Tiền Phong",
	"Thống Nhất", "Độc Lập", "Tân Hưng", "Bình Thạnh", "Phú Nhuận", "Hiệp Bình", "Long Thành", "Tam Kỳ", "Sơn Trà", "Ninh Kiều"}

// Grassroots models: names by type.
var modelKinds = []struct {
	typ   string
	names []string // %s is the place: an area or the commune
}{
	{"camera_an_ninh", []string{"Camera an ninh %s", "Mắt thần khu dân cư %s"}},
	{"to_tu_quan", []string{"Tổ tự quản về an ninh, trật tự %s", "Tổ hòa giải và tự quản %s"}},
	{"tieng_loa_an_ninh", []string{"Tiếng loa an ninh %s", "Loa phát thanh phòng, chống tội phạm %s"}},
	{"khu_dan_cu_an_toan", []string{"Khu dân cư an toàn %s", "Khu dân cư không tội phạm, tệ nạn ma túy %s"}},
	{"to_lien_gia_an_toan_pccc", []string{"Tổ liên gia an toàn phòng cháy, chữa cháy %s", "Điểm chữa cháy công cộng %s"}},
	{"to_an_ninh_xung_kich", []string{"Tổ an ninh xung kích %s", "Đội thanh niên xung kích giữ gìn an ninh %s"}},
	{"dong_ho_tu_quan", []string{"Dòng họ %s tự quản về an ninh, trật tự"}},
	{"khac", []string{"Zalo \"An ninh %s\"", "Phụ nữ tham gia giữ gìn an ninh, trật tự %s", "Cựu chiến binh tham gia phòng, chống tội phạm %s"}},
}

// Festival points: places and notes.
var (
	communePlaces = []string{"Hội trường Ủy ban nhân dân %s", "Sân vận động %s", "Nhà văn hóa trung tâm %s", "Sân trường Trung học cơ sở %s",
		"Quảng trường %s"}
	areaPlaces   = []string{"Nhà văn hóa %s", "Sân nhà văn hóa %s", "Sân đình %s", "Điểm sinh hoạt cộng đồng %s"}
	festivalNote = []string{"", "", "", "Ra mắt mô hình “Camera an ninh” và trao tặng 12 bình chữa cháy cho hộ kinh doanh.",
		"Kết hợp tuyên truyền phòng, chống lừa đảo qua mạng cho người cao tuổi.", "Có văn nghệ, trò chơi dân gian; khen thưởng tổ tự quản tiêu biểu.",
		"Ký cam kết không vi phạm pháp luật về ma túy; tặng quà gia đình chính sách.", "Tổ chức trong nhà do mưa lớn; phát tờ rơi về mạo danh công an gọi điện."}
)

// Crime reports: what citizens and agencies write, by category. %[1]s is the
// place, %[2]s a sum of money, %[3]s a time of day, %[4]s a motorbike,
// %[5]s an application or website, %[6]s a person's name.
var reportTexts = map[string][]string{
	"cong_nghe_cao": {
		"Tôi nhận được cuộc gọi của người xưng là cán bộ công an, nói tôi liên quan đến một vụ rửa tiền và yêu cầu chuyển %[2]s vào “tài khoản tạm giữ” để xác minh. Tôi đã chuyển tiền, sau đó không liên lạc được.",
		"Qua %[5]s, tôi được mời tham gia “làm nhiệm vụ” thả tim, đánh giá sản phẩm để nhận hoa hồng. Ban đầu được trả vài trăm nghìn, sau đó bị yêu cầu nạp thêm; tổng cộng tôi đã chuyển %[2]s và không rút được.",
		"Một tài khoản %[5]s giả danh người thân ở nước ngoài nhắn tin vay tiền gấp. Tôi chuyển %[2]s thì tài khoản đó chặn liên lạc.",
		"Tôi bấm vào đường link tin nhắn báo trúng thưởng, nhập thông tin ngân hàng và mã OTP; ngay sau đó tài khoản bị trừ %[2]s.",
		"Người tự xưng nhân viên điện lực gọi điện đòi cắt điện, yêu cầu cài ứng dụng lạ để “cập nhật thông tin”. Điện thoại bị chiếm quyền điều khiển, tài khoản mất %[2]s.",
		"Tôi đầu tư vào sàn tiền ảo được giới thiệu qua nhóm %[5]s, cam kết lãi 30%%/tháng. Sau khi nạp %[2]s thì sàn khóa tài khoản, nhóm bị giải tán.",
	},
	"trat_tu_xa_hoi": {
		"Khoảng %[3]s, chiếc xe máy %[4]s của tôi dựng %[1]s bị mất trộm. Camera nhà bên cạnh có ghi lại hai thanh niên đi xe không biển số.",
		"%[3]s, tại %[1]s có một nhóm khoảng 6–7 thanh niên mang theo hung khí đuổi đánh nhau, một người bị thương ở đầu phải đưa đi cấp cứu.",
		"Tôi đang đi bộ %[1]s thì bị hai đối tượng đi xe %[4]s áp sát giật điện thoại và túi xách rồi bỏ chạy, khoảng %[3]s.",
		"Tại %[1]s thường xuyên có nhóm người tụ tập đánh bạc ăn tiền, nhất là vào buổi tối, gây mất trật tự cho khu dân cư.",
		"Nhà tôi bị kẻ gian cạy cửa lấy trộm tài sản gồm vàng và tiền mặt khoảng %[2]s khi cả nhà đi vắng, phát hiện lúc %[3]s.",
		"Anh %[6]s bị một nhóm cho vay nặng lãi đến nhà đe dọa, ném chất bẩn vào cửa vì chậm trả khoản vay với lãi suất 5.000 đồng/1 triệu/ngày.",
	},
	"ma_tuy": {
		"Tại %[1]s có người lạ thường xuyên ra vào một căn nhà thuê vào ban đêm, nghi có hoạt động mua bán, sử dụng trái phép chất ma túy.",
		"Một nhóm thanh niên tụ tập tại quán karaoke %[1]s sử dụng “bóng cười” và nghi sử dụng ma túy tổng hợp, mở nhạc lớn đến khuya.",
		"Tôi phát hiện con trai mình được bạn rủ dùng thuốc lá điện tử có chứa chất lạ, người bán hoạt động quanh %[1]s.",
		"Có đối tượng đi xe %[4]s giao các gói nhỏ cho nhiều người tại %[1]s vào khoảng %[3]s hằng ngày, nghi là bán lẻ ma túy.",
	},
	"kinh_te": {
		"Công ty ở %[1]s nhận tiền đặt cọc mua đất nền của nhiều người, mỗi người từ 200 triệu đồng, nhưng dự án không có thật; hiện công ty đóng cửa.",
		"Bà %[6]s vận động nhiều người góp họ, chơi hụi với tổng số tiền khoảng %[2]s rồi bỏ trốn khỏi địa phương.",
		"Cơ sở tại %[1]s có dấu hiệu in, bán hóa đơn giá trị gia tăng khống cho nhiều doanh nghiệp.",
		"Tôi bị lừa mua suất lao động đi nước ngoài, đã nộp %[2]s cho người môi giới nhưng không được đi và không được trả lại tiền.",
	},
	"buon_lau": {
		"Tại kho hàng %[1]s thường xuyên có xe tải nhập hàng điện tử, mỹ phẩm không nhãn phụ tiếng Việt, nghi là hàng nhập lậu.",
		"Cửa hàng ở %[1]s bán rượu ngoại, thuốc lá điếu nhập lậu với số lượng lớn, giá rẻ bất thường.",
		"Một điểm kinh doanh tại %[1]s bán hàng giả nhãn hiệu nổi tiếng (giày, túi xách) và thực phẩm chức năng không rõ nguồn gốc.",
		"Có người tổ chức vận chuyển pháo nổ từ biên giới về, tập kết tại %[1]s trước Tết.",
	},
	"moi_truong": {
		"Cơ sở sản xuất tại %[1]s xả nước thải có mùi hôi, màu đen ra kênh thủy lợi vào ban đêm, làm cá chết hàng loạt.",
		"Tại %[1]s có xe tải đổ trộm chất thải công nghiệp, bùn thải ra bãi đất trống, khoảng %[3]s.",
		"Khai thác cát trái phép trên đoạn sông gần %[1]s vào ban đêm, gây sạt lở bờ sông.",
		"Lò giết mổ tại %[1]s bơm nước vào gia súc và sử dụng chất cấm trong chăn nuôi.",
	},
	"tham_nhung": {
		"Cán bộ địa chính %[1]s yêu cầu người dân “bồi dưỡng” từ 20 đến 50 triệu đồng mới giải quyết hồ sơ cấp giấy chứng nhận quyền sử dụng đất.",
		"Dự án đường giao thông tại %[1]s thi công sai thiết kế, bớt xén vật liệu; có dấu hiệu nghiệm thu khống khối lượng.",
		"Một số cán bộ lập danh sách khống để nhận tiền hỗ trợ người lao động tại %[1]s, tổng số tiền khoảng %[2]s.",
		"Lãnh đạo đơn vị sự nghiệp tại %[1]s có dấu hiệu thông thầu trong mua sắm trang thiết bị.",
	},
	"khac": {
		"Có người lạ chụp ảnh, đo vẽ khu vực gần %[1]s nhiều ngày liền, có biểu hiện khả nghi.",
		"Tôi bị người quen giữ giấy tờ tùy thân và ép làm việc không lương tại %[1]s, không cho về quê.",
		"Trẻ em bị bạo hành tại một nhóm trẻ tư thục ở %[1]s, phụ huynh phát hiện nhiều vết bầm tím.",
	},
}

var (
	placesAt = []string{"trước cổng chợ", "tại bãi gửi xe chung cư", "trên đường %s", "gần trường tiểu học", "ở đầu ngõ nhà tôi",
		"tại quán cà phê trên đường %s", "gần bến xe", "khu vực bờ sông", "gần cây xăng", "trong khu công nghiệp"}
	motorbikes = []string{"Honda Wave Alpha màu đỏ", "Yamaha Exciter màu xanh", "Honda Vision màu trắng", "Honda SH Mode màu đen",
		"Honda Air Blade màu xám", "Yamaha Sirius màu đen"}
	apps     = []string{"Zalo", "Facebook", "Telegram", "TikTok", "một trang web đầu tư", "Messenger"}
	dayTimes = []string{"22 giờ", "23 giờ 30", "2 giờ sáng", "6 giờ sáng", "12 giờ trưa", "19 giờ", "21 giờ"}
)

// describe writes a report's description for a category.
func describe(rng *rand.Rand, category, place string) string {
	texts := reportTexts[category]
	if len(texts) == 0 {
		texts = reportTexts["khac"]
	}
	at := pick(rng, placesAt)
	if strings.Contains(at, "%s") {
		at = fmt.Sprintf(at, pick(rng, streets))
	}
	if place != "" {
		at += ", " + place
	}
	money := fmt.Sprintf("%s đồng", groupDigits(int64(between(rng, 3, 900))*1_000_000+int64(rng.IntN(10))*100_000))
	return fmt.Sprintf(pick(rng, texts), at, money, pick(rng, dayTimes), pick(rng, motorbikes), pick(rng, apps), newPerson(rng).name)
}

// groupDigits writes 15000000 as 15.000.000, the Vietnamese way.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Agencies that report (tin báo, kiến nghị khởi tố) or to which sources are
// transferred. %s is a province's name.
var (
	reportingAgencies = []string{"Ban Quản lý chợ trung tâm", "Ngân hàng TMCP Ngoại thương Việt Nam chi nhánh %s", "Trường Trung học phổ thông chuyên %s",
		"Bệnh viện Đa khoa %s", "Công ty Điện lực %s", "Ủy ban nhân dân %s"}
	mediaOutlets = []string{"Báo Tuổi Trẻ", "Báo Thanh Niên", "Báo điện tử VnExpress", "Báo Công an nhân dân", "Báo Nhân Dân", "Đài Phát thanh và Truyền hình %s"}
	petitioners  = []string{"Thanh tra tỉnh %s", "Kiểm toán Nhà nước khu vực", "Sở Nông nghiệp và Môi trường %s", "Thuế tỉnh %s", "Chi cục Quản lý thị trường %s"}
	forwarders   = []string{"Công an tỉnh %s", "Viện kiểm sát nhân dân %s", "Bộ đội Biên phòng tỉnh %s", "Chi cục Hải quan khu vực"}
	receivers    = []string{"Ủy ban nhân dân %s", "Chi cục Quản lý thị trường %s", "Thanh tra Sở Xây dựng %s", "Chi cục Kiểm lâm %s",
		"Cơ quan điều tra Viện kiểm sát nhân dân tối cao", "Thuế tỉnh %s"}
)

func agency(rng *rand.Rand, list []string, place string) string {
	a := pick(rng, list)
	if strings.Contains(a, "%s") {
		return fmt.Sprintf(a, place)
	}
	return a
}

// Officers' messages to reporters and reporters' replies.
var (
	officerAsks = []string{
		"Cơ quan công an đã tiếp nhận tin của anh/chị. Đề nghị cho biết thêm thời gian, địa điểm cụ thể và đặc điểm nhận dạng của đối tượng (nếu có).",
		"Anh/chị vui lòng cung cấp ảnh chụp màn hình tin nhắn, số tài khoản đã chuyển tiền và thời gian chuyển để phục vụ xác minh.",
		"Đề nghị anh/chị cho biết sự việc còn tiếp diễn không và có ai khác chứng kiến không. Thông tin của anh/chị được giữ bí mật.",
	}
	citizenReplies = []string{
		"Đối tượng thường xuất hiện khoảng 21–23 giờ, đi xe máy màu đỏ, biển số đầu 29. Tôi không biết tên.",
		"Tôi đã chuyển khoản hai lần trong ngày, số tài khoản nhận đứng tên một người lạ ở ngân hàng thương mại. Tôi gửi kèm ảnh chụp.",
		"Sự việc vẫn tiếp diễn vào các tối cuối tuần. Hàng xóm cũng biết nhưng ngại khai báo.",
		"Tôi nhớ đối tượng khoảng 30 tuổi, xăm hình ở cánh tay trái, nói giọng miền Trung.",
	}
	officerThanks = []string{
		"Cảm ơn anh/chị. Cơ quan công an đã nhận thông tin bổ sung và đang xác minh; kết quả sẽ được thông báo theo quy định.",
		"Cảm ơn anh/chị đã phối hợp. Nếu phát hiện thêm tình tiết mới, xin tiếp tục báo qua mã tra cứu này.",
	}
	checkNotes = []string{
		"Đã xác minh sơ bộ tại hiện trường, lấy lời khai người báo tin; sự việc có dấu hiệu tội phạm, thuộc thẩm quyền Cơ quan điều tra.",
		"Đã làm việc với người báo tin và thu thập hình ảnh camera khu vực; đề nghị chuyển Cơ quan điều tra giải quyết.",
		"Kiểm tra sơ bộ: xác định đúng địa điểm, có người bị hại; lập biên bản ghi nhận ban đầu.",
	}
	revealReasons = []string{
		"Cần liên hệ trực tiếp người tố giác để lấy lời khai làm rõ tình tiết vụ việc.",
		"Mời người báo tin đến làm việc để nhận dạng đối tượng theo quy định.",
	}
	decisionNotes = map[string][]string{
		"prosecute":     {"Có đủ căn cứ xác định có dấu hiệu tội phạm.", "Đã thu thập đủ chứng cứ ban đầu, ra quyết định khởi tố vụ án."},
		"not_prosecute": {"Không đủ căn cứ xác định có dấu hiệu tội phạm (Điều 157 BLTTHS).", "Hành vi chưa đến mức truy cứu trách nhiệm hình sự."},
		"not_crime":     {"Hành vi vi phạm hành chính, chuyển cơ quan có thẩm quyền xử phạt.", "Tranh chấp dân sự, hướng dẫn người dân khởi kiện tại Tòa án."},
	}
	returnNotes = []string{
		"Số người tham dự chưa khớp với biên bản tổ chức, đề nghị kiểm tra lại.",
		"Thiếu số liệu khen thưởng tập thể, cá nhân; đề nghị bổ sung.",
		"Ngày tổ chức ghi chưa đúng với kế hoạch đã đăng ký, đề nghị xác nhận lại.",
	}
)
