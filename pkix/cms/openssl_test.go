package cms

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/internal/openssltest/gostkey"
	"github.com/gostca/gostca/pkix"
)

// osslSigner is a key and self-signed certificate OpenSSL made.
type osslSigner struct {
	o                 *openssltest.OpenSSL
	certPath, keyPath string
	cert              *pkix.Certificate
	key               *gost3410.PrivateKey
}

func newOSSLSigner(t testing.TB, o *openssltest.OpenSSL, alg, paramset, name string) *osslSigner {
	t.Helper()
	dir := t.TempDir()
	s := &osslSigner{o: o, certPath: filepath.Join(dir, name+".pem"), keyPath: filepath.Join(dir, name+".key")}
	o.Run(t, "req", "-x509", "-newkey", alg, "-pkeyopt", "paramset:"+paramset, "-nodes",
		"-keyout", s.keyPath, "-out", s.certPath, "-days", "30",
		"-subj", "/CN="+name+"/SNILS=11223344595/INN=500100123426")
	pemCert, err := os.ReadFile(s.certPath)
	if err != nil {
		t.Fatal(err)
	}
	if s.cert, err = pkix.ParseCertificate(pemCert); err != nil {
		t.Fatalf("pkix cannot read OpenSSL's certificate: %v", err)
	}
	pemKey, err := os.ReadFile(s.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	s.key = gostkey.PEM(t, pemKey)
	if !s.key.PublicKey().Equal(s.cert.PublicKey.Key) {
		t.Fatal("key does not match the certificate")
	}
	return s
}

// sign runs `openssl cms -sign -binary -cades` over content with extra
// flags (-nodetach, -stream, -nocerts; detached without -nodetach) and returns the DER or
// BER output.
func (s *osslSigner) sign(t testing.TB, content []byte, flags ...string) []byte {
	t.Helper()
	in := openssltest.WriteFile(t, "content.bin", content)
	args := append([]string{"cms", "-sign", "-binary", "-cades", "-in", in, "-signer", s.certPath, "-inkey", s.keyPath, "-outform", "DER"}, flags...)
	return s.o.Run(t, args...)
}

var osslKeys = []struct{ alg, paramset string }{
	{"gost2012_256", "A"},   // CryptoPro-A (tc26-256-B)
	{"gost2012_256", "TCA"}, // tc26-256-A, twisted Edwards
	{"gost2012_512", "A"},
	{"gost2012_512", "C"},
}

func TestOpenSSLCAdES(t *testing.T) {
	o := openssltest.Gost(t)
	content := []byte("%PDF-1.4 renewal application\n\x00\xff binary")
	for _, k := range osslKeys {
		s := newOSSLSigner(t, o, k.alg, k.paramset, "Signer "+k.alg+" "+k.paramset)
		for _, mode := range []struct {
			name     string
			flags    []string // OpenSSL 3 signs detached unless -nodetach
			detached bool
			ber      bool
		}{
			{"attached DER", []string{"-nodetach"}, false, false},
			{"detached DER", nil, true, false},
			{"attached BER", []string{"-nodetach", "-stream"}, false, true},
			// OpenSSL streams attached content only; the detached BER
			// form is OpenSSL's DER re-encoded (berOf).
			{"detached BER", nil, true, true},
			{"attached BER indef", []string{"-nodetach", "-indef"}, false, true},
		} {
			name := k.alg + "/" + k.paramset + " " + mode.name
			before := time.Now().Add(-2 * time.Second)
			data := s.sign(t, content, mode.flags...)
			if mode.ber && mode.flags == nil {
				data = berOf(t, data, 16)
			}
			if indefinite := len(data) > 2 && data[1] == 0x80; indefinite != mode.ber {
				t.Fatalf("%s: indefinite length %v, want %v", name, indefinite, mode.ber)
			}
			detached := mode.detached
			opts := VerifyOptions{}
			if detached {
				opts.Content = content
			}
			sig, err := Verify(data, opts)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !bytes.Equal(sig.Signer.Raw, s.cert.Raw) || !bytes.Equal(sig.Content, content) || sig.Detached != detached {
				t.Errorf("%s: wrong signer, content or detached flag", name)
			}
			if sig.SigningTime.Before(before.Truncate(time.Second)) || sig.SigningTime.After(time.Now().Add(time.Second)) {
				t.Errorf("%s: signing time %v, not now", name, sig.SigningTime)
			}
			// Wrong content: the digest does not match.
			wrong := append([]byte(nil), content...)
			wrong[0] ^= 1
			if detached {
				_, err = Verify(data, VerifyOptions{Content: wrong})
				if !errors.Is(err, ErrDigestMismatch) {
					t.Errorf("%s: wrong content: %v", name, err)
				}
				if _, err := Verify(data, VerifyOptions{}); !errors.Is(err, ErrNoContent) {
					t.Errorf("%s: no content: %v", name, err)
				}
			} else if _, err = Verify(data, VerifyOptions{Content: wrong}); !errors.Is(err, ErrContentMismatch) {
				t.Errorf("%s: other content given: %v", name, err)
			}
			// Tampered signing time: a digit of the UTCTime flipped, the
			// encoding (and so every length) unchanged.
			if _, err := Verify(tamperSigningTime(t, data), opts); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: tampered signing time: %v", name, err)
			}
			// Truncated input, at several points.
			for _, n := range []int{1, 2, len(data) / 3, len(data) / 2, len(data) - 2, len(data) - 1} {
				if _, err := Verify(data[:n], opts); !errors.Is(err, ErrMalformed) {
					t.Errorf("%s: truncated to %d of %d bytes: %v", name, n, len(data), err)
				}
			}
		}
	}
}

