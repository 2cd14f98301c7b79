package cms

import (
	"encoding/asn1"
	"time"

	"github.com/gostca/gostca/pkix"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// cadesAttrs are the signed attributes of a CAdES-BES signer (ETSI EN
// 319 122-1 §5.2): content-type, message-digest, signing-time and
// signingCertificateV2, each present once with one value.
type cadesAttrs struct {
	contentType   asn1.ObjectIdentifier
	messageDigest []byte
	signingTime   time.Time
	signingCert   *signingCertV2
}

// Attribute names used in errors.
const (
	attrContentType   = "content-type"
	attrMessageDigest = "message-digest"
	attrSigningTime   = "signing-time"
	attrSigningCertV2 = "signingCertificateV2"
)

func readCAdESAttrs(attrs []Attribute) (*cadesAttrs, error) {
	if len(attrs) == 0 {
		return nil, attrErr("signedAttrs", "absent: a CAdES-BES signature signs its attributes")
	}
	seen := make(map[string]bool, len(attrs))
	var ca cadesAttrs
	var hasV1 bool
	for _, a := range attrs {
		key := a.Type.String()
		if seen[key] {
			return nil, attrErr(attrName(a.Type), "appears more than once")
		}
		seen[key] = true
		var err error
		switch {
		case a.Type.Equal(OIDAttrContentType):
			err = ca.readContentType(a)
		case a.Type.Equal(OIDAttrMessageDigest):
			err = ca.readMessageDigest(a)
		case a.Type.Equal(OIDAttrSigningTime):
			err = ca.readSigningTime(a)
		case a.Type.Equal(OIDAttrSigningCertificateV2):
			err = ca.readSigningCert(a)
		case a.Type.Equal(OIDAttrSigningCertificate):
			hasV1 = true
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case ca.contentType == nil:
		return nil, attrErr(attrContentType, "missing")
	case ca.messageDigest == nil:
		return nil, attrErr(attrMessageDigest, "missing")
	case ca.signingTime.IsZero():
		return nil, attrErr(attrSigningTime, "missing")
	case ca.signingCert == nil && hasV1:
		return nil, attrErr(attrSigningCertV2, "missing: only the SHA-1 signingCertificate is present; sign as CAdES-BES with signingCertificateV2")
	case ca.signingCert == nil:
		return nil, attrErr(attrSigningCertV2, "missing")
	}
	return &ca, nil
}

func attrName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(OIDAttrContentType):
		return attrContentType
	case oid.Equal(OIDAttrMessageDigest):
		return attrMessageDigest
	case oid.Equal(OIDAttrSigningTime):
		return attrSigningTime
	case oid.Equal(OIDAttrSigningCertificateV2):
		return attrSigningCertV2
	}
	return oid.String()
}

// oneValue returns the single value of a, or an error naming it.
func oneValue(a Attribute, name string) (cryptobyte.String, error) {
	if len(a.Values) != 1 {
		return nil, attrErr(name, "must have exactly one value")
	}
	return cryptobyte.String(a.Values[0]), nil
}

func (ca *cadesAttrs) readContentType(a Attribute) error {
	v, err := oneValue(a, attrContentType)
	if err != nil {
		return err
	}
	var oid asn1.ObjectIdentifier
	if !v.ReadASN1ObjectIdentifier(&oid) || !v.Empty() {
		return attrErr(attrContentType, "not an OBJECT IDENTIFIER")
	}
	ca.contentType = oid
	return nil
}

func (ca *cadesAttrs) readMessageDigest(a Attribute) error {
	v, err := oneValue(a, attrMessageDigest)
	if err != nil {
		return err
	}
	var d cryptobyte.String
	if !v.ReadASN1(&d, cbasn1.OCTET_STRING) || !v.Empty() || len(d) == 0 {
		return attrErr(attrMessageDigest, "not a non-empty OCTET STRING")
	}
	ca.messageDigest = d
	return nil
}

func (ca *cadesAttrs) readSigningTime(a Attribute) error {
	v, err := oneValue(a, attrSigningTime)
	if err != nil {
		return err
	}
	t, err := pkix.ParseTime(v)
	if err != nil {
		return attrErr(attrSigningTime, "not a valid UTCTime or GeneralizedTime in UTC")
	}
	ca.signingTime = t
	return nil
}

func (ca *cadesAttrs) readSigningCert(a Attribute) error {
	v, err := oneValue(a, attrSigningCertV2)
	if err != nil {
		return err
	}
	sc, err := parseSigningCertV2(v)
	if err != nil {
		return err
	}
	ca.signingCert = sc
	return nil
}
