package pkix

import (
	"testing"
)

// ParseName sizes Attrs once: its capacity is the attribute count, an
// empty Name has none (nil, as before), and multi-valued RDNs count
// every attribute.
func TestParseNameSizesAttrs(t *testing.T) {
	full := fullSubject()
	for _, s := range []Subject{full, {CommonName: "x"}, {}} {
		der, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		n, err := ParseName(der)
		if err != nil {
			t.Fatal(err)
		}
		if cap(n.Attrs) != len(n.Attrs) || (len(n.Attrs) == 0) != (n.Attrs == nil) {
			t.Errorf("%d attributes, capacity %d, nil %v", len(n.Attrs), cap(n.Attrs), n.Attrs == nil)
		}
	}
	plus := &Name{Attrs: []Attribute{
		{Type: OIDCommonName, Tag: 12, Value: "a"},
		{Type: OIDSurname, Tag: 12, Value: "b", Plus: true},
		{Type: OIDCountry, Tag: 19, Value: "RU"},
	}}
	der, err := plus.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseName(der)
	if err != nil || len(n.Attrs) != 3 || cap(n.Attrs) != 3 || !n.Attrs[1].Plus {
		t.Fatalf("%+v %v", n, err)
	}
}
