package gost3410

import (
	"math/big"
	"testing"
)

// Edge cases of the Edwards formulas over fe256 (tc26-256-A), through the
// Weierstrass map: doubling through add, P + (−P), the identity, and the
// points of order 2 and 4 that complete formulas must also handle.
func TestEd256PointEdgeCases(t *testing.T) {
	cv, _ := CurveByName("tc26-256-A")
	c := cv.impl.(*ed256Curve)
	ref := newRefCurve(&paramSets[curveIndex(cv)])
	k := big.NewInt(123456789)
	pRef := ref.mul(k, ref.g)
	p2Ref := ref.add(pRef, pRef)

	var p ed256Point
	var px, py fe256
	fe256FromLimbs(&px, ptr(limbsFromBig(pRef.x)))
	fe256FromLimbs(&py, ptr(limbsFromBig(pRef.y)))
	if !c.fromWeierstrass(&p, &px, &py) {
		t.Fatal("map failed")
	}
	// The point satisfies u² + v² = 1 + d·u²v² (e = 1) after normalising.
	var zi, u, v, lhs, rhs, t1 fe256
	fe256Inv(&zi, &p.z)
	fe256Mul(&u, &p.x, &zi)
	fe256Mul(&v, &p.y, &zi)
	fe256Sqr(&u, &u)
	fe256Sqr(&v, &v)
	fe256Add(&lhs, &u, &v)
	fe256Mul(&t1, &u, &v)
	fe256Mul(&t1, &t1, &c.d)
	fe256Add(&rhs, &t1, &fe256One)
	if fe256Equal(&lhs, &rhs) != 1 {
		t.Fatal("mapped point is not on the Edwards curve")
	}
	want := func(what string, got *ed256Point, w refPoint) {
		t.Helper()
		x, y, ok := c.weierstrassXY(got)
		if w.x == nil {
			if ok != 0 || ed256IsIdentity(got) != 1 {
				t.Fatalf("%s: want the identity", what)
			}
			return
		}
		if ok != 1 || bigFromLimbs(&x).Cmp(w.x) != 0 || bigFromLimbs(&y).Cmp(w.y) != 0 {
			t.Fatalf("%s: got (%x, %x) ok=%d", what, bigFromLimbs(&x), bigFromLimbs(&y), ok)
		}
	}
	var pc, nc ed256Cached
	c.toCached(&pc, &p)
	ed256NegCached(&nc, &pc)
	aff := make([]ed256Affine, 1)
	c.batchAffine(aff, []ed256Point{p})
	pa := aff[0]
	var na ed256Affine
	ed256CondNegAffine(&na, &pa, 1)
	var o, r ed256Point
	o.setIdentity()

	ed256AddCached(&r, &p, &pc, true)
	want("P+P", &r, p2Ref)
	ed256Double(&r, &p, true)
	want("2P", &r, p2Ref)
	ed256AddCached(&r, &p, &nc, true)
	want("P−P", &r, refPoint{})
	ed256AddCached(&r, &o, &pc, true)
	want("O+P", &r, pRef)
	var oc ed256Cached
	c.toCached(&oc, &o)
	ed256AddCached(&r, &p, &oc, true)
	want("P+O", &r, pRef)
	ed256Double(&r, &o, true)
	want("2O", &r, refPoint{})
	ed256AddAffine(&r, &p, &pa, true)
	want("P+Pa", &r, p2Ref)
	ed256AddAffine(&r, &p, &na, true)
	want("P−Pa", &r, refPoint{})
	ed256AddAffine(&r, &o, &pa, true)
	want("O+Pa", &r, pRef)

	// (0, −1) has order 2: doubling it gives the identity, and adding it
	// twice to P gives P back — the complete law has no exceptions there.
	var t2 ed256Point
	t2.y = fe256One
	fe256Neg(&t2.y, &t2.y)
	t2.z = fe256One
	var t2c ed256Cached
	c.toCached(&t2c, &t2)
	ed256Double(&r, &t2, true)
	if ed256IsIdentity(&r) != 1 {
		t.Fatal("2·(0, −1) is not the identity")
	}
	ed256AddCached(&r, &p, &t2c, true)
	ed256AddCached(&r, &r, &t2c, true)
	want("P+T2+T2", &r, pRef)
}
