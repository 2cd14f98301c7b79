package docstore_test

import (
	"slices"
	"testing"

	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/ra"
)

// The types docstore detects are exactly those ra accepts in document
// metadata: a Stored result maps onto ra.DocumentInput unchanged.
func TestAcceptedTypesMatchRA(t *testing.T) {
	a, b := slices.Sorted(slices.Values(docstore.AcceptedTypes)), slices.Sorted(slices.Values(ra.DefaultContentTypes))
	if !slices.Equal(a, b) {
		t.Fatalf("docstore detects %v, ra accepts %v", a, b)
	}
}
