package gost3410

import (
	"math/big"
	"math/bits"
)

// Inversion modulo the group order for public values (the digest in
// Verify): the "divsteps" GCD of Bernstein and Yang ("Fast constant-time
// gcd computation and modular inversion", 2019), in its variable-time
// form, on fixed-size limbs with no allocation. It replaces math/big's
// ModInverse, which cost about 0.5 KB and ten allocations per Verify.
// Signing never calls it: the secret nonce and key only meet the
// constant-time Montgomery arithmetic of field.go.
//
// A divstep maps (δ, f, g), f odd, to
//
//	(1 − δ, g, (g − f)/2)   if δ > 0 and g is odd,
//	(1 + δ, f, (g + f)/2)   if g is odd,
//	(1 + δ, f, g/2)         otherwise,
//
// and from f = m, g = x it reaches g = 0 with f = ±gcd(m, x). The steps
// depend only on the low bits of f and g, so they are run 62 at a time on
// one word each (byDivsteps), collecting the 2×2 matrix T with
// 2^62·(f′, g′) = T·(f, g), which is then applied to the full numbers
// (byUpdateFG) and to d, e with d·x ≡ f, e·x ≡ g (mod m) kept modulo m
// (byUpdateDE). At the end x⁻¹ = ±d. Here η = −δ is tracked, as the
// variable-time batching is simpler with it.

// byLimbs is a signed integer in radix 2^62: Σ v[i]·2^(62i), every limb
// below the top one in [0, 2^62), the top one signed. 9 limbs hold the
// 512-bit moduli with room for the intermediate values (< 2m).
type byLimbs [9]int64

const (
	byBits = 62
	byMask = 1<<byBits - 1
)

// byModulus is an odd modulus prepared for inverse.
type byModulus struct {
	n    int     // limbs in use: 5 for 256-bit moduli, 9 for 512-bit ones
	m    byLimbs // the modulus
	mInv uint64  // m⁻¹ mod 2^62
}

func newByModulus(m *big.Int) *byModulus {
	bm := &byModulus{n: (m.BitLen() + 2 + byBits - 1) / byBits}
	if bm.n > len(bm.m) {
		panic("gost3410: modulus too large for byLimbs")
	}
	l := limbsFromBig(m)
	bm.m = toByLimbs(&l, bm.n)
	inv := uint64(1)
	for range 6 { // Newton: each step doubles the correct low bits
		inv *= 2 - l[0]*inv
	}
	bm.mInv = inv & byMask
	return bm
}

// toByLimbs converts a non-negative 64-bit-limb integer to n limbs of 62
// bits.
func toByLimbs(x *limbs, n int) byLimbs {
	var r byLimbs
	for i := range n {
		bit := i * byBits
		w, off := bit/64, uint(bit%64)
		var v uint64
		if w < len(x) {
			v = x[w] >> off
			if off > 64-byBits && w+1 < len(x) {
				v |= x[w+1] << (64 - off)
			}
		}
		r[i] = int64(v & byMask)
	}
	return r
}

// fromByLimbs converts a normalized non-negative value (every limb in
// [0, 2^62)) back to 64-bit limbs.
func fromByLimbs(x *byLimbs, n int) limbs {
	var r limbs
	for i := range n {
		v := uint64(x[i])
		bit := i * byBits
		w, off := bit/64, uint(bit%64)
		if w < len(r) {
			r[w] |= v << off
		}
		if off > 64-byBits && w+1 < len(r) {
			r[w+1] |= v >> (64 - off)
		}
	}
	return r
}

// byMatrix is the transition matrix of 62 divsteps: 2^62·f′ = u·f + v·g,
// 2^62·g′ = q·f + r·g, with |u| + |v| ≤ 2^62 and |q| + |r| ≤ 2^62.
type byMatrix struct{ u, v, q, r int64 }

