package cms

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/pkix"
)

var testCurves = []string{"tc26-256-A", "tc26-256-B", "tc26-512-A"}

func TestVerifyBuilt(t *testing.T) {
	for _, curve := range testCurves {
		s := newTestSigner(t, curve, "Signer "+curve)
		at := time.Date(2026, 11, 30, 10, 20, 30, 0, time.UTC)
		for _, detached := range []bool{false, true} {
			data := s.build(t, buildOpts{content: []byte("application"), detached: detached, signingTime: at})
			opts := VerifyOptions{}
			if detached {
				opts.Content = []byte("application")
			}
			sig, err := Verify(data, opts)
			if err != nil {
				t.Fatalf("%s detached=%v: %v", curve, detached, err)
			}
			if !bytes.Equal(sig.Signer.Raw, s.cert.Raw) || !sig.SigningTime.Equal(at) ||
				string(sig.Content) != "application" || sig.Detached != detached || !sig.ContentType.Equal(OIDData) {
				t.Errorf("%s detached=%v: got signer %s, time %v, content %q, detached %v", curve, detached, sig.Signer.Subject, sig.SigningTime, sig.Content, sig.Detached)
			}
			if want, _ := pkix.SignatureAlgorithmFor(s.key.Public()); sig.Algorithm != want {
				t.Errorf("%s: algorithm %s", curve, sig.Algorithm)
			}
		}
		// By subject key identifier, and with the certificate given
		// instead of carried.
		if _, err := Verify(s.build(t, buildOpts{useSKI: true}), VerifyOptions{}); err != nil {
			t.Errorf("%s by SKI: %v", curve, err)
		}
		if _, err := Verify(s.build(t, buildOpts{noCerts: true}), VerifyOptions{Certificates: []*pkix.Certificate{s.cert}}); err != nil {
			t.Errorf("%s certificate given: %v", curve, err)
		}
		// The signature OID of RFC 9215 instead of the key OID.
		sigOID := pkix.OIDSignatureGost2012_256
		if s.key.Curve().Size == 64 {
			sigOID = pkix.OIDSignatureGost2012_512
		}
		if _, err := Verify(s.build(t, buildOpts{sigOID: sigOID}), VerifyOptions{}); err != nil {
			t.Errorf("%s signWithDigest OID: %v", curve, err)
		}
		// The key OID with the key's parameters, as CryptoPro writes it.
		if _, err := Verify(s.build(t, buildOpts{sigParams: keyParams(t, s.key.Curve().OID())}), VerifyOptions{}); err != nil {
			t.Errorf("%s key OID with parameters: %v", curve, err)
		}
	}
}

func withoutAttr(oidName string) func([]tattr) []tattr {
	return func(as []tattr) []tattr {
		var out []tattr
		for _, a := range as {
			if attrName(a.oid) != oidName {
				out = append(out, a)
			}
		}
		return out
	}
}

func replaceAttr(oidName string, vals ...[]byte) func([]tattr) []tattr {
	return func(as []tattr) []tattr {
		for i := range as {
			if attrName(as[i].oid) == oidName {
				as[i].vals = vals
			}
		}
		return as
	}
}

