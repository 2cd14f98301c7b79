package signer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

func TestIssueAndStore(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	is := newIssuer(t, "gost256", "tc26-256-A")
	is512 := newIssuer(t, "gost512", "tc26-512-A")
	s, err := Open(context.Background(), st, []*Issuer{is, is512}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct{ issuer, curve string }{{"gost256", "tc26-256-B"}, {"gost512", "tc26-512-C"}} {
		res := mustIssue(t, s, request(t, c.issuer, c.curve, "req-"+c.issuer))
		cert, err := pkix.ParseCertificate(res.DER)
		if err != nil {
			t.Fatal(err)
		}
		iss, _ := s.Issuer(c.issuer)
		if err := cert.CheckSignatureFrom(iss.Cert); err != nil {
			t.Fatal(err)
		}
		rec, err := st.Certificate(context.Background(), res.Serial)
		if err != nil || !bytes.Equal(rec.DER, res.DER) {
			t.Fatalf("stored certificate: %v", err)
		}
		page, _, err := st.FindCertificates(context.Background(), store.Query{Field: store.BySNILS, Value: "11223344595"})
		if err != nil || len(page) == 0 {
			t.Fatalf("by SNILS: %v, %d", err, len(page))
		}
	}
	report, err := st.Check(context.Background())
	if err != nil || !report.OK() {
		t.Fatalf("check: %v %+v", err, report)
	}
}

func TestIdempotentRequestID(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	s, _ := Open(context.Background(), st, []*Issuer{newIssuer(t, "ca", "tc26-256-A")}, Options{})
	defer s.Close()
	req := request(t, "ca", "tc26-256-A", "same-id")
	first := mustIssue(t, s, req)
	// A retry (same id, same request) gets the first certificate back.
	again := mustIssue(t, s, req)
	if !again.Duplicate || !bytes.Equal(again.DER, first.DER) {
		t.Fatal("repeated request id issued a second certificate")
	}
	// The same id with another key is a client error, not a new issuance.
	if _, err := s.Issue(context.Background(), request(t, "ca", "tc26-256-A", "same-id")); !errors.Is(err, store.ErrRequestConflict) {
		t.Fatalf("same id, other key: %v", err)
	}
	// Concurrent retries of one request: exactly one certificate.
	var wg sync.WaitGroup
	var serials sync.Map
	concurrent := request(t, "ca", "tc26-256-A", "concurrent-id")
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Issue(context.Background(), concurrent)
			if err == nil {
				serials.Store(serialHex(res.Serial), true)
			} else if !errors.Is(err, ErrInProgress) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	n := 0
	serials.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Fatalf("%d certificates for one request id", n)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	s, _ := Open(context.Background(), st, []*Issuer{newIssuer(t, "ca", "tc26-256-A")}, Options{})
	defer s.Close()
	good := request(t, "ca", "tc26-256-A", "")
	res := mustIssue(t, s, good)
	reuse := *good // same CSR → same key
	badSNILS := request(t, "ca", "tc26-256-A", "")
	badSNILS.Subject.SNILS = "11223344596"
	garbage := request(t, "ca", "tc26-256-A", "")
	garbage.CSR = []byte("not a csr")
	tampered := request(t, "ca", "tc26-256-A", "")
	tampered.CSR = bytes.Clone(tampered.CSR)
	tampered.CSR[len(tampered.CSR)-3] ^= 1
	cases := map[string]struct {
		req  *Request
		want error
	}{
		"key reuse":       {&reuse, store.ErrKeyReused},
		"bad SNILS":       {badSNILS, pkix.ErrIdentChecksum},
		"garbage CSR":     {garbage, pkix.ErrMalformed},
		"bad PoP":         {tampered, pkix.ErrBadSignature},
		"unknown issuer":  {&Request{IssuerID: "x", Profile: "qualified-person", Subject: personSubject()}, ErrUnknownIssuer},
		"unknown profile": {&Request{IssuerID: "ca", Profile: "x", Subject: personSubject()}, ErrUnknownProfile},
		"CA profile":      {&Request{IssuerID: "ca", Profile: "root-ca", Subject: personSubject()}, ErrUnknownProfile},
	}
	for name, c := range cases {
		if _, err := s.Issue(context.Background(), c.req); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
	page, _, _ := st.FindCertificates(context.Background(), store.Query{Field: store.BySNILS, Value: "11223344595"})
	if len(page) != 1 || !bytes.Equal(page[0].Serial, res.Serial) {
		t.Fatalf("bad input changed the store: %d certificates", len(page))
	}
	if pending, _ := st.PendingIntents(context.Background()); len(pending) != 0 {
		t.Fatalf("%d intents left", len(pending))
	}
}

// flakyKey fails every failEvery-th signature, or corrupts it.
type flakyKey struct {
	hsm.Key
	n         atomic.Int64
	failEvery int64
	corrupt   bool
}

func (k *flakyKey) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	sig, err := k.Key.Sign(ctx, digest)
	if k.n.Add(1)%k.failEvery == 0 {
		if k.corrupt {
			sig = bytes.Clone(sig)
			sig[0] ^= 1
			return sig, err
		}
		return nil, errors.New("token: CKR_DEVICE_ERROR")
	}
	return sig, err
}

// An HSM error (or a bad signature) in the middle of a batch fails only
// that request; the rest of the batch is issued, and the failed intent's
// serial is never used.
func TestHSMErrorMidBatch(t *testing.T) {
	for _, corrupt := range []bool{false, true} {
		t.Run(fmt.Sprintf("corrupt=%v", corrupt), func(t *testing.T) {
			st := openStore(t, t.TempDir())
			defer st.Close()
			is := newIssuer(t, "ca", "tc26-256-A")
			is.Key = &flakyKey{Key: is.Key, failEvery: 3, corrupt: corrupt}
			s, _ := Open(context.Background(), st, []*Issuer{is}, Options{MaxBatch: 9, MaxDelay: 200 * time.Millisecond})
			var wg sync.WaitGroup
			var ok, failed atomic.Int64
			for i := range 9 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := s.Issue(context.Background(), request(t, "ca", "tc26-256-A", fmt.Sprintf("r%d", i)))
					if err != nil {
						failed.Add(1)
					} else {
						ok.Add(1)
					}
				}()
			}
			wg.Wait()
			s.Close()
			if failed.Load() != 3 || ok.Load() != 6 {
				t.Fatalf("ok %d failed %d, want 6 and 3", ok.Load(), failed.Load())
			}
			if pending, _ := st.PendingIntents(context.Background()); len(pending) != 0 {
				t.Fatalf("%d intents left pending", len(pending))
			}
			if r, err := st.Check(context.Background()); err != nil || !r.OK() {
				t.Fatalf("check: %v %+v", err, r)
			}
		})
	}
}

