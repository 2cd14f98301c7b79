//go:build amd64 && !purego

package gost3410

import (
	"math/big"
	mrand "math/rand/v2"
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
