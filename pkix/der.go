package pkix

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Shared DER helpers: times, whole-input reads, single-element checks.

var errTimeRange = fmt.Errorf("pkix: time: %w: year outside 0000..9999", ErrInvalidValue)

// addTime appends t as RFC 5280 §4.1.2.5 wants for certificate validity
// (and CRL thisUpdate/nextUpdate, §5.1.2.4): UTCTime for 1950 through
// 2049, GeneralizedTime otherwise. Both in UTC ("Z") with seconds;
// sub-second precision is dropped, as DER for these profiles forbids it.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC()
	if y := t.Year(); y >= 1950 && y < 2050 {
		var buf [13]byte
		appendDigits(buf[:0], y%100, 2)
		fillClock(buf[2:], t)
		b.AddASN1(cbasn1.UTCTime, func(c *cryptobyte.Builder) { c.AddBytes(buf[:]) })
		return
	}
	addGeneralizedTime(b, t, cbasn1.GeneralizedTime)
}

// addGeneralizedTime appends t as a GeneralizedTime "YYYYMMDDHHMMSSZ"
// under tag (GeneralizedTime, or an IMPLICIT context tag).
func addGeneralizedTime(b *cryptobyte.Builder, t time.Time, tag cbasn1.Tag) {
	t = t.UTC()
	y := t.Year()
	if y < 0 || y > 9999 {
		b.SetError(errTimeRange)
		return
	}
	var buf [15]byte
	appendDigits(buf[:0], y, 4)
	fillClock(buf[4:], t)
	b.AddASN1(tag, func(c *cryptobyte.Builder) { c.AddBytes(buf[:]) })
}

// fillClock writes MMDDHHMMSSZ (11 bytes) into dst.
func fillClock(dst []byte, t time.Time) {
	d := dst[:0]
	d = appendDigits(d, int(t.Month()), 2)
	d = appendDigits(d, t.Day(), 2)
	d = appendDigits(d, t.Hour(), 2)
	d = appendDigits(d, t.Minute(), 2)
	d = appendDigits(d, t.Second(), 2)
	_ = append(d, 'Z')
}

func appendDigits(dst []byte, v, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, 0)
	}
	for i := len(dst) - 1; i >= len(dst)-n; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
	return dst
}

// readTime reads a UTCTime or a GeneralizedTime (whichever is there), in
// the strict DER forms "YYMMDDHHMMSSZ" / "YYYYMMDDHHMMSSZ". Whether the
// choice of type matched the year is a lint matter, not a parse error.
func readTime(s *cryptobyte.String, out *time.Time) bool {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) {
		return false
	}
	switch tag {
	case cbasn1.UTCTime:
		return parseUTCTime(v, out)
	case cbasn1.GeneralizedTime:
		return parseGeneralizedTime(v, out)
	}
	return false
}

// readGeneralizedTime reads a GeneralizedTime under tag.
func readGeneralizedTime(s *cryptobyte.String, out *time.Time, tag cbasn1.Tag) bool {
	var v cryptobyte.String
	return s.ReadASN1(&v, tag) && parseGeneralizedTime(v, out)
}

// readGeneralizedTimeFrac is readGeneralizedTime that also takes the DER
// form with fractional seconds, "YYYYMMDDHHMMSS.fffZ" (X.690 §11.7: a
// full stop, at least one digit, no trailing zero). RFC 5280 forbids
// fractions in its own fields, but privateKeyUsagePeriod is X.509's, and
// the 2025 national root writes "…00.876Z" there.
func readGeneralizedTimeFrac(s *cryptobyte.String, out *time.Time, tag cbasn1.Tag) bool {
	var v cryptobyte.String
	if !s.ReadASN1(&v, tag) {
		return false
	}
	if len(v) <= 15 || v[14] != '.' {
		return parseGeneralizedTime(v, out)
	}
	frac := v[15 : len(v)-1]
	// Nanoseconds are all time.Time holds; more digits are not DER's
	// concern but are beyond any clock that writes certificates.
	if v[len(v)-1] != 'Z' || len(frac) == 0 || len(frac) > 9 || frac[len(frac)-1] == '0' {
		return false
	}
	ns, ok := digits(frac)
	if !ok {
		return false
	}
	for i := len(frac); i < 9; i++ {
		ns *= 10
	}
	whole := append(append([]byte(nil), v[:14]...), 'Z')
	var t time.Time
	if !parseGeneralizedTime(whole, &t) {
		return false
	}
	*out = t.Add(time.Duration(ns))
	return true
}

func parseUTCTime(v []byte, out *time.Time) bool {
	if len(v) != 13 {
		return false
	}
	yy, ok := digits(v[0:2])
	if !ok {
		return false
	}
	// RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, otherwise 20YY.
	year := 2000 + yy
	if yy >= 50 {
		year = 1900 + yy
	}
	return parseClock(year, v[2:], out)
}

func parseGeneralizedTime(v []byte, out *time.Time) bool {
	if len(v) != 15 {
		return false
	}
	year, ok := digits(v[0:4])
	return ok && parseClock(year, v[4:], out)
}

