package gost3410

import (
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// TestInvPublicMatchesBig compares the divsteps inversion modulo q with
// math/big's ModInverse on random values of every size and on edge values,
// for every parameter set.
func TestInvPublicMatchesBig(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, 2))
	for _, c := range curves {
		var xs []*big.Int
		for _, v := range edgeScalars(c.q) {
			if v.Sign() > 0 {
				xs = append(xs, v)
			}
		}
		one := big.NewInt(1)
		for k := 1; k < c.q.BitLen(); k += 7 {
			xs = append(xs, new(big.Int).Lsh(one, uint(k)),
				new(big.Int).Sub(new(big.Int).Lsh(one, uint(k)), one))
		}
		for range 2000 {
			v := randBelow(r, c.q)
			// Random sizes too: short values take other paths.
			v.Rsh(v, uint(r.IntN(c.q.BitLen())))
			if v.Sign() == 0 {
				v.SetInt64(3)
			}
			xs = append(xs, v, randBelow(r, c.q))
		}
		for _, v := range xs {
			if v.Sign() == 0 {
				continue
			}
			x := limbsFromBig(v)
			var z limbs
			c.invPublic(&z, &x)
			want := new(big.Int).ModInverse(v, c.q)
			if got := bigFromLimbs(&z); got.Cmp(want) != 0 {
				t.Fatalf("%s: inverse of %x = %x, want %x", c.Name, v, got, want)
			}
		}
	}
}

// TestInvPublicNotInvertible checks the answer for values sharing a factor
// with the modulus (not reachable with a prime q, but the code must not
// return a wrong inverse).
func TestInvPublicNotInvertible(t *testing.T) {
	for _, m := range []int64{15, 21, 1000001} {
		bm := newByModulus(big.NewInt(m))
		for x := int64(1); x < 60 && x < m; x++ {
			xl := limbsFromBig(big.NewInt(x))
			got, ok := bm.inverse(&xl)
			want := new(big.Int).ModInverse(big.NewInt(x), big.NewInt(m))
			if (want != nil) != ok {
				t.Fatalf("%d⁻¹ mod %d: ok = %v, want %v", x, m, ok, want != nil)
			}
			if ok && bigFromLimbs(&got).Cmp(want) != 0 {
				t.Fatalf("%d⁻¹ mod %d = %v, want %v", x, m, bigFromLimbs(&got), want)
			}
		}
	}
}

// TestInvRandomModuli runs the inversion modulo random odd moduli of 64 to
// 512 bits, composite ones included, against math/big.
func TestInvRandomModuli(t *testing.T) {
	r := mrand.New(mrand.NewPCG(3, 4))
	for range 300 {
		bitsLen := 64 + r.IntN(449)
		m := randBelow(r, new(big.Int).Lsh(big.NewInt(1), uint(bitsLen)))
		m.SetBit(m, bitsLen-1, 1)
		m.SetBit(m, 0, 1)
		bm := newByModulus(m)
		for range 20 {
			x := randBelow(r, m)
			if r.IntN(4) == 0 { // force a common factor now and then
				x.Mul(x, big.NewInt(3)).Mod(x, m)
			}
			if x.Sign() == 0 {
				continue
			}
			xl := limbsFromBig(x)
			got, ok := bm.inverse(&xl)
			want := new(big.Int).ModInverse(x, m)
			if (want != nil) != ok {
				t.Fatalf("%x⁻¹ mod %x: ok = %v", x, m, ok)
			}
			if ok && bigFromLimbs(&got).Cmp(want) != 0 {
				t.Fatalf("%x⁻¹ mod %x = %x, want %x", x, m, bigFromLimbs(&got), want)
			}
		}
	}
}

func BenchmarkInvPublic(b *testing.B) {
	for _, name := range []string{"tc26-256-A", "tc26-512-A"} {
		c, _ := CurveByName(name)
		b.Run(name, func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(5, 6))
			xs := make([]limbs, 64)
			for i := range xs {
				xs[i] = limbsFromBig(randBelow(r, c.q))
			}
			var z limbs
			i := 0
			b.ReportAllocs()
			defer cpuMetric(b)()
			for b.Loop() {
				c.invPublic(&z, &xs[i%len(xs)])
				i++
			}
		})
		b.Run(name+"/big", func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(5, 6))
			xs := make([]*big.Int, 64)
			for i := range xs {
				xs[i] = randBelow(r, c.q)
			}
			i := 0
			b.ReportAllocs()
			defer cpuMetric(b)()
			for b.Loop() {
				new(big.Int).ModInverse(xs[i%len(xs)], c.q)
				i++
			}
		})
	}
}

