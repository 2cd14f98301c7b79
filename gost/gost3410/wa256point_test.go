package gost3410

import (
	"math/big"
	"testing"
)

// Edge cases of the a = −3 formulas over fe256 (tc26-256-B): doubling
// through add, P + (−P), the identity on either side, for the complete
// projective and the variable-time Jacobian formulas.
func TestWa256PointEdgeCases(t *testing.T) {
	cv, _ := CurveByName("tc26-256-B")
	c := cv.impl.(*wa256Curve)
	ref := newRefCurve(&paramSets[curveIndex(cv)])
	k := big.NewInt(987654321)
	pRef := ref.mul(k, ref.g)
	p2Ref := ref.add(pRef, pRef)

	var pa, na wa256Affine
	fe256FromLimbs(&pa.x, ptr(limbsFromBig(pRef.x)))
	fe256FromLimbs(&pa.y, ptr(limbsFromBig(pRef.y)))
	na.x = pa.x
	fe256Neg(&na.y, &pa.y)
	p := wa256Point{pa.x, pa.y, fe256One}
	n := wa256Point{na.x, na.y, fe256One}
	var o wa256Point
	o.setIdentity()

	want := func(what string, got *wa256Point, w refPoint) {
		t.Helper()
		x, y, ok := c.affine(got)
		if w.x == nil {
			if ok != 0 {
				t.Fatalf("%s: want the identity", what)
			}
			return
		}
		if ok != 1 || bigFromLimbs(&x).Cmp(w.x) != 0 || bigFromLimbs(&y).Cmp(w.y) != 0 {
			t.Fatalf("%s: got (%x, %x) ok=%d", what, bigFromLimbs(&x), bigFromLimbs(&y), ok)
		}
	}
	var r wa256Point
	c.add(&r, &p, &p)
	want("P+P", &r, p2Ref)
	c.double(&r, &p)
	want("2P", &r, p2Ref)
	c.add(&r, &p, &n)
	want("P−P", &r, refPoint{})
	c.add(&r, &o, &p)
	want("O+P", &r, pRef)
	c.add(&r, &p, &o)
	want("P+O", &r, pRef)
	c.add(&r, &o, &o)
	want("O+O", &r, refPoint{})
	c.double(&r, &o)
	want("2O", &r, refPoint{})
	c.addAffine(&r, &p, &pa)
	want("P+Pa", &r, p2Ref)
	c.addAffine(&r, &p, &na)
	want("P−Pa", &r, refPoint{})
	c.addAffine(&r, &o, &pa)
	want("O+Pa", &r, pRef)

	jac := func(what string, got *wa256Jac, w refPoint) {
		t.Helper()
		var pr wa256Point
		// (X/Z², Y/Z³) = (XZ : Y : Z³) projectively.
		var z2 fe256
		fe256Sqr(&z2, &got.z)
		fe256Mul(&pr.x, &got.x, &got.z)
		pr.y = got.y
		fe256Mul(&pr.z, &z2, &got.z)
		if got.isIdentity() {
			pr.setIdentity()
		}
		want(what, &pr, w)
	}
	pj := wa256Jac{pa.x, pa.y, fe256One}
	nj := wa256Jac{na.x, na.y, fe256One}
	var oj, rj wa256Jac
	jacAdd256(&rj, &pj, &pj)
	jac("J P+P", &rj, p2Ref)
	jacDouble256(&rj, &pj)
	jac("J 2P", &rj, p2Ref)
	jacAdd256(&rj, &pj, &nj)
	jac("J P−P", &rj, refPoint{})
	jacAdd256(&rj, &oj, &pj)
	jac("J O+P", &rj, pRef)
	jacAdd256(&rj, &pj, &oj)
	jac("J P+O", &rj, pRef)
	jacDouble256(&rj, &oj)
	jac("J 2O", &rj, refPoint{})
	jacAddAffine256(&rj, &pj, &pa)
	jac("J P+Pa", &rj, p2Ref)
	jacAddAffine256(&rj, &pj, &na)
	jac("J P−Pa", &rj, refPoint{})
	jacAddAffine256(&rj, &oj, &pa)
	jac("J O+Pa", &rj, pRef)
	// A non-trivial Z: 2P + P against 3P.
	var p2j wa256Jac
	jacDouble256(&p2j, &pj)
	jacAdd256(&rj, &p2j, &pj)
	jac("J 2P+P", &rj, ref.add(p2Ref, pRef))
	jacAddAffine256(&rj, &p2j, &pa)
	jac("J 2P+Pa", &rj, ref.add(p2Ref, pRef))
}
