package app_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"toandan/internal/app"
	"toandan/internal/auth/secret"
)

// `toandan demo` fills a fresh data folder, serves the portal, and every
// account it prints signs in: with its password, and for the roles that need
// it, with a code from the printed TOTP secret.
func TestDemoCommand(t *testing.T) {
	addr := freeAddr(t)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	c := &app.CLI{Stdout: out, Stderr: errOut, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- c.Run(ctx, []string{"demo", "--addr", addr, "--data", t.TempDir(), "--size", "tiny"}) }()
	base := "http://" + addr
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("demo exited with %d before serving:\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("demo did not serve within 3 minutes:\n%s", out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("demo exited with %d after shutdown", code)
		}
	}()
	if res, err := http.Get(base + "/"); err != nil || res.StatusCode != 200 {
		t.Fatalf("portal: %v %v", res, err)
	}
	client := func() *http.Client {
		return &http.Client{Jar: newJar(t), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	roles := map[string]bool{}
	inTable := false
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "username" {
			inTable = true
			continue
		}
		if !inTable {
			continue
		}
		if !strings.HasPrefix(line, "  ") || len(f) < 4 {
			break // the table's rows are indented; the summary after it is not
		}
		user, pw, role := f[0], f[1], f[2]
		if roles[role] {
			continue // one account per role: the login limiter allows 10 tries a minute from one address
		}
		hc := client()
		res, err := hc.PostForm(base+"/dang-nhap", url.Values{"username": {user}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc := res.Header.Get("Location")
		if role == "admin" || role == "investigator" {
			if !strings.HasPrefix(loc, "/dang-nhap/xac-thuc") {
				t.Fatalf("%s (%s): login went to %q, want the second factor", user, role, loc)
			}
			key, err := secret.DecodeSecret(f[len(f)-1])
			if err != nil {
				t.Fatalf("%s: printed TOTP secret: %v", user, err)
			}
			res, err = hc.PostForm(base+"/dang-nhap/xac-thuc", url.Values{"code": {secret.TOTPCode(key, time.Now())}, "next": {"/can-bo"}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			loc = res.Header.Get("Location")
		}
		if loc != "/can-bo" {
			t.Fatalf("%s (%s): login ended at %q, want /can-bo", user, role, loc)
		}
		res, err = hc.Get(base + "/can-bo")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s (%s): /can-bo answered %d", user, role, res.StatusCode)
		}
		roles[role] = true
	}
	for _, r := range []string{"admin", "ministry", "province", "investigator", "commune", "procuracy"} {
		if !roles[r] {
			t.Errorf("no printed account of role %s signed in:\n%s", r, out.String())
		}
	}
}

func newJar(t *testing.T) http.CookieJar {
	t.Helper()
	j, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return j
}
