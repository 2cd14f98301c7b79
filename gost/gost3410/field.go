package gost3410

import (
	"math/big"
	"math/bits"
)

// maxLimbs is the number of 64-bit limbs of the largest modulus (512 bits).
const maxLimbs = 8

// limbs is an integer in little-endian 64-bit limbs. Only the first n limbs
// of the owning field are used; the rest stay zero.
type limbs [maxLimbs]uint64

// field is arithmetic modulo an odd m < 2^(64n) in the Montgomery domain
// (R = 2^(64n)). It serves both the coordinate field (mod p) and the scalars
// (mod q). Every operation runs in time independent of the values: loops
// depend only on n, carries are folded with masks, never branches.
//
// This is the generic, portable arithmetic every parameter set can use;
// faster per-prime code plugs in behind curveImpl without changing callers.
type field struct {
	n     int    // limbs in use: 4 or 8
	m     limbs  // modulus
	minv  uint64 // -m⁻¹ mod 2^64
	rr    limbs  // R² mod m, to enter the Montgomery domain
	one   limbs  // R mod m, the Montgomery form of 1
	mMin2 limbs  // m − 2, the Fermat inversion exponent
	bits  int    // bit length of m
	size  int    // bytes of an encoded element: 8n
}

func newField(m *big.Int, n int) *field {
	f := &field{n: n, bits: m.BitLen(), size: 8 * n}
	f.m = limbsFromBig(m)
	// Newton iteration for m⁻¹ mod 2^64: each step doubles the correct bits.
	inv := uint64(1)
	for range 6 {
		inv *= 2 - f.m[0]*inv
	}
	f.minv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	f.one = limbsFromBig(new(big.Int).Mod(r, m))
	f.rr = limbsFromBig(new(big.Int).Mod(new(big.Int).Mul(r, r), m))
	f.mMin2 = limbsFromBig(new(big.Int).Sub(m, big.NewInt(2)))
	return f
}

// limbsFromBig converts public parameters only; secrets never touch big.Int.
func limbsFromBig(x *big.Int) limbs {
	var l limbs
	for i, w := range x.Bits() {
		l[i] = uint64(w)
	}
	return l
}

