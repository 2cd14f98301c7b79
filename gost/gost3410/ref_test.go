package gost3410

import (
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// A slow, obviously-correct reference: affine Weierstrass arithmetic on
// math/big, used only to cross-check the constant-time code.

type refPoint struct {
	x, y *big.Int // nil, nil is the point at infinity
}

type refCurve struct {
	p, a, b, q *big.Int
	g          refPoint
}

func newRefCurve(ps *paramSet) *refCurve {
	return &refCurve{
		p: mustHex(ps.p), a: mustHex(ps.a), b: mustHex(ps.b), q: mustHex(ps.q),
		g: refPoint{mustHex(ps.x), mustHex(ps.y)},
	}
}

func (c *refCurve) add(p1, p2 refPoint) refPoint {
	if p1.x == nil {
		return p2
	}
	if p2.x == nil {
		return p1
	}
	p := c.p
	var l *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		if new(big.Int).Mod(new(big.Int).Add(p1.y, p2.y), p).Sign() == 0 {
			return refPoint{}
		}
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3)).Add(num, c.a)
		den := new(big.Int).Lsh(p1.y, 1)
		l = num.Mul(num, den.ModInverse(den, p))
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.Mod(den, p)
		l = num.Mul(num, den.ModInverse(den, p))
	}
	l.Mod(l, p)
	x3 := new(big.Int).Mul(l, l)
	x3.Sub(x3, p1.x).Sub(x3, p2.x).Mod(x3, p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, l).Sub(y3, p1.y).Mod(y3, p)
	return refPoint{x3, y3}
}

func (c *refCurve) mul(k *big.Int, pt refPoint) refPoint {
	r := refPoint{}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = c.add(r, r)
		if k.Bit(i) == 1 {
			r = c.add(r, pt)
		}
	}
	return r
}

func bigFromLimbs(l *limbs) *big.Int {
	b := make([]byte, 8*maxLimbs)
	for i := range maxLimbs {
		for j := range 8 {
			b[len(b)-1-8*i-j] = byte(l[i] >> (8 * j))
		}
	}
	return new(big.Int).SetBytes(b)
}

func randBelow(r *mrand.Rand, m *big.Int) *big.Int {
	b := make([]byte, (m.BitLen()+7)/8+8)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return new(big.Int).Mod(new(big.Int).SetBytes(b), m)
}

// edgeScalars are the values where carries, reductions and identity
// handling usually break.
func edgeScalars(q *big.Int) []*big.Int {
	one := big.NewInt(1)
	return []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(15), big.NewInt(16), big.NewInt(17),
		new(big.Int).Sub(q, one), new(big.Int).Sub(q, big.NewInt(2)), new(big.Int).Rsh(q, 1),
		new(big.Int).Lsh(one, 64), new(big.Int).Sub(new(big.Int).Lsh(one, 128), one),
	}
}

func TestFieldMatchesBig(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, 2))
	for _, c := range curves {
		w := c.generic
		for _, f := range []*field{w.fp, c.fq} {
			m := bigFromLimbs(&f.m)
			R := new(big.Int).Lsh(big.NewInt(1), uint(64*f.n))
			Rinv := new(big.Int).ModInverse(R, m)
			vals := append(edgeScalars(m), new(big.Int).Sub(m, big.NewInt(3)))
			for range 50 {
				vals = append(vals, randBelow(r, m))
			}
			for i, x := range vals {
				y := vals[(i*7+3)%len(vals)]
				xl, yl := limbsFromBig(x), limbsFromBig(y)
				var z limbs
				f.mul(&z, &xl, &yl)
				want := new(big.Int).Mul(x, y)
				want.Mul(want, Rinv).Mod(want, m)
				if bigFromLimbs(&z).Cmp(want) != 0 {
					t.Fatalf("%s: mul(%x, %x) = %x, want %x", c.Name, x, y, bigFromLimbs(&z), want)
				}
				f.add(&z, &xl, &yl)
				if want := new(big.Int).Add(x, y); bigFromLimbs(&z).Cmp(want.Mod(want, m)) != 0 {
					t.Fatalf("%s: add wrong", c.Name)
				}
				f.sub(&z, &xl, &yl)
				if want := new(big.Int).Sub(x, y); bigFromLimbs(&z).Cmp(want.Mod(want, m)) != 0 {
					t.Fatalf("%s: sub wrong", c.Name)
				}
				if x.Sign() != 0 {
					var xm, inv, back limbs
					f.toMont(&xm, &xl)
					f.inv(&inv, &xm)
					f.mul(&back, &inv, &xm)
					if back != f.one {
						t.Fatalf("%s: x·x⁻¹ != 1 for %x", c.Name, x)
					}
				}
			}
			// toMont reduces values ≥ m (up to 2^(64n) − 1).
			top := new(big.Int).Sub(R, big.NewInt(1))
			tl := limbsFromBig(top)
			var z limbs
			f.toMont(&z, &tl)
			f.fromMont(&z, &z)
			if bigFromLimbs(&z).Cmp(new(big.Int).Mod(top, m)) != 0 {
				t.Fatalf("%s: toMont does not reduce 2^%d-1", c.Name, 64*f.n)
			}
		}
	}
}

