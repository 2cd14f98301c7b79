package ra_test

import (
	"reflect"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/internal/ratest"
)

// TestProfileFromTOML: a profile is configuration: its toml tags read a
// table the way the engine's configuration file would hold it, with no
// key left over, and the result validates.
func TestProfileFromTOML(t *testing.T) {
	const conf = `
[[profiles]]
name = "natural-person-strict"
title = "natural person (two reviews)"
cert_profile = "qualified-person"
review_steps = ["ca_operator", "security"]
identification = ["in_person"]
owner.required = ["surname", "given_name", "sex", "birth_date", "birth_place", "identity_document", "snils", "inn"]
owner.forbidden = ["position"]
organisation.forbidden = ["name", "inn", "kpp", "ogrn", "ogrnip", "address"]

[[profiles.documents]]
any_of = ["signed_application"]

[[profiles.documents]]
any_of = ["snils"]
waived_by = "snils"
`
	var cfg struct {
		Profiles []appdata.Profile `toml:"profiles"`
	}
	md, err := toml.Decode(conf, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Fatalf("keys not read: %v", und)
	}
	if len(cfg.Profiles) != 1 {
		t.Fatalf("%d profiles", len(cfg.Profiles))
	}
	p := cfg.Profiles[0]
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []appdata.DocumentRule{{AnyOf: []string{appdata.DocSignedApplication}}, {AnyOf: []string{appdata.DocSNILS}, WaivedBy: appdata.CheckSNILS}}
	if !reflect.DeepEqual(p.Documents, want) || p.ReviewSteps[1] != "security" || p.Owner.Forbidden[0] != appdata.OwnerPosition {
		t.Fatalf("decoded %+v", p)
	}
	h := ratest.New(t)
	svc, err := ra.New(h.St, h.CA, ra.Options{Profiles: cfg.Profiles})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := svc.Profile("natural-person"); ok {
		t.Fatal("configured profiles replace the defaults")
	}
	if got, ok := svc.Profile("natural-person-strict"); !ok || got.Title != p.Title {
		t.Fatal("configured profile missing")
	}
}
