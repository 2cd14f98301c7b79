package pkix

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Subject is the structured subject (or issuer) name of the qualified
// profile (PROFILE.md §2). Empty fields are absent. Which fields a holder
// type needs (person, entrepreneur, legal entity, employee) is the
// profile's business, not this type's.
type Subject struct {
	CommonName   string // CN
	Surname      string // SN
	GivenName    string // GN: given name and patronymic, "Иван Иванович"
	Country      string // C: two letters, "RU"
	Region       string // ST, e.g. "77 г. Москва"
	Locality     string // L
	Street       string // street
	Organization string // O
	OrgUnit      string // OU
	Title        string // title (position)
	Email        string // emailAddress
	OGRN         string // 13 digits
	OGRNIP       string // 15 digits
	SNILS        string // 11 digits, canonical (see NormalizeSNILS)
	INN          string // person's INN, 12 digits
	INNLE        string // legal entity's INN, 10 digits
}

// maxText bounds UTF8String attributes in characters. RFC 5280's upper
// bounds (64 for CN, O, OU, title) are shorter than full Russian
// organisation names and positions, which qualified certificates carry;
// 256 is a policy bound here, and a lint may warn past the RFC's.
const maxText = 256

type fieldKind uint8

const (
	kindText    fieldKind = iota // UTF8String, maxText, no controls, no outer spaces
	kindCountry                  // PrintableString, two upper-case letters
	kindEmail                    // IA5String, addr-spec
	kindIdent                    // NumericString, checked identifier
)

type subjectField struct {
	oid   asn1.ObjectIdentifier
	name  string
	kind  fieldKind
	ptr   func(*Subject) *string
	check func(string) error // kindIdent only
}

// subjectOrder is the DER order of the encoded subject: from the general
// to the particular, as X.500 names are built (country, region, locality,
// address, organisation, then the person), with the registry identifiers
// last. RFC 4514 strings and Windows show it reversed ("SNILS=…, …, C=RU").
var subjectOrder = [...]subjectField{
	{OIDCountry, "C", kindCountry, func(s *Subject) *string { return &s.Country }, nil},
	{OIDStateOrProvince, "ST", kindText, func(s *Subject) *string { return &s.Region }, nil},
	{OIDLocality, "L", kindText, func(s *Subject) *string { return &s.Locality }, nil},
	{OIDStreetAddress, "STREET", kindText, func(s *Subject) *string { return &s.Street }, nil},
	{OIDOrganization, "O", kindText, func(s *Subject) *string { return &s.Organization }, nil},
	{OIDOrganizationalUnit, "OU", kindText, func(s *Subject) *string { return &s.OrgUnit }, nil},
	{OIDTitle, "title", kindText, func(s *Subject) *string { return &s.Title }, nil},
	{OIDCommonName, "CN", kindText, func(s *Subject) *string { return &s.CommonName }, nil},
	{OIDSurname, "SN", kindText, func(s *Subject) *string { return &s.Surname }, nil},
	{OIDGivenName, "GN", kindText, func(s *Subject) *string { return &s.GivenName }, nil},
	{OIDEmailAddress, "emailAddress", kindEmail, func(s *Subject) *string { return &s.Email }, nil},
	{OIDINNLE, "INNLE", kindIdent, func(s *Subject) *string { return &s.INNLE }, ValidateINNLE},
	{OIDOGRN, "OGRN", kindIdent, func(s *Subject) *string { return &s.OGRN }, ValidateOGRN},
	{OIDOGRNIP, "OGRNIP", kindIdent, func(s *Subject) *string { return &s.OGRNIP }, ValidateOGRNIP},
	{OIDINN, "INN", kindIdent, func(s *Subject) *string { return &s.INN }, ValidateINNPerson},
	{OIDSNILS, "SNILS", kindIdent, func(s *Subject) *string { return &s.SNILS }, ValidateSNILS},
}

func (k fieldKind) tag() cbasn1.Tag {
	switch k {
	case kindCountry:
		return TagPrintableString
	case kindEmail:
		return TagIA5String
	case kindIdent:
		return TagNumericString
	}
	return TagUTF8String
}

// Validate checks every present field: identifiers and their checksums,
// the repertoire of the field's string type, length bounds, and no
// control characters or leading/trailing spaces in text (names must match
// the passport exactly; stray spaces break renewal matching).
func (s *Subject) Validate() error {
	for i := range subjectOrder {
		f := &subjectOrder[i]
		if v := *f.ptr(s); v != "" {
			if err := f.validate(v); err != nil {
				return &AttributeError{Attr: f.name, Err: err}
			}
		}
	}
	return nil
}

var (
	errControl    = errors.New("control character")
	errOuterSpace = errors.New("leading or trailing space")
	errTooLong    = errors.New("too long")
	errCountry    = errors.New("want two upper-case letters (ISO 3166), e.g. RU")
	errEmail      = errors.New("not an e-mail address (ASCII local@domain)")
)

