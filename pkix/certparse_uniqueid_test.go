package pkix

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/openssltest"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// tbsElements splits a TBSCertificate into its top-level elements.
func tbsElements(t testing.TB, tbs []byte) [][]byte {
	t.Helper()
	s := cryptobyte.String(tbs)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) {
		t.Fatal("TBS is not a SEQUENCE")
	}
	var out [][]byte
	for !body.Empty() {
		var e cryptobyte.String
		var tag cbasn1.Tag
		if !body.ReadAnyASN1Element(&e, &tag) {
			t.Fatal("TBS element")
		}
		out = append(out, e)
	}
	return out
}

// resign wraps elements into a TBS, signs it with ca's key and returns
// the certificate.
func (ca *testCA) resign(t testing.TB, elems ...[]byte) []byte {
	t.Helper()
	tbs := csrElem(cbasn1.SEQUENCE, elems...)
	sig, err := Sign(rand.Reader, ca.key, ca.iss.SignatureAlgorithm, tbs)
	if err != nil {
		t.Fatal(err)
	}
	der, err := AssembleSigned(tbs, ca.iss.SignatureAlgorithm, sig)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// issuerUniqueID and subjectUniqueID (RFC 5280 §4.1.2.8, written by
// ViPNet) are parsed and ignored: the certificate parses and verifies,
// here and in OpenSSL. Malformed ones and ones in a v1 certificate stay
// refused.
func TestUniqueIDsParsedAndIgnored(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	leaf, err := ica.issue(t, ProfileQualifiedPerson, gostKey(t, "tc26-256-A").Public(), now)
	if err != nil {
		t.Fatal(err)
	}
	orig, err := ParseCertificate(leaf)
	if err != nil {
		t.Fatal(err)
	}
	el := tbsElements(t, orig.RawTBS)
	if len(el) != 8 {
		t.Fatalf("%d TBS elements", len(el))
	}
	issuerUID := []byte{0x81, 0x05, 0x00, 0x01, 0x02, 0x03, 0x04}
	subjectUID := []byte{0x82, 0x03, 0x04, 0xAB, 0xF0}
	with := func(uids ...[]byte) [][]byte {
		out := append([][]byte{}, el[:7]...)
		out = append(out, uids...)
		return append(out, el[7])
	}

	for name, uids := range map[string][][]byte{
		"issuerUniqueID":  {issuerUID},
		"subjectUniqueID": {subjectUID},
		"both":            {issuerUID, subjectUID},
	} {
		der := ica.resign(t, with(uids...)...)
		c, err := ParseCertificate(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.CheckSignatureFrom(ica.cert); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Subject.String() != orig.Subject.String() || len(c.Extensions) != len(orig.Extensions) {
			t.Fatalf("%s: fields after the unique IDs were lost", name)
		}
		if name == "both" {
			bin := openssltest.Gost(t)
			dir := t.TempDir()
			text := string(bin.Run(t, "x509", "-engine", "gost", "-in", writePEM(t, dir, "c.pem", der), "-noout", "-text"))
			if !strings.Contains(text, "Issuer Unique ID") || !strings.Contains(text, "Subject Unique ID") {
				t.Fatalf("the fixture has no unique IDs for OpenSSL:\n%s", text)
			}
			out := bin.Run(t, "verify", "-engine", "gost", "-CAfile", writePEM(t, dir, "r.pem", root.cert.Raw),
				"-untrusted", writePEM(t, dir, "i.pem", ica.cert.Raw), writePEM(t, dir, "c.pem", der))
			if !strings.Contains(string(out), ": OK") {
				t.Fatalf("openssl verify: %s", out)
			}
		}
	}

	for name, elems := range map[string][][]byte{
		"wrong order":        with(subjectUID, issuerUID),
		"unused bits > 7":    with([]byte{0x81, 0x02, 0x08, 0x00}),
		"empty BIT STRING":   with([]byte{0x81, 0x00}),
		"unused bits not 0":  with([]byte{0x81, 0x02, 0x01, 0x01}),
		"constructed [1]":    with([]byte{0xA1, 0x02, 0x05, 0x00}),
		"v1 with unique IDs": append([][]byte{el[1], el[2], el[3], el[4], el[5], el[6]}, issuerUID),
	} {
		if _, err := ParseCertificate(ica.resign(t, elems...)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
