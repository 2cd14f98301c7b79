package pkix

import (
	"encoding/binary"
	"errors"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ASN.1 string types used in names. cryptobyte/asn1 lacks some of them.
const (
	TagUTF8String      = cbasn1.UTF8String      // 12
	TagNumericString   = cbasn1.Tag(18)         //
	TagPrintableString = cbasn1.PrintableString // 19
	TagTeletexString   = cbasn1.T61String       // 20, read as ISO 8859-1
	TagIA5String       = cbasn1.IA5String       // 22
	TagVisibleString   = cbasn1.Tag(26)         //
	TagUniversalString = cbasn1.Tag(28)         // UCS-4 big-endian
	TagBMPString       = cbasn1.Tag(30)         // UCS-2 big-endian
)

// isStringTag reports whether tag is one of the string types above.
func isStringTag(tag cbasn1.Tag) bool {
	switch tag {
	case TagUTF8String, TagNumericString, TagPrintableString, TagTeletexString,
		TagIA5String, TagVisibleString, TagUniversalString, TagBMPString:
		return true
	}
	return false
}

func tagName(tag cbasn1.Tag) string {
	switch tag {
	case TagUTF8String:
		return "UTF8String"
	case TagNumericString:
		return "NumericString"
	case TagPrintableString:
		return "PrintableString"
	case TagTeletexString:
		return "TeletexString"
	case TagIA5String:
		return "IA5String"
	case TagVisibleString:
		return "VisibleString"
	case TagUniversalString:
		return "UniversalString"
	case TagBMPString:
		return "BMPString"
	}
	return "non-string type"
}

var (
	errCharset   = errors.New("character not allowed in this string type")
	errEmpty     = errors.New("empty value")
	errBadLength = errors.New("length not a multiple of the character size")
	errSurrogate = errors.New("invalid code point")
)

// printable: X.680 §41.4 PrintableString repertoire.
func isPrintableByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == ' ' || c == '\'' || c == '(' || c == ')' || c == '+' || c == ',' ||
		c == '-' || c == '.' || c == '/' || c == ':' || c == '=' || c == '?'
}

// checkString verifies that s (UTF-8) can be carried in tag. Empty values
// are rejected: DirectoryString and the profile's types are SIZE (1..MAX).
func checkString(tag cbasn1.Tag, s string) error {
	if s == "" {
		return errEmpty
	}
	switch tag {
	case TagUTF8String:
		if !utf8.ValidString(s) {
			return errCharset
		}
		return nil
	case TagUniversalString, TagBMPString:
		if !utf8.ValidString(s) {
			return errCharset
		}
		if tag == TagBMPString {
			for _, r := range s {
				if r > 0xFFFF {
					return errCharset
				}
			}
		}
		return nil
	case TagTeletexString:
		for _, r := range s {
			if r == utf8.RuneError || r > 0xFF {
				return errCharset
			}
		}
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := false
		switch tag {
		case TagNumericString:
			ok = '0' <= c && c <= '9' || c == ' '
		case TagPrintableString:
			ok = isPrintableByte(c)
		case TagIA5String:
			ok = c < 0x80
		case TagVisibleString:
			ok = 0x20 <= c && c < 0x7F
		}
		if !ok {
			return errCharset
		}
	}
	return nil
}

// decodeString converts the contents of a string element to UTF-8,
// checking the type's repertoire. Errors are unwrapped reasons.
//
// A value that needs no conversion is taken from src's text when it lies
// inside src (no allocation; sourceText{} always copies).
func decodeString(tag cbasn1.Tag, v []byte, src sourceText) (string, error) {
	switch tag {
	case TagBMPString:
		if len(v)%2 != 0 {
			return "", errBadLength
		}
		buf := make([]byte, 0, len(v)/2*3)
		for i := 0; i < len(v); i += 2 {
			r := rune(binary.BigEndian.Uint16(v[i:]))
			if 0xD800 <= r && r <= 0xDFFF { // UCS-2 has no surrogates
				return "", errSurrogate
			}
			buf = utf8.AppendRune(buf, r)
		}
		s := string(buf)
		if s == "" {
			return "", errEmpty
		}
		return s, nil
	case TagUniversalString:
		if len(v)%4 != 0 {
			return "", errBadLength
		}
		buf := make([]byte, 0, len(v))
		for i := 0; i < len(v); i += 4 {
			u := binary.BigEndian.Uint32(v[i:])
			if u > utf8.MaxRune || 0xD800 <= u && u <= 0xDFFF {
				return "", errSurrogate
			}
			buf = utf8.AppendRune(buf, rune(u))
		}
		s := string(buf)
		if s == "" {
			return "", errEmpty
		}
		return s, nil
	case TagTeletexString:
		// Treated as ISO 8859-1, as other X.509 stacks do; a byte-exact
		// round trip is what matters here.
		buf := make([]byte, 0, len(v)*2)
		for _, c := range v {
			buf = utf8.AppendRune(buf, rune(c))
		}
		s := string(buf)
		if s == "" {
			return "", errEmpty
		}
		return s, nil
	}
	s := src.str(v)
	if err := checkString(tag, s); err != nil {
		return "", err
	}
	return s, nil
}

// addString appends s as an element of type tag, converting from UTF-8
// where the type needs it. The caller has run checkString.
func addString(b *cryptobyte.Builder, tag cbasn1.Tag, s string) {
	b.AddASN1(tag, func(c *cryptobyte.Builder) {
		switch tag {
		case TagBMPString:
			for _, r := range s {
				c.AddUint16(uint16(r))
			}
		case TagUniversalString:
			for _, r := range s {
				c.AddUint32(uint32(r))
			}
		case TagTeletexString:
			for _, r := range s {
				c.AddUint8(byte(r))
			}
		default:
			c.AddBytes([]byte(s))
		}
	})
}

// readString reads one string element of any type in isStringTag.
// Values come from src as decodeString says.
func readString(s *cryptobyte.String, src sourceText) (cbasn1.Tag, string, error) {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) {
		return 0, "", ErrMalformed
	}
	if !isStringTag(tag) {
		return tag, "", ErrUnsupported
	}
	str, err := decodeString(tag, v, src)
	return tag, str, err
}

// readUTF8String reads a UTF8String of 1..max characters.
func readUTF8String(s *cryptobyte.String, max int) (string, bool) {
	var v cryptobyte.String
	if !s.ReadASN1(&v, TagUTF8String) || !utf8.Valid(v) {
		return "", false
	}
	n := utf8.RuneCount(v)
	return string(v), n >= 1 && n <= max
}
