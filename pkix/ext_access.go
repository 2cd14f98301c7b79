package pkix

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"net/url"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Extensions made of GeneralNames: cRLDistributionPoints,
// authorityInfoAccess, subjectAltName. The distribution points and access
// locations this CA reads are URIs; other forms there are ErrUnsupported.
// subjectAltName is read in every GeneralName form.

// GeneralName tags (IMPLICIT context tags, RFC 5280 §4.2.1.6).
var (
	tagGNEmail = cbasn1.Tag(1).ContextSpecific()
	tagGNDNS   = cbasn1.Tag(2).ContextSpecific()
	tagGNURI   = cbasn1.Tag(6).ContextSpecific()
)

var errURI = errors.New("not an absolute URI (ASCII, scheme and host)")

// checkURI accepts absolute URIs without spaces or non-ASCII (IA5String,
// and IRIs must be converted first, RFC 5280 §7.4).
func checkURI(v string) error {
	if v == "" {
		return errURI
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7F {
			return errURI
		}
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" && u.Opaque == "" {
		return errURI
	}
	return nil
}

// addGeneralName appends one GeneralName; the value was checked.
func addGeneralName(b *cryptobyte.Builder, tag cbasn1.Tag, v string) {
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
}

// readGeneralName reads one GeneralName of the supported forms and
// validates its value.
func readGeneralName(s *cryptobyte.String) (cbasn1.Tag, string, error) {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) {
		return 0, "", ErrMalformed
	}
	str := string(v)
	var err error
	switch tag {
	case tagGNEmail:
		err = checkEmail(str)
	case tagGNDNS:
		err = checkHostName(str, true)
	case tagGNURI:
		err = checkURI(str)
	default:
		return tag, "", ErrUnsupported
	}
	if err != nil {
		return tag, "", fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return tag, str, nil
}

// DistributionPoint is a DistributionPoint with a fullName of URIs (the
// same CRL at each); reasons and cRLIssuer are not used by this CA.
type DistributionPoint struct {
	URIs []string
}

var (
	tagDPName     = cbasn1.Tag(0).ContextSpecific().Constructed() // distributionPoint [0]
	tagDPFullName = cbasn1.Tag(0).ContextSpecific().Constructed() // fullName [0] GeneralNames
)

// MarshalCRLDistributionPoints encodes cRLDistributionPoints
// (non-critical). Several points list alternative CRLs; several URIs in
// one point are locations of the same CRL.
func MarshalCRLDistributionPoints(dps []DistributionPoint) (Extension, error) {
	if len(dps) == 0 {
		return Extension{}, invalid("cRLDistributionPoints", "no distribution point")
	}
	for _, dp := range dps {
		if err := checkURIList(dp.URIs, "cRLDistributionPoints"); err != nil {
			return Extension{}, err
		}
	}
	return buildExt(OIDExtCRLDistributionPoints, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, dp := range dps {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					addDistributionPointName(b, dp.URIs)
				})
			}
		})
	})
}

// addDistributionPointName appends [0] { fullName [0] { URIs } }, shared
// with issuingDistributionPoint. The [0] holding the CHOICE is explicit
// (a CHOICE cannot be tagged implicitly).
func addDistributionPointName(b *cryptobyte.Builder, uris []string) {
	b.AddASN1(tagDPName, func(b *cryptobyte.Builder) {
		b.AddASN1(tagDPFullName, func(b *cryptobyte.Builder) {
			for _, u := range uris {
				addGeneralName(b, tagGNURI, u)
			}
		})
	})
}

func checkURIList(uris []string, what string) error {
	if len(uris) == 0 {
		return invalid(what, "no URI")
	}
	for i, u := range uris {
		if err := checkURI(u); err != nil {
			return invalid(what, err.Error())
		}
		for _, p := range uris[:i] {
			if p == u {
				return errf("%s: %w: URI", what, ErrDuplicate)
			}
		}
	}
	return nil
}

// ParseCRLDistributionPoints reads cRLDistributionPoints. Points with
// reasons, cRLIssuer, a relative name or non-URI names are ErrUnsupported.
func ParseCRLDistributionPoints(v []byte) ([]DistributionPoint, error) {
	id := OIDExtCRLDistributionPoints
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return nil, err
	}
	if s.Empty() {
		return nil, extErr(id, "%w: empty list", ErrMalformed)
	}
	var out []DistributionPoint
	for !s.Empty() {
		var dp cryptobyte.String
		if !s.ReadASN1(&dp, cbasn1.SEQUENCE) {
			return nil, extErr(id, "%w: DistributionPoint", ErrMalformed)
		}
		uris, err := readDistributionPointName(&dp)
		if err != nil {
			return nil, extErr(id, "%w", err)
		}
		if !dp.Empty() {
			return nil, extErr(id, "%w: reasons or cRLIssuer", ErrUnsupported)
		}
		out = append(out, DistributionPoint{URIs: uris})
	}
	return out, nil
}

