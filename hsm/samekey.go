package hsm

import (
	"crypto"
	"crypto/ecdsa"

	"github.com/gostca/gostca/gost/gost3410"
)

// SamePublicKey reports whether a and b are one key: both GOST R
// 34.10-2012 or both ECDSA, on the same curve, with the same point. It is
// the one check of "this key belongs to that certificate" (an issuer's or
// an OCSP responder's key against its certificate) and of "the token
// still holds the key loaded at start". Nil keys and keys of other types
// are never the same.
func SamePublicKey(a, b crypto.PublicKey) bool {
	switch k := a.(type) {
	case *gost3410.PublicKey:
		return k != nil && k.Equal(b) // Equal refuses other types and nil
	case *ecdsa.PublicKey:
		o, ok := b.(*ecdsa.PublicKey)
		return k != nil && ok && o != nil && k.Equal(o)
	}
	return false
}
