package hsm

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/sigalg"
)

// Key is a signing key held by a backend: in-process (SoftKey) or on a
// token (package hsm/pkcs11). Implementations are safe for concurrent use.
type Key interface {
	// Public returns the public key: *gost3410.PublicKey or *ecdsa.PublicKey.
	Public() crypto.PublicKey
	// Algorithm returns what the key signs with; it fixes the digest size.
	Algorithm() Algorithm
	// Sign signs digest, the output of the algorithm's hash (Streebog-256 or
	// -512 exactly as the streebog package returns it, SHA-256 or SHA-384
	// for ECDSA). GOST signatures are s ‖ r, each big-endian (the value of
	// an X.509 signature BIT STRING); ECDSA signatures are the DER
	// Ecdsa-Sig-Value, as crypto/ecdsa.SignASN1 returns it. ctx bounds the
	// wait for the backend (for example for a free token session).
	Sign(ctx context.Context, digest []byte) ([]byte, error)
}

// Errors a backend returns, to be tested with errors.Is.
var (
	// ErrUnavailable: the backend is down (for a token: the circuit breaker
	// is open) and the call failed fast without reaching it.
	ErrUnavailable = errors.New("hsm: key backend unavailable")
	// ErrBusy: no session became free within the wait bound.
	ErrBusy = errors.New("hsm: all sessions busy")
	// ErrClosed: the backend was closed.
	ErrClosed = errors.New("hsm: backend closed")
)

// Algorithm is the signature algorithm of a key. It is sigalg.Algorithm,
// the enumeration pkix uses too (pkix.SignatureAlgorithm), which also
// gives its digest size and hash.
type Algorithm = sigalg.Algorithm

// The algorithms under their key names.
const (
	UnknownAlgorithm = sigalg.Unknown
	GOST256          = sigalg.GOST256   // GOST R 34.10-2012 256-bit; Streebog-256 digest; 64-byte s ‖ r
	GOST512          = sigalg.GOST512   // GOST R 34.10-2012 512-bit; Streebog-512 digest; 128-byte s ‖ r
	ECDSAP256        = sigalg.ECDSAP256 // ECDSA on P-256; SHA-256 digest; DER signature
	ECDSAP384        = sigalg.ECDSAP384 // ECDSA on P-384; SHA-384 digest; DER signature
)

// Object identifiers of the curves, named as in the standards.
var (
	OIDNamedCurveP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	OIDNamedCurveP384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	// Streebog digests, the CKA_GOSTR3411_PARAMS of 2012 keys.
	OIDStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	OIDStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
)

// Curve is the curve of a key: a GOST R 34.10-2012 parameter set or a NIST
// curve for ECDSA. Exactly one field is set.
type Curve struct {
	GOST *gost3410.Curve
	EC   elliptic.Curve
}

// CurveByName resolves a GOST parameter set by its gost3410 name
// ("tc26-256-A", "tc26-512-A", …) or an ECDSA curve ("P-256", "P-384";
// also "prime256v1", "secp384r1").
func CurveByName(name string) (Curve, error) {
	switch name {
	case "P-256", "prime256v1", "secp256r1":
		return Curve{EC: elliptic.P256()}, nil
	case "P-384", "secp384r1":
		return Curve{EC: elliptic.P384()}, nil
	}
	if c, ok := gost3410.CurveByName(name); ok {
		return Curve{GOST: c}, nil
	}
	return Curve{}, fmt.Errorf("hsm: unknown curve %q (want a GOST parameter set such as tc26-256-A, or P-256, P-384)", name)
}

// CurveOf returns the curve of a public key.
func CurveOf(pub crypto.PublicKey) (Curve, error) {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		if k != nil && k.Curve != nil {
			return Curve{GOST: k.Curve}, nil
		}
	case *ecdsa.PublicKey:
		if k != nil && k.Curve != nil {
			c := Curve{EC: k.Curve}
			if c.Algorithm() != UnknownAlgorithm {
				return c, nil
			}
		}
	}
	return Curve{}, fmt.Errorf("hsm: unsupported public key %T", pub)
}

// AlgorithmOf returns the algorithm a public key signs with.
func AlgorithmOf(pub crypto.PublicKey) (Algorithm, error) {
	c, err := CurveOf(pub)
	if err != nil {
		return UnknownAlgorithm, err
	}
	return c.Algorithm(), nil
}

// Algorithm returns the signature algorithm of keys on c.
func (c Curve) Algorithm() Algorithm {
	switch {
	case c.GOST != nil && c.EC == nil:
		if c.GOST.Size == 64 {
			return GOST512
		}
		return GOST256
	case c.EC == elliptic.P256() && c.GOST == nil:
		return ECDSAP256
	case c.EC == elliptic.P384() && c.GOST == nil:
		return ECDSAP384
	}
	return UnknownAlgorithm
}

// Valid reports whether c is one supported curve.
func (c Curve) Valid() bool { return c.Algorithm() != UnknownAlgorithm }

// Name returns the curve's name as CurveByName accepts it.
func (c Curve) Name() string {
	switch {
	case c.GOST != nil:
		return c.GOST.Name
	case c.EC != nil:
		return c.EC.Params().Name
	}
	return "<no curve>"
}

func (c Curve) String() string { return c.Name() }

// OID returns the parameter-set OID (GOST, TC26 form) or the named-curve
// OID (ECDSA).
func (c Curve) OID() asn1.ObjectIdentifier {
	switch c.Algorithm() {
	case GOST256, GOST512:
		return c.GOST.OID()
	case ECDSAP256:
		return append(asn1.ObjectIdentifier(nil), OIDNamedCurveP256...)
	case ECDSAP384:
		return append(asn1.ObjectIdentifier(nil), OIDNamedCurveP384...)
	}
	return nil
}

// AsSigner adapts k to crypto.Signer (for pkix.Sign and the standard
// library), signing with context.Background(): the backend's own bounds
// (session wait, circuit breaker) still apply. The rand argument of Sign
// is ignored; the backend draws its own randomness.
func AsSigner(k Key) crypto.Signer { return AsSignerContext(context.Background(), k) }

// AsSignerContext is AsSigner with a context for every Sign call.
func AsSignerContext(ctx context.Context, k Key) crypto.Signer { return signer{ctx: ctx, k: k} }

type signer struct {
	ctx context.Context
	k   Key
}

func (s signer) Public() crypto.PublicKey { return s.k.Public() }

// Sign ignores opts: the key's algorithm fixes the hash, and Key.Sign
// rejects a digest of the wrong size.
func (s signer) Sign(_ io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	return s.k.Sign(s.ctx, digest)
}
