package config

import (
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/gostca/gostca/pkix"
)

// Per-profile settings reach the profile the CA issues under; the
// shipped profile itself is left alone.
func TestCertificateProfiles(t *testing.T) {
	p := writeConf(t, `
[ca]
region = "77 г. Москва"
locality = "Москва"
street = "ул. Тверская, д. 7"
email = "ca@example.ru"
inn_le = "7707083893"
ogrn = "1027700132195"
key_usage_warn_days = 45
[certificate_profiles."qualified-person"]
validity_months = 12
key_usage_months = 12
ext_key_usage = ["1.2.643.2.2.34.6"]
allowed_ext_key_usage = ["1.2.643.3.7.8.1", "1.2.643.3.7.0.1"]
[certificate_profiles."issuing-ca"]
key_usage_months = 24
`)
	cfg, err := LoadConfig(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	profs, err := cfg.Profiles()
	if err != nil {
		t.Fatal(err)
	}
	qp := profs["qualified-person"]
	if qp.ValidityMonths != 12 || qp.KeyUsageMonths != 12 || len(qp.ExtKeyUsage) != 3 ||
		!qp.ExtKeyUsage[2].Equal(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 34, 6}) || len(qp.AllowedExtKeyUsage) != 2 {
		t.Fatalf("qualified-person %+v", qp)
	}
	if profs["issuing-ca"].KeyUsageMonths != 24 || profs["qualified-employee"] != pkix.ProfileQualifiedEmployee {
		t.Fatal("issuing-ca not configured, or an unconfigured profile copied")
	}
	if pkix.ProfileQualifiedPerson.ValidityMonths != 15 || len(pkix.ProfileQualifiedPerson.ExtKeyUsage) != 2 {
		t.Fatal("the shipped profile changed")
	}
	n := cfg.CA.Name("УЦ")
	if n.INNLE != "7707083893" || n.OGRN != "1027700132195" || n.Region != "77 г. Москва" || n.Street == "" || n.Email == "" || n.CommonName != "УЦ" {
		t.Fatalf("CA name %+v", n)
	}
	if cfg.CA.KeyUsageWarnDays != 45 || DefaultConfig().CA.KeyUsageWarnDays != 30 {
		t.Fatal("key_usage_warn_days")
	}
}

func TestCertificateProfilesErrors(t *testing.T) {
	for _, c := range []struct{ conf, want string }{
		{"[certificate_profiles.\"qualified-persn\"]\nvalidity_months = 12\n", `certificate_profiles."qualified-persn": no such profile (want one of root-ca`},
		{"[certificate_profiles.\"qualified-person\"]\nvalidity_months = 0\nkey_usage_months = 16\n", "key usage period of 16 months, want 0..15"},
		{"[certificate_profiles.\"qualified-person\"]\nvalidity_months = 1201\n", "validity of 1201 months"},
		{"[certificate_profiles.\"tls-client\"]\nkey_usage_months = 6\n", "tls-client has no key usage period"},
		{"[certificate_profiles.\"qualified-person\"]\next_key_usage = [\"1.2.643.x\"]\n", `ext_key_usage: "1.2.643.x" is not a dotted OID`},
		{"[certificate_profiles.\"qualified-person\"]\nallowed_ext_key_usage = [\"2.5.29.37.0\"]\n", "anyExtendedKeyUsage"},
		{"[certificate_profiles.\"qualified-person\"]\nallowed_ext_key_usage = [\"1.3.6.1.5.5.7.3.2\"]\n", "listed twice"},
		{"[certificate_profiles.\"qualified-person\"]\nvalidty_months = 1\n", "unknown keys: certificate_profiles.qualified-person.validty_months"},
		{"[ca]\ninn_le = \"7707083894\"\n", "the CA name"},
		{"[ca]\nogrn = \"12\"\n", "OGRN"},
		{"[ca]\nkey_usage_warn_days = -1\n", "ca.key_usage_warn_days"},
	} {
		_, err := LoadConfig(writeConf(t, c.conf), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.conf, err, c.want)
		}
	}
	for _, k := range EnvKeys() {
		if strings.Contains(k[0], "PROFILES") {
			t.Fatalf("environment variable for a table: %s", k[0])
		}
	}
}
