package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// crossProblems forges the chain of a keyed busy() store with the key
// (so the chain itself verifies, as it would for an insider or a bug
// that skipped an entry) and returns Check's audit-record findings.
func crossProblems(t *testing.T, edit func(a *AuditEntry) bool) []Problem {
	t.Helper()
	dir := t.TempDir()
	k := testAuditKey(t, 5)
	s := openAt(t, dir, Options{AuditKey: k})
	busy(t, s)
	mustCheck(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	forge(t, dir, keyedChain(t, k, 1), false, edit)
	s = openAt(t, dir, Options{AuditKey: k})
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatalf("forged chain should verify: %v", err)
	}
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []Problem
	for _, p := range rep.Problems {
		if p.Kind != "audit-record" {
			t.Fatalf("unexpected problem %v", p)
		}
		out = append(out, p)
	}
	return out
}

func wantProblem(t *testing.T, ps []Problem, n int, substr string) {
	t.Helper()
	if len(ps) != n {
		t.Fatalf("%d problems, want %d: %v", len(ps), n, ps)
	}
	for _, p := range ps {
		if strings.Contains(p.Detail, substr) {
			return
		}
	}
	t.Fatalf("no problem says %q: %v", substr, ps)
}

// A certificate whose issuance entry is missing is found.
func TestCheckCertificateWithoutAuditEntry(t *testing.T) {
	ps := crossProblems(t, func(a *AuditEntry) bool {
		return !(a.Action == "issue" && bytes.Equal(a.Serial, serialN(7)))
	})
	wantProblem(t, ps, 1, "certificate 40000000000000000000000000000007 has 0 issuance audit entries")
}

// A status change whose entry is missing is found (certificate 1 was
// revoked in busy()).
func TestCheckStatusChangeWithoutAuditEntry(t *testing.T) {
	ps := crossProblems(t, func(a *AuditEntry) bool {
		return !(a.Action == "revoke" && bytes.Equal(a.Serial, serialN(1)))
	})
	wantProblem(t, ps, 1, "had 1 status changes, the audit log records 0")
}

// An entry that disagrees with its certificate is found: the status it
// records, a serial that names no certificate, a failure entry of a
// serial that did not fail.
func TestCheckAuditEntryMismatch(t *testing.T) {
	t.Run("status", func(t *testing.T) {
		ps := crossProblems(t, func(a *AuditEntry) bool {
			if a.Action == "revoke" && bytes.Equal(a.Serial, serialN(1)) {
				a.CertStatus.Reason = 4 // recorded as superseded, stored as keyCompromise
			}
			return true
		})
		wantProblem(t, ps, 1, "is revoked v1 (reason 4, at 2026-03-01 12:00:00 +0000 UTC), the certificate is revoked v1 (reason 1")
	})
	t.Run("action", func(t *testing.T) {
		ps := crossProblems(t, func(a *AuditEntry) bool {
			if a.Action == "revoke" && bytes.Equal(a.Serial, serialN(1)) {
				a.Action = "hold"
			}
			return true
		})
		wantProblem(t, ps, 1, "action hold with status revoked v1")
	})
	t.Run("unknown certificate", func(t *testing.T) {
		ps := crossProblems(t, func(a *AuditEntry) bool {
			if a.Action == "revoke" && bytes.Equal(a.Serial, serialN(1)) {
				a.Serial = serialN(999)
			}
			return true
		})
		// The entry names nothing, and certificate 1 misses its entry.
		wantProblem(t, ps, 2, "names certificate 400000000000000000000000000003e7, which does not exist")
	})
	t.Run("failure of a live serial", func(t *testing.T) {
		ps := crossProblems(t, func(a *AuditEntry) bool {
			if a.Action == "intent.fail" {
				a.Serial = serialN(5)
			}
			return true
		})
		wantProblem(t, ps, 2, "is not a failed intent")
	})
}

