package gost3410

import "sync"

// ed256Curve is the fast curveImpl of a twisted Edwards parameter set over
// 2^256 − 617 (tc26-256-A). Keys and signatures use the Weierstrass form,
// y² = x³ + ax + b; it corresponds to e·u² + v² = 1 + d·u²v² through
//
//	x = s(1 + v)/(1 − v) + t,  y = s(1 + v)/((1 − v)u),
//	u = (x − t)/y,             v = (x − t − s)/(x − t + s),
//
// with s = (e − d)/4 and t = (e + d)/6 (TestEd256PointEdgeCases and
// TestFastBaseMult check it against the math/big reference). The Edwards
// identity (0, 1) is the point at infinity and (0, −1) is the point (t, 0)
// of order 2.
type ed256Curve struct {
	d    fe256 // Edwards d (e = 1)
	s, t fe256 // map constants
	a, b fe256 // Weierstrass a and b
	q    limbs // order of G
	g    ed256Point
	// desc decides subgroup membership without multiplying by q (nil: the
	// curve does not meet its assumptions).
	desc *ed256Descent

	once sync.Once
	// comb[i][j] = (j+1)·2^(ed256CombW·i)·G, affine.
	comb *[ed256CombWindows][1 << (ed256CombW - 1)]ed256Affine
	// gOdd[j] = (2j+1)·G, affine, for the variable-time verification.
	gOdd *[1 << (ed256GWnaf - 2)]ed256Affine
	// vcomb is G's wider comb for verification with a fixed key
	// (ed256fixed.go), built on first use.
	vonce sync.Once
	vcomb *ed256Comb
}

const (
	ed256CombW       = 5
	ed256CombWindows = (fe256Bits + ed256CombW) / ed256CombW // covers bits+1 bits
	ed256GWnaf       = 8                                     // wNAF width for u1·G
	ed256QWnaf       = 5                                     // wNAF width for u2·Q
)

func newEd256Curve(ps *paramSet, dHex string) *ed256Curve {
	p := mustHex(ps.p)
	if p.Cmp(fe256PBig) != 0 {
		panic("gost3410: " + ps.name + " is not over 2^256 − 617")
	}
	d := mustHex(dHex)
	s, t, gu, gv := edwardsConstants(p, d, ps)
	c := &ed256Curve{q: limbsFromBig(mustHex(ps.q))}
	c.d = fe256FromBig(d)
	c.s = fe256FromBig(s)
	c.t = fe256FromBig(t)
	c.a = fe256FromBig(mustHex(ps.a))
	c.b = fe256FromBig(mustHex(ps.b))
	c.g.x = fe256FromBig(gu)
	c.g.y = fe256FromBig(gv)
	c.g.z = fe256One
	fe256Mul(&c.g.t, &c.g.x, &c.g.y)
	c.desc = newEd256Descent(p, s, t)
	return c
}

// tables builds the precomputed multiples of G on first use.
func (c *ed256Curve) tables() {
	c.once.Do(func() {
		c.comb = c.combOf(&c.g)
		const m = 1 << (ed256GWnaf - 2)
		var odd [m]ed256Point
		var g2 ed256Point
		var g2c ed256Cached
		ed256Double(&g2, &c.g, true)
		c.toCached(&g2c, &g2)
		odd[0] = c.g
		for j := 1; j < m; j++ {
			ed256AddCached(&odd[j], &odd[j-1], &g2c, true)
		}
		c.gOdd = new([m]ed256Affine)
		c.batchAffine(c.gOdd[:], odd[:])
	})
}

// combOf returns the signed-comb table of p for signing:
// [i][j] = (j+1)·2^(ed256CombW·i)·p, affine. Public data only (G).
func (c *ed256Curve) combOf(p *ed256Point) *[ed256CombWindows][1 << (ed256CombW - 1)]ed256Affine {
	comb := new([ed256CombWindows][1 << (ed256CombW - 1)]ed256Affine)
	c.fillComb(p, len(comb), func(i int) []ed256Affine { return comb[i][:] })
	return comb
}

