package config

import (
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// A struct field tagged `toml:"-" tomlprefix:"P"` is a group of keys read
// in its parent's table, each with the prefix P before its own tag:
// [cloud] sign_code_ttl is CodeLimits.CodeTTL (`toml:"code_ttl"`) of
// CloudConfig.Sign (`tomlprefix:"sign_"`), [cabinet] code_ttl the same
// field of CabinetConfig's CodeLimits (`tomlprefix:""`). The TOML
// package knows no prefixes, so LoadConfig decodes the file a second
// time into a type made for each group, with the prefixed tags
// (decodePrefixed); walkConfig follows the prefix, so the environment
// (GOSTCA_CLOUD_SIGN_CODE_TTL), the effective settings and the check of
// bare durations see the same keys.
const prefixTag = "tomlprefix"

// prefixedGroup is one prefixed group of the configuration.
type prefixedGroup struct {
	path   []string // the table that holds it: ["cloud"]
	prefix string   // "sign_"
	v      reflect.Value
}

// prefixedGroups lists the prefixed groups of the struct v, whose table
// is path.
func prefixedGroups(v reflect.Value, path []string, out []prefixedGroup) []prefixedGroup {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Type.Kind() != reflect.Struct {
			continue
		}
		if p, ok := sf.Tag.Lookup(prefixTag); ok {
			out = append(out, prefixedGroup{path: path, prefix: p, v: v.Field(i)})
			continue
		}
		if tag := sf.Tag.Get("toml"); tag != "" && tag != "-" {
			out = prefixedGroups(v.Field(i), append(slices.Clip(path), tag), out)
		}
	}
	return out
}

// decodePrefixed reads cfg's prefixed groups from the TOML text (the
// keys the file leaves out keep their values) and returns the full keys
// they may have, which the decoding of the whole file leaves undecoded.
// A value of the wrong type is an error naming its key.
func decodePrefixed(text string, cfg *Config) (map[string]bool, error) {
	keys := map[string]bool{}
	for _, g := range prefixedGroups(reflect.ValueOf(cfg).Elem(), nil, nil) {
		gt := g.v.Type()
		fields := make([]reflect.StructField, gt.NumField())
		for i := range fields {
			f := gt.Field(i)
			name := g.prefix + f.Tag.Get("toml")
			fields[i] = reflect.StructField{Name: f.Name, Type: f.Type, Tag: reflect.StructTag(`toml:"` + name + `"`)}
			keys[strings.Join(append(slices.Clip(g.path), name), ".")] = true
		}
		inner := reflect.StructOf(fields) // gt with the prefixed tags: convertible both ways
		outer := inner
		for i := len(g.path) - 1; i >= 0; i-- {
			outer = reflect.StructOf([]reflect.StructField{{Name: "T", Type: outer, Tag: reflect.StructTag(`toml:"` + g.path[i] + `"`)}})
		}
		shadow := reflect.New(outer).Elem()
		at := shadow
		for range g.path {
			at = at.Field(0)
		}
		at.Set(g.v.Convert(inner))
		if _, err := toml.Decode(text, shadow.Addr().Interface()); err != nil {
			return nil, err
		}
		g.v.Set(at.Convert(gt))
	}
	return keys, nil
}