// readDistributionPointName reads [0] { fullName [0] { URI... } }.
func readDistributionPointName(s *cryptobyte.String) ([]string, error) {
	var name, full cryptobyte.String
	if !s.PeekASN1Tag(tagDPName) {
		return nil, fmt.Errorf("%w: no distributionPoint name", ErrUnsupported)
	}
	if !s.ReadASN1(&name, tagDPName) {
		return nil, ErrMalformed
	}
	if !name.PeekASN1Tag(tagDPFullName) {
		return nil, fmt.Errorf("%w: nameRelativeToCRLIssuer", ErrUnsupported)
	}
	if !name.ReadASN1(&full, tagDPFullName) || !name.Empty() || full.Empty() {
		return nil, ErrMalformed
	}
	var uris []string
	for !full.Empty() {
		tag, u, err := readGeneralName(&full)
		if err != nil {
			return nil, err
		}
		if tag != tagGNURI {
			return nil, fmt.Errorf("%w: fullName other than URI", ErrUnsupported)
		}
		for _, p := range uris {
			if p == u {
				return nil, fmt.Errorf("%w: URI", ErrDuplicate)
			}
		}
		uris = append(uris, u)
	}
	return uris, nil
}

// AccessDescription is one authorityInfoAccess entry with a URI location.
type AccessDescription struct {
	Method asn1.ObjectIdentifier // OIDAccessMethodOCSP or OIDAccessMethodCAIssuers
	URI    string
}

// MarshalAuthorityInfoAccess encodes authorityInfoAccess (non-critical)
// in the order given.
func MarshalAuthorityInfoAccess(ads []AccessDescription) (Extension, error) {
	if len(ads) == 0 {
		return Extension{}, invalid("authorityInfoAccess", "empty list")
	}
	for i, ad := range ads {
		if err := checkURI(ad.URI); err != nil {
			return Extension{}, invalid("authorityInfoAccess", err.Error())
		}
		for _, p := range ads[:i] {
			if p.Method.Equal(ad.Method) && p.URI == ad.URI {
				return Extension{}, errf("authorityInfoAccess: %w: %s %s", ErrDuplicate, ad.Method, ad.URI)
			}
		}
	}
	return buildExt(OIDExtAuthorityInfoAccess, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, ad := range ads {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(ad.Method)
					addGeneralName(b, tagGNURI, ad.URI)
				})
			}
		})
	})
}

// ParseAuthorityInfoAccess reads authorityInfoAccess; non-URI locations
// are ErrUnsupported.
func ParseAuthorityInfoAccess(v []byte) ([]AccessDescription, error) {
	id := OIDExtAuthorityInfoAccess
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return nil, err
	}
	if s.Empty() {
		return nil, extErr(id, "%w: empty list", ErrMalformed)
	}
	var out []AccessDescription
	for !s.Empty() {
		var ad cryptobyte.String
		var m asn1.ObjectIdentifier
		if !s.ReadASN1(&ad, cbasn1.SEQUENCE) || !readOID(&ad, &m) {
			return nil, extErr(id, "%w: AccessDescription", ErrMalformed)
		}
		tag, u, err := readGeneralName(&ad)
		if err != nil {
			return nil, extErr(id, "%w", err)
		}
		if tag != tagGNURI {
			return nil, extErr(id, "%w: accessLocation other than URI", ErrUnsupported)
		}
		if !ad.Empty() {
			return nil, extErr(id, "%w", ErrTrailingData)
		}
		for _, p := range out {
			if p.Method.Equal(m) && p.URI == u {
				return nil, extErr(id, "%w: %s %s", ErrDuplicate, m, u)
			}
		}
		out = append(out, AccessDescription{Method: m, URI: u})
	}
	return out, nil
}

