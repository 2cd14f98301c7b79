package racmd

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
)

var statusRequestsCmd = command.Subcommands{Name: "status-requests", Want: "list, approve ID or reject ID --reason TEXT",
	Known: "list, approve, reject"}

// StatusRequests is `gostca status-requests list|approve|reject`: the
// subscribers' requests to suspend or revoke, decided locally (server
// stopped) or through the API (--server, a ca_operator or ca_admin
// token).
func StatusRequests(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := statusRequestsCmd.Start(args, stderr)
	if s == nil {
		return 2
	}
	sub, fs, c, r := s.Name, s.Flags, s.Common, s.Remote
	state := fs.String("state", "pending", "list: pending, approved, rejected or awaiting_code")
	limit := fs.Int("limit", 100, "list: at most this many requests (1..1000)")
	reason := fs.String("reason", "", "reject: why (the subscriber reads it)")
	pos, err := s.Parse()
	if err != nil {
		return 2
	}
	name := "status-requests " + sub
	switch sub {
	case "list":
		if len(pos) != 0 || *limit < 1 || *limit > 1000 {
			fmt.Fprintln(stderr, "gostca status-requests list: no arguments; --state, --limit 1..1000")
			return 2
		}
	case "approve", "reject":
		if len(pos) != 1 {
			fmt.Fprintf(stderr, "gostca %s: want the request id (gostca status-requests list shows them)\n", name)
			return 2
		}
		if sub == "reject" && *reason == "" {
			fmt.Fprintln(stderr, "gostca status-requests reject: --reason is required (the subscriber reads it)")
			return 2
		}
	default:
		return statusRequestsCmd.Unknown(stderr, sub)
	}
	if r.Enabled() {
		return command.WithServer(ctx, name, r, stderr, func(cl *apiclient.Client) error {
			if sub == "list" {
				var out cabinetapi.StatusRequestPage
				q := url.Values{"state": {*state}, "limit": {strconv.Itoa(*limit)}}
				if err := cl.Do(ctx, http.MethodGet, "/api/v1/status-requests?"+q.Encode(), nil, &out); err != nil {
					return err
				}
				printStatusRequests(stdout, out.Items)
				return nil
			}
			var body any
			if sub == "reject" {
				body = cabinetapi.RejectBody{Reason: *reason}
			}
			var out cabinetapi.StatusRequestJSON
			if err := cl.Do(ctx, http.MethodPost, "/api/v1/status-requests/"+url.PathEscape(pos[0])+"/"+sub, body, &out); err != nil {
				return err
			}
			return command.PrintJSON(stdout, out)
		})
	}
	return command.WithCA(ctx, name, c, stderr, func(e *ca.CA) error {
		if sub == "list" {
			rows, _, err := e.StatusRequests(ctx, *state, "", *limit)
			if err != nil {
				return err
			}
			out := make([]cabinetapi.StatusRequestJSON, len(rows))
			for i := range rows {
				out[i] = cabinetapi.StatusRequestView(&rows[i])
			}
			printStatusRequests(stdout, out)
			return nil
		}
		rq, err := e.DecideStatusRequest(ctx, command.Principal(), pos[0], sub == "approve", *reason)
		if err != nil {
			return err
		}
		return command.PrintJSON(stdout, cabinetapi.StatusRequestView(rq))
	})
}

func printStatusRequests(w io.Writer, rows []cabinetapi.StatusRequestJSON) {
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Serial, r.Action, r.Reason, r.State, r.CreatedAt.Format(time.RFC3339))
	}
}
