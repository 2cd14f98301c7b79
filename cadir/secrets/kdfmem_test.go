package secrets

import (
	"os"
	"path/filepath"
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
	heapReturned(t, "opening a key file")
}
