package config

import (
	"net/url"
	"slices"
	"time"
)

// HookKindConfig is one outbox kind's receiver.
type HookKindConfig struct {
	// URL receives one signed POST per row.
	URL string `toml:"url"`
	// SecretFiles (mode o-rwx) each hold a Standard Webhooks secret
	// ("whsec_" and base64, or raw bytes, at least 24). Every delivery
	// carries one signature per secret, and a callback is accepted under
	// any of them: list the new and the old secret during a rotation.
	SecretFiles []string `toml:"secret_files"`
	// Concurrency is this kind's deliveries in flight (0: hooks.concurrency).
	Concurrency int `toml:"concurrency"`
	// MaxAttempts: after this many failed attempts the row is dead
	// until an operator redrives it (0: 20).
	MaxAttempts int `toml:"max_attempts"`
}

// NoticeTemplate is the text of one notice.
type NoticeTemplate struct {
	SMS     string `toml:"sms"`
	Subject string `toml:"subject"`
	Body    string `toml:"body"`
}

// HookKinds are the outbox kinds a [hooks.kind.NAME] section may name.
var HookKinds = []string{"esia", "registry_check", "sms", "email", "renewal"}

// validateHookKinds checks the hooks.kind sections and the hook timings.
func (c *Config) validateHookKinds(bad func(string, ...any)) {
	h := &c.Hooks
	if h.MinBackoff <= 0 {
		bad("hooks.min_backoff must be positive (the first wait; hooks.max_backoff caps it)")
	}
	if h.ReplayWindow < time.Second || h.ReplayWindow > time.Hour {
		bad("hooks.replay_window must be 1s..1h (the Standard Webhooks default is 5m)")
	}
	for name, k := range h.Kinds {
		if !slices.Contains(HookKinds, name) {
			bad("hooks.kind.%s: unknown kind; one of %v", name, HookKinds)
			continue
		}
		if err := ValidateHookURL(k.URL, h.AllowHTTPLoopback); err != nil {
			bad("hooks.kind.%s.url %v", name, err)
		}
		if len(k.SecretFiles) == 0 || len(k.SecretFiles) > 4 {
			bad("hooks.kind.%s.secret_files: list 1 to 4 files (new secret first during a rotation)", name)
		}
		if k.Concurrency < 0 || k.Concurrency > 256 {
			bad("hooks.kind.%s.concurrency must be 0..256 (0: hooks.concurrency)", name)
		}
		if k.MaxAttempts < 0 || k.MaxAttempts > 1000 {
			bad("hooks.kind.%s.max_attempts must be 0..1000 (0: 20)", name)
		}
	}
	if name := "esia"; h.ESIAURL != "" && h.Kinds[name].URL != "" {
		bad("hooks.esia_url and hooks.kind.esia both set: keep hooks.kind.esia")
	}
	if h.RenewalInterval <= 0 {
		bad("hooks.renewal_interval must be positive")
	}
	for _, d := range h.RenewalDays {
		if d < 1 || d > 3650 {
			bad("hooks.renewal_days: each threshold is 1..3650 days")
		}
	}
	if h.CabinetURL != "" {
		if pu, err := url.Parse(h.CabinetURL); err != nil || pu.Scheme != "https" && pu.Scheme != "http" {
			bad("hooks.cabinet_url must be an absolute URL")
		}
	}
}
