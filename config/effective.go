package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Setting is one effective configuration value, by its TOML key, as
// `gostca config` prints it.
type Setting struct {
	Key   string // TOML key, e.g. "crl.validity"
	Value string // TOML value: durations as strings with their unit
	// Source is "set" (file or environment), "derived" (computed from
	// other keys) or "default".
	Source string
}

// derivedKeys are the keys derive (and PublicURL) compute when unset.
var derivedKeys = map[string]bool{"ocsp.refresh_before": true, "ocsp.max_age": true, "crl.delta_validity": true,
	"crl.refresh_interval": true, "server.public_url": true}

// Effective lists every key with the value the process runs with,
// defaults and derived values included (server.public_url as
// PublicURL derives it). Call it on a validated configuration.
func (c *Config) Effective() []Setting {
	var out []Setting
	walkConfig(reflect.ValueOf(c).Elem(), "", func(key string, f reflect.Value) {
		v := tomlValue(f)
		if key == "server.public_url" && f.String() == "" {
			v = strconv.Quote(c.PublicURL())
		}
		src := "default"
		switch {
		case c.set[key]:
			src = "set"
		case derivedKeys[key]:
			src = "derived"
		}
		out = append(out, Setting{Key: key, Value: v, Source: src})
	})
	return out
}

// tomlValue renders a field as TOML.
func tomlValue(f reflect.Value) string {
	switch v := f.Interface().(type) {
	case time.Duration:
		return strconv.Quote(FormatDuration(v))
	case string:
		return strconv.Quote(v)
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	return fmt.Sprint(f.Interface())
}
