package gost3410

// point is a projective point (X:Y:Z) on y²z = x³ + axz² + bz³, coordinates
// in the Montgomery domain. The identity is (0:1:0).
type point struct {
	x, y, z limbs
}

// weierstrass is the generic implementation of a parameter set: complete
// projective formulas for arbitrary a (Renes, Costello, Batina 2016,
// "Complete addition formulas for prime order elliptic curves", Algorithm 1)
// over the generic Montgomery field. The formulas have no exceptional cases
// for points of the prime-order subgroup, which is all this package ever
// adds (public keys are checked to have order q), so scalar multiplication
// needs no secret-dependent branches.
type weierstrass struct {
	fp       *field
	a, b, b3 limbs // a, b and 3b, Montgomery form
	gen      point // base point
	// genTable holds 0·G … 15·G for fixed-window multiplication.
	genTable [16]point
	q        limbs // order of G, canonical
	cofactor int
}

func (c *weierstrass) baseMult(k limbs) (x, y limbs, ok uint64) {
	var r point
	c.scalarBaseMult(&r, &k)
	return c.affine(&r)
}

func (c *weierstrass) validPublic(x, y *limbs) bool {
	if c.fp.less(x) == 0 || c.fp.less(y) == 0 || !c.onCurve(x, y) {
		return false
	}
	if c.cofactor == 1 {
		// Every affine point of a prime-order curve has order q.
		return true
	}
	// On a curve with cofactor 4 the complete formulas are complete only
	// inside the subgroup of order q: adding points whose difference has
	// order 2 yields (0:0:0), which every later addition keeps. So q·P is
	// the genuine identity (0:Y:0), Y ≠ 0, exactly when P has order q.
	// (The fast Edwards code for tc26-256-A and tc26-512-C, ed256curve.go,
	// makes the same check with an addition law that is complete on the
	// whole curve, so it has no such degenerate state.)
	p := c.fromAffine(x, y)
	var r point
	c.scalarMult(&r, &p, &c.q)
	return c.fp.isZero(&r.z)&(1^c.fp.isZero(&r.y)) == 1
}

func (c *weierstrass) combinedMultX(u1, u2 limbs, qx, qy *limbs) (limbs, bool) {
	var a, b point
	c.scalarBaseMult(&a, &u1)
	q := c.fromAffine(qx, qy)
	c.scalarMult(&b, &q, &u2)
	c.add(&a, &a, &b)
	x, _, ok := c.affine(&a)
	return x, ok == 1
}

func (c *weierstrass) identity() point {
	return point{y: c.fp.one}
}

// add sets r = p + q. r may alias p or q.
func (c *weierstrass) add(r, p, q *point) {
	f := c.fp
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 limbs
	f.mul(&t0, &p.x, &q.x)
	f.mul(&t1, &p.y, &q.y)
	f.mul(&t2, &p.z, &q.z)
	f.add(&t3, &p.x, &p.y)
	f.add(&t4, &q.x, &q.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4) // X1Y2 + X2Y1
	f.add(&t4, &p.x, &p.z)
	f.add(&t5, &q.x, &q.z)
	f.mul(&t4, &t4, &t5)
	f.add(&t5, &t0, &t2)
	f.sub(&t4, &t4, &t5) // X1Z2 + X2Z1
	f.add(&t5, &p.y, &p.z)
	f.add(&x3, &q.y, &q.z)
	f.mul(&t5, &t5, &x3)
	f.add(&x3, &t1, &t2)
	f.sub(&t5, &t5, &x3) // Y1Z2 + Y2Z1
	f.mul(&z3, &c.a, &t4)
	f.mul(&x3, &c.b3, &t2)
	f.add(&z3, &x3, &z3)
	f.sub(&x3, &t1, &z3)
	f.add(&z3, &t1, &z3)
	f.mul(&y3, &x3, &z3)
	f.add(&t1, &t0, &t0)
	f.add(&t1, &t1, &t0)
	f.mul(&t2, &c.a, &t2)
	f.mul(&t4, &c.b3, &t4)
	f.add(&t1, &t1, &t2)
	f.sub(&t2, &t0, &t2)
	f.mul(&t2, &c.a, &t2)
	f.add(&t4, &t4, &t2)
	f.mul(&t0, &t1, &t4)
	f.add(&y3, &y3, &t0)
	f.mul(&t0, &t5, &t4)
	f.mul(&x3, &t3, &x3)
	f.sub(&x3, &x3, &t0)
	f.mul(&t0, &t3, &t1)
	f.mul(&z3, &t5, &z3)
	f.add(&z3, &z3, &t0)
	r.x, r.y, r.z = x3, y3, z3
}

