package secrets

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gostca/gostca/hsm"
)

// TestSoftKeyKDFMemoryReturned opens a soft key file sealed with the
// default scrypt cost (a 128 MiB working buffer) and checks that the
// buffer's pages went back to the OS at once, not minutes later: the
// idle server's resident size depends on it.
func TestSoftKeyKDFMemoryReturned(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the default scrypt cost (128 MiB, ~0.5 s)")
	}
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte("kdf memory test passphrase"), 0o600); err != nil {
		t.Fatal(err)
	}
	curve, err := hsm.CurveByName("tc26-256-A")
	if err != nil {
		t.Fatal(err)
	}
	k, err := hsm.GenerateSoftKeyInMemory(curve)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "k.key")
	if err := WriteSoftKeyFile(path, k, []byte("kdf memory test passphrase"), nil); err != nil {
		t.Fatal(err)
	}
	got, err := OpenSoftKey(path, hsm.SecretSource{File: pass})
	if err != nil {
		t.Fatal(err)
	}
	if !hsm.SamePublicKey(got.Public(), k.Public()) {
		t.Fatal("the reopened key is not the written one")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// Heap pages the runtime holds but does not use: the freed scrypt
	// buffer would be 128 MiB of them.
	const limit = 32 << 20
	if kept := ms.HeapIdle - ms.HeapReleased; kept > limit {
		t.Errorf("%d MiB of freed heap still resident after opening a key file, want at most %d MiB", kept>>20, limit>>20)
	}
	if ms.HeapSys-ms.HeapReleased > 64<<20 {
		t.Errorf("heap resident %d MiB after opening a key file, want under 64 MiB", (ms.HeapSys-ms.HeapReleased)>>20)
	}
}
