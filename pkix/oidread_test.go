package pkix

import (
	"bytes"
	"encoding/asn1"
	"math/rand"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// readOID answers exactly as cryptobyte's ReadASN1ObjectIdentifier: same
// result, same value, same bytes left, for the named OIDs, for OIDs it
// does not know, and for malformed and truncated encodings.
func TestReadOIDMatchesCryptobyte(t *testing.T) {
	inputs := [][]byte{nil, {0x06}, {0x06, 0x00}, {0x06, 0x01}, {0x05, 0x00},
		{0x06, 0x02, 0x80, 0x01}, // non-minimal arc
		{0x06, 0x03, 0x2a, 0x85}, // truncated
		{0x06, 0x01, 0x2a, 0x05, 0x00},
	}
	for _, o := range namedOIDs {
		der, err := asn1.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, der, append(bytes.Clone(der), 0x05, 0x00), der[:len(der)-1])
		// A longer OID sharing the prefix, and a non-minimal form of it.
		longer, _ := asn1.Marshal(append(append(asn1.ObjectIdentifier(nil), o...), 77))
		inputs = append(inputs, longer)
		bad := append([]byte{0x06, der[1] + 1, der[2]}, append([]byte{0x80}, der[3:]...)...)
		inputs = append(inputs, bad)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		b := make([]byte, 2+rng.Intn(12))
		rng.Read(b)
		b[0], b[1] = 0x06, byte(len(b)-2)
		inputs = append(inputs, b)
	}
	for _, in := range inputs {
		s1, s2 := cryptobyte.String(in), cryptobyte.String(in)
		var o1, o2 asn1.ObjectIdentifier
		ok1 := s1.ReadASN1ObjectIdentifier(&o1)
		ok2 := readOID(&s2, &o2)
		if ok1 != ok2 {
			t.Fatalf("%x: cryptobyte %v, readOID %v", in, ok1, ok2)
		}
		if ok1 && (!o1.Equal(o2) || !bytes.Equal(s1, s2)) {
			t.Fatalf("%x: cryptobyte %v rest %x, readOID %v rest %x", in, o1, []byte(s1), o2, []byte(s2))
		}
	}
	if len(knownOIDs) != len(namedOIDs) {
		t.Fatalf("%d named OIDs, %d in the table (a duplicate?)", len(namedOIDs), len(knownOIDs))
	}
}

// A named OID is read without allocating, and what it returns cannot be
// grown into the package's value.
func TestReadOIDNoAlloc(t *testing.T) {
	der, _ := asn1.Marshal(OIDExtSubjectSignTool)
	var o asn1.ObjectIdentifier
	if n := testing.AllocsPerRun(100, func() {
		s := cryptobyte.String(der)
		if !readOID(&s, &o) {
			t.Fatal("not read")
		}
	}); n != 0 {
		t.Fatalf("%v allocations per read", n)
	}
	grown := append(o, 1)
	grown[0] = 9
	if !OIDExtSubjectSignTool.Equal(asn1.ObjectIdentifier{1, 2, 643, 100, 111}) || cap(o) != len(o) {
		t.Fatalf("the package's OID changed: %v", OIDExtSubjectSignTool)
	}
}
