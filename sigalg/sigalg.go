// Package sigalg names the signature algorithms of GostCA's keys and
// certificates. It is the one enumeration the key backends (hsm, where a
// key signs a digest) and the certificate code (pkix, where a signature
// is encoded and checked) share, with what both need of an algorithm:
// its hash and the size of the digest a key signs. The algorithm
// identifiers (OIDs) stay with pkix, the curves with hsm.
package sigalg

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"

	"github.com/gostca/gostca/gost/streebog"
)

// Algorithm is a signature algorithm: a key type and the hash it signs.
type Algorithm int

// The algorithms. GOST signatures are s ‖ r, each big-endian (the value
// of an X.509 signature BIT STRING); ECDSA signatures are the DER
// Ecdsa-Sig-Value.
const (
	Unknown   Algorithm = iota
	GOST256             // GOST R 34.10-2012 256-bit with Streebog-256; 64-byte signature
	GOST512             // GOST R 34.10-2012 512-bit with Streebog-512; 128-byte signature
	ECDSAP256           // ECDSA on P-256 with SHA-256
	ECDSAP384           // ECDSA on P-384 with SHA-384
)

func (a Algorithm) String() string {
	switch a {
	case GOST256:
		return "GOST R 34.10-2012 256 with Streebog-256"
	case GOST512:
		return "GOST R 34.10-2012 512 with Streebog-512"
	case ECDSAP256:
		return "ECDSA with SHA-256"
	case ECDSAP384:
		return "ECDSA with SHA-384"
	}
	return fmt.Sprintf("unknown signature algorithm (%d)", int(a))
}

// IsGOST reports whether a is a GOST R 34.10-2012 algorithm.
func (a Algorithm) IsGOST() bool { return a == GOST256 || a == GOST512 }

// DigestSize is the length of the digest a key of the algorithm signs, 0
// if a is unknown.
func (a Algorithm) DigestSize() int {
	switch a {
	case GOST256, ECDSAP256:
		return 32
	case GOST512:
		return 64
	case ECDSAP384:
		return 48
	}
	return 0
}

// Digest hashes msg with the algorithm's hash: the bytes a key signs
// (Streebog exactly as package streebog returns it); nil if a is unknown.
func (a Algorithm) Digest(msg []byte) []byte {
	switch a {
	case GOST256:
		d := streebog.Sum256(msg)
		return d[:]
	case GOST512:
		d := streebog.Sum512(msg)
		return d[:]
	case ECDSAP256:
		d := sha256.Sum256(msg)
		return d[:]
	case ECDSAP384:
		d := sha512.Sum384(msg)
		return d[:]
	}
	return nil
}

// Hash is the crypto.Hash to pass a crypto.Signer as its options: SHA-256
// or SHA-384 for ECDSA; zero for GOST, which crypto.Hash has no value for
// (the gost3410 signer ignores it).
func (a Algorithm) Hash() crypto.Hash {
	switch a {
	case ECDSAP256:
		return crypto.SHA256
	case ECDSAP384:
		return crypto.SHA384
	}
	return 0
}

// CheckDigest returns an error unless digest has the size a signs.
func (a Algorithm) CheckDigest(digest []byte) error {
	if n := a.DigestSize(); n == 0 || len(digest) != n {
		return fmt.Errorf("sigalg: %s signs a %d-byte digest, got %d bytes", a, n, len(digest))
	}
	return nil
}
