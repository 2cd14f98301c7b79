package gost3410

import (
	"crypto"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// PublicKey is a GOST R 34.10-2012 public key: a point of order q.
type PublicKey struct {
	Curve *Curve
	x, y  limbs // affine, canonical
}

// PrivateKey is a GOST R 34.10-2012 private key. It is immutable after
// creation and safe for concurrent use.
type PrivateKey struct {
	pub PublicKey
	d   limbs // 0 < d < q, canonical
	dM  limbs // d in the Montgomery domain mod q
}

var errNoCurve = errors.New("gost3410: nil curve")

// NewPrivateKey returns the key whose secret d is rawLE read as a
// little-endian integer, the encoding of OpenSSL's gost engine and of
// PKCS#11 tokens. rawLE must be exactly c.Size bytes and 0 < d < q.
func NewPrivateKey(c *Curve, rawLE []byte) (*PrivateKey, error) {
	if c == nil {
		return nil, errNoCurve
	}
	if len(rawLE) != c.Size {
		return nil, fmt.Errorf("gost3410: %s private key is %d bytes, want %d", c.Name, len(rawLE), c.Size)
	}
	k := &PrivateKey{pub: PublicKey{Curve: c}}
	c.fq.setBytesLE(&k.d, rawLE)
	// Constant-time range check: the secret must not steer branches before
	// the single pass/fail decision.
	if c.fq.less(&k.d)&(1^c.fq.isZero(&k.d)) != 1 {
		return nil, fmt.Errorf("gost3410: %s private key out of range (0, q)", c.Name)
	}
	c.fq.toMont(&k.dM, &k.d)
	x, y, ok := c.impl.baseMult(k.d)
	if ok != 1 {
		// Unreachable for 0 < d < q; kept so a fault cannot yield a bad key.
		return nil, fmt.Errorf("gost3410: %s public key derivation failed", c.Name)
	}
	k.pub.x, k.pub.y = x, y
	return k, nil
}

// GenerateKey returns a new private key with d uniform in (0, q), read
// from rand (crypto/rand.Reader if nil).
func GenerateKey(c *Curve, rand io.Reader) (*PrivateKey, error) {
	if c == nil {
		return nil, errNoCurve
	}
	rand = orDefaultRand(rand)
	buf := make([]byte, c.Size)
	defer clear(buf)
	for range 100 {
		if _, err := io.ReadFull(rand, buf[:c.qBytes]); err != nil {
			return nil, fmt.Errorf("gost3410: generate %s key: %w", c.Name, err)
		}
		clear(buf[c.qBytes:])
		maskTopBits(buf[:c.qBytes], c.q.BitLen())
		k, err := NewPrivateKey(c, buf)
		if err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("gost3410: generate %s key: random source keeps returning out-of-range values", c.Name)
}

// maskTopBits clears the bits of the little-endian b above bitLen.
func maskTopBits(b []byte, bitLen int) {
	if r := bitLen % 8; r != 0 {
		b[len(b)-1] &= byte(1)<<r - 1
	}
}

// NewPublicKey parses LE(X) ‖ LE(Y), the CKA_VALUE of PKCS#11 and the
// content of the OCTET STRING in an X.509 SubjectPublicKeyInfo. The point
// must be on the curve and of order q.
func NewPublicKey(c *Curve, rawLE []byte) (*PublicKey, error) {
	if c == nil {
		return nil, errNoCurve
	}
	if len(rawLE) != 2*c.Size {
		return nil, fmt.Errorf("gost3410: %s public key is %d bytes, want %d", c.Name, len(rawLE), 2*c.Size)
	}
	p := &PublicKey{Curve: c}
	c.fq.setBytesLE(&p.x, rawLE[:c.Size])
	c.fq.setBytesLE(&p.y, rawLE[c.Size:])
	if !c.impl.validPublic(&p.x, &p.y) {
		return nil, fmt.Errorf("gost3410: %s public key is not a point of order q on the curve", c.Name)
	}
	return p, nil
}

// Bytes returns LE(X) ‖ LE(Y).
func (p *PublicKey) Bytes() []byte {
	f := p.Curve.fq
	out := make([]byte, 2*p.Curve.Size)
	f.putBytesLE(out[:p.Curve.Size], &p.x)
	f.putBytesLE(out[p.Curve.Size:], &p.y)
	return out
}

// Equal reports whether p and x are the same key on the same curve.
func (p *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	if !ok || o == nil || p == nil {
		return false
	}
	return p.Curve == o.Curve && p.x == o.x && p.y == o.y
}

// Public returns the *PublicKey of k.
func (k *PrivateKey) Public() crypto.PublicKey { return k.PublicKey() }

// PublicKey returns the public half of k.
func (k *PrivateKey) PublicKey() *PublicKey {
	p := k.pub
	return &p
}

// Curve returns the parameter set of k.
func (k *PrivateKey) Curve() *Curve { return k.pub.Curve }

// Bytes returns d as Size little-endian bytes, for key storage.
func (k *PrivateKey) Bytes() []byte {
	out := make([]byte, k.pub.Curve.Size)
	k.pub.Curve.fq.putBytesLE(out, &k.d)
	return out
}

// Equal reports whether k and x are the same private key, in constant time.
func (k *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	if !ok || o == nil || k == nil || k.pub.Curve != o.pub.Curve {
		return false
	}
	a, b := k.Bytes(), o.Bytes()
	defer clear(a)
	defer clear(b)
	return subtle.ConstantTimeCompare(a, b) == 1
}
