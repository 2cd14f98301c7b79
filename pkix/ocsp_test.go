package pkix

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ocspReq describes a request for the test-only encoder below (the
// package parses requests; clients build them).
type ocspReq struct {
	ids        []CertID
	nonce      []byte      // RFC 8954 nonce; nil for none
	exts       []Extension // more requestExtensions
	singleExts []Extension // singleRequestExtensions of every request
	version    bool        // write the DEFAULT v1 explicitly
	requestor  bool
	signed     bool
}

func ocspBuildRequest(t testing.TB, r ocspReq) []byte {
	t.Helper()
	exts := append([]Extension(nil), r.exts...)
	if r.nonce != nil {
		v, _ := asn1.Marshal(r.nonce)
		exts = append(exts, Extension{ID: OIDOCSPNonce, Value: v})
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if r.version {
				b.AddASN1(tagOCSPVersion, func(b *cryptobyte.Builder) { b.AddASN1Int64(0) })
			}
			if r.requestor {
				b.AddASN1(tagOCSPRequestor, func(b *cryptobyte.Builder) {
					addGeneralName(b, tagGNEmail, "client@example.ru")
				})
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for i := range r.ids {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						ocspAddCertID(b, &r.ids[i])
						if r.singleExts != nil {
							b.AddASN1(tagOCSPSingleExt, func(b *cryptobyte.Builder) {
								b.AddBytes(ocspMustExts(t, r.singleExts))
							})
						}
					})
				}
			})
			if len(exts) > 0 {
				b.AddASN1(tagOCSPReqExts, func(b *cryptobyte.Builder) { b.AddBytes(ocspMustExts(t, exts)) })
			}
		})
		if r.signed {
			b.AddASN1(tagOCSPSignature, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					addAlgorithmIdentifier(b, GOST256)
					b.AddASN1BitString(make([]byte, 64))
					b.AddASN1(tagOCSPCerts, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1NULL() })
						})
					})
				})
			})
		}
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func ocspMustExts(t testing.TB, exts []Extension) []byte {
	t.Helper()
	der, err := MarshalExtensions(exts)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// ocspIssuer returns an issuer (test name, key of curve) with its
// OCSPIssuer and SPKI.
func ocspIssuer(t testing.TB, curve string) (crypto.Signer, *OCSPIssuer, []byte) {
	t.Helper()
	key := crlKey(t, curve)
	spki, err := MarshalPublicKeyInfo(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	iss, err := NewOCSPIssuer(crlIssuer(t), spki)
	if err != nil {
		t.Fatal(err)
	}
	return key, iss, spki
}

func ocspCertID(t testing.TB, iss *OCSPIssuer, h OCSPHash, serial string) CertID {
	t.Helper()
	id, err := iss.CertID(h, crlSerial(serial))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var ocspNonceValue = []byte("0123456789abcdef")

func TestParseOCSPRequest(t *testing.T) {
	_, iss, _ := ocspIssuer(t, "tc26-256-A")
	ids := []CertID{
		ocspCertID(t, iss, OCSPHashSHA1, "01"),
		ocspCertID(t, iss, OCSPHashSHA256, "80ff"),
		ocspCertID(t, iss, OCSPHashStreebog256, "7fffffffffffffffffffffffffffffffffffffff"),
		ocspCertID(t, iss, OCSPHashStreebog512, "1234"),
	}
	other := Extension{ID: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 4}, Value: []byte{0x30, 0x00}}
	tests := []struct {
		name string
		req  ocspReq
	}{
		{"minimal", ocspReq{ids: ids[:1]}},
		{"all hashes, nonce", ocspReq{ids: ids, nonce: ocspNonceValue}},
		{"nonce 1 octet", ocspReq{ids: ids[:1], nonce: []byte{7}}},
		{"nonce 32 octets", ocspReq{ids: ids[:1], nonce: bytes.Repeat([]byte{7}, 32)}},
		{"explicit v1, requestor, signed", ocspReq{ids: ids[1:2], version: true, requestor: true, signed: true}},
		{"non-critical extensions", ocspReq{ids: ids[:2], exts: []Extension{other}, singleExts: []Extension{other}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der := ocspBuildRequest(t, tt.req)
			req, err := ParseOCSPRequest(der)
			if err != nil {
				t.Fatal(err)
			}
			if len(req.CertIDs) != len(tt.req.ids) {
				t.Fatalf("%d CertIDs, want %d", len(req.CertIDs), len(tt.req.ids))
			}
			for i, id := range req.CertIDs {
				want := tt.req.ids[i]
				if id.Hash != want.Hash || !bytes.Equal(id.Serial, want.Serial) ||
					!bytes.Equal(id.IssuerNameHash, want.IssuerNameHash) || !bytes.Equal(id.IssuerKeyHash, want.IssuerKeyHash) {
					t.Errorf("CertID %d: %+v, want %+v", i, id, want)
				}
				if !iss.Matches(&id) || !bytes.Contains(der, id.Raw) {
					t.Errorf("CertID %d does not match its issuer or Raw is wrong", i)
				}
			}
			if !bytes.Equal(req.Nonce, tt.req.nonce) {
				t.Errorf("nonce %x, want %x", req.Nonce, tt.req.nonce)
			}
			if req.Signed != tt.req.signed || tt.req.signed && (len(req.Certificates) != 1 || len(req.Signature) != 64) {
				t.Errorf("signature: %+v", req)
			}
			if (req.RequestorName != nil) != tt.req.requestor {
				t.Errorf("requestorName %x", req.RequestorName)
			}

			// The same request through GET, in each accepted spelling.
			std := base64.StdEncoding.EncodeToString(der)
			for _, path := range []string{
				url.PathEscape(std), std, strings.ReplaceAll(std, "+", " "),
				base64.URLEncoding.EncodeToString(der), base64.RawURLEncoding.EncodeToString(der),
				base64.RawStdEncoding.EncodeToString(der),
			} {
				got, err := ParseOCSPRequestGET(path)
				if err != nil {
					t.Fatalf("GET %q: %v", path, err)
				}
				if !reflect.DeepEqual(got.CertIDs, req.CertIDs) {
					t.Errorf("GET %q: CertIDs differ", path)
				}
			}
		})
	}
}

func TestOCSPIssuer(t *testing.T) {
	_, iss, spki := ocspIssuer(t, "tc26-256-A")
	_, other, _ := ocspIssuer(t, "tc26-256-A")
	bits, err := SubjectPublicKeyBits(spki)
	if err != nil {
		t.Fatal(err)
	}
	if len(bits) != 66 || bits[0] != 0x04 || bits[1] != 0x40 {
		t.Errorf("GOST key bits %x: want the OCTET STRING of the point", bits)
	}
	for _, h := range OCSPHashes {
		id := ocspCertID(t, iss, h, "05")
		n, k, err := CertIDHashes(h, crlIssuer(t), bits)
		if err != nil || !bytes.Equal(n, id.IssuerNameHash) || !bytes.Equal(k, id.IssuerKeyHash) || len(n) != h.Size() {
			t.Errorf("%s: CertIDHashes disagrees with OCSPIssuer", h)
		}
		if !iss.Matches(&id) || other.Matches(&id) {
			t.Errorf("%s: Matches wrong", h)
		}
	}
	if _, err := iss.CertID(OCSPHash(9), []byte{1}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("unknown hash: %v", err)
	}
	if _, err := iss.CertID(OCSPHashSHA1, []byte{0}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("zero serial: %v", err)
	}
	if _, err := NewOCSPIssuer([]byte{1, 2}, spki); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("bad subject: %v", err)
	}
	if _, err := NewOCSPIssuer(crlIssuer(t), spki[:10]); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad SPKI: %v", err)
	}
}