func TestVerifyRefusals(t *testing.T) {
	s := newTestSigner(t, "tc26-256-A", "Signer")
	other := newTestSigner(t, "tc26-256-A", "Someone else")
	s512 := newTestSigner(t, "tc26-512-A", "Signer 512")
	content := []byte("content")
	cases := []struct {
		name  string
		data  []byte
		opts  VerifyOptions
		want  error
		attr  string // for ErrAttribute: which one
		inMsg string
	}{
		{name: "wrong detached content", data: s.build(t, buildOpts{detached: true}),
			opts: VerifyOptions{Content: []byte("contenT")}, want: ErrDigestMismatch},
		{name: "detached without content", data: s.build(t, buildOpts{detached: true}), want: ErrNoContent},
		{name: "attached differs from given", data: s.build(t, buildOpts{}),
			opts: VerifyOptions{Content: []byte("other")}, want: ErrContentMismatch},
		{name: "signed digest of other content", data: s.build(t, buildOpts{attrs: replaceAttr(attrMessageDigest, octets(t, pkix.GOST256.Digest([]byte("other"))))}),
			want: ErrDigestMismatch},
		{name: "message digest of the wrong size", data: s.build(t, buildOpts{attrs: replaceAttr(attrMessageDigest, octets(t, pkix.GOST512.Digest(content)))}),
			want: ErrAttribute, attr: attrMessageDigest},
		{name: "signingCertificateV2 names another certificate", data: s.build(t, buildOpts{attrs: replaceAttr(attrSigningCertV2, signingCertValue(t, other.cert, pkix.OIDDigestStreebog256))}),
			want: ErrCertificateHash},
		{name: "signingCertificateV2 with SHA-256 of another", data: s.build(t, buildOpts{attrs: replaceAttr(attrSigningCertV2, signingCertValue(t, other.cert, OIDSHA256))}),
			want: ErrCertificateHash},
		{name: "no signingCertificateV2", data: s.build(t, buildOpts{attrs: withoutAttr(attrSigningCertV2)}), want: ErrAttribute, attr: attrSigningCertV2},
		{name: "no signing-time", data: s.build(t, buildOpts{attrs: withoutAttr(attrSigningTime)}), want: ErrAttribute, attr: attrSigningTime},
		{name: "no content-type", data: s.build(t, buildOpts{attrs: withoutAttr(attrContentType)}), want: ErrAttribute, attr: attrContentType},
		{name: "no message-digest", data: s.build(t, buildOpts{attrs: withoutAttr(attrMessageDigest)}), want: ErrAttribute, attr: attrMessageDigest},
		{name: "no signed attributes", data: s.build(t, buildOpts{attrs: func([]tattr) []tattr { return nil }}), want: ErrMalformed},
		{name: "content-type not the content's", data: s.build(t, buildOpts{attrs: replaceAttr(attrContentType, oidValue(t, OIDSignedData))}),
			want: ErrAttribute, attr: attrContentType},
		{name: "two signing times", data: s.build(t, buildOpts{attrs: replaceAttr(attrSigningTime, utcTime(t, time.Now()), utcTime(t, time.Now().Add(time.Hour)))}),
			want: ErrAttribute, attr: attrSigningTime},
		{name: "signing-time not a time", data: s.build(t, buildOpts{attrs: replaceAttr(attrSigningTime, octets(t, []byte("yesterday")))}),
			want: ErrAttribute, attr: attrSigningTime},
		{name: "repeated attribute", data: s.build(t, buildOpts{attrs: func(as []tattr) []tattr { return append(as, as[0]) }}),
			want: ErrAttribute, attr: attrContentType},
		{name: "tampered signature", data: s.build(t, buildOpts{corrupt: func(sig []byte) { sig[5] ^= 1 }}), want: ErrBadSignature},
		{name: "two signers", data: s.build(t, buildOpts{signers: 2}), want: ErrSeveralSigners, inMsg: "2 signers"},
		{name: "certificate not carried nor given", data: s.build(t, buildOpts{noCerts: true}), want: ErrNoSignerCertificate},
		{name: "wrong certificate given", data: s.build(t, buildOpts{noCerts: true}),
			opts: VerifyOptions{Certificates: []*pkix.Certificate{other.cert}}, want: ErrNoSignerCertificate},
		{name: "SHA-256 digest", data: s.build(t, buildOpts{digestOID: OIDSHA256}), want: ErrUnsupportedAlgorithm},
		{name: "Streebog-512 with a 256-bit key", data: s.build(t, buildOpts{digestOID: pkix.OIDDigestStreebog512}), want: ErrUnsupportedAlgorithm},
		{name: "key parameters of another curve", data: s.build(t, buildOpts{sigParams: keyParams(t, pkix.OIDParamSetTC26_256C)}), want: ErrUnsupportedAlgorithm},
		{name: "signature OID with key parameters", data: s.build(t, buildOpts{sigOID: pkix.OIDSignatureGost2012_256, sigParams: keyParams(t, pkix.OIDParamSetTC26_256A)}), want: ErrUnsupportedAlgorithm},
		{name: "256-bit signature OID with a 512-bit key", data: s512.build(t, buildOpts{sigOID: pkix.OIDSignatureGost2012_256}), want: ErrUnsupportedAlgorithm},
	}
	for _, c := range cases {
		_, err := Verify(c.data, c.opts)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			continue
		}
		var ae *AttributeError
		if c.attr != "" && (!errors.As(err, &ae) || ae.Attribute != c.attr) {
			t.Errorf("%s: %v does not name attribute %s", c.name, err, c.attr)
		}
		if c.inMsg != "" && !bytes.Contains([]byte(err.Error()), []byte(c.inMsg)) {
			t.Errorf("%s: %q does not say %q", c.name, err, c.inMsg)
		}
	}
}

// A signature whose signed attributes are tampered with after signing
// (the signing time moved by a day, lengths unchanged) fails.
func TestVerifyTamperedAttribute(t *testing.T) {
	s := newTestSigner(t, "tc26-256-B", "Signer")
	at := time.Date(2026, 11, 30, 10, 20, 30, 0, time.UTC)
	data := s.build(t, buildOpts{signingTime: at})
	if _, err := Verify(data, VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(data, []byte("261130102030Z"), []byte("261129102030Z"), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("signing time not found")
	}
	if _, err := Verify(bad, VerifyOptions{}); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered signing time: %v", err)
	}
}

// Out-of-order signed attributes are tried in DER order too, but a
// signature over neither order fails.
func TestVerifyUnsortedAttributes(t *testing.T) {
	s := newTestSigner(t, "tc26-256-A", "Signer")
	data := s.build(t, buildOpts{})
	sd, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	si := &sd.Signers[0]
	raw := si.RawSignedAttrs
	// Swap the first two attributes in place.
	body := raw[2:]
	if raw[1]&0x80 != 0 {
		body = raw[2+int(raw[1]&0x7f):]
	}
	first := 2 + int(body[1])
	if body[1]&0x80 != 0 {
		t.Skip("long first attribute")
	}
	second := 2 + int(body[first+1])
	swapped := append(append(append([]byte(nil), body[first:first+second]...), body[:first]...), body[first+second:]...)
	copy(body, swapped) // raw aliases data: DER input is not copied
	if sd, err = Parse(data); err != nil {
		t.Fatal(err)
	}
	if !sd.Signers[0].SignedAttrs[0].Type.Equal(OIDAttrSigningTime) {
		t.Fatalf("first attribute now %v", sd.Signers[0].SignedAttrs[0].Type)
	}
	si = &sd.Signers[0]
	if _, err := sd.Verify(VerifyOptions{}); err != nil {
		t.Fatalf("unsorted but signed sorted: %v", err)
	}
	si.Signature[0] ^= 0x80
	if _, err := sd.Verify(VerifyOptions{}); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("bad signature, unsorted attributes: %v", err)
	}
}

// keyParams is SEQUENCE { paramSet } as a signatureAlgorithm parameter.
func keyParams(t testing.TB, set asn1.ObjectIdentifier) []byte {
	return der(t, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(set) })
	})
}
