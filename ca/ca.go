// Package ca is the CA as a library, a thin façade over the packages
// that do the work: it opens the data directory (cadir), the store, the
// issuance pipeline (signer), status publication (publish), outbox
// delivery (hooks) and the API tokens (auth), and offers what the HTTP API
// (package api), the command line and the registration authority call:
// issue, change status, find, audit. It owns the lifetime of the
// background jobs: one context made in Open and cancelled in Close.
// Jobs with a package of their own run on that lifetime: the audit
// checkpoints' export (ca/checkpoint) and the document sweep
// (ca/docsweep). A stopped CA's data directory is ca/offline's (fsck,
// token list, audit log).
//
// Errors meant for callers are *caerr.Error values with a stable Code;
// anything else is internal.
package ca

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/cloudkey"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/publish"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/outbox"
	"github.com/gostca/gostca/ra/registry"
	"github.com/gostca/gostca/signer"
	"github.com/gostca/gostca/statusreq"
	"github.com/gostca/gostca/store"
)

// Options are the run-time choices that are not configuration.
type Options struct {
	Logger *slog.Logger
	// CreateDefault creates the CA described by the configuration when
	// the data directory has none (the embedded default of `gostca serve`).
	CreateDefault bool
	// Now is the subscriber cabinet's clock (codes, sessions); nil means
	// time.Now. For tests.
	Now func() time.Time
	// StoreOptions are passed to store.Open (Logger is filled in).
	StoreOptions store.Options
}

// CA is a running CA. Its methods are safe for concurrent use.
type CA struct {
	cfg     config.Config
	log     *slog.Logger
	st      store.Backend
	sig     *signer.Signer
	keys    *cadir.CA // the CA keys' token, if any: closed last
	root    *pkix.Certificate
	issuers map[string]*signer.Issuer
	windows map[string]signingWindow // when each issuer's key may sign certificates
	order   []string                 // issuer ids, the default first
	tokens  *auth.Tokens
	pub     *publish.Publisher
	hooks   *hooks.Deliverer
	ra      *ra.Service
	cabinet *cabinet.Service // the subscriber cabinet (cabinet.go)
	docs    *docstore.Store  // the document scans (ca/documents.go)
	reg     *prometheus.Registry
	m       *metrics

	statusReq *statusreq.Service // subscribers' status requests (statusreq.go)

	// life is the lifetime of the background jobs: cancelled by Close,
	// which then waits for them (wg).
	life   context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed atomic.Bool

	readyMu  sync.Mutex
	readyAt  time.Time
	readyErr error

	// cloud is the cloud key service (cloudvault.go).
	cloud *cloudkey.Service
}