func ocspTemplate(t testing.TB, iss *OCSPIssuer) *OCSPResponseTemplate {
	now := crlNow
	return &OCSPResponseTemplate{
		ProducedAt: now,
		Nonce:      ocspNonceValue,
		Responses: []SingleResponse{
			{CertID: ocspCertID(t, iss, OCSPHashSHA256, "01"), Status: OCSPGood, ThisUpdate: now, NextUpdate: now.Add(time.Hour)},
			{CertID: ocspCertID(t, iss, OCSPHashStreebog256, "02"), Status: OCSPRevoked, RevokedAt: now.Add(-time.Hour),
				Reason: ReasonKeyCompromise, ThisUpdate: now},
			{CertID: ocspCertID(t, iss, OCSPHashSHA1, "03"), Status: OCSPRevoked, RevokedAt: now.Add(-time.Hour), ThisUpdate: now},
			{CertID: ocspCertID(t, iss, OCSPHashSHA1, "04"), Status: OCSPUnknown, ThisUpdate: now},
		},
	}
}

func TestOCSPResponseRoundTrip(t *testing.T) {
	for _, curve := range []string{"tc26-256-A", "tc26-512-A", "P-256"} {
		t.Run(curve, func(t *testing.T) {
			key, iss, spki := ocspIssuer(t, curve)
			tmpl := ocspTemplate(t, iss)
			tmpl.Certificates = [][]byte{{0x30, 0x03, 0x02, 0x01, 0x01}}
			der, err := CreateOCSPResponse(rand.Reader, key, tmpl)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseOCSPResponse(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.CheckSignatureFrom(key.Public()); err != nil {
				t.Fatal(err)
			}
			keyHash, _ := ResponderKeyHash(spki)
			if r.Status != OCSPSuccessful || !bytes.Equal(r.ResponderKeyHash, keyHash) || r.ResponderName != nil ||
				!r.ProducedAt.Equal(tmpl.ProducedAt) || !bytes.Equal(r.Nonce, tmpl.Nonce) ||
				!reflect.DeepEqual(r.Certificates, tmpl.Certificates) {
				t.Errorf("response: %+v", r)
			}
			if len(r.Responses) != len(tmpl.Responses) {
				t.Fatalf("%d responses", len(r.Responses))
			}
			for i, got := range r.Responses {
				want := tmpl.Responses[i]
				want.CertID = got.CertID
				if !reflect.DeepEqual(got, want) {
					t.Errorf("response %d:\n got %+v\nwant %+v", i, got, want)
				}
				if !iss.Matches(&got.CertID) || !bytes.Equal(got.CertID.Serial, tmpl.Responses[i].CertID.Serial) {
					t.Errorf("response %d: CertID %+v", i, got.CertID)
				}
			}
			// Split form: the digest signed elsewhere.
			tmpl.ResponderKeyHash = keyHash
			tbs, err := BuildOCSPResponseData(tmpl)
			if err != nil {
				t.Fatal(err)
			}
			alg, _ := SignatureAlgorithmFor(key.Public())
			sig, err := key.Sign(rand.Reader, alg.Digest(tbs), alg.Hash())
			if err != nil {
				t.Fatal(err)
			}
			der, err = AssembleOCSPResponse(tbs, alg, sig, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r, err = ParseOCSPResponse(der); err != nil {
				t.Fatal(err)
			}
			if err := r.CheckSignatureFrom(key.Public()); err != nil || r.Certificates != nil {
				t.Fatalf("split form: %v", err)
			}
			other := crlKey(t, curve)
			if err := r.CheckSignatureFrom(other.Public()); !errors.Is(err, ErrBadSignature) {
				t.Errorf("other key: %v", err)
			}
		})
	}
}

// TestOCSPEchoesCertID: the response carries the request's CertID bytes,
// NULL hash parameters included.
func TestOCSPEchoesCertID(t *testing.T) {
	key, iss, _ := ocspIssuer(t, "tc26-256-A")
	id := ocspCertID(t, iss, OCSPHashSHA256, "0a")
	// The CertID as OpenSSL writes it: hash parameters NULL.
	cb := cryptobyte.NewBuilder(nil)
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(ocspOIDSHA256)
			b.AddASN1NULL()
		})
		b.AddASN1OctetString(id.IssuerNameHash)
		b.AddASN1OctetString(id.IssuerKeyHash)
		b.AddASN1BigInt(big.NewInt(10))
	})
	id.Raw = cb.BytesOrPanic()
	withNull := ocspBuildRequest(t, ocspReq{ids: []CertID{id}})
	req, err := ParseOCSPRequest(withNull)
	if err != nil {
		t.Fatal(err)
	}
	der, err := CreateOCSPResponse(rand.Reader, key, &OCSPResponseTemplate{
		ProducedAt: crlNow,
		Responses:  []SingleResponse{{CertID: req.CertIDs[0], Status: OCSPGood, ThisUpdate: crlNow}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(der, req.CertIDs[0].Raw) || !bytes.Contains(der, []byte{0x05, 0x00}) {
		t.Error("CertID not echoed verbatim")
	}
}

func TestOCSPErrorResponse(t *testing.T) {
	for _, s := range []OCSPResponseStatus{OCSPMalformedRequest, OCSPInternalError, OCSPTryLater, OCSPSigRequired, OCSPUnauthorized} {
		der, err := OCSPErrorResponse(s)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseOCSPResponse(der)
		if err != nil || r.Status != s {
			t.Errorf("%s: %v %+v", s, err, r)
		}
		if err := r.CheckSignatureFrom(nil); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s: signature check: %v", s, err)
		}
	}
	for _, s := range []OCSPResponseStatus{OCSPSuccessful, 4, 7, -1} {
		if _, err := OCSPErrorResponse(s); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s: %v", s, err)
		}
	}
}

