package objstore

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The examples of the S3 documentation, "Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk (AWS
// Signature Version 4)"
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
// Every expected value below is copied from that page, not computed here.
var (
	docCredentials = credentials{accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1"}
	docTime        = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	docStore       = &S3{Endpoint: "https://s3.amazonaws.com", Bucket: "examplebucket", VirtualHost: true,
		AccessKey: docCredentials.accessKey, SecretKey: docCredentials.secretKey}
)

const (
	// The documented canonical request of "GET Object".
	docGetCanonical = "GET\n" +
		"/test.txt\n" +
		"\n" +
		"host:examplebucket.s3.amazonaws.com\n" +
		"range:bytes=0-9\n" +
		"x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" +
		"x-amz-date:20130524T000000Z\n" +
		"\n" +
		"host;range;x-amz-content-sha256;x-amz-date\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	docGetStringToSign = "AWS4-HMAC-SHA256\n" +
		"20130524T000000Z\n" +
		"20130524/us-east-1/s3/aws4_request\n" +
		"7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
	docGetAuthorization = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date," +
		"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
)

// docRequest builds a request the way the store does (virtual-host
// addressing of examplebucket on s3.amazonaws.com).
func docRequest(t *testing.T, method, key, query string) *http.Request {
	t.Helper()
	u, err := docStore.url(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	u.RawQuery = query
	req, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestSignGetObject follows the documented "GET Object" example step by
// step: canonical request, string to sign, Authorization header.
func TestSignGetObject(t *testing.T) {
	req := docRequest(t, "GET", "test.txt", "")
	if req.URL.Host != "examplebucket.s3.amazonaws.com" || req.URL.Path != "/test.txt" {
		t.Fatalf("virtual-host address: %s", req.URL)
	}
	req.Header.Set("Range", "bytes=0-9")
	req.Header.Set("X-Amz-Date", "20130524T000000Z")
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	canonical, signed := canonicalRequest(req, emptySHA256)
	if canonical != docGetCanonical {
		t.Errorf("canonical request:\n%s\nwant:\n%s", canonical, docGetCanonical)
	}
	if signed != "host;range;x-amz-content-sha256;x-amz-date" {
		t.Errorf("signed headers %s", signed)
	}
	if got := stringToSign(docTime, "20130524/us-east-1/s3/aws4_request", canonical); got != docGetStringToSign {
		t.Errorf("string to sign:\n%s\nwant:\n%s", got, docGetStringToSign)
	}

	req = docRequest(t, "GET", "test.txt", "")
	req.Header.Set("Range", "bytes=0-9")
	sign(req, docCredentials, emptySHA256, docTime)
	if got := req.Header.Get("Authorization"); got != docGetAuthorization {
		t.Errorf("Authorization:\n%s\nwant:\n%s", got, docGetAuthorization)
	}
	if req.Header.Get("X-Amz-Date") != "20130524T000000Z" || req.Header.Get("X-Amz-Content-Sha256") != emptySHA256 {
		t.Errorf("signing headers: %v", req.Header)
	}
}

// TestSignOtherExamples: the page's three other examples, each with its
// documented signature: a key that needs encoding and a payload hash (PUT
// Object), a parameter without a value (GET Bucket Lifecycle), and sorted
// parameters (GET Bucket, list objects).
func TestSignOtherExamples(t *testing.T) {
	cases := []struct {
		name, method, key, query string
		headers                  map[string]string
		payloadHash              string
		signedHeaders, signature string
	}{
		{
			name: "PUT Object", method: "PUT", key: "test$file.text",
			headers: map[string]string{"Date": "Fri, 24 May 2013 00:00:00 GMT", "X-Amz-Storage-Class": "REDUCED_REDUNDANCY"},
			// The SHA-256 of "Welcome to Amazon S3.", as the page gives it.
			payloadHash:   "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
			signedHeaders: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
			signature:     "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		},
		{
			name: "GET Bucket Lifecycle", method: "GET", query: "lifecycle",
			payloadHash:   emptySHA256,
			signedHeaders: "host;x-amz-content-sha256;x-amz-date",
			signature:     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
		},
		{
			name: "GET Bucket (list objects)", method: "GET", query: "prefix=J&max-keys=2",
			payloadHash:   emptySHA256,
			signedHeaders: "host;x-amz-content-sha256;x-amz-date",
			signature:     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := docRequest(t, c.method, c.key, c.query)
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			sign(req, docCredentials, c.payloadHash, docTime)
			want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
				"SignedHeaders=" + c.signedHeaders + ",Signature=" + c.signature
			if got := req.Header.Get("Authorization"); got != want {
				t.Errorf("Authorization:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	// What goes on the wire is what was signed: "$" encoded, parameters
	// sorted.
	req := docRequest(t, "PUT", "test$file.text", "")
	sign(req, docCredentials, emptySHA256, docTime)
	if got := req.URL.RequestURI(); got != "/test%24file.text" {
		t.Errorf("PUT goes to %s", got)
	}
	req = docRequest(t, "GET", "", "prefix=J&max-keys=2")
	sign(req, docCredentials, emptySHA256, docTime)
	if got := req.URL.RequestURI(); got != "/?max-keys=2&prefix=J" {
		t.Errorf("list goes to %s", got)
	}
}

func TestURIEncode(t *testing.T) {
	cases := []struct {
		in          string
		encodeSlash bool
		want        string
	}{
		{"toandan/3f2a-b_c.d~", false, "toandan/3f2a-b_c.d~"},
		{"a/b", true, "a%2Fb"},
		{"a b+c$d", false, "a%20b%2Bc%24d"},
		{"tệp", false, "t%E1%BB%87p"},
		{"=&?#%", true, "%3D%26%3F%23%25"},
	}
	for _, c := range cases {
		if got := uriEncode(c.in, c.encodeSlash); got != c.want {
			t.Errorf("uriEncode(%q, %v) = %q, want %q", c.in, c.encodeSlash, got, c.want)
		}
	}
}

// TestAddressing: path style by default, under the endpoint's own path;
// the prefix gains its final slash.
func TestAddressing(t *testing.T) {
	cases := []struct {
		s    S3
		key  string
		want string
	}{
		{S3{Endpoint: "http://127.0.0.1:7070", Bucket: "b"}, "k", "http://127.0.0.1:7070/b/k"},
		{S3{Endpoint: "http://127.0.0.1:7070/", Bucket: "b"}, "", "http://127.0.0.1:7070/b"},
		{S3{Endpoint: "https://gw.example.vn/s3", Bucket: "b"}, "k", "https://gw.example.vn/s3/b/k"},
		{S3{Endpoint: "https://s3.example.vn", Bucket: "b", VirtualHost: true}, "k", "https://b.s3.example.vn/k"},
		{S3{Endpoint: "https://s3.example.vn", Bucket: "b", VirtualHost: true}, "", "https://b.s3.example.vn/"},
	}
	for _, c := range cases {
		u, err := c.s.url(c.key, nil)
		if err != nil {
			t.Fatal(err)
		}
		if u.String() != c.want {
			t.Errorf("%+v %q: %s, want %s", c.s, c.key, u, c.want)
		}
	}
	for _, p := range []string{"toandan", "toandan/"} {
		if k, _ := (&S3{Prefix: p}).key("abc"); k != "toandan/abc" {
			t.Errorf("prefix %q: key %s", p, k)
		}
	}
	for _, bad := range []S3{{Endpoint: "s3.example.vn", Bucket: "b"}, {Endpoint: "ftp://h", Bucket: "b"}, {Endpoint: "http://h", Bucket: ""}, {Endpoint: "http://h", Bucket: "a/b"}} {
		if _, err := bad.url("k", nil); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestErrorAnswers: the S3 error code from the XML body is in the error;
// a missing object matches fs.ErrNotExist, a missing bucket does not;
// Delete of a missing object succeeds; 503 is retried.
func TestErrorAnswers(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AK/") {
			t.Errorf("unsigned request %s %s", r.Method, r.URL)
		}
		xmlError := func(status int, code, msg string) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(status)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>` + msg + `</Message></Error>`))
		}
		switch r.URL.Path {
		case "/b/missing":
			xmlError(404, "NoSuchKey", "The specified key does not exist.")
		case "/nobucket/k":
			xmlError(404, "NoSuchBucket", "The specified bucket does not exist")
		case "/b/denied":
			xmlError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		case "/b/busy":
			if calls.Load() < 3 {
				xmlError(503, "SlowDown", "Please reduce your request rate.")
				return
			}
			w.Write([]byte("ok"))
		case "/b":
			w.WriteHeader(403) // HEAD: no body
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	s := &S3{Endpoint: srv.URL, Bucket: "b", AccessKey: "AK", SecretKey: "never-in-an-error"}

	_, err := s.Get(ctx, "missing")
	var e *Error
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &e) || e.Code != "NoSuchKey" || e.Status != 404 {
		t.Errorf("missing object: %v", err)
	}
	if err := s.Delete(ctx, "missing"); err != nil {
		t.Errorf("delete of a missing object: %v", err)
	}
	nb := *s
	nb.Bucket = "nobucket"
	if _, err := nb.Get(ctx, "k"); errors.Is(err, fs.ErrNotExist) || err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("missing bucket: %v", err)
	}
	if err := nb.Delete(ctx, "k"); err == nil {
		t.Error("delete in a missing bucket succeeded")
	}
	err = s.Put(ctx, "denied", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "403 SignatureDoesNotMatch") || !strings.Contains(err.Error(), "check the access key, the secret key") {
		t.Errorf("bad signature: %v", err)
	}
	if strings.Contains(err.Error(), s.SecretKey) {
		t.Errorf("the secret key is in an error: %v", err)
	}
	if err := s.Ready(ctx); err == nil || !strings.Contains(err.Error(), "HEAD bucket b: 403 AccessDenied") {
		t.Errorf("ready with no access: %v", err)
	}
	calls.Store(0)
	if b, err := s.Get(ctx, "busy"); err != nil || string(b) != "ok" || calls.Load() != 3 {
		t.Errorf("busy server: %q, %v after %d calls", b, err, calls.Load())
	}
}