// mul sets z = x·y·R⁻¹ mod m (CIOS Montgomery multiplication). It requires
// y < m and x < R; the result is then fully reduced. The loose bound on x
// lets toMont reduce any n-limb value.
func (f *field) mul(z, x, y *limbs) {
	n := f.n
	var t [maxLimbs + 2]uint64
	for i := range n {
		var c uint64
		yi := y[i]
		for j := range n {
			hi, lo := bits.Mul64(x[j], yi)
			var cc uint64
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j], c = lo, hi
		}
		var cc uint64
		t[n], cc = bits.Add64(t[n], c, 0)
		t[n+1] = cc

		mq := t[0] * f.minv
		hi, lo := bits.Mul64(mq, f.m[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < n; j++ {
			hi, lo := bits.Mul64(mq, f.m[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1], c = lo, hi
		}
		t[n-1], cc = bits.Add64(t[n], c, 0)
		t[n] = t[n+1] + cc
	}
	var r limbs
	copy(r[:n], t[:n])
	f.reduceOnce(z, &r, t[n])
}

// reduceOnce sets z = x − m if x (with the extra top word hi) is ≥ m, else x.
// Callers guarantee x < 2m.
func (f *field) reduceOnce(z, x *limbs, hi uint64) {
	var d limbs
	var b uint64
	for i := range f.n {
		d[i], b = bits.Sub64(x[i], f.m[i], b)
	}
	_, b = bits.Sub64(hi, 0, b)
	// b == 1 means x < m: keep x.
	keep := -b
	for i := range f.n {
		z[i] = (x[i] & keep) | (d[i] &^ keep)
	}
}

func (f *field) sqr(z, x *limbs) { f.mul(z, x, x) }

// add sets z = x + y mod m for x, y < m.
func (f *field) add(z, x, y *limbs) {
	var s limbs
	var c uint64
	for i := range f.n {
		s[i], c = bits.Add64(x[i], y[i], c)
	}
	f.reduceOnce(z, &s, c)
}

// sub sets z = x − y mod m for x, y < m.
func (f *field) sub(z, x, y *limbs) {
	var d limbs
	var b uint64
	for i := range f.n {
		d[i], b = bits.Sub64(x[i], y[i], b)
	}
	mask := -b
	var c uint64
	for i := range f.n {
		z[i], c = bits.Add64(d[i], f.m[i]&mask, c)
	}
}

// neg sets z = −x mod m.
func (f *field) neg(z, x *limbs) {
	var zero limbs
	f.sub(z, &zero, x)
}

// toMont sets z = x·R mod m for any n-limb x (x need not be < m).
func (f *field) toMont(z, x *limbs) { f.mul(z, x, &f.rr) }

// fromMont sets z = x·R⁻¹ mod m, leaving the Montgomery domain.
func (f *field) fromMont(z, x *limbs) {
	one := limbs{1}
	f.mul(z, x, &one)
}

// inv sets z = x⁻¹ (Montgomery form in and out) by Fermat's little theorem:
// x^(m−2). The exponent is public, so the square-and-multiply ladder leaks
// nothing about x. inv(0) = 0.
func (f *field) inv(z, x *limbs) {
	r := f.one
	for i := f.bits - 1; i >= 0; i-- {
		f.sqr(&r, &r)
		if f.mMin2[i/64]>>(uint(i)%64)&1 == 1 {
			f.mul(&r, &r, x)
		}
	}
	*z = r
}

// isZero returns 1 if x == 0, else 0, in constant time.
func (f *field) isZero(x *limbs) uint64 {
	var acc uint64
	for i := range f.n {
		acc |= x[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// equal returns 1 if x == y, else 0, in constant time.
func (f *field) equal(x, y *limbs) uint64 {
	var acc uint64
	for i := range f.n {
		acc |= x[i] ^ y[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// less returns 1 if x < m, else 0, in constant time.
func (f *field) less(x *limbs) uint64 {
	var b uint64
	for i := range f.n {
		_, b = bits.Sub64(x[i], f.m[i], b)
	}
	return b
}

// setBytesBE reads exactly f.size big-endian bytes into z without reducing.
func (f *field) setBytesBE(z *limbs, b []byte) {
	*z = limbs{}
	for i := range f.n {
		off := len(b) - 8*(i+1)
		z[i] = uint64(b[off])<<56 | uint64(b[off+1])<<48 | uint64(b[off+2])<<40 |
			uint64(b[off+3])<<32 | uint64(b[off+4])<<24 | uint64(b[off+5])<<16 |
			uint64(b[off+6])<<8 | uint64(b[off+7])
	}
}

// setBytesLE reads exactly f.size little-endian bytes into z.
func (f *field) setBytesLE(z *limbs, b []byte) {
	*z = limbs{}
	for i := range f.n {
		off := 8 * i
		z[i] = uint64(b[off]) | uint64(b[off+1])<<8 | uint64(b[off+2])<<16 |
			uint64(b[off+3])<<24 | uint64(b[off+4])<<32 | uint64(b[off+5])<<40 |
			uint64(b[off+6])<<48 | uint64(b[off+7])<<56
	}
}

// putBytesBE writes x as f.size big-endian bytes into b.
func (f *field) putBytesBE(b []byte, x *limbs) {
	for i := range f.n {
		off := len(b) - 8*(i+1)
		w := x[i]
		for j := 7; j >= 0; j-- {
			b[off+j] = byte(w)
			w >>= 8
		}
	}
}

// putBytesLE writes x as f.size little-endian bytes into b.
func (f *field) putBytesLE(b []byte, x *limbs) {
	for i := range f.n {
		w := x[i]
		for j := range 8 {
			b[8*i+j] = byte(w)
			w >>= 8
		}
	}
}

// selectLimbs sets z = x if cond == 1, z = y if cond == 0.
func selectLimbs(z, x, y *limbs, cond uint64) {
	mask := -cond
	for i := range z {
		z[i] = (x[i] & mask) | (y[i] &^ mask)
	}
}