func TestBatchingEdges(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	is := newIssuer(t, "ca", "tc26-256-A")

	// A batch of one closes on the timer.
	s, _ := Open(context.Background(), st, []*Issuer{is}, Options{MaxBatch: 64, MaxDelay: 5 * time.Millisecond})
	mustIssue(t, s, request(t, "ca", "tc26-256-A", ""))
	if st := s.Stats(); st.Batches != 1 || st.BatchSizes[0] != 1 {
		t.Fatalf("lone request: %+v", st)
	}
	s.Close()

	// A full batch closes at MaxBatch, long before the (huge) delay.
	s, _ = Open(context.Background(), st, []*Issuer{is}, Options{MaxBatch: 4, MaxDelay: time.Hour})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); mustIssue(t, s, request(t, "ca", "tc26-256-A", "")) }()
	}
	wg.Wait()
	if st := s.Stats(); st.Batches != 2 || st.BatchSizes[2] != 2 {
		t.Fatalf("full batches: %+v", st)
	}
	s.Close()

	// Cancelled while queued: answered with the context error, nothing
	// written. The queue is held by a batch that waits for its delay.
	s, _ = Open(context.Background(), st, []*Issuer{is}, Options{MaxBatch: 2, MaxDelay: 300 * time.Millisecond, Concurrency: 1})
	ctx, cancel := context.WithCancel(context.Background())
	req := request(t, "ca", "tc26-256-A", "cancelled")
	done := make(chan error, 1)
	go func() { _, err := s.Issue(ctx, req); done <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	s.Close()
	if _, err := st.CertificateByRequestID(context.Background(), "cancelled"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancelled request was issued: %v", err)
	}

	// Overload: a full queue refuses at once.
	s, _ = Open(context.Background(), st, []*Issuer{is}, Options{MaxBatch: 1, MaxDelay: time.Millisecond, QueueLen: 1, Concurrency: 1})
	slow := &flakyKey{Key: is.Key, failEvery: 1 << 62}
	is.Key = &slowKey{Key: slow, delay: 300 * time.Millisecond}
	var overloaded atomic.Int64
	// Requests are made up front so that they arrive together.
	burst := make([]*Request, 8)
	for i := range burst {
		burst[i] = request(t, "ca", "tc26-256-A", "")
	}
	for _, req := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Issue(context.Background(), req)
			var ov *ErrOverloaded
			if errors.As(err, &ov) && ov.RetryAfter > 0 {
				overloaded.Add(1)
			}
		}()
	}
	wg.Wait()
	s.Close()
	if overloaded.Load() == 0 {
		t.Fatal("no request was refused with ErrOverloaded")
	}
	if _, err := s.Issue(context.Background(), request(t, "ca", "tc26-256-A", "")); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

