package gost3410

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"math/big"
	mrand "math/rand/v2"
	"sync"
	"testing"
)

func TestCurveByOIDAliases(t *testing.T) {
	cases := map[string]string{
		"1.2.643.7.1.2.1.1.1": "tc26-256-A",
		"1.2.643.7.1.2.1.1.2": "tc26-256-B", "1.2.643.2.2.35.1": "tc26-256-B", "1.2.643.2.2.36.0": "tc26-256-B",
		"1.2.643.7.1.2.1.1.3": "tc26-256-C", "1.2.643.2.2.35.2": "tc26-256-C",
		"1.2.643.7.1.2.1.1.4": "tc26-256-D", "1.2.643.2.2.35.3": "tc26-256-D", "1.2.643.2.2.36.1": "tc26-256-D",
		"1.2.643.7.1.2.1.2.1": "tc26-512-A", "1.2.643.7.1.2.1.2.2": "tc26-512-B", "1.2.643.7.1.2.1.2.3": "tc26-512-C",
		"1.2.643.2.2.35.0": "gost-2001-test", "1.2.643.7.1.2.1.2.0": "tc26-512-test",
	}
	for oid, name := range cases {
		c, ok := CurveByOID(mustOID(oid))
		if !ok || c.Name != name {
			t.Errorf("CurveByOID(%s) = %v, %v; want %s", oid, c, ok, name)
		}
	}
	if _, ok := CurveByOID(asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 9}); ok {
		t.Error("unknown OID found")
	}
	if _, ok := CurveByOID(nil); ok {
		t.Error("nil OID found")
	}
	c, _ := CurveByName("tc26-256-B")
	oids := c.OIDs()
	oids[0][0] = 99 // callers cannot corrupt the table
	if c.OID()[0] != 1 {
		t.Error("OIDs returned shared storage")
	}
}

func TestNewPrivateKeyRange(t *testing.T) {
	for _, c := range curves {
		q := c.Q()
		bad := map[string][]byte{
			"zero":   make([]byte, c.Size),
			"q":      le(q, c.Size),
			"q+1":    le(new(big.Int).Add(q, big.NewInt(1)), c.Size),
			"max":    bytes.Repeat([]byte{0xff}, c.Size),
			"short":  make([]byte, c.Size-1),
			"long":   make([]byte, c.Size+1),
			"nil":    nil,
			"2q-ish": le(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(8*c.Size)), big.NewInt(1)), c.Size),
		}
		for name, raw := range bad {
			if _, err := NewPrivateKey(c, raw); err == nil {
				t.Errorf("%s: private key %s accepted", c.Name, name)
			}
		}
		for _, d := range []*big.Int{big.NewInt(1), new(big.Int).Sub(q, big.NewInt(1))} {
			k, err := NewPrivateKey(c, le(d, c.Size))
			if err != nil {
				t.Fatalf("%s: d=%x rejected: %v", c.Name, d, err)
			}
			if !bytes.Equal(k.Bytes(), le(d, c.Size)) {
				t.Fatalf("%s: Bytes does not round-trip", c.Name)
			}
		}
	}
	if _, err := NewPrivateKey(nil, make([]byte, 32)); err == nil {
		t.Error("nil curve accepted")
	}
}

// pointOutsideSubgroup finds a point on a cofactor-4 curve whose order is
// not q: a random curve point times q (order 2 or 4), and a random point
// (order 4q with high probability).
func pointsOutsideSubgroup(t *testing.T, i int) [][2]*big.Int {
	t.Helper()
	ref := newRefCurve(&paramSets[i])
	r := mrand.New(mrand.NewPCG(5, uint64(i)))
	var out [][2]*big.Int
	for len(out) < 4 {
		x := randBelow(r, ref.p)
		rhs := new(big.Int).Exp(x, big.NewInt(3), ref.p)
		rhs.Add(rhs, new(big.Int).Mul(ref.a, x)).Add(rhs, ref.b).Mod(rhs, ref.p)
		y := new(big.Int).ModSqrt(rhs, ref.p)
		if y == nil {
			continue
		}
		pt := refPoint{x, y}
		if ref.mul(ref.q, pt).x == nil {
			continue // happens to be in the subgroup
		}
		small := ref.mul(ref.q, pt)
		out = append(out, [2]*big.Int{x, y}, [2]*big.Int{small.x, small.y})
	}
	return out
}

