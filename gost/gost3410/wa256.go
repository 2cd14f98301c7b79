package gost3410

// Short Weierstrass arithmetic with a = −3 over fe256 (tc26-256-B):
// complete projective formulas of Renes, Costello, Batina 2016, "Complete
// addition formulas for prime order elliptic curves", Algorithms 4 (add),
// 5 (mixed add) and 6 (double). They have no exceptional cases on a curve
// of prime order, so the same code serves secret and public scalars. A
// point is (X:Y:Z) on Y²Z = X³ − 3XZ² + bZ³; the identity is (0:1:0).

type wa256Point struct {
	x, y, z fe256
}

// wa256Affine is an affine point (x, y); it cannot be the identity.
type wa256Affine struct {
	x, y fe256
}

func (p *wa256Point) setIdentity() {
	*p = wa256Point{}
	p.y = fe256One
}

// mulB sets z = b·x, with a short multiplication when b is small (b = 0xa6
// for tc26-256-B).
func (c *wa256Curve) mulB(z, x *fe256) {
	if c.bSmall != 0 {
		fe256MulSmall(z, x, c.bSmall)
		return
	}
	fe256Mul(z, x, &c.b)
}

// add sets r = p + q (Algorithm 4: 12M + 2m_b).
func (c *wa256Curve) add(r, p, q *wa256Point) {
	var t0, t1, t2, t3, t4, x3, y3, z3 fe256
	fe256Mul(&t0, &p.x, &q.x)
	fe256Mul(&t1, &p.y, &q.y)
	fe256Mul(&t2, &p.z, &q.z)
	fe256Add(&t3, &p.x, &p.y)
	fe256Add(&t4, &q.x, &q.y)
	fe256Mul(&t3, &t3, &t4)
	fe256Add(&t4, &t0, &t1)
	fe256Sub(&t3, &t3, &t4)
	fe256Add(&t4, &p.y, &p.z)
	fe256Add(&x3, &q.y, &q.z)
	fe256Mul(&t4, &t4, &x3)
	fe256Add(&x3, &t1, &t2)
	fe256Sub(&t4, &t4, &x3)
	fe256Add(&x3, &p.x, &p.z)
	fe256Add(&y3, &q.x, &q.z)
	fe256Mul(&x3, &x3, &y3)
	fe256Add(&y3, &t0, &t2)
	fe256Sub(&y3, &x3, &y3)
	c.mulB(&z3, &t2)
	fe256Sub(&x3, &y3, &z3)
	fe256Add(&z3, &x3, &x3)
	fe256Add(&x3, &x3, &z3)
	fe256Sub(&z3, &t1, &x3)
	fe256Add(&x3, &t1, &x3)
	c.mulB(&y3, &y3)
	fe256Add(&t1, &t2, &t2)
	fe256Add(&t2, &t1, &t2)
	fe256Sub(&y3, &y3, &t2)
	fe256Sub(&y3, &y3, &t0)
	fe256Add(&t1, &y3, &y3)
	fe256Add(&y3, &t1, &y3)
	fe256Add(&t1, &t0, &t0)
	fe256Add(&t0, &t1, &t0)
	fe256Sub(&t0, &t0, &t2)
	fe256Mul(&t1, &t4, &y3)
	fe256Mul(&t2, &t0, &y3)
	fe256Mul(&y3, &x3, &z3)
	fe256Add(&y3, &y3, &t2)
	fe256Mul(&x3, &t3, &x3)
	fe256Sub(&x3, &x3, &t1)
	fe256Mul(&z3, &t4, &z3)
	fe256Mul(&t1, &t3, &t0)
	fe256Add(&z3, &z3, &t1)
	r.x, r.y, r.z = x3, y3, z3
}

