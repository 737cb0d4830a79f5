package seal

import (
	"bufio"
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Key file layout. The file is text so an operator can back it up on paper
// or in a password manager; comment lines are ignored.
const (
	keyFileHeader  = "toandan-identity-key v1"
	keyFileComment = "# toandan master secret. Keep it secret, keep it out of database backups,\n" +
		"# and back it up separately: without it sealed reporter identities are lost\n" +
		"# and receipt codes stop working. Mode must be 0600.\n"
	masterKeyLen   = 32
	subkeyLen      = 32
	maxKeyFileSize = 4096 // a valid file is about 300 bytes
)

// HKDF info strings, one per purpose. Changing one changes that subkey and
// makes everything made with the old one unreadable or unverifiable.
const (
	infoIdentity    = "toandan/seal/v1/identity-encryption"
	infoReceipt     = "toandan/seal/v1/receipt-code-hmac"
	infoTokens      = "toandan/seal/v1/form-tokens"
	infoFingerprint = "toandan/seal/v1/fingerprint"
	fingerprintLen  = 8
)

// Errors about the key file and master secret.
const (
	// ErrKeyFile means the key file exists but cannot be used: unreadable,
	// malformed, or open to group or others. The wrapping error says which,
	// and how to fix it. The program must not start.
	ErrKeyFile Error = "seal: unusable key file"
	// ErrMasterKey means NewKeys was given a master secret of the wrong size.
	ErrMasterKey Error = "seal: master secret must be 32 bytes"
)

// Keys holds the subkeys derived from the master secret. The master secret
// itself is not kept. A Keys is safe for concurrent use.
type Keys struct {
	identity    []byte // XChaCha20-Poly1305 key for reporter identities
	receipt     []byte // HMAC-SHA256 key for receipt code hashes
	tokens      []byte // HMAC-SHA256 key for form tokens
	fingerprint string // non-secret identifier of the master secret
}

// String keeps key material out of logs and error messages.
func (k *Keys) String() string {
	if k == nil {
		return "seal.Keys(nil)"
	}
	return "seal.Keys(" + k.fingerprint + ")"
}

// GoString keeps key material out of %#v output.
func (k *Keys) GoString() string { return k.String() }

// Fingerprint returns a short, non-secret identifier of the master secret,
// fit for start-up logs: two servers or a restored backup can be checked to
// use the same key without revealing it.
func (k *Keys) Fingerprint() string { return k.fingerprint }

// NewKeys derives the subkeys from a 32-byte master secret. Production code
// uses LoadOrCreateKeys; NewKeys is for tests and tools.
func NewKeys(master []byte) (*Keys, error) {
	if len(master) != masterKeyLen {
		return nil, ErrMasterKey
	}
	derive := func(info string, n int) ([]byte, error) {
		key, err := hkdf.Key(sha256.New, master, nil, info, n)
		if err != nil {
			return nil, fmt.Errorf("seal: derive subkey: %w", err)
		}
		return key, nil
	}
	k := &Keys{}
	var err error
	if k.identity, err = derive(infoIdentity, subkeyLen); err != nil {
		return nil, err
	}
	if k.receipt, err = derive(infoReceipt, subkeyLen); err != nil {
		return nil, err
	}
	if k.tokens, err = derive(infoTokens, subkeyLen); err != nil {
		return nil, err
	}
	fp, err := derive(infoFingerprint, fingerprintLen)
	if err != nil {
		return nil, err
	}
	k.fingerprint = hex.EncodeToString(fp)
	return k, nil
}

// LoadOrCreateKeys reads the master secret from the key file at path and
// derives the subkeys. When the file does not exist it creates one with a
// fresh random secret, mode 0600, atomically, and reports created = true so
// the caller can tell the operator to back it up.
//
// An existing file that cannot be read, is malformed, or is readable or
// writable by group or others is an error wrapping ErrKeyFile, and the
// program must refuse to start: silently replacing it would make every
// sealed identity unreadable.
func LoadOrCreateKeys(path string) (keys *Keys, created bool, err error) {
	keys, err = loadKeys(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return keys, false, err
	}
	master := make([]byte, masterKeyLen)
	// crypto/rand.Read never returns an error; it crashes the program
	// rather than hand out weak randomness.
	_, _ = rand.Read(master)
	defer clear(master)
	won, err := writeKeyFile(path, master)
	if err != nil {
		return nil, false, err
	}
	if !won {
		// Another process created the file first; use its key.
		keys, err = loadKeys(path)
		if errors.Is(err, fs.ErrNotExist) { // e.g. a dangling symlink
			err = fmt.Errorf("%w %s: %w", ErrKeyFile, path, err)
		}
		return keys, false, err
	}
	keys, err = NewKeys(master)
	if err != nil {
		return nil, false, err
	}
	return keys, true, nil
}

// LoadKeys reads an existing key file and never creates one: a missing
// file is an error matching fs.ErrNotExist. It lets a key be checked
// against the data it must open before anything is written.
func LoadKeys(path string) (*Keys, error) { return loadKeys(path) }

// loadKeys reads an existing key file. A missing file is reported as an
// error matching fs.ErrNotExist and nothing else.
func loadKeys(path string) (*Keys, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrKeyFile, path, err)
	}
	master, err := readKeyFile(f, path)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%w %s: close: %w", ErrKeyFile, path, cerr)
	}
	if err != nil {
		return nil, err
	}
	defer clear(master)
	return NewKeys(master)
}