func rawPoint(x, y *big.Int, size int) []byte {
	return append(le(x, size), le(y, size)...)
}

func TestNewPublicKeyRejects(t *testing.T) {
	for i, c := range curves {
		ref := newRefCurve(&paramSets[i])
		k, err := GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		good := k.PublicKey().Bytes()
		if p, err := NewPublicKey(c, good); err != nil || !p.Equal(k.PublicKey()) {
			t.Fatalf("%s: own public key rejected: %v", c.Name, err)
		}
		offCurve := bytes.Clone(good)
		offCurve[0] ^= 1
		// The base point with a coordinate written unreduced (+p) where that
		// fits in Size bytes, else the bare value p.
		limit := new(big.Int).Lsh(big.NewInt(1), uint(8*c.Size))
		pPlusX := rawPoint(ref.p, ref.g.y, c.Size)
		if x := new(big.Int).Add(ref.p, ref.g.x); x.Cmp(limit) < 0 {
			pPlusX = rawPoint(x, ref.g.y, c.Size)
		} else if y := new(big.Int).Add(ref.p, ref.g.y); y.Cmp(limit) < 0 {
			pPlusX = rawPoint(ref.g.x, y, c.Size)
		}
		bad := map[string][]byte{
			"off curve": offCurve,
			"short":     good[:len(good)-1],
			"long":      append(bytes.Clone(good), 0),
			"empty":     nil,
			"zero":      make([]byte, 2*c.Size),
			"coord ≥ p": pPlusX,
		}
		if c.Cofactor != 1 {
			for j, pt := range pointsOutsideSubgroup(t, i) {
				bad["outside subgroup "+string(rune('a'+j))] = rawPoint(pt[0], pt[1], c.Size)
			}
		}
		for name, raw := range bad {
			if _, err := NewPublicKey(c, raw); err == nil {
				t.Errorf("%s: public key %q accepted", c.Name, name)
			}
		}
	}
}

