package pkix

import (
	"bytes"
	"testing"
)

// FuzzParseOCSPRequest: ParseOCSPRequest never panics, keeps its bounds,
// and every request it accepts can be answered: a response echoing its
// CertIDs and nonce builds and parses back with the same CertID bytes.
func FuzzParseOCSPRequest(f *testing.F) {
	_, iss, _ := ocspIssuer(f, "tc26-256-A")
	var ids []CertID
	for i, h := range OCSPHashes {
		ids = append(ids, ocspCertID(f, iss, h, []string{"01", "80ff", "7fffffffffffffffffffffffffffffffffffffff", "1234"}[i]))
	}
	for _, r := range []ocspReq{
		{ids: ids[:1]},
		{ids: ids, nonce: ocspNonceValue},
		{ids: ids[1:2], version: true, requestor: true, signed: true, nonce: []byte{1}},
		{ids: ids[2:], singleExts: []Extension{{ID: OIDOCSPNoCheck, Value: []byte{0x05, 0x00}}}},
	} {
		f.Add(ocspBuildRequest(f, r))
	}
	f.Add([]byte{0x30, 0x02, 0x30, 0x00})

	keyHash := make([]byte, 20)
	f.Fuzz(func(t *testing.T, der []byte) {
		req, err := ParseOCSPRequest(der)
		if err != nil {
			return
		}
		if len(req.CertIDs) == 0 || len(req.Nonce) > 32 || req.Nonce != nil && len(req.Nonce) == 0 {
			t.Fatalf("request out of bounds: %+v", req)
		}
		tmpl := &OCSPResponseTemplate{ResponderKeyHash: keyHash, ProducedAt: crlNow, Nonce: req.Nonce}
		for _, id := range req.CertIDs {
			if id.Hash.Size() != len(id.IssuerKeyHash) || len(id.Serial) == 0 || len(id.Serial) > 20 {
				t.Fatalf("CertID out of bounds: %+v", id)
			}
			tmpl.Responses = append(tmpl.Responses, SingleResponse{CertID: id, Status: OCSPUnknown, ThisUpdate: crlNow})
		}
		tbs, err := BuildOCSPResponseData(tmpl)
		if err != nil {
			t.Fatalf("cannot answer an accepted request: %v", err)
		}
		resp, err := AssembleOCSPResponse(tbs, GOST256, make([]byte, 64), nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseOCSPResponse(resp)
		if err != nil {
			t.Fatalf("own response does not parse: %v", err)
		}
		if !bytes.Equal(r.Nonce, req.Nonce) || len(r.Responses) != len(req.CertIDs) {
			t.Fatal("response does not echo the request")
		}
		for i, sr := range r.Responses {
			if !bytes.Equal(sr.CertID.Raw, req.CertIDs[i].Raw) {
				t.Fatalf("CertID %d not echoed verbatim", i)
			}
		}
	})
}
