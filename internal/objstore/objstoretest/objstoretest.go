// Package objstoretest gives a test its own bucket, or its own folder of a
// bucket, on the S3-compatible server named by TOANDAN_TEST_S3, and empties
// and removes it when the test ends.
package objstoretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"toandan/internal/objstore"
)

// Env names the server, with the credentials in the URL:
//
//	http://ACCESS:SECRET@127.0.0.1:7070            a new bucket per test
//	http://ACCESS:SECRET@127.0.0.1:7070/BUCKET     a new folder of BUCKET per test
//
// A query may set the signing region (?region=eu-west-1).
const Env = "TOANDAN_TEST_S3"

// RootEnv names the server's storage folder when it is a versitygw posix
// backend on this machine (an object is then the file
// ROOT/BUCKET/KEY), so that tests can read what lies on its disk.
const RootEnv = "TOANDAN_TEST_S3_ROOT"

// New returns a store on a fresh bucket (or folder) of the test server,
// skipping the test when TOANDAN_TEST_S3 is not set.
func New(t testing.TB) *objstore.S3 {
	t.Helper()
	raw := os.Getenv(Env)
	if raw == "" {
		t.Skip("no S3-compatible server: set " + Env + "=http://ACCESS:SECRET@HOST:PORT " +
			"(e.g. versitygw --port 127.0.0.1:7070 posix DIR with ROOT_ACCESS_KEY and ROOT_SECRET_KEY set; .ci/run starts one)")
	}
	s := Parse(t, raw)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if s.Bucket == "" {
		s.Bucket = "toandan-test-" + random(t)
		if err := s.CreateBucket(ctx); err != nil {
			t.Fatalf("create a test bucket: %v", err)
		}
	} else {
		if err := s.Ready(ctx); err != nil {
			t.Fatalf("the bucket named by %s: %v", Env, err)
		}
		s.Prefix = "toandan-test-" + random(t) + "/"
	}
	t.Cleanup(func() { Remove(t, s) })
	return s
}

// Parse reads a TOANDAN_TEST_S3 value; the bucket is empty when the URL
// names none.
func Parse(t testing.TB, raw string) *objstore.S3 {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || u.Host == "" {
		t.Fatalf("%s must look like http://ACCESS:SECRET@HOST:PORT[/BUCKET]", Env)
	}
	secret, _ := u.User.Password()
	return &objstore.S3{
		Endpoint:  u.Scheme + "://" + u.Host,
		Region:    u.Query().Get("region"),
		Bucket:    strings.Trim(u.Path, "/"),
		AccessKey: u.User.Username(),
		SecretKey: secret,
	}
}

// Remove deletes every object under the store's prefix, and the bucket
// itself when New created it.
func Remove(t testing.TB, s *objstore.S3) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	objs, err := s.List(ctx)
	if err != nil {
		t.Errorf("clean up the test bucket: %v", err)
		return
	}
	for _, o := range objs {
		if err := s.Delete(ctx, o.Name); err != nil {
			t.Errorf("clean up the test bucket: %v", err)
		}
	}
	if s.Prefix == "" {
		if err := s.DeleteBucket(ctx); err != nil {
			t.Errorf("remove the test bucket: %v", err)
		}
	}
}

// File is where the server keeps the object name on its disk, or "" when
// TOANDAN_TEST_S3_ROOT is not set.
func File(s *objstore.S3, name string) string {
	root := os.Getenv(RootEnv)
	if root == "" {
		return ""
	}
	key := s.Prefix + name
	if s.Prefix != "" && !strings.HasSuffix(s.Prefix, "/") {
		key = s.Prefix + "/" + name
	}
	return filepath.Join(root, s.Bucket, filepath.FromSlash(key))
}

func random(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}
