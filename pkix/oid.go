package pkix

import "encoding/asn1"

// Object identifiers of the profile (PROFILE.md §1, §2) and of the X.509,
// CRL and OCSP structures built here. Sources: RFC 9215 / RFC 7836 /
// RFC 4357 (GOST), 63-FZ orders of the FSB No. 795 and No. 31 (Russian
// attributes and extensions), RFC 5280 (X.509, CRL), RFC 6960 (OCSP),
// X.520 and PKCS #9 (name attributes). These are shared slices: never
// modify them.

// GOST R 34.10-2012 / 34.11-2012 algorithms (RFC 9215).
var (
	OIDPublicKeyGost2012_256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	OIDPublicKeyGost2012_512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	OIDDigestStreebog256     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	OIDDigestStreebog512     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
	OIDSignatureGost2012_256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}
	OIDSignatureGost2012_512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}
)

// GOST R 34.10 parameter sets. Aliases name the same curve: tc26-256-B =
// CryptoPro-A = CryptoPro-XchA, tc26-256-C = CryptoPro-B, tc26-256-D =
// CryptoPro-C = CryptoPro-XchB.
var (
	OIDParamSetTC26_256A = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1}
	OIDParamSetTC26_256B = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 2}
	OIDParamSetTC26_256C = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 3}
	OIDParamSetTC26_256D = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 4}
	OIDParamSetTC26_512A = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1}
	OIDParamSetTC26_512B = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 2}
	OIDParamSetTC26_512C = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 3}

	OIDParamSetCryptoProA    = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}
	OIDParamSetCryptoProB    = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 2}
	OIDParamSetCryptoProC    = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 3}
	OIDParamSetCryptoProXchA = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 0}
	OIDParamSetCryptoProXchB = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 1}

	// Test sets: for tests only, never in an issued certificate.
	OIDParamSetCryptoProTest = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 0}
	OIDParamSetTC26_512Test  = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 0}
)

// Name attributes (X.520, PKCS #9, FSB order No. 795).
var (
	OIDCommonName            = asn1.ObjectIdentifier{2, 5, 4, 3}
	OIDSurname               = asn1.ObjectIdentifier{2, 5, 4, 4}
	OIDSerialNumber          = asn1.ObjectIdentifier{2, 5, 4, 5}
	OIDCountry               = asn1.ObjectIdentifier{2, 5, 4, 6}
	OIDLocality              = asn1.ObjectIdentifier{2, 5, 4, 7}
	OIDStateOrProvince       = asn1.ObjectIdentifier{2, 5, 4, 8}
	OIDStreetAddress         = asn1.ObjectIdentifier{2, 5, 4, 9}
	OIDOrganization          = asn1.ObjectIdentifier{2, 5, 4, 10}
	OIDOrganizationalUnit    = asn1.ObjectIdentifier{2, 5, 4, 11}
	OIDTitle                 = asn1.ObjectIdentifier{2, 5, 4, 12}
	OIDGivenName             = asn1.ObjectIdentifier{2, 5, 4, 42}
	OIDEmailAddress          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	OIDOGRN                  = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
	OIDSNILS                 = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	OIDINNLE                 = asn1.ObjectIdentifier{1, 2, 643, 100, 4}
	OIDOGRNIP                = asn1.ObjectIdentifier{1, 2, 643, 100, 5}
	OIDINN                   = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}
	OIDPKCS9ExtensionRequest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14} // PKCS #10 extensionRequest attribute
)

// Russian qualified-certificate extensions and certificate policies
// (FSB orders No. 795 and No. 31).
var (
	OIDExtSubjectSignTool    = asn1.ObjectIdentifier{1, 2, 643, 100, 111}
	OIDExtIssuerSignTool     = asn1.ObjectIdentifier{1, 2, 643, 100, 112}
	OIDExtIdentificationKind = asn1.ObjectIdentifier{1, 2, 643, 100, 114}

	// Classes of the crypto tool: КС1, КС2, КС3, КВ1, КВ2, КА1.
	OIDPolicyKC1 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 1}
	OIDPolicyKC2 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 2}
	OIDPolicyKC3 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 3}
	OIDPolicyKB1 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 4}
	OIDPolicyKB2 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 5}
	OIDPolicyKA1 = asn1.ObjectIdentifier{1, 2, 643, 100, 113, 6}
)

// X.509 certificate extensions (RFC 5280 §4.2).
var (
	OIDExtSubjectKeyID          = asn1.ObjectIdentifier{2, 5, 29, 14}
	OIDExtKeyUsage              = asn1.ObjectIdentifier{2, 5, 29, 15}
	OIDExtPrivateKeyUsagePeriod = asn1.ObjectIdentifier{2, 5, 29, 16}
	OIDExtSubjectAltName        = asn1.ObjectIdentifier{2, 5, 29, 17}
	OIDExtIssuerAltName         = asn1.ObjectIdentifier{2, 5, 29, 18}
	OIDExtBasicConstraints      = asn1.ObjectIdentifier{2, 5, 29, 19}
	OIDExtNameConstraints       = asn1.ObjectIdentifier{2, 5, 29, 30}
	OIDExtCRLDistributionPoints = asn1.ObjectIdentifier{2, 5, 29, 31}
	OIDExtCertificatePolicies   = asn1.ObjectIdentifier{2, 5, 29, 32}
	OIDExtAuthorityKeyID        = asn1.ObjectIdentifier{2, 5, 29, 35}
	OIDExtExtKeyUsage           = asn1.ObjectIdentifier{2, 5, 29, 37}
	OIDExtAuthorityInfoAccess   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}

	OIDPolicyAny = asn1.ObjectIdentifier{2, 5, 29, 32, 0}
)

// CRL and CRL-entry extensions (RFC 5280 §5.2, §5.3).
var (
	OIDExtCRLNumber                = asn1.ObjectIdentifier{2, 5, 29, 20}
	OIDExtReasonCode               = asn1.ObjectIdentifier{2, 5, 29, 21}
	OIDExtInvalidityDate           = asn1.ObjectIdentifier{2, 5, 29, 24}
	OIDExtDeltaCRLIndicator        = asn1.ObjectIdentifier{2, 5, 29, 27}
	OIDExtIssuingDistributionPoint = asn1.ObjectIdentifier{2, 5, 29, 28}
	OIDExtCertificateIssuer        = asn1.ObjectIdentifier{2, 5, 29, 29}
	OIDExtFreshestCRL              = asn1.ObjectIdentifier{2, 5, 29, 46}
)

// Extended key usages (RFC 5280 §4.2.1.12).
var (
	OIDExtKeyUsageAny             = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
	OIDExtKeyUsageServerAuth      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	OIDExtKeyUsageClientAuth      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	OIDExtKeyUsageCodeSigning     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	OIDExtKeyUsageEmailProtection = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	OIDExtKeyUsageTimeStamping    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	OIDExtKeyUsageOCSPSigning     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
)

// Access methods (RFC 5280 §4.2.2.1) and OCSP (RFC 6960, RFC 8954).
var (
	OIDAccessMethodOCSP      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	OIDAccessMethodCAIssuers = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}

	OIDOCSPBasic   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	OIDOCSPNonce   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	OIDOCSPNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
)
