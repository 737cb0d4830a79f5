package seal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func testKeys(t *testing.T, seed byte) *Keys {
	t.Helper()
	k, err := NewKeys(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestLoadOrCreateKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "identity.key")

	k1, created, err := LoadOrCreateKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatal("created = false for a new key file")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", fi.Mode().Perm())
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want only the key file", len(entries))
	}

	k2, created, err := LoadOrCreateKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if created {
		t.Error("created = true when reloading an existing key file")
	}
	if !bytes.Equal(k1.identity, k2.identity) || !bytes.Equal(k1.receipt, k2.receipt) ||
		!bytes.Equal(k1.tokens, k2.tokens) || k1.Fingerprint() != k2.Fingerprint() {
		t.Error("reloaded keys differ from the created ones")
	}
	sealed, err := k1.SealIdentity([]byte("Nguyễn Văn A"), "source:TG-2026-7K3Q9M2P")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k2.OpenIdentity(sealed, "source:TG-2026-7K3Q9M2P"); err != nil {
		t.Errorf("reloaded keys cannot open: %v", err)
	}
}

func TestSubkeysAreSeparate(t *testing.T) {
	k := testKeys(t, 7)
	subkeys := [][]byte{k.identity, k.receipt, k.tokens}
	for i := range subkeys {
		if len(subkeys[i]) != 32 {
			t.Errorf("subkey %d has %d bytes", i, len(subkeys[i]))
		}
		for j := i + 1; j < len(subkeys); j++ {
			if bytes.Equal(subkeys[i], subkeys[j]) {
				t.Errorf("subkeys %d and %d are equal", i, j)
			}
		}
		if bytes.Equal(subkeys[i], bytes.Repeat([]byte{7}, 32)) {
			t.Errorf("subkey %d is the master secret", i)
		}
	}
}

func TestKeysNotPrinted(t *testing.T) {
	k := testKeys(t, 1)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, k)
		for _, key := range [][]byte{k.identity, k.receipt, k.tokens} {
			if strings.Contains(out, hex.EncodeToString(key)) || strings.Contains(out, fmt.Sprint(key)) {
				t.Errorf("%s prints key material: %s", format, out)
			}
		}
	}
}

func TestLoadKeysRefusesBadFiles(t *testing.T) {
	master := strings.Repeat("ab", 32) // 32 bytes in hex
	cases := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string // in the error message
	}{
		{"group and world readable", keyFileHeader + "\n" + master + "\n", 0o644, "chmod 600"},
		{"group readable", keyFileHeader + "\n" + master + "\n", 0o640, "chmod 600"},
		{"empty", "", 0o600, "first line"},
		{"no header", master + "\n", 0o600, "first line"},
		{"wrong version", "toandan-identity-key v2\n" + master + "\n", 0o600, "first line"},
		{"short key", keyFileHeader + "\n" + strings.Repeat("ab", 16) + "\n", 0o600, "not 32 bytes"},
		{"garbage key", keyFileHeader + "\n" + "not a key at all" + "\n", 0o600, "not 32 bytes"},
		{"two keys", keyFileHeader + "\n" + master + "\n" + master + "\n", 0o600, "exactly one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tc.mode != 0o600 {
				t.Skip("no Unix permissions on Windows")
			}
			path := filepath.Join(t.TempDir(), "identity.key")
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil { // umask may have narrowed it
				t.Fatal(err)
			}
			_, _, err := LoadOrCreateKeys(path)
			if !errors.Is(err, ErrKeyFile) {
				t.Fatalf("err = %v, want ErrKeyFile", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), master) {
				t.Error("error message quotes the key")
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil || string(got) != tc.content {
				t.Error("refused key file was modified")
			}
		})
	}
}

func TestLoadKeysAcceptsEncodings(t *testing.T) {
	master := bytes.Repeat([]byte{0xfe, 0x01}, 16)
	want, err := NewKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{
		"hex":        hex.EncodeToString(master),
		"base64":     "/gH+Af4B/gH+Af4B/gH+Af4B/gH+Af4B/gH+Af4B/gE=",
		"raw base64": "/gH+Af4B/gH+Af4B/gH+Af4B/gH+Af4B/gH+Af4B/gE",
		"url base64": "_gH-Af4B_gH-Af4B_gH-Af4B_gH-Af4B_gH-Af4B_gE=",
	}
	for name, line := range lines {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "identity.key")
			content := "# comment\n\n" + keyFileHeader + "\r\n  " + line + "  \n"
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, created, err := LoadOrCreateKeys(path)
			if err != nil {
				t.Fatal(err)
			}
			if created || got.Fingerprint() != want.Fingerprint() {
				t.Errorf("created = %v, fingerprint %s, want false, %s", created, got.Fingerprint(), want.Fingerprint())
			}
		})
	}
}

func TestLoadKeysRefusesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identity.key")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeys(path); !errors.Is(err, ErrKeyFile) {
		t.Errorf("err = %v, want ErrKeyFile", err)
	}
}

func TestNewKeysRejectsWrongSize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewKeys(make([]byte, n)); !errors.Is(err, ErrMasterKey) {
			t.Errorf("NewKeys(%d bytes) err = %v, want ErrMasterKey", n, err)
		}
	}
}
