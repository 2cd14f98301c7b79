package gost3410

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"testing"
)

// refVerify is GOST R 34.10-2012 §6.2 on math/big, for differential fuzzing.
func refVerify(i int, pub *PublicKey, digest, sig []byte) bool {
	c := curves[i]
	ref := newRefCurve(&paramSets[i])
	if len(digest) != c.Size || len(sig) != 2*c.Size {
		return false
	}
	s := new(big.Int).SetBytes(sig[:c.Size])
	r := new(big.Int).SetBytes(sig[c.Size:])
	if s.Sign() == 0 || r.Sign() == 0 || s.Cmp(ref.q) >= 0 || r.Cmp(ref.q) >= 0 {
		return false
	}
	rev := bytes.Clone(digest)
	for a, b := 0, len(rev)-1; a < b; a, b = a+1, b-1 {
		rev[a], rev[b] = rev[b], rev[a]
	}
	e := new(big.Int).SetBytes(rev)
	e.Mod(e, ref.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	v := new(big.Int).ModInverse(e, ref.q)
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, ref.q)
	z2 := new(big.Int).Mul(r, v)
	z2.Neg(z2).Mod(z2, ref.q)
	q := refPoint{bigFromLimbs(&pub.x), bigFromLimbs(&pub.y)}
	C := ref.add(ref.mul(z1, ref.g), ref.mul(z2, q))
	if C.x == nil {
		return false
	}
	return new(big.Int).Mod(C.x, ref.q).Cmp(r) == 0
}

func FuzzVerify(f *testing.F) {
	keys := make([]*PrivateKey, len(curves))
	for i, c := range curves {
		keys[i], _ = NewPrivateKey(c, le(big.NewInt(int64(1000+i)), c.Size))
		digest := bytes.Repeat([]byte{byte(i)}, c.Size)
		sig, _ := keys[i].Sign(rand.Reader, digest, nil)
		f.Add(uint8(i), digest, sig)
		f.Add(uint8(i), digest, flip(sig, 1))
		f.Add(uint8(i), make([]byte, c.Size), make([]byte, 2*c.Size))
	}
	f.Fuzz(func(t *testing.T, idx uint8, digest, sig []byte) {
		i := int(idx) % len(curves)
		pub := keys[i].PublicKey()
		got := Verify(pub, digest, sig)
		if want := refVerify(i, pub, digest, sig); got != want {
			t.Fatalf("%s: Verify = %v, reference = %v", curves[i].Name, got, want)
		}
	})
}

func FuzzNewPublicKey(f *testing.F) {
	for i, c := range curves {
		k, _ := NewPrivateKey(c, le(big.NewInt(int64(77+i)), c.Size))
		f.Add(uint8(i), k.PublicKey().Bytes())
		f.Add(uint8(i), make([]byte, 2*c.Size))
		f.Add(uint8(i), bytes.Repeat([]byte{0xff}, 2*c.Size))
	}
	f.Fuzz(func(t *testing.T, idx uint8, raw []byte) {
		i := int(idx) % len(curves)
		c := curves[i]
		p, err := NewPublicKey(c, raw)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Bytes(), raw) {
			t.Fatal("accepted key does not round-trip")
		}
		ref := newRefCurve(&paramSets[i])
		pt := refPoint{bigFromLimbs(&p.x), bigFromLimbs(&p.y)}
		if ref.mul(ref.q, pt).x != nil {
			t.Fatal("accepted key is not of order q")
		}
	})
}
