package pkix

import (
	"bytes"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ocspRawCertID spells a CertID out: hash AlgorithmIdentifier contents,
// the two hashes and the serial INTEGER element.
func ocspRawCertID(alg, nameHash, keyHash, serial []byte) CertID {
	return CertID{Raw: crlTLV(cbasn1.SEQUENCE, crlTLV(cbasn1.SEQUENCE, alg),
		crlTLV(cbasn1.OCTET_STRING, nameHash), crlTLV(cbasn1.OCTET_STRING, keyHash), serial)}
}

func TestParseOCSPRequestBad(t *testing.T) {
	_, iss, _ := ocspIssuer(t, "tc26-256-A")
	id := ocspCertID(t, iss, OCSPHashSHA256, "0102")
	good := ocspBuildRequest(t, ocspReq{ids: []CertID{id}, nonce: ocspNonceValue})
	parsed, err := ParseOCSPRequest(good)
	if err != nil {
		t.Fatal(err)
	}
	idDER := parsed.CertIDs[0].Raw
	sha256OID := appendOID(nil, ocspOIDSHA256)
	h32 := make([]byte, 32)
	many := make([]CertID, 65)
	for i := range many {
		many[i] = id
	}
	crit := Extension{ID: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{0x05, 0x00}}
	nonceExt := func(v []byte) Extension { return Extension{ID: OIDOCSPNonce, Value: v} }
	tests := []struct {
		name string
		der  []byte
		req  *ocspReq
		want error
	}{
		{"empty", []byte{}, nil, ErrMalformed},
		{"truncated", good[:len(good)-1], nil, ErrMalformed},
		{"trailing", append(bytes.Clone(good), 0), nil, ErrTrailingData},
		{"SET outside", append([]byte{0x31}, good[1:]...), nil, ErrMalformed},
		{"tbsRequest missing", []byte{0x30, 0x00}, nil, ErrMalformed},
		{"too large", make([]byte, MaxOCSPRequestSize+1), nil, ErrTooLarge},
		{"no CertID", nil, &ocspReq{}, ErrMalformed},
		{"too many CertIDs", nil, &ocspReq{ids: many}, ErrTooLarge},
		{"SHA-384 CertID", nil, &ocspReq{ids: []CertID{ocspRawCertID(appendOID(nil, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}),
			make([]byte, 48), make([]byte, 48), crlSerialOK)}}, ErrUnsupported},
		{"hash parameters not NULL", nil, &ocspReq{ids: []CertID{ocspRawCertID(append(bytes.Clone(sha256OID), 0x02, 0x01, 0x00),
			h32, h32, crlSerialOK)}}, ErrMalformed},
		{"short issuer hash", nil, &ocspReq{ids: []CertID{ocspRawCertID(sha256OID, h32[:20], h32, crlSerialOK)}}, ErrMalformed},
		{"huge serial", nil, &ocspReq{ids: []CertID{ocspRawCertID(sha256OID, h32, h32,
			crlTLV(cbasn1.INTEGER, bytes.Repeat([]byte{0x11}, 21)))}}, ErrTooLarge},
		{"negative serial", nil, &ocspReq{ids: []CertID{ocspRawCertID(sha256OID, h32, h32, []byte{0x02, 0x01, 0xFF})}}, ErrUnsupported},
		{"non-minimal serial", nil, &ocspReq{ids: []CertID{ocspRawCertID(sha256OID, h32, h32, []byte{0x02, 0x02, 0x00, 0x05})}}, ErrMalformed},
		{"serial as OCTET STRING", nil, &ocspReq{ids: []CertID{ocspRawCertID(sha256OID, h32, h32, []byte{0x04, 0x01, 0x05})}}, ErrMalformed},
		{"CertID trailing", nil, &ocspReq{ids: []CertID{{Raw: crlTLV(cbasn1.SEQUENCE, idDER[2:], []byte{0x05, 0x00})}}}, ErrTrailingData},
		{"nonce 33 octets", nil, &ocspReq{ids: []CertID{id}, nonce: make([]byte, 33)}, ErrTooLarge},
		{"nonce empty", nil, &ocspReq{ids: []CertID{id}, nonce: []byte{}}, ErrMalformed},
		{"nonce not an OCTET STRING", nil, &ocspReq{ids: []CertID{id}, exts: []Extension{nonceExt([]byte{0x02, 0x01, 0x05})}}, ErrMalformed},
		{"unknown critical extension", nil, &ocspReq{ids: []CertID{id}, exts: []Extension{crit}}, ErrUnsupported},
		{"unknown critical single extension", nil, &ocspReq{ids: []CertID{id}, singleExts: []Extension{crit}}, ErrUnsupported},
		{"version 2", append([]byte(nil), bytes.Replace(ocspBuildRequest(t, ocspReq{ids: []CertID{id}, version: true}),
			[]byte{0xA0, 0x03, 0x02, 0x01, 0x00}, []byte{0xA0, 0x03, 0x02, 0x01, 0x01}, 1)...), nil, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der := tt.der
			if tt.req != nil {
				der = ocspBuildRequest(t, *tt.req)
			}
			_, err := ParseOCSPRequest(der)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	for _, tc := range []struct {
		path string
		want error
	}{
		{"%zz", ErrMalformed},
		{"MEk*", ErrMalformed},
		{base64.StdEncoding.EncodeToString(good)[:10] + "-_", ErrMalformed},
		{strings.Repeat("A", 3*base64.StdEncoding.EncodedLen(MaxOCSPRequestSize)+1), ErrTooLarge},
		{base64.StdEncoding.EncodeToString(append(bytes.Clone(good), 0)), ErrTrailingData},
		{"", ErrMalformed},
	} {
		if _, err := ParseOCSPRequestGET(tc.path); !errors.Is(err, tc.want) {
			t.Errorf("GET %.20q: got %v, want %v", tc.path, err, tc.want)
		}
	}
}

func TestParseOCSPResponseBad(t *testing.T) {
	for _, tc := range []struct {
		name string
		der  []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"status only, successful", []byte{0x30, 0x03, 0x0A, 0x01, 0x00}, ErrMalformed},
		{"status 4", []byte{0x30, 0x03, 0x0A, 0x01, 0x04}, ErrMalformed},
		{"status as INTEGER", []byte{0x30, 0x03, 0x02, 0x01, 0x01}, ErrMalformed},
		{"error with responseBytes", []byte{0x30, 0x07, 0x0A, 0x01, 0x01, 0xA0, 0x02, 0x30, 0x00}, ErrMalformed},
		{"other response type", crlTLV(cbasn1.SEQUENCE, []byte{0x0A, 0x01, 0x00}, crlTLV(tagOCSPResponseBytes,
			crlTLV(cbasn1.SEQUENCE, appendOID(nil, OIDOCSPNonce), crlTLV(cbasn1.OCTET_STRING, []byte{0x30, 0x00})))), ErrUnsupported},
		{"too large", make([]byte, MaxOCSPResponseSize+1), ErrTooLarge},
	} {
		if _, err := ParseOCSPResponse(tc.der); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}
