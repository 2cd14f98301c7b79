package publish_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/publish"
)

// getEscaper URL-escapes base64 for an OCSP GET path.
var getEscaper = strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D")

// Under concurrent OCSP load for a certificate whose answer is cached, a
// status change that has returned is never followed by an answer from
// before it. The certificate goes on hold and back to valid in rounds,
// then is revoked; every answer is parsed, and one whose whole request
// fell inside a "not good" window (after the change returned, before the
// next one began) must not say good, whether served from the cache or
// signed live for a nonce from the status it holds, or read from the
// store on a miss. Both modes: live signing allowed and
// ocsp.presigned_only.
func TestOCSPCacheCoherentUnderLoad(t *testing.T) {
	for _, only := range []bool{false, true} {
		cfg := catest.Config(t)
		cfg.OCSP.PresignedOnly = only
		e := catest.Open(t, cfg)
		ctx := context.Background()
		pub := e.Publisher()
		r := catest.Issue(t, e)
		other := catest.Issue(t, e)
		catest.RefreshOCSP(t, e)
		id, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, r.Cert.Serial)
		otherID, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, other.Cert.Serial)
		req := &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}}
		reqDER, err := pkix.MarshalOCSPRequest(req.CertIDs, nil)
		if err != nil {
			t.Fatal(err)
		}
		reqGET := getEscaper.Replace(base64.StdEncoding.EncodeToString(reqDER))
		if a := pub.Respond(ctx, req); a.Result != "good" || !a.Presigned {
			t.Fatalf("only=%v: first answer %s presigned %v", only, a.Result, a.Presigned)
		}
		if n := pub.OCSPCacheLen(); n != 1 {
			t.Fatalf("only=%v: %d cached answers after one request, want 1", only, n)
		}

		// epoch is odd while the certificate must not be reported good: it
		// turns odd once a change to hold or revoked has returned, even
		// just before a change back to valid begins.
		var epoch atomic.Int64
		var stop atomic.Bool
		var answers, checked, stale atomic.Int64
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					q := req
					switch g {
					case 0:
						// Another certificate, so that puts and removals of
						// the shard's other serials go on as well.
						q = &pkix.OCSPRequest{CertIDs: []pkix.CertID{otherID}}
					case 1:
						// A nonce: signed live (unless presigned_only), from
						// the status the cache holds for the certificate.
						q = &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}, Nonce: []byte("0123456789abcdef")}
					}
					if g == 7 {
						// Each of its requests misses the cache: answered
						// from the stored response alone (ocspstored.go).
						pub.ForgetOCSP(r.Cert.Serial)
					}
					e1 := epoch.Load()
					var a *publish.OCSPAnswer
					switch g {
					case 2, 3:
						// The bytes of a POST, and of a GET: the request
						// memo's way to the cached answer.
						a = pub.OCSP(ctx, reqDER)
					case 4, 5:
						a = pub.OCSPGet(ctx, reqGET)
					default:
						a = pub.Respond(ctx, q)
					}
					e2 := epoch.Load()
					answers.Add(1)
					if g == 0 {
						continue
					}
					resp, err := pkix.ParseOCSPResponse(a.DER)
					if err != nil {
						t.Errorf("only=%v: answer does not parse: %v", only, err)
						return
					}
					if e1 != e2 || e1%2 == 0 || resp.Status != pkix.OCSPSuccessful {
						continue
					}
					checked.Add(1)
					if resp.Responses[0].Status == pkix.OCSPGood || a.Result == "good" {
						stale.Add(1)
					}
				}
			}()
		}
		change := func(act ca.StatusAction) {
			if _, err := e.SetStatus(ctx, catest.Admin, r.Cert.Serial, ca.StatusRequest{Action: act}); err != nil {
				t.Fatalf("only=%v: %v: %v", only, act, err)
			}
		}
		for range 15 {
			time.Sleep(2 * time.Millisecond)
			change(ca.Suspend)
			epoch.Add(1) // odd: on hold, acknowledged
			time.Sleep(3 * time.Millisecond)
			epoch.Add(1) // even: the resume may land any time now
			change(ca.Resume)
		}
		change(ca.Revoke)
		epoch.Add(1)
		time.Sleep(20 * time.Millisecond)
		stop.Store(true)
		wg.Wait()
		if n := stale.Load(); n > 0 {
			t.Fatalf("only=%v: %d of %d answers said good after a hold or revocation had returned", only, n, checked.Load())
		}
		if checked.Load() < 15 {
			t.Fatalf("only=%v: only %d answers fell inside a hold window; the test checked too little", only, checked.Load())
		}
		a := pub.Respond(ctx, req)
		resp, err := pkix.ParseOCSPResponse(a.DER)
		if err != nil || resp.Status != pkix.OCSPSuccessful || resp.Responses[0].Status != pkix.OCSPRevoked || a.Result != "revoked" {
			t.Fatalf("only=%v: after revocation: %v %+v %s", only, err, resp, a.Result)
		}
		if pub.OCSPCacheLen() == 0 {
			t.Fatalf("only=%v: nothing cached after the load", only)
		}
		if n := pub.OCSPMemoLen(); n != 2 {
			t.Fatalf("only=%v: the memo remembers %d requests, want the GET and the POST", only, n)
		}
		for _, a := range []*publish.OCSPAnswer{pub.OCSP(ctx, reqDER), pub.OCSPGet(ctx, reqGET)} {
			resp, err := pkix.ParseOCSPResponse(a.DER)
			if err != nil || resp.Status != pkix.OCSPSuccessful || resp.Responses[0].Status != pkix.OCSPRevoked || a.Result != "revoked" {
				t.Fatalf("only=%v: after revocation, from the request's bytes: %v %+v %s", only, err, resp, a.Result)
			}
		}
		t.Logf("only=%v: %d answers, %d inside hold windows, none good", only, answers.Load(), checked.Load())
	}
}

