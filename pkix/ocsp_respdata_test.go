package pkix

import (
	"bytes"
	"math/rand"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// BuildOCSPResponseData writes the bytes the cryptobyte builder it
// replaced wrote (refBuildOCSPResponseData, kept here as the reference):
// random templates of every status, reason, hash, serial length, with
// and without nextUpdate, nonce and a verbatim CertID, up to lengths
// that need two- and three-octet length fields.
func TestOCSPResponseDataMatchesBuilder(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	reasons := []CRLReason{ReasonUnspecified, 1, 2, 3, 4, 5, 6, 9, 10}
	base := time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC)
	randTime := func() time.Time {
		switch rng.Intn(8) {
		case 0:
			return time.Date(1949+rng.Intn(3), 1, 1, 0, 0, 0, 0, time.UTC)
		case 1:
			return time.Date(2049+rng.Intn(3), 12, 31, 23, 59, 59, 999, time.FixedZone("x", 3*3600))
		}
		return base.Add(time.Duration(rng.Int63n(int64(400*24*time.Hour))) - 200*24*time.Hour)
	}
	built := 0
	for i := 0; i < 3000; i++ {
		n := 1 + rng.Intn(4)
		if i%100 == 0 {
			n = 150 + rng.Intn(200)
		}
		tmpl := &OCSPResponseTemplate{ResponderKeyHash: make([]byte, 20), ProducedAt: randTime()}
		rng.Read(tmpl.ResponderKeyHash)
		if rng.Intn(3) == 0 {
			tmpl.Nonce = make([]byte, 1+rng.Intn(32))
			rng.Read(tmpl.Nonce)
		}
		for j := 0; j < n; j++ {
			h := OCSPHashes[rng.Intn(len(OCSPHashes))]
			serial := make([]byte, 1+rng.Intn(19))
			rng.Read(serial)
			serial[0] |= 1
			id := CertID{Hash: h, IssuerNameHash: h.sum([]byte{byte(j)}), IssuerKeyHash: h.sum([]byte{byte(i)}), Serial: serial}
			if rng.Intn(4) == 0 {
				b := cryptobyte.NewBuilder(nil)
				ocspAddCertID(b, &id)
				id.Raw = b.BytesOrPanic()
			}
			r := SingleResponse{CertID: id, ThisUpdate: randTime()}
			switch rng.Intn(3) {
			case 0:
				r.Status = OCSPGood
			case 1:
				r.Status = OCSPUnknown
			case 2:
				r.Status = OCSPRevoked
				r.RevokedAt = r.ThisUpdate.Add(-time.Duration(rng.Int63n(int64(time.Hour))))
				r.Reason = reasons[rng.Intn(len(reasons))]
			}
			if rng.Intn(2) == 0 {
				r.NextUpdate = r.ThisUpdate.Add(time.Duration(1+rng.Intn(1000)) * time.Minute)
			}
			tmpl.Responses = append(tmpl.Responses, r)
		}
		got, err := BuildOCSPResponseData(tmpl)
		want, refErr := refBuildOCSPResponseData(tmpl)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("template %d: error %v, builder's %v", i, err, refErr)
		}
		if err != nil {
			continue
		}
		built++
		if !bytes.Equal(got, want) {
			t.Fatalf("template %d (%d responses): bytes differ\n got %x\nwant %x", i, n, got, want)
		}
	}
	if built < 2500 {
		t.Fatalf("only %d of 3000 templates built", built)
	}
}

// The pre-signed response of a new certificate's ResponseData costs one
// allocation: its buffer.
func TestOCSPResponseDataAllocs(t *testing.T) {
	h := OCSPHashSHA1
	tmpl := &OCSPResponseTemplate{ResponderKeyHash: make([]byte, 20), ProducedAt: time.Now(),
		Responses: []SingleResponse{{CertID: CertID{Hash: h, IssuerNameHash: h.sum(nil), IssuerKeyHash: h.sum([]byte{1}),
			Serial: []byte{0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}}, Status: OCSPGood,
			ThisUpdate: time.Now(), NextUpdate: time.Now().Add(time.Hour)}}}
	if n := testing.AllocsPerRun(50, func() {
		if _, err := BuildOCSPResponseData(tmpl); err != nil {
			t.Fatal(err)
		}
	}); n > 1 {
		t.Fatalf("%v allocations", n)
	}
}

// refBuildOCSPResponseData is BuildOCSPResponseData as a cryptobyte
// builder, the reference for the one-pass writer.
func refBuildOCSPResponseData(tmpl *OCSPResponseTemplate) ([]byte, error) {
	if err := ocspCheckTemplate(tmpl); err != nil {
		return nil, err
	}
	b := cryptobyte.NewBuilder(make([]byte, 0, 96+180*len(tmpl.Responses)))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		// version v1 is the DEFAULT: omitted.
		b.AddASN1(tagOCSPByKey, func(b *cryptobyte.Builder) { b.AddASN1OctetString(tmpl.ResponderKeyHash) })
		addGeneralizedTime(b, tmpl.ProducedAt, cbasn1.GeneralizedTime)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for i := range tmpl.Responses {
				refAddSingleResponse(b, &tmpl.Responses[i])
			}
		})
		if tmpl.Nonce != nil {
			b.AddASN1(tagOCSPRespExts, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(OIDOCSPNonce)
						b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
							b.AddASN1OctetString(tmpl.Nonce) // RFC 8954: Nonce ::= OCTET STRING
						})
					})
				})
			})
		}
	})
	return finish(b, "OCSP response")
}

func refAddSingleResponse(b *cryptobyte.Builder, r *SingleResponse) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		ocspAddCertID(b, &r.CertID)
		switch r.Status {
		case OCSPGood:
			b.AddASN1(tagOCSPGood, func(*cryptobyte.Builder) {})
		case OCSPUnknown:
			b.AddASN1(tagOCSPUnknown, func(*cryptobyte.Builder) {})
		case OCSPRevoked:
			b.AddASN1(tagOCSPRevoked, func(b *cryptobyte.Builder) {
				addGeneralizedTime(b, r.RevokedAt, cbasn1.GeneralizedTime)
				if r.Reason != ReasonUnspecified {
					b.AddASN1(tagOCSPReason, func(b *cryptobyte.Builder) { b.AddASN1Enum(int64(r.Reason)) })
				}
			})
		}
		addGeneralizedTime(b, r.ThisUpdate, cbasn1.GeneralizedTime)
		if !r.NextUpdate.IsZero() {
			b.AddASN1(tagOCSPNextUpdate, func(b *cryptobyte.Builder) {
				addGeneralizedTime(b, r.NextUpdate, cbasn1.GeneralizedTime)
			})
		}
	})
}
