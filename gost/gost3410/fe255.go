package gost3410

import (
	"math/big"
	"math/bits"
)

// fe255 is an element of GF(p), p = 2^255 + 3225, in the Montgomery domain
// (x·2^256 mod p), fully reduced below p, in 4 little-endian 64-bit limbs.
// p is not of the form 2^k − c, but its words are all zero except the lowest
// (3225) and the top bit, so each Montgomery reduction step m·p costs one
// 64-bit product and a shift. Every function runs in constant time.
type fe255 [4]uint64

const (
	fe255C    = 3225
	fe255Bits = 256
	fe255PInv = 0xbd667ab8a3347857 // −p⁻¹ mod 2^64
)

var (
	fe255P     = fe255{0xc99, 0x0, 0x0, 0x8000000000000000}
	fe255RR    = fe255{0x27acdc4, 0x0, 0x0, 0x0}                                                       // 2^512 mod p
	fe255One   = fe255{0xfffffffffffff367, 0xffffffffffffffff, 0xffffffffffffffff, 0x7fffffffffffffff} // 1 in Montgomery form
	fe255Three = fe255{0xffffffffffffc103, 0xffffffffffffffff, 0xffffffffffffffff, 0x7fffffffffffffff}
	fe255PBig  = mustHex("8000000000000000000000000000000000000000000000000000000000000c99")
)

// fe255MulGeneric sets z = x·y·2^−256 mod p for x, y < p.
func fe255MulGeneric(z, x, y *fe255) {
	var t [9]uint64
	var c uint64
	c = 0
	c, t[0] = madd64(x[0], y[0], c, 0)
	c, t[1] = madd64(x[1], y[0], c, 0)
	c, t[2] = madd64(x[2], y[0], c, 0)
	c, t[3] = madd64(x[3], y[0], c, 0)
	t[4] = c
	c = 0
	c, t[1] = madd64(x[0], y[1], t[1], c)
	c, t[2] = madd64(x[1], y[1], t[2], c)
	c, t[3] = madd64(x[2], y[1], t[3], c)
	c, t[4] = madd64(x[3], y[1], t[4], c)
	t[5] = c
	c = 0
	c, t[2] = madd64(x[0], y[2], t[2], c)
	c, t[3] = madd64(x[1], y[2], t[3], c)
	c, t[4] = madd64(x[2], y[2], t[4], c)
	c, t[5] = madd64(x[3], y[2], t[5], c)
	t[6] = c
	c = 0
	c, t[3] = madd64(x[0], y[3], t[3], c)
	c, t[4] = madd64(x[1], y[3], t[4], c)
	c, t[5] = madd64(x[2], y[3], t[5], c)
	c, t[6] = madd64(x[3], y[3], t[6], c)
	t[7] = c
	fe255Reduce(z, &t)
}

// fe255SqrGeneric sets z = x²·2^−256 mod p, each cross product once.
func fe255SqrGeneric(z, x *fe255) {
	var t [9]uint64
	var h, l, c, r0, r1, r2, s0, s1, s2 uint64
	_ = c
	h, l = bits.Mul64(x[0], x[0])
	r0, c = bits.Add64(r0, l, 0)
	r1, c = bits.Add64(r1, h, c)
	r2 += c
	t[0] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[0], x[1])
	s2 = 0
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	t[1] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[0], x[2])
	s2 = 0
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	h, l = bits.Mul64(x[1], x[1])
	r0, c = bits.Add64(r0, l, 0)
	r1, c = bits.Add64(r1, h, c)
	r2 += c
	t[2] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[0], x[3])
	s2 = 0
	h, l = bits.Mul64(x[1], x[2])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	t[3] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[1], x[3])
	s2 = 0
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	h, l = bits.Mul64(x[2], x[2])
	r0, c = bits.Add64(r0, l, 0)
	r1, c = bits.Add64(r1, h, c)
	r2 += c
	t[4] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[2], x[3])
	s2 = 0
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	t[5] = r0
	r0, r1, r2 = r1, r2, 0
	h, l = bits.Mul64(x[3], x[3])
	r0, c = bits.Add64(r0, l, 0)
	r1, c = bits.Add64(r1, h, c)
	r2 += c
	t[6] = r0
	t[7] = r1
	fe255Reduce(z, &t)
}

