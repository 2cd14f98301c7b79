package gost3410

import "math/bits"

// Scalar recodings for the specialised curves. Scalars arrive as canonical
// limbs (at most 512 bits); wideScalar adds a zero word so windows may read
// past the top bit.

type wideScalar [maxLimbs + 1]uint64

func widen(k *limbs) wideScalar {
	var w wideScalar
	copy(w[:], k[:])
	return w
}

// bitsAt returns the n ≤ 32 bits of k starting at bit pos; bits below 0
// and above the top read as zero. pos and n are public (loop positions),
// so the branches here do not depend on the scalar.
func (k *wideScalar) bitsAt(pos, n int) uint64 {
	mask := uint64(1)<<uint(n) - 1
	if pos < 0 {
		return k[0] << uint(-pos) & mask
	}
	word, off := pos/64, uint(pos%64)
	if word >= len(k) {
		return 0
	}
	v := k[word] >> off
	if off+uint(n) > 64 && word+1 < len(k) {
		v |= k[word+1] << (64 - off)
	}
	return v & mask
}

// boothDigit returns the signed digit of window i of width w in the Booth
// recoding k = Σ dᵢ·2^(w·i), dᵢ ∈ [−2^(w−1), 2^(w−1)], as its magnitude and
// sign (neg = 1 for a negative digit), in constant time. The digit is read
// from bits w·i − 1 … w·i + w − 1:
// dᵢ = b₋₁ + b₀ + 2b₁ + … + 2^(w−2)·b_(w−2) − 2^(w−1)·b_(w−1).
func (k *wideScalar) boothDigit(i int, w uint) (mag, neg uint64) {
	v := k.bitsAt(int(w)*i-1, int(w)+1)
	neg = v >> w
	m := (v + 1) >> 1 // b₋₁ + b₀ + … + 2^(w−1)·b_(w−1)
	mag = m ^ (-neg & (m ^ (uint64(1)<<w - m)))
	return mag, neg
}

// ctEq returns 1 if a == b, else 0, for a, b < 2^63.
func ctEq(a, b uint64) uint64 {
	return ((a ^ b) - 1) >> 63
}

// wnafMax is the longest width-w NAF of a 512-bit scalar, with slack for
// the final carry.
const wnafMax = 512 + 8

// wnaf sets out to the width-w non-adjacent form of k (public, < 2^nbits)
// and returns its length: k = Σ out[i]·2^i, every nonzero digit odd with
// |out[i]| < 2^(w−1), and at most one nonzero digit in any w consecutive
// positions. Variable time: for public scalars only.
func wnaf(out *[wnafMax]int8, k *limbs, nbits int, w uint) int {
	*out = [wnafMax]int8{}
	s := widen(k)
	n := nbits + int(w)
	mask := uint64(1)<<w - 1
	carry := uint64(0)
	for bit := 0; bit < n; {
		// cur holds bits bit … bit+63 of k (zeros above the top).
		word, off := bit>>6, uint(bit&63)
		cur := s[word] >> off
		if off != 0 && word+1 < len(s) {
			cur |= s[word+1] << (64 - off)
		}
		if cur&1 == carry {
			// A run of bits equal to the carry gives zero digits: skip it.
			bit += bits.TrailingZeros64(cur ^ -carry)
			continue
		}
		v := cur&mask + carry
		carry = (v >> (w - 1)) & 1
		out[bit] = int8(int64(v) - int64(carry<<w))
		bit += int(w)
	}
	for n > 0 && out[n-1] == 0 {
		n--
	}
	return n
}

// addLimbs sets x += y and reports whether no carry left the top limb.
func addLimbs(x, y *limbs) bool {
	var c uint64
	for i := range x {
		x[i], c = bits.Add64(x[i], y[i], c)
	}
	return c == 0
}
