package gost3410

// Jacobian coordinates for a = −3 over fe256, for the variable-time
// verification only: (X, Y, Z) is the affine (X/Z², Y/Z³), Z = 0 the
// identity. Doubling is 3M + 5S (dbl-2001-b), against 8M + 3S + 2m_b for
// the complete projective formula, and the additions (add-2007-bl,
// madd-2007-bl) branch on their exceptional cases, which is fine for
// public scalars and points and nowhere else.

type wa256Jac struct {
	x, y, z fe256
}

func (p *wa256Jac) isIdentity() bool { return fe256IsZero(&p.z) == 1 }

// jacDouble256 sets r = 2p.
func jacDouble256(r, p *wa256Jac) {
	var delta, gamma, beta, alpha, t, u fe256
	fe256Sqr(&delta, &p.z)
	fe256Sqr(&gamma, &p.y)
	fe256Mul(&beta, &p.x, &gamma)
	fe256Sub(&t, &p.x, &delta)
	fe256Add(&u, &p.x, &delta)
	fe256Mul(&alpha, &t, &u)
	fe256Add(&t, &alpha, &alpha)
	fe256Add(&alpha, &alpha, &t) // 3(X − Z²)(X + Z²)
	// Z3 = (Y + Z)² − γ − δ, computed before X and Y of r are written.
	fe256Add(&t, &p.y, &p.z)
	fe256Sqr(&t, &t)
	fe256Sub(&t, &t, &gamma)
	fe256Sub(&r.z, &t, &delta)
	// X3 = α² − 8β.
	fe256Add(&beta, &beta, &beta)
	fe256Add(&beta, &beta, &beta) // 4β
	fe256Sqr(&t, &alpha)
	fe256Sub(&t, &t, &beta)
	fe256Sub(&r.x, &t, &beta)
	// Y3 = α(4β − X3) − 8γ².
	fe256Sub(&t, &beta, &r.x)
	fe256Mul(&t, &t, &alpha)
	fe256Sqr(&gamma, &gamma)
	fe256Add(&gamma, &gamma, &gamma)
	fe256Add(&gamma, &gamma, &gamma)
	fe256Add(&gamma, &gamma, &gamma)
	fe256Sub(&r.y, &t, &gamma)
}

