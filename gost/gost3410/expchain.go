package gost3410

import "math/big"

// onesTail is a public exponent e = (2^k − 1)·2^t + tail with tail < 2^t:
// a run of k one bits, then t bits. The exponents of the subgroup test,
// (p − 1)/2 and (p − 3)/4 for p = 2^256 − 617 and 2^512 − 569, are long
// runs of ones with a short tail, and raising to them by the chain
// x^(2^(2j) − 1) = (x^(2^j − 1))^(2^j) · x^(2^j − 1) takes k + t
// squarings and log₂k + popcount(k) + popcount(tail) multiplications, where
// 4-bit windows took a multiplication every four squarings.
type onesTail struct {
	k, t int
	tail uint64
}

// newOnesTail writes e > 0 as (2^k − 1)·2^t + tail: k is the length of
// the run of ones at the top of e, tail the t bits below it. It panics if
// the tail does not fit in a word (not one of our exponents).
func newOnesTail(e *big.Int) onesTail {
	n := e.BitLen()
	k := 0
	for k < n && e.Bit(n-1-k) == 1 {
		k++
	}
	t := n - k
	if k == 0 || t >= 64 {
		panic("gost3410: exponent is not a run of ones with a short tail")
	}
	tail := new(big.Int).Sub(e, new(big.Int).Lsh(new(big.Int).Rsh(e, uint(t)), uint(t)))
	return onesTail{k: k, t: t, tail: tail.Uint64()}
}
