package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
)

// onListening, when set (tests), is told the address the server listens on.
var onListening func(addr string)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c command.Common
	c.Register(fs)
	listen := fs.String("listen", "", "listen address (overrides server.listen)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gostca serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	cfg, err := c.Load()
	if err == nil && *listen != "" {
		cfg.Server.Listen = *listen
		err = cfg.Validate()
	}
	if err != nil {
		fmt.Fprintf(stderr, "gostca serve: %v\n", err)
		return 2
	}
	log := command.NewLogger(cfg, stderr)
	if err := serve(ctx, cfg, log, stdout); err != nil {
		log.Error("gostca serve failed", "err", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	if err := checkServeSecrets(&cfg, log); err != nil {
		return err
	}
	var metricsToken []byte
	if cfg.Server.MetricsTokenFile != "" {
		tok, err := hsm.SecretSource{File: cfg.Server.MetricsTokenFile}.Read()
		if err != nil {
			return fmt.Errorf("server.metrics_token_file: %w", err)
		}
		if metricsToken = bytes.TrimSpace(tok); len(metricsToken) == 0 {
			return errors.New("server.metrics_token_file is empty")
		}
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	if cfg.Server.PublicURL == "" {
		scheme := "http"
		if cfg.Server.TLSCertFile != "" {
			scheme = "https"
		}
		cfg.Server.PublicURL = scheme + "://" + ln.Addr().String()
		warnPublicURL(log, cfg.Server.PublicURL)
	}
	e, err := ca.Open(ctx, cfg, ca.Options{Logger: log, CreateDefault: true})
	if err != nil {
		return err
	}
	defer func() {
		if err := e.Close(); err != nil {
			log.Error("closing the CA", "err", err)
		}
	}()
	empty, err := e.Tokens().Empty(ctx)
	if err != nil {
		return fmt.Errorf("bootstrap token: %w", err)
	}
	if empty {
		tok, ti, err := e.CreateToken(ctx, "system", auth.RoleCAAdmin, "", "bootstrap")
		if err != nil {
			return fmt.Errorf("bootstrap token: %w", err)
		}
		// Shown once, on standard output only; the store keeps its hash.
		fmt.Fprintf(stdout, "gostca: first start: admin API token (id %s, role ca_admin), shown only now:\n\n    %s\n\n", ti.ID, tok)
	}
	srv := api.New(e, serverOptions(&cfg, log, metricsToken))
	errc := make(chan error, 1)
	go func() {
		if cfg.Server.TLSCertFile != "" {
			errc <- srv.ServeTLS(ln, cfg.Server.TLSCertFile, cfg.Server.TLSKeyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	log.Info("gostca serving", "addr", ln.Addr().String(), "public_url", cfg.Server.PublicURL, "data_dir", cfg.DataDir, "version", version)
	if onListening != nil {
		onListening(ln.Addr().String())
	}
	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Error("shutdown", "err", err)
	}
	select {
	case <-errc:
	case <-time.After(time.Second):
	}
	log.Info("server stopped; closing the store")
	return nil
}