func TestScalarMultMatchesReference(t *testing.T) {
	r := mrand.New(mrand.NewPCG(3, 4))
	for i, c := range curves {
		ref := newRefCurve(&paramSets[i])
		w := c.generic
		ks := edgeScalars(ref.q)
		ks = append(ks, ref.q) // q·G is the identity
		for range 8 {
			ks = append(ks, randBelow(r, ref.q))
		}
		other := ref.mul(big.NewInt(12345), ref.g)
		otherPt := w.fromAffine(ptr(limbsFromBig(other.x)), ptr(limbsFromBig(other.y)))
		for _, k := range ks {
			kl := limbsFromBig(k)
			var got point
			w.scalarBaseMult(&got, &kl)
			checkPoint(t, c, w, &got, ref.mul(k, ref.g), "k·G", k)
			w.scalarMult(&got, &otherPt, &kl)
			checkPoint(t, c, w, &got, ref.mul(k, other), "k·P", k)
		}
		// Doubling through add, identity on either side, P + (−P).
		g := w.gen
		var sum point
		w.add(&sum, &g, &g)
		checkPoint(t, c, w, &sum, ref.add(ref.g, ref.g), "G+G", big.NewInt(2))
		id := w.identity()
		w.add(&sum, &id, &g)
		checkPoint(t, c, w, &sum, ref.g, "O+G", big.NewInt(1))
		w.add(&sum, &g, &id)
		checkPoint(t, c, w, &sum, ref.g, "G+O", big.NewInt(1))
		negG := g
		w.fp.neg(&negG.y, &negG.y)
		w.add(&sum, &g, &negG)
		checkPoint(t, c, w, &sum, refPoint{}, "G−G", big.NewInt(0))
		w.add(&sum, &id, &id)
		checkPoint(t, c, w, &sum, refPoint{}, "O+O", big.NewInt(0))
	}
}

func ptr(l limbs) *limbs { return &l }

func checkPoint(t *testing.T, c *Curve, w *weierstrass, got *point, want refPoint, what string, k *big.Int) {
	t.Helper()
	x, y, ok := w.affine(got)
	if want.x == nil {
		if ok != 0 {
			t.Fatalf("%s: %s for k=%x: want identity, got (%x, %x)", c.Name, what, k, bigFromLimbs(&x), bigFromLimbs(&y))
		}
		return
	}
	if ok != 1 || bigFromLimbs(&x).Cmp(want.x) != 0 || bigFromLimbs(&y).Cmp(want.y) != 0 {
		t.Fatalf("%s: %s for k=%x:\n got (%x, %x) ok=%d\nwant (%x, %x)", c.Name, what, k, bigFromLimbs(&x), bigFromLimbs(&y), ok, want.x, want.y)
	}
}

func TestCurveParameters(t *testing.T) {
	for i, c := range curves {
		ref := newRefCurve(&paramSets[i])
		if !ref.p.ProbablyPrime(32) || !ref.q.ProbablyPrime(32) {
			t.Fatalf("%s: p or q not prime", c.Name)
		}
		lhs := new(big.Int).Mul(ref.g.y, ref.g.y)
		rhs := new(big.Int).Exp(ref.g.x, big.NewInt(3), nil)
		rhs.Add(rhs, new(big.Int).Mul(ref.a, ref.g.x)).Add(rhs, ref.b)
		if lhs.Sub(lhs, rhs).Mod(lhs, ref.p).Sign() != 0 {
			t.Fatalf("%s: base point not on curve", c.Name)
		}
		if ref.mul(ref.q, ref.g).x != nil {
			t.Fatalf("%s: q·G is not the identity", c.Name)
		}
		// Hasse: |h·q − (p + 1)| ≤ 2√p.
		n := new(big.Int).Mul(ref.q, big.NewInt(int64(c.Cofactor)))
		d := new(big.Int).Sub(n, new(big.Int).Add(ref.p, big.NewInt(1)))
		d.Mul(d, d)
		if d.Cmp(new(big.Int).Lsh(ref.p, 2)) > 0 {
			t.Fatalf("%s: cofactor·q outside the Hasse bound", c.Name)
		}
		if c.Size*8 != c.fq.n*64 {
			t.Fatalf("%s: size %d does not match %d limbs", c.Name, c.Size, c.fq.n)
		}
	}
	if len(Curves()) != 9 {
		t.Fatalf("want 9 parameter sets, got %d", len(Curves()))
	}
}
