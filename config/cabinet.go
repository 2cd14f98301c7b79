package config

import (
	"slices"
	"time"
)

// CabinetConfig configures the subscriber cabinet (packages otp and
// cabinet):
//
//	[cabinet]
//	code_ttl = "5m"            # a one-time code is valid this long
//	resend_after = "2m"        # a new code for the same phone and purpose only after this
//	max_tries = 5              # wrong tries per code
//	session_ttl = "30m"        # a subscriber session lasts this long
//	per_phone = 5              # codes per phone per per_phone_window (0: no limit)
//	per_phone_window = "1h"
//	per_client = 30            # codes per client address per per_client_window
//	per_client_window = "1h"
//	per_prefix = 200           # codes per number prefix per per_prefix_window (SMS pumping)
//	per_prefix_window = "1h"
//	prefix_digits = 3          # the prefix: this many digits after +7
//	paid_types = []            # certificate types whose issuance needs a paid invoice
//	renewal_window = "1680h"   # renewal by a signature opens this long (70 days) before expiry
//	operation_ttl = "5m"       # a cloud key's signing operation waits this long for its confirmation
//
// The code secret is not configuration: it is the file keys/otp.key of
// the data directory (package cadir).
type CabinetConfig struct {
	// CodeLimits are the codes' limits: code_ttl, resend_after,
	// max_tries, per_phone, … (codelimits.go; the [cloud] section has
	// its own, under sign_).
	CodeLimits    `toml:"-" tomlprefix:""`
	SessionTTL    time.Duration `toml:"session_ttl"`
	PrefixDigits  int           `toml:"prefix_digits"`
	PaidTypes     []string      `toml:"paid_types"`
	RenewalWindow time.Duration `toml:"renewal_window"`
	OperationTTL  time.Duration `toml:"operation_ttl"`
}

// DefaultCabinet is the cabinet's default configuration (the values in
// the comment of CabinetConfig).
func DefaultCabinet() CabinetConfig {
	return CabinetConfig{CodeLimits: CodeLimits{CodeTTL: 5 * time.Minute, ResendAfter: 2 * time.Minute, MaxTries: 5,
		PerPhone: 5, PerPhoneWindow: time.Hour, PerClient: 30, PerClientWindow: time.Hour,
		PerPrefix: 200, PerPrefixWindow: time.Hour}, SessionTTL: 30 * time.Minute, PrefixDigits: 3,
		RenewalWindow: 70 * 24 * time.Hour, OperationTTL: 5 * time.Minute}
}

// validate checks the cabinet section.
func (c *CabinetConfig) validate(bad func(string, ...any)) {
	c.CodeLimits.validate(bad, "cabinet.", 0)
	if c.OperationTTL < 30*time.Second || c.OperationTTL > time.Hour {
		bad("cabinet.operation_ttl must be between 30s and 1h")
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 24*time.Hour {
		bad("cabinet.session_ttl must be between 1m and 24h")
	}
	if c.RenewalWindow < 24*time.Hour || c.RenewalWindow > 366*24*time.Hour {
		bad("cabinet.renewal_window must be between 24h and 8784h (366 days)")
	}
	if c.PrefixDigits < 1 || c.PrefixDigits > 9 {
		bad("cabinet.prefix_digits must be 1..9")
	}
	for i, t := range c.PaidTypes {
		if t == "" || slices.Contains(c.PaidTypes[:i], t) {
			bad("cabinet.paid_types: empty or repeated certificate type")
		}
	}
}
