package pkix

import (
	"encoding/asn1"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// TestOIDsAgainstOpenSSL encodes every OID and lets OpenSSL name it: its
// object table is an independent source for the numbers. OpenSSL 3.0 has
// no name for INNLE (1.2.643.100.4) and IdentificationKind
// (1.2.643.100.114); those print dotted and were checked against
// PROFILE.md §2.
func TestOIDsAgainstOpenSSL(t *testing.T) {
	table := []struct {
		oid  asn1.ObjectIdentifier
		name string
	}{
		{OIDPublicKeyGost2012_256, "GOST R 34.10-2012 with 256 bit modulus"},
		{OIDPublicKeyGost2012_512, "GOST R 34.10-2012 with 512 bit modulus"},
		{OIDDigestStreebog256, "GOST R 34.11-2012 with 256 bit hash"},
		{OIDDigestStreebog512, "GOST R 34.11-2012 with 512 bit hash"},
		{OIDSignatureGost2012_256, "GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)"},
		{OIDSignatureGost2012_512, "GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)"},
		{OIDParamSetTC26_256A, "GOST R 34.10-2012 (256 bit) ParamSet A"},
		{OIDParamSetTC26_256B, "GOST R 34.10-2012 (256 bit) ParamSet B"},
		{OIDParamSetTC26_256C, "GOST R 34.10-2012 (256 bit) ParamSet C"},
		{OIDParamSetTC26_256D, "GOST R 34.10-2012 (256 bit) ParamSet D"},
		{OIDParamSetTC26_512A, "GOST R 34.10-2012 (512 bit) ParamSet A"},
		{OIDParamSetTC26_512B, "GOST R 34.10-2012 (512 bit) ParamSet B"},
		{OIDParamSetTC26_512C, "GOST R 34.10-2012 (512 bit) ParamSet C"},
		{OIDParamSetCryptoProA, "id-GostR3410-2001-CryptoPro-A-ParamSet"},
		{OIDParamSetCryptoProB, "id-GostR3410-2001-CryptoPro-B-ParamSet"},
		{OIDParamSetCryptoProC, "id-GostR3410-2001-CryptoPro-C-ParamSet"},
		{OIDParamSetCryptoProXchA, "id-GostR3410-2001-CryptoPro-XchA-ParamSet"},
		{OIDParamSetCryptoProXchB, "id-GostR3410-2001-CryptoPro-XchB-ParamSet"},
		{OIDParamSetCryptoProTest, "id-GostR3410-2001-TestParamSet"},
		{OIDParamSetTC26_512Test, "GOST R 34.10-2012 (512 bit) testing parameter set"},
		{OIDCommonName, "commonName"},
		{OIDSurname, "surname"},
		{OIDSerialNumber, "serialNumber"},
		{OIDCountry, "countryName"},
		{OIDLocality, "localityName"},
		{OIDStateOrProvince, "stateOrProvinceName"},
		{OIDStreetAddress, "streetAddress"},
		{OIDOrganization, "organizationName"},
		{OIDOrganizationalUnit, "organizationalUnitName"},
		{OIDTitle, "title"},
		{OIDGivenName, "givenName"},
		{OIDEmailAddress, "emailAddress"},
		{OIDOGRN, "OGRN"},
		{OIDSNILS, "SNILS"},
		{OIDINNLE, "1.2.643.100.4"},
		{OIDOGRNIP, "OGRNIP"},
		{OIDINN, "INN"},
		{OIDPKCS9ExtensionRequest, "Extension Request"},
		{OIDExtSubjectSignTool, "Signing Tool of Subject"},
		{OIDExtIssuerSignTool, "Signing Tool of Issuer"},
		{OIDExtIdentificationKind, "1.2.643.100.114"},
		{OIDPolicyKC1, "Class of Signing Tool KC1"},
		{OIDPolicyKC2, "Class of Signing Tool KC2"},
		{OIDPolicyKC3, "Class of Signing Tool KC3"},
		{OIDPolicyKB1, "Class of Signing Tool KB1"},
		{OIDPolicyKB2, "Class of Signing Tool KB2"},
		{OIDPolicyKA1, "Class of Signing Tool KA1"},
		{OIDExtSubjectKeyID, "X509v3 Subject Key Identifier"},
		{OIDExtKeyUsage, "X509v3 Key Usage"},
		{OIDExtPrivateKeyUsagePeriod, "X509v3 Private Key Usage Period"},
		{OIDExtSubjectAltName, "X509v3 Subject Alternative Name"},
		{OIDExtIssuerAltName, "X509v3 Issuer Alternative Name"},
		{OIDExtBasicConstraints, "X509v3 Basic Constraints"},
		{OIDExtNameConstraints, "X509v3 Name Constraints"},
		{OIDExtCRLDistributionPoints, "X509v3 CRL Distribution Points"},
		{OIDExtCertificatePolicies, "X509v3 Certificate Policies"},
		{OIDExtAuthorityKeyID, "X509v3 Authority Key Identifier"},
		{OIDExtExtKeyUsage, "X509v3 Extended Key Usage"},
		{OIDExtAuthorityInfoAccess, "Authority Information Access"},
		{OIDPolicyAny, "X509v3 Any Policy"},
		{OIDExtCRLNumber, "X509v3 CRL Number"},
		{OIDExtReasonCode, "X509v3 CRL Reason Code"},
		{OIDExtInvalidityDate, "Invalidity Date"},
		{OIDExtDeltaCRLIndicator, "X509v3 Delta CRL Indicator"},
		{OIDExtIssuingDistributionPoint, "X509v3 Issuing Distribution Point"},
		{OIDExtCertificateIssuer, "X509v3 Certificate Issuer"},
		{OIDExtFreshestCRL, "X509v3 Freshest CRL"},
		{OIDExtKeyUsageAny, "Any Extended Key Usage"},
		{OIDExtKeyUsageServerAuth, "TLS Web Server Authentication"},
		{OIDExtKeyUsageClientAuth, "TLS Web Client Authentication"},
		{OIDExtKeyUsageCodeSigning, "Code Signing"},
		{OIDExtKeyUsageEmailProtection, "E-mail Protection"},
		{OIDExtKeyUsageTimeStamping, "Time Stamping"},
		{OIDExtKeyUsageOCSPSigning, "OCSP Signing"},
		{OIDAccessMethodOCSP, "OCSP"},
		{OIDAccessMethodCAIssuers, "CA Issuers"},
		{OIDOCSPBasic, "Basic OCSP Response"},
		{OIDOCSPNonce, "OCSP Nonce"},
		{OIDOCSPNoCheck, "OCSP No Check"},
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range table {
			b.AddASN1ObjectIdentifier(e.oid)
		}
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"d=0 SEQUENCE"}
	for _, e := range table {
		want = append(want, "d=1 OBJECT :"+e.name)
	}
	checkASN1Parse(t, der, want)

	// No two names share a value.
	for i, a := range table {
		for _, c := range table[:i] {
			if a.oid.Equal(c.oid) {
				t.Errorf("%s listed twice", a.oid)
			}
		}
	}
}