// fillComb fills the windows rows of a signed-comb table of p,
// row(i)[j] = (j+1)·2^(w·i)·p in affine form, where 2^(w−1) = len(row(i)).
// Public data only (G, or a public key verified often).
func (c *ed256Curve) fillComb(p *ed256Point, windows int, row func(i int) []ed256Affine) {
	var pts []ed256Point
	base := *p
	for i := range windows {
		out := row(i)
		n := len(out)
		if pts == nil {
			pts = make([]ed256Point, n)
		}
		var bc ed256Cached
		c.toCached(&bc, &base)
		pts[0] = base
		for j := 1; j < n; j++ {
			ed256AddCached(&pts[j], &pts[j-1], &bc, true)
		}
		c.batchAffine(out, pts)
		ed256Double(&base, &pts[n-1], true) // 2·2^(w−1)·base
	}
}

// batchAffine converts points with Z ≠ 0 to precomputed affine form with a
// single inversion (Montgomery's trick). Public data only.
func (c *ed256Curve) batchAffine(out []ed256Affine, in []ed256Point) {
	prod := make([]fe256, len(in))
	acc := fe256One
	for i := range in {
		prod[i] = acc
		fe256Mul(&acc, &acc, &in[i].z)
	}
	fe256Inv(&acc, &acc)
	for i := len(in) - 1; i >= 0; i-- {
		var zi fe256
		fe256Mul(&zi, &acc, &prod[i])
		fe256Mul(&acc, &acc, &in[i].z)
		fe256Mul(&out[i].x, &in[i].x, &zi)
		fe256Mul(&out[i].y, &in[i].y, &zi)
		fe256Canon(&out[i].x, &out[i].x)
		fe256Canon(&out[i].y, &out[i].y)
		fe256Mul(&out[i].dt, &out[i].x, &out[i].y)
		fe256Mul(&out[i].dt, &out[i].dt, &c.d)
	}
}

// scalarBaseMult sets r = k·G for a secret k < 2^256 in constant time: one
// affine addition per window of the signed comb, no doublings.
func (c *ed256Curve) scalarBaseMult(r *ed256Point, k *limbs) {
	c.tables()
	s := widen(k)
	r.setIdentity()
	var sel ed256Affine
	for i := range ed256CombWindows {
		mag, neg := s.boothDigit(i, ed256CombW)
		ed256Lookup(&sel, &c.comb[i], mag)
		ed256CondNegAffine(&sel, &sel, neg)
		ed256AddAffine(r, r, &sel, true)
	}
}

// ed256Lookup sets r = t[mag−1], or the identity (0, 1, 0) for mag = 0,
// reading every entry.
func ed256Lookup(r *ed256Affine, t *[1 << (ed256CombW - 1)]ed256Affine, mag uint64) {
	*r = ed256Affine{}
	r.y = fe256One
	for j := range t {
		eq := ctEq(uint64(j+1), mag)
		fe256Select(&r.x, &t[j].x, &r.x, eq)
		fe256Select(&r.y, &t[j].y, &r.y, eq)
		fe256Select(&r.dt, &t[j].dt, &r.dt, eq)
	}
}

// weierstrassXY returns the affine Weierstrass coordinates of p in
// canonical form, and ok = 0 for the identity. Constant time.
func (c *ed256Curve) weierstrassXY(p *ed256Point) (x, y limbs, ok uint64) {
	// x = s(Z + Y)/(Z − Y) + t, y = s(Z + Y)·Z/((Z − Y)·X).
	var num, den, inv, xf, yf fe256
	fe256Add(&num, &p.z, &p.y)
	fe256Mul(&num, &num, &c.s)
	fe256Sub(&den, &p.z, &p.y)
	ok = 1 ^ fe256IsZero(&den)
	fe256Mul(&inv, &den, &p.x)
	fe256Inv(&inv, &inv)
	fe256Mul(&num, &num, &inv) // s(Z+Y)/((Z−Y)·X)
	fe256Mul(&yf, &num, &p.z)
	fe256Mul(&xf, &num, &p.x)
	fe256Add(&xf, &xf, &c.t)
	return fe256ToLimbs(&xf), fe256ToLimbs(&yf), ok
}

