package pkix

import (
	"encoding/asn1"
	"fmt"
	"time"
)

// Profile describes what a certificate of one kind contains. The issuing
// CA adds its own parts (CRL and OCSP URLs, issuerSignTool, the classes of
// its crypto tools); the request adds the subject, key and per-certificate
// values. Lints check every TBS against its profile before it is signed.
// docs/profile.md describes the shipped profiles.
type Profile struct {
	Name string
	// CA profiles get basicConstraints cA=TRUE (MaxPathLen ≥ 0 limits the
	// chain below; −1 leaves it open).
	CA         bool
	MaxPathLen int
	// ValidityMonths is the longest lifetime in calendar months (see
	// AddMonths), and the lifetime a template gets when it asks for none.
	// The tax service issues for 15 calendar months, 454 to 458 days
	// depending on the months crossed.
	ValidityMonths int
	// KeyUsageMonths, when positive, adds privateKeyUsagePeriod from
	// notBefore for that many calendar months (cut at notAfter): qualified
	// certificates and CA certificates carry it.
	KeyUsageMonths int
	KeyUsage       KeyUsage
	// ExtKeyUsage lists the purposes every certificate of the profile
	// carries: the profile's own, then those the configuration adds (see
	// Configure), e.g. a sector's 1.2.643.2.2.34.6.
	ExtKeyUsage []asn1.ObjectIdentifier
	// AllowedExtKeyUsage lists the further purposes a request may ask for
	// (CertificateTemplate.RequestedExtKeyUsage); anything else is
	// refused.
	AllowedExtKeyUsage []asn1.ObjectIdentifier
	// AnyPolicy appends anyPolicy after the class policies, as accredited
	// CAs' certificates do, so that RFC 5280 policy processing accepts the
	// class policies of the certificates below.
	AnyPolicy bool
	// Qualified certificates must carry subjectSignTool, issuerSignTool,
	// IdentificationKind and the class policies (docs/profile.md).
	Qualified bool
	// Required and Allowed list subject attribute OIDs. Every required
	// attribute must be present; no attribute outside Allowed may be.
	Required, Allowed []asn1.ObjectIdentifier
	// KeyAlgorithms lists the signature algorithms the subject key may
	// have (GOST256, GOST512, ECDSA…), i.e. which keys the profile takes.
	KeyAlgorithms []SignatureAlgorithm
	// OCSPNoCheck adds id-pkix-ocsp-nocheck (delegated OCSP responders)
	// and leaves out CRL pointers and policies.
	OCSPNoCheck bool
}

// AddMonths adds n calendar months to t, keeping the time of day; a day
// the target month lacks becomes its last day (31 January + 1 month is
// 28 or 29 February), so the result never spills into the month after.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}

// NotAfter is the latest notAfter a certificate of the profile starting
// at notBefore may have, and the one it gets by default.
func (p *Profile) NotAfter(notBefore time.Time) time.Time {
	return AddMonths(notBefore, p.ValidityMonths)
}

// ProfileOptions are the parts of a profile an operator's configuration
// may set (see Configure). Zero values keep the profile's.
type ProfileOptions struct {
	// ValidityMonths and KeyUsageMonths replace the profile's.
	ValidityMonths, KeyUsageMonths int
	// ExtKeyUsage is added to the purposes of every certificate.
	ExtKeyUsage []asn1.ObjectIdentifier
	// AllowedExtKeyUsage replaces the purposes a request may add.
	AllowedExtKeyUsage []asn1.ObjectIdentifier
}

