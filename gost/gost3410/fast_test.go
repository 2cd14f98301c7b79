package gost3410

import (
	"bytes"
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// Differential tests of the specialised implementations (fast.go) against
// the generic one and the math/big reference.

func fastCurves(t *testing.T) []int {
	t.Helper()
	var idx []int
	for i, c := range curves {
		if c.impl != curveImpl(c.generic) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		t.Fatal("no specialised curve wired in")
	}
	return idx
}

// recodingScalars returns scalars whose every w-bit window holds the same
// value v, for every v, so the signed recoding meets every digit and sign,
// plus all-ones runs 2^j − 1.
func recodingScalars(q *big.Int, bits int) []*big.Int {
	var out []*big.Int
	for _, w := range []int{4, 5, 6} {
		out = append(out, recodingPatterns(q, bits, w)...)
	}
	for _, j := range []int{1, 4, 5, 63, 64, 65, 127, 128, bits - 4, bits - 3, bits - 2, bits - 1} {
		k := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(j)), big.NewInt(1))
		out = append(out, k.Mod(k, q))
	}
	return out
}

// recodingPatterns returns, for each w-bit value v, the scalar whose every
// w-bit window is v, reduced mod q.
func recodingPatterns(q *big.Int, bits, w int) []*big.Int {
	var out []*big.Int
	for v := range 1 << w {
		k := new(big.Int)
		for i := 0; i < bits; i += w {
			k.Lsh(k, uint(w)).Or(k, big.NewInt(int64(v)))
		}
		out = append(out, k.Mod(k, q))
	}
	return out
}

// Every production set has a specialised implementation; only the two
// test sets of the standard run on the generic code.
func TestEveryProductionSetIsSpecialised(t *testing.T) {
	for _, c := range curves {
		if fast := c.impl != curveImpl(c.generic); fast == c.Test {
			t.Errorf("%s: test set %v, specialised %v", c.Name, c.Test, fast)
		}
	}
}

func TestFastBaseMult(t *testing.T) {
	r := mrand.New(mrand.NewPCG(9, 10))
	for _, i := range fastCurves(t) {
		c := curves[i]
		ref := newRefCurve(&paramSets[i])
		ks := append(edgeScalars(ref.q), ref.q, new(big.Int).Sub(ref.q, big.NewInt(3)))
		ks = append(ks, recodingScalars(ref.q, c.Size*8)...)
		for range 40 {
			ks = append(ks, randBelow(r, ref.q))
		}
		for n, k := range ks {
			kl := limbsFromBig(k)
			x, y, ok := c.impl.baseMult(kl)
			gx, gy, gok := c.generic.baseMult(kl)
			if ok != gok || (ok == 1 && (x != gx || y != gy)) {
				t.Fatalf("%s: baseMult(%x) = (%x, %x, %d), generic (%x, %x, %d)", c.Name, k,
					bigFromLimbs(&x), bigFromLimbs(&y), ok, bigFromLimbs(&gx), bigFromLimbs(&gy), gok)
			}
			if n < 20 {
				want := ref.mul(k, ref.g)
				if (want.x == nil) != (ok == 0) || (ok == 1 && (bigFromLimbs(&x).Cmp(want.x) != 0 || bigFromLimbs(&y).Cmp(want.y) != 0)) {
					t.Fatalf("%s: baseMult(%x) disagrees with the reference", c.Name, k)
				}
			}
		}
	}
}

