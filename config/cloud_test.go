package config

import (
	"strings"
	"testing"

	"github.com/gostca/gostca/ra/appdata"
)

// TestCloudCurves: cloud keys default to tc26-256-A; a cloud certificate
// type may take a 512-bit set ([cloud] type_curves, from TOML); an
// unknown or non-TC26 set, an ECDSA curve, a test set, or a type that is
// not a cloud type of ra.profiles is refused with the key named.
func TestCloudCurves(t *testing.T) {
	cl := DefaultConfig().Cloud
	def, types, err := cl.Curves()
	if err != nil || def.Name() != "tc26-256-A" || len(types) != 0 {
		t.Fatalf("defaults: %v %v %v", def.Name(), types, err)
	}
	withCloud := func(c *Config) {
		c.RA.Profiles = map[string]appdata.Profile{}
		for _, p := range appdata.DefaultProfiles() {
			c.RA.Profiles[p.Name] = p
			if p.Name == "natural-person" {
				p.Name, p.KeyStorage = "natural-person-cloud", appdata.KeyStorageCloud
				c.RA.Profiles[p.Name] = p
			}
		}
	}
	_, err = loadTOML(t, "[cloud]\nkey_curve = \"tc26-256-B\"\n[cloud.type_curves]\nnatural-person-cloud = \"tc26-512-A\"\n")
	if err == nil || !strings.Contains(err.Error(), "cloud.type_curves.natural-person-cloud") {
		t.Fatalf("a type_curves entry without its cloud profile: %v", err)
	}
	cfg := ptr(DefaultConfig())
	withCloud(cfg)
	cfg.Cloud.KeyCurve, cfg.Cloud.TypeCurves = "tc26-256-B", map[string]string{"natural-person-cloud": "tc26-512-A"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	def, types, err = cfg.Cloud.Curves()
	if err != nil || def.Name() != "tc26-256-B" || types["natural-person-cloud"].Name() != "tc26-512-A" || types["natural-person-cloud"].GOST.Size != 64 {
		t.Fatalf("curves: %v %v %v", def.Name(), types, err)
	}
	for name, tc := range map[string]struct {
		key   string
		types map[string]string
		want  string
	}{
		"ECDSA default":  {"P-256", nil, "cloud.key_curve"},
		"unknown set":    {"tc26-1024-A", nil, "cloud.key_curve"},
		"test set":       {"tc26-512-test", nil, "cloud.key_curve"},
		"ECDSA for type": {"tc26-256-A", map[string]string{"natural-person-cloud": "P-384"}, "cloud.type_curves.natural-person-cloud"},
		"token type":     {"tc26-256-A", map[string]string{"natural-person": "tc26-512-A"}, "cloud.type_curves.natural-person:"},
		"unknown type":   {"tc26-256-A", map[string]string{"nobody": "tc26-512-A"}, "cloud.type_curves.nobody"},
	} {
		c := ptr(DefaultConfig())
		withCloud(c)
		c.Cloud.KeyCurve, c.Cloud.TypeCurves = tc.key, tc.types
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
