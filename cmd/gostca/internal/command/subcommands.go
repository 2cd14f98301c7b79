package command

import (
	"flag"
	"fmt"
	"io"

	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
)

// Subcommands is a command made of subcommands, gostca NAME SUB [flags]
// [arguments] (outbox, token, audit, status-requests): its prologue and
// the messages, on stderr with exit code 2, for no subcommand and for an
// unknown one.
type Subcommands struct {
	Name string // the command: "outbox"
	// Want is what the command wants, said as "gostca NAME: want WANT"
	// when no subcommand is given: "list, show ID, redrive ID or cancel ID".
	Want string
	// Known follows an unknown subcommand, in parentheses:
	// "list, show, redrive, cancel"; empty, nothing follows.
	Known string
}

// Sub is one run of a command made of subcommands.
type Sub struct {
	Name string // the subcommand given: "list"
	// Flags is named "NAME SUB" (its usage says so) and has --config,
	// --data, --server, --token-file and --tls-ca; the subcommands add
	// their own flags before Parse.
	Flags  *flag.FlagSet
	Common *Common
	Remote *apiclient.Flags
	args   []string
}

// Start takes the subcommand from args and makes its flag set (errors
// on stderr). Without a subcommand it says what the command wants and
// returns nil: the command exits with 2.
func (s Subcommands) Start(args []string, stderr io.Writer) *Sub {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "gostca %s: want %s\n", s.Name, s.Want)
		return nil
	}
	fs, c, r := NewRemoteFlagSet(s.Name+" "+args[0], stderr)
	return &Sub{Name: args[0], Flags: fs, Common: c, Remote: r, args: args[1:]}
}

// Parse parses the flags after the subcommand and returns the positional
// arguments; on an error the flag set has said what is wrong: exit 2.
func (s *Sub) Parse() ([]string, error) { return ParseFlags(s.Flags, s.args) }

// Unknown says that sub is not one of the command's subcommands and
// returns the exit code, 2.
func (s Subcommands) Unknown(stderr io.Writer, sub string) int {
	if s.Known == "" {
		fmt.Fprintf(stderr, "gostca %s: unknown subcommand %q\n", s.Name, sub)
	} else {
		fmt.Fprintf(stderr, "gostca %s: unknown subcommand %q (%s)\n", s.Name, sub, s.Known)
	}
	return 2
}
