package config

import (
	"strings"
	"testing"
)

// Hook URLs must be https; plain http only to loopback, and only when
// hooks.allow_http_loopback says so; credentials in the URL are refused.
func TestHookURLPolicy(t *testing.T) {
	for _, c := range []struct {
		url      string
		loopback bool
		want     string // "" = accepted, else a piece of the error
	}{
		{"https://esia-connector.example/reg", false, ""},
		{"http://esia-connector.example/reg", false, "must be https"},
		{"http://127.0.0.1:9/esia", false, "must be https"},
		{"http://127.0.0.1:9/esia", true, ""},
		{"http://127.0.0.2:9/esia", true, ""},
		{"http://[::1]:9/esia", true, ""},
		{"http://localhost:9/esia", true, ""},
		{"http://10.0.0.1/esia", true, "only to a loopback"},
		{"http://connector.example/esia", true, "only to a loopback"},
		{"https://user:pw@connector.example/x", false, "credentials"},
		{"ftp://connector.example/x", true, "https URL"},
		{"connector.example/x", false, "https URL"},
	} {
		err := ValidateHookURL(c.url, c.loopback)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s (loopback %v): refused: %v", c.url, c.loopback, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s (loopback %v): %v, want an error with %q", c.url, c.loopback, err, c.want)
		}
		cfg := DefaultConfig()
		cfg.Hooks.ESIAURL, cfg.Hooks.AllowHTTPLoopback = c.url, c.loopback
		if err := cfg.Validate(); (err == nil) != (c.want == "") {
			t.Errorf("Validate %s: %v", c.url, err)
		}
	}
	cfg := DefaultConfig()
	cfg.Hooks.ProxyURL = "socks://x"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "hooks.proxy_url") {
		t.Errorf("proxy_url socks: %v", err)
	}
}

func TestLimitsConfig(t *testing.T) {
	def := DefaultConfig()
	if def.Server.MaxConnsPerClient != DefaultMaxConnsPerClient || def.Server.MaxConns != DefaultMaxConns ||
		def.Server.AuthFailureLimit != DefaultAuthFailureLimit || def.Instance.Production || def.OCSP.PresignedOnly {
		t.Fatalf("defaults: %+v %+v", def.Server, def.Instance)
	}
	for name, mut := range map[string]func(*Config){
		"per client above total": func(c *Config) { c.Server.MaxConnsPerClient, c.Server.MaxConns = 10, 5 },
		"negative":               func(c *Config) { c.Server.MaxConns = -1 },
		"no window":              func(c *Config) { c.Server.AuthFailureWindow = 0 },
		"no clients":             func(c *Config) { c.Server.AuthFailureClients = 0 },
	} {
		c := DefaultConfig()
		mut(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := DefaultConfig()
	c.Server.AuthFailureLimit, c.Server.AuthFailureWindow, c.Server.MaxConns = 0, 0, 0
	if err := c.Validate(); err != nil {
		t.Errorf("limits off: %v", err)
	}
	// The new keys are in the environment overrides like every other.
	cfg, err := LoadConfig("", []string{"GOSTCA_INSTANCE_PRODUCTION=true", "GOSTCA_OCSP_PRESIGNED_ONLY=1",
		"GOSTCA_SERVER_MAX_CONNS_PER_CLIENT=3", "GOSTCA_HOOKS_ALLOW_HTTP_LOOPBACK=true"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Instance.Production || !cfg.OCSP.PresignedOnly || cfg.Server.MaxConnsPerClient != 3 || !cfg.Hooks.AllowHTTPLoopback {
		t.Fatalf("env: %+v %+v", cfg.Instance, cfg.Server)
	}
}
