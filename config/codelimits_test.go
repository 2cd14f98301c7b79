package config

import (
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/otp"
)

// codeKeys are the keys of CodeLimits without their prefix, with a good
// value each (not a default of either section).
var codeKeys = []struct{ key, toml string }{
	{"code_ttl", `"7m"`}, {"resend_after", `"9s"`}, {"max_tries", "4"},
	{"per_phone", "11"}, {"per_phone_window", `"2h"`}, {"per_client", "12"}, {"per_client_window", `"3h"`},
	{"per_prefix", "13"}, {"per_prefix_window", `"4h"`},
}

// wantCodes is codeKeys' values as CodeLimits.
var wantCodes = CodeLimits{CodeTTL: 7 * time.Minute, ResendAfter: 9 * time.Second, MaxTries: 4,
	PerPhone: 11, PerPhoneWindow: 2 * time.Hour, PerClient: 12, PerClientWindow: 3 * time.Hour,
	PerPrefix: 13, PerPrefixWindow: 4 * time.Hour}

// TestCodeLimitsDefaults: the defaults of both sections are those of
// their documentation (the comments of CabinetConfig and CloudConfig).
func TestCodeLimitsDefaults(t *testing.T) {
	def := DefaultConfig()
	if got, want := def.Cabinet.CodeLimits, (CodeLimits{CodeTTL: 5 * time.Minute, ResendAfter: 2 * time.Minute, MaxTries: 5,
		PerPhone: 5, PerPhoneWindow: time.Hour, PerClient: 30, PerClientWindow: time.Hour,
		PerPrefix: 200, PerPrefixWindow: time.Hour}); got != want {
		t.Errorf("cabinet defaults %+v, want %+v", got, want)
	}
	if got, want := def.Cloud.Sign, (CodeLimits{CodeTTL: 5 * time.Minute, ResendAfter: 5 * time.Second, MaxTries: 5,
		PerPhone: 100, PerPhoneWindow: time.Hour, PerClient: 300, PerClientWindow: time.Hour,
		PerPrefix: 2000, PerPrefixWindow: time.Hour}); got != want {
		t.Errorf("cloud defaults %+v, want %+v", got, want)
	}
	// An empty file changes nothing.
	cfg, err := loadTOML(t, "")
	if err != nil || cfg.Cabinet.CodeLimits != def.Cabinet.CodeLimits || cfg.Cloud.Sign != def.Cloud.Sign {
		t.Fatalf("empty file: %+v %+v %v", cfg.Cabinet.CodeLimits, cfg.Cloud.Sign, err)
	}
}

// TestCodeLimitsSections: the same limits are read from [cabinet] under
// their own names and from [cloud] under sign_…, each section leaving
// the other at its defaults; the environment overrides either by the
// full key; Effective and EnvKeys list the keys as the file writes them.
func TestCodeLimitsSections(t *testing.T) {
	def := DefaultConfig()
	section := func(name, prefix string) string {
		var b strings.Builder
		b.WriteString("[" + name + "]\n")
		for _, k := range codeKeys {
			b.WriteString(prefix + k.key + " = " + k.toml + "\n")
		}
		return b.String()
	}
	cfg, err := loadTOML(t, section("cabinet", ""))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Cabinet.CodeLimits != wantCodes || cfg.Cloud.Sign != def.Cloud.Sign {
		t.Errorf("[cabinet]: cabinet %+v, cloud %+v", cfg.Cabinet.CodeLimits, cfg.Cloud.Sign)
	}
	cfg, err = loadTOML(t, section("cloud", "sign_")+"key_curve = \"tc26-256-B\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Cloud.Sign != wantCodes || cfg.Cabinet.CodeLimits != def.Cabinet.CodeLimits || cfg.Cloud.KeyCurve != "tc26-256-B" {
		t.Errorf("[cloud]: cloud %+v %s, cabinet %+v", cfg.Cloud.Sign, cfg.Cloud.KeyCurve, cfg.Cabinet.CodeLimits)
	}
	set := map[string]string{}
	for _, s := range cfg.Effective() {
		if s.Source == "set" {
			set[s.Key] = s.Value
		}
	}
	for _, k := range codeKeys {
		if set["cloud.sign_"+k.key] != k.toml {
			t.Errorf("effective cloud.sign_%s = %q (%v), want %s set", k.key, set["cloud.sign_"+k.key], set, k.toml)
		}
	}
	env := map[string]string{}
	for _, kv := range EnvKeys() {
		env[kv[1]] = kv[0]
	}
	for _, k := range codeKeys {
		if env["cabinet."+k.key] != "GOSTCA_CABINET_"+strings.ToUpper(k.key) || env["cloud.sign_"+k.key] != "GOSTCA_CLOUD_SIGN_"+strings.ToUpper(k.key) {
			t.Errorf("environment of %s: %q %q", k.key, env["cabinet."+k.key], env["cloud.sign_"+k.key])
		}
	}
	cfg, err = loadTOML(t, "[cloud]\nsign_max_tries = 3\n", "GOSTCA_CLOUD_SIGN_MAX_TRIES=7", "GOSTCA_CLOUD_SIGN_PER_PHONE_WINDOW=30m",
		"GOSTCA_CABINET_PER_CLIENT=2")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Cloud.Sign.MaxTries != 7 || cfg.Cloud.Sign.PerPhoneWindow != 30*time.Minute || cfg.Cabinet.PerClient != 2 ||
		cfg.Cloud.Sign.PerClient != def.Cloud.Sign.PerClient || !cfg.IsSet("cloud.sign_max_tries") {
		t.Errorf("environment: cloud %+v, cabinet %+v", cfg.Cloud.Sign, cfg.Cabinet.CodeLimits)
	}
}

