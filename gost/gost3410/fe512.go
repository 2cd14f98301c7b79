package gost3410

import (
	"math/big"
	"math/bits"
)

// fe512 is an element of GF(p) for the pseudo-Mersenne prime
// p = 2^512 − 569 of tc26-512-A and tc26-512-C, in eight saturated 64-bit
// little-endian limbs. Like fe256 it is loosely reduced (any 512-bit value,
// congruent to the result) and constant time; fe512Canon gives the value
// below p. Reduction folds the part above 2^512 in as a multiple of
// c = 569, since 2^512 ≡ c (mod p).
type fe512 [8]uint64

const (
	fe512C     = 569 // p = 2^512 − fe512C
	fe512Limbs = 8
	fe512Bits  = 512
)

var fe512P = fe512{0xfffffffffffffdc7, ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

// fe512Fold reduces the 1024-bit t = lo + 2^512·hi to eight limbs.
func fe512Fold(z *fe512, t *[16]uint64) {
	// w = c·hi as nine words: each step is t·c + carry < 2^64·c.
	var k uint64
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	k, w0 = madd64(t[8], fe512C, k, 0)
	k, w1 = madd64(t[9], fe512C, k, 0)
	k, w2 = madd64(t[10], fe512C, k, 0)
	k, w3 = madd64(t[11], fe512C, k, 0)
	k, w4 = madd64(t[12], fe512C, k, 0)
	k, w5 = madd64(t[13], fe512C, k, 0)
	k, w6 = madd64(t[14], fe512C, k, 0)
	k, w7 = madd64(t[15], fe512C, k, 0)
	var cc, r0, r1, r2, r3, r4, r5, r6, r7 uint64
	r0, cc = bits.Add64(t[0], w0, 0)
	r1, cc = bits.Add64(t[1], w1, cc)
	r2, cc = bits.Add64(t[2], w2, cc)
	r3, cc = bits.Add64(t[3], w3, cc)
	r4, cc = bits.Add64(t[4], w4, cc)
	r5, cc = bits.Add64(t[5], w5, cc)
	r6, cc = bits.Add64(t[6], w6, cc)
	r7, cc = bits.Add64(t[7], w7, cc)
	top := k + cc // ≤ c: fold top·2^512 ≡ top·c once more
	r0, cc = bits.Add64(r0, top*fe512C, 0)
	r1, cc = bits.Add64(r1, 0, cc)
	r2, cc = bits.Add64(r2, 0, cc)
	r3, cc = bits.Add64(r3, 0, cc)
	r4, cc = bits.Add64(r4, 0, cc)
	r5, cc = bits.Add64(r5, 0, cc)
	r6, cc = bits.Add64(r6, 0, cc)
	r7, cc = bits.Add64(r7, 0, cc)
	// A carry leaves r < 2^20, so adding c cannot carry again.
	r0 += fe512C & -cc
	z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7] = r0, r1, r2, r3, r4, r5, r6, r7
}

// fe512MulSmall sets z = x·s for a public s < 2^32.
func fe512MulSmall(z, x *fe512, s uint64) {
	var k, cc, r0, r1, r2, r3, r4, r5, r6, r7 uint64
	k, r0 = madd64(x[0], s, k, 0)
	k, r1 = madd64(x[1], s, k, 0)
	k, r2 = madd64(x[2], s, k, 0)
	k, r3 = madd64(x[3], s, k, 0)
	k, r4 = madd64(x[4], s, k, 0)
	k, r5 = madd64(x[5], s, k, 0)
	k, r6 = madd64(x[6], s, k, 0)
	k, r7 = madd64(x[7], s, k, 0)
	r0, cc = bits.Add64(r0, k*fe512C, 0)
	r1, cc = bits.Add64(r1, 0, cc)
	r2, cc = bits.Add64(r2, 0, cc)
	r3, cc = bits.Add64(r3, 0, cc)
	r4, cc = bits.Add64(r4, 0, cc)
	r5, cc = bits.Add64(r5, 0, cc)
	r6, cc = bits.Add64(r6, 0, cc)
	r7, cc = bits.Add64(r7, 0, cc)
	r0 += fe512C & -cc
	z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7] = r0, r1, r2, r3, r4, r5, r6, r7
}