// Open starts the CA of cfg.DataDir.
func Open(ctx context.Context, cfg config.Config, opts Options) (_ *CA, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("ca: data dir: %w", err)
	}
	if _, _, _, err := cadir.ReadCerts(cfg.DataDir); errors.Is(err, cadir.ErrNoCA) && opts.CreateDefault {
		log.Info("no CA in the data directory: creating the default CA", "data_dir", cfg.DataDir, "curve", cfg.CA.Curve)
		if _, err := cadir.InitContext(ctx, cfg, log); err != nil {
			return nil, err
		}
	}
	c := &CA{cfg: cfg, log: log, issuers: map[string]*signer.Issuer{}, windows: map[string]signingWindow{}, reg: prometheus.NewRegistry()}
	// Whatever was opened is closed again if Open fails.
	var closers []func() error
	defer func() {
		if err != nil {
			for i := len(closers) - 1; i >= 0; i-- {
				closers[i]()
			}
		}
	}()
	c.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	keys, err := cadir.Load(ctx, &c.cfg, log, c.reg)
	if err != nil {
		return nil, err
	}
	c.keys, c.root = keys, keys.Root
	closers = append(closers, keys.Close)
	sopts := opts.StoreOptions
	if sopts.Logger == nil {
		sopts.Logger = log
	}
	st, err := openStore(ctx, keys, cfg.DataDir, sopts, log)
	if err != nil {
		return nil, err
	}
	c.st = st
	closers = append(closers, c.st.Close)
	if c.tokens, err = auth.OpenTokens(ctx, st, cfg.DataDir, log); err != nil {
		return nil, err
	}
	c.pub, err = publish.Open(ctx, publish.Options{Config: &c.cfg, Store: c.st, Issuers: keys.Issuers,
		Root: keys.Root, RootKey: keys.RootKey, Issue: c.issueForPublisher, Logger: log, Registry: c.reg})
	if err != nil {
		return nil, err
	}
	sigIssuers, err := c.signerIssuers(keys.Issuers)
	if err != nil {
		return nil, err
	}
	c.m = newMetrics(c.reg)
	c.sig, err = signer.Open(ctx, c.st, sigIssuers, signer.Options{
		MaxBatch: cfg.Signer.MaxBatch, MaxDelay: cfg.Signer.MaxDelay, QueueLen: cfg.Signer.QueueLen,
		Concurrency: cfg.Signer.Concurrency, SignWorkers: cfg.Signer.SignWorkers, Logger: log,
		RecoverInterval: cfg.Signer.RecoverInterval, BatchTimeout: cfg.Signer.BatchTimeout, Outbox: hooks.OutboxFor,
		AppNotices: outbox.IssuedNotices, PresignOCSP: c.pub.PresignNew,
	})
	if err != nil {
		return nil, fmt.Errorf("ca: open signer: %w", err)
	}
	closers = append(closers, c.sig.Close)
	c.reg.MustRegister(newSignerCollector(c.sig), newKeyUsageCollector(c))
	c.logKeyUsage(time.Now())
	if c.hooks, err = hooks.New(&c.cfg.Hooks, c.st, log, c.reg); err != nil {
		return nil, err
	}
	if err := c.openRA(); err != nil {
		return nil, err
	}
	// registry answers (signed callbacks) go into applications
	c.hooks.SetRegistry(func(ctx context.Context, actor ra.Actor, id string, res registry.Answer) (*store.Application, []string, error) {
		return registry.Record(ctx, c.ra, actor, id, res)
	})
	if err := c.openCabinet(opts); err != nil {
		return nil, err
	}
	if err := c.pub.EnsureResponders(ctx); err != nil {
		return nil, err
	}
	c.life, c.cancel = context.WithCancel(context.WithoutCancel(ctx))
	for _, job := range []func(context.Context){c.pub.RunOCSPRefresh, c.pub.RunCRLRefresh, c.hooks.Run, c.runRAExpiry, c.runDocumentSweep, c.runKeyUsageWatch, c.runCheckpoints, c.cabinet.RunPurge, c.statusReq.RunPurge, c.cloud.RunPurge} {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			job(c.life)
		}()
	}
	c.pub.Kick()
	log.Info("CA open", "data_dir", cfg.DataDir, "issuers", strings.Join(c.order, ","))
	return c, nil
}

// signerIssuers makes the signer's view of each issuing CA: its profiles
// and the CA-wide extension values, with the publication URLs of publish.
func (c *CA) signerIssuers(loaded []cadir.Issuer) ([]*signer.Issuer, error) {
	settings, err := issuerSettings(&c.cfg)
	if err != nil {
		return nil, err
	}
	profiles, err := c.cfg.Profiles()
	if err != nil {
		return nil, err
	}
	out := make([]*signer.Issuer, 0, len(loaded))
	for _, l := range loaded {
		s := settings
		s.CRLURLs, s.FreshestCRLURLs = c.pub.CRLURLs(l.ID)
		s.OCSPURLs = []string{c.cfg.PublicURL() + "/ocsp"}
		s.CAIssuersURLs = []string{c.cfg.PublicURL() + "/ca/" + l.ID + ".crt"}
		is, err := signer.NewIssuer(l.ID, l.Cert, l.Key, s, profilesFor(l.Key.Algorithm(), profiles))
		if err != nil {
			return nil, fmt.Errorf("ca: %w", err)
		}
		is.CRLPointers = c.pub.CRLPointers(l.ID)
		if c.windows[l.ID], err = windowOf(l.Cert); err != nil {
			return nil, fmt.Errorf("ca: issuer %s: %w", l.ID, err)
		}
		c.issuers[l.ID] = is
		c.order = append(c.order, l.ID)
		out = append(out, is)
	}
	return out, nil
}

