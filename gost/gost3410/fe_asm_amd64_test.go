//go:build amd64 && !purego

package gost3410

import (
	"math/big"
	"math/bits"
	mrand "math/rand/v2"
	"slices"
	"testing"
)

// TestCurvesOnGoField runs the curve-level differential tests once more
// with the Go multiplication and squaring in place of the assembly (as on
// a CPU without BMI2 and ADX), so both paths are checked against the
// generic code and the math/big reference in the same build. It flips a
// package variable and so must not run in parallel with other tests.
func TestCurvesOnGoField(t *testing.T) {
	if !useADX {
		t.Skip("the Go code is the only path on this CPU and already tested")
	}
	if raceOn {
		// About a minute under the race detector; the Go path is not
		// concurrent, and the build without -race runs this test.
		t.Skip("not under the race detector")
	}
	useADX = false
	defer func() { useADX = true }()
	t.Run("sign", TestFastSignMatchesGeneric)
	t.Run("verifyR", TestFastVerifyR)
	t.Run("baseMult", TestFastBaseMult)
	t.Run("combinedMult", TestFastCombinedMult)
}

// TestFieldMulAsmMatchesGo compares the MULX/ADX multiplication and
// squaring with the Go code on many inputs biased towards long carry
// runs (words of all ones with a few random holes, and the top values
// where both folds of the reduction fire). Both must give the same
// congruence class; each result is also checked against math/big on a
// sample.
func TestFieldMulAsmMatchesGo(t *testing.T) {
	if !useADX {
		t.Skip("the CPU has no MULX/ADX")
	}
	rounds := 200000
	if raceOn {
		rounds = 20000
	}
	r := mrand.New(mrand.NewPCG(31, 41))
	word := func() uint64 {
		switch r.IntN(4) {
		case 0:
			return ^uint64(0)
		case 1:
			return ^uint64(0) ^ 1<<r.IntN(64)
		case 2:
			return uint64(r.IntN(1024))
		}
		return r.Uint64()
	}
	p256, p512 := bigFromWords(fe256P[:]), bigFromWords(fe512P[:])
	for i := range rounds {
		var x4, y4, a4, b4 fe256
		var x8, y8, a8, b8 fe512
		for j := range x4 {
			x4[j], y4[j] = word(), word()
		}
		for j := range x8 {
			x8[j], y8[j] = word(), word()
		}
		fe256MulADX(&a4, &x4, &y4)
		fe256MulGeneric(&b4, &x4, &y4)
		if fe256Equal(&a4, &b4) != 1 {
			t.Fatalf("fe256 mul(%x, %x): asm %x, Go %x", x4, y4, a4, b4)
		}
		fe256SqrADX(&a4, &x4)
		fe256SqrGeneric(&b4, &x4)
		if fe256Equal(&a4, &b4) != 1 {
			t.Fatalf("fe256 sqr(%x): asm %x, Go %x", x4, a4, b4)
		}
		fe512MulADX(&a8, &x8, &y8)
		fe512MulGeneric(&b8, &x8, &y8)
		if fe512Equal(&a8, &b8) != 1 {
			t.Fatalf("fe512 mul(%x, %x): asm %x, Go %x", x8, y8, a8, b8)
		}
		fe512SqrADX(&a8, &x8)
		fe512SqrGeneric(&b8, &x8)
		if fe512Equal(&a8, &b8) != 1 {
			t.Fatalf("fe512 sqr(%x): asm %x, Go %x", x8, a8, b8)
		}
		if i%50 == 0 {
			want := new(big.Int).Mul(bigFromWords(x8[:]), bigFromWords(x8[:]))
			if new(big.Int).Mod(bigFromWords(a8[:]), p512).Cmp(want.Mod(want, p512)) != 0 {
				t.Fatalf("fe512 sqr(%x) = %x, not x² mod p", x8, a8)
			}
			fe256Mul(&a4, &x4, &y4)
			want = new(big.Int).Mul(bigFromWords(x4[:]), bigFromWords(y4[:]))
			if new(big.Int).Mod(bigFromWords(a4[:]), p256).Cmp(want.Mod(want, p256)) != 0 {
				t.Fatalf("fe256 mul(%x, %x) = %x, not x·y mod p", x4, y4, a4)
			}
		}
	}
}

