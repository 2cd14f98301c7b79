package pkix

import (
	"bytes"
	"crypto/sha256"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
)

// LintedTBS is a TBSCertificate that has just passed every lint of the
// lint table for one issuer and one profile. Only BuildLintedTBS and
// RelintTBS make one, so a signer that takes a *LintedTBS cannot be handed
// bytes that skipped the lints; the bytes never leave it except as copies,
// so they cannot change after the lints either. The zero value (and nil)
// is refused by every method that signs.
type LintedTBS struct {
	der     []byte
	serial  []byte // big-endian magnitude
	profile *Profile
	// The issuer it was linted for: name and key identifier of the CA
	// certificate (nil for a self-signed root) and the signature
	// algorithm written into the TBS.
	issuerName, issuerKeyID []byte
	alg                     SignatureAlgorithm
}

// BuildLintedTBS is BuildTBSCertificate returning the linted TBS as a
// *LintedTBS, the form a signer accepts.
func BuildLintedTBS(tmpl *CertificateTemplate, iss *Issuer) (*LintedTBS, error) {
	der, err := BuildTBSCertificate(tmpl, iss)
	if err != nil {
		return nil, err
	}
	return newLinted(der, tmpl.SerialNumber.Bytes(), tmpl.Profile, iss), nil
}

func newLinted(der, serial []byte, p *Profile, iss *Issuer) *LintedTBS {
	t := &LintedTBS{der: der, serial: serial, profile: p, alg: iss.SignatureAlgorithm}
	if iss.Cert != nil {
		t.issuerName, t.issuerKeyID = iss.Cert.RawSubject, iss.Cert.SubjectKeyID
	}
	return t
}

// TBSExpect is what a stored TBSCertificate (a write-ahead intent kept
// for signing later) must carry besides passing the lints.
type TBSExpect struct {
	// Serial is the serial number reserved for it, big-endian magnitude.
	Serial []byte
	// SubjectKeySHA256 is the SHA-256 of the subjectPublicKey BIT STRING
	// contents of the key it certifies.
	SubjectKeySHA256 [32]byte
}

// RelintTBS checks a TBSCertificate built earlier and kept outside the
// process (crash recovery signs what an intent stored) before it may be
// signed: it must parse; carry the expected serial and subject key; name
// iss's certificate as issuer, by name and authority key identifier; have
// the shape the builder gives profile p (no extension the builder never
// writes, and the profile-dependent ones exactly when p has them); and
// pass the same lint table as BuildTBSCertificate, with p and iss. It
// works on its own copy of der. The error, which wraps ErrInvalidValue or
// ErrMalformed, names every check that failed.
func RelintTBS(p *Profile, der []byte, iss *Issuer, want TBSExpect) (*LintedTBS, error) {
	if p == nil || iss == nil || iss.Cert == nil {
		return nil, invalid("relint TBS", "profile and issuer certificate are required")
	}
	der = bytes.Clone(der)
	c, err := parseTBSCertificate(der, tbsKnown{issuer: iss.Cert})
	if err != nil {
		return nil, err
	}
	mismatch, lint := matchTBS(c, p, iss, want), lintTBS(der, p, iss, c.PublicKey)
	switch {
	case mismatch != nil && lint != nil:
		return nil, fmt.Errorf("%w; %w", mismatch, lint)
	case mismatch != nil:
		return nil, mismatch
	case lint != nil:
		return nil, lint
	}
	return newLinted(der, c.SerialNumber.Bytes(), p, iss), nil
}

// TBSMismatchError lists what a stored TBS carries that its intent did not
// say; it wraps ErrInvalidValue.
type TBSMismatchError struct {
	Mismatches []string
}

func (e *TBSMismatchError) Error() string {
	return "pkix: stored TBS does not match: " + strings.Join(e.Mismatches, "; ")
}

func (e *TBSMismatchError) Unwrap() error { return ErrInvalidValue }

