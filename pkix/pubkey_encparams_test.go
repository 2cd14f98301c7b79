package pkix

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/internal/openssltest"
)

// id-Gost28147-89-CryptoPro-A-ParamSet, the encryptionParamSet CryptoPro
// writes after the parameter set and digest OIDs.
var oidGost28147CryptoProA = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 31, 1}

// spkiWithParams encodes k's SubjectPublicKeyInfo with the GOST key
// parameters given, in order, as OIDs (or raw elements).
func spkiWithParams(t testing.TB, k *gost3410.PublicKey, params ...any) []byte {
	t.Helper()
	keyOID := OIDPublicKeyGost2012_256
	if k.Curve.Size == 64 {
		keyOID = OIDPublicKeyGost2012_512
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(keyOID)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, p := range params {
					switch p := p.(type) {
					case asn1.ObjectIdentifier:
						b.AddASN1ObjectIdentifier(p)
					case []byte:
						b.AddBytes(p)
					}
				}
			})
		})
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(0)
			b.AddASN1OctetString(k.Bytes())
		})
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Keys whose GOST parameters carry encryptionParamSet as a third element
// (RFC 4357 §10.3 / RFC 4491, written by CryptoPro and found in six
// accredited CA certificates under the national root) parse in a
// SubjectPublicKeyInfo, in a request and in a certificate; the subject
// key goes into our certificate byte for byte; OpenSSL accepts both; our
// encoder never writes the third element.
func TestEncryptionParamSet(t *testing.T) {
	priv := gostKey(t, "tc26-256-B") // = CryptoPro-XchA
	pub := priv.Public().(*gost3410.PublicKey)
	spki := spkiWithParams(t, pub, OIDParamSetCryptoProXchA, OIDDigestStreebog256, oidGost28147CryptoProA)

	info, err := ParsePublicKeyInfo(spki)
	if err != nil {
		t.Fatalf("three-element GOST parameters refused: %v", err)
	}
	if !info.ParamSet.Equal(OIDParamSetCryptoProXchA) || !info.DigestParamSet.Equal(OIDDigestStreebog256) ||
		!info.EncryptionParamSet.Equal(oidGost28147CryptoProA) || !bytes.Equal(info.Raw, spki) {
		t.Fatalf("parsed %v %v %v", info.ParamSet, info.DigestParamSet, info.EncryptionParamSet)
	}
	if !info.Key.(*gost3410.PublicKey).Equal(pub) {
		t.Fatal("key differs")
	}
	// Never emitted: our encoding of the same key under the same OID has
	// two elements.
	ours, err := MarshalGOSTPublicKeyInfo(pub, info.ParamSet)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := ParsePublicKeyInfo(ours); again.EncryptionParamSet != nil || bytes.Contains(ours, []byte{0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x1f, 0x01}) {
		t.Fatalf("our encoding carries encryptionParamSet: %x", ours)
	}

	// Bad third (or fourth) elements stay refused.
	for name, der := range map[string][]byte{
		"four OIDs":         spkiWithParams(t, pub, OIDParamSetCryptoProXchA, OIDDigestStreebog256, oidGost28147CryptoProA, oidGost28147CryptoProA),
		"third not an OID":  spkiWithParams(t, pub, OIDParamSetCryptoProXchA, OIDDigestStreebog256, []byte{0x05, 0x00}),
		"wrong digest size": spkiWithParams(t, pub, OIDParamSetCryptoProXchA, OIDDigestStreebog512, oidGost28147CryptoProA),
	} {
		if _, err := ParsePublicKeyInfo(der); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	// In a request: parsed, signature checked, and OpenSSL agrees.
	parts := csrDefaultParts(t, priv)
	parts.spki = spki
	csrDER := parts.build(t)
	req, err := ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	bin := openssltest.Gost(t)
	csrFile := openssltest.WriteFile(t, "r.csr", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER}))
	if out, err := bin.Try("req", "-engine", "gost", "-in", csrFile, "-verify", "-noout"); err != nil {
		t.Fatalf("openssl req -verify refuses the fixture: %v %s", err, out)
	}

	// Certified: the key is copied exactly as requested, and the
	// certificate parses and verifies (ours and OpenSSL).
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	serial, _ := NewSerialNumber(rand.Reader)
	leaf, err := CreateCertificate(rand.Reader, &CertificateTemplate{
		Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now, Subject: subscriberSubject(ProfileQualifiedPerson),
		PublicKey: req.PublicKey, SubjectSignTool: "КриптоПро CSP", Emails: []string{"ivanov@example.ru"},
	}, ica.iss, ica.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ParseCertificate(leaf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cert.PublicKey.Raw, spki) || !bytes.Contains(cert.RawTBS, spki) {
		t.Fatal("the certificate does not carry the requested key bytes")
	}
	dir := t.TempDir()
	out := bin.Run(t, "verify", "-engine", "gost", "-CAfile", writePEM(t, dir, "r.pem", root.cert.Raw),
		"-untrusted", writePEM(t, dir, "i.pem", ica.cert.Raw), writePEM(t, dir, "l.pem", leaf))
	if !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify: %s", out)
	}

	// A CA whose own key carries it (as the six accredited CAs do) is
	// parsed and signs certificates that verify under it.
	caInfo, err := ParsePublicKeyInfo(spki)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ = NewSerialNumber(rand.Reader)
	caDER, err := CreateCertificate(rand.Reader, &CertificateTemplate{
		Profile: ProfileIssuingCA, SerialNumber: serial, NotBefore: now, NotAfter: now.Add(5 * year),
		Subject: caSubject("УЦ с encryptionParamSet"), PublicKey: caInfo,
	}, root.iss, root.key)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := ParseCertificate(caDER)
	if err != nil {
		t.Fatalf("CA certificate with encryptionParamSet: %v", err)
	}
	sub := &testCA{key: priv, cert: caCert, iss: &Issuer{Cert: caCert, SignatureAlgorithm: GOST256, SignTool: caSignTool, Policies: []asn1OID{OIDPolicyKC1}}}
	leaf2, err := sub.issue(t, ProfileQualifiedPerson, gostKey(t, "tc26-256-A").Public(), now)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := ParseCertificate(leaf2)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.CheckSignatureFrom(caCert); err != nil {
		t.Fatal(err)
	}
	var pe *CSRError
	if _, err := ParseCertificateRequest(append(csrDER[:len(csrDER):len(csrDER)], 0)); !errors.As(err, &pe) {
		t.Fatalf("trailing byte: %v", err)
	}
}
