package certcmd

import (
	"context"
	"fmt"
	"io"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
)

// SetStatus is `gostca revoke|suspend|resume SERIAL` (action is the
// command's name): the certificate's new status is printed.
func SetStatus(ctx context.Context, action string, args []string, stdout, stderr io.Writer) int {
	fs, c, r := command.NewRemoteFlagSet(action, stderr)
	reason := fs.String("reason", "", "revocation reason: "+reasonNames())
	comment := fs.String("comment", "", "comment for the audit log")
	pos, err := command.ParseFlags(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "gostca %s: want exactly one SERIAL (hex)\n", action)
		return 2
	}
	if action == "revoke" && *reason == "" {
		fmt.Fprintln(stderr, "gostca revoke: --reason is required: "+reasonNames())
		return 2
	}
	serial, err := ca.ParseSerial(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", action, err)
		return 2
	}
	if r.Enabled() {
		return command.WithServer(ctx, action, r, stderr, func(cl *apiclient.Client) error {
			cert, err := cl.SetStatus(ctx, ca.FormatSerial(serial), action, &api.StatusRequest{Reason: *reason, Comment: *comment})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: %s\n", cert.Serial, cert.Status)
			return nil
		})
	}
	req := ca.StatusRequest{Reason: *reason, Comment: *comment}
	switch action {
	case "revoke":
		req.Action = ca.Revoke
	case "suspend":
		req.Action = ca.Suspend
	default:
		req.Action = ca.Resume
	}
	return command.WithCA(ctx, action, c, stderr, func(e *ca.CA) error {
		rec, err := e.SetStatus(ctx, command.Principal(), serial, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s\n", ca.FormatSerial(rec.Serial), ca.StateName(rec.Status.State))
		return nil
	})
}

func reasonNames() string {
	return "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn, aACompromise"
}
