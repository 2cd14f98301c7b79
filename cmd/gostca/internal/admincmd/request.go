package admincmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
)

// initRequest is `gostca init --csr OUT`.
func initRequest(cfg config.Config, out string, log *slog.Logger, stdout, stderr io.Writer) int {
	req, err := cadir.RequestIssuer(context.Background(), cfg, out, log)
	if errors.Is(err, cadir.ErrCAExists) {
		fmt.Fprintf(stderr, "gostca init: %s already holds a CA; nothing changed\n", cfg.DataDir)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "gostca init: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "issuing CA request written to %s; its key: %s\n", out, req.KeyRef)
	if req.GeneratedPassphrase != "" {
		fmt.Fprintf(stdout, "key passphrase generated in %s (demo default; set %s or keys.passphrase_file in production)\n",
			req.GeneratedPassphrase, config.PassphraseEnv)
	}
	fmt.Fprintf(stdout, "send the request to the root CA; with the certificate it returns run:\n  gostca init --import-root ROOT.crt --import-issuer ISSUED.crt --issuer-key '%s'\n", req.KeyRef)
	return 0
}
