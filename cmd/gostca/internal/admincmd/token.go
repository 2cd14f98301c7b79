package admincmd

import (
	"context"
	"fmt"
	"io"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/offline"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/store"
)

var tokenCmd = command.Subcommands{Name: "token", Want: "create, list or revoke"}

// Token is `gostca token create|list|revoke`: API tokens in the store
// (server stopped) or, with --server, through the API. A new token is
// printed once, on standard output; its id and role go to standard
// error.
func Token(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := tokenCmd.Start(args, stderr)
	if s == nil {
		return 2
	}
	sub, fs, c, r := s.Name, s.Flags, s.Common, s.Remote
	role := fs.String("role", "", "role: cabinet, service_centre, ca_operator, ca_admin, auditor")
	scope := fs.String("scope", "", "service centre id (service_centre tokens only)")
	name := fs.String("name", "", "a label for the token")
	pos, err := s.Parse()
	if err != nil {
		return 2
	}
	if r.Enabled() {
		return tokenRemote(ctx, sub, pos, r, &api.TokenRequest{Role: *role, Scope: *scope, Name: *name}, stdout, stderr)
	}
	switch sub {
	case "create":
		rl, err := auth.ParseRole(*role)
		if err != nil {
			fmt.Fprintf(stderr, "gostca token create: %v\n", err)
			return 2
		}
		return command.WithCA(ctx, "token create", c, stderr, func(e *ca.CA) error {
			tok, ti, err := e.CreateToken(ctx, command.Actor(), rl, *scope, *name)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "token %s (%s) created; it is shown only now:\n", ti.ID, ti.Role)
			fmt.Fprintln(stdout, tok)
			return nil
		})
	case "revoke":
		if len(pos) != 1 {
			fmt.Fprintln(stderr, "gostca token revoke: want the token id")
			return 2
		}
		return command.WithCA(ctx, "token revoke", c, stderr, func(e *ca.CA) error {
			if err := e.RevokeToken(ctx, command.Actor(), pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "token %s revoked\n", pos[0])
			return nil
		})
	case "list":
		cfg, err := c.Load()
		if err != nil {
			fmt.Fprintf(stderr, "gostca token list: %v\n", err)
			return 2
		}
		// Only warnings: the output is the list.
		log := command.WarnLogger(stderr)
		list, err := offline.ListTokens(ctx, cfg, store.Options{Logger: log})
		if err != nil {
			fmt.Fprintf(stderr, "gostca token list: %v\n%s\n", err, command.DataDirAdvice(err, true))
			return 1
		}
		for _, ti := range list {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", ti.ID, ti.Role, ti.Scope, ti.Name, ti.Created.Format("2006-01-02T15:04:05Z"))
		}
		return 0
	}
	return tokenCmd.Unknown(stderr, sub)
}

// tokenRemote is `gostca token …` through the API.
func tokenRemote(ctx context.Context, sub string, pos []string, r *apiclient.Flags, req *api.TokenRequest, stdout, stderr io.Writer) int {
	name := "token " + sub
	switch sub {
	case "create":
		return command.WithServer(ctx, name, r, stderr, func(cl *apiclient.Client) error {
			t, err := cl.CreateToken(ctx, req)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "token %s (%s) created; it is shown only now:\n", t.ID, t.Role)
			fmt.Fprintln(stdout, t.Token)
			return nil
		})
	case "revoke":
		if len(pos) != 1 {
			fmt.Fprintln(stderr, "gostca token revoke: want the token id")
			return 2
		}
		return command.WithServer(ctx, name, r, stderr, func(cl *apiclient.Client) error {
			if err := cl.RevokeToken(ctx, pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "token %s revoked\n", pos[0])
			return nil
		})
	case "list":
		return command.WithServer(ctx, name, r, stderr, func(cl *apiclient.Client) error {
			list, err := cl.ListTokens(ctx)
			if err != nil {
				return err
			}
			for _, t := range list {
				fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, t.Scope, t.Name, t.Created.UTC().Format("2006-01-02T15:04:05Z"))
			}
			return nil
		})
	}
	return tokenCmd.Unknown(stderr, sub)
}
