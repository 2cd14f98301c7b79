package command

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
)

// WithCA opens the CA of the data directory (the server must be
// stopped), runs fn and closes it. It prints what failed as "gostca
// NAME: …" and returns the exit code: 2 for a bad configuration, 1 for
// any other failure, 0.
func WithCA(ctx context.Context, name string, c *Common, stderr io.Writer, fn func(e *ca.CA) error) int {
	cfg, err := c.Load()
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", name, err)
		return 2
	}
	log := NewLogger(cfg, stderr)
	e, err := ca.Open(ctx, cfg, ca.Options{Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n%s\n", name, err, DataDirAdvice(err, true))
		return 1
	}
	err = fn(e)
	if cerr := e.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", name, err)
		return 1
	}
	return 0
}

// WithServer runs fn against the API of the server r names, printing
// errors as WithCA does: 2 when the flags make no client, 1 when fn
// fails.
func WithServer(ctx context.Context, name string, r *apiclient.Flags, stderr io.Writer, fn func(c *apiclient.Client) error) int {
	c, err := r.Client()
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", name, err)
		return 2
	}
	if err := fn(c); err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", name, err)
		return 1
	}
	return 0
}

// PrintJSON writes v as indented JSON, one document ending with a newline.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