// addAffine sets r = p + q for an affine q (Algorithm 5: 11M + 2m_b).
func (c *wa256Curve) addAffine(r, p *wa256Point, q *wa256Affine) {
	var t0, t1, t2, t3, t4, x3, y3, z3 fe256
	fe256Mul(&t0, &p.x, &q.x)
	fe256Mul(&t1, &p.y, &q.y)
	fe256Add(&t3, &q.x, &q.y)
	fe256Add(&t4, &p.x, &p.y)
	fe256Mul(&t3, &t3, &t4)
	fe256Add(&t4, &t0, &t1)
	fe256Sub(&t3, &t3, &t4)
	fe256Mul(&t4, &q.y, &p.z)
	fe256Add(&t4, &t4, &p.y)
	fe256Mul(&y3, &q.x, &p.z)
	fe256Add(&y3, &y3, &p.x)
	c.mulB(&z3, &p.z)
	fe256Sub(&x3, &y3, &z3)
	fe256Add(&z3, &x3, &x3)
	fe256Add(&x3, &x3, &z3)
	fe256Sub(&z3, &t1, &x3)
	fe256Add(&x3, &t1, &x3)
	c.mulB(&y3, &y3)
	fe256Add(&t1, &p.z, &p.z)
	fe256Add(&t2, &t1, &p.z)
	fe256Sub(&y3, &y3, &t2)
	fe256Sub(&y3, &y3, &t0)
	fe256Add(&t1, &y3, &y3)
	fe256Add(&y3, &t1, &y3)
	fe256Add(&t1, &t0, &t0)
	fe256Add(&t0, &t1, &t0)
	fe256Sub(&t0, &t0, &t2)
	fe256Mul(&t1, &t4, &y3)
	fe256Mul(&t2, &t0, &y3)
	fe256Mul(&y3, &x3, &z3)
	fe256Add(&y3, &y3, &t2)
	fe256Mul(&x3, &t3, &x3)
	fe256Sub(&x3, &x3, &t1)
	fe256Mul(&z3, &t4, &z3)
	fe256Mul(&t1, &t3, &t0)
	fe256Add(&z3, &z3, &t1)
	r.x, r.y, r.z = x3, y3, z3
}

// double sets r = 2p (Algorithm 6: 8M + 3S + 2m_b).
func (c *wa256Curve) double(r, p *wa256Point) {
	var t0, t1, t2, t3, x3, y3, z3 fe256
	fe256Sqr(&t0, &p.x)
	fe256Sqr(&t1, &p.y)
	fe256Sqr(&t2, &p.z)
	fe256Mul(&t3, &p.x, &p.y)
	fe256Add(&t3, &t3, &t3)
	fe256Mul(&z3, &p.x, &p.z)
	fe256Add(&z3, &z3, &z3)
	c.mulB(&y3, &t2)
	fe256Sub(&y3, &y3, &z3)
	fe256Add(&x3, &y3, &y3)
	fe256Add(&y3, &x3, &y3)
	fe256Sub(&x3, &t1, &y3)
	fe256Add(&y3, &t1, &y3)
	fe256Mul(&y3, &x3, &y3)
	fe256Mul(&x3, &x3, &t3)
	fe256Add(&t3, &t2, &t2)
	fe256Add(&t2, &t2, &t3)
	c.mulB(&z3, &z3)
	fe256Sub(&z3, &z3, &t2)
	fe256Sub(&z3, &z3, &t0)
	fe256Add(&t3, &z3, &z3)
	fe256Add(&z3, &z3, &t3)
	fe256Add(&t3, &t0, &t0)
	fe256Add(&t0, &t3, &t0)
	fe256Sub(&t0, &t0, &t2)
	fe256Mul(&t0, &t0, &z3)
	fe256Add(&y3, &y3, &t0)
	fe256Mul(&t0, &p.y, &p.z)
	fe256Add(&t0, &t0, &t0)
	fe256Mul(&z3, &t0, &z3)
	fe256Sub(&x3, &x3, &z3)
	fe256Mul(&z3, &t0, &t1)
	fe256Add(&z3, &z3, &z3)
	fe256Add(&z3, &z3, &z3)
	r.x, r.y, r.z = x3, y3, z3
}

// wa256SelectPoint sets r = p if cond == 1, else leaves r.
func wa256SelectPoint(r, p *wa256Point, cond uint64) {
	fe256Select(&r.x, &p.x, &r.x, cond)
	fe256Select(&r.y, &p.y, &r.y, cond)
	fe256Select(&r.z, &p.z, &r.z, cond)
}