// matchTBS compares a parsed TBS with what its intent and profile say.
func matchTBS(c *Certificate, p *Profile, iss *Issuer, want TBSExpect) error {
	var m []string
	if c.SerialNumber.Cmp(new(big.Int).SetBytes(want.Serial)) != 0 {
		m = append(m, fmt.Sprintf("serial %x, intent reserved %x", c.SerialNumber.Bytes(), want.Serial))
	}
	if bits, err := SubjectPublicKeyBits(c.PublicKey.Raw); err != nil || sha256.Sum256(bits) != want.SubjectKeySHA256 {
		m = append(m, "subject public key is not the intent's")
	}
	if !bytes.Equal(c.RawIssuer, iss.Cert.RawSubject) {
		m = append(m, "issuer name is not the issuing CA's")
	}
	if !bytes.Equal(c.AuthorityKeyID, iss.Cert.SubjectKeyID) {
		m = append(m, "authority key identifier is not the issuing CA's")
	}
	m = append(m, profileShape(c, p)...)
	if m != nil {
		return &TBSMismatchError{Mismatches: m}
	}
	return nil
}

// builderExtensions are the extensions BuildTBSCertificate can write.
var builderExtensions = []asn1.ObjectIdentifier{
	OIDExtBasicConstraints, OIDExtKeyUsage, OIDExtExtKeyUsage, OIDExtSubjectKeyID, OIDExtAuthorityKeyID,
	OIDExtPrivateKeyUsagePeriod, OIDExtCertificatePolicies, OIDExtSubjectSignTool, OIDExtIssuerSignTool,
	OIDExtIdentificationKind, OIDExtCRLDistributionPoints, OIDExtFreshestCRL, OIDExtAuthorityInfoAccess,
	OIDExtSubjectAltName, OIDOCSPNoCheck,
}

// profileShape reports where c differs from what the builder writes for
// p beyond what the lints check: an extension the builder never writes,
// or one that only some profiles carry (basicConstraints for CAs,
// IdentificationKind for qualified certificates, ocsp-nocheck for
// responders) present when p does not say so or absent when it does.
func profileShape(c *Certificate, p *Profile) []string {
	var m []string
	for _, e := range c.Extensions {
		if !containsOID(builderExtensions, e.ID) {
			m = append(m, fmt.Sprintf("extension %v is not one the certificate builder writes", e.ID))
		}
	}
	for _, x := range []struct {
		oid  asn1.ObjectIdentifier
		name string
		want bool
	}{
		{OIDExtBasicConstraints, "basicConstraints", p.CA},
		{OIDExtIdentificationKind, "IdentificationKind", p.Qualified},
		{OIDOCSPNoCheck, "ocsp-nocheck", p.OCSPNoCheck},
	} {
		if _, has := FindExtension(c.Extensions, x.oid); has != x.want {
			m = append(m, fmt.Sprintf("%s present=%v, profile %s wants %v", x.name, has, p.Name, x.want))
		}
	}
	return m
}

// Serial is the serial number, big-endian magnitude (a copy).
func (t *LintedTBS) Serial() []byte { return bytes.Clone(t.serial) }

// Profile is the profile the TBS was linted against.
func (t *LintedTBS) Profile() *Profile { return t.profile }

// DER is a copy of the linted TBSCertificate, to store or inspect; signing
// goes through Digest and Assemble, which use the linted bytes themselves.
func (t *LintedTBS) DER() []byte { return bytes.Clone(t.der) }

// CheckIssuer returns nil if t was linted for iss: the same CA name, key
// identifier and signature algorithm. It fails for a nil or zero t.
func (t *LintedTBS) CheckIssuer(iss *Issuer) error {
	if t == nil || len(t.der) == 0 {
		return invalid("linted TBS", "none: a TBS is signed only after BuildLintedTBS or RelintTBS")
	}
	var name, keyID []byte
	if iss.Cert != nil {
		name, keyID = iss.Cert.RawSubject, iss.Cert.SubjectKeyID
	}
	if t.alg != iss.SignatureAlgorithm || !bytes.Equal(t.issuerName, name) || !bytes.Equal(t.issuerKeyID, keyID) {
		return invalid("linted TBS", "linted for another issuer")
	}
	return nil
}

// SignatureAlgorithm is the algorithm the TBS names for its signature.
func (t *LintedTBS) SignatureAlgorithm() SignatureAlgorithm { return t.alg }

// Digest is the hash of the TBS that the issuer key signs.
func (t *LintedTBS) Digest() []byte { return t.alg.Digest(t.der) }

// Assemble wraps the TBS and sig, the issuer's signature over Digest,
// into a Certificate.
func (t *LintedTBS) Assemble(sig []byte) ([]byte, error) {
	return AssembleSigned(t.der, t.alg, sig)
}
