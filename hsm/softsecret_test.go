package hsm

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A secret file round-trips, is refused with another passphrase, and is
// never read as a key file (nor a key file as a secret file).
func TestSoftSecretFile(t *testing.T) {
	secret := make([]byte, 32)
	rand.Read(secret)
	pass := []byte("correct horse battery")
	opts := &SoftKeyFileOptions{ScryptLogN: 10}
	path := filepath.Join(t.TempDir(), "audit.key")
	if err := WriteSoftSecretFile(path, secret, pass, opts); err != nil {
		t.Fatal(err)
	}
	if err := WriteSoftSecretFile(path, secret, pass, opts); err == nil {
		t.Fatal("overwrote an existing secret file")
	}
	passFile := filepath.Join(t.TempDir(), "pass")
	writeSecret(t, passFile, string(pass))
	got, err := OpenSoftSecret(path, SecretSource{File: passFile})
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("round trip: %v", err)
	}
	data := readFile(t, path)
	if _, err := DecryptSoftSecret(data, []byte("wrong passphrase")); err == nil || strings.Contains(err.Error(), string(pass)) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := DecryptSoftKey(data, pass); err == nil {
		t.Fatal("a secret file was read as a key file")
	}
	k, err := GenerateSoftKeyInMemory(mustCurve(t, "tc26-256-A"))
	if err != nil {
		t.Fatal(err)
	}
	kf, err := EncryptSoftKey(k, pass, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecryptSoftSecret(kf, pass); err == nil {
		t.Fatal("a key file was read as a secret file")
	}
	if _, err := EncryptSoftSecret(secret[:16], pass, opts); err == nil {
		t.Fatal("a 16-byte secret was accepted")
	}
}

func writeSecret(t *testing.T, path, v string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
