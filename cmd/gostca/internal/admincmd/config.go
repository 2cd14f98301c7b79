package admincmd

import (
	"fmt"
	"io"

	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/config"
)

// Config is `gostca config`: every configuration key with its effective
// value and where it came from, then the environment overrides.
func Config(args []string, stdout, stderr io.Writer) int {
	fs, c := command.NewFlagSet("config", stderr)
	if _, err := command.ParseFlags(fs, args); err != nil {
		return 2
	}
	cfg, err := c.Load()
	if err != nil {
		fmt.Fprintf(stderr, "gostca config: %v\n", err)
		return 2
	}
	fmt.Fprintln(stdout, "# effective configuration: every key, its value (durations with their unit) and where it came from")
	for _, st := range cfg.Effective() {
		fmt.Fprintf(stdout, "%-28s = %-40s # %s\n", st.Key, st.Value, st.Source)
	}
	fmt.Fprintln(stdout, "\nenvironment overrides:")
	for _, kv := range config.EnvKeys() {
		fmt.Fprintf(stdout, "  %-32s %s\n", kv[0], kv[1])
	}
	return 0
}
