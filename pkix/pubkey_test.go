package pkix

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"path/filepath"
	"testing"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/internal/openssltest"
)

// OpenSSL's keys parse, and what we write OpenSSL reads back to the same
// bytes, for every parameter set and OID alias OpenSSL can produce.
func TestPublicKeyInfoOpenSSL(t *testing.T) {
	bin := openssltest.Gost(t)
	for _, ps := range []struct{ alg, set, curve string }{
		{"gost2012_256", "TCA", "tc26-256-A"}, {"gost2012_256", "A", "tc26-256-B"},
		{"gost2012_256", "TCB", "tc26-256-B"}, {"gost2012_256", "XB", "tc26-256-D"},
		{"gost2012_256", "B", "tc26-256-C"}, {"gost2012_512", "A", "tc26-512-A"},
		{"gost2012_512", "B", "tc26-512-B"}, {"gost2012_512", "C", "tc26-512-C"},
	} {
		dir := t.TempDir()
		key := filepath.Join(dir, "k.pem")
		bin.Run(t, "genpkey", "-engine", "gost", "-algorithm", ps.alg, "-pkeyopt", "paramset:"+ps.set, "-out", key)
		der := bin.Run(t, "pkey", "-engine", "gost", "-in", key, "-pubout", "-outform", "DER")
		info, err := ParsePublicKeyInfo(der)
		if err != nil {
			t.Fatalf("%s/%s: %v", ps.alg, ps.set, err)
		}
		k := info.Key.(*gost3410.PublicKey)
		if k.Curve.Name != ps.curve {
			t.Fatalf("%s/%s: curve %s, want %s", ps.alg, ps.set, k.Curve.Name, ps.curve)
		}
		again, err := MarshalGOSTPublicKeyInfo(k, info.ParamSet)
		if err != nil {
			t.Fatal(err)
		}
		// OpenSSL writes digestParamSet for 512-bit keys too, which RFC 9215
		// says should be omitted: we accept it and keep it in Raw.
		if string(info.Raw) != string(der) {
			t.Fatalf("%s/%s: Raw differs from the input", ps.alg, ps.set)
		}
		if (info.DigestParamSet == nil || isCryptoProParamSet(info.ParamSet)) && string(again) != string(der) {
			t.Fatalf("%s/%s: re-encoding differs from OpenSSL:\n ours %x\n      %x", ps.alg, ps.set, again, der)
		}
		// Our own encoding with the TC26 OID is read back by OpenSSL.
		ours, err := MarshalPublicKeyInfo(k)
		if err != nil {
			t.Fatal(err)
		}
		in := openssltest.WriteFile(t, "pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ours}))
		back := bin.Run(t, "pkey", "-engine", "gost", "-pubin", "-in", in, "-outform", "DER")
		// OpenSSL normalises the parameters (it adds digestParamSet for
		// 512-bit keys), so compare the key it read, not its bytes.
		got, err := ParsePublicKeyInfo(back)
		if err != nil || !got.Key.(*gost3410.PublicKey).Equal(k) {
			t.Fatalf("%s/%s: OpenSSL read a different key (%v):\n ours %x\n back %x", ps.alg, ps.set, err, ours, back)
		}
	}
}

func TestPublicKeyInfoRejects(t *testing.T) {
	c256, _ := gost3410.CurveByName("tc26-256-B")
	k, _ := gost3410.GenerateKey(c256, rand.Reader)
	good, err := MarshalPublicKeyInfo(k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePublicKeyInfo(good); err != nil {
		t.Fatal(err)
	}
	// Swap the 256-bit key algorithm OID for the 512-bit one (last arc 1 → 2).
	mismatch := append([]byte(nil), good...)
	mismatch[13] = 2
	offCurve := append([]byte(nil), good...)
	offCurve[len(offCurve)-1] ^= 1
	cases := map[string]struct {
		der  []byte
		want error
	}{
		"empty":          {nil, ErrMalformed},
		"trailing":       {append(append([]byte(nil), good...), 0), ErrTrailingData},
		"truncated":      {good[:len(good)-1], ErrMalformed},
		"512 alg on 256": {mismatch, ErrInvalidValue},
		"off curve":      {offCurve, ErrInvalidValue},
		"huge":           {make([]byte, 5000), ErrTooLarge},
	}
	for name, c := range cases {
		if _, err := ParsePublicKeyInfo(c.der); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
	// Wrong alias: a tc26-256-B key cannot be written with a 256-C OID.
	if _, err := MarshalGOSTPublicKeyInfo(k.PublicKey(), OIDParamSetTC26_256C); err == nil {
		t.Error("key written under another set's OID")
	}
	// CryptoPro alias gets digestParamSet; TC26 OID does not.
	cp, _ := MarshalGOSTPublicKeyInfo(k.PublicKey(), OIDParamSetCryptoProA)
	info, err := ParsePublicKeyInfo(cp)
	if err != nil || !info.DigestParamSet.Equal(OIDDigestStreebog256) {
		t.Fatalf("CryptoPro alias: %v, digest %v", err, info.DigestParamSet)
	}
	if info, _ := ParsePublicKeyInfo(good); info.DigestParamSet != nil {
		t.Fatal("TC26 256-B key carries digestParamSet")
	}
	// ECDSA round trip and P-521 refusal.
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := MarshalPublicKeyInfo(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := ParsePublicKeyInfo(der); err != nil || !info.Key.(*ecdsa.PublicKey).Equal(&ec.PublicKey) {
		t.Fatalf("ECDSA round trip: %v", err)
	}
	ec521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if _, err := MarshalPublicKeyInfo(&ec521.PublicKey); err == nil {
		t.Error("P-521 accepted")
	}
}

func TestSignAndCheck(t *testing.T) {
	msg := []byte("to be signed")
	for _, name := range []string{"tc26-256-A", "tc26-512-C"} {
		c, _ := gost3410.CurveByName(name)
		k, _ := gost3410.GenerateKey(c, rand.Reader)
		alg, _ := SignatureAlgorithmFor(k.Public())
		sig, err := Sign(rand.Reader, k, alg, msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckSignature(k.Public(), alg, msg, sig); err != nil {
			t.Fatal(err)
		}
		if err := CheckSignature(k.Public(), alg, []byte("other"), sig); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("%s: wrong message: %v", name, err)
		}
		wrong := GOST512
		if alg == GOST512 {
			wrong = GOST256
		}
		if err := CheckSignature(k.Public(), wrong, msg, sig); !errors.Is(err, ErrInvalidValue) {
			t.Fatalf("%s: wrong algorithm: %v", name, err)
		}
		if _, err := Sign(rand.Reader, k, wrong, msg); err == nil {
			t.Fatalf("%s: signed with the wrong algorithm", name)
		}
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	sig, err := Sign(rand.Reader, ec, ECDSAWithSHA384, msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSignature(&ec.PublicKey, ECDSAWithSHA384, msg, sig); err != nil {
		t.Fatal(err)
	}
}