func (c *ed256Curve) baseMult(k limbs) (x, y limbs, ok uint64) {
	var r ed256Point
	c.scalarBaseMult(&r, &k)
	return c.weierstrassXY(&r)
}

// fromWeierstrass maps the affine Weierstrass point (x, y) to extended
// Edwards coordinates without an inversion:
// (X : Y : Z : T) = (A·B : (A − s)·y : y·B : A·(A − s)) with A = x − t,
// B = A + s. It returns false when y = 0 or B = 0, where the map is not
// defined; no point of order q has either.
func (c *ed256Curve) fromWeierstrass(r *ed256Point, x, y *fe256) bool {
	var a, b, am fe256
	fe256Sub(&a, x, &c.t)
	fe256Add(&b, &a, &c.s)
	fe256Sub(&am, &a, &c.s)
	if fe256IsZero(y) == 1 || fe256IsZero(&b) == 1 {
		return false
	}
	fe256Mul(&r.x, &a, &b)
	fe256Mul(&r.y, &am, y)
	fe256Mul(&r.z, y, &b)
	fe256Mul(&r.t, &a, &am)
	return true
}

func (c *ed256Curve) validPublic(xl, yl *limbs) bool {
	if !fe256Valid(xl) || !fe256Valid(yl) {
		return false
	}
	var x, y fe256
	fe256FromLimbs(&x, xl)
	fe256FromLimbs(&y, yl)
	// y² = x³ + ax + b.
	var lhs, rhs fe256
	fe256Sqr(&lhs, &y)
	fe256Sqr(&rhs, &x)
	fe256Add(&rhs, &rhs, &c.a)
	fe256Mul(&rhs, &rhs, &x)
	fe256Add(&rhs, &rhs, &c.b)
	if fe256Equal(&lhs, &rhs) != 1 {
		return false
	}
	if c.desc != nil {
		return c.desc.inSubgroup(c, &x, &y)
	}
	return c.inSubgroupMul(&x, &y)
}

// inSubgroupMul decides order q by multiplying: q·P must be the identity.
// The Edwards law is complete on the whole curve, so this holds for points
// of order 2, 4 and 2q as well.
func (c *ed256Curve) inSubgroupMul(x, y *fe256) bool {
	var p, r ed256Point
	if !c.fromWeierstrass(&p, x, y) {
		return false
	}
	c.scalarMultVartime(&r, &p, &c.q)
	return ed256IsIdentity(&r) == 1
}

// oddMultiples sets t[j] = (2j+1)·p in cached form.
func (c *ed256Curve) oddMultiples(t *[1 << (ed256QWnaf - 2)]ed256Cached, p *ed256Point) {
	var p2 ed256Point
	var p2c ed256Cached
	ed256Double(&p2, p, true)
	c.toCached(&p2c, &p2)
	acc := *p
	c.toCached(&t[0], &acc)
	for j := 1; j < len(t); j++ {
		ed256AddCached(&acc, &acc, &p2c, true)
		c.toCached(&t[j], &acc)
	}
}

// scalarMultVartime sets r = k·p for a public k. Variable time.
func (c *ed256Curve) scalarMultVartime(r, p *ed256Point, k *limbs) {
	var t [1 << (ed256QWnaf - 2)]ed256Cached
	c.oddMultiples(&t, p)
	var naf [wnafMax]int8
	n := wnaf(&naf, k, fe256Bits, ed256QWnaf)
	r.setIdentity()
	var neg ed256Cached
	for i := n - 1; i >= 0; i-- {
		d := naf[i]
		ed256Double(r, r, d != 0)
		if d > 0 {
			ed256AddCached(r, r, &t[d/2], false)
		} else if d < 0 {
			ed256NegCached(&neg, &t[-d/2])
			ed256AddCached(r, r, &neg, false)
		}
	}
}

