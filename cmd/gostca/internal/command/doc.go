// Package command holds what the gostca subcommands share, so that each
// group of commands (admincmd, certcmd, storecmd, hookscmd, racmd) is
// only its own flags and output: the --config and --data flags and the
// configuration they load, flag parsing that takes flags after the
// arguments, the logger, who the command line acts as in the audit log,
// running a command against the CA of the data directory (server
// stopped) or against a running server's API (--server), and printing.
package command