type slowKey struct {
	hsm.Key
	delay time.Duration
}

func (k *slowKey) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	time.Sleep(k.delay)
	return k.Key.Sign(ctx, digest)
}

// Intents left by a crash are completed on Open, from the stored TBS.
func TestRecoveryOnOpen(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	is := newIssuer(t, "ca", "tc26-256-A")
	s, _ := Open(context.Background(), st, []*Issuer{is}, Options{})
	// Record intents as the pipeline would, then "crash" before signing.
	var serials [][]byte
	var reqs []*Request
	for i := range 3 {
		reqs = append(reqs, request(t, "ca", "tc26-256-A", fmt.Sprintf("crash-%d", i)))
		if i == 0 {
			reqs[i].Centre = "centre-7"
		}
		j, _, err := s.prepare(context.Background(), reqs[i])
		if err != nil {
			t.Fatal(err)
		}
		serials = append(serials, j.intent.Serial)
		if res, err := st.PutIntents(context.Background(), []store.Intent{j.intent}); err != nil || res[0].Err != nil {
			t.Fatal(err, res[0].Err)
		}
	}
	// One intent whose issuer no longer exists is marked failed.
	orphan, _, _ := s.prepare(context.Background(), request(t, "ca", "tc26-256-A", "orphan"))
	orphan.intent.IssuerID = "gone"
	st.PutIntents(context.Background(), []store.Intent{orphan.intent})
	s.Close()
	st.Close()

	st = openStore(t, dir)
	defer st.Close()
	// Outbox rows come from the profile, so recovered certificates get
	// them too (an ESIA registration must not be lost to a crash).
	outbox := func(profile string) []store.OutboxRow {
		return []store.OutboxRow{{Kind: "esia", Payload: []byte(profile)}}
	}
	s, err := Open(context.Background(), st, []*Issuer{is}, Options{Outbox: outbox})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := st.OutboxPending(context.Background(), "esia", 10)
	if err != nil || len(rows) != len(serials) {
		t.Fatalf("outbox rows of recovered certificates: %v, %d", err, len(rows))
	}
	for i, serial := range serials {
		rec, err := st.Certificate(context.Background(), serial)
		if err != nil {
			t.Fatalf("intent %d not recovered: %v", i, err)
		}
		c, err := pkix.ParseCertificate(rec.DER)
		if err != nil || c.CheckSignatureFrom(is.Cert) != nil {
			t.Fatalf("recovered certificate invalid: %v", err)
		}
		if rec.Centre != reqs[i].Centre {
			t.Fatalf("recovered certificate %d: centre %q, want %q", i, rec.Centre, reqs[i].Centre)
		}
	}
	if _, err := st.Certificate(context.Background(), orphan.intent.Serial); err == nil {
		t.Fatal("orphan intent was issued")
	}
	if pending, _ := st.PendingIntents(context.Background()); len(pending) != 0 {
		t.Fatalf("%d intents still pending", len(pending))
	}
	// The recovered request ids answer idempotently.
	res := mustIssue(t, s, reqs[1])
	if !res.Duplicate || !bytes.Equal(res.Serial, serials[1]) {
		t.Fatal("recovered request id not idempotent")
	}
	if err := st.VerifyAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A request of a service centre is stored as that centre's (listed by
// the centre index, audited with it); a malformed centre id is refused
// before anything is written.
func TestIssueForCentre(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	defer st.Close()
	s, err := Open(ctx, st, []*Issuer{newIssuer(t, "ca", "tc26-256-A")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req := request(t, "ca", "tc26-256-A", "c1")
	req.Centre = "sc-msk.01"
	res := mustIssue(t, s, req)
	page, _, err := st.FindCertificates(ctx, store.Query{Field: store.ByCentre, Value: "sc-msk.01"})
	if err != nil || len(page) != 1 || !bytes.Equal(page[0].Serial, res.Serial) || page[0].Centre != "sc-msk.01" {
		t.Fatalf("centre list: %+v %v", page, err)
	}
	entries, _, err := st.AuditEntries(ctx, "", 10)
	if err != nil || len(entries) != 1 || entries[0].Details != "profile "+req.Profile+" centre sc-msk.01" {
		t.Fatalf("audit: %+v %v", entries, err)
	}
	bad := request(t, "ca", "tc26-256-A", "c2")
	bad.Centre = "sc msk"
	if _, err := s.Issue(ctx, bad); !errors.Is(err, pkix.ErrInvalidValue) {
		t.Fatalf("bad centre: %v", err)
	}
	if seq, _, _ := st.AuditHead(ctx); seq != 1 {
		t.Fatalf("audit head %d after a refused request", seq)
	}
}
