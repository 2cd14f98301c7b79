package config

import (
	"strings"
	"testing"
	"time"
)

// TestRARetention: documents are kept for ever and orphans deleted after
// a day by default; both read from TOML; a negative retention and a grace
// shorter than an hour (but not 0) are refused with the key named.
func TestRARetention(t *testing.T) {
	def := DefaultConfig()
	if def.RA.Retention != 0 || def.RA.OrphanGrace != 24*time.Hour {
		t.Fatalf("defaults: retention %s, orphan grace %s", def.RA.Retention, def.RA.OrphanGrace)
	}
	cfg, err := loadTOML(t, "[ra]\nretention = \"43800h\"\norphan_grace = \"0s\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RA.Retention != 43800*time.Hour || cfg.RA.OrphanGrace != 0 {
		t.Fatalf("loaded retention %s, orphan grace %s", cfg.RA.Retention, cfg.RA.OrphanGrace)
	}
	for name, c := range map[string]struct{ toml, want string }{
		"negative retention": {"[ra]\nretention = \"-1h\"\n", "ra.retention"},
		"short grace":        {"[ra]\norphan_grace = \"10m\"\n", "ra.orphan_grace"},
		"negative grace":     {"[ra]\norphan_grace = \"-1h\"\n", "ra.orphan_grace"},
	} {
		if _, err := loadTOML(t, c.toml); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
}