// TestCodeLimitsErrors: a bad value of any limit in either section is
// refused with its full TOML key; so is a value of the wrong type, a bare
// number for a duration, and a limit under the other section's name.
func TestCodeLimitsErrors(t *testing.T) {
	for _, s := range []struct{ section, prefix string }{{"cabinet", ""}, {"cloud", "sign_"}} {
		key := func(k string) string { return s.section + "." + s.prefix + k }
		line := func(k, v string) string { return "[" + s.section + "]\n" + s.prefix + k + " = " + v + "\n" }
		for _, tc := range []struct{ toml, want string }{
			{line("code_ttl", `"10s"`), key("code_ttl") + " must be between 30s and 1h"},
			{line("code_ttl", `"2h"`), key("code_ttl")},
			{line("resend_after", `"10m"`), key("resend_after") + " must be between"},
			{line("resend_after", `"-1s"`), key("resend_after")},
			{line("max_tries", "0"), key("max_tries") + " must be 1..10"},
			{line("max_tries", "11"), key("max_tries")},
			{line("per_phone", "-1"), key("per_phone") + " must be 0 (no limit) or positive with a positive " + key("per_phone_window")},
			{line("per_client", "5") + s.prefix + "per_client_window = \"0s\"\n", key("per_client") + " must be 0"},
			{line("per_prefix", "5") + s.prefix + "per_prefix_window = \"-1h\"\n", key("per_prefix") + " must be 0"},
			{line("max_tries", `"five"`), key("max_tries")},
			{line("code_ttl", "300"), key("code_ttl") + " = 300 has no unit"},
			{line("per_phone_window", `"an hour"`), key("per_phone_window")},
		} {
			if _, err := loadTOML(t, tc.toml); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q: %v, want an error with %q", tc.toml, err, tc.want)
			}
		}
	}
	if _, err := loadTOML(t, "[cabinet]\nresend_after = \"0s\"\n"); err != nil {
		t.Errorf("cabinet.resend_after 0: %v", err)
	}
	if _, err := loadTOML(t, "[cloud]\nsign_resend_after = \"0s\"\n"); err == nil || !strings.Contains(err.Error(), "cloud.sign_resend_after must be between 1s and cloud.sign_code_ttl") {
		t.Errorf("cloud.sign_resend_after 0: %v", err)
	}
	for _, bad := range []string{"[cloud]\ncode_ttl = \"5m\"\n", "[cabinet]\nsign_code_ttl = \"5m\"\n", "[cloud]\nsign_session_ttl = \"5m\"\n"} {
		if _, err := loadTOML(t, bad); err == nil || !strings.Contains(err.Error(), "unknown keys") {
			t.Errorf("%q: %v, want unknown keys", bad, err)
		}
	}
	if _, err := loadTOML(t, "", "GOSTCA_CLOUD_SIGN_MAX_TRIES=x"); err == nil || !strings.Contains(err.Error(), "GOSTCA_CLOUD_SIGN_MAX_TRIES") {
		t.Errorf("bad environment value: %v", err)
	}
}

// TestCodeLimitsOptions: the one conversion to the code service's
// options carries every limit and the prefix length, and nothing else.
func TestCodeLimitsOptions(t *testing.T) {
	got := wantCodes.Options(4)
	want := otp.Options{TTL: 7 * time.Minute, ResendAfter: 9 * time.Second, MaxTries: 4,
		PerPhone: otp.Rate{Max: 11, Window: 2 * time.Hour}, PerClient: otp.Rate{Max: 12, Window: 3 * time.Hour},
		PerPrefix: otp.Rate{Max: 13, Window: 4 * time.Hour}, PrefixDigits: 4}
	if got.TTL != want.TTL || got.ResendAfter != want.ResendAfter || got.MaxTries != want.MaxTries || got.PerPhone != want.PerPhone ||
		got.PerClient != want.PerClient || got.PerPrefix != want.PerPrefix || got.PrefixDigits != want.PrefixDigits ||
		got.Now != nil || got.Logger != nil || got.Registry != nil || got.Name != "" {
		t.Errorf("options %+v, want %+v", got, want)
	}
}
