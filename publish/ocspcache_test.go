package publish_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
)

// Under concurrent OCSP load for a certificate whose answer is cached, a
// status change that has returned is never followed by an answer from
// before it. The certificate goes on hold and back to valid in rounds,
// then is revoked; every answer is parsed, and one whose whole request
// fell inside a "not good" window (after the change returned, before the
// next one began) must not say good, whether served from the cache or
// signed live for a nonce from the status it holds. Both modes: live signing allowed and
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
					e1 := epoch.Load()
					a := pub.Respond(ctx, q)
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
