package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"

	"github.com/gostca/gostca/gost/gost3410"
)

func TestSamePublicKey(t *testing.T) {
	gen := func(curve string) *gost3410.PublicKey {
		c, _ := gost3410.CurveByName(curve)
		k, err := gost3410.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k.PublicKey()
	}
	g1, g2, g512 := gen("tc26-256-A"), gen("tc26-256-A"), gen("tc26-512-A")
	e1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	e2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	// The same keys decoded afresh: other values, same points.
	g1again, err := gost3410.NewPublicKey(g1.Curve, g1.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := e1.PublicKey.Bytes()
	e1again, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var nilGOST *gost3410.PublicKey
	var nilEC *ecdsa.PublicKey
	for _, c := range []struct {
		name string
		a, b crypto.PublicKey
		want bool
	}{
		{"gost itself", g1, g1again, true},
		{"ecdsa itself", &e1.PublicKey, e1again, true},
		{"two gost keys", g1, g2, false},
		{"gost 256 and 512", g1, g512, false},
		{"two ecdsa keys", &e1.PublicKey, &e2.PublicKey, false},
		{"gost and ecdsa", g1, &e1.PublicKey, false},
		{"ecdsa and gost", &e1.PublicKey, g1, false},
		{"nil gost", nilGOST, g1, false},
		{"against nil gost", g1, nilGOST, false},
		{"nil ecdsa", nilEC, &e1.PublicKey, false},
		{"against nil ecdsa", &e1.PublicKey, nilEC, false},
		{"untyped nil", nil, nil, false},
		{"other type", "key", "key", false},
	} {
		if got := SamePublicKey(c.a, c.b); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
