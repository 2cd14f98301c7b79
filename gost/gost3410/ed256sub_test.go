package gost3410

import (
	"crypto/rand"
	"math/big"
	"testing"
)

// TestEd256Descent: the 2-descent subgroup test of tc26-256-A agrees with
// multiplying by q — on points of the subgroup with each torsion point
// (orders 1, 2, 4, 4) added, on the torsion points themselves, and on
// random points of the curve (which have any of the four torsion parts) —
// and with the math/big reference's q·P on all of them.
func TestEd256Descent(t *testing.T) {
	cv, _ := CurveByName("tc26-256-A")
	c := cv.impl.(*ed256Curve)
	if c.desc == nil {
		t.Fatal("the descent test's assumptions do not hold for this curve")
	}
	ref := newRefCurve(&paramSets[curveIndex(cv)])
	p := ref.p
	s, tt := bigFromLimbs(ptr(fe256ToLimbs(&c.s))), bigFromLimbs(ptr(fe256ToLimbs(&c.t)))
	t2 := refPoint{tt, big.NewInt(0)}
	t4 := refPoint{new(big.Int).Mod(new(big.Int).Add(s, tt), p), s}
	t4n := refPoint{t4.x, new(big.Int).Sub(p, s)}
	if ref.add(t4, t4).x.Cmp(tt) != 0 || ref.mul(big.NewInt(4), t4).x != nil {
		t.Fatal("the torsion points are not what the test assumes")
	}
	check := func(what string, pt refPoint) bool {
		t.Helper()
		var x, y fe256
		fe256FromLimbs(&x, ptr(limbsFromBig(pt.x)))
		fe256FromLimbs(&y, ptr(limbsFromBig(pt.y)))
		want := ref.mul(ref.q, pt).x == nil
		if got := c.desc.inSubgroup(c, &x, &y); got != want {
			t.Fatalf("%s (%x, %x): descent says %v, q·P says %v", what, pt.x, pt.y, got, want)
		}
		if got := c.inSubgroupMul(&x, &y); got != want {
			t.Fatalf("%s: the multiplication says %v, the reference %v", what, got, want)
		}
		return want
	}
	for _, tp := range []refPoint{t2, t4, t4n} {
		if check("torsion point", tp) {
			t.Fatal("a torsion point passed")
		}
	}
	for i := range 24 {
		k, _ := rand.Int(rand.Reader, ref.q)
		k.Add(k, big.NewInt(1))
		pt := ref.mul(k, ref.g)
		for j, tp := range []refPoint{{}, t2, t4, t4n} {
			if ok := check("subgroup point + torsion", ref.add(pt, tp)); ok != (j == 0) {
				t.Fatalf("point %d torsion %d: in subgroup %v", i, j, ok)
			}
		}
	}
	// Random curve points: x at random, y a square root of x³ + ax + b.
	counts := map[bool]int{}
	for counts[true]+counts[false] < 200 {
		x, _ := rand.Int(rand.Reader, p)
		rhs := new(big.Int).Exp(x, big.NewInt(3), p)
		rhs.Add(rhs, new(big.Int).Mul(ref.a, x)).Add(rhs, ref.b).Mod(rhs, p)
		y := new(big.Int).ModSqrt(rhs, p)
		if y == nil || y.Sign() == 0 {
			continue
		}
		counts[check("random curve point", refPoint{x, y})]++
	}
	// About 1 in 4 random points has order q; both outcomes must occur.
	if counts[true] < 20 || counts[false] < 100 {
		t.Fatalf("random points: %v", counts)
	}
}

func BenchmarkEd256SubgroupCheck(b *testing.B) {
	cv, _ := CurveByName("tc26-256-A")
	c := cv.impl.(*ed256Curve)
	gx, gy, _ := c.baseMult(limbsFromBig(big.NewInt(987654321)))
	var x, y fe256
	fe256FromLimbs(&x, &gx)
	fe256FromLimbs(&y, &gy)
	b.Run("descent", func(b *testing.B) {
		defer cpuMetric(b)()
		for b.Loop() {
			c.desc.inSubgroup(c, &x, &y)
		}
	})
	b.Run("multiply-by-q", func(b *testing.B) {
		for b.Loop() {
			c.inSubgroupMul(&x, &y)
		}
	})
}

// TestFe256PowOnesTail compares the exponentiation chain of the descent
// with math/big's Exp on the two exponents it serves, on exponents of the
// same shape with other run lengths and tails, and on edge bases.
func TestFe256PowOnesTail(t *testing.T) {
	p := fe256PBig
	one := big.NewInt(1)
	exps := []*big.Int{new(big.Int).Rsh(p, 1), new(big.Int).Rsh(p, 2)}
	for _, k := range []int{1, 2, 3, 7, 64, 100, 255} {
		for _, tl := range []int{0, 1, 5, 9} {
			e := new(big.Int).Lsh(new(big.Int).Sub(new(big.Int).Lsh(one, uint(k)), one), uint(tl))
			exps = append(exps, e, new(big.Int).Add(e, big.NewInt(int64(1)<<uint(tl)-1)))
		}
	}
	bases := []*big.Int{big.NewInt(0), one, big.NewInt(2), new(big.Int).Sub(p, one)}
	for range 20 {
		v, _ := rand.Int(rand.Reader, p)
		bases = append(bases, v)
	}
	for _, e := range exps {
		et := newOnesTail(e)
		for _, v := range bases {
			x := fe256FromBig(v)
			var z fe256
			fe256PowOnesTail(&z, &x, et)
			want := new(big.Int).Exp(v, e, p)
			if got := bigFromLimbs(ptr(fe256ToLimbs(&z))); got.Cmp(want) != 0 {
				t.Fatalf("%x^%x = %x, want %x", v, e, got, want)
			}
		}
	}
}
