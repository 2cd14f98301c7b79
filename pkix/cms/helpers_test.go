package cms

import (
	"crypto/rand"
	"encoding/asn1"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/pkix"
)

// A CAdES-BES builder for the tests: it makes the signatures OpenSSL
// cannot be asked to make wrong (a signed messageDigest of other content,
// a signingCertificateV2 naming another certificate, two signers…). The
// OpenSSL tests check that it builds what OpenSSL builds.

type testSigner struct {
	key  *gost3410.PrivateKey
	cert *pkix.Certificate
}

// newTestSigner makes a root on curve and a certificate it issues.
func newTestSigner(t testing.TB, curve, cn string) *testSigner {
	t.Helper()
	c, ok := gost3410.CurveByName(curve)
	if !ok {
		t.Fatalf("no curve %s", curve)
	}
	rootKey, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	alg, _ := pkix.SignatureAlgorithmFor(key.Public())
	now := time.Now().Add(-time.Hour).Truncate(time.Second)
	mk := func(p *pkix.Profile, sub *pkix.Subject, k *gost3410.PrivateKey, iss *pkix.Issuer, signer *gost3410.PrivateKey, life time.Duration) *pkix.Certificate {
		spkiDER, err := pkix.MarshalPublicKeyInfo(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		spki, err := pkix.ParsePublicKeyInfo(spkiDER)
		if err != nil {
			t.Fatal(err)
		}
		serial, _ := pkix.NewSerialNumber(rand.Reader)
		der, err := pkix.CreateCertificate(rand.Reader, &pkix.CertificateTemplate{Profile: p, SerialNumber: serial,
			NotBefore: now, NotAfter: now.Add(life), Subject: sub, PublicKey: spki}, iss, signer)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := pkix.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return cert
	}
	root := mk(pkix.ProfileRootCA, &pkix.Subject{CommonName: "CMS test root", Organization: "GostCA test", Country: "RU"},
		rootKey, &pkix.Issuer{SignatureAlgorithm: alg}, rootKey, 365*24*time.Hour)
	cert := mk(pkix.ProfileTLSClient, &pkix.Subject{CommonName: cn, Country: "RU"},
		key, &pkix.Issuer{Cert: root, SignatureAlgorithm: alg}, rootKey, 300*24*time.Hour)
	return &testSigner{key: key, cert: cert}
}

type tattr struct {
	oid  asn1.ObjectIdentifier
	vals [][]byte
}

// buildOpts shape one CMS; the zero value is an attached CAdES-BES
// signature over "content" by the signer, with its certificate.
type buildOpts struct {
	content     []byte
	detached    bool
	contentType asn1.ObjectIdentifier
	signingTime time.Time
	noCerts     bool
	useSKI      bool
	signers     int // SignerInfos (copies of the one); 0 means 1
	digestOID   asn1.ObjectIdentifier
	sigOID      asn1.ObjectIdentifier
	sigParams   []byte // DER parameters of signatureAlgorithm
	// attrs edits the signed attributes before they are signed.
	attrs func([]tattr) []tattr
	// corrupt edits the signature after signing.
	corrupt func([]byte)
}

func der(t testing.TB, f func(*cryptobyte.Builder)) []byte {
	t.Helper()
	b := cryptobyte.NewBuilder(nil)
	f(b)
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func oidValue(t testing.TB, oid asn1.ObjectIdentifier) []byte {
	return der(t, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
}

func octets(t testing.TB, v []byte) []byte {
	return der(t, func(b *cryptobyte.Builder) { b.AddASN1OctetString(v) })
}

func utcTime(t testing.TB, tm time.Time) []byte {
	return der(t, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.UTCTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(tm.UTC().Format("060102150405Z"))) })
	})
}

// signingCertValue is a SigningCertificateV2 naming cert, hashed with h.
func signingCertValue(t testing.TB, cert *pkix.Certificate, h asn1.ObjectIdentifier) []byte {
	return der(t, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					if !h.Equal(OIDSHA256) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(h) })
					}
					b.AddASN1OctetString(certHash(h, cert.Raw))
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(tagDirectoryName, func(b *cryptobyte.Builder) { b.AddBytes(cert.RawIssuer) })
						})
						b.AddASN1BigInt(cert.SerialNumber)
					})
				})
			})
		})
	})
}

