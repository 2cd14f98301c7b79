package cms

import (
	"bytes"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/pkix"
)

// signerCertificate finds the certificate si names: first among the
// CMS's certificates, then among extra. A CMS certificate that pkix
// cannot read is skipped; if the signer's was among them, the error says
// why it was unreadable (a GOST R 34.10-2001 key, say).
func (sd *SignedData) signerCertificate(si *SignerInfo, extra []*pkix.Certificate) (*pkix.Certificate, error) {
	var unreadable error
	for _, der := range sd.Certificates {
		if si.Issuer != nil && !si.mayName(der) {
			continue // another certificate of the chain: not parsed
		}
		c, err := pkix.ParseCertificate(der)
		if err != nil {
			if unreadable == nil {
				unreadable = err
			}
			continue
		}
		if si.names(c) {
			return c, nil
		}
	}
	for _, c := range extra {
		if c != nil && si.names(c) {
			return c, nil
		}
	}
	if unreadable != nil {
		return nil, fmt.Errorf("%w: none of the certificates given matches, and a certificate in the CMS could not be read: %v", ErrNoSignerCertificate, unreadable)
	}
	if si.SubjectKeyID != nil {
		return nil, fmt.Errorf("%w: no certificate with subject key identifier %X", ErrNoSignerCertificate, si.SubjectKeyID)
	}
	return nil, fmt.Errorf("%w: no certificate with serial %X of the issuer named", ErrNoSignerCertificate, si.Serial)
}

// names reports whether si's signer identifier names c.
func (si *SignerInfo) names(c *pkix.Certificate) bool {
	if si.SubjectKeyID != nil {
		return c.SubjectKeyID != nil && bytes.Equal(c.SubjectKeyID, si.SubjectKeyID)
	}
	return si.Serial.Cmp(c.SerialNumber) == 0 && bytes.Equal(si.Issuer, c.RawIssuer)
}

// mayName reports whether the certificate der may be the one si names by
// issuer and serial, looking at those two fields only: the chain's other
// certificates are skipped without a full parse. A certificate it cannot
// read that far is kept, for ParseCertificate to say what is wrong.
func (si *SignerInfo) mayName(der []byte) bool {
	s := cryptobyte.String(der)
	var cert, tbs, issuer cryptobyte.String
	serial := new(big.Int)
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.ReadASN1Integer(serial) || !tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return true
	}
	return serial.Cmp(si.Serial) == 0 && bytes.Equal(issuer, si.Issuer)
}
