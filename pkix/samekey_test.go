package pkix

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"

	"github.com/gostca/gostca/gost/gost3410"
)

func TestSamePublicKey(t *testing.T) {
	g1, g2 := gostKey(t, "tc26-256-A"), gostKey(t, "tc26-256-A")
	g512 := gostKey(t, "tc26-512-A")
	e1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	e2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	// The same key parsed back from its SubjectPublicKeyInfo is a
	// different value with the same point.
	g1again := spkiOf(t, g1.Public()).Key
	e1again := spkiOf(t, &e1.PublicKey).Key
	var nilGOST *gost3410.PublicKey
	var nilEC *ecdsa.PublicKey
	for _, c := range []struct {
		name string
		a, b crypto.PublicKey
		want bool
	}{
		{"gost itself", g1.Public(), g1again, true},
		{"ecdsa itself", &e1.PublicKey, e1again, true},
		{"two gost keys", g1.Public(), g2.Public(), false},
		{"gost 256 and 512", g1.Public(), g512.Public(), false},
		{"two ecdsa keys", &e1.PublicKey, &e2.PublicKey, false},
		{"gost and ecdsa", g1.Public(), &e1.PublicKey, false},
		{"ecdsa and gost", &e1.PublicKey, g1.Public(), false},
		{"nil gost", nilGOST, g1.Public(), false},
		{"against nil gost", g1.Public(), nilGOST, false},
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
