package hsm_test

import (
	"crypto/rand"
	"testing"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
)

// TestAsSignerWithPKIX signs through pkix.Sign — the way certificates, CRLs
// and OCSP responses are signed — with a Key behind the adapter.
func TestAsSignerWithPKIX(t *testing.T) {
	for _, c := range []struct {
		curve string
		alg   pkix.SignatureAlgorithm
	}{
		{"tc26-256-A", pkix.GOST256},
		{"tc26-512-A", pkix.GOST512},
		{"P-256", pkix.ECDSAWithSHA256},
		{"P-384", pkix.ECDSAWithSHA384},
	} {
		t.Run(c.curve, func(t *testing.T) {
			curve, err := hsm.CurveByName(c.curve)
			if err != nil {
				t.Fatal(err)
			}
			k, err := hsm.GenerateSoftKeyInMemory(curve)
			if err != nil {
				t.Fatal(err)
			}
			s := hsm.AsSigner(k)
			msg := []byte("to be signed")
			sig, err := pkix.Sign(rand.Reader, s, c.alg, msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := pkix.CheckSignature(s.Public(), c.alg, msg, sig); err != nil {
				t.Fatal(err)
			}
		})
	}
}