// double sets r = 2p.
func (c *weierstrass) double(r, p *point) { c.add(r, p, p) }

// selectPoint sets r = p if cond == 1, else leaves r unchanged.
func selectPoint(r, p *point, cond uint64) {
	selectLimbs(&r.x, &p.x, &r.x, cond)
	selectLimbs(&r.y, &p.y, &r.y, cond)
	selectLimbs(&r.z, &p.z, &r.z, cond)
}

// makeTable fills t with 0·p … 15·p.
func (c *weierstrass) makeTable(t *[16]point, p *point) {
	t[0] = c.identity()
	t[1] = *p
	for i := 2; i < 16; i++ {
		c.add(&t[i], &t[i-1], p)
	}
}

// lookup sets r = t[idx] reading every entry, so the memory access pattern
// does not depend on idx.
func lookup(r *point, t *[16]point, idx uint64) {
	*r = t[0]
	for i := uint64(1); i < 16; i++ {
		// eq is 1 when i == idx: (i ^ idx) − 1 borrows only from zero.
		eq := ((i ^ idx) - 1) >> 63
		selectPoint(r, &t[i], eq)
	}
}

// scalarMultTable sets r = k·P where t = table of P, with a fixed 4-bit
// window over every bit of the n-limb scalar k (canonical, not Montgomery).
// The sequence of operations is the same for every k.
func (c *weierstrass) scalarMultTable(r *point, t *[16]point, k *limbs) {
	acc := c.identity()
	var sel point
	for i := c.fp.n*64 - 4; i >= 0; i -= 4 {
		c.double(&acc, &acc)
		c.double(&acc, &acc)
		c.double(&acc, &acc)
		c.double(&acc, &acc)
		w := k[i/64] >> (uint(i) % 64) & 0xf
		lookup(&sel, t, w)
		c.add(&acc, &acc, &sel)
	}
	*r = acc
}

// scalarMult sets r = k·p.
func (c *weierstrass) scalarMult(r, p *point, k *limbs) {
	var t [16]point
	c.makeTable(&t, p)
	c.scalarMultTable(r, &t, k)
}

// scalarBaseMult sets r = k·G.
func (c *weierstrass) scalarBaseMult(r *point, k *limbs) {
	c.scalarMultTable(r, &c.genTable, k)
}

// affine returns the affine coordinates of p in canonical (non-Montgomery)
// form, and ok = 0 if p is the identity.
func (c *weierstrass) affine(p *point) (x, y limbs, ok uint64) {
	f := c.fp
	var zi limbs
	f.inv(&zi, &p.z)
	f.mul(&x, &p.x, &zi)
	f.mul(&y, &p.y, &zi)
	f.fromMont(&x, &x)
	f.fromMont(&y, &y)
	return x, y, 1 ^ f.isZero(&p.z)
}

// fromAffine builds a point from canonical affine coordinates x, y < p.
func (c *weierstrass) fromAffine(x, y *limbs) point {
	var r point
	c.fp.toMont(&r.x, x)
	c.fp.toMont(&r.y, y)
	r.z = c.fp.one
	return r
}

// onCurve reports whether the affine point (x, y), canonical and < p,
// satisfies y² = x³ + ax + b.
func (c *weierstrass) onCurve(x, y *limbs) bool {
	f := c.fp
	var xm, ym, lhs, rhs limbs
	f.toMont(&xm, x)
	f.toMont(&ym, y)
	f.sqr(&lhs, &ym)
	f.sqr(&rhs, &xm)
	f.add(&rhs, &rhs, &c.a)
	f.mul(&rhs, &rhs, &xm) // x³ + ax
	f.add(&rhs, &rhs, &c.b)
	return f.equal(&lhs, &rhs) == 1
}
