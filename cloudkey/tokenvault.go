package cloudkey

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// TokenKeys is what TokenVault needs of a PKCS#11 token (package
// hsm/pkcs11's Token through an adapter, as cadir's): generate a key
// pair whose private key is a private, sensitive, non-extractable token
// object, and find it again by label and ID.
type TokenKeys interface {
	Generate(ctx context.Context, label string, id []byte, curve hsm.Curve) (hsm.Key, error)
	Key(ctx context.Context, label string, id []byte) (hsm.Key, error)
}

// TokenVault makes cloud keys on the CA's PKCS#11 token. A key's
// CKA_LABEL is "gostca-cloud:" and the application id (TokenRef), its
// CKA_ID the first 16 bytes of SHA-256(phone ‖ 0 ‖ application): a key
// is found only for the phone and application it was made for.
type TokenVault struct {
	t     TokenKeys
	curve hsm.Curve
}

// NewTokenVault makes a vault on a token, with keys on curve.
func NewTokenVault(t TokenKeys, curve hsm.Curve) (*TokenVault, error) {
	if t == nil || !curve.Valid() {
		return nil, errors.New("cloudkey: token vault: a token and a valid curve are required")
	}
	return &TokenVault{t: t, curve: curve}, nil
}

func tokenKeyID(app, phone string) []byte {
	h := sha256.Sum256([]byte(phone + "\x00" + app))
	return h[:16]
}

// TokenLabelPrefix starts the CKA_LABEL of every cloud key on a token.
const TokenLabelPrefix = "gostca-cloud:"

// Generate makes the key pair on the token.
func (v *TokenVault) Generate(ctx context.Context, app, phone string) (hsm.Key, *store.CloudKey, error) {
	label := TokenLabelPrefix + app
	k, err := v.t.Generate(ctx, label, tokenKeyID(app, phone), v.curve)
	if err != nil {
		return nil, nil, fmt.Errorf("cloudkey: token vault: generate: %w", err)
	}
	spki, err := pkix.MarshalPublicKeyInfo(k.Public())
	if err != nil {
		return nil, nil, fmt.Errorf("cloudkey: token vault: %w", err)
	}
	return k, &store.CloudKey{Application: app, Phone: phone, Curve: v.curve.Name(), SPKI: spki, TokenRef: label}, nil
}

// Open finds the key on the token by its label and the ID of its phone
// and application, and checks it is the key recorded.
func (v *TokenVault) Open(ctx context.Context, k *store.CloudKey) (hsm.Key, error) {
	if k.TokenRef != TokenLabelPrefix+k.Application {
		return nil, errors.New("cloudkey: token vault: the key is not this application's token key")
	}
	key, err := v.t.Key(ctx, k.TokenRef, tokenKeyID(k.Application, k.Phone))
	if err != nil {
		return nil, fmt.Errorf("cloudkey: token vault: %w", err)
	}
	spki, err := pkix.MarshalPublicKeyInfo(key.Public())
	if err != nil || string(spki) != string(k.SPKI) {
		return nil, errors.New("cloudkey: token vault: the token's key is not the key recorded")
	}
	return key, nil
}
