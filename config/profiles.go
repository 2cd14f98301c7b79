package config

import (
	"encoding/asn1"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gostca/gostca/pkix"
)

// ProfileConfig tunes one shipped certificate profile
// ([certificate_profiles."NAME"] in the TOML file). Zero values keep the
// profile's own; docs/profile.md §3 lists the shipped values.
//
//	[certificate_profiles."qualified-person"]
//	validity_months = 15
//	key_usage_months = 15
//	ext_key_usage = ["1.2.643.2.2.34.6"]            # every certificate carries these
//	allowed_ext_key_usage = ["1.2.643.3.7.8.1"]     # a request may ask for these
type ProfileConfig struct {
	// ValidityMonths is the certificate lifetime in calendar months
	// (1..1200; the qualified profiles ship with 15).
	ValidityMonths int `toml:"validity_months"`
	// KeyUsageMonths is the privateKeyUsagePeriod in calendar months, at
	// most ValidityMonths: for the profiles that carry one (qualified,
	// issuing-ca) and the root-ca, which then gets one too.
	KeyUsageMonths int `toml:"key_usage_months"`
	// ExtKeyUsage are OIDs (dotted) added to the profile's purposes in
	// every certificate.
	ExtKeyUsage []string `toml:"ext_key_usage"`
	// AllowedExtKeyUsage are the OIDs a request may add (the API's
	// ext_key_usage); any other requested purpose is refused.
	AllowedExtKeyUsage []string `toml:"allowed_ext_key_usage"`
}

// Profiles returns every shipped profile by name with its
// certificate_profiles settings applied (pkix.Profile.Configure). A
// section naming no shipped profile, a malformed OID or a bad month count
// is an error naming the section.
func (c *Config) Profiles() (map[string]*pkix.Profile, error) {
	out := map[string]*pkix.Profile{}
	for _, p := range pkix.Profiles() {
		out[p.Name] = p
	}
	names := make([]string, 0, len(c.CertificateProfiles))
	for n := range c.CertificateProfiles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		pc := c.CertificateProfiles[n]
		key := "certificate_profiles." + strconv.Quote(n)
		base, ok := out[n]
		if !ok {
			return nil, fmt.Errorf("config: %s: no such profile (want one of %s)", key, strings.Join(profileNames(), ", "))
		}
		if pc.KeyUsageMonths != 0 && base.KeyUsageMonths == 0 && !base.CA {
			return nil, fmt.Errorf("config: %s.key_usage_months: profile %s has no key usage period", key, n)
		}
		eku, err := parseOIDs(key+".ext_key_usage", pc.ExtKeyUsage)
		if err != nil {
			return nil, err
		}
		allowed, err := parseOIDs(key+".allowed_ext_key_usage", pc.AllowedExtKeyUsage)
		if err != nil {
			return nil, err
		}
		p, err := base.Configure(pkix.ProfileOptions{ValidityMonths: pc.ValidityMonths, KeyUsageMonths: pc.KeyUsageMonths,
			ExtKeyUsage: eku, AllowedExtKeyUsage: allowed})
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", key, err)
		}
		out[n] = p
	}
	return out, nil
}

func profileNames() []string {
	var n []string
	for _, p := range pkix.Profiles() {
		n = append(n, p.Name)
	}
	return n
}

// ParseOID reads a dotted object identifier ("1.2.643.2.2.34.6"): at
// least two arcs, decimal, the first 0..2 (and the second below 40 under
// 0 and 1).
func ParseOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("%q is not a dotted OID such as 1.2.643.3.7.8.1", s)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || (len(p) > 1 && p[0] == '0') || p[0] == '+' {
			return nil, fmt.Errorf("%q is not a dotted OID such as 1.2.643.3.7.8.1", s)
		}
		oid[i] = n
	}
	if oid[0] > 2 || (oid[0] < 2 && oid[1] >= 40) {
		return nil, fmt.Errorf("%q is not a valid OID (first arcs)", s)
	}
	return oid, nil
}

func parseOIDs(key string, list []string) ([]asn1.ObjectIdentifier, error) {
	if list == nil {
		return nil, nil
	}
	out := make([]asn1.ObjectIdentifier, 0, len(list))
	for _, s := range list {
		o, err := ParseOID(s)
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", key, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// Name is the CA name of the configuration with common name cn: C, ST,
// L, street, O, CN, emailAddress, INNLE and OGRN as set.
func (c *CAConfig) Name(cn string) *pkix.Subject {
	return &pkix.Subject{CommonName: cn, Organization: c.Organization, Country: c.Country, Region: c.Region,
		Locality: c.Locality, Street: c.Street, Email: c.Email, INNLE: c.INNLE, OGRN: c.OGRN}
}
