package objstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"toandan/internal/objstore"
	"toandan/internal/objstore/objstoretest"
)

// TestRoundTrip runs against a real S3-compatible server: what is put comes
// back identical, is listed, lies on the server's disk as given, can be
// replaced and is gone after Delete, which succeeds again on a missing
// object.
func TestRoundTrip(t *testing.T) {
	s := objstoretest.New(t)
	ctx := context.Background()
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("ready: %v", err)
	}
	data := make([]byte, 3<<20+17)
	rand.Read(data)
	const name = "3f2a9c0d5e6b7a8f9e0d1c2b3a4f5e6d"
	if err := s.Put(ctx, name, data); err != nil {
		t.Fatalf("put: %v", err)
	}
	got, err := s.Get(ctx, name)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("get: %d bytes, %v; want %d bytes", len(got), err, len(data))
	}
	objs, err := s.List(ctx)
	if err != nil || len(objs) != 1 || objs[0] != (objstore.Object{Name: name, Size: int64(len(data))}) {
		t.Fatalf("list: %+v, %v", objs, err)
	}
	if f := objstoretest.File(s, name); f != "" {
		if b, err := os.ReadFile(f); err != nil || !bytes.Equal(b, data) {
			t.Errorf("the object on the server's disk (%s): %d bytes, %v", f, len(b), err)
		}
	}

	if err := s.Put(ctx, name, []byte("thay thế")); err != nil {
		t.Fatalf("put again: %v", err)
	}
	if got, err := s.Get(ctx, name); err != nil || string(got) != "thay thế" {
		t.Fatalf("get after replacing: %q, %v", got, err)
	}

	_, err = s.Get(ctx, "0000000000000000000000000000000a")
	var e *objstore.Error
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &e) || e.Code != "NoSuchKey" {
		t.Errorf("missing object: %v", err)
	}
	if err := s.Delete(ctx, name); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := s.Get(ctx, name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get after delete: %v", err)
	}
	if err := s.Delete(ctx, name); err != nil {
		t.Errorf("delete of a missing object: %v", err)
	}
	if f := objstoretest.File(s, name); f != "" {
		if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the deleted object is still on the server's disk: %v", err)
		}
	}
	if objs, err := s.List(ctx); err != nil || len(objs) != 0 {
		t.Errorf("list after delete: %+v, %v", objs, err)
	}
}

// TestPrefixesKeepApart: two stores in folders of one bucket see only their
// own objects.
func TestPrefixesKeepApart(t *testing.T) {
	s := objstoretest.New(t)
	ctx := context.Background()
	a, b := *s, *s
	a.Prefix, b.Prefix = s.Prefix+"mot", s.Prefix+"hai/"
	if err := a.Put(ctx, "x", []byte("một")); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "x", []byte("hai")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    *objstore.S3
		want string
	}{{&a, "một"}, {&b, "hai"}} {
		got, err := c.s.Get(ctx, "x")
		objs, lerr := c.s.List(ctx)
		if err != nil || string(got) != c.want || lerr != nil || len(objs) != 1 || objs[0].Name != "x" {
			t.Errorf("prefix %s: %q, %v; list %+v, %v", c.s.Prefix, got, err, objs, lerr)
		}
	}
	if objs, err := s.List(ctx); err != nil || len(objs) != 2 {
		t.Errorf("the whole test folder: %+v, %v", objs, err)
	}
}

// TestBadSettings: wrong keys and a missing bucket give errors that carry
// the server's code and say what to check; none of them reads as a missing
// object, and none shows the secret.
func TestBadSettings(t *testing.T) {
	s := objstoretest.New(t)
	ctx := context.Background()
	if err := s.Put(ctx, "abc", []byte("x")); err != nil {
		t.Fatal(err)
	}
	wrongSecret, wrongKey, noBucket := *s, *s, *s
	wrongSecret.SecretKey = "sai-mat-khau-" + s.SecretKey
	wrongKey.AccessKey = "khong-co-khoa-nay"
	noBucket.Bucket = s.Bucket + "-khong-co"
	cases := []struct {
		name  string
		s     *objstore.S3
		codes []string
		hint  string
	}{
		{"wrong secret key", &wrongSecret, []string{"SignatureDoesNotMatch"}, "check the access key, the secret key"},
		{"unknown access key", &wrongKey, []string{"InvalidAccessKeyId", "AccessDenied", "XAdminUserNotFound"}, "check the access key, the secret key"},
		{"missing bucket", &noBucket, []string{"NoSuchBucket"}, "create the bucket"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.s.Ready(ctx); err == nil {
				t.Error("ready")
			}
			for op, err := range map[string]error{
				"put":    c.s.Put(ctx, "abc", []byte("y")),
				"get":    second(c.s.Get(ctx, "abc")),
				"delete": c.s.Delete(ctx, "abc"),
			} {
				var e *objstore.Error
				if !errors.As(err, &e) || !contains(c.codes, e.Code) {
					t.Errorf("%s: %v; want one of %v", op, err, c.codes)
					continue
				}
				if errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), c.hint) || strings.Contains(err.Error(), wrongSecret.SecretKey) {
					t.Errorf("%s: %v", op, err)
				}
			}
		})
	}
	if got, err := s.Get(ctx, "abc"); err != nil || string(got) != "x" {
		t.Errorf("the object after the failed calls: %q, %v", got, err)
	}
}

func second(_ []byte, err error) error { return err }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
