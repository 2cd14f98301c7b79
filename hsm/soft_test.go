package hsm

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gostca/gostca/gost/gost3410"
)

// fastKDF keeps the tests quick; one test covers the default cost.
var fastKDF = &SoftKeyFileOptions{ScryptLogN: 10, ScryptR: 8, ScryptP: 1}

func mustCurve(t testing.TB, name string) Curve {
	t.Helper()
	c, err := CurveByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// digestFor returns the digest a key of alg signs, of msg.
func digestFor(alg Algorithm, msg []byte) []byte { return alg.Digest(msg) }

func verify(t testing.TB, k Key, digest, sig []byte) {
	t.Helper()
	ok := false
	switch pub := k.Public().(type) {
	case *gost3410.PublicKey:
		ok = gost3410.Verify(pub, digest, sig)
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(pub, digest, sig)
	}
	if !ok {
		t.Fatalf("%s signature does not verify", k.Algorithm())
	}
}

func TestSoftKeyRoundTrip(t *testing.T) {
	pass := []byte("correct horse battery staple")
	for _, name := range []string{"tc26-256-A", "tc26-256-B", "tc26-512-A", "tc26-512-C", "P-256", "P-384"} {
		t.Run(name, func(t *testing.T) {
			c := mustCurve(t, name)
			k, err := GenerateSoftKeyInMemory(c)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "ca.key")
			if err := WriteSoftKeyFile(path, k, pass, fastKDF); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm != 0o600 {
				t.Errorf("file mode %04o, want 0600", perm)
			}
			k2, err := LoadSoftKey(path, pass)
			if err != nil {
				t.Fatal(err)
			}
			if k2.Algorithm() != c.Algorithm() || k2.Curve() != c {
				t.Fatalf("loaded %s on %s, want %s on %s", k2.Algorithm(), k2.Curve(), c.Algorithm(), c)
			}
			if !publicEqual(k.Public(), k2.Public()) {
				t.Fatal("loaded key has another public key")
			}
			d := digestFor(c.Algorithm(), []byte("tbs "+name))
			sig, err := k2.Sign(context.Background(), d)
			if err != nil {
				t.Fatal(err)
			}
			verify(t, k, d, sig)
			if c.Algorithm().IsGOST() && len(sig) != 2*c.GOST.Size {
				t.Errorf("GOST signature is %d bytes", len(sig))
			}
			if st := k2.Stats(); st.Signs != 1 || st.Errors != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func publicEqual(a, b any) bool {
	x, ok := a.(interface{ Equal(x any) bool })
	if ok {
		return x.Equal(b)
	}
	switch p := a.(type) {
	case *gost3410.PublicKey:
		return p.Equal(b)
	case *ecdsa.PublicKey:
		return p.Equal(b)
	}
	return false
}

func TestDefaultScryptCost(t *testing.T) {
	logN, r, p, err := (*SoftKeyFileOptions)(nil).params()
	if err != nil || logN != DefaultScryptLogN || r != DefaultScryptR || p != DefaultScryptP {
		t.Fatalf("defaults: %d %d %d %v", logN, r, p, err)
	}
	if logN, r, p, err = (&SoftKeyFileOptions{ScryptLogN: 12}).params(); err != nil || logN != 12 || r != DefaultScryptR || p != DefaultScryptP {
		t.Fatalf("partial options: %d %d %d %v", logN, r, p, err)
	}
}

func TestGenerateSoftKeyDefaultCost(t *testing.T) {
	if raceEnabled {
		t.Skip("scrypt at the default cost takes seconds under the race detector; TestDefaultScryptCost covers the defaults")
	}
	path := filepath.Join(t.TempDir(), "ca.key")
	pass := []byte("pw")
	k, err := GenerateSoftKey(path, mustCurve(t, "tc26-256-A"), pass)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data[:8]) != softMagic || data[8] != 1 || data[9] != 1 || data[10] != DefaultScryptLogN ||
		binary.BigEndian.Uint32(data[11:]) != DefaultScryptR || binary.BigEndian.Uint32(data[15:]) != DefaultScryptP {
		t.Fatalf("header % x", data[:19])
	}
	// 63-byte header + DER key (≈ 60 bytes) + 16-byte tag.
	if len(data) < softHeaderLen+16+40 || len(data) > softHeaderLen+16+100 {
		t.Errorf("file is %d bytes", len(data))
	}
	if bytes.Contains(data, k.gost.Bytes()) {
		t.Fatal("private key in clear in the file")
	}
	k2, err := LoadSoftKey(path, pass)
	if err != nil {
		t.Fatal(err)
	}
	if !k.gost.Equal(k2.gost) {
		t.Fatal("different key loaded")
	}
}

func TestSoftKeyFileNeverOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca.key")
	pass := []byte("pw")
	k, err := GenerateSoftKeyInMemory(mustCurve(t, "P-256"))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSoftKeyFile(path, k, pass, fastKDF); err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateSoftKey(path, mustCurve(t, "tc26-256-A"), pass); !errors.Is(err, os.ErrExist) {
		t.Fatalf("GenerateSoftKey over an existing file: %v, want ErrExist", err)
	}
	k2, _ := GenerateSoftKeyInMemory(mustCurve(t, "P-256"))
	if err := WriteSoftKeyFile(path, k2, pass, fastKDF); !errors.Is(err, os.ErrExist) {
		t.Fatalf("WriteSoftKeyFile over an existing file: %v, want ErrExist", err)
	}
	if k3, err := LoadSoftKey(path, pass); err != nil || !k.ec.Equal(k3.ec) {
		t.Fatal("file changed by a refused overwrite")
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".softkey-*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
	t.Setenv("GOSTCA_TEST_SOFT_PASS", "pw")
	if k4, err := OpenSoftKey(path, SecretSource{Env: "GOSTCA_TEST_SOFT_PASS"}); err != nil || !k.ec.Equal(k4.ec) {
		t.Fatalf("OpenSoftKey: %v", err)
	}
	if _, err := OpenSoftKey(path, SecretSource{Env: "GOSTCA_TEST_SOFT_UNSET"}); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("OpenSoftKey without a passphrase: %v", err)
	}
	if _, err := LoadSoftKey(filepath.Join(t.TempDir(), "missing"), pass); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestSoftKeyFileRejects(t *testing.T) {
	pass := []byte("secret-passphrase")
	k, err := GenerateSoftKeyInMemory(mustCurve(t, "tc26-256-A"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := EncryptSoftKey(k, pass, fastKDF)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecryptSoftKey(data, pass); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		data []byte
		pass []byte
		want string
	}{
		"wrong passphrase": {data, []byte("secret-passphrasE"), "wrong passphrase"},
		"empty passphrase": {data, nil, "empty passphrase"},
		"not a key file":   {[]byte("-----BEGIN PRIVATE KEY-----\n"), pass, "not a GostCA soft key file"},
		"truncated":        {data[:softHeaderLen+5], pass, "wrong passphrase"},
		"version":          {patch(data, 8, 2), pass, "unsupported file version 2"},
		"kdf":              {patch(data, 9, 7), pass, "unsupported key derivation"},
		"huge N":           {patch(data, 10, 40), pass, "outside the accepted range"},
		"tiny N":           {patch(data, 10, 1), pass, "outside the accepted range"},
		"huge r":           {patch(data, 11, 0xff), pass, "out of range"},
		"N changed":        {patch(data, 10, 11), pass, "wrong passphrase"},
		"salt changed":     {patch(data, 20, data[20]^1), pass, "wrong passphrase"},
		"nonce changed":    {patch(data, 55, data[55]^1), pass, "wrong passphrase"},
		"ciphertext":       {patch(data, len(data)-20, data[len(data)-20]^1), pass, "wrong passphrase"},
		"tag":              {patch(data, len(data)-1, data[len(data)-1]^1), pass, "wrong passphrase"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := DecryptSoftKey(c.data, c.pass)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), string(pass)) {
				t.Fatal("passphrase in error text")
			}
		})
	}
	if _, err := EncryptSoftKey(k, pass, &SoftKeyFileOptions{ScryptLogN: 30}); err == nil {
		t.Error("absurd scrypt cost accepted")
	}
}

func patch(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}

func TestSoftKeyEncodingRejects(t *testing.T) {
	k, err := GenerateSoftKeyInMemory(mustCurve(t, "tc26-512-A"))
	if err != nil {
		t.Fatal(err)
	}
	der, err := marshalSoftKey(k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unmarshalSoftKey(der); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"empty":    {},
		"trailing": append(bytes.Clone(der), 0),
		"short":    der[:len(der)-1],
	} {
		if _, err := unmarshalSoftKey(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSoftKeyRefusesTestCurvesAndBadInput(t *testing.T) {
	c, _ := gost3410.CurveByName("gost-2001-test")
	if _, err := GenerateSoftKeyInMemory(Curve{GOST: c}); err == nil || !strings.Contains(err.Error(), "test parameter set") {
		t.Fatalf("test curve: %v", err)
	}
	if _, err := GenerateSoftKeyInMemory(Curve{}); err == nil {
		t.Fatal("empty curve accepted")
	}
	if _, err := CurveByName("secp256k1"); err == nil {
		t.Fatal("unknown curve accepted")
	}
	k, err := GenerateSoftKeyInMemory(mustCurve(t, "tc26-256-A"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Sign(context.Background(), make([]byte, 64)); err == nil || !strings.Contains(err.Error(), "32-byte digest") {
		t.Fatalf("wrong digest size: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := k.Sign(ctx, make([]byte, 32)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	if st := k.Stats(); st.Errors != 2 || st.Signs != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestSoftKeyConcurrent(t *testing.T) {
	k, err := GenerateSoftKeyInMemory(mustCurve(t, "tc26-256-A"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				d := digestFor(GOST256, []byte{byte(g), byte(i)})
				sig, err := k.Sign(context.Background(), d)
				if err != nil {
					t.Error(err)
					return
				}
				if !gost3410.Verify(k.gost.PublicKey(), d, sig) {
					t.Error("bad signature")
					return
				}
			}
		})
	}
	wg.Wait()
	if got := k.Stats().Signs; got != 400 {
		t.Errorf("signs = %d", got)
	}
}

func TestCurvesAndAlgorithms(t *testing.T) {
	for _, c := range []struct {
		name   string
		alg    Algorithm
		digest int
	}{
		{"tc26-256-A", GOST256, 32}, {"tc26-256-D", GOST256, 32}, {"tc26-512-B", GOST512, 64},
		{"P-256", ECDSAP256, 32}, {"prime256v1", ECDSAP256, 32}, {"P-384", ECDSAP384, 48},
	} {
		cv := mustCurve(t, c.name)
		if cv.Algorithm() != c.alg || c.alg.DigestSize() != c.digest {
			t.Errorf("%s: %v / %d", c.name, cv.Algorithm(), c.alg.DigestSize())
		}
		k, err := GenerateSoftKeyInMemory(cv)
		if err != nil {
			t.Fatal(err)
		}
		if a, err := AlgorithmOf(k.Public()); err != nil || a != c.alg {
			t.Errorf("%s: AlgorithmOf = %v, %v", c.name, a, err)
		}
		if back, err := CurveByName(cv.Name()); err != nil || back != cv {
			t.Errorf("%s: name %q does not round-trip", c.name, cv.Name())
		}
		if cv.OID() == nil {
			t.Errorf("%s: no OID", c.name)
		}
	}
	if _, err := AlgorithmOf("not a key"); err == nil {
		t.Error("AlgorithmOf accepted a string")
	}
	if UnknownAlgorithm.DigestSize() != 0 || UnknownAlgorithm.CheckDigest(nil) == nil {
		t.Error("unknown algorithm accepts digests")
	}
}
