package pkix

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Bounds on parsed names: real subjects are well under 2 KiB and 20
// attributes; the limits only stop hostile input from costing much.
const (
	maxNameDER   = 16 << 10
	maxNameAttrs = 64
)

// Attribute is one AttributeTypeAndValue of a distinguished name.
type Attribute struct {
	Type  asn1.ObjectIdentifier
	Tag   cbasn1.Tag // string type: TagUTF8String, TagPrintableString, ...
	Value string     // decoded to UTF-8
	// Plus is true when the attribute shares the RDN of the one before it
	// (a multi-valued RDN, "+" in RFC 4514). Zero value: a new RDN.
	Plus bool
}

// Name is a distinguished name as an ordered list of attributes, in DER
// order (the RDNSequence's order, not RFC 4514's reversed one).
type Name struct {
	Attrs []Attribute
	// Raw is the DER the name was parsed from (nil for a name built in
	// code). It aliases the parser's input. Use it, not a re-encoding,
	// where bytes must match exactly (issuer of an issued certificate,
	// CRL issuer).
	Raw []byte
}

// ParseName parses a DER Name (RDNSequence). Attribute values may be any
// of the DirectoryString types or IA5/Numeric/VisibleString; other value
// types fail with ErrUnsupported. Strict DER: multi-valued RDNs must be
// sorted, and nothing may follow the Name.
func ParseName(der []byte) (*Name, error) {
	if len(der) > maxNameDER {
		return nil, errf("name: %w: %d bytes", ErrTooLarge, len(der))
	}
	seq, err := readWhole(der, cbasn1.SEQUENCE, "name")
	if err != nil {
		return nil, err
	}
	n := &Name{Raw: der}
	src := newSourceText(der) // one string for every value that needs no conversion
	if c := countNameAttrs(seq); c > 0 {
		n.Attrs = make([]Attribute, 0, c)
	}
	for rdn := 0; !seq.Empty(); rdn++ {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) || set.Empty() {
			return nil, malformed(fmt.Sprintf("name: RDN %d", rdn+1))
		}
		var prev []byte
		for first := true; !set.Empty(); first = false {
			if len(n.Attrs) == maxNameAttrs {
				return nil, errf("name: %w: more than %d attributes", ErrTooLarge, maxNameAttrs)
			}
			var atv cryptobyte.String
			if !set.ReadASN1Element(&atv, cbasn1.SEQUENCE) {
				return nil, malformed(fmt.Sprintf("name: RDN %d", rdn+1))
			}
			// DER sorts SET OF by encoding (X.690 §11.6).
			if prev != nil && bytes.Compare(prev, atv) > 0 {
				return nil, errf("name: RDN %d: %w: SET OF not in DER order", rdn+1, ErrMalformed)
			}
			prev = atv
			a, err := parseAttribute(atv, src)
			if err != nil {
				return nil, errf("name: RDN %d: %w", rdn+1, err)
			}
			a.Plus = !first
			n.Attrs = append(n.Attrs, a)
		}
	}
	return n, nil
}

// countNameAttrs counts the attributes of a Name's contents, up to
// maxNameAttrs, for sizing Attrs once (ParseName grew it one append at a
// time: four allocations for a qualified subject). It stops quietly at
// anything malformed; ParseName's own pass reports it.
func countNameAttrs(seq cryptobyte.String) int {
	n := 0
	for !seq.Empty() && n < maxNameAttrs {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			break
		}
		for !set.Empty() && n < maxNameAttrs {
			if !set.SkipASN1(cbasn1.SEQUENCE) {
				break
			}
			n++
		}
	}
	return n
}

func parseAttribute(atv cryptobyte.String, src sourceText) (Attribute, error) {
	var body cryptobyte.String
	var a Attribute
	if !atv.ReadASN1(&body, cbasn1.SEQUENCE) || !readOID(&body, &a.Type) {
		return a, ErrMalformed
	}
	tag, v, err := readString(&body, src)
	if err != nil {
		if err == ErrUnsupported {
			return a, fmt.Errorf("%s: %w: value type %#x", attrName(a.Type), ErrUnsupported, uint8(tag))
		}
		if err == ErrMalformed {
			return a, fmt.Errorf("%s: %w", attrName(a.Type), err)
		}
		return a, fmt.Errorf("%s: %w: %s: %v", attrName(a.Type), ErrMalformed, tagName(tag), err)
	}
	if !body.Empty() {
		return a, fmt.Errorf("%s: %w", attrName(a.Type), ErrTrailingData)
	}
	a.Tag, a.Value = tag, v
	return a, nil
}

