package gost3410

import (
	"math/big"
	"math/bits"
)

// fe256d is an element of GF(p) for the prime of tc26-256-D,
// p = 0x9b9f605f…022d759b, in the Montgomery domain (x·2^256 mod p), fully
// reduced below p, in 4 little-endian 64-bit limbs. p has no special shape,
// so the reduction is the textbook word-by-word Montgomery one (four rounds
// of m = t_i·(−p⁻¹) mod 2^64, t += m·p·2^(64i)); p > 2^255, so 2p does not
// fit in four words and the last carry is kept. Every function runs in
// constant time.
type fe256d [4]uint64

const (
	fe256dBits = 256
	fe256dPInv = 0xdf6e6c2c727c176d // −p⁻¹ mod 2^64
	fe256dP0   = 0x7998f7b9022d759b
	fe256dP1   = 0xcf846e86789051d3
	fe256dP2   = 0xab1ec85e6b41c8aa
	fe256dP3   = 0x9b9f605f5a858107
	// fe256dMu0 is the low word of ⌊2^320/p⌋ = 2^64 + fe256dMu0 (Barrett
	// quotient estimate of fe256dMulSmall).
	fe256dMu0 = 0xa51f176161f1d734
)

var (
	fe256dP     = fe256d{fe256dP0, fe256dP1, fe256dP2, fe256dP3}
	fe256dRR    = fe256d{0x409973b4c427fcea, 0x1017bb39c2d346c5, 0x186304212849c07b, 0x807a394ede097652} // 2^512 mod p
	fe256dOne   = fe256d{0x86670846fdd28a65, 0x307b9179876fae2c, 0x54e137a194be3755, 0x64609fa0a57a7ef8} // 1 in Montgomery form
	fe256dThree = fe256d{0x199c211bf74a2994, 0xc1ee45e61dbeb8b2, 0x5384de8652f8dd54, 0x91827e8295e9fbe1}
	fe256dPBig  = mustHex("9b9f605f5a858107ab1ec85e6b41c8aacf846e86789051d37998f7b9022d759b")
)

// fe256dMulGeneric sets z = x·y·2^−256 mod p for x, y < p: the 8-word product by
// rows, then fe256dRedc.
func fe256dMulGeneric(z, x, y *fe256d) {
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	var t0, t1, t2, t3, t4, t5, t6, t7, c uint64
	y0 := y[0]
	c, t0 = bits.Mul64(x0, y0)
	c, t1 = madd64(x1, y0, c, 0)
	c, t2 = madd64(x2, y0, c, 0)
	t4, t3 = madd64(x3, y0, c, 0)
	y1 := y[1]
	c, t1 = madd64(x0, y1, t1, 0)
	c, t2 = madd64(x1, y1, t2, c)
	c, t3 = madd64(x2, y1, t3, c)
	t5, t4 = madd64(x3, y1, t4, c)
	y2 := y[2]
	c, t2 = madd64(x0, y2, t2, 0)
	c, t3 = madd64(x1, y2, t3, c)
	c, t4 = madd64(x2, y2, t4, c)
	t6, t5 = madd64(x3, y2, t5, c)
	y3 := y[3]
	c, t3 = madd64(x0, y3, t3, 0)
	c, t4 = madd64(x1, y3, t4, c)
	c, t5 = madd64(x2, y3, t5, c)
	t7, t6 = madd64(x3, y3, t6, c)
	fe256dRedc(z, t0, t1, t2, t3, t4, t5, t6, t7)
}

// fe256dSqrGeneric sets z = x²·2^−256 mod p: the cross products once, doubled,
// plus the squares.
func fe256dSqrGeneric(z, x *fe256d) {
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	var t1, t2, t3, t4, t5, t6, t7, c, cc uint64
	// Cross products x_i·x_j, i < j.
	c, t1 = bits.Mul64(x0, x1)
	c, t2 = madd64(x0, x2, c, 0)
	t4, t3 = madd64(x0, x3, c, 0)
	c, t3 = madd64(x1, x2, t3, 0)
	t5, t4 = madd64(x1, x3, t4, c)
	t6, t5 = madd64(x2, x3, t5, 0)
	// Double them.
	t7 = t6 >> 63
	t6 = t6<<1 | t5>>63
	t5 = t5<<1 | t4>>63
	t4 = t4<<1 | t3>>63
	t3 = t3<<1 | t2>>63
	t2 = t2<<1 | t1>>63
	t1 <<= 1
	// Add the squares.
	h, t0 := bits.Mul64(x0, x0)
	t1, cc = bits.Add64(t1, h, 0)
	h, l := bits.Mul64(x1, x1)
	t2, cc = bits.Add64(t2, l, cc)
	t3, cc = bits.Add64(t3, h, cc)
	h, l = bits.Mul64(x2, x2)
	t4, cc = bits.Add64(t4, l, cc)
	t5, cc = bits.Add64(t5, h, cc)
	h, l = bits.Mul64(x3, x3)
	t6, cc = bits.Add64(t6, l, cc)
	t7, _ = bits.Add64(t7, h, cc)
	fe256dRedc(z, t0, t1, t2, t3, t4, t5, t6, t7)
}

