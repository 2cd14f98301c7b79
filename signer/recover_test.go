package signer

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// failingCommit is the real store whose next commit fails (a disk
// error, say) after doing nothing.
type failingCommit struct {
	*store.Store
	fail atomic.Int32
}

func (f *failingCommit) CommitIssuedRecords(ctx context.Context, is []store.Issued) ([]store.CertRecord, error) {
	if f.fail.Add(-1) >= 0 {
		return nil, errors.New("injected commit failure")
	}
	return f.Store.CommitIssuedRecords(ctx, is)
}

// TestRecoveryAfterFailedCommit: a batch whose commit fails leaves its
// intents pending; the running signer's recovery pass completes them
// without a restart (the caller retrying with its request id then gets the
// certificate), while intents of batches in flight are never touched.
func TestRecoveryAfterFailedCommit(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	fc := &failingCommit{Store: st}
	is := newIssuer(t, "ca", "tc26-256-A")
	rows := func(profile string) []store.OutboxRow {
		return []store.OutboxRow{{Kind: "esia", Payload: []byte(profile)}}
	}
	s, err := Open(context.Background(), fc, []*Issuer{is}, Options{RecoverInterval: 100 * time.Millisecond, Outbox: rows, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fc.fail.Store(1)
	req := request(t, "ca", "tc26-256-A", "retry-me")
	if _, err := s.Issue(context.Background(), req); err == nil {
		t.Fatal("the injected commit failure was not reported")
	}
	pending, _ := st.PendingIntents(context.Background())
	if len(pending) != 1 {
		t.Fatalf("%d pending intents after the failed commit", len(pending))
	}
	serial := pending[0].Serial
	// A retry before recovery is told to wait, not given a second serial.
	if _, err := s.Issue(context.Background(), req); !errors.Is(err, ErrInProgress) {
		t.Fatalf("retry while pending: %v", err)
	}
	// Meanwhile new requests keep being issued, untouched by recovery.
	for i := range 20 {
		mustIssue(t, s, request(t, "ca", "tc26-256-A", "other-"+string(rune('a'+i))))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if p, _ := st.PendingIntents(context.Background()); len(p) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the failed batch's intent was never recovered")
		}
		time.Sleep(20 * time.Millisecond)
	}
	rec, err := st.Certificate(context.Background(), serial)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pkix.ParseCertificate(rec.DER)
	if err != nil || c.CheckSignatureFrom(is.Cert) != nil {
		t.Fatalf("recovered certificate: %v", err)
	}
	res := mustIssue(t, s, req)
	if !res.Duplicate || !bytes.Equal(res.Serial, serial) {
		t.Fatalf("retry after recovery: duplicate=%v serial %x, want %x", res.Duplicate, res.Serial, serial)
	}
	if got := s.Stats().Recovered; got != 1 {
		t.Fatalf("recovered %d, want 1", got)
	}
	if out, _ := st.OutboxPending(context.Background(), "esia", 100); len(out) != 21 {
		t.Fatalf("%d outbox rows, want 21 (the recovered certificate's included)", len(out))
	}
	rep, err := st.Check(context.Background())
	if err != nil || !rep.OK() {
		t.Fatalf("check: %v %+v", err, rep)
	}
}
