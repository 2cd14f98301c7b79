package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Defaults that depend on other keys are derived from what the user set,
// never refused because of a default the user did not choose: a key is
// derived when it was not set (in the file or the environment) and still
// holds its built-in default.
//
//	ocsp.refresh_before   ocsp.validity / 2
//	ocsp.max_age          min(5m, ocsp.validity)
//	crl.delta_validity    min(1h, crl.validity)
//	crl.refresh_interval  min(1h, crl.validity / 2)
//	server.public_url     http(s)://server.listen (PublicURL)
func (c *Config) derive() {
	def := DefaultConfig()
	unset := func(key string, cur, d time.Duration) bool { return !c.set[key] && cur == d }
	if unset("ocsp.refresh_before", c.OCSP.RefreshBefore, def.OCSP.RefreshBefore) {
		c.OCSP.RefreshBefore = c.OCSP.Validity / 2
	}
	if unset("ocsp.max_age", c.OCSP.MaxAge, def.OCSP.MaxAge) {
		c.OCSP.MaxAge = min(def.OCSP.MaxAge, c.OCSP.Validity)
	}
	if unset("crl.delta_validity", c.CRL.DeltaValidity, def.CRL.DeltaValidity) {
		c.CRL.DeltaValidity = min(def.CRL.DeltaValidity, c.CRL.Validity)
	}
	if unset("crl.refresh_interval", c.CRL.RefreshInterval, def.CRL.RefreshInterval) {
		c.CRL.RefreshInterval = min(def.CRL.RefreshInterval, c.CRL.Validity/2)
	}
}

// IsSet reports whether the file or the environment gave key.
func (c *Config) IsSet(key string) bool { return c.set[key] }

// markSet records the keys a TOML file defined.
func (c *Config) markSet(md toml.MetaData) {
	if c.set == nil {
		c.set = map[string]bool{}
	}
	for _, k := range md.Keys() {
		c.set[k.String()] = true
	}
}

var durationType = reflect.TypeOf(time.Duration(0))

// bareDurations refuses durations written as numbers: TOML integers would
// be read as nanoseconds (crl.validity = 86400 is 86 µs, and every CRL
// built with it is broken), so a duration must be a string with a unit.
// cfg is the decoded configuration (the number is in its field).
func bareDurations(md toml.MetaData, cfg *Config) []string {
	var bad []string
	walkConfig(reflect.ValueOf(cfg).Elem(), "", func(key string, f reflect.Value) {
		if f.Type() != durationType {
			return
		}
		switch md.Type(strings.Split(key, ".")...) {
		case "Integer":
			n := f.Int()
			bad = append(bad, fmt.Sprintf("%s = %d has no unit: write a duration string such as %s = \"%ds\" or %s = %q",
				key, n, key, n, key, FormatDuration(time.Duration(n)*time.Second)))
		case "Float":
			bad = append(bad, fmt.Sprintf("%s is a bare number: write a duration string with a unit, e.g. %s = \"90s\" or \"24h\"", key, key))
		}
	})
	return bad
}

// FormatDuration prints a duration the way the configuration takes it,
// without zero units: 24h, 1h30m, 15s, 250ms.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
