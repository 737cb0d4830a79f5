package api

import (
	"net"
	"net/http"
	"strings"
	"time"

	"toandan/internal/abuse"
	"toandan/internal/errs"
)

// Guard holds the abuse controls of the citizen pages and API.
type Guard struct {
	ClientKey []byte         // keys client addresses before they are counted
	PoW       *abuse.PoW     // proof of work on the web form (nil: off)
	Normal    *abuse.Limiter // per client, with a valid proof of work or via the API
	Strict    *abuse.Limiter // per client, without one
	Global    *abuse.Limiter // all clients together
	Lookup    *abuse.Backoff // receipt-code look-ups, per client
}

func (g *Guard) key(r *http.Request, what string) string {
	return abuse.KeyFor(g.ClientKey, what, ClientIP(r))
}

// AllowSubmit applies the submission limits. proven is true when the request
// carried a valid proof of work (or came through the API, which has its own
// limiter choice).
func (g *Guard) AllowSubmit(w http.ResponseWriter, r *http.Request, proven bool) error {
	if g == nil {
		return nil
	}
	lim := g.Strict
	if proven {
		lim = g.Normal
	}
	if lim != nil {
		if ok, wait := lim.Allow(g.key(r, "report")); !ok {
			w.Header().Set("Retry-After", abuse.RetryAfter(wait))
			return errs.E(errs.TooMany, "Bạn đã gửi nhiều tin trong thời gian ngắn. Vui lòng thử lại sau %s. Nếu khẩn cấp, hãy gọi 113.", waitText(wait))
		}
	}
	if g.Global != nil {
		if ok, wait := g.Global.Allow("global"); !ok {
			w.Header().Set("Retry-After", abuse.RetryAfter(wait))
			return errs.E(errs.TooMany, "Hệ thống đang nhận quá nhiều tin. Vui lòng thử lại sau ít phút. Nếu khẩn cấp, hãy gọi 113.")
		}
	}
	return nil
}

// LookupWait refuses a receipt-code look-up while the client must still wait
// after wrong codes, even when this code is right.
func (g *Guard) LookupWait(w http.ResponseWriter, r *http.Request) error {
	if g == nil || g.Lookup == nil {
		return nil
	}
	if wait := g.Lookup.Reserve(g.key(r, "lookup")); wait > 0 {
		w.Header().Set("Retry-After", abuse.RetryAfter(wait))
		return errs.E(errs.TooMany, "Bạn đã nhập sai mã nhiều lần. Vui lòng chờ %s rồi thử lại.", waitText(wait))
	}
	return nil
}

// LookupResult settles the attempt LookupWait let through: a wrong receipt
// code costs a wait; a right one (even if the reply sent with it was refused,
// e.g. an empty message) clears it.
func (g *Guard) LookupResult(r *http.Request, err error) {
	if g == nil || g.Lookup == nil {
		return
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid && e.Field == "receipt_code" {
		g.Lookup.Fail(g.key(r, "lookup"))
	} else if err == nil || errs.Is(err, errs.Invalid) {
		g.Lookup.Succeed(g.key(r, "lookup"))
	}
}

func waitText(d time.Duration) string {
	if d < time.Minute {
		return strings.TrimSuffix(d.Round(time.Second).String(), "s") + " giây"
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "m0s") + " phút"
}

// ClientIP is the peer address of the request.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