func (f *subjectField) validate(v string) error {
	switch f.kind {
	case kindIdent:
		return f.check(v)
	case kindCountry:
		if len(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
			return errCountry
		}
		return nil
	case kindEmail:
		return checkEmail(v)
	}
	if !utf8.ValidString(v) {
		return errCharset
	}
	if n := utf8.RuneCountInString(v); n > maxText {
		return fmt.Errorf("%w: %d characters, at most %d", errTooLong, n, maxText)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return errControl
		}
	}
	if strings.TrimSpace(v) != v {
		return errOuterSpace
	}
	return nil
}

// Marshal validates the subject and encodes it as a DER Name: one
// attribute per RDN, in subjectOrder, with the profile's string types.
// This runs once per issued certificate, so it sizes the output first and
// appends into a single buffer.
func (s *Subject) Marshal() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var atvLen [len(subjectOrder)]int // content length of each present field's ATV
	total := 0
	for i := range subjectOrder {
		if v := *subjectOrder[i].ptr(s); v != "" {
			atvLen[i] = len(subjectOIDDER[i]) + headerLen(len(v)) + len(v)
			set := headerLen(atvLen[i]) + atvLen[i]
			total += headerLen(set) + set
		}
	}
	out := make([]byte, 0, headerLen(total)+total)
	out = appendHeader(out, cbasn1.SEQUENCE, total)
	for i := range subjectOrder {
		f := &subjectOrder[i]
		if v := *f.ptr(s); v != "" {
			out = appendHeader(out, cbasn1.SET, headerLen(atvLen[i])+atvLen[i])
			out = appendHeader(out, cbasn1.SEQUENCE, atvLen[i])
			out = append(out, subjectOIDDER[i]...)
			out = appendHeader(out, f.kind.tag(), len(v))
			out = append(out, v...)
		}
	}
	return out, nil
}

// subjectOIDDER holds the encoded OID of each subjectOrder entry.
var subjectOIDDER = func() [][]byte {
	out := make([][]byte, len(subjectOrder))
	for i, f := range subjectOrder {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1ObjectIdentifier(f.oid)
		out[i] = b.BytesOrPanic()
	}
	return out
}()

// Subject maps the name onto the structured Subject. Every attribute must
// be one Subject has, at most once, in a single-valued RDN; otherwise the
// error (wrapping ErrUnsupported or ErrDuplicate) says which. A 12-digit
// INN of the pre-2021 form "00"+INNLE is read as INNLE. Values are not
// validated here: call Validate for that (e.g. when linting).
func (n *Name) Subject() (*Subject, error) {
	s := new(Subject)
	var legacyINNLE string
	for i, a := range n.Attrs {
		if a.Plus || i+1 < len(n.Attrs) && n.Attrs[i+1].Plus {
			return nil, errf("name: %s: %w: multi-valued RDN", attrName(a.Type), ErrUnsupported)
		}
		var f *subjectField
		for j := range subjectOrder {
			if subjectOrder[j].oid.Equal(a.Type) {
				f = &subjectOrder[j]
				break
			}
		}
		if f == nil {
			return nil, errf("name: %s: %w: attribute not in Subject", attrName(a.Type), ErrUnsupported)
		}
		p := f.ptr(s)
		if *p != "" {
			return nil, errf("name: %s: %w", f.name, ErrDuplicate)
		}
		v := a.Value
		if f.name == "INN" && len(v) == 12 && strings.HasPrefix(v, "00") {
			if inn, le, err := ParseLegacyINN(v); err == nil && le {
				legacyINNLE = inn
				continue
			}
		}
		*p = v
	}
	if legacyINNLE != "" {
		if s.INNLE != "" && s.INNLE != legacyINNLE {
			return nil, errf("name: INN: %w: legacy \"00\"+INNLE disagrees with INNLE", ErrInvalidValue)
		}
		s.INNLE = legacyINNLE
	}
	return s, nil
}

// checkEmail accepts ASCII addr-spec "local@domain" with a host-name
// domain; quoted local parts and address literals are not used in
// certificates of this profile.
func checkEmail(v string) error {
	if len(v) > 255 {
		return fmt.Errorf("%w: %d characters, at most 255", errTooLong, len(v))
	}
	at := strings.IndexByte(v, '@')
	if at <= 0 || at > 64 || strings.IndexByte(v[at+1:], '@') >= 0 {
		return errEmail
	}
	for i := 0; i < at; i++ {
		c := v[i]
		if c <= ' ' || c >= 0x7F || strings.IndexByte(`"(),:;<>[\]`, c) >= 0 {
			return errEmail
		}
	}
	if checkHostName(v[at+1:], false) != nil {
		return errEmail
	}
	return nil
}

var errHostName = errors.New("not a host name (LDH labels)")

// checkHostName accepts LDH host names (RFC 1123, 5890 A-labels), with an
// optional leading "*." label when wildcard is set.
func checkHostName(h string, wildcard bool) error {
	if wildcard && strings.HasPrefix(h, "*.") {
		h = h[2:]
	}
	if h == "" || len(h) > 253 {
		return errHostName
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return errHostName
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return errHostName
			}
		}
	}
	return nil
}
