package sigalg

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"testing"

	"github.com/gostca/gostca/gost/streebog"
)

func TestAlgorithms(t *testing.T) {
	msg := []byte("tbsCertificate")
	s256, s512 := streebog.Sum256(msg), streebog.Sum512(msg)
	h256, h384 := sha256.Sum256(msg), sha512.Sum384(msg)
	cases := []struct {
		a      Algorithm
		gost   bool
		digest []byte
		hash   crypto.Hash
	}{
		{GOST256, true, s256[:], 0},
		{GOST512, true, s512[:], 0},
		{ECDSAP256, false, h256[:], crypto.SHA256},
		{ECDSAP384, false, h384[:], crypto.SHA384},
	}
	names := map[string]bool{}
	for _, c := range cases {
		if d := c.a.Digest(msg); !bytes.Equal(d, c.digest) || len(d) != c.a.DigestSize() {
			t.Errorf("%s: digest %x (size %d), want %x", c.a, d, c.a.DigestSize(), c.digest)
		}
		if c.a.IsGOST() != c.gost || c.a.Hash() != c.hash {
			t.Errorf("%s: IsGOST %v, Hash %v", c.a, c.a.IsGOST(), c.a.Hash())
		}
		if c.a.CheckDigest(c.digest) != nil || c.a.CheckDigest(c.digest[1:]) == nil {
			t.Errorf("%s: CheckDigest takes the wrong sizes", c.a)
		}
		if names[c.a.String()] {
			t.Errorf("%s: name shared with another algorithm", c.a)
		}
		names[c.a.String()] = true
	}
	if Unknown.DigestSize() != 0 || Unknown.Digest(msg) != nil || Unknown.CheckDigest(nil) == nil || Unknown.IsGOST() ||
		Algorithm(99).String() != "unknown signature algorithm (99)" {
		t.Error("unknown algorithm not refused")
	}
}
