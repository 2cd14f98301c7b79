package pkix

import (
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The ResponseData of an OCSP response is written into one buffer by
// derWriter, which patches each element's length when the element ends,
// instead of by a cryptobyte builder, which makes a child builder and a
// closure per nested element: about twenty allocations per response, and
// every new certificate gets one (its pre-signed "good"). The bytes are
// the builder's, byte for byte (ocsp_respdata_test.go compares them).

// derWriter appends DER elements whose lengths are known only at their
// end: begin writes the tag and a one-octet length, end fixes the length,
// moving the contents when it needs more octets.
type derWriter struct {
	b    []byte
	open [8]int // offsets of the contents of the elements begun
	n    int
}

func (w *derWriter) begin(tag cbasn1.Tag) {
	w.b = append(w.b, byte(tag), 0)
	w.open[w.n] = len(w.b)
	w.n++
}

func (w *derWriter) end() {
	w.n--
	start := w.open[w.n]
	n := len(w.b) - start
	extra := headerLen(n) - 2
	if extra == 0 {
		w.b[start-1] = byte(n)
		return
	}
	for i := 0; i < extra; i++ {
		w.b = append(w.b, 0)
	}
	copy(w.b[start+extra:], w.b[start:start+n])
	w.b[start-1] = 0x80 | byte(extra)
	for i := 0; i < extra; i++ {
		w.b[start+i] = byte(n >> (8 * (extra - 1 - i)))
	}
}

func (w *derWriter) octets(v []byte) {
	w.b = appendHeader(w.b, cbasn1.OCTET_STRING, len(v))
	w.b = append(w.b, v...)
}

// ocspAppendResponseData writes what BuildOCSPResponseData's template
// check has accepted (times within 0000..9999, valid CertIDs, reasons).
func ocspAppendResponseData(dst []byte, tmpl *OCSPResponseTemplate) []byte {
	w := derWriter{b: dst}
	w.begin(cbasn1.SEQUENCE)
	// version v1 is the DEFAULT: omitted.
	w.begin(tagOCSPByKey)
	w.octets(tmpl.ResponderKeyHash)
	w.end()
	w.b = revAppendTime(w.b, tmpl.ProducedAt, true)
	w.begin(cbasn1.SEQUENCE)
	for i := range tmpl.Responses {
		ocspAppendSingle(&w, &tmpl.Responses[i])
	}
	w.end()
	if tmpl.Nonce != nil {
		w.begin(tagOCSPRespExts)
		w.begin(cbasn1.SEQUENCE)
		w.begin(cbasn1.SEQUENCE)
		w.b = appendOID(w.b, OIDOCSPNonce)
		w.begin(cbasn1.OCTET_STRING)
		w.octets(tmpl.Nonce) // RFC 8954: Nonce ::= OCTET STRING
		w.end()
		w.end()
		w.end()
		w.end()
	}
	w.end()
	return w.b
}

func ocspAppendSingle(w *derWriter, r *SingleResponse) {
	w.begin(cbasn1.SEQUENCE)
	if id := &r.CertID; id.Raw != nil {
		w.b = append(w.b, id.Raw...)
	} else {
		w.begin(cbasn1.SEQUENCE)
		w.begin(cbasn1.SEQUENCE)
		w.b = appendOID(w.b, id.Hash.OID())
		w.end()
		w.octets(id.IssuerNameHash)
		w.octets(id.IssuerKeyHash)
		mag, _, _ := revSerialMagnitude(id.Serial)
		w.b = revAppendSerial(w.b, mag)
		w.end()
	}
	switch r.Status {
	case OCSPGood:
		w.b = append(w.b, byte(tagOCSPGood), 0)
	case OCSPUnknown:
		w.b = append(w.b, byte(tagOCSPUnknown), 0)
	case OCSPRevoked:
		w.begin(tagOCSPRevoked)
		w.b = revAppendTime(w.b, r.RevokedAt, true)
		if r.Reason != ReasonUnspecified {
			w.begin(tagOCSPReason)
			w.b = appendEnum(w.b, int64(r.Reason))
			w.end()
		}
		w.end()
	}
	w.b = revAppendTime(w.b, r.ThisUpdate, true)
	if !r.NextUpdate.IsZero() {
		w.begin(tagOCSPNextUpdate)
		w.b = revAppendTime(w.b, r.NextUpdate, true)
		w.end()
	}
	w.end()
}

// appendEnum appends an ENUMERATED of a small non-negative value (a
// revocation reason), minimally encoded as cryptobyte does.
func appendEnum(dst []byte, v int64) []byte {
	if v < 0x80 {
		return append(dst, byte(cbasn1.ENUM), 1, byte(v))
	}
	return append(dst, byte(cbasn1.ENUM), 2, byte(v>>8), byte(v))
}