// tamperSigningTime flips the last seconds digit of the signing-time
// UTCTime inside the signed attributes.
func tamperSigningTime(t testing.TB, data []byte) []byte {
	t.Helper()
	oid := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05} // signingTime
	i := bytes.Index(data, oid)
	if i < 0 {
		t.Fatal("no signing-time attribute")
	}
	// OID, SET (31 0f), UTCTime (17 0d) and its 13 characters.
	p := i + len(oid)
	if data[p] != 0x31 || data[p+2] != 0x17 || data[p+3] != 13 {
		t.Fatalf("signing-time not a UTCTime: % x", data[p:p+4])
	}
	out := append([]byte(nil), data...)
	out[p+4+11] ^= 1 // "…SSZ": the second digit of the seconds
	return out
}

// With -nocerts the signer certificate must come from the caller; the
// wrong one is refused.
func TestOpenSSLNoCerts(t *testing.T) {
	o := openssltest.Gost(t)
	s := newOSSLSigner(t, o, "gost2012_256", "A", "Holder")
	other := newOSSLSigner(t, o, "gost2012_256", "A", "Holder")
	data := s.sign(t, []byte("doc"), "-nocerts")
	if _, err := Verify(data, VerifyOptions{Content: []byte("doc")}); !errors.Is(err, ErrNoSignerCertificate) {
		t.Fatalf("no certificate: %v", err)
	}
	if _, err := Verify(data, VerifyOptions{Content: []byte("doc"), Certificates: []*pkix.Certificate{other.cert}}); !errors.Is(err, ErrNoSignerCertificate) {
		t.Fatalf("another certificate of the same name: %v", err)
	}
	sig, err := Verify(data, VerifyOptions{Content: []byte("doc"), Certificates: []*pkix.Certificate{other.cert, s.cert}})
	if err != nil || !bytes.Equal(sig.Signer.Raw, s.cert.Raw) {
		t.Fatalf("right certificate given: %v", err)
	}
}

// The builder of the tests signs what OpenSSL signs: OpenSSL verifies a
// CMS the builder made with OpenSSL's own key, and our verifier takes
// both.
func TestOpenSSLAcceptsBuilt(t *testing.T) {
	o := openssltest.Gost(t)
	for _, k := range osslKeys[:3] {
		ossl := newOSSLSigner(t, o, k.alg, k.paramset, "Builder "+k.paramset)
		s := &testSigner{key: ossl.key, cert: ossl.cert}
		data := s.build(t, buildOpts{content: []byte("built"), detached: true})
		in := openssltest.WriteFile(t, "built.p7s", data)
		content := openssltest.WriteFile(t, "content.bin", []byte("built"))
		o.Run(t, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-content", content, "-CAfile", ossl.certPath, "-out", os.DevNull)
		if _, err := Verify(data, VerifyOptions{Content: []byte("built")}); err != nil {
			t.Fatal(err)
		}
		// A signingCertificateV2 naming another certificate, validly
		// signed: refused. (OpenSSL 3.0's cms -verify does not look at
		// it, so it cannot be the oracle here.)
		other := newOSSLSigner(t, o, k.alg, k.paramset, "Other "+k.paramset)
		_, digestOID, _ := s.algs()
		forged := s.build(t, buildOpts{content: []byte("built"), detached: true,
			attrs: replaceAttr(attrSigningCertV2, signingCertValue(t, other.cert, digestOID))})
		if _, err := Verify(forged, VerifyOptions{Content: []byte("built")}); !errors.Is(err, ErrCertificateHash) {
			t.Fatalf("forged signingCertificateV2: %v", err)
		}
	}
}
