package ra_test

import (
	"bytes"
	"context"
	"slices"

	"github.com/gostca/gostca/store"
)

// The harness (store, clock, CA, actors, fixtures) is ra/internal/ratest;
// here only what ra's own tests need besides.

var ctx = context.Background()

// sameApp compares the stored application with a reference by version
// and encoded-visible fields that matter here.
func sameApp(a, b *store.Application) bool {
	return a.Version == b.Version && a.State == b.State && a.Round == b.Round &&
		len(a.Documents) == len(b.Documents) && bytes.Equal(a.Serial, b.Serial)
}

// checkConfirmed: a's check of kind is confirmed.
func checkConfirmed(a *store.Application, kind string) bool {
	return slices.ContainsFunc(a.Checks, func(c store.RegistryCheck) bool {
		return c.Kind == kind && c.Status == store.CheckConfirmed
	})
}

// maxNote is the bound ra keeps a history note to, in bytes.
const maxNote = 1000