// byDivsteps runs 62 divsteps on the low words of f (odd) and g from η
// and returns the new η and the matrix. Zero bits of g are skipped in one
// shift, and an odd g is cleared of up to six low bits at once by adding
// the multiple of f that a run of steps without a swap would add.
// Variable time.
func byDivsteps(eta int64, f0, g0 uint64) (int64, byMatrix) {
	u, v, q, r := int64(1), int64(0), int64(0), int64(1)
	f, g := f0, g0
	i := byBits
	for {
		// Skip the zeros at the bottom of g (at most the steps left).
		z := bits.TrailingZeros64(g | 1<<uint(i))
		g >>= uint(z)
		u <<= uint(z)
		v <<= uint(z)
		eta -= int64(z)
		i -= z
		if i == 0 {
			break
		}
		// g is odd.
		if eta < 0 {
			// δ > 0: (f, g) ← (g, −f); the first step below then computes
			// (g − f)/2 of the old values.
			eta = -eta
			f, g = g, -f
			u, q = q, -u
			v, r = r, -v
		}
		// Add w·f to g with w ≡ −g/f (mod 2^k), k bits: the k following
		// steps would add f at exactly these positions as long as η stays
		// ≥ 0 (k ≤ η + 1) and steps are left (k ≤ i). f⁻¹ ≡ f(2 − f²)
		// (mod 2^6) for odd f.
		k := min(int(eta)+1, i, 6)
		mask := uint64(1)<<uint(k) - 1
		w := (g * f * (f*f - 2)) & mask
		g += f * w
		q += u * int64(w)
		r += v * int64(w)
	}
	return eta, byMatrix{u, v, q, r}
}

// mulS returns the signed 128-bit product a·b as (hi, lo).
func mulS(a, b int64) (int64, uint64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	hi -= uint64(a>>63) & uint64(b)
	hi -= uint64(b>>63) & uint64(a)
	return int64(hi), lo
}

// acc128 is a signed 128-bit accumulator.
type acc128 struct {
	hi int64
	lo uint64
}

func (a *acc128) addMul(x, y int64) {
	h, l := mulS(x, y)
	var c uint64
	a.lo, c = bits.Add64(a.lo, l, 0)
	a.hi += h + int64(c)
}

// shift returns the low 62 bits and divides by 2^62 (rounding down).
func (a *acc128) shift() int64 {
	low := int64(a.lo & byMask)
	a.lo = a.lo>>byBits | uint64(a.hi)<<(64-byBits)
	a.hi >>= byBits
	return low
}

// byUpdateFG sets (f, g) = T·(f, g)/2^62 on their first n limbs (the
// division is exact by construction of T).
func byUpdateFG(f, g *byLimbs, n int, t *byMatrix) {
	var cf, cg acc128
	cf.addMul(t.u, f[0])
	cf.addMul(t.v, g[0])
	cg.addMul(t.q, f[0])
	cg.addMul(t.r, g[0])
	cf.shift()
	cg.shift()
	for i := 1; i < n; i++ {
		cf.addMul(t.u, f[i])
		cf.addMul(t.v, g[i])
		cg.addMul(t.q, f[i])
		cg.addMul(t.r, g[i])
		f[i-1] = cf.shift()
		g[i-1] = cg.shift()
	}
	f[n-1] = int64(cf.lo)
	g[n-1] = int64(cg.lo)
}

// updateDE sets (d, e) = T·(d, e)/2^62 mod m for d, e in [0, m), adding
// the multiples of m that make the divisions exact; the results are in
// [0, m) again.
func (bm *byModulus) updateDE(d, e *byLimbs, t *byMatrix) {
	n := bm.n
	// md·m cancels the low 62 bits of u·d + v·e, me·m those of q·d + r·e.
	ld := uint64(t.u)*uint64(d[0]) + uint64(t.v)*uint64(e[0])
	le := uint64(t.q)*uint64(d[0]) + uint64(t.r)*uint64(e[0])
	md := int64(-ld * bm.mInv & byMask)
	me := int64(-le * bm.mInv & byMask)
	var cd, ce acc128
	for i := range n {
		cd.addMul(t.u, d[i])
		cd.addMul(t.v, e[i])
		cd.addMul(md, bm.m[i])
		ce.addMul(t.q, d[i])
		ce.addMul(t.r, e[i])
		ce.addMul(me, bm.m[i])
		ld, le := cd.shift(), ce.shift()
		if i > 0 {
			d[i-1], e[i-1] = ld, le
		}
	}
	d[n-1] = int64(cd.lo)
	e[n-1] = int64(ce.lo)
	// |u·d + v·e| < 2^62·m and 0 ≤ md·m < 2^62·m: the result is in (−m, 2m).
	bm.reduce(d)
	bm.reduce(e)
}

