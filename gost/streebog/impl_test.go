package streebog

import (
	"runtime"
	"testing"
)

// TestImplementationDefault checks the name of the default path against
// what the build and the CPU allow.
func TestImplementationDefault(t *testing.T) {
	got := Implementation()
	switch {
	case runtime.GOARCH != "amd64" || purego:
		if got != "table-go" {
			t.Errorf("Implementation() = %q, want table-go on %s (purego %v)", got, runtime.GOARCH, purego)
		}
	case got != "avx512-gfni" && got != "table-asm":
		t.Errorf("Implementation() = %q on amd64 without purego", got)
	}
	t.Logf("compression: %s", got)
}
