package pkix

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encodeTime(t *testing.T, tm time.Time) []byte {
	t.Helper()
	b := cryptobyte.NewBuilder(nil)
	addTime(b, tm)
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAddTime(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	cases := []struct {
		in   time.Time
		want string // hex
		text string
	}{
		// Last UTCTime second (RFC 5280 §4.1.2.5).
		{time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC), "170d3439313233313233353935395a", "491231235959Z"},
		// First GeneralizedTime second.
		{time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC), "180f32303530303130313030303030305a", "20500101000000Z"},
		{time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), "170d3530303130313030303030305a", "500101000000Z"},
		// UTCTime cannot say 1949.
		{time.Date(1949, 12, 31, 23, 59, 59, 0, time.UTC), "180f31393439313233313233353935395a", "19491231235959Z"},
		// Converted to UTC; nanoseconds dropped.
		{time.Date(2025, 3, 1, 2, 0, 0, 999999999, msk), "170d3235303232383233303030305a", "250228230000Z"},
	}
	for _, tc := range cases {
		got := encodeTime(t, tc.in)
		if hex.EncodeToString(got) != tc.want {
			t.Errorf("%v: got %x, want %s", tc.in, got, tc.want)
		}
		typ := "UTCTIME"
		if got[0] == 0x18 {
			typ = "GENERALIZEDTIME"
		}
		checkASN1Parse(t, got, []string{"d=0 " + typ + " :" + tc.text})

		s := cryptobyte.String(got)
		var back time.Time
		if !readTime(&s, &back) || !s.Empty() {
			t.Errorf("%x: readTime failed", got)
		} else if want := tc.in.UTC().Truncate(time.Second); !back.Equal(want) {
			t.Errorf("%x: read %v, want %v", got, back, want)
		}
	}
	b := cryptobyte.NewBuilder(nil)
	addTime(b, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	if _, err := b.Bytes(); err == nil {
		t.Error("year 10000 encoded")
	}
}

func TestReadTimeRejects(t *testing.T) {
	bad := []struct{ tag, v string }{
		{"17", "2502282300Z"},       // no seconds
		{"17", "250228230000+0300"}, // offset
		{"17", "250228230000"},      // no Z
		{"17", "250230000000Z"},     // 30 February
		{"17", "251301000000Z"},     // month 13
		{"17", "250228240000Z"},     // hour 24
		{"17", "250228235960Z"},     // second 60
		{"17", "25022823000aZ"},     // letter
		{"17", "-50228230000Z"},     // sign
		{"18", "20250228230000.5Z"}, // fraction
		{"18", "202502282300Z"},     // no seconds
		{"18", "250228230000Z"},     // two-digit year
		{"18", "20250228230000z"},   // lower-case z
		{"04", "250228230000Z"},     // OCTET STRING
	}
	for _, tc := range bad {
		tag := mustHex(t, tc.tag)[0]
		der := append([]byte{tag, byte(len(tc.v))}, tc.v...)
		s := cryptobyte.String(der)
		var out time.Time
		if readTime(&s, &out) {
			t.Errorf("%s %q accepted as %v", tc.tag, tc.v, out)
		}
	}
	// Truncated element.
	s := cryptobyte.String(mustHex(t, "170d3439"))
	var out time.Time
	if readTime(&s, &out) {
		t.Error("truncated time accepted")
	}
	// GeneralizedTime read under an implicit tag.
	s = cryptobyte.String(append([]byte{0x80, 15}, "20500101000000Z"...))
	if !readGeneralizedTime(&s, &out, cbasn1.Tag(0).ContextSpecific()) || out.Year() != 2050 {
		t.Error("implicit GeneralizedTime not read")
	}
}

func TestIsOneElement(t *testing.T) {
	for _, tc := range []struct {
		hex string
		ok  bool
	}{
		{"3000", true},
		{"0500", true},
		{"", false},
		{"30", false},
		{"300000", false},
		{"3001", false},
		{"30810100", false}, // non-minimal length
	} {
		if got := isOneElement(mustHex(t, tc.hex)); got != tc.ok {
			t.Errorf("%s: %v", tc.hex, got)
		}
	}
	if !bytes.Equal(appendDigits(nil, 7, 3), []byte("007")) {
		t.Error("appendDigits")
	}
}

// TestAppendHelpers checks the hand-sized encoders against cryptobyte.
func TestAppendHelpers(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 20} {
		content := make([]byte, n)
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1OctetString(content)
		want, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		got := append(appendHeader(nil, cbasn1.OCTET_STRING, n), content...)
		if !bytes.Equal(got, want) || headerLen(n) != len(want)-n {
			t.Errorf("n=%d: header %x, want %x", n, got[:headerLen(n)], want[:len(want)-n])
		}
	}
	oids := []asn1.ObjectIdentifier{
		{0, 0}, {1, 39}, {2, 5, 29, 19}, {2, 999, 3}, {1, 2, 840, 113549, 1, 9, 1},
		{1, 2, 643, 3, 131, 1, 1}, {1, 2, 643, 7, 1, 2, 1, 2, 0}, {1, 3, 6, 1, 4, 1, 2147483647},
	}
	for _, o := range oids {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1ObjectIdentifier(o)
		want, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if got := appendOID(nil, o); !bytes.Equal(got, want) {
			t.Errorf("%v: %x, want %x", o, got, want)
		}
	}
	for _, bad := range []asn1.ObjectIdentifier{nil, {1}, {3, 1}, {1, 40}, {0, 40}, {1, 2, -1}} {
		if oidContentLen(bad) >= 0 {
			t.Errorf("%v accepted", bad)
		}
	}
}
