package cloudkey

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/gost/streebog"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/hsm/pkcs11"
	"github.com/gostca/gostca/internal/softhsmtest"
	"github.com/gostca/gostca/store"
)

// TestSoftVaultNeverStoresTheKey: a cloud key made by the soft vault
// and stored is sealed: neither the private scalar (either byte order)
// nor the sealing secret appears in any file of the database directory;
// the vault opens it to a key whose signatures verify under the stored
// public key; a vault with another server secret cannot open it.
func TestSoftVaultNeverStoresTheKey(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "db")
	st, err := store.Open(dir, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	curve, err := hsm.CurveByName("tc26-256-A")
	if err != nil {
		t.Fatal(err)
	}
	secret := bytes.Repeat([]byte{0x5a}, 32)
	v, err := NewSoftVault(secret)
	if err != nil {
		t.Fatal(err)
	}
	var priv *gost3410.PrivateKey
	v.made = func(k *gost3410.PrivateKey) { priv = k }
	_, rec, err := v.Generate(ctx, "app-1", "+79161234567", curve)
	if err != nil || priv == nil {
		t.Fatalf("generate: %v", err)
	}
	rec.CSR, rec.Created, rec.Actor = []byte{0x30, 0}, time.Now(), "test"
	if err := st.PutCloudKey(ctx, rec, store.AuditEntry{Actor: "test", Action: "cabinet.cloud_key"}); err != nil {
		t.Fatal(err)
	}
	stored, err := st.CloudKey(ctx, "app-1")
	if err != nil {
		t.Fatal(err)
	}
	key, err := v.Open(ctx, stored)
	if err != nil {
		t.Fatal(err)
	}
	digest := streebog.Sum256([]byte("документ"))
	sig, err := key.Sign(ctx, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if !gost3410.Verify(priv.PublicKey(), digest[:], sig) {
		t.Fatal("the opened key's signature does not verify under the key made")
	}
	other, _ := NewSoftVault(bytes.Repeat([]byte{0x5b}, 32))
	if _, err := other.Open(ctx, stored); err == nil {
		t.Fatal("a vault with another secret opened the key")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	scalar := priv.Bytes()
	reversed := slices.Clone(scalar)
	slices.Reverse(reversed)
	files := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, needle := range [][]byte{scalar, reversed, v.pass, secret} {
			if bytes.Contains(b, needle) {
				t.Errorf("%s holds key material in the clear", path)
			}
		}
		return nil
	})
	if err != nil || files == 0 || len(scalar) != 32 {
		t.Fatalf("walk: %v, %d files, scalar %d bytes", err, files, len(scalar))
	}
}

// p11 adapts *pkcs11.Token to TokenKeys.
type p11 struct{ t *pkcs11.Token }

func (p p11) Generate(ctx context.Context, label string, id []byte, curve hsm.Curve) (hsm.Key, error) {
	return p.t.GenerateKey(ctx, pkcs11.KeyGen{Label: label, ID: id, Curve: curve})
}
func (p p11) Key(ctx context.Context, label string, id []byte) (hsm.Key, error) {
	return p.t.Key(ctx, pkcs11.KeySpec{Label: label, ID: id})
}

