package cms

import (
	"errors"
	"fmt"
)

// The errors Parse and Verify return wrap one of these; match them with
// errors.Is. The message around them says which structure or attribute
// and why, never a key or a content byte.
var (
	// ErrTooLarge: the input is above MaxSize or holds too many elements.
	ErrTooLarge = errors.New("cms: input too large")
	// ErrMalformed: not a well-formed ContentInfo/SignedData (DER or BER).
	ErrMalformed = errors.New("cms: malformed")
	// ErrNotSignedData: a ContentInfo of another type (enveloped data…).
	ErrNotSignedData = errors.New("cms: not a SignedData")
	// ErrNoSigner: SignedData with no SignerInfo (a certificate bag).
	ErrNoSigner = errors.New("cms: no signer")
	// ErrSeveralSigners: Verify takes exactly one signer; a document
	// signed by several people is refused rather than half-checked.
	ErrSeveralSigners = errors.New("cms: more than one signer")
	// ErrUnsupportedAlgorithm: a digest or signature algorithm other than
	// GOST R 34.10-2012 with the Streebog size of the key.
	ErrUnsupportedAlgorithm = errors.New("cms: unsupported algorithm")
	// ErrAttribute: a signed attribute CAdES-BES requires is missing,
	// repeated, malformed or wrong. Returned as *AttributeError.
	ErrAttribute = errors.New("cms: signed attribute")
	// ErrNoContent: a detached signature verified without its content.
	ErrNoContent = errors.New("cms: detached signature without the content")
	// ErrContentMismatch: content given for an attached signature differs
	// from the content inside it.
	ErrContentMismatch = errors.New("cms: content differs from the attached content")
	// ErrDigestMismatch: the messageDigest attribute is not the digest of
	// the content: the content is not the one that was signed.
	ErrDigestMismatch = errors.New("cms: message digest does not match the content")
	// ErrBadSignature: the signature over the signed attributes does not
	// verify with the signer certificate's key.
	ErrBadSignature = errors.New("cms: signature does not verify")
	// ErrNoSignerCertificate: the certificate the SignerInfo names is
	// neither in the CMS nor among the ones the caller gave.
	ErrNoSignerCertificate = errors.New("cms: signer certificate not found")
	// ErrCertificateHash: signingCertificateV2 names a certificate other
	// than the signer's (hash or issuer and serial differ).
	ErrCertificateHash = errors.New("cms: signingCertificateV2 does not match the signer certificate")
)

// AttributeError is a missing or wrong signed attribute.
type AttributeError struct {
	Attribute string // "content-type", "message-digest", "signing-time", "signingCertificateV2", or an OID
	Reason    string
}

func (e *AttributeError) Error() string {
	return fmt.Sprintf("cms: signed attribute %s: %s", e.Attribute, e.Reason)
}

func (e *AttributeError) Unwrap() error { return ErrAttribute }

func attrErr(attr, reason string) error { return &AttributeError{Attribute: attr, Reason: reason} }

func malformed(what string) error { return fmt.Errorf("%w: %s", ErrMalformed, what) }
