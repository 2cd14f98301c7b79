package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// InstanceConfig says what kind of installation this is.
type InstanceConfig struct {
	// Production marks a production CA. It refuses what is only fit for
	// a demo: the generated passphrase file kept next to the soft keys
	// (DATA/keys/passphrase) is then never created or used; the
	// passphrase must come from keys.passphrase_file or
	// GOSTCA_KEY_PASSPHRASE.
	Production bool `toml:"production"`
}

// Defaults of the server's limits.
const (
	DefaultMaxConnsPerClient   = 512
	DefaultMaxConns            = 4096
	DefaultAuthFailureLimit    = 10
	DefaultAuthFailureWindow   = time.Minute
	DefaultAuthFailureMaxDelay = 15 * time.Minute
	DefaultAuthFailureClients  = 10000
)

func defaultServer() ServerConfig {
	return ServerConfig{
		Listen: "127.0.0.1:8080", ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: 60 * time.Second, ShutdownTimeout: 30 * time.Second, MaxBodyBytes: 1 << 20,
		MaxConnsPerClient: DefaultMaxConnsPerClient, MaxConns: DefaultMaxConns,
		AuthFailureLimit: DefaultAuthFailureLimit, AuthFailureWindow: DefaultAuthFailureWindow,
		AuthFailureMaxDelay: DefaultAuthFailureMaxDelay, AuthFailureClients: DefaultAuthFailureClients,
	}
}

// validateLimits checks the connection and authentication-failure limits
// of [server]. 0 turns a limit off.
func (c *Config) validateLimits() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("config: "+format, args...)) }
	s := &c.Server
	if s.MaxConnsPerClient < 0 || s.MaxConns < 0 {
		bad("server.max_conns_per_client and server.max_conns must be 0 (no limit) or positive")
	}
	if s.MaxConns > 0 && s.MaxConnsPerClient > s.MaxConns {
		bad("server.max_conns_per_client (%d) must not exceed server.max_conns (%d)", s.MaxConnsPerClient, s.MaxConns)
	}
	if s.AuthFailureLimit < 0 {
		bad("server.auth_failure_limit must be 0 (off) or positive")
	}
	if s.AuthFailureLimit > 0 {
		if s.AuthFailureWindow <= 0 || s.AuthFailureMaxDelay <= 0 {
			bad("server.auth_failure_window and server.auth_failure_max_delay must be positive")
		}
		if s.AuthFailureClients < 1 || s.AuthFailureClients > 10_000_000 {
			bad("server.auth_failure_clients must be 1..10000000")
		}
	}
	return errs
}

// ValidateHookURL checks the URL of a hook receiver. Hook documents carry
// personal data (names, SNILS, INN), so the URL must be https; plain http
// is accepted only when allowHTTPLoopback is set and the host is a
// loopback address (127.0.0.0/8, ::1 or localhost). Credentials in the
// URL are refused (they would end up in logs).
func ValidateHookURL(raw string, allowHTTPLoopback bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return errors.New("must be an absolute https URL")
	}
	if u.User != nil {
		return errors.New("credentials in the URL are not accepted; use the hook's token file")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if !allowHTTPLoopback {
			return errors.New("must be https (hook documents carry personal data); plain http only to a loopback address with hooks.allow_http_loopback = true")
		}
		if !isLoopbackHost(u.Hostname()) {
			return fmt.Errorf("plain http is allowed only to a loopback address, not %q", u.Hostname())
		}
		return nil
	}
	return errors.New("must be an absolute https URL")
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
