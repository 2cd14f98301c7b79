package cms

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/pkix"
)

// VerifyOptions are what the caller brings to a verification.
type VerifyOptions struct {
	// Content is the signed document of a detached signature (required
	// then). For an attached signature it may be nil; when given it must
	// equal the attached content.
	Content []byte
	// Certificates are further candidates for the signer certificate,
	// looked at after the CMS's own: a signature made without
	// certificates (`-nocerts`) verifies against the one given here.
	Certificates []*pkix.Certificate
}

// Signature is a verified CAdES-BES signature.
type Signature struct {
	// Signer is the certificate whose key made the signature. Verify
	// checks the signature only: whether the certificate is trusted,
	// valid at a time and not revoked is the caller's decision.
	Signer *pkix.Certificate
	// SigningTime is the signer's claim in the signing-time attribute.
	SigningTime time.Time
	Algorithm   pkix.SignatureAlgorithm
	ContentType asn1.ObjectIdentifier
	// Content is the signed content (the attached one, or opts.Content).
	Content  []byte
	Detached bool
}

// Verify parses data (see Parse) and verifies its one signer as
// CAdES-BES (see SignedData.Verify).
func Verify(data []byte, opts VerifyOptions) (*Signature, error) {
	sd, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return sd.Verify(opts)
}

// Verify checks the SignedData's one signer as CAdES-BES:
//
//   - exactly one SignerInfo (ErrNoSigner, ErrSeveralSigners);
//   - its certificate is found by issuer and serial or key identifier
//     among the CMS's certificates and opts.Certificates
//     (ErrNoSignerCertificate);
//   - the key is GOST R 34.10-2012, the digest algorithm the Streebog of
//     its size, the signature algorithm GOST R 34.10-2012 of that size
//     (ErrUnsupportedAlgorithm);
//   - content-type, message-digest, signing-time and signingCertificateV2
//     are each signed once (*AttributeError); content-type equals
//     eContentType;
//   - message-digest is the digest of the content (ErrDigestMismatch);
//   - signingCertificateV2 names the signer certificate
//     (ErrCertificateHash);
//   - the signature over the DER SET OF the signed attributes verifies
//     (ErrBadSignature).
func (sd *SignedData) Verify(opts VerifyOptions) (*Signature, error) {
	switch len(sd.Signers) {
	case 0:
		return nil, ErrNoSigner
	case 1:
	default:
		return nil, fmt.Errorf("%w: %d signers; sign the document once, with one certificate", ErrSeveralSigners, len(sd.Signers))
	}
	si := &sd.Signers[0]
	content := sd.Content
	switch {
	case sd.Detached && opts.Content == nil:
		return nil, ErrNoContent
	case sd.Detached:
		content = opts.Content
	case opts.Content != nil && !bytes.Equal(opts.Content, sd.Content):
		return nil, ErrContentMismatch
	}
	attrs, err := readCAdESAttrs(si.SignedAttrs)
	if err != nil {
		return nil, err
	}
	cert, err := sd.signerCertificate(si, opts.Certificates)
	if err != nil {
		return nil, err
	}
	alg, err := signerAlgorithm(si, cert)
	if err != nil {
		return nil, err
	}
	if !attrs.contentType.Equal(sd.ContentType) {
		return nil, attrErr(attrContentType, fmt.Sprintf("%v, but the content is %v", attrs.contentType, sd.ContentType))
	}
	if len(attrs.messageDigest) != alg.DigestSize() {
		return nil, attrErr(attrMessageDigest, fmt.Sprintf("%d bytes, %s makes %d", len(attrs.messageDigest), alg, alg.DigestSize()))
	}
	if !bytes.Equal(attrs.messageDigest, alg.Digest(content)) {
		return nil, ErrDigestMismatch
	}
	if err := attrs.signingCert.check(cert); err != nil {
		return nil, err
	}
	if err := checkSignature(si, cert, alg); err != nil {
		return nil, err
	}
	return &Signature{Signer: cert, SigningTime: attrs.signingTime, Algorithm: alg,
		ContentType: sd.ContentType, Content: content, Detached: sd.Detached}, nil
}

// signerAlgorithm checks the SignerInfo's algorithms against the key.
func signerAlgorithm(si *SignerInfo, cert *pkix.Certificate) (pkix.SignatureAlgorithm, error) {
	alg, err := pkix.SignatureAlgorithmFor(cert.PublicKey.Key)
	if err != nil || !alg.IsGOST() {
		return 0, fmt.Errorf("%w: signer key is not GOST R 34.10-2012", ErrUnsupportedAlgorithm)
	}
	digest, keyOID, sigOID := pkix.OIDDigestStreebog256, pkix.OIDPublicKeyGost2012_256, pkix.OIDSignatureGost2012_256
	if alg == pkix.GOST512 {
		digest, keyOID, sigOID = pkix.OIDDigestStreebog512, pkix.OIDPublicKeyGost2012_512, pkix.OIDSignatureGost2012_512
	}
	if !si.DigestAlgorithm.Equal(digest) {
		return 0, fmt.Errorf("%w: digest %v with a %d-bit GOST key (want %v)", ErrUnsupportedAlgorithm, si.DigestAlgorithm, 8*alg.DigestSize(), digest)
	}
	if !si.SignatureAlgorithm.Equal(keyOID) && !si.SignatureAlgorithm.Equal(sigOID) {
		return 0, fmt.Errorf("%w: signature algorithm %v with a %d-bit GOST key", ErrUnsupportedAlgorithm, si.SignatureAlgorithm, 8*alg.DigestSize())
	}
	if si.SignatureParams != nil {
		// Key parameters, as CryptoPro writes them: their parameter set
		// must be the signer key's.
		p := cryptobyte.String(si.SignatureParams)
		var seq cryptobyte.String
		var set asn1.ObjectIdentifier
		if !si.SignatureAlgorithm.Equal(keyOID) || !p.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&set) {
			return 0, fmt.Errorf("%w: signature algorithm %v with parameters", ErrUnsupportedAlgorithm, si.SignatureAlgorithm)
		}
		c, ok := gost3410.CurveByOID(set)
		if k, isGOST := cert.PublicKey.Key.(*gost3410.PublicKey); !ok || !isGOST || k.Curve != c {
			return 0, fmt.Errorf("%w: signature algorithm names parameter set %v, not the signer key's", ErrUnsupportedAlgorithm, set)
		}
	}
	return alg, nil
}

// checkSignature verifies the signature over the signed attributes as a
// SET OF (RFC 5652 §5.4). Signers sign the encoding they send; should a
// BER sender have sent the attributes out of DER order, the sorted form
// is tried too.
func checkSignature(si *SignerInfo, cert *pkix.Certificate, alg pkix.SignatureAlgorithm) error {
	signed := append([]byte{0x31}, si.RawSignedAttrs[1:]...)
	err := pkix.CheckSignature(cert.PublicKey.Key, alg, signed, si.Signature)
	if err != nil && errors.Is(err, pkix.ErrBadSignature) {
		if sorted, changed := sortedSet(signed); changed {
			err = pkix.CheckSignature(cert.PublicKey.Key, alg, sorted, si.Signature)
		}
	}
	if err != nil {
		if errors.Is(err, pkix.ErrBadSignature) {
			return fmt.Errorf("%w (%s): the signed attributes or the signature were altered, or another key signed", ErrBadSignature, alg)
		}
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}