func TestFastCombinedMult(t *testing.T) {
	r := mrand.New(mrand.NewPCG(11, 12))
	for _, i := range fastCurves(t) {
		c := curves[i]
		ref := newRefCurve(&paramSets[i])
		one := big.NewInt(1)
		qm1 := new(big.Int).Sub(ref.q, one)
		type tc struct{ u1, u2, dq *big.Int }
		cases := []tc{
			{big.NewInt(0), big.NewInt(0), big.NewInt(1)},
			{big.NewInt(1), big.NewInt(0), big.NewInt(1)},
			{big.NewInt(0), big.NewInt(1), big.NewInt(1)},
			{big.NewInt(1), big.NewInt(1), big.NewInt(1)}, // G + G through add
			{big.NewInt(1), qm1, big.NewInt(1)},           // G − G: identity
			{big.NewInt(5), big.NewInt(3), big.NewInt(2)}, // 5G + 3·2G
			{qm1, qm1, qm1}, // −G + (−1)(−G)
			{big.NewInt(7), new(big.Int).Sub(ref.q, big.NewInt(7)), big.NewInt(1)}, // identity
		}
		for _, k := range recodingScalars(ref.q, c.Size*8)[:40] {
			cases = append(cases, tc{k, randBelow(r, ref.q), randBelow(r, ref.q)})
		}
		for range 30 {
			u1, dq := randBelow(r, ref.q), randBelow(r, ref.q)
			cases = append(cases, tc{u1, randBelow(r, ref.q), dq})
			// u1 + u2·dq ≡ 0: the sum is the identity.
			u2 := new(big.Int).ModInverse(dq, ref.q)
			u2.Mul(u2, new(big.Int).Neg(u1)).Mod(u2, ref.q)
			cases = append(cases, tc{u1, u2, dq})
		}
		for _, tc := range cases {
			if tc.dq.Sign() == 0 {
				continue
			}
			qx, qy, _ := c.generic.baseMult(limbsFromBig(tc.dq))
			u1, u2 := limbsFromBig(tc.u1), limbsFromBig(tc.u2)
			x, ok := c.impl.combinedMultX(u1, u2, &qx, &qy)
			gx, gok := c.generic.combinedMultX(u1, u2, &qx, &qy)
			if ok != gok || (ok && x != gx) {
				t.Fatalf("%s: combinedMultX(%x, %x, %x·G) = %x %v, generic %x %v", c.Name,
					tc.u1, tc.u2, tc.dq, bigFromLimbs(&x), ok, bigFromLimbs(&gx), gok)
			}
			k := new(big.Int).Mul(tc.u2, tc.dq)
			k.Add(k, tc.u1).Mod(k, ref.q)
			want := ref.mul(k, ref.g)
			if (want.x == nil) == ok || (ok && bigFromLimbs(&x).Cmp(want.x) != 0) {
				t.Fatalf("%s: combinedMultX disagrees with the reference", c.Name)
			}
		}
	}
}

// smallOrderPoints returns points of the full curve group outside the
// subgroup of order q: multiples of random points by q (order dividing the
// cofactor) and such points plus G.
func smallOrderPoints(r *mrand.Rand, ref *refCurve, cofactor int) []refPoint {
	var out []refPoint
	for len(out) < 12 {
		x := randBelow(r, ref.p)
		rhs := new(big.Int).Exp(x, big.NewInt(3), ref.p)
		rhs.Add(rhs, new(big.Int).Mul(ref.a, x)).Add(rhs, ref.b).Mod(rhs, ref.p)
		y := new(big.Int).ModSqrt(rhs, ref.p)
		if y == nil {
			continue
		}
		pt := refPoint{x, y}
		if cofactor == 1 {
			out = append(out, pt)
			continue
		}
		s := ref.mul(ref.q, pt)
		if s.x == nil {
			continue
		}
		out = append(out, s, ref.add(s, ref.g), pt)
	}
	return out
}

func TestFastValidPublic(t *testing.T) {
	r := mrand.New(mrand.NewPCG(13, 14))
	for _, i := range fastCurves(t) {
		c := curves[i]
		ref := newRefCurve(&paramSets[i])
		var pts []refPoint
		for range 5 {
			pts = append(pts, ref.mul(randBelow(r, ref.q), ref.g))
		}
		pts = append(pts, ref.g)
		pts = append(pts, smallOrderPoints(r, ref, c.Cofactor)...)
		top := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(8*c.Size)), big.NewInt(1))
		pts = append(pts,
			refPoint{big.NewInt(0), big.NewInt(0)},
			refPoint{ref.g.x, new(big.Int).Add(ref.g.y, big.NewInt(1))},
			refPoint{new(big.Int).Add(ref.g.x, ref.p), ref.g.y}, // x ≥ p
			refPoint{ref.g.x, new(big.Int).Add(ref.g.y, ref.p)}, // y ≥ p
			refPoint{top, top},
		)
		for _, pt := range pts {
			if pt.x == nil || pt.x.BitLen() > 8*c.Size || pt.y.BitLen() > 8*c.Size {
				continue
			}
			x, y := limbsFromBig(pt.x), limbsFromBig(pt.y)
			got, want := c.impl.validPublic(&x, &y), c.generic.validPublic(&x, &y)
			if got != want {
				t.Fatalf("%s: validPublic(%x, %x) = %v, generic %v", c.Name, pt.x, pt.y, got, want)
			}
		}
	}
}

