package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/clientlimit"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
)

// checkServeSecrets runs before serve opens anything: the TLS key must be
// a private file (chmod 600), and the demo passphrase kept next to the
// soft keys is refused in production and warned about at every other
// start.
func checkServeSecrets(cfg *config.Config, log *slog.Logger) error {
	if cfg.Server.TLSKeyFile != "" {
		if err := hsm.CheckPrivateFile(cfg.Server.TLSKeyFile); err != nil {
			return fmt.Errorf("server.tls_key_file: %w", err)
		}
	}
	if cadir.UsesDemoPassphrase(cfg) {
		src, _ := cfg.PassphraseSource()
		if cfg.Instance.Production {
			return errors.New("instance.production is set, but the soft keys would use the demo passphrase " + src.File +
				" kept next to them; set keys.passphrase_file (outside the data directory, chmod 600) or " + config.PassphraseEnv)
		}
		log.Warn("DEMO PASSPHRASE: the soft keys are encrypted under "+src.File+", kept next to them, so whoever copies the data directory has the CA keys. "+
			"For anything but a demo set keys.passphrase_file (outside the data directory) or "+config.PassphraseEnv+", and instance.production = true",
			"passphrase_file", src.File)
	}
	if cfg.Keys.Backend == config.BackendPKCS11 && !cfg.OCSP.PresignedOnly {
		log.Info("CA keys on a PKCS#11 token: consider ocsp.presigned_only = true, so that no OCSP request makes the token sign")
	}
	return nil
}

// serverOptions are the HTTP server's options from the configuration.
func serverOptions(cfg *config.Config, log *slog.Logger, metricsToken []byte) api.Options {
	s := &cfg.Server
	return api.Options{MaxBodyBytes: s.MaxBodyBytes, ReadTimeout: s.ReadTimeout, WriteTimeout: s.WriteTimeout,
		IdleTimeout: s.IdleTimeout, Logger: log, MetricsToken: metricsToken,
		Conns: clientlimit.ConnLimits{PerClient: s.MaxConnsPerClient, Total: s.MaxConns},
		AuthFailures: clientlimit.AuthFailureLimits{Limit: s.AuthFailureLimit, Window: s.AuthFailureWindow,
			MaxDelay: s.AuthFailureMaxDelay, Clients: s.AuthFailureClients}}
}
