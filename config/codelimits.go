package config

import (
	"time"

	"github.com/gostca/gostca/otp"
)

// CodeLimits are the limits of one service of SMS codes (package otp).
// Two sections hold them, under two key prefixes: [cabinet] the login
// and issuance codes (code_ttl, resend_after, …), [cloud] the codes that
// confirm cloud keys' signing operations (sign_code_ttl,
// sign_resend_after, …). The field tags are the keys without the
// prefix; the section's field carries the prefix in its tomlprefix tag
// (prefixed.go reads it).
type CodeLimits struct {
	CodeTTL         time.Duration `toml:"code_ttl"`     // a code is valid this long
	ResendAfter     time.Duration `toml:"resend_after"` // a new code for the same phone only after this
	MaxTries        int           `toml:"max_tries"`    // wrong tries per code
	PerPhone        int           `toml:"per_phone"`    // codes per phone per PerPhoneWindow (0: no limit)
	PerPhoneWindow  time.Duration `toml:"per_phone_window"`
	PerClient       int           `toml:"per_client"` // codes per client address per PerClientWindow
	PerClientWindow time.Duration `toml:"per_client_window"`
	PerPrefix       int           `toml:"per_prefix"` // codes per number prefix per PerPrefixWindow
	PerPrefixWindow time.Duration `toml:"per_prefix_window"`
}

// validate checks the limits read under the key prefix at ("cabinet."
// or "cloud.sign_"), so that each error names the full TOML key;
// resend_after may be no shorter than minResend.
func (l *CodeLimits) validate(bad func(string, ...any), at string, minResend time.Duration) {
	if l.CodeTTL < 30*time.Second || l.CodeTTL > time.Hour {
		bad("%scode_ttl must be between 30s and 1h", at)
	}
	if l.ResendAfter < minResend || l.ResendAfter > l.CodeTTL {
		low := "0"
		if minResend > 0 {
			low = FormatDuration(minResend)
		}
		bad("%sresend_after must be between %s and %scode_ttl", at, low, at)
	}
	if l.MaxTries < 1 || l.MaxTries > 10 {
		bad("%smax_tries must be 1..10 (a 6-digit code allows few guesses)", at)
	}
	for _, r := range []struct {
		name   string
		n      int
		window time.Duration
	}{{"per_phone", l.PerPhone, l.PerPhoneWindow}, {"per_client", l.PerClient, l.PerClientWindow},
		{"per_prefix", l.PerPrefix, l.PerPrefixWindow}} {
		if r.n < 0 || (r.n > 0 && r.window <= 0) {
			bad("%s%s must be 0 (no limit) or positive with a positive %s%s_window", at, r.name, at, r.name)
		}
	}
}

// Options are the code service's options for these limits, with the
// number prefix of prefixDigits digits (cabinet.prefix_digits, shared by
// both services); the caller adds the clock, logger, registry and name.
func (l CodeLimits) Options(prefixDigits int) otp.Options {
	return otp.Options{TTL: l.CodeTTL, ResendAfter: l.ResendAfter, MaxTries: l.MaxTries,
		PerPhone:     otp.Rate{Max: l.PerPhone, Window: l.PerPhoneWindow},
		PerClient:    otp.Rate{Max: l.PerClient, Window: l.PerClientWindow},
		PerPrefix:    otp.Rate{Max: l.PerPrefix, Window: l.PerPrefixWindow},
		PrefixDigits: prefixDigits}
}
