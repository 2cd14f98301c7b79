package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/ra/appdata"
)

// CloudConfig configures cloud keys' signing (package cloudkey): the
// codes that confirm signing operations have limits of their own, apart
// from the login and issuance codes of [cabinet], since a subscriber
// signs many documents:
//
//	[cloud]
//	sign_code_ttl = "5m"            # a signing code is valid this long
//	sign_resend_after = "5s"        # a new signing code for the same phone only after this
//	sign_max_tries = 5              # wrong tries per signing code
//	sign_per_phone = 100            # signing codes per phone per sign_per_phone_window (0: no limit)
//	sign_per_phone_window = "1h"
//	sign_per_client = 300           # signing codes per client address per sign_per_client_window
//	sign_per_client_window = "1h"
//	sign_per_prefix = 2000          # signing codes per number prefix (cabinet.prefix_digits) per window
//	sign_per_prefix_window = "1h"
//	key_curve = "tc26-256-A"        # parameter set of cloud keys
//
//	[cloud.type_curves]             # another set for a certificate type (a cloud one)
//	natural-person-cloud-512 = "tc26-512-A"
//
// How long an operation waits for its confirmation is
// cabinet.operation_ttl. The parameter sets allowed are those of
// subscribers' qualified keys: the TC26 sets of GOST R 34.10-2012,
// 256-bit (tc26-256-A…D) and 512-bit (tc26-512-A…C). With the CA keys on
// a PKCS#11 token the cloud keys are made on it, and a set the token has
// no mechanism for is refused when a key is asked for (501
// cloud_key_curve_unsupported); SoftHSM2 has no GOST mechanism at all.
type CloudConfig struct {
	// Sign are the signing codes' limits: sign_code_ttl,
	// sign_resend_after, … (codelimits.go).
	Sign       CodeLimits        `toml:"-" tomlprefix:"sign_"`
	KeyCurve   string            `toml:"key_curve"`
	TypeCurves map[string]string `toml:"type_curves"`
}

// cloudCurve is a parameter set allowed for cloud keys: a production
// TC26 GOST R 34.10-2012 set (not a test set, not ECDSA).
func cloudCurve(name string) (hsm.Curve, error) {
	c, err := hsm.CurveByName(name)
	if err != nil || c.GOST == nil || c.GOST.Test || !strings.HasPrefix(name, "tc26-") {
		return hsm.Curve{}, fmt.Errorf("%q: want a TC26 GOST R 34.10-2012 parameter set (tc26-256-A…D, tc26-512-A…C)", name)
	}
	return c, nil
}

// Curves returns the parameter set of cloud keys and those chosen per
// certificate type.
func (c *CloudConfig) Curves() (hsm.Curve, map[string]hsm.Curve, error) {
	def, err := cloudCurve(c.KeyCurve)
	if err != nil {
		return hsm.Curve{}, nil, fmt.Errorf("cloud.key_curve %w", err)
	}
	types := make(map[string]hsm.Curve, len(c.TypeCurves))
	for name, cn := range c.TypeCurves {
		if types[name], err = cloudCurve(cn); err != nil {
			return hsm.Curve{}, nil, fmt.Errorf("cloud.type_curves.%s %w", name, err)
		}
	}
	return def, types, nil
}

// DefaultCloud is the default of [cloud] (the values in the comment of
// CloudConfig).
func DefaultCloud() CloudConfig {
	return CloudConfig{Sign: CodeLimits{CodeTTL: 5 * time.Minute, ResendAfter: 5 * time.Second, MaxTries: 5,
		PerPhone: 100, PerPhoneWindow: time.Hour, PerClient: 300, PerClientWindow: time.Hour,
		PerPrefix: 2000, PerPrefixWindow: time.Hour}, KeyCurve: "tc26-256-A"}
}

// validate checks the cloud section; a type given its own parameter set
// must be a cloud certificate type of ra.
func (c *CloudConfig) validate(bad func(string, ...any), r *RAConfig) {
	if _, _, err := c.Curves(); err != nil {
		bad("%v", err)
	}
	if len(c.TypeCurves) > 0 {
		profiles, err := r.ApplicationProfiles()
		if profiles == nil && err == nil {
			profiles = appdata.DefaultProfiles()
		}
		cloud := map[string]bool{}
		for _, p := range profiles {
			cloud[p.Name] = p.KeyStorage == appdata.KeyStorageCloud
		}
		for name := range c.TypeCurves {
			if !cloud[name] && err == nil {
				bad("cloud.type_curves.%s: not a certificate type of ra.profiles with key_storage = \"cloud\"", name)
			}
		}
	}
	c.Sign.validate(bad, "cloud.sign_", time.Second)
}
