package publish_test

import (
	"context"
	"testing"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
)

// signatures is how many signatures the CA keys have made (their
// signing-time histograms' count); live how many OCSP answers were signed
// on request.
func signatures(t *testing.T, e *ca.CA) (sigs uint64, live float64) {
	t.Helper()
	mfs, err := e.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case "gostca_hsm_sign_duration_seconds":
				sigs += m.GetHistogram().GetSampleCount()
			case "gostca_ocsp_requests_total":
				for _, l := range m.GetLabel() {
					if l.GetName() == "source" && l.GetValue() == "live" {
						live += m.GetCounter().GetValue()
					}
				}
			}
		}
	}
	return sigs, live
}

// With ocsp.presigned_only no request makes the CA key sign: a nonce is
// ignored (the pre-signed response is served), an unknown serial, a
// non-SHA-1 CertID and a serial still without a pre-signed response get
// unsigned error answers. Without the setting the same requests sign live.
func TestOCSPPresignedOnly(t *testing.T) {
	for _, only := range []bool{false, true} {
		cfg := catest.Config(t)
		cfg.OCSP.PresignedOnly = only
		e := catest.Open(t, cfg)
		ctx := context.Background()
		pub := e.Publisher()
		r := catest.Issue(t, e)
		catest.RefreshOCSP(t, e)
		sha1ID, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, r.Cert.Serial)
		sha256ID, _ := pub.CertID("gost256", pkix.OCSPHashSHA256, r.Cert.Serial)
		unknownID, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, []byte{0x7f, 1, 2, 3, 4, 5, 6, 7})
		before, _ := signatures(t, e)
		cases := []struct {
			name   string
			req    pkix.OCSPRequest
			status pkix.OCSPResponseStatus // in presigned-only mode
		}{
			{"nonce", pkix.OCSPRequest{CertIDs: []pkix.CertID{sha1ID}, Nonce: []byte("0123456789abcdef")}, pkix.OCSPSuccessful},
			{"unknown serial", pkix.OCSPRequest{CertIDs: []pkix.CertID{unknownID}}, pkix.OCSPUnauthorized},
			{"sha-256 CertID", pkix.OCSPRequest{CertIDs: []pkix.CertID{sha256ID}}, pkix.OCSPUnauthorized},
			{"two certificates", pkix.OCSPRequest{CertIDs: []pkix.CertID{sha1ID, unknownID}}, pkix.OCSPMalformedRequest},
		}
		const rounds = 25
		for _, c := range cases {
			for range rounds {
				a := pub.Respond(ctx, &c.req)
				resp, err := pkix.ParseOCSPResponse(a.DER)
				if err != nil {
					t.Fatalf("only=%v %s: %v", only, c.name, err)
				}
				if !only {
					if resp.Status != pkix.OCSPSuccessful || a.Presigned {
						t.Fatalf("only=false %s: status %v presigned %v, want a live answer", c.name, resp.Status, a.Presigned)
					}
					continue
				}
				if resp.Status != c.status {
					t.Fatalf("only=true %s: status %v, want %v", c.name, resp.Status, c.status)
				}
				if c.status == pkix.OCSPSuccessful && (!a.Presigned || resp.Nonce != nil || resp.Responses[0].Status != pkix.OCSPGood) {
					t.Fatalf("only=true %s: presigned %v nonce %x", c.name, a.Presigned, resp.Nonce)
				}
			}
		}
		after, live := signatures(t, e)
		if only && (after != before || live != 0) {
			t.Errorf("presigned_only: %d signatures and %v live answers for %d requests", after-before, live, rounds*len(cases))
		}
		if !only && after-before < rounds {
			t.Errorf("live mode: only %d signatures", after-before)
		}
		t.Logf("presigned_only=%v: %d requests, %d CA signatures", only, rounds*len(cases), after-before)
	}
}
