// Package hookscmd is `gostca outbox`: the hook deliveries (the outbox
// rows package hooks delivers) that an operator lists, shows, redrives
// or cancels.
package hookscmd

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gostca/gostca/api/hooksapi"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/store"
)

var outboxCmd = command.Subcommands{Name: "outbox", Want: "list, show ID, redrive ID or cancel ID", Known: "list, show, redrive, cancel"}

// Outbox is `gostca outbox list|show|redrive|cancel`: the hook
// deliveries an operator looks after, locally (server stopped) or
// through the API (--server, a ca_operator or ca_admin token).
func Outbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := outboxCmd.Start(args, stderr)
	if s == nil {
		return 2
	}
	sub, fs, c, r := s.Name, s.Flags, s.Common, s.Remote
	state := fs.String("state", "pending", "list: pending, dead or all")
	kind := fs.String("kind", "", "list: only this kind (esia, registry_check, sms, email, renewal)")
	limit := fs.Int("limit", 100, "list: at most this many rows (1..1000)")
	pos, err := s.Parse()
	if err != nil {
		return 2
	}
	name := "outbox " + sub
	var id uint64
	switch sub {
	case "list":
		if len(pos) != 0 {
			fmt.Fprintln(stderr, "gostca outbox list: no arguments; use --state and --kind")
			return 2
		}
		if *state != "pending" && *state != "dead" && *state != "all" {
			fmt.Fprintln(stderr, "gostca outbox list: --state is pending, dead or all")
			return 2
		}
		if *limit < 1 || *limit > 1000 {
			fmt.Fprintln(stderr, "gostca outbox list: --limit is 1..1000")
			return 2
		}
	case "show", "redrive", "cancel":
		if len(pos) != 1 {
			fmt.Fprintf(stderr, "gostca %s: want the row id (gostca outbox list shows them)\n", name)
			return 2
		}
		if id, err = strconv.ParseUint(pos[0], 10, 64); err != nil || id == 0 {
			fmt.Fprintf(stderr, "gostca %s: %q is not a row id (a positive integer)\n", name, pos[0])
			return 2
		}
	default:
		return outboxCmd.Unknown(stderr, sub)
	}
	if r.Enabled() {
		return command.WithServer(ctx, name, r, stderr, func(cl *apiclient.Client) error {
			if sub == "list" {
				var out struct{ Items []hooksapi.OutboxRow }
				q := url.Values{"state": {*state}, "limit": {strconv.Itoa(*limit)}}
				if *kind != "" {
					q.Set("kind", *kind)
				}
				if err := cl.Do(ctx, http.MethodGet, "/api/v1/outbox?"+q.Encode(), nil, &out); err != nil {
					return err
				}
				printOutboxList(stdout, out.Items)
				return nil
			}
			path, method := "/api/v1/outbox/"+strconv.FormatUint(id, 10), http.MethodGet
			if sub != "show" {
				path, method = path+"/"+sub, http.MethodPost
			}
			var row hooksapi.OutboxRow
			if err := cl.Do(ctx, method, path, nil, &row); err != nil {
				return err
			}
			return command.PrintJSON(stdout, row)
		})
	}
	return command.WithCA(ctx, name, c, stderr, func(e *ca.CA) error {
		h := e.Hooks()
		var (
			row *store.OutboxRow
			err error
		)
		switch sub {
		case "list":
			st := map[string]store.OutboxState{"pending": store.OutboxPendingRows, "dead": store.OutboxDeadRows, "all": store.OutboxAny}[*state]
			rows, err := h.List(ctx, *kind, st, 0, *limit)
			if err != nil {
				return err
			}
			out := make([]hooksapi.OutboxRow, len(rows))
			for i := range rows {
				out[i] = hooksapi.OutboxView(&rows[i], false)
			}
			printOutboxList(stdout, out)
			return nil
		case "show":
			row, err = h.Row(ctx, id)
		case "redrive":
			row, err = h.Redrive(ctx, command.Actor(), id)
		case "cancel":
			row, err = h.Cancel(ctx, command.Actor(), id)
		}
		if err != nil {
			return err
		}
		return command.PrintJSON(stdout, hooksapi.OutboxView(row, true))
	})
}

func printOutboxList(w io.Writer, rows []hooksapi.OutboxRow) {
	for _, r := range rows {
		next := "-"
		if r.NextAttempt != nil {
			next = r.NextAttempt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.Kind, r.State, r.Attempts, next, r.LastError)
	}
}
