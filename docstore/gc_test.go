package docstore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"
)

// TestDeleteStale: a file older than the cutoff is deleted after the
// before hook saw its hash and size; a newer one, a missing one and one
// whose hook fails are kept; a read-only store deletes nothing.
func TestDeleteStale(t *testing.T) {
	s := newStore(t)
	pdf := []byte("%PDF-1.4\nstale\n%%EOF\n")
	st, err := s.Put(context.Background(), bytes.NewReader(pdf), tenMB)
	if err != nil {
		t.Fatal(err)
	}
	_, p := s.path(st.SHA256)
	now := time.Now()
	if ok, err := s.DeleteStale(st.SHA256, now.Add(-time.Hour), nil); ok || err != nil {
		t.Fatalf("a fresh file: deleted %v, %v", ok, err)
	}
	old := now.Add(-48 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("audit failed")
	if ok, err := s.DeleteStale(st.SHA256, now.Add(-time.Hour), func(Entry) error { return boom }); ok || !errors.Is(err, boom) {
		t.Fatalf("a failing hook: deleted %v, %v", ok, err)
	}
	ro, err := New(Options{Dir: s.Dir(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.DeleteStale(st.SHA256, now, nil); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only: %v", err)
	}
	var seen Entry
	if ok, err := s.DeleteStale(st.SHA256, now.Add(-time.Hour), func(e Entry) error { seen = e; return nil }); !ok || err != nil {
		t.Fatalf("a stale file: deleted %v, %v", ok, err)
	}
	if seen.SHA256 != st.SHA256 || seen.Size != int64(len(pdf)) {
		t.Fatalf("hook saw %+v", seen)
	}
	if has, _ := s.Has(st.SHA256); has {
		t.Fatal("still there")
	}
	if ok, err := s.DeleteStale(st.SHA256, now, nil); ok || err != nil {
		t.Fatalf("a missing file: %v, %v", ok, err)
	}
}

// TestDeleteStaleRacesPut: an old orphan is uploaded again while the
// sweep deletes it, many times over: whenever Put succeeded the file is
// there afterwards (Put renewed it before the sweep's check, or
// recreated it after the removal).
func TestDeleteStaleRacesPut(t *testing.T) {
	s := newStore(t)
	pdf := []byte("%PDF-1.4\nraced\n%%EOF\n")
	for i := 0; i < 200; i++ {
		st, err := s.Put(context.Background(), bytes.NewReader(pdf), tenMB)
		if err != nil {
			t.Fatal(err)
		}
		_, p := s.path(st.SHA256)
		old := time.Now().Add(-48 * time.Hour)
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var putErr error
		wg.Add(2)
		go func() { defer wg.Done(); _, putErr = s.Put(context.Background(), bytes.NewReader(pdf), tenMB) }()
		go func() { defer wg.Done(); _, _ = s.DeleteStale(st.SHA256, time.Now().Add(-time.Hour), nil) }()
		wg.Wait()
		if putErr != nil {
			t.Fatal(putErr)
		}
		if has, err := s.Has(st.SHA256); !has || err != nil {
			t.Fatalf("round %d: the file of a successful Put is gone (%v)", i, err)
		}
	}
}