// fe512Add sets z = x + y.
func fe512Add(z, x, y *fe512) {
	var cc, r0, r1, r2, r3, r4, r5, r6, r7 uint64
	r0, cc = bits.Add64(x[0], y[0], 0)
	r1, cc = bits.Add64(x[1], y[1], cc)
	r2, cc = bits.Add64(x[2], y[2], cc)
	r3, cc = bits.Add64(x[3], y[3], cc)
	r4, cc = bits.Add64(x[4], y[4], cc)
	r5, cc = bits.Add64(x[5], y[5], cc)
	r6, cc = bits.Add64(x[6], y[6], cc)
	r7, cc = bits.Add64(x[7], y[7], cc)
	// See fe256Add: at most two folds of c.
	r0, cc = bits.Add64(r0, fe512C&-cc, 0)
	r1, cc = bits.Add64(r1, 0, cc)
	r2, cc = bits.Add64(r2, 0, cc)
	r3, cc = bits.Add64(r3, 0, cc)
	r4, cc = bits.Add64(r4, 0, cc)
	r5, cc = bits.Add64(r5, 0, cc)
	r6, cc = bits.Add64(r6, 0, cc)
	r7, cc = bits.Add64(r7, 0, cc)
	r0 += fe512C & -cc
	z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7] = r0, r1, r2, r3, r4, r5, r6, r7
}

// fe512Sub sets z = x − y.
func fe512Sub(z, x, y *fe512) {
	var b, r0, r1, r2, r3, r4, r5, r6, r7 uint64
	r0, b = bits.Sub64(x[0], y[0], 0)
	r1, b = bits.Sub64(x[1], y[1], b)
	r2, b = bits.Sub64(x[2], y[2], b)
	r3, b = bits.Sub64(x[3], y[3], b)
	r4, b = bits.Sub64(x[4], y[4], b)
	r5, b = bits.Sub64(x[5], y[5], b)
	r6, b = bits.Sub64(x[6], y[6], b)
	r7, b = bits.Sub64(x[7], y[7], b)
	r0, b = bits.Sub64(r0, fe512C&-b, 0)
	r1, b = bits.Sub64(r1, 0, b)
	r2, b = bits.Sub64(r2, 0, b)
	r3, b = bits.Sub64(r3, 0, b)
	r4, b = bits.Sub64(r4, 0, b)
	r5, b = bits.Sub64(r5, 0, b)
	r6, b = bits.Sub64(r6, 0, b)
	r7, b = bits.Sub64(r7, 0, b)
	r0 -= fe512C & -b
	z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7] = r0, r1, r2, r3, r4, r5, r6, r7
}

// fe512Neg sets z = −x.
func fe512Neg(z, x *fe512) {
	var zero fe512
	fe512Sub(z, &zero, x)
}

// fe512Canon sets z to the representative of x below p.
func fe512Canon(z, x *fe512) {
	var cc, r0, r1, r2, r3, r4, r5, r6, r7 uint64
	r0, cc = bits.Add64(x[0], fe512C, 0)
	r1, cc = bits.Add64(x[1], 0, cc)
	r2, cc = bits.Add64(x[2], 0, cc)
	r3, cc = bits.Add64(x[3], 0, cc)
	r4, cc = bits.Add64(x[4], 0, cc)
	r5, cc = bits.Add64(x[5], 0, cc)
	r6, cc = bits.Add64(x[6], 0, cc)
	r7, cc = bits.Add64(x[7], 0, cc)
	m := -cc
	z[0] = r0&m | x[0]&^m
	z[1] = r1&m | x[1]&^m
	z[2] = r2&m | x[2]&^m
	z[3] = r3&m | x[3]&^m
	z[4] = r4&m | x[4]&^m
	z[5] = r5&m | x[5]&^m
	z[6] = r6&m | x[6]&^m
	z[7] = r7&m | x[7]&^m
}

