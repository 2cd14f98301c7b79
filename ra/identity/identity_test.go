package identity_test

import (
	"bytes"
	"testing"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/identity"
	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/store"
)

// TestIdentityByQualifiedCertificate: the in-person step is skipped with
// a valid qualified certificate of the same person, and the certificate
// issued says so; any mismatch is refused.
func TestIdentityByQualifiedCertificate(t *testing.T) {
	h, ctx := ratest.Start(t)
	a := h.InState(t, store.AppApproved)
	good := ra.CertInfo{Valid: true, Qualified: true, Surname: "Ёлкина", GivenName: "Анна-Мария", SNILS: a.Owner.SNILS, INN: a.Owner.INN}
	cases := []struct {
		name string
		info ra.CertInfo
		code ra.Code
	}{
		{"expired", func() ra.CertInfo { c := good; c.Valid = false; return c }(), ra.CodeIdentityMismatch},
		{"not qualified", func() ra.CertInfo { c := good; c.Qualified = false; return c }(), ra.CodeIdentityMismatch},
		{"Е for Ё", func() ra.CertInfo { c := good; c.Surname = "Елкина"; return c }(), ra.CodeIdentityMismatch},
		{"other SNILS", func() ra.CertInfo { c := good; c.SNILS = "12345678964"; return c }(), ra.CodeIdentityMismatch},
		{"with a patronymic", func() ra.CertInfo { c := good; c.GivenName = "Анна-Мария Ивановна"; return c }(), ra.CodeIdentityMismatch},
		{"same person", good, ""},
	}
	cab := ratest.CabinetFor(a)
	for i, c := range cases {
		serial := []byte{0x10, byte(i)}
		h.CA.AddCertificate(serial, c.info)
		got, err := identity.Verify(ctx, h.Svc, cab, a.ID, a.Version, identity.Input{Method: appdata.IdentifyQualifiedCert, CertSerial: serial})
		ratest.WantCode(t, c.name, err, c.code)
		if err == nil {
			a = got
		}
	}
	_, err := identity.Verify(ctx, h.Svc, cab, a.ID, a.Version, identity.Input{Method: appdata.IdentifyQualifiedCert, CertSerial: []byte{9}})
	ratest.WantCode(t, "after verification", err, ra.CodeWrongState)
	if a.Identity.Method != store.IdentQualifiedCert || !bytes.Equal(a.Identity.CertSerial, []byte{0x10, 5}) {
		t.Fatalf("identity %+v", a.Identity)
	}
	a = h.Must(t)(h.Svc.SendToCabinet(ctx, ratest.ScActor, a.ID, a.Version))
	if a = h.Must(t)(h.Issue(a)); a.State != store.AppIssued {
		t.Fatalf("issued: %s", a.State)
	}
	if k := h.CA.Last().IdentificationKind; k != pkix.IdentificationRemoteCertificate {
		t.Fatalf("identification kind %d", k)
	}

	// Other methods: ESIA is a state without an implementation; a
	// representative needs a power of attorney; the cabinet cannot
	// verify in person.
	b := h.InState(t, store.AppApproved)
	_, err = identity.Verify(ctx, h.Svc, ratest.ScActor, b.ID, b.Version, identity.Input{Method: appdata.IdentifyESIABiometric})
	ratest.WantCode(t, "esia", err, ra.CodeUnsupported)
	rep := ratest.InPerson()
	rep.Presenter, rep.Representative = store.PresenterRepresentative, "Петров Пётр"
	_, err = identity.Verify(ctx, h.Svc, ratest.ScActor, b.ID, b.Version, rep)
	ratest.WantCode(t, "representative without a power of attorney", err, ra.CodeIncomplete)
	_, err = identity.Verify(ctx, h.Svc, ratest.CabinetFor(b), b.ID, b.Version, ratest.InPerson())
	ratest.WantCode(t, "cabinet in person", err, ra.CodeForbidden)
	unconfirmed := ratest.InPerson()
	unconfirmed.Confirmed = false
	_, err = identity.Verify(ctx, h.Svc, ratest.ScActor, b.ID, b.Version, unconfirmed)
	ratest.WantCode(t, "not ticked", err, ra.CodeInvalidData)
	// The entrepreneur's profile allows no ESIA at all.
	if p, _ := h.Svc.Profile("entrepreneur"); p.AllowsMethod(store.IdentESIABiometric) {
		t.Fatal("entrepreneur allows ESIA")
	}
}
