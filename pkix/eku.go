package pkix

import (
	"encoding/asn1"
	"strings"
)

// ExtKeyUsageError says which requested purposes a profile refused, and
// which it would take. It wraps ErrInvalidValue.
type ExtKeyUsageError struct {
	Profile string
	Refused []asn1.ObjectIdentifier
	Allowed []asn1.ObjectIdentifier
}

func (e *ExtKeyUsageError) Error() string {
	var b strings.Builder
	b.WriteString("pkix: extended key usage ")
	b.WriteString(oidList(e.Refused))
	b.WriteString(" not allowed in profile ")
	b.WriteString(e.Profile)
	if len(e.Allowed) == 0 {
		b.WriteString(": it allows no purposes beyond its own")
	} else {
		b.WriteString("; a request may add: ")
		b.WriteString(oidList(e.Allowed))
	}
	return b.String()
}

func (e *ExtKeyUsageError) Unwrap() error { return ErrInvalidValue }

func oidList(l []asn1.ObjectIdentifier) string {
	s := make([]string, len(l))
	for i, o := range l {
		s[i] = o.String()
	}
	return strings.Join(s, ", ")
}

// extKeyUsageFor is the extKeyUsage list of a certificate of p whose
// request asked for requested: the profile's purposes, then the requested
// ones it did not already have, in request order. A requested purpose
// outside the profile's and its allow-list fails with *ExtKeyUsageError.
func extKeyUsageFor(p *Profile, requested []asn1.ObjectIdentifier) ([]asn1.ObjectIdentifier, error) {
	if len(requested) == 0 {
		return p.ExtKeyUsage, nil
	}
	out := append([]asn1.ObjectIdentifier(nil), p.ExtKeyUsage...)
	var refused []asn1.ObjectIdentifier
	for _, o := range requested {
		switch {
		case containsOID(out, o):
		case containsOID(p.AllowedExtKeyUsage, o):
			out = append(out, o)
		default:
			refused = append(refused, o)
		}
	}
	if refused != nil {
		return nil, &ExtKeyUsageError{Profile: p.Name, Refused: refused, Allowed: p.AllowedExtKeyUsage}
	}
	return out, nil
}
