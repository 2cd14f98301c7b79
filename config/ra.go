package config

import (
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
)

// RAConfig configures the registration authority (package ra):
//
//	[ra]
//	deadline = "2160h"          # an application expires this long after creation (0: never)
//	expire_interval = "1h"      # how often the expiry sweep runs
//	max_document_bytes = 10485760  # one uploaded file at most (the upload route's own body limit)
//	documents_dir = "DATA/documents"  # the scans, content-addressed (package docstore); created 0700
//	max_image_pixels = 100000000      # width × height an image header may declare
//
//	[ra.profiles.natural-person]  # one table per certificate type; none: appdata.DefaultProfiles
//	title = "natural person"
//	cert_profile = "qualified-person"
//	…                           # the keys of appdata.Profile
//
// A profile's name is its table's key (a name key inside, if given, must
// equal it). Configured profiles replace the defaults entirely.
type RAConfig struct {
	Deadline         time.Duration              `toml:"deadline"`
	ExpireInterval   time.Duration              `toml:"expire_interval"`
	MaxDocumentBytes int                        `toml:"max_document_bytes"`
	DocumentsDir     string                     `toml:"documents_dir"`
	MaxImagePixels   int64                      `toml:"max_image_pixels"`
	Retention        time.Duration              `toml:"retention"`
	OrphanGrace      time.Duration              `toml:"orphan_grace"`
	Profiles         map[string]appdata.Profile `toml:"profiles"`
}

// DefaultRA is the RA's default configuration: applications expire after
// 90 days, swept hourly; files up to 10 MiB, images up to 100 million
// pixels, kept in DATA/documents; the shipped profiles.
func DefaultRA() RAConfig {
	return RAConfig{Deadline: 90 * 24 * time.Hour, ExpireInterval: time.Hour, MaxDocumentBytes: ra.DefaultMaxDocumentSize,
		MaxImagePixels: DefaultMaxImagePixels, OrphanGrace: DefaultOrphanGrace}
}

// DefaultMaxImagePixels is ra.max_image_pixels' default.
const DefaultMaxImagePixels = 100_000_000

// DocumentsDir is where the document scans are kept: ra.documents_dir,
// or "documents" in the data directory when not set.
func (c *Config) DocumentsDir() string {
	if c.RA.DocumentsDir != "" {
		return c.RA.DocumentsDir
	}
	return filepath.Join(c.DataDir, "documents")
}

// ApplicationProfiles returns the configured profiles, sorted by name,
// with their names set from the table keys; nil when none are configured
// (the RA then uses appdata.DefaultProfiles).
func (r *RAConfig) ApplicationProfiles() ([]appdata.Profile, error) {
	if len(r.Profiles) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(r.Profiles))
	for n := range r.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]appdata.Profile, 0, len(names))
	for _, n := range names {
		p := r.Profiles[n]
		if p.Name != "" && p.Name != n {
			return nil, fmt.Errorf("config: ra.profiles.%s: name %q differs from the table's key; drop the name key", n, p.Name)
		}
		p.Name = n
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("config: ra.profiles.%s: %w", n, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// validate checks the RA section.
func (r *RAConfig) validate(bad func(format string, args ...any)) {
	if r.Deadline < 0 {
		bad("ra.deadline must not be negative (0: applications never expire)")
	}
	if r.ExpireInterval <= 0 {
		bad("ra.expire_interval must be positive")
	}
	if r.MaxDocumentBytes < 1 || r.MaxDocumentBytes > 1<<30 {
		bad("ra.max_document_bytes must be 1..1073741824")
	}
	if r.MaxImagePixels < 1 || r.MaxImagePixels > 1<<40 {
		bad("ra.max_image_pixels must be 1..1099511627776 (width × height an image may declare)")
	}
	if _, err := r.ApplicationProfiles(); err != nil {
		bad("%v", err)
	}
	r.validateRetention(bad)
}
