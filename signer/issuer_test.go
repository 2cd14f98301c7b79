package signer

import (
	"strings"
	"testing"

	"github.com/gostca/gostca/hsm"
)

// misnamedKey reports an algorithm its public key does not have.
type misnamedKey struct{ hsm.Key }

func (misnamedKey) Algorithm() hsm.Algorithm { return hsm.GOST512 }

// NewIssuer refuses a key whose declared algorithm (the one the HSM
// digests for) is not its public key's: one enumeration, so one compare.
func TestNewIssuerKeyAlgorithm(t *testing.T) {
	ca, key, _ := testCA(t, "tc26-256-A")
	if _, err := NewIssuer("ca", ca, key, qualifiedSettings, nil); err != nil {
		t.Fatal(err)
	}
	_, err := NewIssuer("ca", ca, misnamedKey{key}, qualifiedSettings, nil)
	if err == nil || !strings.Contains(err.Error(), "key says it signs") {
		t.Fatalf("misnamed key: %v", err)
	}
	other, _, _ := testCA(t, "tc26-256-A")
	if _, err := NewIssuer("ca", other, key, qualifiedSettings, nil); err == nil {
		t.Fatal("a key accepted for another CA's certificate")
	}
}
