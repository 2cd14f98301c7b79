package publish_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// freshTurns has the pre-signer of new certificates report each turn's
// signed responses on the returned channel, after fn has seen them (fn
// returns whether they are stored). Set before the certificates are
// issued: from then on they are not pre-signed with their commit
// (PresignNew declines) but queued for that pre-signer.
func freshTurns(e *ca.CA, fn func([]store.OCSPRecord) bool) <-chan []store.OCSPRecord {
	turns := make(chan []store.OCSPRecord, 64)
	e.Publisher().SetBeforeFreshStore(func(rs []store.OCSPRecord) bool {
		keep := fn(rs)
		turns <- rs
		return keep
	})
	return turns
}

// signedFor waits until the pre-signer has signed a response for every
// serial, turn by turn.
func signedFor(t *testing.T, turns <-chan []store.OCSPRecord, serials ...[]byte) {
	t.Helper()
	want := map[string]bool{}
	for _, s := range serials {
		want[string(s)] = true
	}
	timeout := time.After(time.Minute)
	for len(want) > 0 {
		select {
		case rs := <-turns:
			for _, r := range rs {
				delete(want, string(r.Serial))
			}
		case <-timeout:
			t.Fatalf("%d certificates never reached the pre-signer", len(want))
		}
	}
}

func ocspStatus(t *testing.T, e *ca.CA, serial []byte) (pkix.OCSPStatus, uint32) {
	t.Helper()
	r, err := e.Store().OCSPResponse(context.Background(), serial)
	if err != nil {
		t.Fatalf("stored response of %x: %v", serial, err)
	}
	resp, err := pkix.ParseOCSPResponse(r.DER)
	if err != nil || resp.CheckSignatureFrom(e.Issuers()[0].Cert.PublicKey.Key) != nil {
		t.Fatalf("stored response of %x: %v", serial, err)
	}
	return resp.Responses[0].Status, r.StatusVersion
}

// TestFreshBatchRevokedBetween: a certificate revoked after the
// pre-signer signed its "good" response and before the turn's batched
// write keeps its revoked response (the store refuses the stale "good"
// by its status version); the other responses of the batch are stored.
//
// The turn runs here, with the publisher quiesced, so that neither the
// pass Open kicks nor the background turns sign these certificates first
// (they would, now and then, and the interleaving would not happen); the
// background turns, released afterwards, try the stale "good" once more.
func TestFreshBatchRevokedBetween(t *testing.T) {
	cfg := catest.Config(t)
	cfg.OCSP.RefreshInterval = time.Hour
	e := catest.Open(t, cfg)
	ctx := context.Background()
	release := e.Publisher().Quiesce()
	var revoked []byte
	turns := freshTurns(e, func(rs []store.OCSPRecord) bool {
		if revoked != nil {
			return true
		}
		// The interleaving: the status changes (and its own pre-signing
		// stores the revoked response) after this turn signed "good".
		revoked = rs[0].Serial
		if _, err := e.SetStatus(ctx, catest.Admin, revoked, ca.StatusRequest{Action: ca.Revoke, Reason: "keyCompromise"}); err != nil {
			t.Error(err)
		}
		return true
	})
	a, b := catest.Issue(t, e).Cert, catest.Issue(t, e).Cert
	e.Publisher().PresignBatch(ctx, []*store.CertRecord{a, b})
	release()
	signedFor(t, turns, a.Serial, b.Serial)
	kept := b.Serial
	if string(revoked) == string(b.Serial) {
		kept = a.Serial
	}
	if st, v := ocspStatus(t, e, revoked); st != pkix.OCSPRevoked || v != 1 {
		t.Fatalf("revoked between signing and storing: stored status %v (version %d), want revoked at version 1", st, v)
	}
	if st, _ := ocspStatus(t, e, kept); st != pkix.OCSPGood {
		t.Fatalf("the other certificate: %v", st)
	}
	// What the responder answers agrees.
	id, err := e.Publisher().CertID("gost256", pkix.OCSPHashSHA1, revoked)
	if err != nil {
		t.Fatal(err)
	}
	if a := e.Publisher().Respond(ctx, &pkix.OCSPRequest{CertIDs: []pkix.CertID{id}}); a.Result != "revoked" {
		t.Fatalf("responder answers %s", a.Result)
	}
}

// TestFreshBatchLostIsResigned: when a turn's responses are signed but
// never stored (the process dies between, or the unsynced write is lost
// in a crash: store.TestPutOCSPResponsesCrash shows the due index then
// still has them), the certificates stay due and the next pass signs
// them; nothing is lost. The turn runs with the publisher quiesced, as
// above, so that no pass stores them meanwhile.
func TestFreshBatchLostIsResigned(t *testing.T) {
	cfg := catest.Config(t)
	cfg.OCSP.RefreshInterval = time.Hour
	e := catest.Open(t, cfg)
	ctx := context.Background()
	release := e.Publisher().Quiesce()
	turns := freshTurns(e, func([]store.OCSPRecord) bool { return false })
	var recs []*store.CertRecord
	var serials [][]byte
	for range 3 {
		r := catest.Issue(t, e).Cert
		recs, serials = append(recs, r), append(serials, r.Serial)
	}
	e.Publisher().PresignBatch(ctx, recs)
	signedFor(t, turns, serials...)
	due, _, err := e.Store().OCSPDue(ctx, time.Now(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	isDue := map[string]bool{}
	for _, d := range due {
		isDue[string(d.Serial)] = d.NextUpdate.IsZero()
	}
	for _, s := range serials {
		if _, err := e.Store().OCSPResponse(ctx, s); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%x: a dropped turn stored a response (%v)", s, err)
		}
		if !isDue[string(s)] {
			t.Fatalf("%x: signed, not stored, and no longer due", s)
		}
	}
	release()
	catest.RefreshOCSP(t, e)
	for _, s := range serials {
		if st, _ := ocspStatus(t, e, s); st != pkix.OCSPGood {
			t.Fatalf("%x after the pass: %v", s, st)
		}
	}
}

// BenchmarkPresignFresh is the new certificates' pre-signer's cost per
// certificate: signing (with verify-after-sign) and storing 64 responses
// one write each ("each", as before the writes were batched) or in one
// write ("batch"). cpu-µs/cert is the process's CPU time (every thread:
// Pebble's included) per certificate; ns/op is one certificate's wall
// time.
func BenchmarkPresignFresh(b *testing.B) {
	cfg := catest.Config(b)
	cfg.OCSP.RefreshInterval = time.Hour
	e := catest.Open(b, cfg)
	ctx := context.Background()
	const n = 64
	recs := make([]*store.CertRecord, n)
	for i := range recs {
		recs[i] = catest.Issue(b, e).Cert
	}
	for _, r := range recs {
		waitOCSPB(b, e, r.Serial) // the job is idle from here on
	}
	for _, mode := range []string{"each", "batch"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i += n {
				if mode == "each" {
					if err := e.Publisher().PresignEach(ctx, recs); err != nil {
						b.Fatal(err)
					}
				} else {
					e.Publisher().PresignBatch(ctx, recs)
				}
			}
			b.StopTimer()
			done := (b.N + n - 1) / n * n
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(done), "cpu-µs/cert")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(done), "ns/cert")
		})
	}
}

func waitOCSPB(b *testing.B, e *ca.CA, serial []byte) {
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := e.Store().OCSPResponse(context.Background(), serial); err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("no response for %x", serial)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
