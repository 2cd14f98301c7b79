package pkix

import (
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Serial numbers and times for the CRL and OCSP encoders, written with
// append into caller buffers (no allocation): a CRL holds a million of
// each.

// revMaxSerialLen bounds serial numbers: RFC 5280 §4.1.2.2 caps them at 20
// octets of DER INTEGER content (sign octet included).
const revMaxSerialLen = 20

// revSerialMagnitude trims the leading zero octets of a big-endian unsigned
// serial and returns it with its INTEGER content length, or why it cannot
// be a serial number (zero, or longer than 20 octets).
func revSerialMagnitude(serial []byte) (mag []byte, n int, why string) {
	for len(serial) > 0 && serial[0] == 0 {
		serial = serial[1:]
	}
	if len(serial) == 0 {
		return nil, 0, "serial number must be positive"
	}
	n = len(serial)
	if serial[0]&0x80 != 0 {
		n++ // sign octet
	}
	if n > revMaxSerialLen {
		return nil, 0, fmt.Sprintf("serial number is %d octets encoded, RFC 5280 allows 20", n)
	}
	return serial, n, ""
}

// revAppendSerial appends the INTEGER for a magnitude from revSerialMagnitude.
func revAppendSerial(dst, mag []byte) []byte {
	if mag[0]&0x80 != 0 {
		dst = append(dst, byte(cbasn1.INTEGER), byte(len(mag)+1), 0)
	} else {
		dst = append(dst, byte(cbasn1.INTEGER), byte(len(mag)))
	}
	return append(dst, mag...)
}

// revReadSerial reads a CertificateSerialNumber and returns its magnitude
// (aliasing s): minimal DER, positive, at most 20 octets.
func revReadSerial(s *cryptobyte.String) ([]byte, error) {
	var v cryptobyte.String
	if !s.ReadASN1(&v, cbasn1.INTEGER) || len(v) == 0 {
		return nil, fmt.Errorf("serial number: %w", ErrMalformed)
	}
	if len(v) > 1 && (v[0] == 0 && v[1]&0x80 == 0 || v[0] == 0xFF && v[1]&0x80 != 0) {
		return nil, fmt.Errorf("serial number: %w: INTEGER not minimally encoded", ErrMalformed)
	}
	if v[0]&0x80 != 0 {
		return nil, fmt.Errorf("serial number: %w: negative", ErrUnsupported)
	}
	if len(v) > revMaxSerialLen {
		return nil, fmt.Errorf("serial number: %w: %d octets, RFC 5280 allows 20", ErrTooLarge, len(v))
	}
	if v[0] == 0 {
		v = v[1:]
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("serial number: %w: zero", ErrUnsupported)
	}
	return v, nil
}

// revTimeYearOK reports whether t can be written as a DER time (year
// 0000..9999 in UTC).
func revTimeYearOK(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 0 && y <= 9999
}

// revTimeLen is the size of the Time element revAppendTime writes.
func revTimeLen(t time.Time, generalized bool) int {
	if y := t.UTC().Year(); !generalized && y >= 1950 && y < 2050 {
		return 2 + 13
	}
	return 2 + 15
}

// revAppendTime appends t as RFC 5280 Time (UTCTime for 1950..2049,
// GeneralizedTime otherwise), or always as GeneralizedTime when
// generalized is set (invalidityDate, OCSP). Seconds precision, UTC. The
// caller has checked revTimeYearOK.
func revAppendTime(dst []byte, t time.Time, generalized bool) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if !generalized && y >= 1950 && y < 2050 {
		dst = append(dst, byte(cbasn1.UTCTime), 13)
		dst = revAppend2(dst, y%100)
	} else {
		dst = append(dst, byte(cbasn1.GeneralizedTime), 15)
		dst = revAppend2(revAppend2(dst, y/100), y%100)
	}
	dst = revAppend2(revAppend2(revAppend2(revAppend2(revAppend2(dst, int(mo)), d), h), mi), s)
	return append(dst, 'Z')
}

func revAppend2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// revNotAfterSecond reports whether a is not after b once both are
// truncated to whole seconds, the precision they are encoded with.
func revNotAfterSecond(a, b time.Time) bool {
	return !a.Truncate(time.Second).After(b.Truncate(time.Second))
}
