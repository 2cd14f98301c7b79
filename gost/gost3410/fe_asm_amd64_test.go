//go:build amd64 && !purego

package gost3410

import "testing"

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
