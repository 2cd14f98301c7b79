package command

import (
	"flag"
	"io"
	"os"
	"strings"

	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/config"
)

// Common are the flags every command takes.
type Common struct {
	config string
	data   string
}

// Register adds --config and --data to fs.
func (c *Common) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", os.Getenv("GOSTCA_CONFIG"), "TOML configuration file (default: GOSTCA_CONFIG, else the embedded default)")
	fs.StringVar(&c.data, "data", "", "data directory (overrides data_dir)")
}

// Load reads the configuration: defaults, file, environment, then flags.
func (c *Common) Load() (config.Config, error) {
	cfg, err := config.LoadConfig(c.config, os.Environ())
	if err != nil {
		return config.Config{}, err
	}
	if c.data != "" {
		cfg.DataDir = c.data
	}
	return cfg, cfg.Validate()
}

// ParseFlags parses fs allowing flags after positional arguments
// (gostca revoke SERIAL --reason …) and returns the positional ones.
func ParseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// ListFlag is a repeatable string flag.
type ListFlag []string

func (l *ListFlag) String() string     { return strings.Join(*l, ",") }
func (l *ListFlag) Set(v string) error { *l = append(*l, v); return nil }

// NewFlagSet is the flag set of a command that acts on the data
// directory: errors on stderr, --config and --data registered.
func NewFlagSet(name string, stderr io.Writer) (*flag.FlagSet, *Common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := new(Common)
	c.Register(fs)
	return fs, c
}

// NewRemoteFlagSet is NewFlagSet for a command that may also act
// through a running server: --server, --token-file and --tls-ca too.
func NewRemoteFlagSet(name string, stderr io.Writer) (*flag.FlagSet, *Common, *apiclient.Flags) {
	fs, c := NewFlagSet(name, stderr)
	r := new(apiclient.Flags)
	r.Register(fs)
	return fs, c, r
}
