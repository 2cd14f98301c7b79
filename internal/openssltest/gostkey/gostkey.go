// Package gostkey reads the private keys OpenSSL's gost engine writes,
// for tests that sign with a key OpenSSL made (a package of its own so
// that openssltest stays free of gost3410, whose tests use it).
package gostkey

import (
	"encoding/asn1"
	"encoding/pem"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/gost3410"
)

// PEM reads a PEM "PRIVATE KEY" of the gost engine (PKCS#8): the
// parameter set from the algorithm parameters, the key an OCTET STRING of
// LE(d), directly or wrapped once more in an OCTET STRING. It fails t on
// anything else.
func PEM(t testing.TB, data []byte) *gost3410.PrivateKey {
	t.Helper()
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("PKCS#8: no PEM block")
	}
	s := cryptobyte.String(block.Bytes)
	var body, alg, params, priv cryptobyte.String
	var version int64
	var keyOID, paramSet asn1.ObjectIdentifier
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Integer(&version) ||
		!body.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&keyOID) ||
		!alg.ReadASN1(&params, cbasn1.SEQUENCE) || !params.ReadASN1ObjectIdentifier(&paramSet) ||
		!body.ReadASN1(&priv, cbasn1.OCTET_STRING) {
		t.Fatal("PKCS#8: malformed")
	}
	c, ok := gost3410.CurveByOID(paramSet)
	if !ok {
		t.Fatalf("PKCS#8: parameter set %v", paramSet)
	}
	raw := []byte(priv)
	if len(raw) != c.Size {
		var inner cryptobyte.String
		if !priv.ReadASN1(&inner, cbasn1.OCTET_STRING) {
			t.Fatalf("PKCS#8: private key of %d bytes", len(raw))
		}
		raw = inner
	}
	k, err := gost3410.NewPrivateKey(c, raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