func TestOCSPResponseValidation(t *testing.T) {
	key, iss, _ := ocspIssuer(t, "tc26-256-A")
	tests := []struct {
		name string
		mod  func(*OCSPResponseTemplate)
		want string
	}{
		{"no producedAt", func(r *OCSPResponseTemplate) { r.ProducedAt = time.Time{} }, "producedAt"},
		{"no responses", func(r *OCSPResponseTemplate) { r.Responses = nil }, "single responses"},
		{"empty nonce", func(r *OCSPResponseTemplate) { r.Nonce = []byte{} }, "nonce"},
		{"long nonce", func(r *OCSPResponseTemplate) { r.Nonce = make([]byte, 33) }, "nonce"},
		{"wrong key hash", func(r *OCSPResponseTemplate) { r.ResponderKeyHash = make([]byte, 20) }, "not the signer's"},
		{"bad certificate", func(r *OCSPResponseTemplate) { r.Certificates = [][]byte{{1, 2}} }, "certificate 1"},
		{"no thisUpdate", func(r *OCSPResponseTemplate) { r.Responses[0].ThisUpdate = time.Time{} }, "thisUpdate"},
		{"nextUpdate early", func(r *OCSPResponseTemplate) { r.Responses[0].NextUpdate = crlNow }, "nextUpdate"},
		{"good with reason", func(r *OCSPResponseTemplate) { r.Responses[0].Reason = ReasonKeyCompromise }, "good status"},
		{"revoked without time", func(r *OCSPResponseTemplate) { r.Responses[1].RevokedAt = time.Time{} }, "revocation time"},
		{"revoked later", func(r *OCSPResponseTemplate) { r.Responses[1].RevokedAt = crlNow.Add(time.Hour) }, "after thisUpdate"},
		{"reason 7", func(r *OCSPResponseTemplate) { r.Responses[1].Reason = 7 }, "except 7"},
		{"removeFromCRL", func(r *OCSPResponseTemplate) { r.Responses[1].Reason = ReasonRemoveFromCRL }, "removeFromCRL"},
		{"bad status", func(r *OCSPResponseTemplate) { r.Responses[0].Status = 3 }, "status"},
		{"bad CertID hash", func(r *OCSPResponseTemplate) { r.Responses[0].CertID.Hash = 0 }, "hash algorithm"},
		{"short CertID hash", func(r *OCSPResponseTemplate) { r.Responses[0].CertID.IssuerKeyHash = []byte{1} }, "digests"},
		{"zero serial", func(r *OCSPResponseTemplate) { r.Responses[0].CertID.Serial = nil }, "positive"},
		{"bad Raw", func(r *OCSPResponseTemplate) { r.Responses[0].CertID.Raw = []byte{0x30, 0} }, "Raw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := ocspTemplate(t, iss)
			tt.mod(tmpl)
			_, err := CreateOCSPResponse(rand.Reader, key, tmpl)
			if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrInvalidValue mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := BuildOCSPResponseData(ocspTemplate(t, iss)); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("no responder key hash: %v", err)
	}
	tbs := []byte{0x30, 0}
	for _, tc := range []struct {
		alg   SignatureAlgorithm
		sig   []byte
		certs [][]byte
	}{
		{GOST256, make([]byte, 63), nil},
		{GOST512, make([]byte, 64), nil},
		{ECDSAWithSHA256, make([]byte, 64), nil},
		{0, make([]byte, 64), nil},
		{GOST256, make([]byte, 64), [][]byte{{0x31, 0}}},
	} {
		if _, err := AssembleOCSPResponse(tbs, tc.alg, tc.sig, tc.certs); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("Assemble(%s, %d octets): %v", tc.alg, len(tc.sig), err)
		}
	}
}
