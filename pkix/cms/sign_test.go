package cms

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/pkix"
)

func softSigner(t testing.TB, k *gost3410.PrivateKey) hsm.Key {
	t.Helper()
	sk, err := hsm.NewSoftKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

// TestSignVerifies: Sign builds what our verifier accepts as CAdES-BES,
// detached (from the content or its digest) and attached, for 256- and
// 512-bit keys: the signer is the certificate, the signing time the one
// given, the content type id-data; the attributes are DER-sorted (the
// verifier's sorted retry is not needed). Other content, a signing time
// flipped inside the signed attributes, and a certificate whose key is
// not the signer's all fail.
func TestSignVerifies(t *testing.T) {
	ctx := context.Background()
	content := []byte("Договор № 17\x00\xff")
	at := time.Date(2026, 12, 3, 15, 4, 5, 0, time.UTC)
	for _, curve := range []string{"tc26-256-A", "tc26-512-A"} {
		s := newTestSigner(t, curve, "Cloud "+curve)
		key := softSigner(t, s.key)
		alg, _ := pkix.SignatureAlgorithmFor(s.key.Public())
		for _, mode := range []struct {
			name string
			o    SignOptions
		}{
			{"detached", SignOptions{Content: content}},
			{"detached digest", SignOptions{Digest: alg.Digest(content)}},
			{"attached", SignOptions{Content: content, Attached: true}},
		} {
			name := curve + " " + mode.name
			o := mode.o
			o.Certificate, o.SigningTime = s.cert, at
			data, err := Sign(ctx, key, o)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			sd, err := Parse(data)
			if err != nil {
				t.Fatalf("%s: parse: %v", name, err)
			}
			if sd.Detached == o.Attached || len(sd.Signers) != 1 || sd.Signers[0].Version != 1 || sd.Signers[0].Issuer == nil {
				t.Fatalf("%s: detached %v, %d signers", name, sd.Detached, len(sd.Signers))
			}
			if _, changed := sortedSet(append([]byte{0x31}, sd.Signers[0].RawSignedAttrs[1:]...)); changed {
				t.Errorf("%s: signed attributes not in DER order", name)
			}
			vo := VerifyOptions{}
			if !o.Attached {
				vo.Content = content
			}
			sig, err := Verify(data, vo)
			if err != nil {
				t.Fatalf("%s: verify: %v", name, err)
			}
			if !bytes.Equal(sig.Signer.Raw, s.cert.Raw) || !sig.SigningTime.Equal(at) || !sig.ContentType.Equal(OIDData) || !bytes.Equal(sig.Content, content) {
				t.Errorf("%s: signer, time %v or content wrong", name, sig.SigningTime)
			}
			other := append([]byte("X"), content...)
			if o.Attached {
				_, err = Verify(data, VerifyOptions{Content: other})
				if !errors.Is(err, ErrContentMismatch) {
					t.Errorf("%s: other content given: %v", name, err)
				}
			} else if _, err = Verify(data, VerifyOptions{Content: other}); !errors.Is(err, ErrDigestMismatch) {
				t.Errorf("%s: other content: %v", name, err)
			}
			if _, err := Verify(tamperSigningTime(t, data), vo); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: tampered signing time: %v", name, err)
			}
		}
		wrong := newTestSigner(t, curve, "Someone else")
		if _, err := Sign(ctx, key, SignOptions{Certificate: wrong.cert, Content: content, SigningTime: at}); err == nil {
			t.Errorf("%s: signed under a certificate of another key", curve)
		}
	}
}

// TestSignRefusesBadInput: no certificate, no time, both content and
// digest, a digest of the wrong size, attached without content.
func TestSignRefusesBadInput(t *testing.T) {
	s := newTestSigner(t, "tc26-256-A", "Bad input")
	key := softSigner(t, s.key)
	now := time.Now()
	for name, o := range map[string]SignOptions{
		"no certificate":          {Content: []byte("x"), SigningTime: now},
		"no time":                 {Certificate: s.cert, Content: []byte("x")},
		"content and digest":      {Certificate: s.cert, Content: []byte("x"), Digest: make([]byte, 32), SigningTime: now},
		"short digest":            {Certificate: s.cert, Digest: make([]byte, 31), SigningTime: now},
		"attached, no content":    {Certificate: s.cert, Digest: make([]byte, 32), Attached: true, SigningTime: now},
		"512-bit digest, 256 key": {Certificate: s.cert, Digest: make([]byte, 64), SigningTime: now},
	} {
		if _, err := Sign(context.Background(), key, o); !errors.Is(err, ErrSignInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestOpenSSLVerifiesSign: OpenSSL with the gost engine verifies what
// Sign builds (`openssl cms -verify -binary -inform DER -content …
// -CAfile …`), detached and attached, with 256- and 512-bit keys, and
// refuses it over tampered content.
func TestOpenSSLVerifiesSign(t *testing.T) {
	o := openssltest.Gost(t)
	ctx := context.Background()
	content := []byte("%PDF-1.4 cloud-signed\n\x00\xff")
	for _, k := range []struct{ alg, paramset string }{{"gost2012_256", "A"}, {"gost2012_256", "TCA"}, {"gost2012_512", "A"}} {
		s := newOSSLSigner(t, o, k.alg, k.paramset, "Cloud "+k.alg+" "+k.paramset)
		key := softSigner(t, s.key)
		for _, attached := range []bool{false, true} {
			name := k.alg + "/" + k.paramset
			data, err := Sign(ctx, key, SignOptions{Certificate: s.cert, Content: content, Attached: attached, SigningTime: time.Now()})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			in := openssltest.WriteFile(t, "cloud.p7s", data)
			good := openssltest.WriteFile(t, "data", content)
			bad := openssltest.WriteFile(t, "data", append([]byte{content[0] ^ 1}, content[1:]...))
			if attached {
				out := o.Run(t, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-CAfile", s.certPath)
				if !bytes.Equal(out, content) {
					t.Fatalf("%s attached: OpenSSL gives out %q", name, out)
				}
				// Tampered attached content: a byte of the eContent flipped.
				i := bytes.Index(data, content)
				tampered := bytes.Clone(data)
				tampered[i] ^= 1
				if out, err := o.Try("cms", "-verify", "-binary", "-inform", "DER", "-in", openssltest.WriteFile(t, "t.p7s", tampered), "-CAfile", s.certPath, "-out", os.DevNull); err == nil {
					t.Fatalf("%s: OpenSSL verified tampered attached content: %s", name, out)
				}
				if _, err := Verify(tampered, VerifyOptions{}); !errors.Is(err, ErrDigestMismatch) {
					t.Fatalf("%s: our verifier on tampered attached content: %v", name, err)
				}
				continue
			}
			o.Run(t, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", good, "-CAfile", s.certPath, "-out", os.DevNull)
			if out, err := o.Try("cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", bad, "-CAfile", s.certPath, "-out", os.DevNull); err == nil {
				t.Fatalf("%s: OpenSSL verified tampered content: %s", name, out)
			}
		}
	}
}
