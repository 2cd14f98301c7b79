package gost3410

import (
	"math/big"
	"sync"
)

// wa256Curve is the fast curveImpl of a prime-order a = −3 parameter set
// over 2^256 − 617 (tc26-256-B).
type wa256Curve struct {
	b      fe256
	bSmall uint64 // b if b < 2^32, else 0
	q      limbs
	g      wa256Point

	once sync.Once
	// comb[i][j] = (j+1)·2^(wa256CombW·i)·G.
	comb *[wa256CombWindows][1 << (wa256CombW - 1)]wa256Affine
	// gOdd[j] = (2j+1)·G for the variable-time verification.
	gOdd *[1 << (wa256GWnaf - 2)]wa256Affine
	// vcomb is G's wider comb for verification with a fixed key
	// (wa256fixed.go), built on first use.
	vonce sync.Once
	vcomb *wa256Comb
}

const (
	wa256CombW       = 5
	wa256CombWindows = (fe256Bits + wa256CombW) / wa256CombW
	wa256GWnaf       = 8
	wa256QWnaf       = 5
)

func newWa256Curve(ps *paramSet) *wa256Curve {
	p, a := mustHex(ps.p), mustHex(ps.a)
	if p.Cmp(fe256PBig) != 0 || new(big.Int).Sub(p, a).Int64() != 3 || ps.cofactor != 1 {
		panic("gost3410: " + ps.name + " is not a prime-order a = −3 curve over 2^256 − 617")
	}
	c := &wa256Curve{q: limbsFromBig(mustHex(ps.q))}
	b := mustHex(ps.b)
	c.b = fe256FromBig(b)
	if b.BitLen() <= 32 {
		c.bSmall = b.Uint64()
	}
	c.g.x = fe256FromBig(mustHex(ps.x))
	c.g.y = fe256FromBig(mustHex(ps.y))
	c.g.z = fe256One
	return c
}

func (c *wa256Curve) tables() {
	c.once.Do(func() {
		c.comb = c.combOf(&c.g)
		const m = 1 << (wa256GWnaf - 2)
		var odd [m]wa256Point
		var g2 wa256Point
		c.double(&g2, &c.g)
		odd[0] = c.g
		for j := 1; j < m; j++ {
			c.add(&odd[j], &odd[j-1], &g2)
		}
		c.gOdd = new([m]wa256Affine)
		wa256BatchAffine(c.gOdd[:], odd[:])
	})
}

// combOf returns the signed-comb table of p for signing:
// [i][j] = (j+1)·2^(wa256CombW·i)·p, affine. Public data only (G).
func (c *wa256Curve) combOf(p *wa256Point) *[wa256CombWindows][1 << (wa256CombW - 1)]wa256Affine {
	comb := new([wa256CombWindows][1 << (wa256CombW - 1)]wa256Affine)
	c.fillComb(p, len(comb), func(i int) []wa256Affine { return comb[i][:] })
	return comb
}

// fillComb fills the windows rows of a signed-comb table of p,
// row(i)[j] = (j+1)·2^(w·i)·p in affine form, where 2^(w−1) = len(row(i)).
// Public data only (G, or a public key verified often).
func (c *wa256Curve) fillComb(p *wa256Point, windows int, row func(i int) []wa256Affine) {
	var pts []wa256Point
	base := *p
	for i := range windows {
		out := row(i)
		n := len(out)
		if pts == nil {
			pts = make([]wa256Point, n)
		}
		pts[0] = base
		for j := 1; j < n; j++ {
			c.add(&pts[j], &pts[j-1], &base)
		}
		wa256BatchAffine(out, pts)
		c.double(&base, &pts[n-1])
	}
}

// wa256BatchAffine converts points with Z ≠ 0 to affine with one inversion.
func wa256BatchAffine(out []wa256Affine, in []wa256Point) {
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
	}
}

// wa256Lookup sets r = t[mag−1] reading every entry; r is t[0] for mag = 0
// (the caller discards the sum then).
func wa256Lookup(r *wa256Affine, t *[1 << (wa256CombW - 1)]wa256Affine, mag uint64) {
	*r = t[0]
	for j := 1; j < len(t); j++ {
		eq := ctEq(uint64(j+1), mag)
		fe256Select(&r.x, &t[j].x, &r.x, eq)
		fe256Select(&r.y, &t[j].y, &r.y, eq)
	}
}

// scalarBaseMult sets r = k·G for a secret k < 2^256 in constant time.
func (c *wa256Curve) scalarBaseMult(r *wa256Point, k *limbs) {
	c.tables()
	s := widen(k)
	r.setIdentity()
	var sel wa256Affine
	var sum wa256Point
	for i := range wa256CombWindows {
		mag, neg := s.boothDigit(i, wa256CombW)
		wa256Lookup(&sel, &c.comb[i], mag)
		fe256CondNeg(&sel.y, &sel.y, neg)
		c.addAffine(&sum, r, &sel)
		// A zero digit adds the identity, which affine form cannot hold.
		wa256SelectPoint(r, &sum, 1^ctEq(mag, 0))
	}
}

// affine returns the canonical affine coordinates of p, ok = 0 for the
// identity. Constant time.
func (c *wa256Curve) affine(p *wa256Point) (x, y limbs, ok uint64) {
	var zi, xf, yf fe256
	ok = 1 ^ fe256IsZero(&p.z)
	fe256Inv(&zi, &p.z)
	fe256Mul(&xf, &p.x, &zi)
	fe256Mul(&yf, &p.y, &zi)
	return fe256ToLimbs(&xf), fe256ToLimbs(&yf), ok
}

func (c *wa256Curve) baseMult(k limbs) (x, y limbs, ok uint64) {
	var r wa256Point
	c.scalarBaseMult(&r, &k)
	return c.affine(&r)
}

func (c *wa256Curve) validPublic(xl, yl *limbs) bool {
	if !fe256Valid(xl) || !fe256Valid(yl) {
		return false
	}
	var x, y fe256
	fe256FromLimbs(&x, xl)
	fe256FromLimbs(&y, yl)
	// y² = x³ − 3x + b; on a prime-order curve every affine point has order q.
	var lhs, rhs fe256
	fe256Sqr(&lhs, &y)
	fe256Sqr(&rhs, &x)
	fe256Sub(&rhs, &rhs, &fe256Three)
	fe256Mul(&rhs, &rhs, &x)
	fe256Add(&rhs, &rhs, &c.b)
	return fe256Equal(&lhs, &rhs) == 1
}
