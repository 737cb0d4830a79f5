package objstore

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// AWS Signature Version 4, as S3 specifies it: the payload's SHA-256 goes
// in x-amz-content-sha256 and is signed, so a body changed in flight is
// refused by the server.

const (
	algorithm = "AWS4-HMAC-SHA256"
	amzTime   = "20060102T150405Z"
	amzDay    = "20060102"
	// emptySHA256 is the SHA-256 of no bytes: the payload hash of a
	// request without a body.
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

type credentials struct {
	accessKey, secretKey, region string
}

// sign sets X-Amz-Date, X-Amz-Content-Sha256 and Authorization on req. It
// also rewrites the URL's path and query into their canonical encoding, so
// that what goes on the wire is exactly what was signed.
func sign(req *http.Request, c credentials, payloadHash string, at time.Time) {
	at = at.UTC()
	req.Header.Set("X-Amz-Date", at.Format(amzTime))
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	canonical, signed := canonicalRequest(req, payloadHash)
	scope := at.Format(amzDay) + "/" + c.region + "/s3/aws4_request"
	sig := signature(c.secretKey, at, c.region, stringToSign(at, scope, canonical))
	req.Header.Set("Authorization", algorithm+" Credential="+c.accessKey+"/"+scope+",SignedHeaders="+signed+",Signature="+sig)
}

// canonicalRequest returns the canonical form of req and the names of the
// headers it signs: the host, and every header a server may act on or
// that S3 requires signed (x-amz-*, content-type, content-md5, date, range).
func canonicalRequest(req *http.Request, payloadHash string) (canonical, signedHeaders string) {
	path := req.URL.Path
	if path == "" {
		path = "/"
	}
	req.URL.RawPath = uriEncode(path, false)
	req.URL.RawQuery = canonicalQuery(req.URL.RawQuery)

	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	headers := map[string]string{"host": host}
	for name, values := range req.Header {
		n := strings.ToLower(name)
		switch {
		case n == "content-type", n == "content-md5", n == "date", n == "range", strings.HasPrefix(n, "x-amz-"):
		default:
			continue
		}
		trimmed := make([]string, len(values))
		for i, v := range values {
			trimmed[i] = strings.Join(strings.Fields(v), " ")
		}
		headers[n] = strings.Join(trimmed, ",")
	}
	names := make([]string, 0, len(headers))
	for n := range headers {
		names = append(names, n)
	}
	sort.Strings(names)

	var b strings.Builder
	b.WriteString(req.Method + "\n")
	b.WriteString(req.URL.RawPath + "\n")
	b.WriteString(req.URL.RawQuery + "\n")
	for _, n := range names {
		b.WriteString(n + ":" + headers[n] + "\n")
	}
	signedHeaders = strings.Join(names, ";")
	b.WriteString("\n" + signedHeaders + "\n")
	b.WriteString(payloadHash)
	return b.String(), signedHeaders
}

// canonicalQuery sorts the parameters by name, then value, and encodes
// both the S3 way. A parameter without a value ("?lifecycle") becomes
// "lifecycle=".
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, _ := url.ParseQuery(raw) // a malformed pair is dropped here and by the server alike
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, pair{uriEncode(k, true), uriEncode(v, true)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

func stringToSign(at time.Time, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return algorithm + "\n" + at.UTC().Format(amzTime) + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// signature derives the day's signing key from the secret and signs
// toSign with it.
func signature(secret string, at time.Time, region, toSign string) string {
	key := hmacSHA256([]byte("AWS4"+secret), at.UTC().Format(amzDay))
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, "s3")
	key = hmacSHA256(key, "aws4_request")
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// uriEncode percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (and "/"
// unless encodeSlash), with upper-case hex, as SigV4 requires. Go's own
// escaping keeps characters such as "$" and "+" that SigV4 encodes.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
