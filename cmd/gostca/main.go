// Command gostca runs GostCA: `gostca serve` runs the CA server
// (the embedded default needs no flags and no configuration), `gostca
// init` creates a CA, and admin subcommands work against the data
// directory while the server is stopped (or through the HTTP API while it
// runs).
//
// This package is the dispatcher (main.go), the server's wiring
// (serve.go, serve_checks.go, publicurl.go) and `gostca version`; the
// other commands live by group under internal/: admincmd (init, token,
// config), certcmd (issue, revoke, suspend, resume, list, crl), storecmd
// (fsck, recover, audit), hookscmd (outbox), racmd (application export,
// status-requests) and democmd (demo), on the shared flags, CA opening
// and printing of internal/command and the API client of
// internal/apiclient.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gostca/gostca/cmd/gostca/internal/admincmd"
	"github.com/gostca/gostca/cmd/gostca/internal/certcmd"
	"github.com/gostca/gostca/cmd/gostca/internal/democmd"
	"github.com/gostca/gostca/cmd/gostca/internal/hookscmd"
	"github.com/gostca/gostca/cmd/gostca/internal/racmd"
	"github.com/gostca/gostca/cmd/gostca/internal/storecmd"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs a command without a cancellation signal (tests).
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext runs a command; serve stops when ctx is done.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "init":
		return admincmd.Init(args[1:], stdout, stderr)
	case "issue":
		return certcmd.Issue(ctx, args[1:], stdout, stderr)
	case "revoke", "suspend", "resume":
		return certcmd.SetStatus(ctx, args[0], args[1:], stdout, stderr)
	case "crl":
		return certcmd.CRL(ctx, args[1:], stdout, stderr)
	case "list":
		return certcmd.List(ctx, args[1:], stdout, stderr)
	case "token":
		return admincmd.Token(ctx, args[1:], stdout, stderr)
	case "fsck":
		return storecmd.Fsck(ctx, args[1:], stdout, stderr)
	case "recover":
		return storecmd.Recover(ctx, args[1:], stdout, stderr)
	case "audit":
		return storecmd.Audit(ctx, args[1:], stdout, stderr)
	case "outbox":
		return hookscmd.Outbox(ctx, args[1:], stdout, stderr)
	case "application":
		return racmd.Application(ctx, args[1:], stdout, stderr)
	case "status-requests":
		return racmd.StatusRequests(ctx, args[1:], stdout, stderr)
	case "config":
		return admincmd.Config(args[1:], stdout, stderr)
	case "demo":
		return democmd.Run(args[1:], stdout, stderr)
	case "version":
		return runVersion(stdout)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "gostca: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: gostca <command> [flags]

commands:
  serve     run the CA server (no flags, no config: ./data, a demo CA, 127.0.0.1:8080)
  init      create a CA: keys (soft or on a PKCS#11 token), a root and an issuing CA;
            or adopt one: init --import-root F --import-issuer F --issuer-key REF
            (refuses to overwrite a CA)
  issue     issue a certificate from a CSR file and subject JSON
  revoke    revoke a certificate:  gostca revoke SERIAL --reason keyCompromise
  suspend   suspend (certificateHold) a certificate
  resume    lift a suspension
  list      list certificates: [--status S] [--issuer ID] [--profile P] [--centre ID]
            [--since DATE] [--until DATE] [--max N]
  crl       generate the CRLs now
  token     API tokens: token create --role ROLE [--scope ID] | token list | token revoke ID
  fsck      check the store's indexes, the audit chain and its cross-checks, and the
            document files against the applications (missing, corrupt; orphans listed):
            fsck [--checkpoint F] verifies the chain against the newest checkpoint
  recover   complete the intents a crash left (server stopped); --accept-unmacced takes
            pending intents of a version before schema 7, which carry no MAC
  audit     audit checkpoint [--out F] (sign the chain's head) | audit list [--limit N]
  outbox    hook deliveries: outbox list [--state pending|dead|all] [--kind K] | show ID | redrive ID | cancel ID
  application  application export ID --out F: download the application's archive
            from a running server (--server, --token-file) and check its SHA-256s
  status-requests  subscribers' suspend/revoke requests: list [--state pending|approved|rejected] | approve ID | reject ID --reason TEXT
  config    print the effective configuration and the environment variables
  demo      gostca demo [FILE]: generate a GOST key, hash FILE with Streebog, sign and verify it
  version   print the version and the VCS revision it was built from

Every command takes --config FILE (or GOSTCA_CONFIG) and --data DIR.
The admin commands open the data directory, so the server must be stopped;
while it runs, issue, revoke|suspend|resume, list, crl and token act through it
with --server URL --token-file F (see README.md).
`)
}