// TestTokenVaultSoftHSM: on SoftHSM2 (Debian's has no GOST, so P-256)
// the token vault refuses GOST parameter sets, 512-bit and 256-bit, with
// the clear cloud_key_curve_unsupported problem, leaving no object on
// the token, and makes a cloud key whose private object is private,
// sensitive and never extractable (pkcs11-tool lists it so), labelled
// for the application and bound by its ID to the phone; it signs, and
// the signature verifies under the recorded public key; a record naming
// another phone finds no key.
func TestTokenVaultSoftHSM(t *testing.T) {
	softhsmtest.Need(t, "softhsm2-util", "pkcs11-tool")
	h := softhsmtest.New(t, "cloud")
	ctx := context.Background()
	tok, err := pkcs11.Open(ctx, pkcs11.Config{Module: h.Lib, TokenLabel: h.Label, PIN: hsm.SecretSource{File: h.PINFile},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	v, err := NewTokenVault(p11{tok})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tc26-512-A", "tc26-256-A"} {
		gc, _ := hsm.CurveByName(name)
		_, _, err := v.Generate(ctx, "app-"+name, "+79161234567", gc)
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != CodeCurve || !strings.Contains(ce.Detail, name) || !strings.Contains(ce.Detail, "type_curves") {
			t.Fatalf("%s on SoftHSM2: %v", name, err)
		}
	}
	if out := h.Run(t, "pkcs11-tool", "--module", h.Lib, "--token-label", h.Label, "--login", "--pin", softhsmtest.PIN, "--list-objects"); strings.Contains(out, "gostca-cloud") {
		t.Fatalf("a refused key left objects on the token:\n%s", out)
	}
	curve, _ := hsm.CurveByName("P-256")
	v, err = NewTokenVault(p11{tok})
	if err != nil {
		t.Fatal(err)
	}
	key, rec, err := v.Generate(ctx, "app-7", "+79161234567", curve)
	if err != nil {
		t.Fatal(err)
	}
	if rec.TokenRef != "gostca-cloud:app-7" || len(rec.Sealed) != 0 {
		t.Fatalf("record %+v", rec)
	}
	opened, err := v.Open(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("документ"))
	sig, err := opened.Sign(ctx, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(key.Public().(*ecdsa.PublicKey), digest[:], sig) {
		t.Fatal("the token key's signature does not verify")
	}
	out := h.Run(t, "pkcs11-tool", "--module", h.Lib, "--token-label", h.Label, "--login", "--pin", softhsmtest.PIN, "--list-objects", "--type", "privkey")
	if !strings.Contains(out, "gostca-cloud:app-7") || !strings.Contains(out, "never extractable") || !strings.Contains(out, "always sensitive") {
		t.Fatalf("pkcs11-tool lists the private key as:\n%s", out)
	}
	// CKA_PRIVATE: without a login the private key is not even listed.
	if out := h.Run(t, "pkcs11-tool", "--module", h.Lib, "--token-label", h.Label, "--list-objects", "--type", "privkey"); strings.Contains(out, "app-7") {
		t.Fatalf("the private key is listed without a login:\n%s", out)
	}
	wrong := *rec
	wrong.Phone = "+79031112233"
	if _, err := v.Open(ctx, &wrong); err == nil {
		t.Fatal("another phone's record opened the key")
	}
}

// TestSoftVault512: the soft vault makes a tc26-512-A key when asked
// (the record names the set, the public key is a 512-bit GOST one), it
// signs a Streebog-512 digest that verifies under the key made, and an
// invalid parameter set is refused with CodeCurve.
func TestSoftVault512(t *testing.T) {
	ctx := context.Background()
	v, err := NewSoftVault(bytes.Repeat([]byte{0x5c}, 32))
	if err != nil {
		t.Fatal(err)
	}
	var priv *gost3410.PrivateKey
	v.made = func(k *gost3410.PrivateKey) { priv = k }
	curve, _ := hsm.CurveByName("tc26-512-A")
	_, rec, err := v.Generate(ctx, "app-5", "+79161234567", curve)
	if err != nil || rec.Curve != "tc26-512-A" || priv == nil || priv.Curve().Size != 64 {
		t.Fatalf("generate: %+v, %v", rec, err)
	}
	key, err := v.Open(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	digest := streebog.Sum512([]byte("документ"))
	sig, err := key.Sign(ctx, digest[:])
	if err != nil || len(sig) != 128 {
		t.Fatalf("sign: %d bytes, %v", len(sig), err)
	}
	if !gost3410.Verify(priv.PublicKey(), digest[:], sig) {
		t.Fatal("the 512-bit signature does not verify")
	}
	var ce *Error
	if _, _, err := v.Generate(ctx, "app-6", "+79161234567", hsm.Curve{}); !errors.As(err, &ce) || ce.Code != CodeCurve {
		t.Fatalf("invalid curve: %v", err)
	}
}
