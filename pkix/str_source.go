package pkix

// sourceText is a DER input and one string copy of it. Parsing a Name
// turns each attribute value into a string; values stored as they are
// (UTF8String, PrintableString, NumericString, IA5String) become
// substrings of the one copy instead of an allocation each. A value keeps
// the whole copy alive: a name's few hundred bytes.
type sourceText struct {
	der  []byte
	text string
}

func newSourceText(der []byte) sourceText {
	return sourceText{der: der, text: string(der)}
}

// str returns v as a string: a substring of the copy when v lies inside
// der (found by capacity: slices of der share its end), else a new string.
func (s sourceText) str(v []byte) string {
	if s.der == nil || len(v) == 0 {
		return string(v)
	}
	off := cap(s.der) - cap(v)
	if off < 0 || off+len(v) > len(s.der) || &s.der[off] != &v[0] {
		return string(v)
	}
	return s.text[off : off+len(v)]
}
