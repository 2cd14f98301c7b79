package pkix

import (
	"encoding/asn1"
	"time"
)

// Profile describes what a certificate of one kind contains. The issuing
// CA adds its own parts (CRL and OCSP URLs, issuerSignTool, the classes of
// its crypto tools); the request adds the subject, key and per-certificate
// values. Lints check every TBS against its profile before it is signed.
type Profile struct {
	Name string
	// CA profiles get basicConstraints cA=TRUE (MaxPathLen ≥ 0 limits the
	// chain below; −1 leaves it open).
	CA         bool
	MaxPathLen int
	// Validity is the longest allowed lifetime; the template may ask for
	// less. PrivateKeyUsage, if set, adds privateKeyUsagePeriod of that
	// length from notBefore (qualified certificates carry it).
	Validity        time.Duration
	PrivateKeyUsage time.Duration
	KeyUsage        KeyUsage
	ExtKeyUsage     []asn1.ObjectIdentifier
	// Qualified certificates must carry subjectSignTool, issuerSignTool,
	// IdentificationKind and the class policies (PROFILE.md §2).
	Qualified bool
	// Required and Allowed list subject attribute OIDs. Every required
	// attribute must be present; no attribute outside Allowed may be.
	Required, Allowed []asn1.ObjectIdentifier
	// KeyAlgorithms lists the signature algorithms the subject key may
	// have (GOST256, GOST512, ECDSA…), i.e. which keys the profile takes.
	KeyAlgorithms []SignatureAlgorithm
	// OCSPNoCheck adds id-pkix-ocsp-nocheck (delegated OCSP responders).
	OCSPNoCheck bool
}

const (
	year = 365 * 24 * time.Hour
	// fifteenMonths is the usual lifetime of a qualified subscriber
	// certificate and of its private key: 1 year 3 months.
	fifteenMonths = 456 * 24 * time.Hour
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
		Name: "root-ca", CA: true, MaxPathLen: -1, Validity: 25 * year,
		KeyUsage: KeyUsageDigitalSignature | KeyUsageCertSign | KeyUsageCRLSign,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDOrganization, OIDCountry},
		// ECDSA roots serve non-qualified hierarchies (and tests on tokens
		// without GOST); qualified certificates are issued under GOST CAs.
		Allowed: caAttrs, KeyAlgorithms: append(append([]SignatureAlgorithm(nil), gostKeys...), ecdsaKeys...),
	}
	ProfileIssuingCA = &Profile{
		Name: "issuing-ca", CA: true, MaxPathLen: 0, Validity: 15 * year,
		KeyUsage: KeyUsageDigitalSignature | KeyUsageCertSign | KeyUsageCRLSign,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDOrganization, OIDCountry},
		Allowed:  caAttrs, KeyAlgorithms: append(append([]SignatureAlgorithm(nil), gostKeys...), ecdsaKeys...),
	}
	ProfileOCSPSigner = &Profile{
		Name: "ocsp-signer", Validity: year,
		KeyUsage: KeyUsageDigitalSignature | KeyUsageNonRepudiation, ExtKeyUsage: []asn1.ObjectIdentifier{OIDExtKeyUsageOCSPSigning},
		Required: []asn1.ObjectIdentifier{OIDCommonName}, Allowed: caAttrs,
		KeyAlgorithms: append(append([]SignatureAlgorithm(nil), gostKeys...), ecdsaKeys...), OCSPNoCheck: true,
	}
	// Qualified subscribers: natural person; individual entrepreneur
	// (OGRNIP); head of a legal entity (organisation, INNLE, OGRN); an
	// employee acting under a power of attorney (a natural person's
	// certificate that may name the organisation).
	ProfileQualifiedPerson = &Profile{
		Name: "qualified-person", Validity: fifteenMonths, PrivateKeyUsage: fifteenMonths,
		KeyUsage: subscriberKU, ExtKeyUsage: subscriberEKU, Qualified: true,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDSurname, OIDGivenName, OIDCountry, OIDSNILS, OIDINN},
		Allowed:  personAttrs, KeyAlgorithms: gostKeys,
	}
	ProfileQualifiedEntrepreneur = &Profile{
		Name: "qualified-entrepreneur", Validity: fifteenMonths, PrivateKeyUsage: fifteenMonths,
		KeyUsage: subscriberKU, ExtKeyUsage: subscriberEKU, Qualified: true,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDSurname, OIDGivenName, OIDCountry, OIDSNILS, OIDINN, OIDOGRNIP},
		Allowed:  join(personAttrs, []asn1.ObjectIdentifier{OIDOGRNIP}), KeyAlgorithms: gostKeys,
	}
	ProfileQualifiedLegalEntityHead = &Profile{
		Name: "qualified-legal-entity-head", Validity: fifteenMonths, PrivateKeyUsage: fifteenMonths,
		KeyUsage: subscriberKU, ExtKeyUsage: subscriberEKU, Qualified: true,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDSurname, OIDGivenName, OIDCountry, OIDStateOrProvince, OIDLocality, OIDOrganization, OIDTitle, OIDSNILS, OIDINNLE, OIDOGRN},
		Allowed:  join(personAttrs, orgAttrs), KeyAlgorithms: gostKeys,
	}
	ProfileQualifiedEmployee = &Profile{
		Name: "qualified-employee", Validity: fifteenMonths, PrivateKeyUsage: fifteenMonths,
		KeyUsage: subscriberKU, ExtKeyUsage: subscriberEKU, Qualified: true,
		Required: []asn1.ObjectIdentifier{OIDCommonName, OIDSurname, OIDGivenName, OIDCountry, OIDSNILS, OIDINN},
		Allowed:  join(personAttrs, orgAttrs), KeyAlgorithms: gostKeys,
	}
	ProfileTLSClient = &Profile{
		Name: "tls-client", Validity: year,
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
