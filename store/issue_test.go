package store

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestCommitIssuedWritesEverything(t *testing.T) {
	s := newStore(t)
	in := intentN(1, "req-1")
	mustPut(t, s, in)
	is := issuedFor(in, alice)
	is.RequestID, is.KeyHash = "", KeyHash{} // taken from the intent
	is.Outbox = []OutboxRow{{Kind: "esia", Payload: []byte("reg")}, {Kind: "notify", Payload: []byte("mail")}}
	if err := s.CommitIssued(ctx, []Issued{is}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Certificate(ctx, in.Serial)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.DER, is.DER) || c.IssuerID != "ca1" || c.RequestID != "req-1" || c.Profile != "qualified" ||
		c.KeyHash != in.KeyHash || c.Subject != alice || !c.NotBefore.Equal(is.NotBefore) || !c.NotAfter.Equal(is.NotAfter) ||
		c.Status != (Status{State: Valid}) || c.IssuedAt.IsZero() {
		t.Fatalf("record %+v", c)
	}
	for _, q := range []Query{
		{Field: BySNILS, Value: alice.SNILS}, {Field: ByINN, Value: alice.INN}, {Field: ByINNLE, Value: alice.INNLE},
		{Field: ByOGRN, Value: alice.OGRN}, {Field: ByKeyHash, Value: in.KeyHash.String()},
	} {
		page, next, err := s.FindCertificates(ctx, q)
		if err != nil || len(page) != 1 || next != "" || !bytes.Equal(page[0].Serial, in.Serial) {
			t.Errorf("%s: %d results, next %q, err %v", q.Field, len(page), next, err)
		}
	}
	if page, _, _ := s.FindCertificates(ctx, Query{Field: ByOGRNIP, Value: "304500116000157"}); len(page) != 0 {
		t.Error("OGRNIP index has an entry for a certificate without OGRNIP")
	}
	if p, _ := s.PendingIntents(ctx); len(p) != 0 {
		t.Fatal("intent not deleted")
	}
	esia, _ := s.OutboxPending(ctx, "esia", 0)
	notify, _ := s.OutboxPending(ctx, "notify", 0)
	if len(esia) != 1 || len(notify) != 1 || string(esia[0].Payload) != "reg" || !bytes.Equal(esia[0].Serial, in.Serial) {
		t.Fatalf("outbox esia=%+v notify=%+v", esia, notify)
	}
	es, _, _ := s.AuditEntries(ctx, "", 0)
	if len(es) != 1 || es[0].Action != "issue" || es[0].Actor != "operator:7" || es[0].Subject != fmt.Sprintf("%x", in.Serial) {
		t.Fatalf("audit %+v", es)
	}
	due, _, _ := s.OCSPDue(ctx, t0, "", 0)
	if len(due) != 1 || !due[0].NextUpdate.IsZero() {
		t.Fatalf("OCSP due %+v", due)
	}
	rep := mustCheck(t, s)
	if rep.Certificates != 1 || rep.OutboxRows != 2 || rep.AuditEntries != 1 {
		t.Fatalf("report %+v", rep)
	}
}

// A bad element fails the whole call and leaves every intent pending.
func TestCommitIssuedAtomic(t *testing.T) {
	s := newStore(t)
	a, b := intentN(1, "ra"), intentN(2, "rb")
	mustPut(t, s, a, b)
	good := issuedFor(a, alice)
	cases := map[string]func(*Issued){
		"unknown intent":  func(is *Issued) { is.Serial = serialN(99) },
		"issuer mismatch": func(is *Issued) { is.IssuerID = "ca2" },
		"key mismatch":    func(is *Issued) { is.KeyHash = keyN(50) },
		"request differs": func(is *Issued) { is.RequestID = "other" },
		"empty DER":       func(is *Issued) { is.DER = nil },
		"no validity":     func(is *Issued) { is.NotAfter = is.NotBefore },
		"bad SNILS":       func(is *Issued) { is.Subject.SNILS = "123-456-789 00" },
		"bad INN":         func(is *Issued) { is.Subject.INN = "7707083893" },
		"no actor":        func(is *Issued) { is.Audit.Actor = "" },
		"long details":    func(is *Issued) { is.Audit.Details = strings.Repeat("d", maxDetailsLen+1) },
		"outbox no kind":  func(is *Issued) { is.Outbox = []OutboxRow{{Payload: []byte("x")}} },
		"same serial":     func(is *Issued) { is.Serial = a.Serial },
	}
	for name, edit := range cases {
		bad := issuedFor(b, alice)
		edit(&bad)
		err := s.CommitIssued(ctx, []Issued{good, bad})
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		if name == "unknown intent" {
			wantErr(t, err, ErrNotFound)
		} else {
			wantErr(t, err, ErrInvalidInput)
		}
	}
	if p, _ := s.PendingIntents(ctx); len(p) != 2 {
		t.Fatalf("%d pending", len(p))
	}
	if _, err := s.Certificate(ctx, a.Serial); err == nil {
		t.Fatal("certificate of a failed call stored")
	}
	if auditSeq(t, s) != 0 {
		t.Fatal("audit written by failed calls")
	}
	if rows, _ := s.OutboxPending(ctx, "esia", 0); len(rows) != 0 {
		t.Fatal("outbox written by failed calls")
	}
	rep := mustCheck(t, s)
	if rep.Certificates != 0 || rep.OutboxRows != 0 {
		t.Fatalf("report %+v", rep)
	}
	// Both fine: committed together; a second commit finds no intent.
	if err := s.CommitIssued(ctx, []Issued{good, issuedFor(b, alice)}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.CommitIssued(ctx, []Issued{good}), ErrNotFound)
	if err := s.CommitIssued(ctx, make([]Issued, maxBatch+1)); err == nil {
		t.Fatal("oversized batch accepted")
	}
	mustCheck(t, s)
}

func TestCertificateLookups(t *testing.T) {
	s := newStore(t)
	c := issueN(t, s, 1, alice, nil)
	mustPut(t, s, intentN(2, "req-2"))

	got, err := s.Certificate(ctx, append([]byte{0}, c.Serial...))
	if err != nil || !bytes.Equal(got.Serial, c.Serial) {
		t.Fatalf("leading zero lookup: %v", err)
	}
	_, err = s.Certificate(ctx, serialN(2))
	wantErr(t, err, ErrPending)
	_, err = s.Certificate(ctx, serialN(3))
	wantErr(t, err, ErrNotFound)
	_, err = s.Certificate(ctx, nil)
	wantErr(t, err, ErrInvalidInput)
	_, err = s.CertificateByRequestID(ctx, "req-2")
	wantErr(t, err, ErrPending)
	_, err = s.CertificateByRequestID(ctx, "nope")
	wantErr(t, err, ErrNotFound)
	_, err = s.CertificateByRequestID(ctx, "")
	wantErr(t, err, ErrInvalidInput)
	if page, _, err := s.FindCertificates(ctx, Query{Field: ByKeyHash, Value: keyN(2).String()}); err != nil || len(page) != 0 {
		t.Fatalf("key hash of a pending intent found: %v %v", page, err)
	}
}
