package catest

import (
	"context"
	"testing"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// Owner is a natural person's data complete enough for the registration
// authority to ask the three registry checks (SNILS, INN, passport).
func Owner() store.Owner {
	return store.Owner{Surname: "Ёлкина", GivenName: "Анна", Sex: store.SexFemale,
		BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Тверь",
		IDDoc: store.IdentityDocument{Type: store.IDRussianPassport, Series: "4510", Number: "123456",
			IssuedOn: time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC), Issuer: "ОВД района Тверской", IssuerCode: "770-001"},
		Citizenship: "RU", SNILS: "112-233-445 95", INN: "500100123426"}
}

// ApplicationWithChecks has an operator create a natural person's
// application at centre-1 and fill it with Owner; it fails t unless the
// three registry checks were asked.
func ApplicationWithChecks(t testing.TB, svc *ra.Service) *store.Application {
	t.Helper()
	ctx := context.Background()
	op := ra.Actor{Kind: ra.Operator, ID: "op-1"}
	a, err := svc.Create(ctx, op, ra.CreateInput{CertType: "natural-person", Centre: "centre-1", Phone: "+79161234567"})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = svc.UpdateData(ctx, op, a.ID, a.Version, ra.Data{Phone: "+79161234567", Owner: Owner()}); err != nil {
		t.Fatal(err)
	}
	if len(a.Checks) != 3 {
		t.Fatalf("%d checks asked, want 3 (snils, inn, passport)", len(a.Checks))
	}
	return a
}

// ConfirmedChecks counts the application's confirmed registry checks.
func ConfirmedChecks(t testing.TB, st ra.Store, id string) int {
	t.Helper()
	a, err := st.Application(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range a.Checks {
		if c.Status == store.CheckConfirmed {
			n++
		}
	}
	return n
}