// jacAdd256 sets r = p + q for Jacobian p and q. Variable time.
func jacAdd256(r, p, q *wa256Jac) {
	if p.isIdentity() {
		*r = *q
		return
	}
	if q.isIdentity() {
		*r = *p
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t fe256
	fe256Sqr(&z1z1, &p.z)
	fe256Sqr(&z2z2, &q.z)
	fe256Mul(&u1, &p.x, &z2z2)
	fe256Mul(&u2, &q.x, &z1z1)
	fe256Mul(&s1, &p.y, &q.z)
	fe256Mul(&s1, &s1, &z2z2)
	fe256Mul(&s2, &q.y, &p.z)
	fe256Mul(&s2, &s2, &z1z1)
	fe256Sub(&h, &u2, &u1)
	fe256Sub(&rr, &s2, &s1)
	if fe256IsZero(&h) == 1 {
		if fe256IsZero(&rr) == 1 {
			jacDouble256(r, p)
		} else {
			*r = wa256Jac{}
		}
		return
	}
	fe256Add(&rr, &rr, &rr)
	fe256Add(&i, &h, &h)
	fe256Sqr(&i, &i)
	fe256Mul(&j, &h, &i)
	fe256Mul(&v, &u1, &i)
	// Z3 = ((Z1 + Z2)² − Z1Z1 − Z2Z2)·H.
	fe256Add(&t, &p.z, &q.z)
	fe256Sqr(&t, &t)
	fe256Sub(&t, &t, &z1z1)
	fe256Sub(&t, &t, &z2z2)
	fe256Mul(&r.z, &t, &h)
	// X3 = r² − J − 2V.
	fe256Sqr(&t, &rr)
	fe256Sub(&t, &t, &j)
	fe256Sub(&t, &t, &v)
	fe256Sub(&r.x, &t, &v)
	// Y3 = r(V − X3) − 2·S1·J.
	fe256Sub(&t, &v, &r.x)
	fe256Mul(&t, &t, &rr)
	fe256Mul(&s1, &s1, &j)
	fe256Add(&s1, &s1, &s1)
	fe256Sub(&r.y, &t, &s1)
}

// jacAddAffine256 sets r = p + q for an affine q. Variable time.
func jacAddAffine256(r, p *wa256Jac, q *wa256Affine) {
	if p.isIdentity() {
		r.x, r.y = q.x, q.y
		r.z = fe256One
		return
	}
	var z1z1, u2, s2, h, hh, i, j, rr, v, t fe256
	fe256Sqr(&z1z1, &p.z)
	fe256Mul(&u2, &q.x, &z1z1)
	fe256Mul(&s2, &q.y, &p.z)
	fe256Mul(&s2, &s2, &z1z1)
	fe256Sub(&h, &u2, &p.x)
	fe256Sub(&rr, &s2, &p.y)
	if fe256IsZero(&h) == 1 {
		if fe256IsZero(&rr) == 1 {
			jacDouble256(r, p)
		} else {
			*r = wa256Jac{}
		}
		return
	}
	fe256Add(&rr, &rr, &rr)
	fe256Sqr(&hh, &h)
	fe256Add(&i, &hh, &hh)
	fe256Add(&i, &i, &i)
	fe256Mul(&j, &h, &i)
	fe256Mul(&v, &p.x, &i)
	// Z3 = (Z1 + H)² − Z1Z1 − HH.
	fe256Add(&t, &p.z, &h)
	fe256Sqr(&t, &t)
	fe256Sub(&t, &t, &z1z1)
	fe256Sub(&t, &t, &hh)
	y1 := p.y
	r.z = t
	// X3 = r² − J − 2V.
	fe256Sqr(&t, &rr)
	fe256Sub(&t, &t, &j)
	fe256Sub(&t, &t, &v)
	fe256Sub(&r.x, &t, &v)
	// Y3 = r(V − X3) − 2·Y1·J.
	fe256Sub(&t, &v, &r.x)
	fe256Mul(&t, &t, &rr)
	fe256Mul(&y1, &y1, &j)
	fe256Add(&y1, &y1, &y1)
	fe256Sub(&r.y, &t, &y1)
}

// jacNeg256 sets r = −p.
func jacNeg256(r, p *wa256Jac) {
	r.x, r.z = p.x, p.z
	fe256Neg(&r.y, &p.y)
}

// combinedMult sets r = u1·G + u2·Q: interleaved wNAF, width wa256GWnaf
// over the precomputed odd multiples of G and wa256QWnaf over those of Q,
// sharing one chain of doublings. Public inputs only.
func (c *wa256Curve) combinedMult(r *wa256Jac, u1, u2 *limbs, qxl, qyl *limbs) {
	c.tables()
	var q wa256Jac
	fe256FromLimbs(&q.x, qxl)
	fe256FromLimbs(&q.y, qyl)
	q.z = fe256One
	var t [1 << (wa256QWnaf - 2)]wa256Jac
	var q2 wa256Jac
	jacDouble256(&q2, &q)
	t[0] = q
	for j := 1; j < len(t); j++ {
		jacAdd256(&t[j], &t[j-1], &q2)
	}
	var n1, n2 [wnafMax]int8
	l1 := wnaf(&n1, u1, fe256Bits, wa256GWnaf)
	l2 := wnaf(&n2, u2, fe256Bits, wa256QWnaf)
	var neg wa256Jac
	var negA wa256Affine
	*r = wa256Jac{}
	for i := max(l1, l2) - 1; i >= 0; i-- {
		jacDouble256(r, r)
		if d := n1[i]; d > 0 {
			jacAddAffine256(r, r, &c.gOdd[d/2])
		} else if d < 0 {
			negA.x = c.gOdd[-d/2].x
			fe256Neg(&negA.y, &c.gOdd[-d/2].y)
			jacAddAffine256(r, r, &negA)
		}
		if d := n2[i]; d > 0 {
			jacAdd256(r, r, &t[d/2])
		} else if d < 0 {
			jacNeg256(&neg, &t[-d/2])
			jacAdd256(r, r, &neg)
		}
	}
}

// combinedMultX returns the affine x of u1·G + u2·Q.
func (c *wa256Curve) combinedMultX(u1, u2 limbs, qxl, qyl *limbs) (limbs, bool) {
	var r wa256Jac
	c.combinedMult(&r, &u1, &u2, qxl, qyl)
	if r.isIdentity() {
		return limbs{}, false
	}
	var zi, x fe256
	fe256Inv(&zi, &r.z)
	fe256Sqr(&zi, &zi)
	fe256Mul(&x, &r.x, &zi)
	return fe256ToLimbs(&x), true
}

// verifyR reports whether x(u1·G + u2·Q) ≡ rq (mod q) without inverting
// Z: x = X/Z² is below p, so it is one of rq, rq + q, … below p, and each
// candidate xc is tested as X = xc·Z².
func (c *wa256Curve) verifyR(u1, u2 limbs, qxl, qyl *limbs, rq limbs) bool {
	var r wa256Jac
	c.combinedMult(&r, &u1, &u2, qxl, qyl)
	return c.jacXIsR(&r, rq)
}

// jacXIsR reports whether the affine x of r is ≡ rq (mod q); false for
// the identity.
func (c *wa256Curve) jacXIsR(r *wa256Jac, rq limbs) bool {
	if r.isIdentity() {
		return false
	}
	var z2, xf, t fe256
	fe256Sqr(&z2, &r.z)
	xc := rq
	for fe256Valid(&xc) {
		fe256FromLimbs(&xf, &xc)
		fe256Mul(&t, &xf, &z2)
		if fe256Equal(&t, &r.x) == 1 {
			return true
		}
		if !addLimbs(&xc, &c.q) {
			break
		}
	}
	return false
}