// issueForPublisher issues the delegated OCSP responders' certificates.
func (c *CA) issueForPublisher(ctx context.Context, issuerID, profile string, csr []byte, subj pkix.Subject) (*store.CertRecord, error) {
	res, err := c.Issue(ctx, &auth.Principal{Role: auth.RoleCAAdmin, Name: "system/ocsp-responder"}, &IssueRequest{
		Issuer: issuerID, Profile: profile, CSR: csr, Subject: subj,
	})
	if err != nil {
		return nil, err
	}
	return res.Cert, nil
}

// Close stops the background jobs and waits for them, finishes every
// admitted issuance, closes the store (flushing it) and then the PKCS#11
// token, if any.
func (c *CA) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	c.cancel()
	c.wg.Wait()
	err := c.sig.Close()
	if cerr := c.st.Close(); err == nil {
		err = cerr
	}
	if cerr := c.keys.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// Config returns the configuration the CA runs with.
func (c *CA) Config() config.Config { return c.cfg }

// Store gives direct read access to the store (fsck, tests).
func (c *CA) Store() store.Backend { return c.st }

// Tokens returns the API token set.
func (c *CA) Tokens() *auth.Tokens { return c.tokens }

// Publisher is the CRL and OCSP publication of the CA.
func (c *CA) Publisher() *publish.Publisher { return c.pub }

// Registry is the Prometheus registry of the CA's metrics; the API adds
// its own there.
func (c *CA) Registry() *prometheus.Registry { return c.reg }

// IssuerInfo describes an issuing CA.
type IssuerInfo struct {
	ID       string
	Default  bool
	Cert     *pkix.Certificate
	Profiles []string // sorted
}

// Issuers lists the issuing CAs, the default first.
func (c *CA) Issuers() []IssuerInfo {
	out := make([]IssuerInfo, len(c.order))
	for i, id := range c.order {
		is := c.issuers[id]
		names := make([]string, 0, len(is.Profiles))
		for n := range is.Profiles {
			names = append(names, n)
		}
		sort.Strings(names)
		out[i] = IssuerInfo{ID: id, Default: i == 0, Cert: is.Cert, Profiles: names}
	}
	return out
}

// CACertificate returns the DER certificate of an issuing CA, or of the
// root for id "root".
func (c *CA) CACertificate(id string) ([]byte, bool) {
	if id == cadir.RootID {
		return c.root.Raw, true
	}
	if is, ok := c.issuers[id]; ok {
		return is.Cert.Raw, true
	}
	return nil, false
}

// Ready reports whether the CA can serve: the store answers and every
// issuing CA's key signs (an open circuit breaker fails this). The result
// is cached for two seconds.
func (c *CA) Ready(ctx context.Context) error {
	c.readyMu.Lock()
	defer c.readyMu.Unlock()
	if time.Since(c.readyAt) < 2*time.Second {
		return c.readyErr
	}
	c.readyErr = c.checkReady(ctx)
	c.readyAt = time.Now()
	return c.readyErr
}

func (c *CA) checkReady(ctx context.Context) error {
	if c.closed.Load() {
		return caerr.New(caerr.CodeUnavailable, "shutting down", nil)
	}
	if _, _, err := c.st.AuditHead(ctx); err != nil {
		return caerr.New(caerr.CodeUnavailable, "store", err)
	}
	for _, id := range c.order {
		is := c.issuers[id]
		digest := make([]byte, is.Key.Algorithm().DigestSize())
		rand.Read(digest)
		if _, err := is.Key.Sign(ctx, digest); err != nil {
			return caerr.New(caerr.CodeUnavailable, "issuer "+id+" key", err)
		}
	}
	return nil
}