// Configure returns a copy of p with o applied, after checking it: month
// counts between 1 and 1200 with the key-usage period within the
// validity; purposes that are valid OIDs, neither repeated nor
// anyExtendedKeyUsage (a qualified certificate names its purposes).
// The shipped profiles are shared: configure copies, never them.
func (p *Profile) Configure(o ProfileOptions) (*Profile, error) {
	c := p.clone()
	if o.ValidityMonths != 0 {
		c.ValidityMonths = o.ValidityMonths
	}
	if o.KeyUsageMonths != 0 {
		c.KeyUsageMonths = o.KeyUsageMonths
	}
	c.ExtKeyUsage = append(c.ExtKeyUsage, o.ExtKeyUsage...)
	if o.AllowedExtKeyUsage != nil {
		c.AllowedExtKeyUsage = append([]asn1.ObjectIdentifier(nil), o.AllowedExtKeyUsage...)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks the parts of p that configuration can set.
func (p *Profile) Validate() error {
	what := "profile " + p.Name
	if p.ValidityMonths < 1 || p.ValidityMonths > 1200 {
		return invalid(what, fmt.Sprintf("validity of %d months, want 1..1200", p.ValidityMonths))
	}
	if p.KeyUsageMonths < 0 || p.KeyUsageMonths > p.ValidityMonths {
		return invalid(what, fmt.Sprintf("key usage period of %d months, want 0..%d (the validity)", p.KeyUsageMonths, p.ValidityMonths))
	}
	all := append(append([]asn1.ObjectIdentifier(nil), p.ExtKeyUsage...), p.AllowedExtKeyUsage...)
	for i, o := range all {
		if oidContentLen(o) < 0 {
			return invalid(what, "extended key usage "+o.String()+" is not a valid OID")
		}
		if o.Equal(OIDExtKeyUsageAny) {
			return invalid(what, "anyExtendedKeyUsage (2.5.29.37.0): list the purposes instead")
		}
		if containsOID(all[:i], o) {
			return errf("%s: %w: extended key usage %s listed twice (or both given and allowed)", what, ErrDuplicate, o)
		}
	}
	return nil
}

func (p *Profile) clone() *Profile {
	c := *p
	c.ExtKeyUsage = append([]asn1.ObjectIdentifier(nil), p.ExtKeyUsage...)
	c.AllowedExtKeyUsage = append([]asn1.ObjectIdentifier(nil), p.AllowedExtKeyUsage...)
	c.Required = append([]asn1.ObjectIdentifier(nil), p.Required...)
	c.Allowed = append([]asn1.ObjectIdentifier(nil), p.Allowed...)
	c.KeyAlgorithms = append([]SignatureAlgorithm(nil), p.KeyAlgorithms...)
	return &c
}

const (
	// qualifiedMonths is the usual lifetime of a qualified subscriber
	// certificate and of its private key: 15 calendar months.
	qualifiedMonths = 15
	// caKeyMonths is how long an issuing CA's key signs: three years,
	// as accredited CAs' certificates state.
	caKeyMonths = 36
)

var (
	gostKeys  = []SignatureAlgorithm{GOST256, GOST512}
	ecdsaKeys = []SignatureAlgorithm{ECDSAWithSHA256, ECDSAWithSHA384}

	caAttrs     = []asn1.ObjectIdentifier{OIDCountry, OIDStateOrProvince, OIDLocality, OIDStreetAddress, OIDOrganization, OIDOrganizationalUnit, OIDCommonName, OIDEmailAddress, OIDINNLE, OIDOGRN}
	personAttrs = []asn1.ObjectIdentifier{OIDCountry, OIDStateOrProvince, OIDLocality, OIDStreetAddress, OIDCommonName, OIDSurname, OIDGivenName, OIDEmailAddress, OIDINN, OIDSNILS}
	orgAttrs    = []asn1.ObjectIdentifier{OIDOrganization, OIDOrganizationalUnit, OIDTitle, OIDINNLE, OIDOGRN}

	subscriberKU  = KeyUsageDigitalSignature | KeyUsageNonRepudiation | KeyUsageKeyEncipherment | KeyUsageDataEncipherment
	subscriberEKU = []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection}
)

func join(lists ...[]asn1.ObjectIdentifier) []asn1.ObjectIdentifier {
	var out []asn1.ObjectIdentifier
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Profiles shipped with the engine. Callers may define their own.
var (
	ProfileRootCA = &Profile{
		Name: "root-ca", CA: true, MaxPathLen: -1, ValidityMonths: 25 * 12, AnyPolicy: true,
		KeyUsage: KeyUsageDigitalSignature | KeyUsageCertSign | KeyUsageCRLSign,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDOrganization, OIDCountry},
		// ECDSA roots serve non-qualified hierarchies (and tests on tokens
		// without GOST); qualified certificates are issued under GOST CAs.
		Allowed: caAttrs, KeyAlgorithms: append(append([]SignatureAlgorithm(nil), gostKeys...), ecdsaKeys...),
	}
	ProfileIssuingCA = &Profile{
		Name: "issuing-ca", CA: true, MaxPathLen: 0, ValidityMonths: 15 * 12, KeyUsageMonths: caKeyMonths, AnyPolicy: true,
		KeyUsage: KeyUsageDigitalSignature | KeyUsageCertSign | KeyUsageCRLSign,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDOrganization, OIDCountry},
		Allowed:  caAttrs, KeyAlgorithms: append(append([]SignatureAlgorithm(nil), gostKeys...), ecdsaKeys...),
	}
	ProfileOCSPSigner = &Profile{
		Name: "ocsp-signer", ValidityMonths: 12,
		// digitalSignature only: an OCSP answer is not a commitment (CA/B BR
		// §7.1.2.8.7).
		KeyUsage: KeyUsageDigitalSignature, ExtKeyUsage: []asn1.ObjectIdentifier{OIDExtKeyUsageOCSPSigning},
		Required: []asn1.ObjectIdentifier{OIDCommonName}, Allowed: caAttrs,
		KeyAlgorithms: append(append([]SignatureAlgorithm(nil), gostKeys...), ecdsaKeys...), OCSPNoCheck: true,
	}
	// Qualified subscribers: natural person; individual entrepreneur
	// (OGRNIP); head of a legal entity (organisation, INNLE, OGRN); an
	// employee acting under a power of attorney (a natural person's
	// certificate that may name the organisation).
	ProfileQualifiedPerson = &Profile{
		Name: "qualified-person", ValidityMonths: qualifiedMonths, KeyUsageMonths: qualifiedMonths,
		KeyUsage: subscriberKU, ExtKeyUsage: subscriberEKU, Qualified: true,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDSurname, OIDGivenName, OIDCountry, OIDSNILS, OIDINN},
		Allowed:  personAttrs, KeyAlgorithms: gostKeys,
	}
	ProfileQualifiedEntrepreneur = &Profile{
		Name: "qualified-entrepreneur", ValidityMonths: qualifiedMonths, KeyUsageMonths: qualifiedMonths,
		KeyUsage: subscriberKU, ExtKeyUsage: subscriberEKU, Qualified: true,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDSurname, OIDGivenName, OIDCountry, OIDSNILS, OIDINN, OIDOGRNIP},
		Allowed:  join(personAttrs, []asn1.ObjectIdentifier{OIDOGRNIP}), KeyAlgorithms: gostKeys,
	}
	ProfileQualifiedLegalEntityHead = &Profile{
		Name: "qualified-legal-entity-head", ValidityMonths: qualifiedMonths, KeyUsageMonths: qualifiedMonths,
		KeyUsage: subscriberKU, ExtKeyUsage: subscriberEKU, Qualified: true,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDSurname, OIDGivenName, OIDCountry, OIDStateOrProvince, OIDLocality, OIDOrganization, OIDTitle, OIDSNILS, OIDINNLE, OIDOGRN},
		Allowed:  join(personAttrs, orgAttrs), KeyAlgorithms: gostKeys,
	}
	ProfileQualifiedEmployee = &Profile{
		Name: "qualified-employee", ValidityMonths: qualifiedMonths, KeyUsageMonths: qualifiedMonths,
		KeyUsage: subscriberKU, ExtKeyUsage: subscriberEKU, Qualified: true,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDSurname, OIDGivenName, OIDCountry, OIDSNILS, OIDINN},
		Allowed:  join(personAttrs, orgAttrs), KeyAlgorithms: gostKeys,
	}
	ProfileTLSClient = &Profile{
		Name: "tls-client", ValidityMonths: 12,
		KeyUsage: KeyUsageDigitalSignature, ExtKeyUsage: []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth},
		Required:      []asn1.ObjectIdentifier{OIDCommonName},
		Allowed:       []asn1.ObjectIdentifier{OIDCountry, OIDOrganization, OIDOrganizationalUnit, OIDCommonName, OIDEmailAddress},
		KeyAlgorithms: append(append([]SignatureAlgorithm(nil), ecdsaKeys...), gostKeys...),
	}
)

// Profiles returns the shipped profiles.
func Profiles() []*Profile {
	return []*Profile{ProfileRootCA, ProfileIssuingCA, ProfileOCSPSigner, ProfileQualifiedPerson,
		ProfileQualifiedEntrepreneur, ProfileQualifiedLegalEntityHead, ProfileQualifiedEmployee, ProfileTLSClient}
}

// ProfileByName finds a shipped profile.
func ProfileByName(name string) (*Profile, bool) {
	for _, p := range Profiles() {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

func containsOID(list []asn1.ObjectIdentifier, oid asn1.ObjectIdentifier) bool {
	for _, o := range list {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}
