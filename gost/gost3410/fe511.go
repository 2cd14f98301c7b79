package gost3410

import (
	"math/big"
	"math/bits"
)

// fe511 is an element of GF(p), p = 2^511 + 111, in the Montgomery domain
// (x·2^512 mod p), fully reduced below p, in 8 little-endian 64-bit limbs.
// p is not of the form 2^k − c, but its words are all zero except the lowest
// (111) and the top bit, so each Montgomery reduction step m·p costs one
// 64-bit product and a shift. Every function runs in constant time.
type fe511 [8]uint64

const (
	fe511C    = 111
	fe511Bits = 512
	fe511PInv = 0x4e6a171024e6a171 // −p⁻¹ mod 2^64
)

var (
	fe511P     = fe511{0x6f, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x8000000000000000}
	fe511RR    = fe511{0xc084, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0}                                                                                                                      // 2^1024 mod p
	fe511One   = fe511{0xffffffffffffff91, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0x7fffffffffffffff} // 1 in Montgomery form
	fe511Three = fe511{0xfffffffffffffdd5, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0x7fffffffffffffff}
	fe511PBig  = mustHex("8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006f")
)

// fe511MulGeneric sets z = x·y·2^−512 mod p for x, y < p.
func fe511MulGeneric(z, x, y *fe511) {
	var t [17]uint64
	var c uint64
	c = 0
	c, t[0] = madd64(x[0], y[0], c, 0)
	c, t[1] = madd64(x[1], y[0], c, 0)
	c, t[2] = madd64(x[2], y[0], c, 0)
	c, t[3] = madd64(x[3], y[0], c, 0)
	c, t[4] = madd64(x[4], y[0], c, 0)
	c, t[5] = madd64(x[5], y[0], c, 0)
	c, t[6] = madd64(x[6], y[0], c, 0)
	c, t[7] = madd64(x[7], y[0], c, 0)
	t[8] = c
	c = 0
	c, t[1] = madd64(x[0], y[1], t[1], c)
	c, t[2] = madd64(x[1], y[1], t[2], c)
	c, t[3] = madd64(x[2], y[1], t[3], c)
	c, t[4] = madd64(x[3], y[1], t[4], c)
	c, t[5] = madd64(x[4], y[1], t[5], c)
	c, t[6] = madd64(x[5], y[1], t[6], c)
	c, t[7] = madd64(x[6], y[1], t[7], c)
	c, t[8] = madd64(x[7], y[1], t[8], c)
	t[9] = c
	c = 0
	c, t[2] = madd64(x[0], y[2], t[2], c)
	c, t[3] = madd64(x[1], y[2], t[3], c)
	c, t[4] = madd64(x[2], y[2], t[4], c)
	c, t[5] = madd64(x[3], y[2], t[5], c)
	c, t[6] = madd64(x[4], y[2], t[6], c)
	c, t[7] = madd64(x[5], y[2], t[7], c)
	c, t[8] = madd64(x[6], y[2], t[8], c)
	c, t[9] = madd64(x[7], y[2], t[9], c)
	t[10] = c
	c = 0
	c, t[3] = madd64(x[0], y[3], t[3], c)
	c, t[4] = madd64(x[1], y[3], t[4], c)
	c, t[5] = madd64(x[2], y[3], t[5], c)
	c, t[6] = madd64(x[3], y[3], t[6], c)
	c, t[7] = madd64(x[4], y[3], t[7], c)
	c, t[8] = madd64(x[5], y[3], t[8], c)
	c, t[9] = madd64(x[6], y[3], t[9], c)
	c, t[10] = madd64(x[7], y[3], t[10], c)
	t[11] = c
	c = 0
	c, t[4] = madd64(x[0], y[4], t[4], c)
	c, t[5] = madd64(x[1], y[4], t[5], c)
	c, t[6] = madd64(x[2], y[4], t[6], c)
	c, t[7] = madd64(x[3], y[4], t[7], c)
	c, t[8] = madd64(x[4], y[4], t[8], c)
	c, t[9] = madd64(x[5], y[4], t[9], c)
	c, t[10] = madd64(x[6], y[4], t[10], c)
	c, t[11] = madd64(x[7], y[4], t[11], c)
	t[12] = c
	c = 0
	c, t[5] = madd64(x[0], y[5], t[5], c)
	c, t[6] = madd64(x[1], y[5], t[6], c)
	c, t[7] = madd64(x[2], y[5], t[7], c)
	c, t[8] = madd64(x[3], y[5], t[8], c)
	c, t[9] = madd64(x[4], y[5], t[9], c)
	c, t[10] = madd64(x[5], y[5], t[10], c)
	c, t[11] = madd64(x[6], y[5], t[11], c)
	c, t[12] = madd64(x[7], y[5], t[12], c)
	t[13] = c
	c = 0
	c, t[6] = madd64(x[0], y[6], t[6], c)
	c, t[7] = madd64(x[1], y[6], t[7], c)
	c, t[8] = madd64(x[2], y[6], t[8], c)
	c, t[9] = madd64(x[3], y[6], t[9], c)
	c, t[10] = madd64(x[4], y[6], t[10], c)
	c, t[11] = madd64(x[5], y[6], t[11], c)
	c, t[12] = madd64(x[6], y[6], t[12], c)
	c, t[13] = madd64(x[7], y[6], t[13], c)
	t[14] = c
	c = 0
	c, t[7] = madd64(x[0], y[7], t[7], c)
	c, t[8] = madd64(x[1], y[7], t[8], c)
	c, t[9] = madd64(x[2], y[7], t[9], c)
	c, t[10] = madd64(x[3], y[7], t[10], c)
	c, t[11] = madd64(x[4], y[7], t[11], c)
	c, t[12] = madd64(x[5], y[7], t[12], c)
	c, t[13] = madd64(x[6], y[7], t[13], c)
	c, t[14] = madd64(x[7], y[7], t[14], c)
	t[15] = c
	fe511Reduce(z, &t)
}