func TestSignVerify(t *testing.T) {
	for _, c := range curves {
		k, err := GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		digest := make([]byte, c.Size)
		rand.Read(digest)
		sig, err := k.Sign(rand.Reader, digest, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !Verify(k.PublicKey(), digest, sig) {
			t.Fatalf("%s: signature does not verify", c.Name)
		}
		q := c.Q()
		zero := make([]byte, c.Size)
		qBE := q.FillBytes(make([]byte, c.Size))
		sBE, rBE := sig[:c.Size], sig[c.Size:]
		other, _ := GenerateKey(c, rand.Reader)
		bad := map[string]func() bool{
			"other key":  func() bool { return Verify(other.PublicKey(), digest, sig) },
			"digest":     func() bool { return Verify(k.PublicKey(), flip(digest, 0), sig) },
			"r=0":        func() bool { return Verify(k.PublicKey(), digest, append(bytes.Clone(sBE), zero...)) },
			"s=0":        func() bool { return Verify(k.PublicKey(), digest, append(bytes.Clone(zero), rBE...)) },
			"r=q":        func() bool { return Verify(k.PublicKey(), digest, append(bytes.Clone(sBE), qBE...)) },
			"s=q":        func() bool { return Verify(k.PublicKey(), digest, append(bytes.Clone(qBE), rBE...)) },
			"r,s swap":   func() bool { return Verify(k.PublicKey(), digest, append(bytes.Clone(rBE), sBE...)) },
			"short sig":  func() bool { return Verify(k.PublicKey(), digest, sig[1:]) },
			"long sig":   func() bool { return Verify(k.PublicKey(), digest, append(bytes.Clone(sig), 0)) },
			"short hash": func() bool { return Verify(k.PublicKey(), digest[1:], sig) },
			"nil key":    func() bool { return Verify(nil, digest, sig) },
			"empty key":  func() bool { return Verify(&PublicKey{}, digest, sig) },
		}
		for name, f := range bad {
			if f() {
				t.Errorf("%s: verify accepted %s", c.Name, name)
			}
		}
		if _, err := k.Sign(rand.Reader, digest[1:], nil); err == nil {
			t.Errorf("%s: short digest signed", c.Name)
		}
	}
}

// A digest ≡ 0 (mod q) is signed as e = 1 (GOST R 34.10-2012 §6.1).
func TestDigestZeroModQ(t *testing.T) {
	for _, c := range curves {
		k, _ := GenerateKey(c, rand.Reader)
		var nonce limbs
		c.fq.setBytesLE(&nonce, le(big.NewInt(7), c.Size))
		zero, err := k.signWithNonce(make([]byte, c.Size), &nonce)
		if err != nil {
			t.Fatal(err)
		}
		one, _ := k.signWithNonce(le(big.NewInt(1), c.Size), &nonce)
		qd, _ := k.signWithNonce(le(c.Q(), c.Size), &nonce)
		if !bytes.Equal(zero, one) || !bytes.Equal(qd, one) {
			t.Fatalf("%s: e ≡ 0 not signed as e = 1", c.Name)
		}
		if !Verify(k.PublicKey(), le(c.Q(), c.Size), qd) {
			t.Fatalf("%s: e ≡ 0 signature does not verify", c.Name)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

type constReader byte

func (r constReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(r)
	}
	return len(b), nil
}

func TestHedgedNonce(t *testing.T) {
	c, _ := CurveByName("tc26-256-A")
	k, _ := GenerateKey(c, rand.Reader)
	d1 := bytes.Repeat([]byte{1}, 32)
	d2 := bytes.Repeat([]byte{2}, 32)
	if _, err := k.Sign(failingReader{}, d1, nil); err == nil {
		t.Fatal("sign succeeded without randomness")
	}
	if _, err := GenerateKey(c, failingReader{}); err == nil {
		t.Fatal("key generated without randomness")
	}
	// With a stuck random source, distinct messages still get distinct
	// nonces (r differs), so the key cannot be solved for.
	s1, _ := k.Sign(constReader(0), d1, nil)
	s2, _ := k.Sign(constReader(0), d2, nil)
	if bytes.Equal(s1[32:], s2[32:]) {
		t.Fatal("same r for different digests under a stuck random source")
	}
	// Different keys, same digest and stuck randomness: different nonces.
	k2, _ := GenerateKey(c, rand.Reader)
	s3, _ := k2.Sign(constReader(0), d1, nil)
	if bytes.Equal(s1[32:], s3[32:]) {
		t.Fatal("same r for different keys under a stuck random source")
	}
	// Fresh randomness gives fresh signatures of one digest.
	a, _ := k.Sign(rand.Reader, d1, nil)
	b, _ := k.Sign(rand.Reader, d1, nil)
	if bytes.Equal(a, b) {
		t.Fatal("two signatures with fresh randomness are equal")
	}
	for _, s := range [][]byte{s1, a, b} {
		if !Verify(k.PublicKey(), d1, s) {
			t.Fatal("hedged signature does not verify")
		}
	}
}

func TestConcurrentSigning(t *testing.T) {
	c, _ := CurveByName("tc26-256-B")
	k, _ := GenerateKey(c, rand.Reader)
	pub := k.PublicKey()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			digest := bytes.Repeat([]byte{byte(g + 1)}, 32)
			for range 20 {
				sig, err := k.Sign(nil, digest, nil)
				if err != nil {
					errs <- err
					return
				}
				if !Verify(pub, digest, sig) {
					errs <- errors.New("concurrent signature does not verify")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestPrivateKeyEqual(t *testing.T) {
	c, _ := CurveByName("tc26-512-A")
	k, _ := GenerateKey(c, rand.Reader)
	k2, _ := NewPrivateKey(c, k.Bytes())
	other, _ := GenerateKey(c, rand.Reader)
	if !k.Equal(k2) || k.Equal(other) || k.Equal(nil) {
		t.Fatal("PrivateKey.Equal wrong")
	}
	if !k.PublicKey().Equal(k2.Public()) || k.PublicKey().Equal(other.Public()) {
		t.Fatal("PublicKey.Equal wrong")
	}
}
