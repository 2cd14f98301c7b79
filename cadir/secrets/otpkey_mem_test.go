package secrets

import (
	"bytes"
	"log/slog"
	"runtime"
	"testing"
)

// TestOTPSecretKDFMemoryReturned makes the code secret (sealed under the
// default scrypt cost: a 128 MiB working buffer) and opens it again, as
// every server start does, and checks after each that the buffer's pages
// went back to the OS at once: the server's resident size for the first
// minutes after start depends on it (it sat at 156 MB while the code
// secret bypassed the releasing wrappers).
func TestOTPSecretKDFMemoryReturned(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the default scrypt cost (128 MiB, ~0.5 s) twice")
	}
	cfg := testConfig(t)
	cfg.Keys.ScryptLogN = 0 // the default cost, 2^17
	log := slog.New(slog.DiscardHandler)
	made, err := OTPSecret(&cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	heapReturned(t, "making the code secret")
	again, err := OTPSecret(&cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(made, again) {
		t.Fatal("the reopened code secret is not the one made")
	}
	heapReturned(t, "opening the code secret")
}

// heapReturned fails t when the heap keeps a freed scrypt buffer
// resident: the KDF memory tests of key files and of the code secret.
func heapReturned(t *testing.T, after string) {
	t.Helper()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// Heap pages the runtime holds but does not use: a freed scrypt
	// buffer would be 128 MiB of them.
	const limit = 32 << 20
	if kept := ms.HeapIdle - ms.HeapReleased; kept > limit {
		t.Errorf("%d MiB of freed heap still resident after %s, want at most %d MiB", kept>>20, after, limit>>20)
	}
	if ms.HeapSys-ms.HeapReleased > 64<<20 {
		t.Errorf("heap resident %d MiB after %s, want under 64 MiB", (ms.HeapSys-ms.HeapReleased)>>20, after)
	}
}
