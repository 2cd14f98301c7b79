package cms

import (
	"bytes"
	"context"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/pkix"
)

// Building CAdES-BES signatures (ETSI EN 319 122-1 §5.2) with a GOST R
// 34.10-2012 key: what a cloud key (package cloudkey) signs. The
// SignedData is version 1, with one digest algorithm (the Streebog of
// the key's size), the content type id-data, the content attached or
// not, the signer's certificate (and any others given), and one
// SignerInfo version 1 naming the signer by issuer and serial number.
// Its signed attributes, in DER order, are content-type,
// message-digest, signing-time and signingCertificateV2 (one
// ESSCertIDv2: the Streebog hash of the certificate and its
// issuerSerial); the signature, s ‖ r as in certificates, is over the
// Streebog digest of their DER SET OF. Everything is DER, written with
// cryptobyte.

// Signer signs a digest (hsm.Key: a soft key or a PKCS#11 one). GOST
// signatures are s ‖ r, each big-endian.
type Signer interface {
	Sign(ctx context.Context, digest []byte) ([]byte, error)
}

// SignOptions are what Sign signs.
type SignOptions struct {
	// Certificate is the signer's: its key is the Signer's (checked on
	// the signature made).
	Certificate *pkix.Certificate
	// Content is the document. A detached signature may instead give
	// Digest, the document's Streebog digest of the key's size.
	Content []byte
	Digest  []byte
	// Attached puts Content inside the SignedData (eContent).
	Attached bool
	// SigningTime is the signing-time attribute (UTC, whole seconds).
	SigningTime time.Time
	// Extra are further certificates to include (the issuing chain).
	Extra []*pkix.Certificate
}

// Errors of Sign.
var (
	ErrSignInput = errors.New("cms: sign: invalid input")
)

// Sign builds a CAdES-BES SignedData in a ContentInfo (DER) and signs
// its attributes with signer.
func Sign(ctx context.Context, signer Signer, o SignOptions) ([]byte, error) {
	cert := o.Certificate
	if signer == nil || cert == nil || cert.PublicKey == nil {
		return nil, fmt.Errorf("%w: a signer and its certificate are required", ErrSignInput)
	}
	alg, err := pkix.SignatureAlgorithmFor(cert.PublicKey.Key)
	if err != nil || !alg.IsGOST() {
		return nil, fmt.Errorf("%w: the certificate's key is not GOST R 34.10-2012", ErrUnsupportedAlgorithm)
	}
	digestOID, keyOID := pkix.OIDDigestStreebog256, pkix.OIDPublicKeyGost2012_256
	if alg == pkix.GOST512 {
		digestOID, keyOID = pkix.OIDDigestStreebog512, pkix.OIDPublicKeyGost2012_512
	}
	digest := o.Digest
	switch {
	case o.Attached && o.Content == nil:
		return nil, fmt.Errorf("%w: an attached signature needs the content", ErrSignInput)
	case o.Content != nil && o.Digest != nil:
		return nil, fmt.Errorf("%w: give the content or its digest, not both", ErrSignInput)
	case o.Content != nil:
		digest = alg.Digest(o.Content)
	case len(digest) != alg.DigestSize():
		return nil, fmt.Errorf("%w: the digest is %d bytes, %s makes %d", ErrSignInput, len(digest), alg, alg.DigestSize())
	}
	if o.SigningTime.IsZero() {
		return nil, fmt.Errorf("%w: no signing time", ErrSignInput)
	}
	attrs, err := signedAttrs(digestOID, digest, o.SigningTime, cert, alg)
	if err != nil {
		return nil, err
	}
	attrsDigest := alg.Digest(attrs)
	sig, err := signer.Sign(ctx, attrsDigest)
	if err != nil {
		return nil, fmt.Errorf("cms: sign: %w", err)
	}
	if err := pkix.CheckDigestSignature(cert.PublicKey.Key, alg, attrsDigest, sig); err != nil {
		return nil, fmt.Errorf("cms: sign: the signer's key is not the certificate's: %w", err)
	}
	b := cryptobyte.NewBuilder(make([]byte, 0, 1024+len(cert.Raw)+len(o.Content)))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(OIDSignedData)
		b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlgorithm(b, digestOID) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncapsulatedContentInfo
					b.AddASN1ObjectIdentifier(OIDData)
					if o.Attached {
						b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) { b.AddASN1OctetString(o.Content) })
					}
				})
				b.AddASN1(tagImplicit0Cons, func(b *cryptobyte.Builder) { // certificates
					for _, c := range certSet(cert, o.Extra) {
						b.AddBytes(c)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { // signerInfos
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(1)
						addIssuerSerial(b, cert)
						addAlgorithm(b, digestOID)
						// [0] IMPLICIT: the SET OF signed, retagged.
						b.AddUint8(uint8(tagImplicit0Cons))
						b.AddBytes(attrs[1:])
						addAlgorithm(b, keyOID)
						b.AddASN1OctetString(sig)
					})
				})
			})
		})
	})
	return b.Bytes()
}

// addAlgorithm writes an AlgorithmIdentifier with absent parameters, as
// GOST digest and key algorithms are written in CMS.
func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
}

func addIssuerSerial(b *cryptobyte.Builder, cert *pkix.Certificate) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(cert.RawIssuer)
		b.AddASN1BigInt(cert.SerialNumber)
	})
}

// certSet is the signer's certificate and the extra ones, each once, in
// DER SET OF order.
func certSet(cert *pkix.Certificate, extra []*pkix.Certificate) [][]byte {
	out := [][]byte{cert.Raw}
	for _, c := range extra {
		if c != nil && !slices.ContainsFunc(out, func(d []byte) bool { return bytes.Equal(d, c.Raw) }) {
			out = append(out, c.Raw)
		}
	}
	slices.SortFunc(out, bytes.Compare)
	return out
}

// signedAttrs is the DER SET OF the four CAdES-BES attributes, sorted.
func signedAttrs(digestOID asn1.ObjectIdentifier, digest []byte, at time.Time, cert *pkix.Certificate, alg pkix.SignatureAlgorithm) ([]byte, error) {
	at = at.UTC().Truncate(time.Second)
	one := func(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) ([]byte, error) {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1(cbasn1.SET, value)
		})
		return b.Bytes()
	}
	var list [][]byte
	for _, a := range []struct {
		oid   asn1.ObjectIdentifier
		value func(*cryptobyte.Builder)
	}{
		{OIDAttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(OIDData) }},
		{OIDAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) }},
		{OIDAttrSigningTime, func(b *cryptobyte.Builder) {
			if at.Year() >= 1950 && at.Year() < 2050 {
				b.AddASN1UTCTime(at)
			} else {
				b.AddASN1GeneralizedTime(at)
			}
		}},
		{OIDAttrSigningCertificateV2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
						addAlgorithm(b, digestOID)
						b.AddASN1OctetString(alg.Digest(cert.Raw))
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
								b.AddASN1(tagDirectoryName, func(b *cryptobyte.Builder) { b.AddBytes(cert.RawIssuer) })
							})
							b.AddASN1BigInt(cert.SerialNumber)
						})
					})
				})
			})
		}},
	} {
		der, err := one(a.oid, a.value)
		if err != nil {
			return nil, fmt.Errorf("cms: sign: attribute %v: %w", a.oid, err)
		}
		list = append(list, der)
	}
	slices.SortFunc(list, bytes.Compare)
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range list {
			b.AddBytes(a)
		}
	})
	return b.Bytes()
}