// combinedMult sets r = u1·G + u2·Q (interleaved wNAF, one chain of
// doublings) and returns false if Q cannot be mapped. Public inputs only.
func (c *ed256Curve) combinedMult(r *ed256Point, u1, u2 *limbs, qxl, qyl *limbs) bool {
	c.tables()
	var qx, qy fe256
	fe256FromLimbs(&qx, qxl)
	fe256FromLimbs(&qy, qyl)
	var q ed256Point
	if !c.fromWeierstrass(&q, &qx, &qy) {
		return false
	}
	var t [1 << (ed256QWnaf - 2)]ed256Cached
	c.oddMultiples(&t, &q)
	var n1, n2 [wnafMax]int8
	l1 := wnaf(&n1, u1, fe256Bits, ed256GWnaf)
	l2 := wnaf(&n2, u2, fe256Bits, ed256QWnaf)
	r.setIdentity()
	var negC ed256Cached
	var negA ed256Affine
	for i := max(l1, l2) - 1; i >= 0; i-- {
		d1, d2 := n1[i], n2[i]
		ed256Double(r, r, d1 != 0 || d2 != 0) // T only when an addition follows
		// T of a sum is needed only by a second addition at this position;
		// a doubling or the end follows otherwise.
		if d1 > 0 {
			ed256AddAffine(r, r, &c.gOdd[d1/2], d2 != 0)
		} else if d1 < 0 {
			ed256CondNegAffine(&negA, &c.gOdd[-d1/2], 1)
			ed256AddAffine(r, r, &negA, d2 != 0)
		}
		if d2 > 0 {
			ed256AddCached(r, r, &t[d2/2], false)
		} else if d2 < 0 {
			ed256NegCached(&negC, &t[-d2/2])
			ed256AddCached(r, r, &negC, false)
		}
	}
	return true
}

func (c *ed256Curve) combinedMultX(u1, u2 limbs, qxl, qyl *limbs) (limbs, bool) {
	var r ed256Point
	if !c.combinedMult(&r, &u1, &u2, qxl, qyl) {
		return limbs{}, false
	}
	// x = s(Z + Y)/(Z − Y) + t.
	var num, den fe256
	fe256Sub(&den, &r.z, &r.y)
	if fe256IsZero(&den) == 1 {
		return limbs{}, false
	}
	fe256Add(&num, &r.z, &r.y)
	fe256Mul(&num, &num, &c.s)
	fe256Inv(&den, &den)
	fe256Mul(&num, &num, &den)
	fe256Add(&num, &num, &c.t)
	return fe256ToLimbs(&num), true
}

// verifyR reports whether x(u1·G + u2·Q) ≡ rq (mod q) without an
// inversion: x = s(Z + Y)/(Z − Y) + t is below p, so it is one of rq,
// rq + q, … below p, and each candidate xc is tested as
// (xc − t)(Z − Y) = s(Z + Y).
func (c *ed256Curve) verifyR(u1, u2 limbs, qxl, qyl *limbs, rq limbs) bool {
	var r ed256Point
	if !c.combinedMult(&r, &u1, &u2, qxl, qyl) {
		return false
	}
	return c.xIsR(&r, rq)
}

// xIsR reports whether the Weierstrass x of r is ≡ rq (mod q); false for
// the identity.
func (c *ed256Curve) xIsR(r *ed256Point, rq limbs) bool {
	var num, den, xf, t fe256
	fe256Sub(&den, &r.z, &r.y)
	if fe256IsZero(&den) == 1 {
		return false // the identity
	}
	fe256Add(&num, &r.z, &r.y)
	fe256Mul(&num, &num, &c.s)
	xc := rq
	for fe256Valid(&xc) {
		fe256FromLimbs(&xf, &xc)
		fe256Sub(&xf, &xf, &c.t)
		fe256Mul(&t, &xf, &den)
		if fe256Equal(&t, &num) == 1 {
			return true
		}
		if !addLimbs(&xc, &c.q) {
			break
		}
	}
	return false
}