// TestMontFieldAsmMatchesGo compares the MULX/ADX Montgomery
// multiplication and squaring of fe255, fe256d and fe511 with the Go code
// on many inputs below p biased towards long carry runs (all-ones words
// with a few holes, tiny words, values just below p, where the final
// subtraction and the carries between rounds fire), and checks a sample
// against x·y·2^(−64n) mod p computed with math/big.
func TestMontFieldAsmMatchesGo(t *testing.T) {
	if !useADX {
		t.Skip("the CPU has no MULX/ADX")
	}
	rounds := 200000
	if raceOn {
		rounds = 20000
	}
	r := mrand.New(mrand.NewPCG(53, 59))
	word := func() uint64 {
		switch r.IntN(4) {
		case 0:
			return ^uint64(0)
		case 1:
			return ^uint64(0) ^ 1<<r.IntN(64)
		case 2:
			return uint64(r.IntN(1024))
		}
		return r.Uint64()
	}
	// below fills x with a value below p: random words, less p when they
	// are not below it (x < 2^(64n) < 2p), or p − k for a small k.
	below := func(x, p []uint64) {
		if r.IntN(8) == 0 {
			var b uint64
			for j := range x {
				x[j], b = bits.Sub64(p[j], 0, b)
			}
			x[0] -= uint64(1 + r.IntN(4))
			return
		}
		for j := range x {
			x[j] = word()
		}
		var d [8]uint64
		var b uint64
		for j := range x {
			d[j], b = bits.Sub64(x[j], p[j], b)
		}
		if b == 0 {
			copy(x, d[:len(x)])
		}
	}
	type impl struct {
		name          string
		p             []uint64
		asmMul, goMul func(z, x, y []uint64)
		asmSqr, goSqr func(z, x []uint64)
	}
	impls := []impl{
		{"2^255+3225", fe255P[:],
			func(z, x, y []uint64) { fe255MulADX(a255(z), a255(x), a255(y)) },
			func(z, x, y []uint64) { fe255MulGeneric(a255(z), a255(x), a255(y)) },
			func(z, x []uint64) { fe255SqrADX(a255(z), a255(x)) },
			func(z, x []uint64) { fe255SqrGeneric(a255(z), a255(x)) }},
		{"tc26-256-D p", fe256dP[:],
			func(z, x, y []uint64) { fe256dMulADX(a256d(z), a256d(x), a256d(y)) },
			func(z, x, y []uint64) { fe256dMulGeneric(a256d(z), a256d(x), a256d(y)) },
			func(z, x []uint64) { fe256dSqrADX(a256d(z), a256d(x)) },
			func(z, x []uint64) { fe256dSqrGeneric(a256d(z), a256d(x)) }},
		{"2^511+111", fe511P[:],
			func(z, x, y []uint64) { fe511MulADX(a511(z), a511(x), a511(y)) },
			func(z, x, y []uint64) { fe511MulGeneric(a511(z), a511(x), a511(y)) },
			func(z, x []uint64) { fe511SqrADX(a511(z), a511(x)) },
			func(z, x []uint64) { fe511SqrGeneric(a511(z), a511(x)) }},
	}
	for _, f := range impls {
		n := len(f.p)
		p := bigFromWords(f.p)
		rInv := new(big.Int).ModInverse(new(big.Int).Lsh(big.NewInt(1), uint(64*n)), p)
		x, y := make([]uint64, n), make([]uint64, n)
		a, b := make([]uint64, n), make([]uint64, n)
		for i := range rounds {
			below(x, f.p)
			below(y, f.p)
			f.asmMul(a, x, y)
			f.goMul(b, x, y)
			if !slices.Equal(a, b) {
				t.Fatalf("%s mul(%x, %x): asm %x, Go %x", f.name, x, y, a, b)
			}
			f.asmSqr(a, x)
			f.goSqr(b, x)
			if !slices.Equal(a, b) {
				t.Fatalf("%s sqr(%x): asm %x, Go %x", f.name, x, a, b)
			}
			if i%50 == 0 {
				f.asmMul(a, x, y)
				want := new(big.Int).Mul(bigFromWords(x), bigFromWords(y))
				want.Mul(want, rInv).Mod(want, p)
				if bigFromWords(a).Cmp(want) != 0 {
					t.Fatalf("%s mul(%x, %x) = %x, not x·y/R mod p", f.name, x, y, a)
				}
			}
		}
	}
}
