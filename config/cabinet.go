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
	CodeTTL         time.Duration `toml:"code_ttl"`
	ResendAfter     time.Duration `toml:"resend_after"`
	MaxTries        int           `toml:"max_tries"`
	SessionTTL      time.Duration `toml:"session_ttl"`
	PerPhone        int           `toml:"per_phone"`
	PerPhoneWindow  time.Duration `toml:"per_phone_window"`
	PerClient       int           `toml:"per_client"`
	PerClientWindow time.Duration `toml:"per_client_window"`
	PerPrefix       int           `toml:"per_prefix"`
	PerPrefixWindow time.Duration `toml:"per_prefix_window"`
	PrefixDigits    int           `toml:"prefix_digits"`
	PaidTypes       []string      `toml:"paid_types"`
	RenewalWindow   time.Duration `toml:"renewal_window"`
	OperationTTL    time.Duration `toml:"operation_ttl"`
}

// DefaultCabinet is the cabinet's default configuration (the values in
// the comment of CabinetConfig).
func DefaultCabinet() CabinetConfig {
	return CabinetConfig{CodeTTL: 5 * time.Minute, ResendAfter: 2 * time.Minute, MaxTries: 5, SessionTTL: 30 * time.Minute,
		PerPhone: 5, PerPhoneWindow: time.Hour, PerClient: 30, PerClientWindow: time.Hour,
		PerPrefix: 200, PerPrefixWindow: time.Hour, PrefixDigits: 3,
		RenewalWindow: 70 * 24 * time.Hour, OperationTTL: 5 * time.Minute}
}

// validate checks the cabinet section.
func (c *CabinetConfig) validate(bad func(string, ...any)) {
	if c.CodeTTL < 30*time.Second || c.CodeTTL > time.Hour {
		bad("cabinet.code_ttl must be between 30s and 1h")
	}
	if c.ResendAfter < 0 || c.ResendAfter > c.CodeTTL {
		bad("cabinet.resend_after must be between 0 and cabinet.code_ttl")
	}
	if c.OperationTTL < 30*time.Second || c.OperationTTL > time.Hour {
		bad("cabinet.operation_ttl must be between 30s and 1h")
	}
	if c.MaxTries < 1 || c.MaxTries > 10 {
		bad("cabinet.max_tries must be 1..10 (a 6-digit code allows few guesses)")
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 24*time.Hour {
		bad("cabinet.session_ttl must be between 1m and 24h")
	}
	for _, r := range []struct {
		name   string
		n      int
		window time.Duration
	}{{"per_phone", c.PerPhone, c.PerPhoneWindow}, {"per_client", c.PerClient, c.PerClientWindow}, {"per_prefix", c.PerPrefix, c.PerPrefixWindow}} {
		if r.n < 0 || (r.n > 0 && r.window <= 0) {
			bad("cabinet.%s must be 0 (no limit) or positive with a positive cabinet.%s_window", r.name, r.name)
		}
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