// parseClock reads MMDDHHMMSSZ and rejects impossible dates (time.Date
// would normalise 30 February into March; we compare back instead).
func parseClock(year int, v []byte, out *time.Time) bool {
	if len(v) != 11 || v[10] != 'Z' {
		return false
	}
	var f [5]int
	for i := range f {
		n, ok := digits(v[2*i : 2*i+2])
		if !ok {
			return false
		}
		f[i] = n
	}
	t := time.Date(year, time.Month(f[0]), f[1], f[2], f[3], f[4], 0, time.UTC)
	if t.Year() != year || int(t.Month()) != f[0] || t.Day() != f[1] ||
		t.Hour() != f[2] || t.Minute() != f[3] || t.Second() != f[4] {
		return false
	}
	*out = t
	return true
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

// readWhole reads one element with the given tag from der, requiring that
// nothing follows it, and returns its contents.
func readWhole(der []byte, tag cbasn1.Tag, what string) (cryptobyte.String, error) {
	s := cryptobyte.String(der)
	var v cryptobyte.String
	if !s.ReadASN1(&v, tag) {
		return nil, malformed(what)
	}
	if !s.Empty() {
		return nil, trailing(what)
	}
	return v, nil
}

// isOneElement reports whether der is exactly one well-formed DER TLV
// (contents not inspected).
func isOneElement(der []byte) bool {
	s := cryptobyte.String(der)
	var v cryptobyte.String
	var tag cbasn1.Tag
	return s.ReadAnyASN1Element(&v, &tag) && s.Empty()
}

// headerLen is the size of a DER tag+length header for n content bytes
// (single-byte tags only).
func headerLen(n int) int {
	switch {
	case n < 0x80:
		return 2
	case n <= 0xFF:
		return 3
	case n <= 0xFFFF:
		return 4
	case n <= 0xFFFFFF:
		return 5
	}
	return 6
}

// appendHeader appends a DER tag and minimal length for n content bytes.
// Used where the shape is fixed and sizes are known up front, to build in
// one allocation instead of one per nested element.
func appendHeader(dst []byte, tag cbasn1.Tag, n int) []byte {
	dst = append(dst, byte(tag))
	switch l := headerLen(n) - 2; l {
	case 0:
		return append(dst, byte(n))
	default:
		dst = append(dst, 0x80|byte(l))
		for i := l - 1; i >= 0; i-- {
			dst = append(dst, byte(n>>(8*i)))
		}
		return dst
	}
}

// oidContentLen returns the length of the DER contents of oid, or -1 if
// it cannot be encoded (fewer than two arcs, first arc above 2, second
// above 39 under arcs 0 and 1, negative arcs).
func oidContentLen(oid asn1.ObjectIdentifier) int {
	if len(oid) < 2 || oid[0] < 0 || oid[0] > 2 || oid[0] < 2 && oid[1] >= 40 {
		return -1
	}
	n := base128Len(int64(oid[0])*40 + int64(oid[1]))
	for _, v := range oid[2:] {
		if v < 0 {
			return -1
		}
		n += base128Len(int64(v))
	}
	return n
}

func base128Len(v int64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendOID appends the full OBJECT IDENTIFIER element; the caller has
// checked oidContentLen(oid) >= 0.
func appendOID(dst []byte, oid asn1.ObjectIdentifier) []byte {
	dst = appendHeader(dst, cbasn1.OBJECT_IDENTIFIER, oidContentLen(oid))
	dst = appendBase128(dst, int64(oid[0])*40+int64(oid[1]))
	for _, v := range oid[2:] {
		dst = appendBase128(dst, int64(v))
	}
	return dst
}

func appendBase128(dst []byte, v int64) []byte {
	for i := base128Len(v) - 1; i > 0; i-- {
		dst = append(dst, 0x80|byte(v>>(7*i)))
	}
	return append(dst, byte(v&0x7F))
}

// finish returns the builder's bytes, wrapping any error with context.
func finish(b *cryptobyte.Builder, what string) ([]byte, error) {
	out, err := b.Bytes()
	if err != nil {
		if errors.Is(err, ErrInvalidValue) {
			return nil, err // already says what and why
		}
		// cryptobyte's own complaints (e.g. an invalid OID).
		return nil, errf("%s: %w: %v", what, ErrInvalidValue, err)
	}
	return out, nil
}

// ParseTime parses one DER Time element: a UTCTime "YYMMDDHHMMSSZ"
// (years 1950–2049, RFC 5280 §4.1.2.5.1) or a GeneralizedTime
// "YYYYMMDDHHMMSS[.f]Z" (fractional seconds in their DER form, kept to
// the nanosecond), in UTC, impossible dates refused. It reads the
// signing-time attribute of CMS (RFC 5652 §11.3) for pkix/cms.
func ParseTime(der []byte) (time.Time, error) {
	s := cryptobyte.String(der)
	var t time.Time
	ok := false
	if s.PeekASN1Tag(cbasn1.GeneralizedTime) {
		ok = readGeneralizedTimeFrac(&s, &t, cbasn1.GeneralizedTime)
	} else {
		ok = readTime(&s, &t)
	}
	if !ok || !s.Empty() {
		return time.Time{}, invalid("time", "not one UTCTime or GeneralizedTime in UTC")
	}
	return t, nil
}