// reduce brings x from (−m, 2m) into [0, m), normalized.
func (bm *byModulus) reduce(x *byLimbs) {
	if x[bm.n-1] < 0 {
		bm.addScaled(x, 1)
	} else if !bm.below(x) {
		bm.addScaled(x, -1)
	}
}

// below reports whether the normalized non-negative x is < m.
func (bm *byModulus) below(x *byLimbs) bool {
	for i := bm.n - 1; i >= 0; i-- {
		if x[i] != bm.m[i] {
			return x[i] < bm.m[i]
		}
	}
	return false
}

// addScaled sets x += s·m for s = ±1 and normalizes the limbs.
func (bm *byModulus) addScaled(x *byLimbs, s int64) {
	var c int64
	for i := range bm.n {
		v := x[i] + s*bm.m[i] + c
		if i < bm.n-1 {
			x[i] = v & byMask
			c = v >> byBits
		} else {
			x[i] = v
		}
	}
}

// negate sets x = −x, normalized (the top limb signed).
func (bm *byModulus) negate(x *byLimbs) {
	var c int64
	for i := range bm.n {
		v := -x[i] + c
		if i < bm.n-1 {
			x[i] = v & byMask
			c = v >> byBits
		} else {
			x[i] = v
		}
	}
}

// inverse returns x⁻¹ mod m for 0 < x < m, and ok = false when x has no
// inverse (x ≡ 0). Variable time: public values only.
func (bm *byModulus) inverse(x *limbs) (limbs, bool) {
	n := bm.n
	f, g := bm.m, toByLimbs(x, n)
	var d, e byLimbs
	e[0] = 1
	eta := int64(-1) // δ = 1
	ln := n          // limbs of f and g still in use
	for {
		var t byMatrix
		eta, t = byDivsteps(eta, uint64(f[0]), uint64(g[0]))
		bm.updateDE(&d, &e, &t)
		byUpdateFG(&f, &g, ln, &t)
		if g[0] == 0 {
			zero := true
			for i := 1; i < ln; i++ {
				if g[i] != 0 {
					zero = false
					break
				}
			}
			if zero {
				break
			}
		}
		// Drop the top limb when it is only the sign of f and g.
		if ln > 1 {
			fn, gn := f[ln-1], g[ln-1]
			if fn^(fn>>63) == 0 && gn^(gn>>63) == 0 {
				f[ln-2] |= fn << byBits
				g[ln-2] |= gn << byBits
				ln--
			}
		}
	}
	// f = ±gcd(m, x): invertible exactly when it is ±1. Below the top limb
	// (signed) the limbs are in [0, 2^62), so −1 is all ones under −1.
	plus, minus := f[ln-1] == 1, f[ln-1] == -1
	if ln > 1 {
		plus = f[0] == 1
		for i := 1; i < ln; i++ {
			plus = plus && f[i] == 0
		}
		for i := 0; i < ln-1; i++ {
			minus = minus && f[i] == byMask
		}
	}
	if !plus && !minus {
		return limbs{}, false
	}
	if minus {
		bm.negate(&d)
		bm.reduce(&d)
	}
	return fromByLimbs(&d, n), true
}

// invPublic sets z = x⁻¹ mod q for a public 0 < x < q (the digest in
// Verify); z = 0 if x has no inverse, which cannot happen for prime q.
func (c *Curve) invPublic(z, x *limbs) {
	v, ok := c.qInv.inverse(x)
	if !ok {
		*z = limbs{}
		return
	}
	*z = v
}
