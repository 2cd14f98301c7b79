package pkix

import (
	"bytes"
	"errors"
	"testing"
)

// MarshalOCSPRequest's output parses back to the same CertIDs and nonce,
// with one or several CertIDs of every hash; bad input is refused with
// ErrInvalidValue. (TestOCSPOpenSSL compares its bytes with OpenSSL's.)
func TestMarshalOCSPRequest(t *testing.T) {
	_, iss, _ := ocspIssuer(t, "tc26-256-A")
	var ids []CertID
	for _, h := range OCSPHashes {
		ids = append(ids, ocspCertID(t, iss, h, "00ff01"), ocspCertID(t, iss, h, "7f"))
	}
	for _, nonce := range [][]byte{nil, ocspNonceValue} {
		for _, n := range []int{1, len(ids)} {
			der, err := MarshalOCSPRequest(ids[:n], nonce)
			if err != nil {
				t.Fatal(err)
			}
			req, err := ParseOCSPRequest(der)
			if err != nil {
				t.Fatalf("%d CertIDs, nonce %x: %v", n, nonce, err)
			}
			if !bytes.Equal(req.Nonce, nonce) || len(req.CertIDs) != n || req.Signed {
				t.Fatalf("parsed back: nonce %x, %d CertIDs, signed %v", req.Nonce, len(req.CertIDs), req.Signed)
			}
			for i, got := range req.CertIDs {
				want := ids[i]
				if got.Hash != want.Hash || !iss.Matches(&got) || !bytes.Equal(got.Serial, bytes.TrimLeft(want.Serial, "\x00")) {
					t.Fatalf("CertID %d: %+v, want %+v", i, got, want)
				}
			}
		}
	}
	bad := []struct {
		name  string
		ids   []CertID
		nonce []byte
	}{
		{"no CertID", nil, nil},
		{"65 CertIDs", make([]CertID, 65), nil},
		{"unknown hash", []CertID{{Hash: 99, IssuerNameHash: make([]byte, 20), IssuerKeyHash: make([]byte, 20), Serial: []byte{1}}}, nil},
		{"short hash", []CertID{{Hash: OCSPHashSHA1, IssuerNameHash: make([]byte, 19), IssuerKeyHash: make([]byte, 20), Serial: []byte{1}}}, nil},
		{"zero serial", []CertID{{Hash: OCSPHashSHA1, IssuerNameHash: make([]byte, 20), IssuerKeyHash: make([]byte, 20), Serial: []byte{0}}}, nil},
		{"empty nonce", ids[:1], []byte{}},
		{"33-octet nonce", ids[:1], make([]byte, 33)},
	}
	for _, c := range bad {
		if der, err := MarshalOCSPRequest(c.ids, c.nonce); !errors.Is(err, ErrInvalidValue) || der != nil {
			t.Errorf("%s: %x, %v; want ErrInvalidValue", c.name, der, err)
		}
	}
}
