package gost3410

// Twisted Edwards arithmetic over fe256 for tc26-256-A, whose curve is
// e·u² + v² = 1 + d·u²v² with e = 1 and d a non-square mod p. Points are in
// extended coordinates (X:Y:Z:T) with u = X/Z, v = Y/Z, T = XY/Z (Hisil,
// Wong, Carter, Dawson 2008, "Twisted Edwards curves revisited"). With e a
// square and d a non-square the addition law is complete (Bernstein, Lange:
// no exceptional inputs on the whole curve, including the points of order
// 2 and 4), so the same formulas serve secret scalars in constant time and
// the subgroup check of untrusted public keys. The identity is (0:1:1:0).

// ed256Point is a point in extended coordinates.
type ed256Point struct {
	x, y, z, t fe256
}

// ed256Affine is a precomputed affine point (u, v, d·u·v), Z = 1.
type ed256Affine struct {
	x, y, dt fe256
}

// ed256Cached is a projective point with T premultiplied by d, ready to be
// added many times.
type ed256Cached struct {
	x, y, z, dt fe256
}

func (p *ed256Point) setIdentity() {
	*p = ed256Point{}
	p.y, p.z = fe256One, fe256One
}

// ed256AddCached sets r = p + q (add-2008-hwcd with e = 1; 8M with d·T of q
// precomputed, 7M when withT = false skips T of r because a doubling comes
// next).
func ed256AddCached(r, p *ed256Point, q *ed256Cached, withT bool) {
	var a, b, c, d, e, f, g, h, t fe256
	fe256Mul(&a, &p.x, &q.x)
	fe256Mul(&b, &p.y, &q.y)
	fe256Mul(&c, &p.t, &q.dt)
	fe256Mul(&d, &p.z, &q.z)
	fe256Add(&e, &p.x, &p.y)
	fe256Add(&t, &q.x, &q.y)
	fe256Mul(&e, &e, &t)
	fe256Sub(&e, &e, &a)
	fe256Sub(&e, &e, &b) // X1·Y2 + Y1·X2
	fe256Sub(&f, &d, &c)
	fe256Add(&g, &d, &c)
	fe256Sub(&h, &b, &a) // Y1·Y2 − e·X1·X2
	fe256Mul(&r.x, &e, &f)
	fe256Mul(&r.y, &g, &h)
	if withT {
		fe256Mul(&r.t, &e, &h)
	}
	fe256Mul(&r.z, &f, &g)
}

// ed256AddAffine sets r = p + q for a precomputed affine q (8M, 7M without
// T of r).
func ed256AddAffine(r, p *ed256Point, q *ed256Affine, withT bool) {
	var a, b, c, e, f, g, h, t fe256
	fe256Mul(&a, &p.x, &q.x)
	fe256Mul(&b, &p.y, &q.y)
	fe256Mul(&c, &p.t, &q.dt)
	fe256Add(&e, &p.x, &p.y)
	fe256Add(&t, &q.x, &q.y)
	fe256Mul(&e, &e, &t)
	fe256Sub(&e, &e, &a)
	fe256Sub(&e, &e, &b)
	fe256Sub(&f, &p.z, &c)
	fe256Add(&g, &p.z, &c)
	fe256Sub(&h, &b, &a)
	fe256Mul(&r.x, &e, &f)
	fe256Mul(&r.y, &g, &h)
	if withT {
		fe256Mul(&r.t, &e, &h)
	}
	fe256Mul(&r.z, &f, &g)
}

// ed256Double sets r = 2p (dbl-2008-hwcd with e = 1: 4M + 4S). T of p is not
// read; withT = false skips computing T of r when the next operation is
// another doubling.
func ed256Double(r, p *ed256Point, withT bool) {
	var a, b, c, e, f, g, h fe256
	fe256Sqr(&a, &p.x)
	fe256Sqr(&b, &p.y)
	fe256Sqr(&c, &p.z)
	fe256Add(&c, &c, &c)
	fe256Add(&e, &p.x, &p.y)
	fe256Sqr(&e, &e)
	fe256Sub(&e, &e, &a)
	fe256Sub(&e, &e, &b) // 2XY
	fe256Add(&g, &a, &b) // e·A + B
	fe256Sub(&f, &g, &c)
	fe256Sub(&h, &a, &b) // e·A − B
	fe256Mul(&r.x, &e, &f)
	fe256Mul(&r.y, &g, &h)
	if withT {
		fe256Mul(&r.t, &e, &h)
	}
	fe256Mul(&r.z, &f, &g)
}

// toCached converts p for repeated addition.
func (c *ed256Curve) toCached(r *ed256Cached, p *ed256Point) {
	r.x, r.y, r.z = p.x, p.y, p.z
	fe256Mul(&r.dt, &p.t, &c.d)
}

// ed256CondNegAffine sets r = −q (u ↦ −u) if neg == 1, else r = q.
func ed256CondNegAffine(r, q *ed256Affine, neg uint64) {
	r.y = q.y
	fe256CondNeg(&r.x, &q.x, neg)
	fe256CondNeg(&r.dt, &q.dt, neg)
}

// ed256NegCached sets r = −q.
func ed256NegCached(r, q *ed256Cached) {
	r.y, r.z = q.y, q.z
	fe256Neg(&r.x, &q.x)
	fe256Neg(&r.dt, &q.dt)
}

// ed256IsIdentity returns 1 if p is the identity (X = 0, Y = Z).
func ed256IsIdentity(p *ed256Point) uint64 {
	return fe256IsZero(&p.x) & fe256Equal(&p.y, &p.z)
}
