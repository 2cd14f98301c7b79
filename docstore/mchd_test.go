package docstore_test

import (
	"slices"
	"testing"

	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/ra/mchd"
)

func TestExtraTypesMatchRA(t *testing.T) {
	if !slices.Equal(docstore.ExtraTypes, mchd.ContentTypes) {
		t.Fatalf("docstore's extra types %v, the RA's МЧД types %v", docstore.ExtraTypes, mchd.ContentTypes)
	}
}
