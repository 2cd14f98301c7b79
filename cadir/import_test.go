package cadir

import (
	"strings"
	"testing"
)

func TestParseKeyRef(t *testing.T) {
	for in, want := range map[string]KeyRef{
		"soft:/a/b.key":                     {Type: "soft", File: "/a/b.key"},
		"pkcs11:label=ca-2026":              {Type: "pkcs11", Label: "ca-2026"},
		"pkcs11:object=ca%202026;id=%01%ff": {Type: "pkcs11", Label: "ca 2026", ID: "01ff"},
		"pkcs11:id=0A0B;type=private":       {Type: "pkcs11", ID: "0a0b"},
		"pkcs11:token=GostCA;label=x":       {Type: "pkcs11", Label: "x", token: "GostCA"},
	} {
		got, err := parseKeyRef(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
	}
	if _, err := parseKeyRef("pkcs11:id=zz;pin-value=1234"); err == nil || strings.Contains(err.Error(), "1234") {
		t.Errorf("PIN in a key reference: %v", err)
	}
	for _, in := range []string{"", "a.key", "soft:", "pkcs11:", "pkcs11:label=", "pkcs11:id=xyz", "pkcs11:type=public;id=01", "pkcs11:pin-value=1234;id=01", "hsm:label=x"} {
		if _, err := parseKeyRef(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