// AltNames is a parsed subjectAltName. This CA issues e-mail, DNS and URI
// names; the other GeneralName forms are read from other CAs'
// certificates (accredited CAs put the organisation's details in
// otherName, a person's name in directoryName) and kept.
type AltNames struct {
	Emails   []string // rfc822Name
	DNSNames []string // dNSName; "*." allowed as the first label
	URIs     []string // uniformResourceIdentifier

	// Read only: MarshalSubjectAltName refuses them.
	OtherNames     []OtherName             // otherName [0]
	DirectoryNames []*Name                 // directoryName [4]
	IPAddresses    []net.IP                // iPAddress [7]: 4 or 16 bytes
	RegisteredIDs  []asn1.ObjectIdentifier // registeredID [8]
	// Other holds x400Address [3] and ediPartyName [5] as found.
	Other []RawGeneralName
	// Invalid holds rfc822Name, dNSName and URI values that break their
	// form's syntax, with the reason: a CA certificate under the national
	// root has "a@x.ru; b@y.ru" in one rfc822Name. Another CA's
	// certificate still parses; requests refuse them (see csrExtChecks).
	Invalid []InvalidName
}

// InvalidName is a GeneralName whose value is outside its form's syntax.
type InvalidName struct {
	Tag   int // 1 rfc822Name, 2 dNSName, 6 URI
	Value string
	Err   error
}

// OtherName is an otherName GeneralName: a type OID and the DER of the
// value inside its [0] EXPLICIT wrapper.
type OtherName struct {
	TypeID asn1.ObjectIdentifier
	Value  []byte
}

// RawGeneralName is a GeneralName kept as read: its context tag number
// and the DER of the whole element.
type RawGeneralName struct {
	Tag int
	Raw []byte
}

func (a *AltNames) empty() bool {
	return len(a.Emails) == 0 && len(a.DNSNames) == 0 && len(a.URIs) == 0
}

func (a *AltNames) readOnlyForms() bool {
	return len(a.OtherNames) != 0 || len(a.DirectoryNames) != 0 || len(a.IPAddresses) != 0 ||
		len(a.RegisteredIDs) != 0 || len(a.Other) != 0 || len(a.Invalid) != 0
}

// MarshalSubjectAltName encodes subjectAltName (non-critical; RFC 5280
// wants it critical when the subject is empty — set that on the result).
// Names go in a fixed order: e-mails, DNS names, URIs.
func MarshalSubjectAltName(a AltNames) (Extension, error) {
	if a.readOnlyForms() {
		return Extension{}, invalid("subjectAltName", "this CA issues e-mail, DNS and URI names only")
	}
	if a.empty() {
		return Extension{}, invalid("subjectAltName", "no names")
	}
	for _, e := range a.Emails {
		if err := checkEmail(e); err != nil {
			return Extension{}, invalid("subjectAltName", err.Error())
		}
	}
	for _, d := range a.DNSNames {
		if err := checkHostName(d, true); err != nil {
			return Extension{}, invalid("subjectAltName", err.Error())
		}
	}
	for _, u := range a.URIs {
		if err := checkURI(u); err != nil {
			return Extension{}, invalid("subjectAltName", err.Error())
		}
	}
	return buildExt(OIDExtSubjectAltName, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, e := range a.Emails {
				addGeneralName(b, tagGNEmail, e)
			}
			for _, d := range a.DNSNames {
				addGeneralName(b, tagGNDNS, d)
			}
			for _, u := range a.URIs {
				addGeneralName(b, tagGNURI, u)
			}
		})
	})
}

// GeneralName forms besides rfc822Name, dNSName and URI (RFC 5280
// §4.2.1.6).
var (
	tagGNOther     = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagGNX400      = cbasn1.Tag(3).ContextSpecific().Constructed()
	tagGNDirectory = cbasn1.Tag(4).ContextSpecific().Constructed()
	tagGNEDIParty  = cbasn1.Tag(5).ContextSpecific().Constructed()
	tagGNIP        = cbasn1.Tag(7).ContextSpecific()
	tagGNRegID     = cbasn1.Tag(8).ContextSpecific()
)

// maxAltNames bounds the names of one subjectAltName.
const maxAltNames = 256

