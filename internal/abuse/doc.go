// Package abuse keeps floods off the citizen pages (crime reports,
// receipt-code look-ups) without third-party captchas and without tracking
// anyone. It offers three tools, all in memory and per process:
//
//   - Limiter: at most N requests per key per window.
//   - Backoff: an escalating wait after each failure per key, for guesses
//     such as receipt codes.
//   - PoW: a stateless, signed proof-of-work challenge that a small browser
//     script (Script, served from pow.js) solves before a form is sent.
//
// # Privacy
//
// Keys are opaque strings; the caller passes a keyed hash, never an address
// or a code in clear: KeyFor(secret, "report", ip). Keys are held only in
// memory, for at most one window (Limiter) or forgetAfter (Backoff), and are
// never logged or written anywhere. The proof-of-work challenge carries no
// identity: a time stamp, random bytes and a signature.
//
// # Citizens without JavaScript
//
// Many citizens write from cheap phones, some without JavaScript, or over
// plain HTTP where browsers withhold SubtleCrypto. They must never be locked
// out, so the proof of work is a discount, not a gate:
//
//   - With a valid proof (pow_nonce sent and Verify returns nil) the form
//     goes through the ordinary Limiter.
//   - Without one (no nonce, or Verify failed: the challenge expired while
//     the citizen typed, or was already used) the form is still accepted, but
//     through a stricter Limiter that the caller chooses — for example a few
//     reports per hour per address, and perhaps a global cap. Never throw a
//     report away only because its challenge expired; a script gains nothing
//     from skipping the work, since the strict path is all it gets.
//
// The challenge thus makes floods expensive for scripts (each fast-path
// submission costs about 2^Difficulty hashes, and a challenge is good once)
// while a person without JavaScript only meets the tighter limit.
//
// # Wiring
//
// A page that renders the form:
//
//	<form method="post" data-pow="{{.Difficulty}}">
//	  <input type="hidden" name="pow_challenge" value="{{.Challenge}}"> <!-- pow.Issue() -->
//	  <input type="hidden" name="pow_nonce" value="">
//	  <p data-pow-status aria-live="polite"></p>
//	  …
//	</form>
//	<script src="/static/pow.js" defer integrity="sha256-{{.ScriptSHA256}}"></script>
//
// The handler that takes it:
//
//	key := abuse.KeyFor(secret, "report", clientIP)
//	lim := strict
//	if nonce != "" && pow.Verify(challenge, nonce) == nil {
//		lim = normal
//	}
//	if ok, wait := lim.Allow(key); !ok {
//		w.Header().Set("Retry-After", abuse.RetryAfter(wait))
//		// 429 with a Vietnamese message
//	}
//
// All state is per process: behind several app servers each keeps its own
// counts and its own record of used challenges, which multiplies the limits
// by the number of servers but never refuses a citizen wrongly.
package abuse
