package cms

import (
	"bytes"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// sortedSet re-encodes a DER SET OF with its elements in DER order
// (X.690 §11.6: ascending as octet strings) and reports whether that
// changed anything.
func sortedSet(set []byte) ([]byte, bool) {
	s := cryptobyte.String(set)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SET) || !s.Empty() {
		return nil, false
	}
	var elems [][]byte
	for !body.Empty() {
		var e cryptobyte.String
		var tag cbasn1.Tag
		if !body.ReadAnyASN1Element(&e, &tag) {
			return nil, false
		}
		elems = append(elems, e)
	}
	if slices.IsSortedFunc(elems, bytes.Compare) {
		return nil, false
	}
	slices.SortFunc(elems, bytes.Compare)
	b := cryptobyte.NewBuilder(make([]byte, 0, len(set)))
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, e := range elems {
			b.AddBytes(e)
		}
	})
	out, err := b.Bytes()
	return out, err == nil
}
