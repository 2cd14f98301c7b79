package renewal_test

import (
	"bytes"
	"testing"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/ra/renewal"
	"github.com/gostca/gostca/store"
)

// TestRenewal: the cabinet opens a renewal of an issued application
// (data and documents copied, owner as corrected, one audit entry);
// only the cabinet, only of its phone's issued application; the signed
// renewal goes from new to ready_to_issue identified by the qualified
// certificate it replaces, with the signed form as documents; another
// serial, a second signature, a new certificate's application are
// refused and write nothing.
func TestRenewal(t *testing.T) {
	h, ctx := ratest.Start(t)
	from := h.InState(t, store.AppIssued)
	cab := ratest.CabinetFor(from)

	before := ratest.AuditSeq(t, h.St)
	for _, c := range []struct {
		name  string
		actor ra.Actor
		from  *store.Application
		code  ra.Code
	}{
		{"service centre", ratest.ScActor, from, ra.CodeForbidden},
		{"another phone's", ratest.ForeignCabinet, from, ra.CodeNotFound},
		{"not issued", cab, h.InState(t, store.AppReadyToIssue), ra.CodeWrongState},
	} {
		if c.name == "not issued" {
			before = ratest.AuditSeq(t, h.St)
			c.actor = ratest.CabinetFor(c.from)
		}
		_, err := renewal.Open(ctx, h.Svc, c.actor, renewal.Input{From: c.from})
		ratest.WantCode(t, c.name, err, c.code)
	}
	if ratest.AuditSeq(t, h.St) != before {
		t.Fatal("a refused renewal wrote audit entries")
	}
	bad := from.Owner
	bad.SNILS = "123"
	_, err := renewal.Open(ctx, h.Svc, cab, renewal.Input{From: from, Owner: &bad})
	ratest.WantCode(t, "invalid owner", err, ra.CodeInvalidData)

	o := from.Owner
	o.Email = "new@example.ru"
	a, err := renewal.Open(ctx, h.Svc, cab, renewal.Input{From: from, Owner: &o})
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != store.AppKindReplacement || !bytes.Equal(a.Replaces, from.Serial) || a.State != store.AppNew ||
		a.Owner.Email != "new@example.ru" || a.Owner.SNILS != from.Owner.SNILS || a.Centre != from.Centre ||
		len(a.Documents) != len(from.Documents) || a.Documents[0].SHA256 != from.Documents[0].SHA256 || a.Documents[0].ID == from.Documents[0].ID {
		t.Fatalf("renewal %+v", a)
	}
	if ev := h.LastEvent(t, a.ID); ev.Action != string(ra.ActRenew) || ev.To != store.AppNew {
		t.Fatalf("event %+v", ev)
	}

	signed := renewal.SignedInput{CertSerial: from.Serial, Documents: []ra.DocumentInput{ratest.Doc(appdata.DocSignedApplication, 1), ratest.Doc(appdata.DocSignedApplication, 2)}}
	other := signed
	other.CertSerial = []byte{0x01, 0x02}
	_, err = renewal.Signed(ctx, h.Svc, cab, a.ID, a.Version, other)
	ratest.WantCode(t, "another serial", err, ra.CodeIdentityMismatch)
	plain := h.InState(t, store.AppNew)
	_, err = renewal.Signed(ctx, h.Svc, ratest.CabinetFor(plain), plain.ID, plain.Version, signed)
	ratest.WantCode(t, "a new certificate's application", err, ra.CodeWrongState)
	_, err = renewal.Signed(ctx, h.Svc, ratest.ScActor, a.ID, a.Version, signed)
	ratest.WantCode(t, "service centre", err, ra.CodeForbidden)

	r, err := renewal.Signed(ctx, h.Svc, cab, a.ID, a.Version, signed)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != store.AppReadyToIssue || r.Identity.Method != store.IdentQualifiedCert || !bytes.Equal(r.Identity.CertSerial, from.Serial) ||
		len(r.Documents) != len(from.Documents)+2 {
		t.Fatalf("signed renewal %+v", r)
	}
	_, err = renewal.Signed(ctx, h.Svc, cab, r.ID, r.Version, signed)
	ratest.WantCode(t, "signed twice", err, ra.CodeWrongState)
	// Issued, the new certificate says: remote identification by a
	// qualified certificate.
	if _, err := h.Issue(r); err != nil {
		t.Fatal(err)
	}
	if k := h.CA.Last().IdentificationKind; k != pkix.IdentificationRemoteCertificate {
		t.Fatalf("the renewal's certificate has identificationKind %d", k)
	}
}
