// Package objstore keeps attachment files in S3-compatible object storage
// (Amazon S3, MinIO, Ceph, Garage, Versity and the like), so that several
// app servers over one PostgreSQL database share them. It speaks the S3
// REST API directly, signed with AWS Signature Version 4, on the standard
// library alone.
//
// It stores the bytes it is given. Crime-source attachments reach it
// already sealed by the seal package, so the storage holds ciphertext and
// generated names only.
package objstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// S3 is a bucket, or a folder of one, in S3-compatible object storage. It
// has the methods of the app's file store: Put, Get, Delete and Ready.
type S3 struct {
	// Endpoint is the service's URL: scheme, host, optional port and base
	// path, e.g. https://s3.eu-central-1.amazonaws.com or
	// http://127.0.0.1:7070.
	Endpoint string
	// Region signs the requests; "us-east-1" when empty, which is what
	// most S3-compatible servers expect.
	Region               string
	Bucket               string
	AccessKey, SecretKey string
	// Prefix is a folder inside the bucket for every object, so that one
	// bucket can be shared ("toandan/"); a missing final "/" is added.
	Prefix string
	// VirtualHost addresses the bucket in the host name (bucket.host/key)
	// instead of the path (host/bucket/key). Path style is the default:
	// every S3-compatible server understands it, and it needs neither
	// wildcard DNS nor a wildcard certificate.
	VirtualHost bool
	// Client sends the requests; nil means one with a five-minute timeout
	// that does not follow redirects.
	Client *http.Client
}

// Object is one object under the store's prefix.
type Object struct {
	Name string // as given to Put: without the prefix
	Size int64
}

// Put stores data under name, replacing what was there. A nil error means
// the server has the object durably: a row that names it may be committed.
func (s *S3) Put(ctx context.Context, name string, data []byte) error {
	key, err := s.key(name)
	if err != nil {
		return err
	}
	res, err := s.do(ctx, http.MethodPut, key, nil, data, "application/octet-stream")
	if err != nil {
		return err
	}
	return drain(res)
}

// Get returns the object's bytes. A missing object is an error matching
// fs.ErrNotExist, as it is for a file.
func (s *S3) Get(ctx context.Context, name string) ([]byte, error) {
	key, err := s.key(name)
	if err != nil {
		return nil, err
	}
	res, err := s.do(ctx, http.MethodGet, key, nil, nil, "")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("objstore: GET %s: %w", key, err)
	}
	return b, nil
}

// Delete removes the object. An object that is already gone is not an
// error, as for DirStore.
func (s *S3) Delete(ctx context.Context, name string) error {
	key, err := s.key(name)
	if err != nil {
		return err
	}
	res, err := s.do(ctx, http.MethodDelete, key, nil, nil, "")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return drain(res)
}

// Ready checks that the bucket exists and the credentials may use it (a
// HEAD request on the bucket); /readyz calls it.
func (s *S3) Ready(ctx context.Context) error {
	res, err := s.do(ctx, http.MethodHead, "", nil, nil, "")
	if err != nil {
		return err
	}
	return drain(res)
}