// ParseSubjectAltName reads subjectAltName, every GeneralName form:
// rfc822Name, dNSName and URI are validated; otherName, directoryName,
// iPAddress and registeredID are decoded; x400Address and ediPartyName are
// kept raw. Names out of order are accepted and grouped by form.
func ParseSubjectAltName(v []byte) (AltNames, error) {
	id := OIDExtSubjectAltName
	var a AltNames
	s, err := readExtValue(v, cbasn1.SEQUENCE, id)
	if err != nil {
		return a, err
	}
	if s.Empty() {
		return a, extErr(id, "%w: empty list", ErrMalformed)
	}
	for n := 0; !s.Empty(); n++ {
		if n == maxAltNames {
			return AltNames{}, extErr(id, "%w: more than %d names", ErrTooLarge, maxAltNames)
		}
		if err := a.read(&s); err != nil {
			return AltNames{}, extErr(id, "name %d: %w", n+1, err)
		}
	}
	return a, nil
}

// read reads one GeneralName into a.
func (a *AltNames) read(s *cryptobyte.String) error {
	var el cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&el, &tag) {
		return ErrMalformed
	}
	switch tag {
	case tagGNEmail, tagGNDNS, tagGNURI:
		whole := el
		_, str, err := readGeneralName(&el)
		if errors.Is(err, ErrUnsupported) {
			var v cryptobyte.String
			if whole.ReadASN1(&v, tag) {
				a.Invalid = append(a.Invalid, InvalidName{Tag: int(tag & 0x1f), Value: string(v), Err: err})
				return nil
			}
		}
		if err != nil {
			return err
		}
		switch tag {
		case tagGNEmail:
			a.Emails = append(a.Emails, str)
		case tagGNDNS:
			a.DNSNames = append(a.DNSNames, str)
		default:
			a.URIs = append(a.URIs, str)
		}
	case tagGNOther:
		// OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
		// under an IMPLICIT [0].
		var body, wrapped, val cryptobyte.String
		var o OtherName
		var vtag cbasn1.Tag
		if !el.ReadASN1(&body, tagGNOther) || !readOID(&body, &o.TypeID) ||
			!body.ReadASN1(&wrapped, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
			!wrapped.ReadAnyASN1Element(&val, &vtag) || !wrapped.Empty() || !body.Empty() {
			return fmt.Errorf("%w: otherName", ErrMalformed)
		}
		o.Value = val
		a.OtherNames = append(a.OtherNames, o)
	case tagGNDirectory:
		// Name is a CHOICE, so the [4] is EXPLICIT.
		var body cryptobyte.String
		var name cryptobyte.String
		if !el.ReadASN1(&body, tagGNDirectory) || !body.ReadASN1Element(&name, cbasn1.SEQUENCE) || !body.Empty() {
			return fmt.Errorf("%w: directoryName", ErrMalformed)
		}
		n, err := ParseName(name)
		if err != nil {
			return fmt.Errorf("directoryName: %w", err)
		}
		a.DirectoryNames = append(a.DirectoryNames, n)
	case tagGNIP:
		var ip cryptobyte.String
		if !el.ReadASN1(&ip, tagGNIP) || len(ip) != net.IPv4len && len(ip) != net.IPv6len {
			return fmt.Errorf("%w: iPAddress must be 4 or 16 bytes", ErrMalformed)
		}
		a.IPAddresses = append(a.IPAddresses, net.IP(bytes.Clone(ip)))
	case tagGNRegID:
		// An OBJECT IDENTIFIER under an IMPLICIT [8]: re-tag to read it.
		var content cryptobyte.String
		if !el.ReadASN1(&content, tagGNRegID) {
			return fmt.Errorf("%w: registeredID", ErrMalformed)
		}
		oidDER := cryptobyte.String(append(appendHeader(nil, cbasn1.OBJECT_IDENTIFIER, len(content)), content...))
		var o asn1.ObjectIdentifier
		if !readOID(&oidDER, &o) {
			return fmt.Errorf("%w: registeredID", ErrMalformed)
		}
		a.RegisteredIDs = append(a.RegisteredIDs, o)
	case tagGNX400, tagGNEDIParty:
		a.Other = append(a.Other, RawGeneralName{Tag: int(tag & 0x1f), Raw: bytes.Clone(el)})
	default:
		return fmt.Errorf("%w: GeneralName tag %#x", ErrMalformed, uint8(tag))
	}
	return nil
}

// checkRequestedAltName parses a subjectAltName a subscriber asks for:
// unlike another CA's certificate, a request may not carry names that
// break their form's syntax.
func checkRequestedAltName(v []byte) error {
	a, err := ParseSubjectAltName(v)
	if err != nil {
		return err
	}
	if len(a.Invalid) > 0 {
		return extErr(OIDExtSubjectAltName, "%w", a.Invalid[0].Err)
	}
	return nil
}
