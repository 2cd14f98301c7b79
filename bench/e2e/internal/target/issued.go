package target

import (
	"bytes"
	"encoding/base64"
)

// IssuedAnswer is what the issuance workload checks in each answer
// without decoding the whole JSON: the serial (hex) and the certificate's
// DER from certificate_pem. Both alias the buffers passed to
// ParseIssuedAnswer.
type IssuedAnswer struct {
	Serial []byte
	DER    []byte
}

var (
	keySerial  = []byte(`"serial":"`)
	keyCertPEM = []byte(`"certificate_pem":"`)
	pemHead    = []byte(`-----BEGIN CERTIFICATE-----\n`) // JSON-escaped newline
	pemTail    = []byte(`-----END CERTIFICATE-----\n"`)
	jsonNL     = []byte(`\n`)
)

// ParseIssuedAnswer checks an issuance answer: a JSON object with a
// non-empty hexadecimal serial and a certificate_pem whose base64 decodes
// (into scratch, grown as needed) to one DER SEQUENCE of exactly the
// decoded length. It returns false for anything else.
func ParseIssuedAnswer(body, scratch []byte) (IssuedAnswer, []byte, bool) {
	var a IssuedAnswer
	if len(body) < 2 || body[0] != '{' {
		return a, scratch, false
	}
	i := bytes.Index(body, keySerial)
	if i < 0 {
		return a, scratch, false
	}
	s := body[i+len(keySerial):]
	j := bytes.IndexByte(s, '"')
	if j <= 0 {
		return a, scratch, false
	}
	for _, c := range s[:j] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return a, scratch, false
		}
	}
	a.Serial = s[:j]
	i = bytes.Index(body, keyCertPEM)
	if i < 0 {
		return a, scratch, false
	}
	p, ok := bytes.CutPrefix(body[i+len(keyCertPEM):], pemHead)
	if !ok {
		return a, scratch, false
	}
	end := bytes.Index(p, pemTail)
	if end < 0 {
		return a, scratch, false
	}
	p = p[:end]
	// p is base64 lines, each ending in a JSON-escaped newline.
	n := 0
	scratch = scratch[:0]
	for len(p) > 0 {
		line, rest, ok := bytes.Cut(p, jsonNL)
		if !ok || len(line) == 0 || len(line) > 64 {
			return a, scratch, false
		}
		p = rest
		need := n + base64.StdEncoding.DecodedLen(len(line))
		if cap(scratch) < need {
			scratch = append(scratch[:n], make([]byte, need-n)...)
		}
		scratch = scratch[:need]
		m, err := base64.StdEncoding.Decode(scratch[n:], line)
		if err != nil {
			return a, scratch, false
		}
		n += m
	}
	der := scratch[:n]
	if !derSequenceExact(der) {
		return a, scratch, false
	}
	a.DER = der
	return a, scratch, true
}

// derSequenceExact reports whether b is one DER SEQUENCE with a definite
// length that ends exactly at the end of b.
func derSequenceExact(b []byte) bool {
	if len(b) < 2 || b[0] != 0x30 {
		return false
	}
	l, hdr := int(b[1]), 2
	if l >= 0x80 {
		k := l & 0x7f
		if k == 0 || k > 3 || len(b) < 2+k {
			return false
		}
		l = 0
		for _, c := range b[2 : 2+k] {
			l = l<<8 | int(c)
		}
		hdr += k
	}
	return hdr+l == len(b)
}
