package gost3410

import (
	"crypto"
	cryptorand "crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

func orDefaultRand(r io.Reader) io.Reader {
	if r == nil {
		return cryptorand.Reader
	}
	return r
}

// Sign signs digest, the output of Streebog exactly as streebog.Sum256 (or
// Sum512 for 512-bit sets) returns it, and returns s ‖ r, each Size bytes
// big-endian: the value of an X.509 signature BIT STRING. The digest is read
// as a little-endian integer, as OpenSSL's gost engine and PKCS#11 tokens
// do. opts is ignored (crypto.Hash has no GOST values).
//
// The nonce is hedged: it is derived from rand together with the key and the
// digest, so a weak or repeating rand does not reveal the key.
func (k *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c := k.pub.Curve
	if len(digest) != c.Size {
		return nil, fmt.Errorf("gost3410: %s digest is %d bytes, want %d", c.Name, len(digest), c.Size)
	}
	// The signature buffer is the only allocation; it first receives the
	// entropy (rand is an interface, so anything passed to it escapes).
	sig := make([]byte, 2*c.Size)
	var entropy [32]byte
	defer clear(entropy[:])
	if _, err := io.ReadFull(orDefaultRand(rand), sig[:32]); err != nil {
		clear(sig)
		return nil, fmt.Errorf("gost3410: sign: read randomness: %w", err)
	}
	copy(entropy[:], sig)
	clear(sig)
	var seed [64]byte
	k.nonceSeed(&seed, entropy[:], digest)
	defer clear(seed[:])
	var block [72]byte
	defer clear(block[:])
	copy(block[:64], seed[:])
	var nonce limbs
	defer clear(nonce[:])
	var bufArr [64]byte
	defer clear(bufArr[:])
	buf := bufArr[:c.Size]
	for ctr := uint64(0); ctr < 256; ctr++ {
		binary.BigEndian.PutUint64(block[64:], ctr)
		out := sha512.Sum512(block[:])
		copy(buf[:c.qBytes], out[:c.qBytes])
		clear(out[:])
		clear(buf[c.qBytes:])
		maskTopBits(buf[:c.qBytes], c.q.BitLen())
		c.fq.setBytesLE(&nonce, buf)
		if c.fq.less(&nonce)&(1^c.fq.isZero(&nonce)) != 1 {
			continue
		}
		err := k.signInto(sig, digest, &nonce)
		if errors.Is(err, errRetryNonce) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return sig, nil
	}
	return nil, errors.New("gost3410: sign: no usable nonce found")
}

// nonceSeed hashes the secret key, fresh entropy and the digest into the
// seed of the nonce stream, with a domain label and fixed-length fields.
func (k *PrivateKey) nonceSeed(seed *[64]byte, entropy, digest []byte) {
	const label = "GostCA gost3410 hedged nonce v1\x00"
	var in [len(label) + 64 + 32 + 64]byte
	defer clear(in[:])
	n := copy(in[:], label)
	k.pub.Curve.fq.putBytesLE(in[n:n+k.pub.Curve.Size], &k.d)
	n += 64
	n += copy(in[n:], entropy)
	copy(in[n:], digest)
	*seed = sha512.Sum512(in[:])
}

var errRetryNonce = errors.New("gost3410: r or s is zero, retry with a new nonce")

// digestScalar returns e = LE(digest) mod q in the Montgomery domain, with
// e = 1 when it would be 0 (GOST R 34.10-2012 §6.1 step 2).
func (c *Curve) digestScalar(digest []byte) limbs {
	var e, eM limbs
	c.fq.setBytesLE(&e, digest)
	c.fq.toMont(&eM, &e)
	selectLimbs(&eM, &c.fq.one, &eM, c.fq.isZero(&eM))
	return eM
}

// signWithNonce computes the signature with the given nonce 0 < k < q:
// r = x(kG) mod q, s = r·d + k·e mod q.
func (k *PrivateKey) signWithNonce(digest []byte, nonce *limbs) ([]byte, error) {
	sig := make([]byte, 2*k.pub.Curve.Size)
	if err := k.signInto(sig, digest, nonce); err != nil {
		return nil, err
	}
	return sig, nil
}

// signInto writes s ‖ r for the nonce 0 < k < q into sig (2·Size bytes)
// without allocating.
func (k *PrivateKey) signInto(sig, digest []byte, nonce *limbs) error {
	c := k.pub.Curve
	f := c.fq
	eM := c.digestScalar(digest)
	x, _, ok := c.impl.baseMult(*nonce)
	if ok != 1 {
		return errRetryNonce
	}
	var rM, r, kM, s, t limbs
	f.toMont(&rM, &x) // x < p < 2^(64n): toMont reduces it mod q
	f.fromMont(&r, &rM)
	if f.isZero(&r) == 1 {
		return errRetryNonce
	}
	f.toMont(&kM, nonce)
	f.mul(&s, &rM, &k.dM)
	f.mul(&t, &kM, &eM)
	f.add(&s, &s, &t)
	f.fromMont(&s, &s)
	clear(kM[:])
	clear(t[:])
	if f.isZero(&s) == 1 {
		return errRetryNonce
	}
	f.putBytesBE(sig[:c.Size], &s)
	f.putBytesBE(sig[c.Size:], &r)
	return nil
}

// Verify reports whether sig (s ‖ r, big-endian) is a valid signature of
// digest (Streebog output as returned by the streebog package) by p.
// Malformed input of any kind yields false.
//
// A key verified more than once gets a precomputed table on its second
// verification (fixedkeys.go), which makes the later ones about twice as
// fast on the curves that support it; the answer is the same.
func Verify(p *PublicKey, digest, sig []byte) bool {
	return verify(p, digest, sig, true)
}

// verify is Verify; useFixed = false never consults the key tables
// (benchmarks of the variable-base path).
func verify(p *PublicKey, digest, sig []byte, useFixed bool) bool {
	if p == nil || p.Curve == nil {
		return false
	}
	c := p.Curve
	f := c.fq
	if len(digest) != c.Size || len(sig) != 2*c.Size {
		return false
	}
	var s, r limbs
	f.setBytesBE(&s, sig[:c.Size])
	f.setBytesBE(&r, sig[c.Size:])
	if f.less(&s) == 0 || f.isZero(&s) == 1 || f.less(&r) == 0 || f.isZero(&r) == 1 {
		return false
	}
	eM := c.digestScalar(digest)
	var e, v, vM, sM, rM, z1, z2 limbs
	f.fromMont(&e, &eM)
	c.invPublic(&v, &e) // e is public: no need for a constant-time ladder
	f.toMont(&vM, &v)
	f.toMont(&sM, &s)
	f.toMont(&rM, &r)
	f.mul(&z1, &sM, &vM)
	f.mul(&z2, &rM, &vM)
	f.neg(&z2, &z2)
	f.fromMont(&z1, &z1)
	f.fromMont(&z2, &z2)
	if c.fixed != nil && useFixed {
		if t := c.fixed.tableFor(&p.x, &p.y); t != nil {
			return c.fixed.impl.verifyRFixed(t, z1, z2, r)
		}
	}
	if rv, ok := c.impl.(rVerifier); ok {
		return rv.verifyR(z1, z2, &p.x, &p.y, r)
	}
	x, ok := c.impl.combinedMultX(z1, z2, &p.x, &p.y)
	if !ok {
		return false
	}
	var xr limbs
	f.toMont(&xr, &x)
	f.fromMont(&xr, &xr)
	return f.equal(&xr, &r) == 1
}

// rVerifier is implemented by the specialised curves (fast.go), which check
// x(u1·G + u2·Q) ≡ r (mod q) without computing the affine x.
type rVerifier interface {
	verifyR(u1, u2 limbs, qx, qy *limbs, r limbs) bool
}