// fe511SqrGeneric sets z = x²·2^−512 mod p, each cross product once.
func fe511SqrGeneric(z, x *fe511) {
	var t [17]uint64
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
	s1, s0 = bits.Mul64(x[0], x[4])
	s2 = 0
	h, l = bits.Mul64(x[1], x[3])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
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
	s1, s0 = bits.Mul64(x[0], x[5])
	s2 = 0
	h, l = bits.Mul64(x[1], x[4])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	h, l = bits.Mul64(x[2], x[3])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	t[5] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[0], x[6])
	s2 = 0
	h, l = bits.Mul64(x[1], x[5])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	h, l = bits.Mul64(x[2], x[4])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	h, l = bits.Mul64(x[3], x[3])
	r0, c = bits.Add64(r0, l, 0)
	r1, c = bits.Add64(r1, h, c)
	r2 += c
	t[6] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[0], x[7])
	s2 = 0
	h, l = bits.Mul64(x[1], x[6])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	h, l = bits.Mul64(x[2], x[5])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	h, l = bits.Mul64(x[3], x[4])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	t[7] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[1], x[7])
	s2 = 0
	h, l = bits.Mul64(x[2], x[6])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	h, l = bits.Mul64(x[3], x[5])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	h, l = bits.Mul64(x[4], x[4])
	r0, c = bits.Add64(r0, l, 0)
	r1, c = bits.Add64(r1, h, c)
	r2 += c
	t[8] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[2], x[7])
	s2 = 0
	h, l = bits.Mul64(x[3], x[6])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	h, l = bits.Mul64(x[4], x[5])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	t[9] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[3], x[7])
	s2 = 0
	h, l = bits.Mul64(x[4], x[6])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	h, l = bits.Mul64(x[5], x[5])
	r0, c = bits.Add64(r0, l, 0)
	r1, c = bits.Add64(r1, h, c)
	r2 += c
	t[10] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[4], x[7])
	s2 = 0
	h, l = bits.Mul64(x[5], x[6])
	s0, c = bits.Add64(s0, l, 0)
	s1, c = bits.Add64(s1, h, c)
	s2 += c
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	t[11] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[5], x[7])
	s2 = 0
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	h, l = bits.Mul64(x[6], x[6])
	r0, c = bits.Add64(r0, l, 0)
	r1, c = bits.Add64(r1, h, c)
	r2 += c
	t[12] = r0
	r0, r1, r2 = r1, r2, 0
	s1, s0 = bits.Mul64(x[6], x[7])
	s2 = 0
	s2 = s2<<1 | s1>>63
	s1 = s1<<1 | s0>>63
	s0 <<= 1
	r0, c = bits.Add64(r0, s0, 0)
	r1, c = bits.Add64(r1, s1, c)
	r2, _ = bits.Add64(r2, s2, c)
	t[13] = r0
	r0, r1, r2 = r1, r2, 0
	h, l = bits.Mul64(x[7], x[7])
	r0, c = bits.Add64(r0, l, 0)
	r1, c = bits.Add64(r1, h, c)
	r2 += c
	t[14] = r0
	t[15] = r1
	fe511Reduce(z, &t)
}