// fe255Reduce sets z = t·2^−256 mod p for t < p·2^256 (Montgomery reduction,
// word by word). m·p = m·3225 + m·2^255: the first part lands on words i and
// i+1, the second on words i+3 and i+4; carries run to the top.
func fe255Reduce(z *fe255, t *[9]uint64) {
	var m, h, l, cc uint64
	m = t[0] * fe255PInv
	h, l = bits.Mul64(m, fe255C)
	_, cc = bits.Add64(t[0], l, 0) // word 0 becomes zero
	t[1], cc = bits.Add64(t[1], h, cc)
	t[2], cc = bits.Add64(t[2], 0, cc)
	t[3], cc = bits.Add64(t[3], 0, cc)
	t[4], cc = bits.Add64(t[4], 0, cc)
	t[5], cc = bits.Add64(t[5], 0, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8] += cc
	t[3], cc = bits.Add64(t[3], m<<63, 0)
	t[4], cc = bits.Add64(t[4], m>>1, cc)
	t[5], cc = bits.Add64(t[5], 0, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8] += cc
	m = t[1] * fe255PInv
	h, l = bits.Mul64(m, fe255C)
	_, cc = bits.Add64(t[1], l, 0) // word 1 becomes zero
	t[2], cc = bits.Add64(t[2], h, cc)
	t[3], cc = bits.Add64(t[3], 0, cc)
	t[4], cc = bits.Add64(t[4], 0, cc)
	t[5], cc = bits.Add64(t[5], 0, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8] += cc
	t[4], cc = bits.Add64(t[4], m<<63, 0)
	t[5], cc = bits.Add64(t[5], m>>1, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8] += cc
	m = t[2] * fe255PInv
	h, l = bits.Mul64(m, fe255C)
	_, cc = bits.Add64(t[2], l, 0) // word 2 becomes zero
	t[3], cc = bits.Add64(t[3], h, cc)
	t[4], cc = bits.Add64(t[4], 0, cc)
	t[5], cc = bits.Add64(t[5], 0, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8] += cc
	t[5], cc = bits.Add64(t[5], m<<63, 0)
	t[6], cc = bits.Add64(t[6], m>>1, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8] += cc
	m = t[3] * fe255PInv
	h, l = bits.Mul64(m, fe255C)
	_, cc = bits.Add64(t[3], l, 0) // word 3 becomes zero
	t[4], cc = bits.Add64(t[4], h, cc)
	t[5], cc = bits.Add64(t[5], 0, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8] += cc
	t[6], cc = bits.Add64(t[6], m<<63, 0)
	t[7], cc = bits.Add64(t[7], m>>1, cc)
	t[8] += cc
	// The result t[4:] < 2p: subtract p unless that borrows.
	var d fe255
	var b uint64
	d[0], b = bits.Sub64(t[4], fe255P[0], 0)
	d[1], b = bits.Sub64(t[5], fe255P[1], b)
	d[2], b = bits.Sub64(t[6], fe255P[2], b)
	d[3], b = bits.Sub64(t[7], fe255P[3], b)
	_, b = bits.Sub64(t[8], 0, b)
	keep := -b
	z[0] = t[4]&keep | d[0]&^keep
	z[1] = t[5]&keep | d[1]&^keep
	z[2] = t[6]&keep | d[2]&^keep
	z[3] = t[7]&keep | d[3]&^keep
}

// fe255Add sets z = x + y mod p.
func fe255Add(z, x, y *fe255) {
	var s, d fe255
	var c, b uint64
	s[0], c = bits.Add64(x[0], y[0], 0)
	s[1], c = bits.Add64(x[1], y[1], c)
	s[2], c = bits.Add64(x[2], y[2], c)
	s[3], c = bits.Add64(x[3], y[3], c)
	d[0], b = bits.Sub64(s[0], fe255P[0], 0)
	d[1], b = bits.Sub64(s[1], fe255P[1], b)
	d[2], b = bits.Sub64(s[2], fe255P[2], b)
	d[3], b = bits.Sub64(s[3], fe255P[3], b)
	_, b = bits.Sub64(c, 0, b)
	keep := -b
	z[0] = s[0]&keep | d[0]&^keep
	z[1] = s[1]&keep | d[1]&^keep
	z[2] = s[2]&keep | d[2]&^keep
	z[3] = s[3]&keep | d[3]&^keep
}

