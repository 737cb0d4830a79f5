package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"toandan/internal/account"
	"toandan/internal/app"
	"toandan/internal/auth/secret"
	"toandan/internal/clock"
	"toandan/internal/config"
)

func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func startMain(t *testing.T, cfg config.Config) *app.Main {
	t.Helper()
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	m, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	m.Accounts.Settings.PasswordParams = secret.FastParams()
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		m.Close()
	})
	return m
}

// Served over TLS, responses carry HSTS and the session cookie is Secure.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key, pool := selfSigned(t, dir)
	m := startMain(t, config.Config{Addr: "127.0.0.1:0", DataDir: dir, TLSCert: cert, TLSKey: key})
	if _, err := m.Accounts.Create(context.Background(), account.NewUser{Username: "tinh-tls", Role: account.Province, UnitCode: "01", Password: "mat-khau-tls-2026"}, "test"); err != nil {
		t.Fatal(err)
	}
	c := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	base := "https://" + m.Addr()
	res, err := c.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("healthz over TLS: %d, HSTS %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	res, err = c.PostForm(base+"/dang-nhap", url.Values{"username": {"tinh-tls"}, "password": {"mat-khau-tls-2026"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == "toandan_session" {
			found = true
			if !ck.Secure || !ck.HttpOnly {
				t.Errorf("session cookie Secure=%v HttpOnly=%v", ck.Secure, ck.HttpOnly)
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie (status %d)", res.StatusCode)
	}
	// Plain HTTP to the TLS port is refused.
	if res, err := http.Get("http://" + m.Addr() + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Error("plain HTTP answered 200 on the TLS port")
		}
	}
}

// Behind a trusted proxy the client address comes from X-Forwarded-For;
// from anyone else the header is ignored.
//
// The session cookie is Secure whenever the server is configured behind a
// proxy: the proxy terminates TLS, so the cookie must never travel in
// clear. A request that bypasses the proxy gets a Secure cookie too (which
// a browser on plain HTTP refuses to keep), never a cookie it could leak.
// Without proxies and without TLS the forwarded header cannot make it
// Secure.
func TestTrustedProxy(t *testing.T) {
	for _, c := range []struct {
		name, proxies, wantIP string
		wantSecure            bool
	}{
		{"trusted", "127.0.0.1/32", "198.51.100.7", true},
		{"not trusted", "", "127.0.0.1", false},
		{"other proxy trusted", "10.0.0.0/8", "127.0.0.1", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			m := startMain(t, config.Config{Addr: "127.0.0.1:0", DataDir: dir, TrustedProxies: c.proxies})
			if _, err := m.Accounts.Create(context.Background(), account.NewUser{Username: "tinh-px", Role: account.Province, UnitCode: "01", Password: "mat-khau-px-2026"}, "test"); err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodPost, "http://"+m.Addr()+"/dang-nhap", strings.NewReader(url.Values{"username": {"tinh-px"}, "password": {"mat-khau-px-2026"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", "203.0.113.50, 198.51.100.7")
			req.Header.Set("X-Forwarded-Proto", "https")
			c2 := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := c2.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var ip string
			if err := m.DB.QueryRow(context.Background(), "SELECT ip FROM sessions").Scan(&ip); err != nil {
				t.Fatalf("no session (status %d): %v", res.StatusCode, err)
			}
			if ip != c.wantIP {
				t.Errorf("session ip = %s, want %s", ip, c.wantIP)
			}
			hsts := res.Header.Get("Strict-Transport-Security") != ""
			if hsts != (c.proxies == "127.0.0.1/32") {
				t.Errorf("HSTS present = %v", hsts)
			}
			var session *http.Cookie
			for _, ck := range res.Cookies() {
				if ck.Name == "toandan_session" {
					session = ck
				}
			}
			if session == nil || session.Value == "" {
				t.Fatalf("login (status %d) set no session cookie", res.StatusCode)
			}
			if session.Secure != c.wantSecure || !session.HttpOnly {
				t.Errorf("session cookie Secure=%v HttpOnly=%v; want Secure=%v HttpOnly=true", session.Secure, session.HttpOnly, c.wantSecure)
			}
		})
	}
}
