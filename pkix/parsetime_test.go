package pkix

import (
	"errors"
	"testing"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ParseTime takes exactly one UTCTime or GeneralizedTime in DER form
// (fractions kept), and refuses other forms, impossible dates and
// trailing bytes with ErrInvalidValue.
func TestParseTime(t *testing.T) {
	utc := func(s string) []byte { return crlTLV(cbasn1.UTCTime, []byte(s)) }
	gen := func(s string) []byte { return crlTLV(cbasn1.GeneralizedTime, []byte(s)) }
	good := []struct {
		der  []byte
		want time.Time
	}{
		{utc("490101000000Z"), time.Date(2049, 1, 1, 0, 0, 0, 0, time.UTC)},
		{utc("500101000000Z"), time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)},
		{gen("20240229235959Z"), time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)},
		{gen("20251203120000.876Z"), time.Date(2025, 12, 3, 12, 0, 0, 876e6, time.UTC)},
		{gen("20251203120000.000000001Z"), time.Date(2025, 12, 3, 12, 0, 0, 1, time.UTC)},
	}
	for _, c := range good {
		got, err := ParseTime(c.der)
		if err != nil || !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("%q: %v, %v; want %v", c.der, got, err, c.want)
		}
	}
	for _, der := range [][]byte{
		utc("4901010000Z"), utc("490101000000+0300"), utc("491301000000Z"),
		gen("20260229235959Z"), gen("20251203120000.870Z"), gen("20251203120000.Z"), gen("20251203120000.8"),
		gen("20251203120000.1234567891Z"), gen("2025120312Z"), gen("20251203250000Z"),
		crlTLV(cbasn1.PrintableString, []byte("20251203120000Z")),
		append(utc("490101000000Z"), 0), nil,
	} {
		if got, err := ParseTime(der); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%q: %v, %v; want ErrInvalidValue", der, got, err)
		}
	}
}
