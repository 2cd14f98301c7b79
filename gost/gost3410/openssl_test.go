package gost3410

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/internal/openssltest"
)

// These tests use OpenSSL 3 with the gost engine (Debian's
// libengine-gost-openssl) as an independent implementation. Signing and
// verification go through `openssl dgst -engine gost -md_gost12_256|512
// -sign/-verify`, which hashes the file with Streebog and signs the digest
// exactly as certificates are signed.

// opensslParamSet is one `-pkeyopt paramset:` choice and the set it is.
type opensslParamSet struct {
	algorithm, paramset, curve string
}

var opensslParamSets = []opensslParamSet{
	{"gost2012_256", "TCA", "tc26-256-A"},
	{"gost2012_256", "TCB", "tc26-256-B"},
	{"gost2012_256", "A", "tc26-256-B"}, // CryptoPro-A
	{"gost2012_256", "XA", "tc26-256-B"},
	{"gost2012_256", "TCC", "tc26-256-C"},
	{"gost2012_256", "B", "tc26-256-C"}, // CryptoPro-B
	{"gost2012_256", "TCD", "tc26-256-D"},
	{"gost2012_256", "C", "tc26-256-D"}, // CryptoPro-C
	{"gost2012_256", "XB", "tc26-256-D"},
	{"gost2012_512", "A", "tc26-512-A"},
	{"gost2012_512", "B", "tc26-512-B"},
	{"gost2012_512", "C", "tc26-512-C"},
}

var (
	oidKey256    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	oidKey512    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidDigest256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue
}

type keyParams struct {
	ParamSet  asn1.ObjectIdentifier
	DigestSet asn1.ObjectIdentifier `asn1:"optional"`
}

type pkcs8 struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
}

type spki struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

func parseParams(t *testing.T, alg algorithmIdentifier) *Curve {
	t.Helper()
	var kp keyParams
	if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &kp); err != nil {
		t.Fatalf("key parameters: %v", err)
	}
	c, ok := CurveByOID(kp.ParamSet)
	if !ok {
		t.Fatalf("unknown parameter set %v", kp.ParamSet)
	}
	return c
}

