package store

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

func appendN(t *testing.T, s *Store, n int) []AuditEntry {
	t.Helper()
	var out []AuditEntry
	for i := range n {
		e, err := s.AppendAudit(ctx, AuditEntry{Actor: fmt.Sprintf("operator:%d", i%3), Action: "login", Subject: "cabinet", Details: fmt.Sprintf("n=%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestAuditChain(t *testing.T) {
	s := newStore(t)
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatalf("empty chain: %v", err)
	}
	added := appendN(t, s, 25)
	prev := [32]byte{}
	for i, e := range added {
		if e.Seq != uint64(i+1) || e.At.IsZero() {
			t.Fatalf("entry %d: seq %d at %v", i, e.Seq, e.At)
		}
		if e.Hash != chainHash(prev, encodeAudit(&e)) { // unkeyed store: SHA-256
			t.Fatalf("entry %d hash does not chain", i)
		}
		prev = e.Hash
	}
	seq, head, _ := s.AuditHead(ctx)
	if seq != 25 || head != prev {
		t.Fatalf("head %d %x", seq, head)
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	var got []AuditEntry
	cursor := ""
	for {
		page, next, err := s.AuditEntries(ctx, cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if cursor = next; next == "" {
			break
		}
	}
	if len(got) != 25 {
		t.Fatalf("%d entries paged", len(got))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], added[i]) {
			t.Fatalf("entry %d = %+v, want %+v", i, got[i], added[i])
		}
	}
	for _, bad := range []AuditEntry{{Action: "x"}, {Actor: "x"}} {
		_, err := s.AppendAudit(ctx, bad)
		wantErr(t, err, ErrInvalidInput)
	}
}

// Rewriting one entry's bytes with Pebble directly is detected, whether or
// not the forger also recomputes that entry's hash.
func TestAuditTamperDetected(t *testing.T) {
	for _, rehash := range []bool{false, true} {
		t.Run(fmt.Sprintf("rehash=%v", rehash), func(t *testing.T) {
			dir := t.TempDir()
			s := openAt(t, dir, Options{})
			appendN(t, s, 5)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{quiet()}})
			if err != nil {
				t.Fatal(err)
			}
			k := auditKey(3)
			v, closer, err := db.Get(k)
			if err != nil {
				t.Fatal(err)
			}
			v = bytes.Clone(v)
			_ = closer.Close()
			body := v[:len(v)-32]
			i := bytes.Index(body, []byte("operator:2"))
			if i < 0 {
				t.Fatal("actor not found in the encoding")
			}
			body[i+len("operator:")] = '9' // operator:2 → operator:9
			if rehash {
				prev, closer, err := db.Get(auditKey(2))
				if err != nil {
					t.Fatal(err)
				}
				h := chainHash([32]byte(prev[len(prev)-32:]), body)
				_ = closer.Close()
				copy(v[len(v)-32:], h[:])
			}
			if err := db.Set(k, v, pebble.Sync); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			s = openAt(t, dir, Options{})
			wantErr(t, s.VerifyAudit(ctx), ErrCorrupt)
			rep, err := s.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || rep.Problems[0].Kind != "audit" {
				t.Fatalf("Check missed the tampering: %+v", rep)
			}
		})
	}
}

func TestAuditGapAndTruncationDetected(t *testing.T) {
	s := newStore(t)
	appendN(t, s, 5)
	if err := s.db.Delete(auditKey(5), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.VerifyAudit(ctx), ErrCorrupt) // chain shorter than the head
	if err := s.db.Delete(auditKey(2), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.VerifyAudit(ctx), ErrCorrupt) // gap
}
