package ca

import (
	"fmt"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
)

// profilesFor lists the profiles an issuing CA with a key of alg issues
// under: every end-entity profile for GOST, the non-qualified ones
// otherwise, as the configuration (certificate_profiles) sets them.
func profilesFor(alg hsm.Algorithm, configured map[string]*pkix.Profile) []*pkix.Profile {
	var out []*pkix.Profile
	for _, shipped := range pkix.Profiles() {
		p := configured[shipped.Name]
		if p == nil {
			p = shipped
		}
		if !p.CA && (alg.IsGOST() || !p.Qualified) {
			out = append(out, p)
		}
	}
	return out
}

// issuerSettings are the CA-wide extension values from the configuration.
func issuerSettings(cfg *config.Config) (pkix.Issuer, error) {
	pol, err := cfg.CA.Policies()
	if err != nil {
		return pkix.Issuer{}, fmt.Errorf("ca: ca.classes: %w", err)
	}
	return pkix.Issuer{
		SignTool: &pkix.IssuerSignTool{SignTool: cfg.CA.SignTool, CATool: cfg.CA.CATool,
			SignToolCert: cfg.CA.SignToolCert, CAToolCert: cfg.CA.CAToolCert},
		Policies: pol,
	}, nil
}