// fe256dRedc sets z = t·2^−256 mod p for t < p·2^256 (Montgomery
// reduction). Round i adds m_i·p·2^(64i), which clears word i; the carry
// out of word i+4 is held in cc and enters word i+5 in the next round.
// The result (t4 … t7, cc) is below 2p; p is subtracted unless that borrows.
func fe256dRedc(z *fe256d, t0, t1, t2, t3, t4, t5, t6, t7 uint64) {
	var m, c, cc uint64
	m = t0 * fe256dPInv
	c, _ = madd64(m, fe256dP0, t0, 0)
	c, t1 = madd64(m, fe256dP1, t1, c)
	c, t2 = madd64(m, fe256dP2, t2, c)
	c, t3 = madd64(m, fe256dP3, t3, c)
	t4, cc = bits.Add64(t4, c, 0)

	m = t1 * fe256dPInv
	c, _ = madd64(m, fe256dP0, t1, 0)
	c, t2 = madd64(m, fe256dP1, t2, c)
	c, t3 = madd64(m, fe256dP2, t3, c)
	c, t4 = madd64(m, fe256dP3, t4, c)
	t5, cc = bits.Add64(t5, c, cc)

	m = t2 * fe256dPInv
	c, _ = madd64(m, fe256dP0, t2, 0)
	c, t3 = madd64(m, fe256dP1, t3, c)
	c, t4 = madd64(m, fe256dP2, t4, c)
	c, t5 = madd64(m, fe256dP3, t5, c)
	t6, cc = bits.Add64(t6, c, cc)

	m = t3 * fe256dPInv
	c, _ = madd64(m, fe256dP0, t3, 0)
	c, t4 = madd64(m, fe256dP1, t4, c)
	c, t5 = madd64(m, fe256dP2, t5, c)
	c, t6 = madd64(m, fe256dP3, t6, c)
	t7, cc = bits.Add64(t7, c, cc)

	var d0, d1, d2, d3, b uint64
	d0, b = bits.Sub64(t4, fe256dP0, 0)
	d1, b = bits.Sub64(t5, fe256dP1, b)
	d2, b = bits.Sub64(t6, fe256dP2, b)
	d3, b = bits.Sub64(t7, fe256dP3, b)
	_, b = bits.Sub64(cc, 0, b)
	keep := -b
	z[0] = t4&keep | d0&^keep
	z[1] = t5&keep | d1&^keep
	z[2] = t6&keep | d2&^keep
	z[3] = t7&keep | d3&^keep
}

// fe256dAdd sets z = x + y mod p.
func fe256dAdd(z, x, y *fe256d) {
	var s0, s1, s2, s3, d0, d1, d2, d3, c, b uint64
	s0, c = bits.Add64(x[0], y[0], 0)
	s1, c = bits.Add64(x[1], y[1], c)
	s2, c = bits.Add64(x[2], y[2], c)
	s3, c = bits.Add64(x[3], y[3], c)
	d0, b = bits.Sub64(s0, fe256dP0, 0)
	d1, b = bits.Sub64(s1, fe256dP1, b)
	d2, b = bits.Sub64(s2, fe256dP2, b)
	d3, b = bits.Sub64(s3, fe256dP3, b)
	_, b = bits.Sub64(c, 0, b)
	keep := -b
	z[0] = s0&keep | d0&^keep
	z[1] = s1&keep | d1&^keep
	z[2] = s2&keep | d2&^keep
	z[3] = s3&keep | d3&^keep
}

// fe256dSub sets z = x − y mod p.
func fe256dSub(z, x, y *fe256d) {
	var d0, d1, d2, d3, b, c uint64
	d0, b = bits.Sub64(x[0], y[0], 0)
	d1, b = bits.Sub64(x[1], y[1], b)
	d2, b = bits.Sub64(x[2], y[2], b)
	d3, b = bits.Sub64(x[3], y[3], b)
	m := -b
	z[0], c = bits.Add64(d0, fe256dP0&m, 0)
	z[1], c = bits.Add64(d1, fe256dP1&m, c)
	z[2], c = bits.Add64(d2, fe256dP2&m, c)
	z[3], _ = bits.Add64(d3, fe256dP3&m, c)
}

// fe256dNeg sets z = −x mod p.
func fe256dNeg(z, x *fe256d) {
	var zero fe256d
	fe256dSub(z, &zero, x)
}

