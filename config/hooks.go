package config

import (
	"net/url"
	"slices"
	"strings"
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
	// Mode is how the receiver answers: "callback" (the default: it
	// POSTs a signed callback to /api/v1/hooks/KIND) or "poll" (it
	// answers the delivery 202 with a ticket, and the engine asks
	// PollURL until a final answer; esia and registry_check only).
	Mode string `toml:"mode"`
	// PollURL receives one signed POST per status query; "{ticket}" in
	// it is replaced by the ticket (path-escaped).
	PollURL string `toml:"poll_url"`
	// PollInterval is the first wait before a status query (0: 5s); it
	// doubles per pending answer up to PollMaxInterval (0: 5m), with
	// jitter. A receiver's poll_after, when longer, is waited instead.
	PollInterval    time.Duration `toml:"poll_interval"`
	PollMaxInterval time.Duration `toml:"poll_max_interval"`
	// PollDeadline: a ticket without a final answer this long after it
	// was given makes the row dead (0: 24h).
	PollDeadline time.Duration `toml:"poll_deadline"`
}

// Hook answer modes (HookKindConfig.Mode).
const (
	HookModeCallback = "callback"
	HookModePoll     = "poll"
)

// HookPollDefaults fills a poll-mode kind's zero timings.
func (k HookKindConfig) HookPollDefaults() HookKindConfig {
	if k.PollInterval == 0 {
		k.PollInterval = 5 * time.Second
	}
	if k.PollMaxInterval == 0 {
		k.PollMaxInterval = 5 * time.Minute
	}
	if k.PollDeadline == 0 {
		k.PollDeadline = 24 * time.Hour
	}
	return k
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
		validateHookMode(name, k, h.AllowHTTPLoopback, bad)
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

// validateHookMode checks a kind's answer mode and its polling settings.
func validateHookMode(name string, k HookKindConfig, loopback bool, bad func(string, ...any)) {
	switch k.Mode {
	case "", HookModeCallback:
		if k.PollURL != "" {
			bad("hooks.kind.%s.poll_url is set but mode is not \"poll\": set mode = \"poll\" or remove poll_url", name)
		}
		return
	case HookModePoll:
	default:
		bad("hooks.kind.%s.mode must be \"callback\" or \"poll\"", name)
		return
	}
	if name != "esia" && name != "registry_check" {
		bad("hooks.kind.%s.mode = \"poll\": only esia and registry_check have answers to poll for", name)
	}
	if k.PollURL == "" {
		bad("hooks.kind.%s.poll_url is required with mode = \"poll\"", name)
	} else if err := ValidateHookURL(strings.ReplaceAll(k.PollURL, "{ticket}", "t"), loopback); err != nil {
		bad("hooks.kind.%s.poll_url %v", name, err)
	}
	k = k.HookPollDefaults()
	if k.PollInterval < 10*time.Millisecond || k.PollMaxInterval < k.PollInterval || k.PollMaxInterval > 24*time.Hour {
		bad("hooks.kind.%s: poll_interval must be at least 10ms and poll_max_interval between it and 24h", name)
	}
	if k.PollDeadline < k.PollInterval || k.PollDeadline > 90*24*time.Hour {
		bad("hooks.kind.%s.poll_deadline must be between poll_interval and 90 days", name)
	}
}
