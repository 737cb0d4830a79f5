package seal

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Sealed identity layout: version byte, random nonce, ciphertext and tag.
// XChaCha20's 24-byte nonce is large enough to draw at random for every
// message under one key without a realistic chance of reuse.
const (
	identityV1       byte = 1
	identityOverhead      = 1 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead
)

// Errors about sealed identities.
const (
	// ErrOpenIdentity means a sealed identity failed authentication: it was
	// altered, copied from another record (wrong associated data), or sealed
	// under another key.
	ErrOpenIdentity Error = "seal: identity cannot be opened (tampered, wrong record or wrong key)"
	// ErrIdentityFormat means a sealed identity is too short or carries an
	// unknown format version.
	ErrIdentityFormat Error = "seal: malformed sealed identity"
	// ErrNoAAD means SealIdentity or OpenIdentity was called without
	// associated data; an unbound ciphertext could be moved between records.
	ErrNoAAD Error = "seal: associated data is required"
)

// SealIdentity encrypts a reporter's identity for storage. aad names the
// record the ciphertext belongs to, e.g. "source:TG-2026-7K3Q9M2P"; it is
// authenticated but not stored, and OpenIdentity must be given the same
// value. The result is version || nonce || ciphertext+tag.
func (k *Keys) SealIdentity(plaintext []byte, aad string) ([]byte, error) {
	if aad == "" {
		return nil, ErrNoAAD
	}
	aead, err := chacha20poly1305.NewX(k.identity)
	if err != nil {
		return nil, fmt.Errorf("seal: identity cipher: %w", err)
	}
	out := make([]byte, 1+chacha20poly1305.NonceSizeX, identityOverhead+len(plaintext))
	out[0] = identityV1
	// crypto/rand.Read never returns an error.
	_, _ = rand.Read(out[1:])
	nonce := out[1 : 1+chacha20poly1305.NonceSizeX]
	return aead.Seal(out, nonce, plaintext, identityAD(identityV1, aad)), nil
}

// OpenIdentity decrypts a value made by SealIdentity for the record named
// by aad.
func (k *Keys) OpenIdentity(ciphertext []byte, aad string) ([]byte, error) {
	if aad == "" {
		return nil, ErrNoAAD
	}
	if len(ciphertext) < identityOverhead {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrIdentityFormat, len(ciphertext))
	}
	if v := ciphertext[0]; v != identityV1 {
		return nil, fmt.Errorf("%w: unknown version %d", ErrIdentityFormat, v)
	}
	aead, err := chacha20poly1305.NewX(k.identity)
	if err != nil {
		return nil, fmt.Errorf("seal: identity cipher: %w", err)
	}
	nonce := ciphertext[1 : 1+chacha20poly1305.NonceSizeX]
	body := ciphertext[1+chacha20poly1305.NonceSizeX:]
	plain, err := aead.Open(nil, nonce, body, identityAD(identityV1, aad))
	if err != nil {
		return nil, ErrOpenIdentity
	}
	return plain, nil
}

// identityAD authenticates the format version with the caller's record
// name, so a ciphertext cannot be relabelled as another version.
func identityAD(version byte, aad string) []byte {
	return append([]byte{version}, aad...)
}
