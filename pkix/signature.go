package pkix

import (
	"crypto"
	"crypto/ecdsa"
	"encoding/asn1"
	"errors"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/sigalg"
)

// SignatureAlgorithm is a signature algorithm the package signs and
// checks. It is sigalg.Algorithm, the enumeration hsm's keys use too; its
// hash, digest size and name are there, its identifier (OID) here.
type SignatureAlgorithm = sigalg.Algorithm

// The algorithms under their X.509 names.
const (
	UnknownSignatureAlgorithm = sigalg.Unknown
	GOST256                   = sigalg.GOST256 // GOST R 34.10-2012 256 with Streebog-256
	GOST512                   = sigalg.GOST512 // GOST R 34.10-2012 512 with Streebog-512
	ECDSAWithSHA256           = sigalg.ECDSAP256
	ECDSAWithSHA384           = sigalg.ECDSAP384
)

var (
	OIDSignatureECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	OIDSignatureECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
)

// algorithmOID returns the algorithm's object identifier, nil if unknown.
func algorithmOID(a SignatureAlgorithm) asn1.ObjectIdentifier {
	switch a {
	case GOST256:
		return OIDSignatureGost2012_256
	case GOST512:
		return OIDSignatureGost2012_512
	case ECDSAWithSHA256:
		return OIDSignatureECDSAWithSHA256
	case ECDSAWithSHA384:
		return OIDSignatureECDSAWithSHA384
	}
	return nil
}

// SignatureAlgorithmFor returns the algorithm a key signs with: GOST by key
// size, ECDSA P-256 with SHA-256 and P-384 with SHA-384.
func SignatureAlgorithmFor(pub crypto.PublicKey) (SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		if k != nil && k.Curve != nil {
			if k.Curve.Size == 64 {
				return GOST512, nil
			}
			return GOST256, nil
		}
	case *ecdsa.PublicKey:
		if k != nil {
			switch k.Curve.Params().BitSize {
			case 256:
				return ECDSAWithSHA256, nil
			case 384:
				return ECDSAWithSHA384, nil
			}
		}
	}
	return UnknownSignatureAlgorithm, errf("signature algorithm: %w: key type %T", ErrUnsupported, pub)
}

// addAlgorithmIdentifier writes the AlgorithmIdentifier with parameters
// absent, as RFC 9215 (GOST) and RFC 5758 (ECDSA) require.
func addAlgorithmIdentifier(b *cryptobyte.Builder, a SignatureAlgorithm) {
	oid := algorithmOID(a)
	if oid == nil {
		b.SetError(invalid("signatureAlgorithm", "unknown algorithm"))
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
}

// readAlgorithmIdentifier reads a signature AlgorithmIdentifier. Parameters
// must be absent or NULL (OpenSSL writes NULL for GOST).
func readAlgorithmIdentifier(s *cryptobyte.String) (SignatureAlgorithm, error) {
	const what = "signatureAlgorithm"
	var alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !readOID(&alg, &oid) {
		return 0, malformed(what)
	}
	if !alg.Empty() {
		var null cryptobyte.String
		if !alg.ReadASN1(&null, cbasn1.NULL) || len(null) != 0 || !alg.Empty() {
			return 0, errf("%s: %w: parameters must be absent or NULL", what, ErrMalformed)
		}
	}
	for _, a := range []SignatureAlgorithm{GOST256, GOST512, ECDSAWithSHA256, ECDSAWithSHA384} {
		if algorithmOID(a).Equal(oid) {
			return a, nil
		}
	}
	return 0, errf("%s: %w: %v", what, ErrUnsupported, oid)
}

// ErrBadSignature is returned when a signature does not verify.
var ErrBadSignature = errors.New("signature does not verify")

// CheckSignature verifies sig over signed with pub under alg. The algorithm
// must fit the key (GOST256 for 256-bit GOST keys, and so on).
func CheckSignature(pub crypto.PublicKey, alg SignatureAlgorithm, signed, sig []byte) error {
	return CheckDigestSignature(pub, alg, alg.Digest(signed), sig)
}

// CheckDigestSignature is CheckSignature for a caller that already holds
// alg.Digest of the signed bytes (a signer that hashed them to sign them).
func CheckDigestSignature(pub crypto.PublicKey, alg SignatureAlgorithm, digest, sig []byte) error {
	want, err := SignatureAlgorithmFor(pub)
	if err != nil {
		return err
	}
	if alg != want && !(isECDSA(alg) && isECDSA(want)) {
		return errf("signature: %w: %s with a key that signs %s", ErrInvalidValue, alg, want)
	}
	return verifyDigest(pub, alg, digest, sig)
}

func verifyDigest(pub crypto.PublicKey, alg SignatureAlgorithm, digest, sig []byte) error {
	ok := false
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		ok = gost3410.Verify(k, digest, sig)
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(k, digest, sig)
	}
	if !ok {
		return errf("%w (%s)", ErrBadSignature, alg) // "signature does not verify (…)"
	}
	return nil
}

func isECDSA(a SignatureAlgorithm) bool { return a == ECDSAWithSHA256 || a == ECDSAWithSHA384 }

// Sign hashes signed for alg and signs the digest with key. For GOST the
// result is s ‖ r; for ECDSA the DER Ecdsa-Sig-Value.
func Sign(rand io.Reader, key crypto.Signer, alg SignatureAlgorithm, signed []byte) ([]byte, error) {
	if want, err := SignatureAlgorithmFor(key.Public()); err != nil {
		return nil, err
	} else if want != alg {
		return nil, errf("sign: %w: %s with a key that signs %s", ErrInvalidValue, alg, want)
	}
	sig, err := key.Sign(rand, alg.Digest(signed), alg.Hash())
	if err != nil {
		return nil, errf("sign: %w", err)
	}
	return sig, nil
}

// AssembleSigned wraps a to-be-signed structure (TBSCertificate,
// TBSCertList, CertificationRequestInfo) with its algorithm and signature:
// SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING sig }.
func AssembleSigned(tbs []byte, alg SignatureAlgorithm, sig []byte) ([]byte, error) {
	if !isOneElement(tbs) {
		return nil, invalid("signed object", "to-be-signed part is not one DER element")
	}
	b := cryptobyte.NewBuilder(make([]byte, 0, len(tbs)+len(sig)+32))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		addAlgorithmIdentifier(b, alg)
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(0)
			b.AddBytes(sig)
		})
	})
	return finish(b, "signed object")
}

// signedParts is a parsed SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }.
type signedParts struct {
	TBS       []byte // the whole to-be-signed element, as signed
	Algorithm SignatureAlgorithm
	Signature []byte
}

// parseSigned splits a signed object, requiring exactly one element.
func parseSigned(der []byte, what string) (*signedParts, error) {
	body, err := readWhole(der, cbasn1.SEQUENCE, what)
	if err != nil {
		return nil, err
	}
	var tbs cryptobyte.String
	var tag cbasn1.Tag
	if !body.ReadAnyASN1Element(&tbs, &tag) || tag != cbasn1.SEQUENCE {
		return nil, malformed(what + ": to-be-signed part")
	}
	alg, err := readAlgorithmIdentifier(&body)
	if err != nil {
		return nil, wrapCtx(what, err)
	}
	var sig asn1.BitString
	if !body.ReadASN1BitString(&sig) || sig.BitLength%8 != 0 {
		return nil, malformed(what + ": signature BIT STRING")
	}
	if !body.Empty() {
		return nil, trailing(what)
	}
	return &signedParts{TBS: tbs, Algorithm: alg, Signature: sig.Bytes}, nil
}
