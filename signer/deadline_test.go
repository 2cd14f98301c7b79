package signer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gostca/gostca/hsm"
)

// hungKey is an HSM that stops answering: Sign blocks, ignoring its
// context, until release is closed; then it signs.
type hungKey struct {
	hsm.Key
	release  chan struct{}
	returned chan struct{} // one value per Sign that returned
}

func (k *hungKey) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	defer func() { k.returned <- struct{}{} }()
	<-k.release
	return k.Key.Sign(ctx, digest)
}

// A batch has a deadline: with a key that never answers, Issue fails by
// BatchTimeout, Close returns, the intent is failed (not left pending,
// nothing issued) and a signature the key hands back later is dropped.
func TestBatchDeadlineHungKey(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	is := newIssuer(t, "ca", "tc26-256-A")
	key := &hungKey{Key: is.Key, release: make(chan struct{}), returned: make(chan struct{}, 16)}
	is.Key = key
	const timeout = 300 * time.Millisecond
	s, err := Open(context.Background(), st, []*Issuer{is}, Options{BatchTimeout: timeout, RecoverInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Issue(context.Background(), request(t, "ca", "tc26-256-A", "hung"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Issue with a hung key: %v, want a deadline error", err)
	}
	if took := time.Since(start); took < timeout {
		t.Fatalf("Issue failed after %v, before the batch deadline %v", took, timeout)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return while the key hangs")
	}
	ctx := context.Background()
	if p, _ := st.PendingIntents(ctx); len(p) != 0 {
		t.Fatalf("%d intents left pending", len(p))
	}
	// The key answers at last: nothing is written from it.
	close(key.release)
	<-key.returned
	rep, err := st.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Certificates != 0 || rep.FailedIntents != 1 || rep.PendingIntents != 0 {
		t.Fatalf("after the late signature: %d certificates, %d failed and %d pending intents; want 0, 1, 0",
			rep.Certificates, rep.FailedIntents, rep.PendingIntents)
	}
}
