package pkcs11

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gostca/gostca/hsm"
)

// Config says which token to use and how the pool behaves. Module, PIN and
// one of TokenLabel or Slot are required; zero values elsewhere mean the
// defaults.
type Config struct {
	// Module is the path of the PKCS#11 library, e.g.
	// /usr/lib/softhsm/libsofthsm2.so.
	Module string
	// TokenLabel selects the token by its label (preferred: slot IDs may
	// change when tokens are added or re-plugged).
	TokenLabel string
	// Slot selects the token by slot ID. With TokenLabel also set, both
	// must match.
	Slot *uint
	// PIN says where the user PIN is read from: a file or an environment
	// variable. The PIN is never logged nor put into an error.
	PIN hsm.SecretSource

	// Sessions is the size of the pool: at most this many operations are
	// in flight on the token at once, one per session. Default 4.
	Sessions int
	// MaxWait bounds the wait for a free session when the context has no
	// earlier deadline. Default 5s.
	MaxWait time.Duration
	// MaxAttempts is how many times one operation is tried when the
	// session, login or device fails under it; between attempts the
	// sessions are re-established. Default 3.
	MaxAttempts int
	// ProbeInterval is how long the circuit breaker stays open before one
	// call probes the token again. Default 5s.
	ProbeInterval time.Duration
	// MaxFutileRecoveries opens the breaker when this many
	// re-establishments in a row were each followed by a failure before
	// any success (the token is up but keeps failing). Default 3.
	MaxFutileRecoveries int

	// Logger receives recovery and breaker events; default slog.Default().
	Logger *slog.Logger

	// load replaces the module loader in tests (a fake token).
	load func(path string) (api, error)
}

// Defaults applied by Open.
const (
	DefaultSessions            = 4
	DefaultMaxWait             = 5 * time.Second
	DefaultMaxAttempts         = 3
	DefaultProbeInterval       = 5 * time.Second
	DefaultMaxFutileRecoveries = 3
)

func (c Config) withDefaults() (Config, error) {
	if c.Module == "" {
		return c, errors.New("hsm: pkcs11: no module path configured")
	}
	if c.TokenLabel == "" && c.Slot == nil {
		return c, errors.New("hsm: pkcs11: configure a token label or a slot")
	}
	if c.PIN.IsZero() {
		return c, errors.New("hsm: pkcs11: configure where the PIN comes from (a file or an environment variable)")
	}
	if c.Sessions < 0 || c.MaxWait < 0 || c.MaxAttempts < 0 || c.ProbeInterval < 0 || c.MaxFutileRecoveries < 0 {
		return c, errors.New("hsm: pkcs11: negative pool setting")
	}
	if c.Sessions == 0 {
		c.Sessions = DefaultSessions
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.ProbeInterval == 0 {
		c.ProbeInterval = DefaultProbeInterval
	}
	if c.MaxFutileRecoveries == 0 {
		c.MaxFutileRecoveries = DefaultMaxFutileRecoveries
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.load == nil {
		c.load = loadModule
	}
	return c, nil
}

// name is how messages refer to the token.
func (c *Config) name() string {
	switch {
	case c.TokenLabel != "" && c.Slot != nil:
		return fmt.Sprintf("%s (slot %d)", c.TokenLabel, *c.Slot)
	case c.TokenLabel != "":
		return c.TokenLabel
	case c.Slot != nil:
		return fmt.Sprintf("slot %d", *c.Slot)
	}
	return "?"
}
