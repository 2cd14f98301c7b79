package pkix

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
)

// BenchmarkCreateOCSPResponse answers a one-certificate request with a
// nonce, signed live with a GOST 256 (tc26-256-A) key: the per-request
// cost of a nonce-bearing OCSP request.
func BenchmarkCreateOCSPResponse(b *testing.B) {
	key, iss, _ := ocspIssuer(b, "tc26-256-A")
	req, err := ParseOCSPRequest(ocspBuildRequest(b, ocspReq{
		ids: []CertID{ocspCertID(b, iss, OCSPHashSHA256, "7a1b2c3d4e5f60718293")}, nonce: ocspNonceValue}))
	if err != nil {
		b.Fatal(err)
	}
	spki, _ := MarshalPublicKeyInfo(key.Public())
	keyHash, _ := ResponderKeyHash(spki)
	tmpl := &OCSPResponseTemplate{
		ResponderKeyHash: keyHash, ProducedAt: crlNow, Nonce: req.Nonce, SignatureAlgorithm: GOST256,
		Responses: []SingleResponse{{CertID: req.CertIDs[0], Status: OCSPRevoked, RevokedAt: crlNow,
			Reason: ReasonKeyCompromise, ThisUpdate: crlNow, NextUpdate: crlNow.Add(3600e9)}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CreateOCSPResponse(rand.Reader, key, tmpl); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseOCSPRequest parses an OpenSSL-shaped request: one SHA-256
// CertID and a 16-octet nonce.
func BenchmarkParseOCSPRequest(b *testing.B) {
	_, iss, _ := ocspIssuer(b, "tc26-256-A")
	der := ocspBuildRequest(b, ocspReq{
		ids: []CertID{ocspCertID(b, iss, OCSPHashSHA256, "7a1b2c3d4e5f60718293")}, nonce: ocspNonceValue})
	b.SetBytes(int64(len(der)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseOCSPRequest(der); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseOCSPRequestGET parses the GET form of a nonce-less SHA-1
// request as OpenSSL and RFC 5019 clients escape it, from the bytes of a
// request URI: the responder's hot path for cached answers.
func BenchmarkParseOCSPRequestGET(b *testing.B) {
	_, iss, _ := ocspIssuer(b, "tc26-256-A")
	der := ocspBuildRequest(b, ocspReq{ids: []CertID{ocspCertID(b, iss, OCSPHashSHA1, "7a1b2c3d4e5f60718293")}})
	path := []byte(strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(base64.StdEncoding.EncodeToString(der)))
	b.SetBytes(int64(len(path)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseOCSPRequestGETBytes(path); err != nil {
			b.Fatal(err)
		}
	}
}