// parseOpenSSLPrivateKey reads the PKCS#8 DER the gost engine writes: the
// private key is an OCTET STRING holding LE(d), or (older engines) an
// INTEGER or OCTET STRING inside it.
func parseOpenSSLPrivateKey(t *testing.T, der []byte) *PrivateKey {
	t.Helper()
	var p pkcs8
	if _, err := asn1.Unmarshal(der, &p); err != nil {
		t.Fatalf("pkcs8: %v", err)
	}
	c := parseParams(t, p.Algorithm)
	raw := p.PrivateKey
	var inner asn1.RawValue
	if rest, err := asn1.Unmarshal(raw, &inner); err == nil && len(rest) == 0 && len(raw) != c.Size {
		raw = inner.Bytes
		if inner.Tag == asn1.TagInteger { // big-endian INTEGER: convert
			raw = append([]byte(nil), raw...)
			for len(raw) > c.Size && raw[0] == 0 {
				raw = raw[1:]
			}
			raw = append(make([]byte, c.Size-len(raw)), raw...)
			for i, j := 0, len(raw)-1; i < j; i, j = i+1, j-1 {
				raw[i], raw[j] = raw[j], raw[i]
			}
		}
	}
	k, err := NewPrivateKey(c, raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func parseOpenSSLPublicKey(t *testing.T, der []byte) *PublicKey {
	t.Helper()
	var s spki
	if _, err := asn1.Unmarshal(der, &s); err != nil {
		t.Fatalf("spki: %v", err)
	}
	c := parseParams(t, s.Algorithm)
	var raw []byte
	if _, err := asn1.Unmarshal(s.PublicKey.Bytes, &raw); err != nil {
		t.Fatalf("public key octet string: %v", err)
	}
	p, err := NewPublicKey(c, raw)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// marshalSPKI encodes p as a SubjectPublicKeyInfo with the parameter set OID
// oid; digestParamSet is included for the CryptoPro OIDs, which require it.
func marshalSPKI(t *testing.T, p *PublicKey, oid asn1.ObjectIdentifier) []byte {
	t.Helper()
	kp := keyParams{ParamSet: oid}
	if oid[4] == 2 { // 1.2.643.2.2.x: CryptoPro
		kp.DigestSet = oidDigest256
	}
	params, err := asn1.Marshal(kp)
	if err != nil {
		t.Fatal(err)
	}
	keyOID := oidKey256
	if p.Curve.Size == 64 {
		keyOID = oidKey512
	}
	octets, err := asn1.Marshal(p.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(spki{
		Algorithm: algorithmIdentifier{Algorithm: keyOID, Parameters: asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: octets, BitLength: 8 * len(octets)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func mdFlag(c *Curve) string {
	if c.Size == 64 {
		return "-md_gost12_512"
	}
	return "-md_gost12_256"
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i%len(out)] ^= 0x01
	return out
}

func TestOpenSSLInterop(t *testing.T) {
	bin := openssltest.Gost(t)
	for _, ps := range opensslParamSets {
		t.Run(ps.algorithm+"-"+ps.paramset, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			keyPEM := filepath.Join(dir, "key.pem")
			bin.Run(t, "genpkey", "-engine", "gost", "-algorithm", ps.algorithm,
				"-pkeyopt", "paramset:"+ps.paramset, "-out", keyPEM)
			keyDER := filepath.Join(dir, "key.der")
			bin.Run(t, "pkey", "-engine", "gost", "-in", keyPEM, "-outform", "DER", "-out", keyDER)
			pubDER := filepath.Join(dir, "pub.der")
			bin.Run(t, "pkey", "-engine", "gost", "-in", keyPEM, "-pubout", "-outform", "DER", "-out", pubDER)
			pubPEM := filepath.Join(dir, "pub.pem")
			bin.Run(t, "pkey", "-engine", "gost", "-in", keyPEM, "-pubout", "-out", pubPEM)

			der, _ := os.ReadFile(keyDER)
			key := parseOpenSSLPrivateKey(t, der)
			c := key.Curve()
			if c.Name != ps.curve {
				t.Fatalf("paramset %s parsed as %s, want %s", ps.paramset, c.Name, ps.curve)
			}
			if c.impl == curveImpl(c.generic) {
				t.Fatalf("%s runs on the generic code: this test must exercise its specialised field", c.Name)
			}
			der, _ = os.ReadFile(pubDER)
			pub := parseOpenSSLPublicKey(t, der)
			if !pub.Equal(key.PublicKey()) {
				t.Fatal("public key derived from OpenSSL's private key differs from OpenSSL's")
			}

			msg := make([]byte, 1000)
			rand.Read(msg)
			msgFile := writeFile(t, filepath.Join(dir, "msg"), msg)
			digest := bin.Run(t, "dgst", "-engine", "gost", mdFlag(c), "-binary", msgFile)
			if len(digest) != c.Size {
				t.Fatalf("openssl digest is %d bytes, want %d", len(digest), c.Size)
			}

			// OpenSSL signs, we verify.
			sigFile := filepath.Join(dir, "openssl.sig")
			bin.Run(t, "dgst", "-engine", "gost", mdFlag(c), "-sign", keyPEM, "-out", sigFile, msgFile)
			sig, _ := os.ReadFile(sigFile)
			if !Verify(pub, digest, sig) {
				t.Fatal("OpenSSL's signature does not verify")
			}
			if Verify(pub, flip(digest, 3), sig) || Verify(pub, digest, flip(sig, 5)) || Verify(pub, digest, flip(sig, c.Size+5)) {
				t.Fatal("tampered digest or signature verifies")
			}

			// We sign with OpenSSL's key, OpenSSL verifies.
			ours, err := key.Sign(rand.Reader, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			oursFile := writeFile(t, filepath.Join(dir, "ours.sig"), ours)
			bin.Run(t, "dgst", "-engine", "gost", mdFlag(c), "-verify", pubPEM, "-signature", oursFile, msgFile)
			badFile := writeFile(t, filepath.Join(dir, "bad.sig"), flip(ours, 7))
			if out, err := bin.Command("dgst", "-engine", "gost", mdFlag(c), "-verify", pubPEM, "-signature", badFile, msgFile).CombinedOutput(); err == nil {
				t.Fatalf("OpenSSL accepted a tampered signature:\n%s", out)
			}

			// Our own key, exported as SubjectPublicKeyInfo, verified by OpenSSL.
			mine, err := GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			var kp keyParams
			if _, err := asn1.Unmarshal(mustAlg(t, der).Parameters.FullBytes, &kp); err != nil {
				t.Fatal(err)
			}
			myPub := writeFile(t, filepath.Join(dir, "mine.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: marshalSPKI(t, mine.PublicKey(), kp.ParamSet)}))
			mySig, err := mine.Sign(nil, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			mySigFile := writeFile(t, filepath.Join(dir, "mine.sig"), mySig)
			bin.Run(t, "dgst", "-engine", "gost", mdFlag(c), "-verify", myPub, "-signature", mySigFile, msgFile)
			otherMsg := writeFile(t, filepath.Join(dir, "other"), flip(msg, 11))
			if out, err := bin.Command("dgst", "-engine", "gost", mdFlag(c), "-verify", myPub, "-signature", mySigFile, otherMsg).CombinedOutput(); err == nil {
				t.Fatalf("OpenSSL accepted our signature over another message:\n%s", out)
			}
			// A key OpenSSL reads back must be the one we wrote.
			back := bin.Run(t, "pkey", "-engine", "gost", "-pubin", "-in", myPub, "-outform", "DER")
			if got := parseOpenSSLPublicKey(t, back); !got.Equal(mine.PublicKey()) {
				t.Fatal("OpenSSL round trip changed our public key")
			}
		})
	}
}

func mustAlg(t *testing.T, spkiDER []byte) algorithmIdentifier {
	t.Helper()
	var s spki
	if _, err := asn1.Unmarshal(spkiDER, &s); err != nil {
		t.Fatal(err)
	}
	return s.Algorithm
}
