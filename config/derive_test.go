package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeTOML(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gostca.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBareIntegerDuration: a duration without a unit is refused at load
// time (it would be nanoseconds), saying how to write it.
func TestBareIntegerDuration(t *testing.T) {
	_, err := LoadConfig(writeTOML(t, "[crl]\nvalidity = 86400\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `crl.validity = "86400s"`) || !strings.Contains(err.Error(), `"24h"`) {
		t.Fatalf("bare integer: %v", err)
	}
	if _, err := LoadConfig(writeTOML(t, "[ocsp]\nlive_wait = 1.5\n"), nil); err == nil || !strings.Contains(err.Error(), "ocsp.live_wait") {
		t.Fatalf("bare float: %v", err)
	}
	_, err = LoadConfig("", []string{"GOSTCA_CRL_VALIDITY=86400"})
	if err == nil || !strings.Contains(err.Error(), `"86400s"`) {
		t.Fatalf("environment: %v", err)
	}
	cfg, err := LoadConfig(writeTOML(t, "[crl]\nvalidity = \"24h\"\n"), nil)
	if err != nil || cfg.CRL.Validity != 24*time.Hour {
		t.Fatalf("with a unit: %v %v", err, cfg.CRL.Validity)
	}
}

// TestDerivedDefaults: setting one key derives the defaults that depend
// on it instead of refusing a default the user never set; a value the
// user did set is still checked.
func TestDerivedDefaults(t *testing.T) {
	cfg, err := LoadConfig(writeTOML(t, "[ocsp]\nvalidity = \"12h\"\n[crl]\nvalidity = \"30m\"\n"), nil)
	if err != nil {
		t.Fatalf("ocsp.validity = 12h alone: %v", err)
	}
	if cfg.OCSP.RefreshBefore != 6*time.Hour || cfg.CRL.DeltaValidity != 30*time.Minute ||
		cfg.CRL.RefreshInterval != 15*time.Minute || cfg.OCSP.MaxAge != 5*time.Minute {
		t.Fatalf("derived: refresh_before %v delta_validity %v refresh_interval %v max_age %v",
			cfg.OCSP.RefreshBefore, cfg.CRL.DeltaValidity, cfg.CRL.RefreshInterval, cfg.OCSP.MaxAge)
	}
	if _, err := LoadConfig("", []string{"GOSTCA_OCSP_VALIDITY=2m"}); err != nil {
		t.Fatalf("environment: %v", err)
	}
	_, err = LoadConfig(writeTOML(t, "[ocsp]\nvalidity = \"12h\"\nrefresh_before = \"12h\"\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "ocsp.refresh_before") {
		t.Fatalf("explicit contradiction accepted: %v", err)
	}
	// Defaults alone keep their documented values.
	def, err := LoadConfig("", nil)
	if err != nil || def.OCSP.RefreshBefore != 12*time.Hour || def.CRL.DeltaValidity != time.Hour || def.OCSP.MaxAge != 5*time.Minute {
		t.Fatalf("defaults: %v %+v", err, def.OCSP)
	}
}

// TestEffective: every key by its TOML name, durations with units, the
// source of each value, and the derived public URL.
func TestEffective(t *testing.T) {
	cfg, err := LoadConfig(writeTOML(t, "[ocsp]\nvalidity = \"12h\"\n[server]\nlisten = \"127.0.0.1:9090\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Setting{}
	for _, s := range cfg.Effective() {
		got[s.Key] = s
	}
	for key, want := range map[string]Setting{
		"ocsp.validity":       {Value: `"12h"`, Source: "set"},
		"ocsp.refresh_before": {Value: `"6h"`, Source: "derived"},
		"crl.validity":        {Value: `"24h"`, Source: "default"},
		"server.public_url":   {Value: `"http://127.0.0.1:9090"`, Source: "derived"},
		"server.listen":       {Value: `"127.0.0.1:9090"`, Source: "set"},
		"ocsp.max_age":        {Value: `"5m"`, Source: "derived"},
		"ca.classes":          {Value: `["KC1"]`, Source: "default"},
	} {
		if g := got[key]; g.Value != want.Value || g.Source != want.Source {
			t.Errorf("%s: %+v, want %+v", key, g, want)
		}
	}
	if len(got) != len(EnvKeys()) {
		t.Errorf("%d settings, %d keys", len(got), len(EnvKeys()))
	}
}
