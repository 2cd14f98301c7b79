package config

import (
	"strings"
	"testing"
	"time"
)

// TestHookPollConfig: a kind in poll mode loads its status URL and
// timings (defaults filled by HookPollDefaults); a poll URL without poll
// mode, poll mode on a kind without answers, a missing or plain-http
// poll URL and inverted timings are refused with the setting named.
func TestHookPollConfig(t *testing.T) {
	p := writeConf(t, `
[hooks.kind.registry_check]
url = "https://smev.example.ru/checks"
secret_files = ["/etc/gostca/smev.key"]
mode = "poll"
poll_url = "https://smev.example.ru/checks/{ticket}/status"
poll_interval = "2s"
poll_deadline = "6h"
`)
	cfg, err := LoadConfig(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := cfg.Hooks.Kinds["registry_check"].HookPollDefaults()
	if k.Mode != HookModePoll || k.PollURL != "https://smev.example.ru/checks/{ticket}/status" || k.PollInterval != 2*time.Second ||
		k.PollMaxInterval != 5*time.Minute || k.PollDeadline != 6*time.Hour {
		t.Errorf("kind %+v", k)
	}
	base := "[hooks.kind.%s]\nurl = \"https://x.ru\"\nsecret_files = [\"k\"]\n"
	for _, c := range []struct{ kind, more, want string }{
		{"esia", "poll_url = \"https://x.ru/s\"", "hooks.kind.esia.poll_url is set but mode is not"},
		{"esia", "mode = \"push\"", "hooks.kind.esia.mode must be"},
		{"sms", "mode = \"poll\"\npoll_url = \"https://x.ru/s\"", "only esia and registry_check"},
		{"esia", "mode = \"poll\"", "hooks.kind.esia.poll_url is required"},
		{"esia", "mode = \"poll\"\npoll_url = \"http://x.ru/{ticket}\"", "hooks.kind.esia.poll_url"},
		{"esia", "mode = \"poll\"\npoll_url = \"https://x.ru/s\"\npoll_interval = \"1m\"\npoll_max_interval = \"10s\"", "poll_max_interval"},
		{"esia", "mode = \"poll\"\npoll_url = \"https://x.ru/s\"\npoll_deadline = \"1s\"", "hooks.kind.esia.poll_deadline"},
	} {
		toml := strings.Replace(base, "%s", c.kind, 1) + c.more
		_, err := LoadConfig(writeConf(t, toml), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", toml, err, c.want)
		}
	}
}
