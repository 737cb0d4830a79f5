package crimesource

import (
	"slices"

	"toandan/internal/errs"
)

// channelKinds are the kinds of source each channel carries (Art. 144):
// information carried by the mass media is a tin báo; an agency or
// organisation that reports makes a tin báo, not a person's tố giác; a
// kiến nghị khởi tố is a state body's written recommendation, so it comes
// by the petition channel, by post, by hand or passed on by another body,
// never by phone; the citizens' portal takes tố giác only.
var channelKinds = map[string][]string{
	"online":      {KindDenunciation},
	"walk_in":     {KindDenunciation, KindReport, KindPetition},
	"phone":       {KindDenunciation, KindReport},
	"mail":        {KindDenunciation, KindReport, KindPetition},
	"agency":      {KindReport},
	"media":       {KindReport},
	"petition":    {KindPetition},
	"transfer_in": {KindDenunciation, KindReport, KindPetition},
}

// bodyChannels are the channels whose source is the word of a body (an
// agency or organisation, or a media outlet), which the record of receipt
// must name. A source passed on by another body (transfer_in) may be a
// person's, e.g. a paper filed through a detention facility.
var bodyChannels = map[string]bool{"agency": true, "media": true}

// checkKindChannel checks that an intake's kind fits its channel and that a
// source that is a body's word names the body: a kiến nghị khởi tố its
// state body, a tin báo by an agency or the media the agency or outlet. Kind
// and channel are known to be valid.
func checkKindChannel(in *Intake) error {
	if !slices.Contains(channelKinds[in.Channel], in.Kind) {
		return errs.Field("kind", "Kênh “%s” không dùng cho loại nguồn tin “%s”.", ChannelName(in.Channel), KindName(in.Kind))
	}
	switch {
	case in.Kind == KindPetition && in.ReporterOrg == "":
		return errs.Field("reporter_org", "Vui lòng nhập tên cơ quan nhà nước kiến nghị khởi tố.")
	case bodyChannels[in.Channel] && in.ReporterOrg == "":
		return errs.Field("reporter_org", "Vui lòng nhập tên cơ quan, tổ chức hoặc cơ quan báo chí báo tin.")
	}
	return nil
}