// fe511Reduce sets z = t·2^−512 mod p for t < p·2^512 (Montgomery reduction,
// word by word). m·p = m·111 + m·2^511: the first part lands on words i and
// i+1, the second on words i+7 and i+8; carries run to the top.
func fe511Reduce(z *fe511, t *[17]uint64) {
	var m, h, l, cc uint64
	m = t[0] * fe511PInv
	h, l = bits.Mul64(m, fe511C)
	_, cc = bits.Add64(t[0], l, 0) // word 0 becomes zero
	t[1], cc = bits.Add64(t[1], h, cc)
	t[2], cc = bits.Add64(t[2], 0, cc)
	t[3], cc = bits.Add64(t[3], 0, cc)
	t[4], cc = bits.Add64(t[4], 0, cc)
	t[5], cc = bits.Add64(t[5], 0, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8], cc = bits.Add64(t[8], 0, cc)
	t[9], cc = bits.Add64(t[9], 0, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	t[7], cc = bits.Add64(t[7], m<<63, 0)
	t[8], cc = bits.Add64(t[8], m>>1, cc)
	t[9], cc = bits.Add64(t[9], 0, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	m = t[1] * fe511PInv
	h, l = bits.Mul64(m, fe511C)
	_, cc = bits.Add64(t[1], l, 0) // word 1 becomes zero
	t[2], cc = bits.Add64(t[2], h, cc)
	t[3], cc = bits.Add64(t[3], 0, cc)
	t[4], cc = bits.Add64(t[4], 0, cc)
	t[5], cc = bits.Add64(t[5], 0, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8], cc = bits.Add64(t[8], 0, cc)
	t[9], cc = bits.Add64(t[9], 0, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	t[8], cc = bits.Add64(t[8], m<<63, 0)
	t[9], cc = bits.Add64(t[9], m>>1, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	m = t[2] * fe511PInv
	h, l = bits.Mul64(m, fe511C)
	_, cc = bits.Add64(t[2], l, 0) // word 2 becomes zero
	t[3], cc = bits.Add64(t[3], h, cc)
	t[4], cc = bits.Add64(t[4], 0, cc)
	t[5], cc = bits.Add64(t[5], 0, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8], cc = bits.Add64(t[8], 0, cc)
	t[9], cc = bits.Add64(t[9], 0, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	t[9], cc = bits.Add64(t[9], m<<63, 0)
	t[10], cc = bits.Add64(t[10], m>>1, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	m = t[3] * fe511PInv
	h, l = bits.Mul64(m, fe511C)
	_, cc = bits.Add64(t[3], l, 0) // word 3 becomes zero
	t[4], cc = bits.Add64(t[4], h, cc)
	t[5], cc = bits.Add64(t[5], 0, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8], cc = bits.Add64(t[8], 0, cc)
	t[9], cc = bits.Add64(t[9], 0, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	t[10], cc = bits.Add64(t[10], m<<63, 0)
	t[11], cc = bits.Add64(t[11], m>>1, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	m = t[4] * fe511PInv
	h, l = bits.Mul64(m, fe511C)
	_, cc = bits.Add64(t[4], l, 0) // word 4 becomes zero
	t[5], cc = bits.Add64(t[5], h, cc)
	t[6], cc = bits.Add64(t[6], 0, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8], cc = bits.Add64(t[8], 0, cc)
	t[9], cc = bits.Add64(t[9], 0, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	t[11], cc = bits.Add64(t[11], m<<63, 0)
	t[12], cc = bits.Add64(t[12], m>>1, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	m = t[5] * fe511PInv
	h, l = bits.Mul64(m, fe511C)
	_, cc = bits.Add64(t[5], l, 0) // word 5 becomes zero
	t[6], cc = bits.Add64(t[6], h, cc)
	t[7], cc = bits.Add64(t[7], 0, cc)
	t[8], cc = bits.Add64(t[8], 0, cc)
	t[9], cc = bits.Add64(t[9], 0, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	t[12], cc = bits.Add64(t[12], m<<63, 0)
	t[13], cc = bits.Add64(t[13], m>>1, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	m = t[6] * fe511PInv
	h, l = bits.Mul64(m, fe511C)
	_, cc = bits.Add64(t[6], l, 0) // word 6 becomes zero
	t[7], cc = bits.Add64(t[7], h, cc)
	t[8], cc = bits.Add64(t[8], 0, cc)
	t[9], cc = bits.Add64(t[9], 0, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	t[13], cc = bits.Add64(t[13], m<<63, 0)
	t[14], cc = bits.Add64(t[14], m>>1, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	m = t[7] * fe511PInv
	h, l = bits.Mul64(m, fe511C)
	_, cc = bits.Add64(t[7], l, 0) // word 7 becomes zero
	t[8], cc = bits.Add64(t[8], h, cc)
	t[9], cc = bits.Add64(t[9], 0, cc)
	t[10], cc = bits.Add64(t[10], 0, cc)
	t[11], cc = bits.Add64(t[11], 0, cc)
	t[12], cc = bits.Add64(t[12], 0, cc)
	t[13], cc = bits.Add64(t[13], 0, cc)
	t[14], cc = bits.Add64(t[14], 0, cc)
	t[15], cc = bits.Add64(t[15], 0, cc)
	t[16] += cc
	t[14], cc = bits.Add64(t[14], m<<63, 0)
	t[15], cc = bits.Add64(t[15], m>>1, cc)
	t[16] += cc
	// The result t[8:] < 2p: subtract p unless that borrows.
	var d fe511
	var b uint64
	d[0], b = bits.Sub64(t[8], fe511P[0], 0)
	d[1], b = bits.Sub64(t[9], fe511P[1], b)
	d[2], b = bits.Sub64(t[10], fe511P[2], b)
	d[3], b = bits.Sub64(t[11], fe511P[3], b)
	d[4], b = bits.Sub64(t[12], fe511P[4], b)
	d[5], b = bits.Sub64(t[13], fe511P[5], b)
	d[6], b = bits.Sub64(t[14], fe511P[6], b)
	d[7], b = bits.Sub64(t[15], fe511P[7], b)
	_, b = bits.Sub64(t[16], 0, b)
	keep := -b
	z[0] = t[8]&keep | d[0]&^keep
	z[1] = t[9]&keep | d[1]&^keep
	z[2] = t[10]&keep | d[2]&^keep
	z[3] = t[11]&keep | d[3]&^keep
	z[4] = t[12]&keep | d[4]&^keep
	z[5] = t[13]&keep | d[5]&^keep
	z[6] = t[14]&keep | d[6]&^keep
	z[7] = t[15]&keep | d[7]&^keep
}

// fe511Add sets z = x + y mod p.
func fe511Add(z, x, y *fe511) {
	var s, d fe511
	var c, b uint64
	s[0], c = bits.Add64(x[0], y[0], 0)
	s[1], c = bits.Add64(x[1], y[1], c)
	s[2], c = bits.Add64(x[2], y[2], c)
	s[3], c = bits.Add64(x[3], y[3], c)
	s[4], c = bits.Add64(x[4], y[4], c)
	s[5], c = bits.Add64(x[5], y[5], c)
	s[6], c = bits.Add64(x[6], y[6], c)
	s[7], c = bits.Add64(x[7], y[7], c)
	d[0], b = bits.Sub64(s[0], fe511P[0], 0)
	d[1], b = bits.Sub64(s[1], fe511P[1], b)
	d[2], b = bits.Sub64(s[2], fe511P[2], b)
	d[3], b = bits.Sub64(s[3], fe511P[3], b)
	d[4], b = bits.Sub64(s[4], fe511P[4], b)
	d[5], b = bits.Sub64(s[5], fe511P[5], b)
	d[6], b = bits.Sub64(s[6], fe511P[6], b)
	d[7], b = bits.Sub64(s[7], fe511P[7], b)
	_, b = bits.Sub64(c, 0, b)
	keep := -b
	z[0] = s[0]&keep | d[0]&^keep
	z[1] = s[1]&keep | d[1]&^keep
	z[2] = s[2]&keep | d[2]&^keep
	z[3] = s[3]&keep | d[3]&^keep
	z[4] = s[4]&keep | d[4]&^keep
	z[5] = s[5]&keep | d[5]&^keep
	z[6] = s[6]&keep | d[6]&^keep
	z[7] = s[7]&keep | d[7]&^keep
}

// fe511Sub sets z = x − y mod p.
func fe511Sub(z, x, y *fe511) {
	var d fe511
	var b, c uint64
	d[0], b = bits.Sub64(x[0], y[0], 0)
	d[1], b = bits.Sub64(x[1], y[1], b)
	d[2], b = bits.Sub64(x[2], y[2], b)
	d[3], b = bits.Sub64(x[3], y[3], b)
	d[4], b = bits.Sub64(x[4], y[4], b)
	d[5], b = bits.Sub64(x[5], y[5], b)
	d[6], b = bits.Sub64(x[6], y[6], b)
	d[7], b = bits.Sub64(x[7], y[7], b)
	m := -b
	z[0], c = bits.Add64(d[0], fe511P[0]&m, 0)
	z[1], c = bits.Add64(d[1], fe511P[1]&m, c)
	z[2], c = bits.Add64(d[2], fe511P[2]&m, c)
	z[3], c = bits.Add64(d[3], fe511P[3]&m, c)
	z[4], c = bits.Add64(d[4], fe511P[4]&m, c)
	z[5], c = bits.Add64(d[5], fe511P[5]&m, c)
	z[6], c = bits.Add64(d[6], fe511P[6]&m, c)
	z[7], _ = bits.Add64(d[7], fe511P[7]&m, c)
}

// fe511Neg sets z = −x mod p.
func fe511Neg(z, x *fe511) {
	var zero fe511
	fe511Sub(z, &zero, x)
}

// fe511MulSmall sets z = x·s for a small public s (through a Montgomery
// multiplication by s·2^512; no set over this prime has a small b).
func fe511MulSmall(z, x *fe511, s uint64) {
	var sm fe511
	fe511Mul(&sm, &fe511{s}, &fe511RR)
	fe511Mul(z, x, &sm)
}

// fe511Canon is the identity: values are always below p.
func fe511Canon(z, x *fe511) { *z = *x }

// fe511IsZero returns 1 if x = 0, else 0.
func fe511IsZero(x *fe511) uint64 {
	var acc uint64
	for _, w := range x {
		acc |= w
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// fe511Equal returns 1 if x = y, else 0.
func fe511Equal(x, y *fe511) uint64 {
	var acc uint64
	for i := range x {
		acc |= x[i] ^ y[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// fe511Select sets z = x if cond == 1, else z = y.
func fe511Select(z, x, y *fe511, cond uint64) {
	m := -cond
	for i := range z {
		z[i] = x[i]&m | y[i]&^m
	}
}

// fe511CondNeg sets z = −x if cond == 1, else z = x.
func fe511CondNeg(z, x *fe511, cond uint64) {
	var n fe511
	fe511Neg(&n, x)
	fe511Select(z, &n, x, cond)
}

// fe511Inv sets z = x⁻¹ = x^(p−2) (0 for 0). p − 2 = 2^511 + 109: square and
// multiply over the public exponent, 511 squarings.
func fe511Inv(z, x *fe511) {
	const low = fe511C - 2
	t := *x // top bit of the exponent
	for i := 510; i >= 0; i-- {
		fe511Sqr(&t, &t)
		if i < 64 && uint64(low)>>uint(i)&1 == 1 {
			fe511Mul(&t, &t, x)
		}
	}
	*z = t
}

// fe511FromLimbs sets z to the Montgomery form of the canonical x < p.
func fe511FromLimbs(z *fe511, x *limbs) {
	var v fe511
	copy(v[:], x[:8])
	fe511Mul(z, &v, &fe511RR)
}

// fe511ToLimbs returns the canonical value of x.
func fe511ToLimbs(x *fe511) limbs {
	var r fe511
	fe511Mul(&r, x, &fe511{1})
	var l limbs
	copy(l[:], r[:])
	return l
}

// fe511FromBig converts a public constant below p.
func fe511FromBig(x *big.Int) fe511 {
	var z fe511
	l := limbsFromBig(x)
	fe511FromLimbs(&z, &l)
	return z
}

// fe511Valid reports whether the canonical candidate x is below p.
func fe511Valid(x *limbs) bool {
	var b, hi uint64
	for i := range 8 {
		_, b = bits.Sub64(x[i], fe511P[i], b)
	}
	for i := 8; i < len(x); i++ {
		hi |= x[i]
	}
	return hi == 0 && b == 1
}
