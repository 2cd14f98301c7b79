package config

import (
	"strings"
	"testing"
	"time"
)

// TestCabinetConfig: the defaults (5 min codes, 2 min pause, 5 tries, 30
// min sessions), the section from TOML and the environment, and a clear
// error for each bad value.
func TestCabinetConfig(t *testing.T) {
	def := DefaultConfig().Cabinet
	if def.CodeTTL != 5*time.Minute || def.ResendAfter != 2*time.Minute || def.MaxTries != 5 || def.SessionTTL != 30*time.Minute ||
		def.PerPhone == 0 || def.PrefixDigits != 3 {
		t.Fatalf("defaults %+v", def)
	}
	cfg, err := loadTOML(t, "[cabinet]\ncode_ttl = \"3m\"\nper_prefix = 50\nper_prefix_window = \"10m\"\npaid_types = [\"natural-person\"]\n",
		"GOSTCA_CABINET_MAX_TRIES=3")
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Cabinet
	if c.CodeTTL != 3*time.Minute || c.PerPrefix != 50 || c.PerPrefixWindow != 10*time.Minute || c.MaxTries != 3 || len(c.PaidTypes) != 1 {
		t.Fatalf("cabinet %+v", c)
	}
	for name, tc := range map[string]struct{ toml, want string }{
		"short code":         {"[cabinet]\ncode_ttl = \"10s\"\n", "cabinet.code_ttl"},
		"pause past ttl":     {"[cabinet]\nresend_after = \"10m\"\n", "cabinet.resend_after"},
		"no tries":           {"[cabinet]\nmax_tries = 0\n", "cabinet.max_tries"},
		"too many tries":     {"[cabinet]\nmax_tries = 100\n", "cabinet.max_tries"},
		"endless session":    {"[cabinet]\nsession_ttl = \"48h\"\n", "cabinet.session_ttl"},
		"limit, no window":   {"[cabinet]\nper_client = 5\nper_client_window = \"0s\"\n", "cabinet.per_client"},
		"negative limit":     {"[cabinet]\nper_phone = -1\n", "cabinet.per_phone"},
		"prefix too long":    {"[cabinet]\nprefix_digits = 11\n", "cabinet.prefix_digits"},
		"repeated paid type": {"[cabinet]\npaid_types = [\"a\", \"a\"]\n", "cabinet.paid_types"},
	} {
		if _, err := loadTOML(t, tc.toml); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
}