// Marshal encodes the name as DER. Each value must fit its Tag; values of
// a multi-valued RDN are sorted as DER requires. Raw is not consulted.
func (n *Name) Marshal() ([]byte, error) {
	b := cryptobyte.NewBuilder(make([]byte, 0, 64*len(n.Attrs)+2))
	var err error
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for i := 0; i < len(n.Attrs) && err == nil; {
			j := i + 1
			for j < len(n.Attrs) && n.Attrs[j].Plus {
				j++
			}
			if n.Attrs[i].Plus {
				err = errf("name: attribute %d: %w: Plus on the first attribute", i+1, ErrInvalidValue)
				return
			}
			err = addRDN(b, n.Attrs[i:j])
			i = j
		}
	})
	if err != nil {
		return nil, err
	}
	return finish(b, "name")
}

// addRDN appends one RelativeDistinguishedName holding attrs.
func addRDN(b *cryptobyte.Builder, attrs []Attribute) error {
	for _, a := range attrs {
		if err := checkString(a.Tag, a.Value); err != nil {
			return errf("name: %s: %w: %s: %v", attrName(a.Type), ErrInvalidValue, tagName(a.Tag), err)
		}
	}
	if len(attrs) == 1 {
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addATV(b, attrs[0]) })
		return nil
	}
	encs := make([][]byte, len(attrs))
	for i, a := range attrs {
		e := cryptobyte.NewBuilder(nil)
		addATV(e, a)
		v, err := e.Bytes()
		if err != nil {
			return errf("name: %s: %w: %v", attrName(a.Type), ErrInvalidValue, err)
		}
		encs[i] = v
	}
	slices.SortFunc(encs, bytes.Compare)
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, e := range encs {
			b.AddBytes(e)
		}
	})
	return nil
}

func addATV(b *cryptobyte.Builder, a Attribute) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(a.Type)
		addString(b, a.Tag, a.Value)
	})
}

// AttributeError names the Subject attribute a value was rejected for.
type AttributeError struct {
	Attr string // short name, e.g. "SNILS", "CN"
	Err  error
}

func (e *AttributeError) Error() string {
	if ie, ok := e.Err.(*IdentError); ok {
		return "pkix: subject " + e.Attr + ": " + ie.reason()
	}
	return "pkix: subject " + e.Attr + ": " + e.Err.Error()
}

func (e *AttributeError) Unwrap() error { return e.Err }

// attrNames gives the short names used in messages and in String. Those
// of RFC 4514 where it has one; the others as commonly printed for
// Russian certificates (OpenSSL's names).
var attrNames = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{OIDCommonName, "CN"},
	{OIDSurname, "SN"},
	{OIDGivenName, "GN"},
	{OIDCountry, "C"},
	{OIDStateOrProvince, "ST"},
	{OIDLocality, "L"},
	{OIDStreetAddress, "STREET"},
	{OIDOrganization, "O"},
	{OIDOrganizationalUnit, "OU"},
	{OIDTitle, "title"},
	{OIDSerialNumber, "serialNumber"},
	{OIDEmailAddress, "emailAddress"},
	{OIDOGRN, "OGRN"},
	{OIDOGRNIP, "OGRNIP"},
	{OIDSNILS, "SNILS"},
	{OIDINN, "INN"},
	{OIDINNLE, "INNLE"},
}

func attrName(oid asn1.ObjectIdentifier) string {
	for _, e := range attrNames {
		if e.oid.Equal(oid) {
			return e.name
		}
	}
	return oid.String()
}

// String renders the name for logs in the style of RFC 4514: RDNs in
// reverse order, "+" inside multi-valued RDNs, special characters escaped,
// control characters as \XX. Not meant to be parsed back.
func (n *Name) String() string {
	var sb strings.Builder
	end := len(n.Attrs)
	for end > 0 {
		start := end - 1
		for start > 0 && n.Attrs[start].Plus {
			start--
		}
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteByte('+')
			}
			sb.WriteString(attrName(n.Attrs[i].Type))
			sb.WriteByte('=')
			escapeRFC4514(&sb, n.Attrs[i].Value)
		}
		end = start
	}
	return sb.String()
}

func escapeRFC4514(sb *strings.Builder, v string) {
	for i, r := range v {
		switch {
		case r == ',' || r == '+' || r == '"' || r == '\\' || r == '<' || r == '>' || r == ';' || r == '=':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case (r == ' ' || r == '#') && i == 0, r == ' ' && i == len(v)-1:
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
			// One escape per UTF-8 byte, per RFC 4514 §2.4.
			var buf [4]byte
			m := copy(buf[:], string(r))
			for _, c := range buf[:m] {
				fmt.Fprintf(sb, "\\%02X", c)
			}
		default:
			sb.WriteRune(r)
		}
	}
}