// fe256dMulSmall sets z = x·s mod p for a public s < 2^32 (b = 0x805a of
// tc26-256-D): t = x·s has five words; the quotient t/p is estimated as
// ⌊⌊t/2^192⌋·⌊2^320/p⌋/2^128⌋ (Barrett), which is at most 2 short, and
// t − q̂·p < 3p is corrected by two conditional subtractions.
func fe256dMulSmall(z, x *fe256d, s uint64) {
	var t0, t1, t2, t3, t4, c uint64
	c, t0 = bits.Mul64(x[0], s)
	c, t1 = madd64(x[1], s, c, 0)
	c, t2 = madd64(x[2], s, c, 0)
	t4, t3 = madd64(x[3], s, c, 0)
	// q̂ = ⌊(t4·2^64 + t3)·(2^64 + μ0) / 2^128⌋.
	a1, _ := bits.Mul64(t3, fe256dMu0)
	b1, b0 := bits.Mul64(t4, fe256dMu0)
	mid, cc := bits.Add64(a1, b0, 0)
	hi := b1 + cc
	_, cc = bits.Add64(mid, t3, 0)
	hi += cc
	q := hi + t4
	// r = t − q·p.
	var p0, p1, p2, p3, p4, b uint64
	c, p0 = bits.Mul64(q, fe256dP0)
	c, p1 = madd64(q, fe256dP1, c, 0)
	c, p2 = madd64(q, fe256dP2, c, 0)
	p4, p3 = madd64(q, fe256dP3, c, 0)
	t0, b = bits.Sub64(t0, p0, 0)
	t1, b = bits.Sub64(t1, p1, b)
	t2, b = bits.Sub64(t2, p2, b)
	t3, b = bits.Sub64(t3, p3, b)
	t4, _ = bits.Sub64(t4, p4, b)
	for range 2 {
		var d0, d1, d2, d3, d4 uint64
		d0, b = bits.Sub64(t0, fe256dP0, 0)
		d1, b = bits.Sub64(t1, fe256dP1, b)
		d2, b = bits.Sub64(t2, fe256dP2, b)
		d3, b = bits.Sub64(t3, fe256dP3, b)
		d4, b = bits.Sub64(t4, 0, b)
		keep := -b
		t0 = t0&keep | d0&^keep
		t1 = t1&keep | d1&^keep
		t2 = t2&keep | d2&^keep
		t3 = t3&keep | d3&^keep
		t4 = t4&keep | d4&^keep
	}
	z[0], z[1], z[2], z[3] = t0, t1, t2, t3
}

// fe256dCanon is the identity: values are always below p.
func fe256dCanon(z, x *fe256d) { *z = *x }

// fe256dIsZero returns 1 if x = 0, else 0.
func fe256dIsZero(x *fe256d) uint64 {
	acc := x[0] | x[1] | x[2] | x[3]
	return 1 ^ ((acc | -acc) >> 63)
}

// fe256dEqual returns 1 if x = y, else 0.
func fe256dEqual(x, y *fe256d) uint64 {
	acc := (x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])
	return 1 ^ ((acc | -acc) >> 63)
}

// fe256dSelect sets z = x if cond == 1, else z = y.
func fe256dSelect(z, x, y *fe256d, cond uint64) {
	m := -cond
	z[0] = x[0]&m | y[0]&^m
	z[1] = x[1]&m | y[1]&^m
	z[2] = x[2]&m | y[2]&^m
	z[3] = x[3]&m | y[3]&^m
}

// fe256dCondNeg sets z = −x if cond == 1, else z = x.
func fe256dCondNeg(z, x *fe256d, cond uint64) {
	var n fe256d
	fe256dNeg(&n, x)
	fe256dSelect(z, &n, x, cond)
}

// fe256dInv sets z = x⁻¹ = x^(p−2) (0 for 0): fixed 4-bit windows over the
// public exponent, 252 squarings and at most 78 multiplications, the same
// sequence for every x.
func fe256dInv(z, x *fe256d) {
	var pow [16]fe256d // pow[i] = x^i
	pow[0] = fe256dOne
	pow[1] = *x
	for i := 2; i < 16; i++ {
		fe256dMul(&pow[i], &pow[i-1], x)
	}
	e := fe256dP
	e[0] -= 2 // p − 2; p0 ≥ 2, no borrow
	t := pow[e[3]>>60]
	for i := 251; i >= 0; i -= 4 {
		fe256dSqr(&t, &t)
		fe256dSqr(&t, &t)
		fe256dSqr(&t, &t)
		fe256dSqr(&t, &t)
		if d := e[i/64] >> uint(i%64-3) & 15; d != 0 {
			fe256dMul(&t, &t, &pow[d])
		}
	}
	*z = t
}

// fe256dFromLimbs sets z to the Montgomery form of the canonical x < p.
func fe256dFromLimbs(z *fe256d, x *limbs) {
	v := fe256d{x[0], x[1], x[2], x[3]}
	fe256dMul(z, &v, &fe256dRR)
}

// fe256dToLimbs returns the canonical value of x.
func fe256dToLimbs(x *fe256d) limbs {
	var r fe256d
	fe256dRedc(&r, x[0], x[1], x[2], x[3], 0, 0, 0, 0)
	var l limbs
	copy(l[:], r[:])
	return l
}

// fe256dFromBig converts a public constant below p.
func fe256dFromBig(x *big.Int) fe256d {
	var z fe256d
	l := limbsFromBig(x)
	fe256dFromLimbs(&z, &l)
	return z
}

// fe256dValid reports whether the canonical candidate x is below p.
func fe256dValid(x *limbs) bool {
	var b, hi uint64
	for i := range 4 {
		_, b = bits.Sub64(x[i], fe256dP[i], b)
	}
	for i := 4; i < len(x); i++ {
		hi |= x[i]
	}
	return hi == 0 && b == 1
}
