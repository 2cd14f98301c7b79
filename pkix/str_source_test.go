package pkix

import (
	"bytes"
	"testing"
)

// A slice of the source comes back as the same text without a copy of its
// own; anything else (another array, a slice sharing only the capacity
// arithmetic by chance, empty) as a plain copy.
func TestSourceTextStr(t *testing.T) {
	der := []byte("0123456789abcdef")
	src := newSourceText(der)
	for i := 0; i <= len(der); i++ {
		for j := i; j <= len(der); j++ {
			if got := src.str(der[i:j]); got != string(der[i:j]) {
				t.Fatalf("[%d:%d] = %q", i, j, got)
			}
		}
	}
	other := bytes.Clone(der)
	if got := src.str(other[3:7]); got != "3456" {
		t.Fatalf("foreign slice: %q", got)
	}
	if got := (sourceText{}).str(der[2:4]); got != "23" {
		t.Fatalf("no source: %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = src.str(der[4:9]) }); n != 0 {
		t.Fatalf("%v allocations for a substring of the source", n)
	}
}

// ParseName reads every value of a qualified subject as before (the
// attribute list equals what the subject was made of) with one string
// allocation for all values that need no conversion.
func TestParseNameSharesText(t *testing.T) {
	s := subscriberSubject(ProfileQualifiedEmployee)
	der, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseName(der)
	if err != nil {
		t.Fatal(err)
	}
	back, err := n.Subject()
	if err != nil {
		t.Fatal(err)
	}
	if *back != *s {
		t.Fatalf("round trip: %+v, want %+v", back, s)
	}
	// The Name, its attribute slice and the shared text (known OIDs are
	// not allocated): no allocation per value any more (there were 13).
	const want = 3
	if got := testing.AllocsPerRun(100, func() { _, _ = ParseName(der) }); got > want {
		t.Fatalf("ParseName: %v allocations for %d attributes, want at most %v", got, len(n.Attrs), want)
	}
}