// TestVerifyEdgeDigests signs and verifies digests whose value is 0, ≡ 0
// (mod q), ≥ q, or at the ends of the range, on every set, and compares
// Verify with the math/big reference (refVerify) on the signature, on a
// signature of a neighbouring digest and on a tampered one.
func TestVerifyEdgeDigests(t *testing.T) {
	r := mrand.New(mrand.NewPCG(7, 8))
	for i, c := range curves {
		k, err := GenerateKey(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		pub := k.PublicKey()
		top := new(big.Int).Lsh(big.NewInt(1), uint(8*c.Size))
		one := big.NewInt(1)
		es := []*big.Int{
			big.NewInt(0), one, big.NewInt(2), c.Q(),
			new(big.Int).Sub(c.Q(), one), new(big.Int).Add(c.Q(), one),
			new(big.Int).Sub(top, one), new(big.Int).Sub(top, c.Q()),
		}
		if m := new(big.Int).Lsh(c.Q(), 1); m.Cmp(top) < 0 {
			es = append(es, m, new(big.Int).Add(m, one)) // 2q, on the sets with cofactor 4
		}
		for range 6 {
			e := randBelow(r, new(big.Int).Sub(top, c.Q()))
			es = append(es, e.Add(e, c.Q())) // ≥ q
		}
		for _, e := range es {
			digest := le(e, c.Size)
			sig, err := k.Sign(nil, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !Verify(pub, digest, sig) || !refVerify(i, pub, digest, sig) {
				t.Fatalf("%s: signature of e = %x does not verify", c.Name, e)
			}
			other := le(new(big.Int).Add(e, big.NewInt(3)).Mod(new(big.Int).Add(e, big.NewInt(3)), top), c.Size)
			bad := flip(sig, r.IntN(len(sig)))
			for _, tc := range []struct {
				d, s []byte
			}{{other, sig}, {digest, bad}} {
				if got, want := Verify(pub, tc.d, tc.s), refVerify(i, pub, tc.d, tc.s); got != want {
					t.Fatalf("%s: e = %x: Verify = %v, reference = %v", c.Name, e, got, want)
				}
			}
		}
	}
}

// wnafSlow is the width-w NAF computed one bit at a time, the reference
// for wnaf.
func wnafSlow(k *big.Int, w uint) []int {
	var out []int
	v := new(big.Int).Set(k)
	two := new(big.Int).Lsh(big.NewInt(1), w)
	for v.Sign() > 0 {
		d := 0
		if v.Bit(0) == 1 {
			m := new(big.Int).Mod(v, two).Int64()
			if m >= int64(1)<<(w-1) {
				m -= int64(1) << w
			}
			d = int(m)
			v.Sub(v, big.NewInt(m))
		}
		out = append(out, d)
		v.Rsh(v, 1)
	}
	return out
}

// TestWnafMatchesReference compares wnaf with the textbook recoding on
// random, sparse and dense scalars of both sizes and every width in use.
func TestWnafMatchesReference(t *testing.T) {
	r := mrand.New(mrand.NewPCG(9, 10))
	for _, nbits := range []int{256, 512} {
		top := new(big.Int).Lsh(big.NewInt(1), uint(nbits))
		var ks []*big.Int
		for range 300 {
			ks = append(ks, randBelow(r, top))
		}
		ones := new(big.Int).Sub(top, big.NewInt(1))
		ks = append(ks, big.NewInt(0), big.NewInt(1), ones, new(big.Int).Rsh(ones, 1),
			new(big.Int).Lsh(big.NewInt(1), uint(nbits-1)), new(big.Int).Sub(ones, big.NewInt(1<<40)))
		for range 100 { // long runs of ones and zeros
			k := new(big.Int)
			for b := 0; b < nbits; {
				run := 1 + r.IntN(100)
				if r.IntN(2) == 1 {
					for j := b; j < b+run && j < nbits; j++ {
						k.SetBit(k, j, 1)
					}
				}
				b += run
			}
			ks = append(ks, k)
		}
		for _, w := range []uint{2, 4, 5, 6, 8} {
			for _, k := range ks {
				var naf [wnafMax]int8
				kl := limbsFromBig(k)
				n := wnaf(&naf, &kl, nbits, w)
				want := wnafSlow(k, w)
				if n != len(want) {
					t.Fatalf("w=%d k=%x: length %d, want %d", w, k, n, len(want))
				}
				for i := range want {
					if int(naf[i]) != want[i] {
						t.Fatalf("w=%d k=%x: digit %d = %d, want %d", w, k, i, naf[i], want[i])
					}
				}
			}
		}
	}
}
