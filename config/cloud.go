package config

import "time"

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
//
// How long an operation waits for its confirmation is
// cabinet.operation_ttl.
type CloudConfig struct {
	SignCodeTTL         time.Duration `toml:"sign_code_ttl"`
	SignResendAfter     time.Duration `toml:"sign_resend_after"`
	SignMaxTries        int           `toml:"sign_max_tries"`
	SignPerPhone        int           `toml:"sign_per_phone"`
	SignPerPhoneWindow  time.Duration `toml:"sign_per_phone_window"`
	SignPerClient       int           `toml:"sign_per_client"`
	SignPerClientWindow time.Duration `toml:"sign_per_client_window"`
	SignPerPrefix       int           `toml:"sign_per_prefix"`
	SignPerPrefixWindow time.Duration `toml:"sign_per_prefix_window"`
}

// DefaultCloud is the default of [cloud] (the values in the comment of
// CloudConfig).
func DefaultCloud() CloudConfig {
	return CloudConfig{SignCodeTTL: 5 * time.Minute, SignResendAfter: 5 * time.Second, SignMaxTries: 5,
		SignPerPhone: 100, SignPerPhoneWindow: time.Hour, SignPerClient: 300, SignPerClientWindow: time.Hour,
		SignPerPrefix: 2000, SignPerPrefixWindow: time.Hour}
}

// validate checks the cloud section.
func (c *CloudConfig) validate(bad func(string, ...any)) {
	if c.SignCodeTTL < 30*time.Second || c.SignCodeTTL > time.Hour {
		bad("cloud.sign_code_ttl must be between 30s and 1h")
	}
	if c.SignResendAfter < time.Second || c.SignResendAfter > c.SignCodeTTL {
		bad("cloud.sign_resend_after must be between 1s and cloud.sign_code_ttl")
	}
	if c.SignMaxTries < 1 || c.SignMaxTries > 10 {
		bad("cloud.sign_max_tries must be 1..10 (a 6-digit code allows few guesses)")
	}
	for _, r := range []struct {
		name   string
		n      int
		window time.Duration
	}{{"sign_per_phone", c.SignPerPhone, c.SignPerPhoneWindow}, {"sign_per_client", c.SignPerClient, c.SignPerClientWindow},
		{"sign_per_prefix", c.SignPerPrefix, c.SignPerPrefixWindow}} {
		if r.n < 0 || (r.n > 0 && r.window <= 0) {
			bad("cloud.%s must be 0 (no limit) or positive with a positive cloud.%s_window", r.name, r.name)
		}
	}
}
