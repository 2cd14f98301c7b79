package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPprofKey: server.pprof is off by default, set by the file or by
// GOSTCA_SERVER_PPROF (which wins), shown by `gostca config`, and a
// value that is not a boolean is refused.
func TestPprofKey(t *testing.T) {
	if DefaultConfig().Server.Pprof {
		t.Fatal("pprof on by default")
	}
	f := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(f, []byte("[server]\npprof = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(f, nil)
	if err != nil || !cfg.Server.Pprof {
		t.Fatalf("file: %v %v", cfg.Server.Pprof, err)
	}
	found := false
	for _, s := range cfg.Effective() {
		if s.Key == "server.pprof" {
			found = s.Value == "true" && s.Source == "set"
		}
	}
	if !found {
		t.Fatal("server.pprof missing from the effective configuration")
	}
	if cfg, err = LoadConfig(f, []string{"GOSTCA_SERVER_PPROF=false"}); err != nil || cfg.Server.Pprof {
		t.Fatalf("environment over the file: %v %v", cfg.Server.Pprof, err)
	}
	if cfg, err = LoadConfig("", []string{"GOSTCA_SERVER_PPROF=true"}); err != nil || !cfg.Server.Pprof {
		t.Fatalf("environment: %v %v", cfg.Server.Pprof, err)
	}
	if _, err := LoadConfig("", []string{"GOSTCA_SERVER_PPROF=maybe"}); err == nil {
		t.Fatal("GOSTCA_SERVER_PPROF=maybe accepted")
	}
}
