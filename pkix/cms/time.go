package cms

import (
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// parseTime reads a signing-time value: UTCTime "YYMMDDHHMMSSZ" (years
// 1950–2049, RFC 5652 §11.3) or GeneralizedTime "YYYYMMDDHHMMSS[.f]Z".
// Both in UTC with seconds, as DER requires.
func parseTime(der []byte) (time.Time, bool) {
	s := cryptobyte.String(der)
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) || !s.Empty() {
		return time.Time{}, false
	}
	var year int
	var rest []byte
	switch tag {
	case cbasn1.UTCTime:
		if len(v) != 13 {
			return time.Time{}, false
		}
		yy, ok := digits(v[:2])
		if !ok {
			return time.Time{}, false
		}
		year = 1900 + yy
		if yy < 50 {
			year = 2000 + yy
		}
		rest = v[2:]
	case cbasn1.GeneralizedTime:
		if len(v) < 15 {
			return time.Time{}, false
		}
		y, ok := digits(v[:4])
		if !ok {
			return time.Time{}, false
		}
		year, rest = y, v[4:]
		if len(rest) > 11 { // fractional seconds: ".d…dZ", no trailing zero
			frac := rest[10 : len(rest)-1]
			if len(frac) < 2 || frac[0] != '.' || frac[len(frac)-1] == '0' {
				return time.Time{}, false
			}
			if _, ok := digits(frac[1:]); !ok || len(frac) > 10 {
				return time.Time{}, false
			}
			rest = append(append([]byte(nil), rest[:10]...), 'Z')
		}
	default:
		return time.Time{}, false
	}
	if len(rest) != 11 || rest[10] != 'Z' {
		return time.Time{}, false
	}
	var f [5]int
	for i := range f {
		n, ok := digits(rest[2*i : 2*i+2])
		if !ok {
			return time.Time{}, false
		}
		f[i] = n
	}
	mon, day, h, m, sec := f[0], f[1], f[2], f[3], f[4]
	t := time.Date(year, time.Month(mon), day, h, m, sec, 0, time.UTC)
	if mon < 1 || mon > 12 || t.Day() != day || h > 23 || m > 59 || sec > 59 {
		return time.Time{}, false
	}
	return t, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