// fe512IsZero returns 1 if x ≡ 0 (mod p), else 0.
func fe512IsZero(x *fe512) uint64 {
	var r fe512
	fe512Canon(&r, x)
	var acc uint64
	for _, w := range r {
		acc |= w
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// fe512Equal returns 1 if x ≡ y (mod p), else 0.
func fe512Equal(x, y *fe512) uint64 {
	var d fe512
	fe512Sub(&d, x, y)
	return fe512IsZero(&d)
}

// fe512Select sets z = x if cond == 1, else z = y.
func fe512Select(z, x, y *fe512, cond uint64) {
	m := -cond
	z[0] = x[0]&m | y[0]&^m
	z[1] = x[1]&m | y[1]&^m
	z[2] = x[2]&m | y[2]&^m
	z[3] = x[3]&m | y[3]&^m
	z[4] = x[4]&m | y[4]&^m
	z[5] = x[5]&m | y[5]&^m
	z[6] = x[6]&m | y[6]&^m
	z[7] = x[7]&m | y[7]&^m
}

// fe512CondNeg sets z = −x if cond == 1, else z = x.
func fe512CondNeg(z, x *fe512, cond uint64) {
	var n fe512
	fe512Neg(&n, x)
	fe512Select(z, &n, x, cond)
}

// fe512SqrN sets z = x^(2^n).
func fe512SqrN(z, x *fe512, n int) {
	fe512Sqr(z, x)
	for i := 1; i < n; i++ {
		fe512Sqr(z, z)
	}
}

// fe512Inv sets z = x⁻¹ = x^(p−2) (and 0 for 0). p − 2 = 2^512 − 571 is
// 502 one bits followed by the ten bits of 453 = 0b0111000101.
func fe512Inv(z, x *fe512) {
	var x2, x4, x8, x16, x32, x64, x128, t fe512
	fe512Sqr(&t, x)
	fe512Mul(&x2, &t, x)
	fe512SqrN(&t, &x2, 2)
	fe512Mul(&x4, &t, &x2)
	fe512SqrN(&t, &x4, 4)
	fe512Mul(&x8, &t, &x4)
	fe512SqrN(&t, &x8, 8)
	fe512Mul(&x16, &t, &x8)
	fe512SqrN(&t, &x16, 16)
	fe512Mul(&x32, &t, &x16)
	fe512SqrN(&t, &x32, 32)
	fe512Mul(&x64, &t, &x32)
	fe512SqrN(&t, &x64, 64)
	fe512Mul(&x128, &t, &x64)
	fe512SqrN(&t, &x128, 128)
	fe512Mul(&t, &t, &x128) // 2^256 − 1
	fe512SqrN(&t, &t, 128)
	fe512Mul(&t, &t, &x128) // 2^384 − 1
	fe512SqrN(&t, &t, 64)
	fe512Mul(&t, &t, &x64) // 2^448 − 1
	fe512SqrN(&t, &t, 32)
	fe512Mul(&t, &t, &x32) // 2^480 − 1
	fe512SqrN(&t, &t, 16)
	fe512Mul(&t, &t, &x16) // 2^496 − 1
	fe512SqrN(&t, &t, 4)
	fe512Mul(&t, &t, &x4) // 2^500 − 1
	fe512SqrN(&t, &t, 2)
	fe512Mul(&t, &t, &x2) // 2^502 − 1
	const tail = 453
	for i := 9; i >= 0; i-- {
		fe512Sqr(&t, &t)
		if tail>>uint(i)&1 == 1 {
			fe512Mul(&t, &t, x)
		}
	}
	*z = t
}

// fe512FromLimbs loads a canonical value.
func fe512FromLimbs(z *fe512, x *limbs) { *z = fe512(*x) }

// fe512ToLimbs stores the canonical representative of x.
func fe512ToLimbs(x *fe512) limbs {
	var r fe512
	fe512Canon(&r, x)
	return limbs(r)
}

// fe512Valid reports whether the canonical candidate x is below p.
func fe512Valid(x *limbs) bool {
	var b uint64
	for i := range 8 {
		_, b = bits.Sub64(x[i], fe512P[i], b)
	}
	return b == 1
}

// fe512One and fe512Three are 1 and 3 in the representation of fe512.
var (
	fe512One   = fe512{1}
	fe512Three = fe512{3}
)

// fe512PBig is p as a big.Int, to recognise the parameter sets.
var fe512PBig = mustHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7")

// fe512FromBig converts a public constant below p.
func fe512FromBig(x *big.Int) fe512 { return fe512(limbsFromBig(x)) }
