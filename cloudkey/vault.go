package cloudkey

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// KeyVault makes and opens subscribers' cloud keys. A key is made for
// one application of one phone and is never exported: the vault answers
// signers, never key bytes. SoftVault is the embedded one; a PKCS#11
// vault generates on the CA's token (CKA_TOKEN, CKA_PRIVATE,
// CKA_SENSITIVE true, CKA_EXTRACTABLE false) and records the key's
// token id in CloudKey.TokenRef instead of a sealed key.
type KeyVault interface {
	// Generate makes a key on curve (the parameter set the
	// application's type chose) for the application app of phone and
	// returns it with the record fields that find it again (Curve, SPKI
	// and Sealed or TokenRef). A curve the vault cannot make keys on is
	// an *Error with CodeCurve.
	Generate(ctx context.Context, app, phone string, curve hsm.Curve) (hsm.Key, *store.CloudKey, error)
	// Open returns the signer of a stored key.
	Open(ctx context.Context, k *store.CloudKey) (hsm.Key, error)
}

// SoftVault keeps cloud keys as soft keys sealed (the soft key file
// format of package hsm: scrypt and AES-256-GCM) under a secret derived
// from the server's code secret, which is outside the database: a copy
// of the database alone opens no key.
type SoftVault struct {
	pass []byte
	made func(*gost3410.PrivateKey) // tests: sees each GOST key made
}

// softVaultScryptLogN is the scrypt cost of sealed cloud keys: the
// passphrase is 32 random bytes, so the cost only needs to be the
// format's minimum (a signature opens the key each time).
const softVaultScryptLogN = 10

// NewSoftVault derives the vault's sealing secret from secret (the code
// secret of the data directory).
func NewSoftVault(secret []byte) (*SoftVault, error) {
	if len(secret) < 32 {
		return nil, errors.New("cloudkey: soft vault: the secret must be 32 bytes or more")
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("gostca cloud keys v1"))
	return &SoftVault{pass: m.Sum(nil)}, nil
}

// Generate makes and seals a key on curve (any the soft keys support:
// every GOST R 34.10-2012 parameter set, 256 and 512 bits).
func (v *SoftVault) Generate(ctx context.Context, app, phone string, curve hsm.Curve) (hsm.Key, *store.CloudKey, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if !curve.Valid() {
		return nil, nil, &Error{Code: CodeCurve, Detail: "the cloud key's parameter set is not valid"}
	}
	var k *hsm.SoftKey
	var err error
	if curve.GOST != nil && v.made != nil {
		var g *gost3410.PrivateKey
		if g, err = gost3410.GenerateKey(curve.GOST, rand.Reader); err == nil {
			v.made(g)
			k, err = hsm.NewSoftKey(g)
		}
	} else {
		k, err = hsm.GenerateSoftKeyInMemory(curve)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cloudkey: soft vault: %w", err)
	}
	spki, err := pkix.MarshalPublicKeyInfo(k.Public())
	if err != nil {
		return nil, nil, fmt.Errorf("cloudkey: soft vault: %w", err)
	}
	sealed, err := hsm.EncryptSoftKey(k, v.pass, &hsm.SoftKeyFileOptions{ScryptLogN: softVaultScryptLogN})
	if err != nil {
		return nil, nil, fmt.Errorf("cloudkey: soft vault: seal: %w", err)
	}
	return k, &store.CloudKey{Application: app, Phone: phone, Curve: curve.Name(), SPKI: spki, Sealed: sealed}, nil
}

// Open unseals a stored soft key.
func (v *SoftVault) Open(ctx context.Context, k *store.CloudKey) (hsm.Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(k.Sealed) == 0 {
		return nil, errors.New("cloudkey: soft vault: the key is not a sealed soft key")
	}
	sk, err := hsm.DecryptSoftKey(k.Sealed, v.pass)
	if err != nil {
		return nil, fmt.Errorf("cloudkey: soft vault: unseal: %w", err)
	}
	return sk, nil
}
