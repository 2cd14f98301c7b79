package gost3410

import (
	"math/big"
	"math/bits"
)

// Subgroup membership by 2-descent (tc26-256-A).
//
// The group of the curve is Z/4 × Z/q: the Edwards point (1, 0) has order
// 4 and the order is 4q. A public key must lie in the subgroup of order q,
// which is 4E, the points divisible by 4. Multiplying by q decides that
// with 254 doublings; one Legendre symbol and one (p−3)/4 power decide it
// in about a fifth of the time, as follows.
//
// With x' = x − t the curve is y² = x'(x'² + a·x' + b), a = 3t, b = s²
// (t, s are the map constants of ed256Curve; (t, 0) is the point of order
// 2). For the 2-isogeny φ: E → E′ of kernel {O, (t, 0)}, with
// E′: Y² = X(X² − 2aX + a² − 4b), and its dual φ̂, the descent maps
// α(X, Y) = X and α′(x′, y) = x′ into F_p*/F_p*² have kernels φ(E) and
// φ̂(E′) (Silverman, AEC X.4.9). Here
//
//   - α′ is not trivial when s (= x′ of the point of order 4) is not a
//     square; then its kernel, of index 2 and containing 2E, is 2E:
//     P ∈ 2E ⟺ x′ is a square;
//   - a² − 4b is not a square (only one point of order 2), so of the two
//     points of E′ over P, X₁ and X₂ = (a² − 4b)/X₁ with
//     X₁ = a + 2x′ + 2y/√x′, exactly one has a square X, and it is φ(R)
//     for the halves R, R + (t, 0) of P;
//   - P ∈ 4E ⟺ R ∈ 2E ⟺ x′(R) is a square, and x′(R) is a root of
//     r² + (a − X)r + b = 0 whose roots multiply to b = s²: writing them
//     as squares or as n·(squares) shows x′(R) is a square exactly when
//     X − a + 2s is (never 0, see inSubgroup), and which of X₁ and X₂
//     is the square need not be found when a − 2s is not a square.
//
// The assumptions (s, a² − 4b and a − 2s not squares) are checked when the curve
// is built; if they fail, validPublic multiplies by q instead. The test
// compares both on random points with every torsion component added.

// ed256Descent holds the constants of the test.
type ed256Descent struct {
	a          fe256 // 3t
	aMinus2s   fe256 // a − 2s
	minusOne   fe256
	halfPm1    onesTail // (p − 1)/2: Euler's criterion
	quarterPm3 onesTail // (p − 3)/4: x^((p−3)/4) is 1/√x for a square x (p ≡ 3 mod 4)
}

// newEd256Descent returns the descent constants, or nil when the curve
// does not satisfy the test's assumptions.
func newEd256Descent(p, s, t *big.Int) *ed256Descent {
	if p.Bit(0) != 1 || p.Bit(1) != 1 { // p ≡ 3 (mod 4)
		return nil
	}
	mod := func(x *big.Int) *big.Int { return x.Mod(x, p) }
	a := mod(new(big.Int).Mul(big.NewInt(3), t))
	disc := mod(new(big.Int).Sub(new(big.Int).Mul(a, a), new(big.Int).Mul(big.NewInt(4), new(big.Int).Mul(s, s))))
	if big.Jacobi(s, p) != -1 || big.Jacobi(disc, p) != -1 ||
		big.Jacobi(mod(new(big.Int).Sub(a, new(big.Int).Lsh(s, 1))), p) != -1 {
		return nil
	}
	twoS := new(big.Int).Lsh(s, 1)
	dc := &ed256Descent{
		a:          fe256FromBig(a),
		aMinus2s:   fe256FromBig(mod(new(big.Int).Sub(a, twoS))),
		minusOne:   fe256FromBig(new(big.Int).Sub(p, big.NewInt(1))),
		halfPm1:    newOnesTail(new(big.Int).Rsh(p, 1)),
		quarterPm3: newOnesTail(new(big.Int).Rsh(p, 2)),
	}
	return dc
}

// fe256PowOnesTail sets z = x^e for a public exponent e of the form
// onesTail describes. Variable time in e only (public).
func fe256PowOnesTail(z, x *fe256, e onesTail) {
	// r = x^(2^j − 1), building j up to k from its top bit down.
	r := *x
	j := 1
	var t fe256
	for b := bits.Len(uint(e.k)) - 2; b >= 0; b-- {
		fe256SqrN(&t, &r, j)
		fe256Mul(&r, &t, &r) // j → 2j
		j *= 2
		if e.k>>uint(b)&1 == 1 {
			fe256Sqr(&r, &r)
			fe256Mul(&r, &r, x) // j → j + 1
			j++
		}
	}
	for b := e.t - 1; b >= 0; b-- {
		fe256Sqr(&r, &r)
		if e.tail>>uint(b)&1 == 1 {
			fe256Mul(&r, &r, x)
		}
	}
	*z = r
}

// legendre returns x^((p−1)/2): 1 for a non-zero square, −1 for a
// non-square, 0 for 0.
func (dc *ed256Descent) legendre(x *fe256) int {
	var r fe256
	fe256PowOnesTail(&r, x, dc.halfPm1)
	switch {
	case fe256Equal(&r, &fe256One) == 1:
		return 1
	case fe256Equal(&r, &dc.minusOne) == 1:
		return -1
	}
	return 0
}

// inSubgroup reports whether the curve point (x, y) has order q (see the
// comment at the top of the file). Variable time: public keys only.
func (dc *ed256Descent) inSubgroup(c *ed256Curve, x, y *fe256) bool {
	var xp, z, l fe256
	fe256Sub(&xp, x, &c.t)
	if fe256IsZero(&xp) == 1 {
		return false // (t, 0), of order 2
	}
	// z = x′^((p−3)/4); x′^((p−1)/2) = z²·x′; for a square x′, 1/√x′ = z.
	fe256PowOnesTail(&z, &xp, dc.quarterPm3)
	fe256Sqr(&l, &z)
	fe256Mul(&l, &l, &xp)
	if fe256Equal(&l, &fe256One) != 1 {
		return false // not in 2E
	}
	var x1, u fe256
	fe256Mul(&u, y, &z)
	fe256Add(&u, &u, &xp)
	fe256Add(&u, &u, &u)
	fe256Add(&x1, &u, &dc.a) // X₁ = a + 2x′ + 2y/√x′, never 0
	// The answer is the symbol of X − a + 2s for the square one X of X₁
	// and X₂ = (a² − 4b)/X₁, which is X₁ with −√x′ for √x′. One symbol
	// does: (X₁ − a + 2s)(X₂ − a + 2s) = (a − 2s)(a + 2s − X₁ − X₂ + a − 2s)
	// = −4x′(a − 2s) (X₁ + X₂ = 2a + 4x′, a² − 4b = (a − 2s)(a + 2s)),
	// which is not 0, and whose symbol is κ = −(a − 2s | p) (x′ a square,
	// p ≡ 3 mod 4). So the answer is (A | p) when X₁ is the square, else
	// κ·(A | p), A = X₁ − a + 2s: (A | p) either way, as κ = 1 (a − 2s is
	// not a square, checked when the curve is built).
	fe256Sub(&u, &x1, &dc.aMinus2s)
	return dc.legendre(&u) == 1
}
