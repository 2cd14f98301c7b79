package cloudkey

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

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
	t TokenKeys
}

// NewTokenVault makes a vault on a token.
func NewTokenVault(t TokenKeys) (*TokenVault, error) {
	if t == nil {
		return nil, errors.New("cloudkey: token vault: a token is required")
	}
	return &TokenVault{t: t}, nil
}

// unsupported reports a token's refusal of a mechanism or of its
// parameters: the token cannot make keys of the parameter set (SoftHSM2
// has no GOST mechanism at all; a GOST token may lack the 512-bit ones,
// CKM_GOSTR3410_512_KEY_PAIR_GEN). The PKCS#11 return value is read
// from the error's text, as package hsm/pkcs11 words it, so that this
// package needs no cgo.
func unsupported(err error) bool {
	msg := err.Error()
	for _, rv := range []string{"CKR_MECHANISM_INVALID", "CKR_MECHANISM_PARAM_INVALID", "CKR_DOMAIN_PARAMS_INVALID", "CKR_CURVE_NOT_SUPPORTED"} {
		if strings.Contains(msg, rv) {
			return true
		}
	}
	return false
}

func tokenKeyID(app, phone string) []byte {
	h := sha256.Sum256([]byte(phone + "\x00" + app))
	return h[:16]
}

// TokenLabelPrefix starts the CKA_LABEL of every cloud key on a token.
const TokenLabelPrefix = "gostca-cloud:"

// Generate makes the key pair on the token. A parameter set the token
// has no mechanism for is an *Error with CodeCurve.
func (v *TokenVault) Generate(ctx context.Context, app, phone string, curve hsm.Curve) (hsm.Key, *store.CloudKey, error) {
	if !curve.Valid() {
		return nil, nil, &Error{Code: CodeCurve, Detail: "the cloud key's parameter set is not valid"}
	}
	label := TokenLabelPrefix + app
	k, err := v.t.Generate(ctx, label, tokenKeyID(app, phone), curve)
	if err != nil && unsupported(err) {
		return nil, nil, &Error{Code: CodeCurve, Err: err, Detail: "the CA's PKCS#11 token cannot make keys of parameter set " + curve.Name() +
			" for this certificate type; the CA's operator must give the type a parameter set the token supports ([cloud] type_curves)"}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cloudkey: token vault: generate: %w", err)
	}
	spki, err := pkix.MarshalPublicKeyInfo(k.Public())
	if err != nil {
		return nil, nil, fmt.Errorf("cloudkey: token vault: %w", err)
	}
	return k, &store.CloudKey{Application: app, Phone: phone, Curve: curve.Name(), SPKI: spki, TokenRef: label}, nil
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
