package signer

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// presignCall is what Options.PresignOCSP was asked, and what the store
// held for the serial at that moment.
type presignCall struct {
	issuer   string
	serial   []byte
	notAfter time.Time
	// intentPending, certStored: the write-ahead intent was durable and
	// the certificate not yet committed when the response was signed.
	intentPending, certStored bool
}

// TestPresignOCSPCommittedWithCertificate: with a pre-signer, each
// certificate's response is asked for after its intent is stored and
// before it is committed, for its issuer, serial and validity end, and
// the commit stores it with the certificate: the result says so, the
// store holds it at status version 0 and the certificate is not due.
func TestPresignOCSPCommittedWithCertificate(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	is := newIssuer(t, "ca", "tc26-256-A")
	var (
		mu    sync.Mutex
		calls []presignCall
	)
	next := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	presign := func(ctx context.Context, issuerID string, serial []byte, notAfter time.Time) (*store.IssuedOCSP, error) {
		c := presignCall{issuer: issuerID, serial: bytes.Clone(serial), notAfter: notAfter}
		pending, err := st.PendingIntents(ctx)
		if err != nil {
			return nil, err
		}
		for _, in := range pending {
			c.intentPending = c.intentPending || bytes.Equal(in.Serial, serial)
		}
		_, err = st.Certificate(ctx, serial)
		c.certStored = err == nil
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
		return &store.IssuedOCSP{DER: append([]byte("ocsp:"), serial...), NextUpdate: next}, nil
	}
	s, err := Open(context.Background(), st, []*Issuer{is}, Options{RecoverInterval: -1, Logger: quietLog, PresignOCSP: presign})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 6
	var wg sync.WaitGroup
	results := make([]*Result, n)
	for i := range n {
		wg.Go(func() { results[i] = mustIssue(t, s, request(t, "ca", "tc26-256-A", "")) })
	}
	wg.Wait()
	if len(calls) != n {
		t.Fatalf("pre-signer asked %d times for %d certificates", len(calls), n)
	}
	bySerial := map[string]presignCall{}
	for _, c := range calls {
		bySerial[string(c.serial)] = c
	}
	for _, res := range results {
		c, ok := bySerial[string(res.Serial)]
		if !ok {
			t.Fatalf("certificate %s: no response asked for", serialHex(res.Serial))
		}
		cert, err := pkix.ParseCertificate(res.DER)
		if err != nil {
			t.Fatal(err)
		}
		if c.issuer != "ca" || !c.notAfter.Equal(cert.NotAfter) || !c.intentPending || c.certStored {
			t.Fatalf("certificate %s: pre-signer asked %+v (notAfter of the certificate %v)", serialHex(res.Serial), c, cert.NotAfter)
		}
		if !res.OCSP {
			t.Fatalf("certificate %s: result says no response was committed", serialHex(res.Serial))
		}
		r, err := st.OCSPResponse(context.Background(), res.Serial)
		if err != nil || !bytes.Equal(r.DER, append([]byte("ocsp:"), res.Serial...)) || r.StatusVersion != 0 || !r.NextUpdate.Equal(next) {
			t.Fatalf("certificate %s: stored response %+v, %v", serialHex(res.Serial), r, err)
		}
	}
	due, _, err := st.OCSPDue(context.Background(), time.Now(), "", 0)
	if err != nil || len(due) != 0 {
		t.Fatalf("%d certificates due with their responses committed (%v)", len(due), err)
	}
}

// TestPresignOCSPFailureStillIssues: a pre-signer that fails or never
// answers (it blocks until the batch's deadline) costs the certificate
// nothing: it is issued, the intent is not failed, the result says no
// response was committed, and the certificate is due as missing, for
// the publisher to sign.
func TestPresignOCSPFailureStillIssues(t *testing.T) {
	for name, presign := range map[string]PresignOCSP{
		"error": func(context.Context, string, []byte, time.Time) (*store.IssuedOCSP, error) {
			return nil, errors.New("responder key unavailable")
		},
		"hangs": func(ctx context.Context, _ string, _ []byte, _ time.Time) (*store.IssuedOCSP, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
		"none": func(context.Context, string, []byte, time.Time) (*store.IssuedOCSP, error) { return nil, nil },
	} {
		t.Run(name, func(t *testing.T) {
			st := openStore(t, t.TempDir())
			defer st.Close()
			is := newIssuer(t, "ca", "tc26-256-A")
			s, err := Open(context.Background(), st, []*Issuer{is},
				Options{RecoverInterval: -1, Logger: quietLog, PresignOCSP: presign, BatchTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			res := mustIssue(t, s, request(t, "ca", "tc26-256-A", "r1"))
			if res.OCSP {
				t.Fatal("result says a response was committed")
			}
			if _, err := st.Certificate(context.Background(), res.Serial); err != nil {
				t.Fatalf("certificate not stored: %v", err)
			}
			if _, err := st.OCSPResponse(context.Background(), res.Serial); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a response is stored: %v", err)
			}
			due, _, err := st.OCSPDue(context.Background(), time.Now(), "", 0)
			if err != nil || len(due) != 1 || !bytes.Equal(due[0].Serial, res.Serial) || !due[0].NextUpdate.IsZero() {
				t.Fatalf("due: %+v %v; want the certificate, as missing", due, err)
			}
			rep, err := st.Check(context.Background())
			if err != nil || rep.Certificates != 1 || rep.FailedIntents != 0 || rep.PendingIntents != 0 {
				t.Fatalf("check: %+v %v", rep, err)
			}
		})
	}
}