// fe255Sub sets z = x − y mod p.
func fe255Sub(z, x, y *fe255) {
	var d fe255
	var b, c uint64
	d[0], b = bits.Sub64(x[0], y[0], 0)
	d[1], b = bits.Sub64(x[1], y[1], b)
	d[2], b = bits.Sub64(x[2], y[2], b)
	d[3], b = bits.Sub64(x[3], y[3], b)
	m := -b
	z[0], c = bits.Add64(d[0], fe255P[0]&m, 0)
	z[1], c = bits.Add64(d[1], fe255P[1]&m, c)
	z[2], c = bits.Add64(d[2], fe255P[2]&m, c)
	z[3], _ = bits.Add64(d[3], fe255P[3]&m, c)
}

// fe255Neg sets z = −x mod p.
func fe255Neg(z, x *fe255) {
	var zero fe255
	fe255Sub(z, &zero, x)
}

// fe255MulSmall sets z = x·s for a small public s (through a Montgomery
// multiplication by s·2^256; no set over this prime has a small b).
func fe255MulSmall(z, x *fe255, s uint64) {
	var sm fe255
	fe255Mul(&sm, &fe255{s}, &fe255RR)
	fe255Mul(z, x, &sm)
}

// fe255Canon is the identity: values are always below p.
func fe255Canon(z, x *fe255) { *z = *x }

// fe255IsZero returns 1 if x = 0, else 0.
func fe255IsZero(x *fe255) uint64 {
	var acc uint64
	for _, w := range x {
		acc |= w
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// fe255Equal returns 1 if x = y, else 0.
func fe255Equal(x, y *fe255) uint64 {
	var acc uint64
	for i := range x {
		acc |= x[i] ^ y[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// fe255Select sets z = x if cond == 1, else z = y.
func fe255Select(z, x, y *fe255, cond uint64) {
	m := -cond
	for i := range z {
		z[i] = x[i]&m | y[i]&^m
	}
}

// fe255CondNeg sets z = −x if cond == 1, else z = x.
func fe255CondNeg(z, x *fe255, cond uint64) {
	var n fe255
	fe255Neg(&n, x)
	fe255Select(z, &n, x, cond)
}

// fe255Inv sets z = x⁻¹ = x^(p−2) (0 for 0). p − 2 = 2^255 + 3223: square and
// multiply over the public exponent, 255 squarings.
func fe255Inv(z, x *fe255) {
	const low = fe255C - 2
	t := *x // top bit of the exponent
	for i := 254; i >= 0; i-- {
		fe255Sqr(&t, &t)
		if i < 64 && uint64(low)>>uint(i)&1 == 1 {
			fe255Mul(&t, &t, x)
		}
	}
	*z = t
}

// fe255FromLimbs sets z to the Montgomery form of the canonical x < p.
func fe255FromLimbs(z *fe255, x *limbs) {
	var v fe255
	copy(v[:], x[:4])
	fe255Mul(z, &v, &fe255RR)
}

// fe255ToLimbs returns the canonical value of x.
func fe255ToLimbs(x *fe255) limbs {
	var r fe255
	fe255Mul(&r, x, &fe255{1})
	var l limbs
	copy(l[:], r[:])
	return l
}

// fe255FromBig converts a public constant below p.
func fe255FromBig(x *big.Int) fe255 {
	var z fe255
	l := limbsFromBig(x)
	fe255FromLimbs(&z, &l)
	return z
}

// fe255Valid reports whether the canonical candidate x is below p.
func fe255Valid(x *limbs) bool {
	var b, hi uint64
	for i := range 4 {
		_, b = bits.Sub64(x[i], fe255P[i], b)
	}
	for i := 4; i < len(x); i++ {
		hi |= x[i]
	}
	return hi == 0 && b == 1
}
