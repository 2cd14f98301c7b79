package config

import (
	"strings"
	"testing"
	"time"
)

// TestHookKindsConfig: the [hooks.kind.NAME] sections and templates load
// from TOML; unknown kinds, missing secrets, bad URLs and limits are
// refused with the setting named.
func TestHookKindsConfig(t *testing.T) {
	p := writeConf(t, `
[hooks]
min_backoff = "100ms"
replay_window = "2m"
renewal_days = [70, 30, 7]
cabinet_url = "https://lk.example.ru"
[hooks.kind.esia]
url = "https://connector.example.ru/esia"
secret_files = ["/etc/gostca/new.key", "/etc/gostca/old.key"]
concurrency = 8
max_attempts = 5
[hooks.template.ready_to_issue]
sms = "готово: {cabinet}"
`)
	cfg, err := LoadConfig(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := cfg.Hooks.Kinds["esia"]
	if k.URL != "https://connector.example.ru/esia" || len(k.SecretFiles) != 2 || k.Concurrency != 8 || k.MaxAttempts != 5 ||
		cfg.Hooks.MinBackoff != 100*time.Millisecond || cfg.Hooks.ReplayWindow != 2*time.Minute ||
		len(cfg.Hooks.RenewalDays) != 3 || cfg.Hooks.Templates["ready_to_issue"].SMS != "готово: {cabinet}" {
		t.Errorf("hooks %+v", cfg.Hooks)
	}
	for _, c := range []struct{ toml, want string }{
		{"[hooks.kind.fax]\nurl = \"https://x.ru\"\nsecret_files = [\"k\"]", "hooks.kind.fax: unknown kind"},
		{"[hooks.kind.sms]\nurl = \"https://x.ru\"", "hooks.kind.sms.secret_files"},
		{"[hooks.kind.sms]\nurl = \"ftp://x.ru\"\nsecret_files = [\"k\"]", "hooks.kind.sms.url"},
		{"[hooks.kind.sms]\nurl = \"https://x.ru\"\nsecret_files = [\"k\"]\nmax_attempts = -1", "hooks.kind.sms.max_attempts"},
		{"[hooks]\nreplay_window = \"2h\"", "hooks.replay_window"},
		{"[hooks]\nrenewal_days = [0]", "hooks.renewal_days"},
		{"[hooks]\nesia_url = \"https://a.ru\"\n[hooks.kind.esia]\nurl = \"https://b.ru\"\nsecret_files = [\"k\"]", "keep hooks.kind.esia"},
	} {
		_, err := LoadConfig(writeConf(t, c.toml), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.toml, err, c.want)
		}
	}
}
