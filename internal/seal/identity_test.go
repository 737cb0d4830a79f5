package seal

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealIdentityRoundTrip(t *testing.T) {
	k := testKeys(t, 1)
	const aad = "source:TG-2026-7K3Q9M2P"
	for _, plain := range [][]byte{
		{},
		[]byte("Nguyễn Văn A; CCCD 001234567890; 0912345678; Hà Nội"),
		bytes.Repeat([]byte{0}, 64<<10),
	} {
		sealed, err := k.SealIdentity(plain, aad)
		if err != nil {
			t.Fatal(err)
		}
		if len(sealed) != len(plain)+identityOverhead || sealed[0] != identityV1 {
			t.Errorf("sealed layout: %d bytes, version %d", len(sealed), sealed[0])
		}
		if len(plain) > 8 && bytes.Contains(sealed, plain[:8]) {
			t.Error("ciphertext contains plaintext")
		}
		got, err := k.OpenIdentity(sealed, aad)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("round trip = %q, want %q", got, plain)
		}
	}
}

func TestSealIdentityNonceIsFresh(t *testing.T) {
	k := testKeys(t, 1)
	a, _ := k.SealIdentity([]byte("same"), "source:A")
	b, _ := k.SealIdentity([]byte("same"), "source:A")
	if bytes.Equal(a, b) {
		t.Error("sealing twice gave the same ciphertext")
	}
}

func TestOpenIdentityRejects(t *testing.T) {
	k := testKeys(t, 1)
	other := testKeys(t, 2)
	const aad = "source:TG-2026-7K3Q9M2P"
	sealed, err := k.SealIdentity([]byte("Trần Thị B, 0987654321"), aad)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		tampered := bytes.Clone(sealed)
		tampered[i] ^= 0x01
		if _, err := k.OpenIdentity(tampered, aad); err == nil {
			t.Fatalf("byte %d flipped: opened", i)
		}
	}
	cases := []struct {
		name string
		keys *Keys
		ct   []byte
		aad  string
		want error
	}{
		{"wrong record", k, sealed, "source:TG-2026-AAAAAAAA", ErrOpenIdentity},
		{"wrong key", other, sealed, aad, ErrOpenIdentity},
		{"truncated", k, sealed[:len(sealed)-1], aad, ErrOpenIdentity},
		{"too short", k, sealed[:identityOverhead-1], aad, ErrIdentityFormat},
		{"empty", k, nil, aad, ErrIdentityFormat},
		{"unknown version", k, append([]byte{2}, sealed[1:]...), aad, ErrIdentityFormat},
		{"no aad", k, sealed, "", ErrNoAAD},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.keys.OpenIdentity(tc.ct, tc.aad)
			if !errors.Is(err, tc.want) || got != nil {
				t.Errorf("OpenIdentity = %q, %v; want nil, %v", got, err, tc.want)
			}
		})
	}
	if _, err := k.SealIdentity([]byte("x"), ""); !errors.Is(err, ErrNoAAD) {
		t.Errorf("SealIdentity without aad: err = %v, want ErrNoAAD", err)
	}
}