// With ocsp.cache_entries = 0 there is no cache, and answers are the same.
func TestOCSPCacheOff(t *testing.T) {
	cfg := catest.Config(t)
	cfg.OCSP.CacheEntries = 0
	e := catest.Open(t, cfg)
	ctx := context.Background()
	pub := e.Publisher()
	r := catest.Issue(t, e)
	catest.RefreshOCSP(t, e)
	id, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, r.Cert.Serial)
	for range 3 {
		if a := pub.Respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}}); a.Result != "good" || !a.Presigned || a.ETag != "" {
			t.Fatalf("answer %s presigned %v etag %q", a.Result, a.Presigned, a.ETag)
		}
	}
	if n := pub.OCSPCacheLen(); n != 0 {
		t.Fatalf("%d cached answers without a cache", n)
	}
}

// Only requests the answer cache may answer are remembered by their
// bytes: not those with a nonce (each is unique), nor another hash than
// SHA-1, nor an issuer not ours; one that is, is remembered once,
// whichever of GET and POST it came by, and answered alike from its
// bytes the next time.
func TestOCSPReqMemoRemembersCacheableOnly(t *testing.T) {
	for _, only := range []bool{false, true} {
		t.Run(fmt.Sprintf("presigned_only=%v", only), func(t *testing.T) { testOCSPReqMemo(t, only) })
	}
}

// testOCSPReqMemo is TestOCSPReqMemoRemembersCacheableOnly with
// ocsp.presigned_only on or off (with it on a nonce is ignored, so the
// answer to a request with one is cached, but the request is not
// remembered).
func testOCSPReqMemo(t *testing.T, only bool) {
	cfg := catest.Config(t)
	cfg.OCSP.PresignedOnly = only
	e := catest.Open(t, cfg)
	ctx := context.Background()
	pub := e.Publisher()
	r := catest.Issue(t, e)
	catest.RefreshOCSP(t, e)
	id, _ := pub.CertID("gost256", pkix.OCSPHashSHA1, r.Cert.Serial)
	id256, _ := pub.CertID("gost256", pkix.OCSPHashStreebog256, r.Cert.Serial)
	foreign := id
	foreign.IssuerKeyHash = make([]byte, len(id.IssuerKeyHash))
	der := func(id pkix.CertID, nonce []byte) []byte {
		b, err := pkix.MarshalOCSPRequest([]pkix.CertID{id}, nonce)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, q := range [][]byte{der(id, []byte("0123456789abcdef")), der(id256, nil), der(foreign, nil)} {
		pub.OCSP(ctx, q)
		pub.OCSPGet(ctx, getEscaper.Replace(base64.StdEncoding.EncodeToString(q)))
	}
	if n := pub.OCSPMemoLen(); n != 0 {
		t.Fatalf("the memo remembers %d requests it should not (a nonce, another hash, not our issuer)", n)
	}
	plain := der(id, nil)
	pub.OCSP(ctx, plain) // read from the store, now cached
	var first *publish.OCSPAnswer
	for i := range 3 {
		a := pub.OCSP(ctx, plain)
		g := pub.OCSPGet(ctx, getEscaper.Replace(base64.StdEncoding.EncodeToString(plain)))
		if a.Result != "good" || !a.Presigned || g.Result != "good" || !bytes.Equal(a.DER, g.DER) {
			t.Fatalf("round %d: POST %s GET %s", i, a.Result, g.Result)
		}
		if first == nil {
			first = a
		} else if a != first || g != first {
			t.Fatalf("round %d: not the cached answer", i)
		}
	}
	if n := pub.OCSPMemoLen(); n != 2 {
		t.Fatalf("the memo remembers %d requests, want 2 (GET and POST)", n)
	}
}