// Certificate actions are the store's to write: AppendAudit refuses
// them and entries carrying a serial or status, so no caller can add an
// entry Check would have to match against nothing; other bounds hold.
func TestAppendAuditRefusesCertificateFields(t *testing.T) {
	s := newStore(t)
	for _, e := range []AuditEntry{
		{Actor: "a", Action: "issue"},
		{Actor: "a", Action: "revoke", Subject: "40"},
		{Actor: "a", Action: "note", Serial: []byte{1}},
		{Actor: "a", Action: "note", CertStatus: Status{State: Valid}},
		{Actor: "a", Action: "Token.Create"},
		{Actor: "a", Action: "token create"},
		{Actor: "a", Action: "note", Attrs: []AuditAttr{{Key: "role=ca_admin", Value: "x"}}},
		{Actor: "a", Action: "note", Comment: strings.Repeat("x", maxAuditCommentLen+1)},
	} {
		if _, err := s.AppendAudit(ctx, e); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("AppendAudit(%+v) = %v", e, err)
		}
	}
	if err := s.SetStatus(ctx, serialN(1), StatusChange{State: Revoked, At: t0}, AuditEntry{Actor: "a", Action: "hold"}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("SetStatus with a wrong action: %v", err)
	}
	if auditSeq(t, s) != 0 {
		t.Fatal("a refused entry was written")
	}
	e, err := s.AppendAudit(ctx, AuditEntry{Actor: "token:ab/ca_admin", Action: "token.create", Subject: "cd",
		Attrs: []AuditAttr{{Key: "role", Value: "auditor"}, {Key: "name", Value: "x"}}})
	if err != nil || e.Seq != 1 {
		t.Fatalf("AppendAudit: %v", err)
	}
}

// Issuance and status entries carry the serial and the status the
// certificate reached, in the batch of the change.
func TestAuditEntriesNameTheirCertificate(t *testing.T) {
	s := newStore(t)
	issueN(t, s, 1, alice, nil)
	if err := s.SetStatus(ctx, serialN(1), StatusChange{State: Revoked, Reason: 1, At: t0},
		AuditEntry{Actor: "op", Reason: "keyCompromise", Comment: "lost token"}); err != nil {
		t.Fatal(err)
	}
	es, _, _ := s.AuditEntries(ctx, "", 0)
	if len(es) != 2 {
		t.Fatalf("%d entries", len(es))
	}
	is, rv := es[0], es[1]
	if is.Action != "issue" || !bytes.Equal(is.Serial, serialN(1)) || is.CertStatus.State != Valid || is.CertStatus.Version != 0 {
		t.Fatalf("issue entry %v", is)
	}
	if rv.Action != "revoke" || !bytes.Equal(rv.Serial, serialN(1)) || rv.CertStatus.State != Revoked || rv.CertStatus.Reason != 1 ||
		rv.CertStatus.Version != 1 || !rv.CertStatus.At.Equal(t0) || rv.Reason != "keyCompromise" || rv.Comment != "lost token" {
		t.Fatalf("revoke entry %v", rv)
	}
}

// Deleting the newest entries passes the chain check (the chain is just
// shorter), but when they recorded certificate changes the cross-check
// finds it even without a checkpoint. busy() ends with an intent
// failure and, before it, issuances and status changes.
func TestCheckFindsTruncatedCertificateEntries(t *testing.T) {
	dir := t.TempDir()
	k := testAuditKey(t, 5)
	s := openAt(t, dir, Options{AuditKey: k})
	busy(t, s)
	head := auditSeq(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	forge(t, dir, nil, false, func(a *AuditEntry) bool { return a.Seq <= head-3 })
	s = openAt(t, dir, Options{AuditKey: k})
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatalf("the truncated chain verifies by itself: %v", err)
	}
	rep, kinds := problemsOf(t, s, nil, nil)
	if kinds["audit-record"] < 2 || len(kinds) != 1 {
		t.Fatalf("Check: %v", rep.Problems)
	}
	found := ""
	for _, p := range rep.Problems {
		found += p.Detail + "\n"
	}
	if !strings.Contains(found, "failed intent 40000000000000000000000000000066 has 0 failure audit entries") {
		t.Fatalf("findings:\n%s", found)
	}
}
