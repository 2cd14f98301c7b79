package pkix

import (
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// readOID is cryptobyte's ReadASN1ObjectIdentifier without an allocation
// for the OIDs this package names: every parse of a TBS, a CSR or a name
// decodes a dozen or more of them (extension ids, attribute types,
// algorithms), each into a new slice. Their DER contents are looked up
// in knownOIDs, built once from the package's own values, and the
// package's slice is returned (capacity trimmed, so an append copies; no
// caller writes into a parsed OID). Anything else is decoded as before,
// with the same checks and the same result.
func readOID(s *cryptobyte.String, out *asn1.ObjectIdentifier) bool {
	t := *s
	var raw cryptobyte.String
	if t.ReadASN1(&raw, cbasn1.OBJECT_IDENTIFIER) {
		if o, ok := knownOIDs[string(raw)]; ok {
			*s, *out = t, o
			return true
		}
	}
	return s.ReadASN1ObjectIdentifier(out)
}

// knownOIDs maps the DER contents of each OID the package names to its
// value.
var knownOIDs = func() map[string]asn1.ObjectIdentifier {
	m := make(map[string]asn1.ObjectIdentifier, len(namedOIDs))
	for _, o := range namedOIDs {
		var b cryptobyte.Builder
		b.AddASN1ObjectIdentifier(o)
		der, err := b.Bytes()
		if err != nil {
			panic("pkix: named OID " + o.String() + " does not encode")
		}
		var s, raw cryptobyte.String = der, nil
		if !s.ReadASN1(&raw, cbasn1.OBJECT_IDENTIFIER) {
			panic("pkix: named OID " + o.String() + " does not read back")
		}
		m[string(raw)] = o[:len(o):len(o)]
	}
	return m
}()

// namedOIDs are the OIDs readOID returns without decoding.
var namedOIDs = []asn1.ObjectIdentifier{
	OIDAccessMethodCAIssuers,
	OIDAccessMethodOCSP,
	OIDCommonName,
	OIDCountry,
	OIDDigestStreebog256,
	OIDDigestStreebog512,
	OIDEmailAddress,
	OIDExtAuthorityInfoAccess,
	OIDExtAuthorityKeyID,
	OIDExtBasicConstraints,
	OIDExtCRLDistributionPoints,
	OIDExtCRLNumber,
	OIDExtCertificateIssuer,
	OIDExtCertificatePolicies,
	OIDExtDeltaCRLIndicator,
	OIDExtExtKeyUsage,
	OIDExtFreshestCRL,
	OIDExtIdentificationKind,
	OIDExtInvalidityDate,
	OIDExtIssuerAltName,
	OIDExtIssuerSignTool,
	OIDExtIssuingDistributionPoint,
	OIDExtKeyUsage,
	OIDExtKeyUsageAny,
	OIDExtKeyUsageClientAuth,
	OIDExtKeyUsageCodeSigning,
	OIDExtKeyUsageEmailProtection,
	OIDExtKeyUsageOCSPSigning,
	OIDExtKeyUsageServerAuth,
	OIDExtKeyUsageTimeStamping,
	OIDExtNameConstraints,
	OIDExtPrivateKeyUsagePeriod,
	OIDExtReasonCode,
	OIDExtSubjectAltName,
	OIDExtSubjectKeyID,
	OIDExtSubjectSignTool,
	OIDGivenName,
	OIDINN,
	OIDINNLE,
	OIDLocality,
	OIDOCSPBasic,
	OIDOCSPNoCheck,
	OIDOCSPNonce,
	OIDOGRN,
	OIDOGRNIP,
	OIDOrganization,
	OIDOrganizationalUnit,
	OIDPKCS9ChallengePassword,
	OIDPKCS9ExtensionRequest,
	OIDPKCS9UnstructuredName,
	OIDParamSetCryptoProA,
	OIDParamSetCryptoProB,
	OIDParamSetCryptoProC,
	OIDParamSetCryptoProTest,
	OIDParamSetCryptoProXchA,
	OIDParamSetCryptoProXchB,
	OIDParamSetTC26_256A,
	OIDParamSetTC26_256B,
	OIDParamSetTC26_256C,
	OIDParamSetTC26_256D,
	OIDParamSetTC26_512A,
	OIDParamSetTC26_512B,
	OIDParamSetTC26_512C,
	OIDParamSetTC26_512Test,
	OIDPolicyAny,
	OIDPolicyKA1,
	OIDPolicyKB1,
	OIDPolicyKB2,
	OIDPolicyKC1,
	OIDPolicyKC2,
	OIDPolicyKC3,
	OIDPublicKeyECDSA,
	OIDPublicKeyGost2001,
	OIDPublicKeyGost2012_256,
	OIDPublicKeyGost2012_512,
	OIDSNILS,
	OIDSerialNumber,
	OIDSignatureECDSAWithSHA256,
	OIDSignatureECDSAWithSHA384,
	OIDSignatureGost2012_256,
	OIDSignatureGost2012_512,
	OIDStateOrProvince,
	OIDStreetAddress,
	OIDSurname,
	OIDTitle,
}
