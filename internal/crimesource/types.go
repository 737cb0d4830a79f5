// Package crimesource handles crime sources (nguồn tin về tội phạm, BLTTHS
// 2015 Art. 144–149): citizens' reports received online with a receipt code,
// entries made by officers for every other channel, the register of each
// receiving unit, the handling workflow with its legal time limits, messages
// with the reporter, and the sealed identity of reporters.
package crimesource

import (
	"time"

	"toandan/internal/deadline"
)

// Kinds of source (Art. 144).
const (
	KindDenunciation = "to_giac"           // by a person
	KindReport       = "tin_bao"           // by an agency, organisation or the media
	KindPetition     = "kien_nghi_khoi_to" // by a state agency
)

// KindName returns a kind's Vietnamese name.
func KindName(k string) string {
	switch k {
	case KindDenunciation:
		return "Tố giác về tội phạm"
	case KindReport:
		return "Tin báo về tội phạm"
	case KindPetition:
		return "Kiến nghị khởi tố"
	}
	return k
}

// Channels by which a source arrives.
var Channels = []struct{ Code, Name, Kind string }{
	{"online", "Trực tuyến (cổng thông tin, API)", KindDenunciation},
	{"walk_in", "Trực tiếp tại trụ sở", KindDenunciation},
	{"phone", "Điện thoại", KindDenunciation},
	{"mail", "Thư, bưu điện", KindDenunciation},
	{"agency", "Cơ quan, tổ chức báo tin", KindReport},
	{"media", "Phương tiện thông tin đại chúng", KindReport},
	{"petition", "Kiến nghị khởi tố của cơ quan nhà nước", KindPetition},
	{"transfer_in", "Cơ quan khác chuyển đến", KindReport},
}

// ChannelName returns a channel's Vietnamese name.
func ChannelName(c string) string {
	for _, x := range Channels {
		if x.Code == c {
			return x.Name
		}
	}
	return c
}

func validChannel(c string) bool {
	for _, x := range Channels {
		if x.Code == c {
			return true
		}
	}
	return false
}

// Statuses of a source.
const (
	StatusReceived       = "received"        // in the register, record of receipt not yet made
	StatusRegistered     = "registered"      // record of receipt made (commune: preliminary check)
	StatusVerifying      = "verifying"       // with the investigation body
	StatusProsecuted     = "prosecuted"      // decision: khởi tố
	StatusNotProsecuted  = "not_prosecuted"  // decision: không khởi tố
	StatusSuspended      = "suspended"       // tạm đình chỉ (Art. 148)
	StatusNotCrime       = "not_crime"       // handled as an administrative matter
	StatusTransferredOut = "transferred_out" // to another competent agency
	StatusMerged         = "merged"          // duplicate of another source
)

// StatusName is how an officer reads a status.
func StatusName(s string) string {
	switch s {
	case StatusReceived:
		return "Đã tiếp nhận, chờ lập biên bản"
	case StatusRegistered:
		return "Đã lập biên bản, đang kiểm tra sơ bộ"
	case StatusVerifying:
		return "Đang kiểm tra, xác minh"
	case StatusProsecuted:
		return "Đã quyết định khởi tố vụ án"
	case StatusNotProsecuted:
		return "Đã quyết định không khởi tố vụ án"
	case StatusSuspended:
		return "Tạm đình chỉ giải quyết"
	case StatusNotCrime:
		return "Không có dấu hiệu tội phạm, xử lý hành chính"
	case StatusTransferredOut:
		return "Đã chuyển cơ quan có thẩm quyền khác"
	case StatusMerged:
		return "Đã gộp vào nguồn tin khác"
	}
	return s
}

// CitizenStatus is how a reporter reads a status: plain words, nothing of
// the internal handling.
func CitizenStatus(s string) string {
	switch s {
	case StatusReceived:
		return "Cơ quan công an đã nhận được tin của bạn và sẽ xem xét."
	case StatusRegistered:
		return "Tin của bạn đã được vào sổ và đang được kiểm tra ban đầu."
	case StatusVerifying:
		return "Tin của bạn đang được cơ quan điều tra kiểm tra, xác minh."
	case StatusProsecuted:
		return "Cơ quan điều tra đã quyết định khởi tố vụ án."
	case StatusNotProsecuted:
		return "Cơ quan điều tra đã quyết định không khởi tố vụ án."
	case StatusSuspended:
		return "Việc giải quyết tạm dừng trong khi chờ kết quả giám định, tài liệu hoặc vì lý do bất khả kháng."
	case StatusNotCrime:
		return "Sự việc không có dấu hiệu tội phạm và được xử lý theo quy định về xử lý vi phạm hành chính."
	case StatusTransferredOut:
		return "Tin của bạn đã được chuyển đến cơ quan có thẩm quyền giải quyết."
	case StatusMerged:
		return "Tin của bạn được giải quyết cùng với một tin báo khác về cùng sự việc."
	}
	return s
}

// Closed reports whether a status ends the handling.
func Closed(s string) bool {
	switch s {
	case StatusProsecuted, StatusNotProsecuted, StatusNotCrime, StatusTransferredOut, StatusMerged:
		return true
	}
	return false
}

// Ground is a ground of Art. 148(1) for suspending the resolution of a
// source.
type Ground struct {
	Code string // the point of Art. 148(1): a, b or c
	Name string
	// EffectiveFrom (YYYY-MM-DD) is the first day a suspension may rest on
	// the ground, and AddedBy the law that added it; both empty for the
	// grounds the Code had from the start.
	EffectiveFrom string
	AddedBy       string
}

// SuspensionGrounds are the grounds of Art. 148(1).
var SuspensionGrounds = []Ground{
	{Code: "a", Name: "Đã trưng cầu giám định, yêu cầu định giá tài sản hoặc tương trợ tư pháp nhưng chưa có kết quả"},
	{Code: "b", Name: "Đã yêu cầu cơ quan, tổ chức, cá nhân cung cấp tài liệu, đồ vật quan trọng nhưng chưa nhận được"},
	// Added by Law 02/2021/QH15 Art. 1(2), in force 01/12/2021.
	{Code: "c", Name: "Có căn cứ về trở ngại khách quan do thiên tai, dịch bệnh (bất khả kháng)",
		EffectiveFrom: "2021-12-01", AddedBy: "Luật số 02/2021/QH15"},
}

// InForce reports whether a suspension decided on day may rest on g.
func (g Ground) InForce(day deadline.Date) bool {
	return g.EffectiveFrom == "" || g.EffectiveFrom <= day.String()
}

// GroundsOn returns the grounds a suspension decided at t may rest on.
func GroundsOn(t time.Time) []Ground {
	day := deadline.DateOf(t)
	var out []Ground
	for _, g := range SuspensionGrounds {
		if g.InForce(day) {
			out = append(out, g)
		}
	}
	return out
}

// Reporter is the identity of a reporter who chose not to stay anonymous.
// It is only ever stored sealed.
type Reporter struct {
	FullName string `json:"full_name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Address  string `json:"address"`
	Email    string `json:"email,omitempty"`
}
