package hsm

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gostca/gostca/gost/gost3410"
)

// SoftKey is a key held in process memory: the embedded default backend,
// loaded from a passphrase-protected file (see the package documentation
// for the format). It is safe for concurrent use; signing never blocks on
// other signers.
type SoftKey struct {
	gost  *gost3410.PrivateKey // exactly one of gost, ec is set
	ec    *ecdsa.PrivateKey
	curve Curve
	alg   Algorithm

	signs  atomic.Uint64
	errors atomic.Uint64
}

var _ Key = (*SoftKey)(nil)

// NewSoftKey wraps an in-memory private key: *gost3410.PrivateKey, or
// *ecdsa.PrivateKey on P-256 or P-384. GOST test parameter sets are
// refused.
func NewSoftKey(priv crypto.Signer) (*SoftKey, error) {
	switch k := priv.(type) {
	case *gost3410.PrivateKey:
		if k == nil {
			break
		}
		c := Curve{GOST: k.Curve()}
		if k.Curve().Test {
			return nil, fmt.Errorf("hsm: soft key: %s is a test parameter set, never for real keys", c)
		}
		return &SoftKey{gost: k, curve: c, alg: c.Algorithm()}, nil
	case *ecdsa.PrivateKey:
		if k == nil {
			break
		}
		c := Curve{EC: k.Curve}
		if !c.Valid() {
			return nil, fmt.Errorf("hsm: soft key: unsupported ECDSA curve %s", k.Curve.Params().Name)
		}
		return &SoftKey{ec: k, curve: c, alg: c.Algorithm()}, nil
	}
	return nil, fmt.Errorf("hsm: soft key: unsupported private key %T", priv)
}

// GenerateSoftKeyInMemory makes a fresh key on curve without storing it.
func GenerateSoftKeyInMemory(curve Curve) (*SoftKey, error) {
	if !curve.Valid() {
		return nil, errors.New("hsm: soft key: invalid curve")
	}
	if curve.GOST != nil {
		if curve.GOST.Test {
			return nil, fmt.Errorf("hsm: soft key: %s is a test parameter set, never for real keys", curve)
		}
		k, err := gost3410.GenerateKey(curve.GOST, rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("hsm: soft key: %w", err)
		}
		return NewSoftKey(k)
	}
	k, err := ecdsa.GenerateKey(curve.EC, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("hsm: soft key: %w", err)
	}
	return NewSoftKey(k)
}

// Public returns *gost3410.PublicKey or *ecdsa.PublicKey.
func (k *SoftKey) Public() crypto.PublicKey {
	if k.gost != nil {
		return k.gost.PublicKey()
	}
	return &k.ec.PublicKey
}

// Algorithm returns the key's signature algorithm.
func (k *SoftKey) Algorithm() Algorithm { return k.alg }

// Curve returns the key's curve.
func (k *SoftKey) Curve() Curve { return k.curve }

// Sign signs digest; see Key. ctx is only checked before signing: an
// in-process signature takes microseconds.
func (k *SoftKey) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	sig, err := k.sign(ctx, digest)
	if err != nil {
		k.errors.Add(1)
		return nil, fmt.Errorf("hsm: soft: sign with %s key: %w", k.alg, err)
	}
	k.signs.Add(1)
	return sig, nil
}

func (k *SoftKey) sign(ctx context.Context, digest []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := k.alg.CheckDigest(digest); err != nil {
		return nil, err
	}
	if k.gost != nil {
		return k.gost.Sign(rand.Reader, digest, nil)
	}
	return ecdsa.SignASN1(rand.Reader, k.ec, digest)
}

// SoftStats counts a SoftKey's signatures.
type SoftStats struct {
	Signs  uint64 // signatures returned
	Errors uint64 // Sign calls that failed
}

// Stats returns a snapshot of the counters.
func (k *SoftKey) Stats() SoftStats {
	return SoftStats{Signs: k.signs.Load(), Errors: k.errors.Load()}
}