// Fast and generic signing agree bit for bit on the same nonce, and each
// verifies the other's signatures.
func TestFastSignMatchesGeneric(t *testing.T) {
	r := mrand.New(mrand.NewPCG(15, 16))
	for _, i := range fastCurves(t) {
		c := curves[i]
		gc := *c
		gc.impl = c.generic
		for n := range 20 {
			d := randBelow(r, c.q)
			if d.Sign() == 0 {
				continue
			}
			k, err := NewPrivateKey(c, le(d, c.Size))
			if err != nil {
				t.Fatal(err)
			}
			gk, _ := NewPrivateKey(&gc, le(d, c.Size))
			if k.pub.x != gk.pub.x || k.pub.y != gk.pub.y {
				t.Fatalf("%s: public keys differ", c.Name)
			}
			digest := le(randBelow(r, new(big.Int).Lsh(big.NewInt(1), uint(8*c.Size))), c.Size)
			nonce := limbsFromBig(randBelow(r, c.q))
			if n == 0 {
				nonce = limbsFromBig(big.NewInt(1))
			} else if n == 1 {
				nonce = limbsFromBig(new(big.Int).Sub(c.q, big.NewInt(1)))
			}
			s1, err1 := k.signWithNonce(digest, &nonce)
			s2, err2 := gk.signWithNonce(digest, &nonce)
			if (err1 == nil) != (err2 == nil) || !bytes.Equal(s1, s2) {
				t.Fatalf("%s: fast and generic signatures differ", c.Name)
			}
			if err1 != nil {
				continue
			}
			if !Verify(k.PublicKey(), digest, s2) || !Verify(gk.PublicKey(), digest, s1) {
				t.Fatalf("%s: cross verification failed", c.Name)
			}
			bad := bytes.Clone(s1)
			bad[len(bad)-1] ^= 1
			if Verify(k.PublicKey(), digest, bad) {
				t.Fatalf("%s: fast verify accepted a corrupted signature", c.Name)
			}
		}
	}
}

func curveIndex(c *Curve) int {
	for i := range curves {
		if curves[i] == c {
			return i
		}
	}
	panic("unknown curve")
}

// verifyR agrees with combinedMultX, including points whose x is at least
// q (x mod q ≠ x): for the prime-order sets such points are found by
// trying x = q + j, for the Edwards sets they are common.
func TestFastVerifyR(t *testing.T) {
	r := mrand.New(mrand.NewPCG(21, 22))
	for _, i := range fastCurves(t) {
		c := curves[i]
		rv := c.impl.(rVerifier)
		ref := newRefCurve(&paramSets[i])
		var qs []refPoint
		for range 20 {
			qs = append(qs, ref.mul(randBelow(r, ref.q), ref.g))
		}
		for j := int64(0); len(qs) < 24 && j < 200; j++ {
			x := new(big.Int).Add(ref.q, big.NewInt(j))
			if x.Cmp(ref.p) >= 0 {
				break
			}
			rhs := new(big.Int).Exp(x, big.NewInt(3), ref.p)
			rhs.Add(rhs, new(big.Int).Mul(ref.a, x)).Add(rhs, ref.b).Mod(rhs, ref.p)
			y := new(big.Int).ModSqrt(rhs, ref.p)
			if y == nil {
				continue
			}
			pt := refPoint{x, y}
			if c.Cofactor != 1 {
				if ref.mul(ref.q, pt).x != nil {
					continue
				}
			}
			qs = append(qs, pt)
		}
		big1 := big.NewInt(1)
		t.Logf("%s: %d points with x ≥ q", c.Name, len(qs)-20)
		for n, q := range qs {
			qx, qy := limbsFromBig(q.x), limbsFromBig(q.y)
			u1, u2 := limbsFromBig(randBelow(r, ref.q)), limbsFromBig(randBelow(r, ref.q))
			if n >= 20 {
				u1, u2 = limbs{}, limbsFromBig(big1) // the point itself: x ≥ q
			}
			x, ok := c.impl.combinedMultX(u1, u2, &qx, &qy)
			if !ok {
				t.Fatalf("%s: unexpected identity", c.Name)
			}
			xr := new(big.Int).Mod(bigFromLimbs(&x), ref.q)
			rl := limbsFromBig(xr)
			if !rv.verifyR(u1, u2, &qx, &qy, rl) {
				t.Fatalf("%s: verifyR rejects x mod q = %x (x = %x)", c.Name, xr, bigFromLimbs(&x))
			}
			bad := limbsFromBig(new(big.Int).Mod(new(big.Int).Add(xr, big1), ref.q))
			if rv.verifyR(u1, u2, &qx, &qy, bad) {
				t.Fatalf("%s: verifyR accepts a wrong r", c.Name)
			}
		}
		// The identity never verifies.
		qx, qy, _ := c.generic.baseMult(limbsFromBig(big1))
		u1 := limbsFromBig(big1)
		u2 := limbsFromBig(new(big.Int).Sub(ref.q, big1))
		if rv.verifyR(u1, u2, &qx, &qy, limbs{}) || rv.verifyR(u1, u2, &qx, &qy, u1) {
			t.Fatalf("%s: verifyR accepted the identity", c.Name)
		}
	}
}
