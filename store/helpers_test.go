package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"
)

var ctx = context.Background()

// t0 is the base of test times; certificates are second-precision.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// openAt opens a store in dir and closes it when the test ends.
func openAt(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet()
	}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newStore(t testing.TB) *Store { return openAt(t, t.TempDir(), Options{}) }

// serialN is a 16-byte serial unique per n.
func serialN(n int) []byte {
	b := make([]byte, 16)
	b[0] = 0x40
	binary.BigEndian.PutUint64(b[8:], uint64(n))
	return b
}

func keyN(n int) KeyHash { return sha256.Sum256(fmt.Appendf(nil, "key %d", n)) }

func intentN(n int, requestID string) Intent {
	return Intent{
		RequestID: requestID, IssuerID: "ca1", Serial: serialN(n), KeyHash: keyN(n),
		TBS: fmt.Appendf(nil, "tbs %d", n), Profile: "qualified", CreatedAt: t0,
	}
}

func issuedFor(in Intent, ids Identifiers) Issued {
	return Issued{
		Serial: in.Serial, IssuerID: in.IssuerID, RequestID: in.RequestID,
		DER:       append([]byte("cert:"), in.TBS...),
		NotBefore: t0, NotAfter: t0.AddDate(1, 0, 0), Subject: ids, KeyHash: in.KeyHash,
		Outbox: []OutboxRow{{Kind: "esia", Payload: []byte("p")}},
		Audit:  AuditEntry{Actor: "operator:7", Details: "test issue"},
	}
}

// mustPut puts intents and fails on any whole-call or per-intent error.
func mustPut(t testing.TB, s *Store, ins ...Intent) []IntentResult {
	t.Helper()
	res, err := s.PutIntents(ctx, ins)
	if err != nil {
		t.Fatalf("PutIntents: %v", err)
	}
	for i, r := range res {
		if r.Err != nil || r.Duplicate {
			t.Fatalf("PutIntents[%d]: dup=%v err=%v", i, r.Duplicate, r.Err)
		}
	}
	return res
}

// issueN issues certificate n with identifiers through both steps.
func issueN(t testing.TB, s *Store, n int, ids Identifiers, edit func(*Issued)) *CertRecord {
	t.Helper()
	in := intentN(n, fmt.Sprintf("req-%d", n))
	is := issuedFor(in, ids)
	if edit != nil {
		edit(&is)
	}
	in.IssuerID = is.IssuerID // an edited issuer applies to the intent too
	mustPut(t, s, in)
	if err := s.CommitIssued(ctx, []Issued{is}); err != nil {
		t.Fatalf("CommitIssued %d: %v", n, err)
	}
	c, err := s.Certificate(ctx, in.Serial)
	if err != nil {
		t.Fatalf("Certificate %d: %v", n, err)
	}
	return c
}

func mustCheck(t testing.TB, s *Store) *CheckReport {
	t.Helper()
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("Check found %d problems: %v", rep.TotalProblems, rep.Problems)
	}
	return rep
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

func auditSeq(t testing.TB, s *Store) uint64 {
	t.Helper()
	seq, _, err := s.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

var alice = Identifiers{SNILS: "11223344595", INN: "500100732259", INNLE: "7707083893", OGRN: "1027700132195"}

func contextWithCancel() (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
