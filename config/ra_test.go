package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func loadTOML(t *testing.T, text string, env ...string) (Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gostca.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return LoadConfig(p, env)
}

// TestRAProfilesFromTOML: [ra.profiles.NAME] tables read with appdata.Profile's
// keys, the table key as the name, validated; the [ra] settings and their
// environment overrides; defaults when nothing is given.
func TestRAProfilesFromTOML(t *testing.T) {
	def := DefaultConfig()
	if ps, err := def.RA.ApplicationProfiles(); err != nil || ps != nil {
		t.Fatalf("default: %v %v (want none: the RA's own defaults)", ps, err)
	}
	if def.RA.Deadline != 90*24*time.Hour || def.RA.ExpireInterval != time.Hour || def.RA.MaxDocumentBytes != 10<<20 {
		t.Fatalf("default RA settings %+v", def.RA)
	}
	const good = `
[ra]
deadline = "720h"
expire_interval = "10m"

[ra.profiles.natural-person-strict]
title = "natural person (two reviews)"
cert_profile = "qualified-person"
review_steps = ["ca_operator", "security"]
identification = ["in_person"]
owner.required = ["surname", "given_name", "sex", "birth_date", "birth_place", "identity_document", "snils", "inn"]
owner.forbidden = ["position"]

[[ra.profiles.natural-person-strict.documents]]
any_of = ["signed_application"]

[[ra.profiles.natural-person-strict.documents]]
any_of = ["snils"]
waived_by = "snils"
`
	cfg, err := loadTOML(t, good, "GOSTCA_RA_MAX_DOCUMENT_BYTES=5242880")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RA.Deadline != 720*time.Hour || cfg.RA.ExpireInterval != 10*time.Minute || cfg.RA.MaxDocumentBytes != 5<<20 {
		t.Fatalf("RA settings %+v", cfg.RA)
	}
	ps, err := cfg.RA.ApplicationProfiles()
	if err != nil || len(ps) != 1 {
		t.Fatalf("profiles %v %v", ps, err)
	}
	if p := ps[0]; p.Name != "natural-person-strict" || p.ReviewSteps[1] != "security" || len(p.Documents) != 2 || p.Documents[1].WaivedBy != "snils" {
		t.Fatalf("profile %+v", p)
	}

	for name, c := range map[string]struct{ toml, want string }{
		"unknown key":       {"[ra.profiles.x]\ntitle = \"x\"\ncert_profile = \"qualified-person\"\ncolour = \"red\"\n", "unknown keys"},
		"name differs":      {strings.Replace(good, "title =", "name = \"other\"\ntitle =", 1), "differs from the table's key"},
		"invalid profile":   {strings.Replace(good, `cert_profile = "qualified-person"`, `cert_profile = "root-ca"`, 1), "ra.profiles.natural-person-strict"},
		"negative deadline": {"[ra]\ndeadline = \"-1h\"\n", "ra.deadline"},
		"no sweep interval": {"[ra]\nexpire_interval = \"0s\"\n", "ra.expire_interval"},
		"no pixels":         {"[ra]\nmax_image_pixels = 0\n", "ra.max_image_pixels"},
	} {
		if _, err := loadTOML(t, c.toml); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
	for _, kv := range EnvKeys() {
		if strings.Contains(kv[1], "profiles") {
			t.Errorf("environment variable for a table of tables: %v", kv)
		}
	}
}

// TestRADocuments: the document store's directory defaults to
// DATA/documents and follows data_dir; ra.documents_dir and
// ra.max_image_pixels are read from the file.
func TestRADocuments(t *testing.T) {
	def := DefaultConfig()
	def.DataDir = "/srv/gostca"
	if got := def.DocumentsDir(); got != "/srv/gostca/documents" {
		t.Fatalf("default documents_dir %q", got)
	}
	if def.RA.MaxImagePixels != 100_000_000 {
		t.Fatalf("default max_image_pixels %d", def.RA.MaxImagePixels)
	}
	cfg, err := loadTOML(t, "[ra]\ndocuments_dir = \"/var/lib/scans\"\nmax_image_pixels = 50000000\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DocumentsDir() != "/var/lib/scans" || cfg.RA.MaxImagePixels != 50_000_000 {
		t.Fatalf("documents_dir %q, max_image_pixels %d", cfg.DocumentsDir(), cfg.RA.MaxImagePixels)
	}
}
