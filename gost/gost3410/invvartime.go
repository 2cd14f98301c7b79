package gost3410

import "math/bits"

// invVartime sets z = x⁻¹ mod m for 0 < x < m, m odd, both canonical with
// n limbs, by the binary extended Euclidean algorithm. It runs in variable
// time and is for public values only (the digest in Verify). It is much
// faster than the Fermat ladder of field.inv, which must not branch. Runs
// of trailing zeros are removed in one step: x·2^−s mod m is
// (x + k·m)/2^s with k = −x·m⁻¹ mod 2^s.
func invVartime(z, x, m *limbs, n int) {
	minv := uint64(1) // m⁻¹ mod 2^64 by Newton's iteration
	for range 6 {
		minv *= 2 - m[0]*minv
	}
	minv = -minv
	u, v := *x, *m
	x1, x2 := limbs{1}, limbs{}
	for {
		if isOne(&u, n) {
			*z = x1
			return
		}
		if isOne(&v, n) {
			*z = x2
			return
		}
		if isZeroN(&u, n) || isZeroN(&v, n) {
			// Not invertible; unreachable for prime m and 0 < x < m.
			*z = limbs{}
			return
		}
		if s := uint(bits.TrailingZeros64(u[0])); s > 0 {
			s = min(s, 63)
			shrN(&u, s, 0, n)
			divPow2Mod(&x1, s, m, minv, n)
			continue
		}
		if s := uint(bits.TrailingZeros64(v[0])); s > 0 {
			s = min(s, 63)
			shrN(&v, s, 0, n)
			divPow2Mod(&x2, s, m, minv, n)
			continue
		}
		if !lessN(&u, &v, n) {
			subN(&u, &u, &v, n)
			subMod(&x1, &x1, &x2, m, n)
		} else {
			subN(&v, &v, &u, n)
			subMod(&x2, &x2, &x1, m, n)
		}
	}
}

// shrN shifts the n-limb x right by 0 < s < 64 bits, shifting top in.
func shrN(x *limbs, s uint, top uint64, n int) {
	for i := range n - 1 {
		x[i] = x[i]>>s | x[i+1]<<(64-s)
	}
	x[n-1] = x[n-1]>>s | top<<(64-s)
}

// divPow2Mod sets x = x·2^−s mod m for x < m, 0 < s < 64, with
// minv = −m⁻¹ mod 2^64: k = x·minv mod 2^s makes x + k·m divisible by 2^s,
// and (x + k·m)/2^s < (m + (2^s − 1)·m)/2^s = m.
func divPow2Mod(x *limbs, s uint, m *limbs, minv uint64, n int) {
	k := x[0] * minv & (uint64(1)<<s - 1)
	var c uint64
	for i := range n {
		hi, lo := bits.Mul64(m[i], k)
		var cc uint64
		lo, cc = bits.Add64(lo, c, 0)
		hi += cc
		x[i], cc = bits.Add64(x[i], lo, 0)
		c = hi + cc
	}
	shrN(x, s, c, n)
}

func isOne(x *limbs, n int) bool {
	if x[0] != 1 {
		return false
	}
	for i := 1; i < n; i++ {
		if x[i] != 0 {
			return false
		}
	}
	return true
}

func isZeroN(x *limbs, n int) bool {
	for i := range n {
		if x[i] != 0 {
			return false
		}
	}
	return true
}

// lessN reports whether x < y.
func lessN(x, y *limbs, n int) bool {
	var b uint64
	for i := range n {
		_, b = bits.Sub64(x[i], y[i], b)
	}
	return b == 1
}

// subN sets z = x − y for x ≥ y.
func subN(z, x, y *limbs, n int) {
	var b uint64
	for i := range n {
		z[i], b = bits.Sub64(x[i], y[i], b)
	}
}

// subMod sets z = x − y mod m for x, y < m.
func subMod(z, x, y, m *limbs, n int) {
	var b uint64
	for i := range n {
		z[i], b = bits.Sub64(x[i], y[i], b)
	}
	if b != 0 {
		var c uint64
		for i := range n {
			z[i], c = bits.Add64(z[i], m[i], c)
		}
	}
}