func readKeyFile(f *os.File, path string) ([]byte, error) {
	// Stat the open file, not the path, so the checks apply to what is read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrKeyFile, path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w %s: not a regular file", ErrKeyFile, path)
	}
	// Windows has no Unix permission bits; there the file's ACL is the
	// operator's job.
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("%w %s: mode %04o gives group or others access; fix with: chmod 600 %s",
			ErrKeyFile, path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrKeyFile, path, err)
	}
	defer clear(data)
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("%w %s: file too large to be a key file", ErrKeyFile, path)
	}
	master, err := parseKeyFile(data)
	if err != nil {
		// The message never quotes file content: it may be the key.
		return nil, fmt.Errorf("%w %s: %w", ErrKeyFile, path, err)
	}
	return master, nil
}

// parseKeyFile accepts the header line followed by one line holding the
// 32-byte secret in hex or base64 (standard or URL alphabet, padded or not).
// Blank lines and lines starting with # are ignored.
func parseKeyFile(data []byte) ([]byte, error) {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(lines) == 0 || lines[0] != keyFileHeader {
		return nil, fmt.Errorf("first line must be %q", keyFileHeader)
	}
	if len(lines) != 2 {
		return nil, errors.New("expected exactly one key line after the header")
	}
	if master, ok := decodeMaster(lines[1]); ok {
		return master, nil
	}
	return nil, errors.New("key line is not 32 bytes in hex or base64")
}

func decodeMaster(s string) ([]byte, bool) {
	if len(s) == 2*masterKeyLen {
		if b, err := hex.DecodeString(s); err == nil {
			return b, true
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == masterKeyLen {
			return b, true
		} else if err == nil {
			clear(b)
		}
	}
	return nil, false
}

// writeKeyFile writes master to path without ever exposing a partial file
// or overwriting an existing one. It reports won = false when another
// process created path first.
func writeKeyFile(path string, master []byte) (won bool, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("seal: create key directory: %w", err)
	}
	// CreateTemp creates the file with mode 0600.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("seal: create key file: %w", err)
	}
	tmpName := tmp.Name()
	defer func() {
		// After a successful link or rename the name is gone or unneeded.
		if rerr := os.Remove(tmpName); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
			err = fmt.Errorf("seal: remove temporary key file: %w", rerr)
		}
	}()
	content := keyFileComment + keyFileHeader + "\n" + base64.StdEncoding.EncodeToString(master) + "\n"
	if _, err := io.WriteString(tmp, content); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return false, fmt.Errorf("seal: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close() // the sync error is the one to report
		return false, fmt.Errorf("seal: sync key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("seal: close key file: %w", err)
	}
	// A hard link publishes the file only if the name is still free, so two
	// servers starting together cannot each create, and use, their own key.
	// Where links are not supported, fall back to rename.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		if err := os.Rename(tmpName, path); err != nil {
			return false, fmt.Errorf("seal: install key file: %w", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return false, fmt.Errorf("seal: sync key directory: %w", err)
	}
	return true, nil
}

// syncDir makes the new directory entry durable, so a crash right after
// start-up cannot lose a key already used to seal identities.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for sync there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close() // the sync error is the one to report
		return err
	}
	return d.Close()
}