func (s *testSigner) algs() (pkix.SignatureAlgorithm, asn1.ObjectIdentifier, asn1.ObjectIdentifier) {
	if s.key.Curve().Size == 64 {
		return pkix.GOST512, pkix.OIDDigestStreebog512, pkix.OIDPublicKeyGost2012_512
	}
	return pkix.GOST256, pkix.OIDDigestStreebog256, pkix.OIDPublicKeyGost2012_256
}

func (s *testSigner) defaultAttrs(t testing.TB, o *buildOpts) []tattr {
	alg, digestOID, _ := s.algs()
	return []tattr{
		{OIDAttrContentType, [][]byte{oidValue(t, o.contentType)}},
		{OIDAttrSigningTime, [][]byte{utcTime(t, o.signingTime)}},
		{OIDAttrMessageDigest, [][]byte{octets(t, alg.Digest(o.content))}},
		{OIDAttrSigningCertificateV2, [][]byte{signingCertValue(t, s.cert, digestOID)}},
	}
}

// build makes the CMS (DER).
func (s *testSigner) build(t testing.TB, o buildOpts) []byte {
	t.Helper()
	if o.content == nil {
		o.content = []byte("content")
	}
	if o.contentType == nil {
		o.contentType = OIDData
	}
	if o.signingTime.IsZero() {
		o.signingTime = time.Now().Truncate(time.Second)
	}
	alg, digestOID, sigOID := s.algs()
	if o.digestOID != nil {
		digestOID = o.digestOID
	}
	if o.sigOID != nil {
		sigOID = o.sigOID
	}
	attrs := s.defaultAttrs(t, &o)
	if o.attrs != nil {
		attrs = o.attrs(attrs)
	}
	set := der(t, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, a := range attrs {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(a.oid)
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						for _, v := range a.vals {
							b.AddBytes(v)
						}
					})
				})
			}
		})
	})
	if sorted, changed := sortedSet(set); changed {
		set = sorted
	}
	sig, err := pkix.Sign(rand.Reader, s.key, alg, set)
	if err != nil {
		t.Fatal(err)
	}
	if o.corrupt != nil {
		o.corrupt(sig)
	}
	signedAttrs := append([]byte{0xa0}, set[1:]...)
	signerInfo := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if o.useSKI {
				b.AddASN1Int64(3)
				b.AddASN1(tagImplicit0Prim, func(b *cryptobyte.Builder) { b.AddBytes(s.cert.SubjectKeyID) })
			} else {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddBytes(s.cert.RawIssuer)
					b.AddASN1BigInt(s.cert.SerialNumber)
				})
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(digestOID) })
			b.AddBytes(signedAttrs)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(sigOID)
				b.AddBytes(o.sigParams)
			})
			b.AddASN1OctetString(sig)
		})
	}
	return der(t, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(OIDSignedData)
			b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1Int64(1)
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(digestOID) })
					})
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(o.contentType)
						if !o.detached {
							b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) { b.AddASN1OctetString(o.content) })
						}
					})
					if !o.noCerts {
						b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) { b.AddBytes(s.cert.Raw) })
					}
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						n := max(o.signers, 1)
						for range n {
							signerInfo(b)
						}
					})
				})
			})
		})
	})
}

// berOf re-encodes a DER element as BER the way streaming encoders do:
// every constructed element with an indefinite length, and every OCTET
// STRING longer than chunk cut into a constructed one of chunk-sized
// pieces.
func berOf(t testing.TB, der []byte, chunk int) []byte {
	t.Helper()
	s := cryptobyte.String(der)
	var out []byte
	for !s.Empty() {
		var elem, body cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1Element(&elem, &tag) || !elem.ReadAnyASN1(&body, &tag) {
			t.Fatal("berOf: not DER")
		}
		switch {
		case tag&0x20 != 0:
			out = append(out, byte(tag), 0x80)
			out = append(out, berOf(t, body, chunk)...)
			out = append(out, 0, 0)
		case tag == cbasn1.OCTET_STRING && len(body) > chunk:
			out = append(out, 0x24, 0x80)
			for len(body) > 0 {
				n := min(chunk, len(body))
				out = append(out, 0x04)
				out = appendLength(out, n)
				out = append(out, body[:n]...)
				body = body[n:]
			}
			out = append(out, 0, 0)
		default:
			b := cryptobyte.NewBuilder(nil)
			b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(body) })
			enc, err := b.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, enc...)
		}
	}
	return out
}
