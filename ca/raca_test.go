package ca_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

func raRequest(t *testing.T, key string, csr []byte) ra.IssueRequest {
	return ra.IssueRequest{IdempotencyKey: key, Application: "app1", Profile: pkix.ProfileQualifiedPerson.Name, CSR: csr,
		Subject: pkix.Subject{CommonName: "Ёлкина Анна-Мария", Surname: "Ёлкина", GivenName: "Анна-Мария", Country: "RU",
			SNILS: "11223344595", INN: "500100123426"},
		SubjectSignTool: "«КриптоПро CSP» (версия 5.0)", IdentificationKind: pkix.IdentificationPersonal,
		Centre: "centre-1", Actor: "token:t9/service_centre/centre-1"}
}

// TestRAFacadeIssue: the real ra.CA issues with the RA's subject, centre
// and actor; it is idempotent by the RA's key (also when the repeat
// carries another CSR: the key's certificate is the first call's);
// definitive refusals are ra.ErrCARefused; Certificate reports what
// identification compares, and validity.
func TestRAFacadeIssue(t *testing.T) {
	ctx := context.Background()
	c := catest.Open(t, catest.Config(t))
	f := c.RAFacade()
	csr := catest.CSR(t, "tc26-256-A")

	first, err := f.Issue(ctx, raRequest(t, "ra:app1:1", csr))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.Store().Certificate(ctx, first.Serial)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Centre != "centre-1" || rec.Profile != pkix.ProfileQualifiedPerson.Name || rec.RequestID != "ra:app1:1" || !rec.NotAfter.Equal(first.NotAfter) {
		t.Fatalf("record %+v", rec)
	}
	cert, err := pkix.ParseCertificate(rec.DER)
	if err != nil {
		t.Fatal(err)
	}
	if subj, _ := cert.Subject.Subject(); subj.CommonName != "Ёлкина Анна-Мария" || subj.SNILS != "11223344595" {
		t.Fatalf("subject %+v", subj)
	}
	entries, _, err := c.AuditEntries(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if last := entries[len(entries)-1]; last.Action != "issue" || last.Actor != "token:t9/service_centre/centre-1" {
		t.Fatalf("audit entry %+v", last)
	}

	for name, again := range map[string][]byte{"same CSR": csr, "another CSR": catest.CSR(t, "tc26-256-A")} {
		got, err := f.Issue(ctx, raRequest(t, "ra:app1:1", again))
		if err != nil || !bytes.Equal(got.Serial, first.Serial) {
			t.Fatalf("repeat with %s: %x %v, want the first serial %x", name, got.Serial, err, first.Serial)
		}
	}

	bad := raRequest(t, "ra:app1:2", csr) // the key is certified already
	refused := map[string]ra.IssueRequest{"key reused": bad}
	r := raRequest(t, "ra:app1:3", []byte("not a CSR"))
	refused["malformed CSR"] = r
	r = raRequest(t, "ra:app1:4", catest.CSR(t, "tc26-256-A"))
	r.Subject.SNILS = "11223344596"
	refused["bad SNILS"] = r
	r = raRequest(t, "ra:app1:5", catest.CSR(t, "tc26-256-A"))
	r.Profile = "no-such-profile"
	refused["unknown profile"] = r
	r = raRequest(t, "app1:6", catest.CSR(t, "tc26-256-A"))
	refused["key not the RA's"] = r
	r = raRequest(t, "ra:app1:7", catest.CSR(t, "tc26-256-A"))
	r.Centre = "bad centre!"
	refused["bad centre"] = r
	for name, req := range refused {
		if _, err := f.Issue(ctx, req); !errors.Is(err, ra.ErrCARefused) {
			t.Errorf("%s: %v, want ra.ErrCARefused", name, err)
		}
	}

	info, err := f.Certificate(ctx, first.Serial)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ra.CertInfo{Valid: true, Qualified: true, Surname: "Ёлкина", GivenName: "Анна-Мария", SNILS: "11223344595", INN: "500100123426"}); info != want {
		t.Fatalf("certificate info %+v", info)
	}
	if _, err := f.Certificate(ctx, []byte{0x7f, 1, 2}); !errors.Is(err, ra.ErrNoCertificate) {
		t.Fatalf("unknown serial: %v", err)
	}
	if _, err := c.SetStatus(ctx, catest.Admin, first.Serial, ca.StatusRequest{Action: ca.Suspend}); err != nil {
		t.Fatal(err)
	}
	if info, err := f.Certificate(ctx, first.Serial); err != nil || info.Valid {
		t.Fatalf("suspended certificate: %+v %v", info, err)
	}
}

// TestRAExpirySweep: ca.Open runs the RA's expiry sweep on the CA's
// lifetime: an application past its deadline is expired (audited as the
// system), and Close stops the job.
func TestRAExpirySweep(t *testing.T) {
	cfg := catest.Config(t)
	cfg.RA.Deadline = 50 * time.Millisecond
	cfg.RA.ExpireInterval = 20 * time.Millisecond
	c := catest.Open(t, cfg)
	ctx := context.Background()
	centre := ra.Actor{Kind: ra.ServiceCentre, ID: "token:t1/service_centre/c1", Centre: "c1"}
	a, err := c.RA().Create(ctx, centre, ra.CreateInput{CertType: "natural-person", Phone: "+79161234567"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := c.RA().Get(ctx, centre, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == store.AppExpired {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("application still %s after its deadline", got.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	entries, _, err := c.AuditEntries(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Action != "application_expire" || !strings.HasPrefix(last.Actor, "system/") || last.Subject != "application:"+a.ID {
		t.Fatalf("audit entry %+v", last)
	}
}
