package cadir

import (
	"context"

	"github.com/gostca/gostca/hsm"
)

// KeyToken is the CA keys' PKCS#11 token as cloud keys (package cloudkey) use
// it: generate a sensitive, non-extractable key pair under a label and
// CKA_ID, and find it again.
type KeyToken interface {
	Generate(ctx context.Context, label string, id []byte, curve hsm.Curve) (hsm.Key, error)
	Key(ctx context.Context, label string, id []byte) (hsm.Key, error)
}

// Token returns the token the CA keys were loaded from, or nil when they
// are soft keys. It stays open until Close.
func (c *CA) Token() KeyToken {
	if c == nil || c.keys == nil || c.keys.tok == nil {
		return nil
	}
	return c.keys.tok
}
