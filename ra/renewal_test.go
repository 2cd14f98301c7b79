package ra

import (
	"bytes"
	"testing"

	"github.com/gostca/gostca/ra/appdata"
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
	h := newHarness(t, false)
	from := h.inState(t, store.AppIssued)
	cab := cabinetFor(from)

	before := auditSeq(t, h.st)
	for _, c := range []struct {
		name  string
		actor Actor
		from  *store.Application
		code  Code
	}{
		{"service centre", scActor, from, CodeForbidden},
		{"another phone's", foreignCabinet, from, CodeNotFound},
		{"not issued", cab, h.inState(t, store.AppReadyToIssue), CodeWrongState},
	} {
		if c.name == "not issued" {
			before = auditSeq(t, h.st)
			c.actor = cabinetFor(c.from)
		}
		_, err := h.svc.OpenRenewal(ctx, c.actor, RenewalInput{From: c.from})
		wantCode(t, c.name, err, c.code)
	}
	if auditSeq(t, h.st) != before {
		t.Fatal("a refused renewal wrote audit entries")
	}
	bad := from.Owner
	bad.SNILS = "123"
	_, err := h.svc.OpenRenewal(ctx, cab, RenewalInput{From: from, Owner: &bad})
	wantCode(t, "invalid owner", err, CodeInvalidData)

	o := from.Owner
	o.Email = "new@example.ru"
	a, err := h.svc.OpenRenewal(ctx, cab, RenewalInput{From: from, Owner: &o})
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != store.AppKindReplacement || !bytes.Equal(a.Replaces, from.Serial) || a.State != store.AppNew ||
		a.Owner.Email != "new@example.ru" || a.Owner.SNILS != from.Owner.SNILS || a.Centre != from.Centre ||
		len(a.Documents) != len(from.Documents) || a.Documents[0].SHA256 != from.Documents[0].SHA256 || a.Documents[0].ID == from.Documents[0].ID {
		t.Fatalf("renewal %+v", a)
	}
	if ev := h.lastEvent(t, a.ID); ev.Action != string(ActRenew) || ev.To != store.AppNew {
		t.Fatalf("event %+v", ev)
	}

	signed := RenewalSignedInput{CertSerial: from.Serial, Documents: []DocumentInput{doc(appdata.DocSignedApplication, 1), doc(appdata.DocSignedApplication, 2)}}
	other := signed
	other.CertSerial = []byte{0x01, 0x02}
	_, err = h.svc.RenewalSigned(ctx, cab, a.ID, a.Version, other)
	wantCode(t, "another serial", err, CodeIdentityMismatch)
	plain := h.inState(t, store.AppNew)
	_, err = h.svc.RenewalSigned(ctx, cabinetFor(plain), plain.ID, plain.Version, signed)
	wantCode(t, "a new certificate's application", err, CodeWrongState)
	_, err = h.svc.RenewalSigned(ctx, scActor, a.ID, a.Version, signed)
	wantCode(t, "service centre", err, CodeForbidden)

	r, err := h.svc.RenewalSigned(ctx, cab, a.ID, a.Version, signed)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != store.AppReadyToIssue || r.Identity.Method != store.IdentQualifiedCert || !bytes.Equal(r.Identity.CertSerial, from.Serial) ||
		len(r.Documents) != len(from.Documents)+2 || identificationKind(r.Identity.Method) != 1 {
		t.Fatalf("signed renewal %+v", r)
	}
	_, err = h.svc.RenewalSigned(ctx, cab, r.ID, r.Version, signed)
	wantCode(t, "signed twice", err, CodeWrongState)
}
