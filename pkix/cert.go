package pkix

import (
	"crypto"
	"crypto/sha1"
	"encoding/asn1"
	"io"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Issuer is what the certificate builder needs to know about the CA that
// signs: its certificate (nil while building a self-signed root) and the
// CA-wide parts of every certificate it issues.
type Issuer struct {
	Cert *Certificate
	// SignatureAlgorithm the CA key signs with.
	SignatureAlgorithm               SignatureAlgorithm
	CRLURLs, OCSPURLs, CAIssuersURLs []string
	// FreshestCRLURLs are where the issuer's delta CRLs are published:
	// the freshestCRL extension (RFC 5280 §4.2.1.15) of every certificate
	// that has CRL distribution points.
	FreshestCRLURLs []string
	// SignTool is the CA's issuerSignTool (qualified profiles need it).
	SignTool *IssuerSignTool
	// Policies are the class policy OIDs (КС1 …) of the CA's crypto
	// tools, lowest first; qualified certificates carry them.
	Policies []asn1.ObjectIdentifier

	// fixed holds the issuer-wide extensions encoded once by Prepare.
	fixed *issuerExtensions
}

// issuerExtensions are the extensions that are the same in every
// certificate of one issuer; nil entries are absent.
type issuerExtensions struct {
	aki, policies, signTool, cdp, freshest, aia *Extension
	// lint holds what the lints need to know of the issuer, worked out
	// once (lint_issuer.go).
	lint *issuerLintFacts
}

// Prepare encodes the extensions every certificate of the issuer carries
// (authority key identifier, class policies, issuerSignTool, CRL
// distribution points, AIA) once, so that building a TBS only encodes the
// per-certificate ones. Call it after setting the fields and before the
// Issuer is used concurrently; after changing a field, call it again.
// Without it (and for a self-signed root, Cert == nil) every build encodes
// them afresh.
func (iss *Issuer) Prepare() error {
	iss.fixed = nil
	if iss.Cert == nil {
		return nil
	}
	f, err := iss.encodeExtensions(iss.Cert.SubjectKeyID)
	if err != nil {
		return err
	}
	f.lint = lintFacts(iss.Cert, f)
	iss.fixed = f
	return nil
}

// extensionsFor returns the issuer-wide extensions, with aki as the
// authority key identifier.
func (iss *Issuer) extensionsFor(aki []byte) (*issuerExtensions, error) {
	if iss.fixed != nil && iss.Cert != nil {
		return iss.fixed, nil
	}
	return iss.encodeExtensions(aki)
}

func (iss *Issuer) encodeExtensions(aki []byte) (*issuerExtensions, error) {
	var f issuerExtensions
	var err error
	if f.aki, err = optExt(MarshalAuthorityKeyID(aki)); err != nil {
		return nil, err
	}
	if len(iss.Policies) > 0 {
		if f.policies, err = optExt(MarshalCertificatePolicies(iss.Policies)); err != nil {
			return nil, err
		}
	}
	if iss.SignTool != nil {
		if f.signTool, err = optExt(MarshalIssuerSignTool(*iss.SignTool)); err != nil {
			return nil, err
		}
	}
	if len(iss.CRLURLs) > 0 {
		if f.cdp, err = optExt(MarshalCRLDistributionPoints([]DistributionPoint{{URIs: iss.CRLURLs}})); err != nil {
			return nil, err
		}
	}
	if len(iss.FreshestCRLURLs) > 0 {
		if f.freshest, err = optExt(MarshalFreshestCRL(iss.FreshestCRLURLs)); err != nil {
			return nil, err
		}
	}
	var ads []AccessDescription
	for _, u := range iss.OCSPURLs {
		ads = append(ads, AccessDescription{Method: OIDAccessMethodOCSP, URI: u})
	}
	for _, u := range iss.CAIssuersURLs {
		ads = append(ads, AccessDescription{Method: OIDAccessMethodCAIssuers, URI: u})
	}
	if len(ads) > 0 {
		if f.aia, err = optExt(MarshalAuthorityInfoAccess(ads)); err != nil {
			return nil, err
		}
	}
	return &f, nil
}

func optExt(e Extension, err error) (*Extension, error) {
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// CertificateTemplate is the per-certificate input of the builder.
type CertificateTemplate struct {
	Profile      *Profile
	SerialNumber *big.Int
	NotBefore    time.Time
	// NotAfter defaults to Profile.NotAfter(NotBefore).
	NotAfter  time.Time
	Subject   *Subject
	PublicKey *PublicKeyInfo
	// SubjectSignTool is the subscriber's crypto tool (qualified profiles).
	SubjectSignTool    string
	IdentificationKind IdentificationKind
	// RequestedExtKeyUsage are purposes the request asks for beyond the
	// profile's ExtKeyUsage; each must be in its AllowedExtKeyUsage (or
	// already the profile's), or the build fails with *ExtKeyUsageError.
	RequestedExtKeyUsage []asn1.ObjectIdentifier
	// Emails go into subjectAltName as rfc822Name, after the subject's
	// emailAddress, which is always put there too (RFC 5280 §4.1.2.6).
	Emails []string
	// Policies, when non-nil, replace the issuer's class policies for
	// this certificate: an issuing CA's certificate names the classes of
	// that CA's own crypto tools.
	Policies []asn1.ObjectIdentifier
	// CRLURLs and FreshestCRLURLs, when non-nil, replace the issuer's
	// CRL distribution points and delta CRL locations for this
	// certificate: a partitioned CRL, whose URL depends on the serial.
	CRLURLs, FreshestCRLURLs []string
}

// serialBytes is the length of generated serial numbers: 16 bytes with the
// top bit clear hold 127 bits from the CSPRNG, above RFC 5280's ceiling of
// 20 octets nowhere near, and the 64-bit CA/B floor with room to spare.
const serialBytes = 16

// NewSerialNumber returns a positive serial of 16 bytes (127 random bits,
// second-highest bit set so the encoding is always 16 octets).
func NewSerialNumber(rand io.Reader) (*big.Int, error) {
	var b [serialBytes]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, errf("serial number: %w", err)
	}
	b[0] = b[0]&0x7f | 0x40
	return new(big.Int).SetBytes(b[:]), nil
}

// KeyID is the subject key identifier of RFC 5280 §4.2.1.2 method 1: the
// SHA-1 of the subjectPublicKey BIT STRING contents.
func KeyID(spki []byte) ([]byte, error) {
	s := cryptobyte.String(spki)
	var body, alg cryptobyte.String
	var bits asn1.BitString
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Element(&alg, cbasn1.SEQUENCE) || !body.ReadASN1BitString(&bits) {
		return nil, malformed("subjectPublicKeyInfo")
	}
	sum := sha1.Sum(bits.Bytes)
	return sum[:], nil
}

// BuildTBSCertificate encodes the TBSCertificate for tmpl issued by iss,
// then parses it back and runs every lint on it. Nothing is returned
// unless all lints pass: what leaves here may be signed.
func BuildTBSCertificate(tmpl *CertificateTemplate, iss *Issuer) ([]byte, error) {
	if tmpl == nil || tmpl.Profile == nil || tmpl.Subject == nil || tmpl.PublicKey == nil || tmpl.SerialNumber == nil || iss == nil {
		return nil, invalid("certificate template", "profile, subject, public key, serial number and issuer are required")
	}
	if iss.Cert == nil && !tmpl.Profile.CA {
		return nil, invalid("certificate template", "only CA profiles can be self-signed")
	}
	tbs, err := encodeTBS(tmpl, iss)
	if err != nil {
		return nil, err
	}
	if err := checkTBSSize(tbs); err != nil {
		return nil, err
	}
	if err := lintTBS(tbs, tmpl.Profile, iss, tmpl.PublicKey); err != nil {
		return nil, err
	}
	return tbs, nil
}

// encodeTBS is BuildTBSCertificate before the size check and the lints.
func encodeTBS(tmpl *CertificateTemplate, iss *Issuer) ([]byte, error) {
	p, err := tbsPartsOf(tmpl, iss)
	if err != nil {
		return nil, err
	}
	return appendTBS(make([]byte, 0, 1024+len(tmpl.PublicKey.Raw)), tmpl, iss, p.issuerName, p.subject, p.ski, p.issuerKeyID, p.notAfter)
}

// tbsParts are what a TBS is built from besides the template's own
// fields: the encoded names, the key identifiers and the end of validity.
type tbsParts struct {
	subject, issuerName, ski, issuerKeyID []byte
	notAfter                              time.Time
}

// tbsPartsOf checks the template's lists and derives its tbsParts (a
// self-signed certificate, iss.Cert nil, names itself as its issuer).
func tbsPartsOf(tmpl *CertificateTemplate, iss *Issuer) (tbsParts, error) {
	var p tbsParts
	if err := checkTemplateLists(tmpl, iss); err != nil {
		return p, err
	}
	var err error
	if p.subject, err = tmpl.Subject.Marshal(); err != nil {
		return p, err
	}
	if p.ski, err = KeyID(tmpl.PublicKey.Raw); err != nil {
		return p, err
	}
	p.issuerName, p.issuerKeyID = p.subject, p.ski
	if iss.Cert != nil {
		p.issuerName, p.issuerKeyID = iss.Cert.RawSubject, iss.Cert.SubjectKeyID
	}
	p.notAfter = tmpl.NotAfter
	if p.notAfter.IsZero() {
		p.notAfter = tmpl.Profile.NotAfter(tmpl.NotBefore)
	}
	return p, nil
}

// CreateCertificate builds, lints and signs a certificate with key, the
// issuer's key (or the subject's own for a self-signed root). The engine
// signs through signer and the HSM instead; this is for tools and tests.
func CreateCertificate(rand io.Reader, tmpl *CertificateTemplate, iss *Issuer, key crypto.Signer) ([]byte, error) {
	tbs, err := BuildTBSCertificate(tmpl, iss)
	if err != nil {
		return nil, err
	}
	sig, err := Sign(rand, key, iss.SignatureAlgorithm, tbs)
	if err != nil {
		return nil, err
	}
	return AssembleSigned(tbs, iss.SignatureAlgorithm, sig)
}