// CreateBucket creates the bucket. Operators usually create it with the
// storage's own tools; tests create one per run.
func (s *S3) CreateBucket(ctx context.Context) error {
	var body []byte
	if r := s.region(); r != "us-east-1" {
		body = []byte(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>` +
			r + `</LocationConstraint></CreateBucketConfiguration>`)
	}
	res, err := s.do(ctx, http.MethodPut, "", nil, body, "")
	if err != nil {
		return err
	}
	return drain(res)
}

// DeleteBucket removes the bucket, which must be empty.
func (s *S3) DeleteBucket(ctx context.Context) error {
	res, err := s.do(ctx, http.MethodDelete, "", nil, nil, "")
	if err != nil {
		return err
	}
	return drain(res)
}

// List returns the objects under the store's prefix, in key order.
func (s *S3) List(ctx context.Context) ([]Object, error) {
	prefix := s.prefix()
	var out []Object
	token := ""
	for {
		q := url.Values{"list-type": {"2"}, "prefix": {prefix}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		res, err := s.do(ctx, http.MethodGet, "", q, nil, "")
		if err != nil {
			return nil, err
		}
		var page struct {
			Contents []struct {
				Key  string
				Size int64
			}
			IsTruncated           bool
			NextContinuationToken string
		}
		err = xml.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("objstore: list %s: %w", s.Bucket, err)
		}
		for _, c := range page.Contents {
			out = append(out, Object{Name: strings.TrimPrefix(c.Key, prefix), Size: c.Size})
		}
		if !page.IsTruncated || page.NextContinuationToken == "" {
			return out, nil
		}
		token = page.NextContinuationToken
	}
}

func (s *S3) region() string {
	if s.Region == "" {
		return "us-east-1"
	}
	return s.Region
}

func (s *S3) prefix() string {
	if s.Prefix == "" || strings.HasSuffix(s.Prefix, "/") {
		return s.Prefix
	}
	return s.Prefix + "/"
}

func (s *S3) key(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("objstore: empty object name")
	}
	return s.prefix() + name, nil
}

// url builds the address of key in the bucket (the bucket itself when key
// is empty).
func (s *S3) url(key string, query url.Values) (*url.URL, error) {
	u, err := url.Parse(s.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("objstore: endpoint %q is not an http:// or https:// URL", s.Endpoint)
	}
	if s.Bucket == "" || strings.Contains(s.Bucket, "/") {
		return nil, fmt.Errorf("objstore: bucket name %q is not valid", s.Bucket)
	}
	base := strings.TrimSuffix(u.Path, "/")
	if s.VirtualHost {
		u.Host = s.Bucket + "." + u.Host
		u.Path = base + "/" + key
	} else {
		u.Path = base + "/" + s.Bucket
		if key != "" {
			u.Path += "/" + key
		}
	}
	u.RawPath = ""
	u.RawQuery = query.Encode()
	return u, nil
}

// Attempts and the first pause between them: S3 asks clients to retry
// 500, 503 (SlowDown) and dropped connections.
const (
	attempts   = 3
	firstPause = 200 * time.Millisecond
)

// do sends a signed request and returns a response with a 2xx status, whose
// body the caller closes; any other answer is an *Error.
func (s *S3) do(ctx context.Context, method, key string, query url.Values, body []byte, contentType string) (*http.Response, error) {
	u, err := s.url(key, query)
	if err != nil {
		return nil, err
	}
	op := method + " " + key
	if key == "" {
		op = method + " bucket " + s.Bucket
	}
	hash := emptySHA256
	if len(body) > 0 {
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
	}
	cred := credentials{accessKey: s.AccessKey, secretKey: s.SecretKey, region: s.region()}
	pause := firstPause
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("objstore: %s: %w", op, err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		// The real time, never a test's fixed clock: servers refuse a
		// signature more than 15 minutes off theirs.
		sign(req, cred, hash, time.Now())
		res, err := s.client().Do(req)
		var retry bool
		switch {
		case err != nil:
			err = fmt.Errorf("objstore: %s at %s: %w", op, s.Endpoint, err)
			retry = ctx.Err() == nil
		case res.StatusCode >= 200 && res.StatusCode < 300:
			return res, nil
		default:
			err = readError(res, op, key)
			retry = res.StatusCode >= 500
		}
		if !retry || attempt == attempts {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(pause):
		}
		pause *= 4
	}
}

func (s *S3) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return &http.Client{
		Timeout: 5 * time.Minute,
		// A redirect means a wrong endpoint or region; following it would
		// only produce a signature error that hides the cause.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func drain(res *http.Response) error {
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	return res.Body.Close()
}

// Error is an answer of the object storage other than success.
type Error struct {
	Op      string // e.g. "GET toandan/3f2a...", "HEAD bucket attachments"
	Status  int    // HTTP status
	Code    string // the S3 error code: NoSuchKey, AccessDenied, SignatureDoesNotMatch...
	Message string // the server's message, if it sent one
	missing bool   // the object (not the bucket) does not exist
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("objstore: %s: %d %s", e.Op, e.Status, e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if h := hint(e.Code); h != "" {
		msg += " (" + h + ")"
	}
	return msg
}

// Is makes a missing object match fs.ErrNotExist. A missing bucket does
// not: it is a configuration error, not a missing file.
func (e *Error) Is(target error) bool { return target == fs.ErrNotExist && e.missing }

// hint says what an operator should look at for the common failures.
func hint(code string) string {
	switch code {
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken",
		"XAdminUserNotFound": // Versity's answer to an unknown access key
		return "check the access key, the secret key and the bucket's permissions"
	case "NoSuchBucket":
		return "create the bucket, or check its name"
	case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
		return "the bucket is in another region, or the endpoint is wrong: check both"
	case "RequestTimeTooSkewed":
		return "this machine's clock is more than 15 minutes off the storage's"
	}
	return ""
}

// readError reads the XML error body S3 sends with a failure. A HEAD
// answer has no body, so the code is then guessed from the status.
func readError(res *http.Response, op, key string) error {
	defer res.Body.Close()
	var body struct {
		Code    string
		Message string
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	xml.Unmarshal(b, &body) // a proxy's HTML page leaves both empty
	e := &Error{Op: op, Status: res.StatusCode, Code: body.Code, Message: strings.TrimSpace(body.Message)}
	if e.Code == "" {
		switch {
		case res.StatusCode == http.StatusNotFound && key != "":
			e.Code = "NoSuchKey"
		case res.StatusCode == http.StatusNotFound:
			e.Code = "NoSuchBucket"
		case res.StatusCode == http.StatusForbidden:
			e.Code = "AccessDenied"
		case res.StatusCode == http.StatusMovedPermanently:
			e.Code = "PermanentRedirect"
		default:
			e.Code = strings.ReplaceAll(http.StatusText(res.StatusCode), " ", "")
			if e.Code == "" {
				e.Code = "Status" + strconv.Itoa(res.StatusCode)
			}
		}
	}
	e.missing = key != "" && e.Code == "NoSuchKey"
	return e
}
