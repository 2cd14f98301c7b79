// Package engine is the CA as a library: it opens the store, loads (or on
// first start creates) the CA keys and certificates, runs the issuance
// pipeline (package signer), changes certificate status, builds CRLs,
// answers OCSP from pre-signed responses kept fresh by a background job,
// and keeps the API tokens. The HTTP API (package api) and the command
// line (cmd/gostca) are thin layers over it.
//
// Errors meant for callers are *Error values with a stable Code; anything
// else is internal.
package engine

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/signer"
	"github.com/gostca/gostca/store"
)

// Options are the run-time choices that are not configuration.
type Options struct {
	Logger *slog.Logger
	// CreateDefault creates the CA described by the configuration when
	// the data directory has none (the embedded default of `gostca serve`).
	CreateDefault bool
	// StoreOptions are passed to store.Open (Logger is filled in).
	StoreOptions store.Options
}

// Engine is a running CA. Its methods are safe for concurrent use.
type Engine struct {
	cfg     Config
	log     *slog.Logger
	st      *store.Store
	sig     *signer.Signer
	keys    *keyring // the CA keys' token, if any: closed last
	root    *pkix.Certificate
	issuers map[string]*issuerState
	order   []string // issuer ids, the default first
	tokens  *Tokens
	m       *metrics
	hooks   []*hookTarget

	ocspSem chan struct{}
	// ocspRefreshMu serialises passes of the pre-signing job: a kick and a
	// tick (or a test) overlapping would otherwise both sign the same due
	// responses, and the later write would replace a fresh response.
	ocspRefreshMu sync.Mutex
	kick          chan struct{}
	stop          chan struct{}
	wg            sync.WaitGroup
	closed        atomic.Bool

	readyMu  sync.Mutex
	readyAt  time.Time
	readyErr error
}

// Open starts the CA of cfg.DataDir.
func Open(ctx context.Context, cfg Config, opts Options) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("engine: data dir: %w", err)
	}
	if _, err := readManifest(cfg.DataDir); errors.Is(err, ErrNoCA) && opts.CreateDefault {
		log.Info("no CA in the data directory: creating the default CA", "data_dir", cfg.DataDir, "curve", cfg.CA.Curve)
		if _, err := InitContext(ctx, cfg, log); err != nil {
			return nil, err
		}
	}
	m := newMetrics()
	hooks, err := newHookTargets(&cfg.Hooks)
	if err != nil {
		return nil, err
	}
	kr := newKeyring(&cfg, log)
	ok := false
	defer func() {
		if !ok {
			kr.close()
		}
	}()
	ca, err := loadCA(ctx, &cfg, kr, m.wrapKey)
	if err != nil {
		return nil, err
	}
	tokens, err := OpenTokens(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	sopts := opts.StoreOptions
	if sopts.Logger == nil {
		sopts.Logger = log
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, dbDir), sopts)
	if err != nil {
		return nil, fmt.Errorf("engine: open store: %w", err)
	}
	e := &Engine{cfg: cfg, log: log, st: st, keys: kr, root: ca.root, issuers: map[string]*issuerState{}, tokens: tokens, m: m, hooks: hooks,
		ocspSem: make(chan struct{}, cfg.OCSP.LiveConcurrency), kick: make(chan struct{}, 1), stop: make(chan struct{})}
	for _, is := range ca.issuers {
		s, err := newIssuerState(is)
		if err != nil {
			st.Close()
			return nil, err
		}
		if err := e.pinPartitions(ctx, s); err != nil {
			st.Close()
			return nil, err
		}
		e.issuers[is.ID] = s
		if is.ID == ca.defaultIssuer {
			e.order = append([]string{is.ID}, e.order...)
		} else {
			e.order = append(e.order, is.ID)
		}
	}
	sig, err := signer.Open(ctx, st, ca.issuers, signer.Options{
		MaxBatch: cfg.Signer.MaxBatch, MaxDelay: cfg.Signer.MaxDelay, QueueLen: cfg.Signer.QueueLen,
		Concurrency: cfg.Signer.Concurrency, SignWorkers: cfg.Signer.SignWorkers, Logger: log,
		RecoverInterval: cfg.Signer.RecoverInterval, Outbox: outboxFor,
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("engine: open signer: %w", err)
	}
	e.sig = sig
	m.reg.MustRegister(newSignerCollector(sig))
	if kr.tok != nil {
		m.reg.MustRegister(newTokenCollector(kr.tok))
	}
	if err := e.ensureResponders(ctx); err != nil {
		sig.Close()
		st.Close()
		return nil, err
	}
	e.wg.Add(2)
	go e.ocspRefreshLoop()
	go e.crlRefreshLoop()
	for _, h := range hooks {
		e.wg.Add(1)
		go e.hookLoop(h)
	}
	if len(hooks) == 0 {
		log.Warn("hooks.esia_url is not set: ESIA registrations of qualified certificates are queued, not delivered")
	}
	e.kickOCSP()
	ok = true
	log.Info("engine open", "data_dir", cfg.DataDir, "issuers", strings.Join(e.order, ","))
	return e, nil
}

// Close stops the background jobs, finishes every admitted issuance,
// closes the store (flushing it) and then the PKCS#11 token, if any.
func (e *Engine) Close() error {
	if !e.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(e.stop)
	e.wg.Wait()
	err := e.sig.Close()
	if cerr := e.st.Close(); err == nil {
		err = cerr
	}
	if cerr := e.keys.close(); err == nil && cerr != nil {
		err = fmt.Errorf("engine: close the token: %w", cerr)
	}
	return err
}

// Config returns the configuration the engine runs with.
func (e *Engine) Config() Config { return e.cfg }

// Store gives direct read access to the store (fsck, tests).
func (e *Engine) Store() store.Backend { return e.st }

// Tokens returns the API token set.
func (e *Engine) Tokens() *Tokens { return e.tokens }

// Registry is the Prometheus registry of the engine's metrics; the API
// adds its own there.
func (e *Engine) Registry() *prometheus.Registry { return e.m.reg }

// IssuerInfo describes an issuing CA.
type IssuerInfo struct {
	ID       string
	Default  bool
	Cert     *pkix.Certificate
	Profiles []string // sorted
}

// Issuers lists the issuing CAs, the default first.
func (e *Engine) Issuers() []IssuerInfo {
	out := make([]IssuerInfo, len(e.order))
	for i, id := range e.order {
		is := e.issuers[id].is
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
func (e *Engine) CACertificate(id string) ([]byte, bool) {
	if id == rootID {
		return e.root.Raw, true
	}
	if s, ok := e.issuers[id]; ok {
		return s.is.Cert.Raw, true
	}
	return nil, false
}

// IssueRequest is a certificate to issue: a PKCS#10 request (PEM or DER)
// and subject data that the caller (the registration authority, the
// cabinet back end, an operator) has verified.
type IssueRequest struct {
	// IdempotencyKey makes the call safe to repeat: the same key from the
	// same token returns the first certificate. Up to 100 printable ASCII
	// characters.
	IdempotencyKey     string
	Issuer             string // empty: the default issuing CA
	Profile            string
	CSR                []byte
	Subject            pkix.Subject
	SubjectSignTool    string
	IdentificationKind int
	Emails             []string
	// Centre records the issuance for a service centre (ServiceCentre
	// rules in centre.go): a service_centre caller's own centre is used
	// whatever is given here (naming another is forbidden); a CA operator
	// or administrator may name one; others may not.
	Centre string
}

// IssueResult is an issued certificate.
type IssueResult struct {
	Cert *store.CertRecord
	// Duplicate: the idempotency key had been used; Cert is the first
	// certificate.
	Duplicate bool
}

// Issue issues a certificate for p.
func (e *Engine) Issue(ctx context.Context, p *Principal, req *IssueRequest) (res *IssueResult, err error) {
	start := time.Now()
	defer func() {
		code := "ok"
		if err != nil {
			code = CodeOf(err)
		}
		e.m.issueDuration.WithLabelValues(code).Observe(time.Since(start).Seconds())
	}()
	centre, err := issueCentre(p, req.Centre)
	if err != nil {
		return nil, err
	}
	issuerID := req.Issuer
	if issuerID == "" {
		issuerID = e.order[0]
	}
	is, ok := e.issuers[issuerID]
	if !ok {
		return nil, &Error{Code: CodeUnknownIssuer, Field: "issuer", Detail: fmt.Sprintf("no issuing CA %q", issuerID)}
	}
	if req.Profile == "" {
		return nil, &Error{Code: CodeInvalidRequest, Field: "profile", Detail: "profile is required"}
	}
	prof, ok := is.is.Profiles[req.Profile]
	if !ok {
		return nil, &Error{Code: CodeUnknownProfile, Field: "profile", Detail: fmt.Sprintf("issuer %s has no profile %q", issuerID, req.Profile)}
	}
	if len(req.CSR) == 0 {
		return nil, &Error{Code: CodeInvalidRequest, Field: "csr", Detail: "csr is required"}
	}
	req.Subject.SNILS = pkix.NormalizeSNILS(req.Subject.SNILS)
	if err := req.Subject.Validate(); err != nil {
		return nil, classify(err)
	}
	if prof.Qualified && req.SubjectSignTool == "" {
		return nil, &Error{Code: CodeInvalidRequest, Field: "subject_sign_tool", Detail: "qualified profiles need the subscriber's crypto tool (subject_sign_tool)"}
	}
	if req.IdentificationKind < 0 || req.IdentificationKind > 3 {
		return nil, &Error{Code: CodeInvalidRequest, Field: "identification_kind", Detail: "identification_kind must be 0..3"}
	}
	if len(req.IdempotencyKey) > 100 || strings.IndexFunc(req.IdempotencyKey, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return nil, &Error{Code: CodeInvalidRequest, Field: "Idempotency-Key", Detail: "idempotency key: up to 100 printable ASCII characters"}
	}
	requestID := ""
	if req.IdempotencyKey != "" {
		// Keys are per token: two clients cannot collide.
		requestID = p.TokenID + "/" + req.IdempotencyKey
	}
	subj := req.Subject
	r, err := e.sig.Issue(ctx, &signer.Request{
		RequestID: requestID, IssuerID: issuerID, Profile: req.Profile, CSR: req.CSR, Subject: &subj,
		SubjectSignTool: req.SubjectSignTool, IdentificationKind: pkix.IdentificationKind(req.IdentificationKind),
		Emails: req.Emails, Actor: p.Actor(), Centre: centre,
	})
	if err != nil {
		ce := classify(err)
		if CodeOf(ce) == CodeInternal {
			e.log.Error("issuance failed", "issuer", issuerID, "profile", req.Profile, "actor", p.Actor(), "err", err)
		}
		return nil, ce
	}
	rec := r.Record // as committed: no read back
	if r.Duplicate && rec.Centre != centre {
		// The same token and key, but for another centre (an operator
		// changed service_centre): not the request that was answered.
		return nil, newErr(CodeIdempotencyConflict, "the idempotency key was used for another service centre", nil)
	}
	e.kickOCSP()
	e.kickHooks()
	return &IssueResult{Cert: rec, Duplicate: r.Duplicate}, nil
}

// ParseSerial reads a serial number written in hex (as the API and the CLI
// print it), with optional colons.
func ParseSerial(s string) ([]byte, error) {
	h := strings.ReplaceAll(s, ":", "")
	if len(h) == 0 || len(h) > 42 {
		return nil, invalidf(CodeInvalidSerial, "serial must be 1..40 hex digits")
	}
	n, ok := new(big.Int).SetString(h, 16)
	if !ok || n.Sign() <= 0 || len(n.Bytes()) > 20 {
		return nil, invalidf(CodeInvalidSerial, "serial must be a positive hex number of at most 20 bytes")
	}
	return n.Bytes(), nil
}

// FormatSerial prints a serial as lowercase hex without leading zeros.
func FormatSerial(b []byte) string { return new(big.Int).SetBytes(b).Text(16) }

// Certificate returns a certificate with its status, as p may see it: a
// service centre gets certificate_not_found for another centre's.
func (e *Engine) Certificate(ctx context.Context, p *Principal, serial []byte) (*store.CertRecord, error) {
	centre, confined, err := confinement(p)
	if err != nil {
		return nil, err
	}
	rec, err := e.st.Certificate(ctx, serial)
	if confined {
		return hideForeign(rec, err, centre)
	}
	if err != nil {
		return nil, classify(err)
	}
	return rec, nil
}

// SearchQuery finds certificates by one identifier of the subject, or
// lists one service centre's. A service centre's searches are always
// confined to its own certificates.
type SearchQuery struct {
	SNILS   string // 11 digits (separators allowed)
	INN     string // 12 digits: a person's INN; 10 digits: a legal entity's
	OGRN    string // 13 digits: OGRN; 15 digits: OGRNIP
	KeyHash string // store.KeyHash in hex
	// Centre alone lists the certificates of a service centre; with an
	// identifier it keeps only that centre's. A service centre may give
	// only its own id (or none).
	Centre string
	// Status: "", "valid", "revoked" or "on_hold".
	Status string
	Cursor string
	Limit  int // 0: 100; at most 1000
}

// StateName is the API name of a certificate state.
func StateName(s store.State) string {
	switch s {
	case store.Valid:
		return "valid"
	case store.Revoked:
		return "revoked"
	case store.OnHold:
		return "on_hold"
	}
	return "unknown"
}

// FindCertificates pages through the certificates with an identifier,
// or those of a service centre, that p may see.
func (e *Engine) FindCertificates(ctx context.Context, p *Principal, sq SearchQuery) ([]store.CertRecord, string, error) {
	own, confined, err := confinement(p)
	if err != nil {
		return nil, "", err
	}
	q := store.Query{Cursor: sq.Cursor, Limit: sq.Limit}
	switch {
	case confined && sq.Centre != "" && sq.Centre != own:
		return nil, "", forbidden("service_centre", "a service centre searches only its own certificates")
	case confined:
		q.Centre = own
	case sq.Centre != "":
		if !ValidCentreID(sq.Centre) {
			return nil, "", &Error{Code: CodeInvalidRequest, Field: "service_centre", Detail: centreIDRule}
		}
		q.Centre = sq.Centre
	}
	n := 0
	if sq.SNILS != "" {
		n++
		q.Field, q.Value = store.BySNILS, pkix.NormalizeSNILS(sq.SNILS)
	}
	if sq.INN != "" {
		n++
		q.Field, q.Value = store.ByINN, sq.INN
		if len(sq.INN) == 10 {
			q.Field = store.ByINNLE
		}
	}
	if sq.OGRN != "" {
		n++
		q.Field, q.Value = store.ByOGRN, sq.OGRN
		if len(sq.OGRN) == 15 {
			q.Field = store.ByOGRNIP
		}
	}
	if sq.KeyHash != "" {
		n++
		q.Field, q.Value = store.ByKeyHash, strings.ToLower(sq.KeyHash)
	}
	switch {
	case n == 0 && q.Centre != "":
		q.Field, q.Value = store.ByCentre, q.Centre
	case n != 1:
		return nil, "", invalidf(CodeInvalidRequest, "give at most one of snils, inn, ogrn, key_hash, and service_centre if none")
	}
	switch sq.Status {
	case "":
	case "valid":
		q.Status = store.Valid
	case "revoked":
		q.Status = store.Revoked
	case "on_hold":
		q.Status = store.OnHold
	default:
		return nil, "", &Error{Code: CodeInvalidRequest, Field: "status", Detail: "status must be valid, revoked or on_hold"}
	}
	if sq.Limit < 0 || sq.Limit > store.MaxLimit {
		return nil, "", &Error{Code: CodeInvalidRequest, Field: "limit", Detail: fmt.Sprintf("limit must be 1..%d", store.MaxLimit)}
	}
	page, next, err := e.st.FindCertificates(ctx, q)
	if err != nil {
		if errors.Is(err, store.ErrInvalidInput) {
			return nil, "", newErr(CodeInvalidRequest, "bad search parameters or cursor", err)
		}
		return nil, "", classify(err)
	}
	return page, next, nil
}

// StatusAction is a status change asked for.
type StatusAction int

// Status changes.
const (
	Revoke StatusAction = iota + 1
	Suspend
	Resume
)

func (a StatusAction) String() string {
	switch a {
	case Revoke:
		return "revoke"
	case Suspend:
		return "suspend"
	case Resume:
		return "resume"
	}
	return "unknown"
}

// RevocationReasons are the reasons Revoke accepts, by RFC 5280 name.
// certificateHold is Suspend; removeFromCRL is not a reason to revoke.
var RevocationReasons = map[string]pkix.CRLReason{
	"unspecified": pkix.ReasonUnspecified, "keyCompromise": pkix.ReasonKeyCompromise,
	"cACompromise": pkix.ReasonCACompromise, "affiliationChanged": pkix.ReasonAffiliationChanged,
	"superseded": pkix.ReasonSuperseded, "cessationOfOperation": pkix.ReasonCessationOfOperation,
	"privilegeWithdrawn": pkix.ReasonPrivilegeWithdrawn, "aACompromise": pkix.ReasonAACompromise,
}

// StatusRequest is the argument of SetStatus.
type StatusRequest struct {
	Action StatusAction
	// Reason names a RevocationReasons entry (Revoke only; default
	// "unspecified").
	Reason string
	// InvalidityDate is when the key was known or suspected compromised
	// (Revoke only, optional, not in the future).
	InvalidityDate time.Time
	// Comment goes into the audit entry (≤ 1 KiB).
	Comment string
}

// SetStatus revokes, suspends or resumes a certificate, records who did it
// in the audit log, and refreshes its OCSP response and its issuer's CRL.
// A service centre may suspend and revoke (with CentreRevocationReasons)
// its own centre's certificates only; another centre's is not found.
func (e *Engine) SetStatus(ctx context.Context, p *Principal, serial []byte, req StatusRequest) (*store.CertRecord, error) {
	if p == nil {
		return nil, invalidf(CodeInvalidRequest, "no caller")
	}
	now := time.Now().UTC().Truncate(time.Second)
	ch := store.StatusChange{At: now}
	switch req.Action {
	case Revoke:
		name := req.Reason
		if name == "" {
			name = "unspecified"
		}
		reason, ok := RevocationReasons[name]
		if !ok {
			return nil, &Error{Code: CodeInvalidReason, Field: "reason", Detail: fmt.Sprintf("unknown revocation reason %q (suspend with the suspend action)", req.Reason)}
		}
		ch.State, ch.Reason = store.Revoked, int(reason)
		if !req.InvalidityDate.IsZero() {
			if req.InvalidityDate.After(now) {
				return nil, &Error{Code: CodeInvalidRequest, Field: "invalidity_date", Detail: "invalidity_date is in the future"}
			}
			ch.InvalidityDate = req.InvalidityDate.UTC().Truncate(time.Second)
		}
	case Suspend, Resume:
		if req.Reason != "" && req.Reason != "certificateHold" {
			return nil, &Error{Code: CodeInvalidReason, Field: "reason", Detail: "suspend and resume take no reason"}
		}
		if !req.InvalidityDate.IsZero() {
			return nil, &Error{Code: CodeInvalidRequest, Field: "invalidity_date", Detail: "invalidity_date only goes with revoke"}
		}
		ch.State = store.OnHold
		if req.Action == Resume {
			ch.State = store.Valid
		}
	default:
		return nil, invalidf(CodeInvalidRequest, "unknown status action")
	}
	if len(req.Comment) > 1024 {
		return nil, &Error{Code: CodeInvalidRequest, Field: "comment", Detail: "comment longer than 1024 bytes"}
	}
	if err := checkCentreStatus(p, req, reasonName(req)); err != nil {
		return nil, err
	}
	if _, confined, _ := confinement(p); confined {
		// Ownership before the transition: another centre's certificate
		// must not answer invalid_transition (or anything but not found).
		if _, err := e.Certificate(ctx, p, serial); err != nil {
			return nil, err
		}
	}
	details := fmt.Sprintf("action=%s reason=%s", req.Action, req.Reason)
	if req.Comment != "" {
		details += " comment=" + req.Comment
	}
	if err := e.st.SetStatus(ctx, serial, ch, store.AuditEntry{Actor: p.Actor(), Details: details}); err != nil {
		return nil, classify(err)
	}
	rec, err := e.st.Certificate(ctx, serial)
	if err != nil {
		return nil, classify(err)
	}
	if s, ok := e.issuers[rec.IssuerID]; ok {
		s.statusGen.Add(1)
		// Re-sign at once so the very next OCSP request is answered from
		// a fresh pre-signed response; the refresh job retries failures.
		if err := e.presign(ctx, s, rec); err != nil {
			e.log.Warn("OCSP pre-sign after status change failed", "serial", FormatSerial(serial), "err", err)
			e.kickOCSP()
		}
	}
	e.log.Info("certificate status changed", "serial", FormatSerial(serial), "action", req.Action.String(), "actor", p.Actor())
	return rec, nil
}

// reasonName is the revocation reason a request means ("unspecified"
// when none is given).
func reasonName(req StatusRequest) string {
	if req.Reason == "" {
		return "unspecified"
	}
	return req.Reason
}

// Audit appends an entry to the audit log.
func (e *Engine) Audit(ctx context.Context, actor, action, subject, details string) error {
	_, err := e.st.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: action, Subject: subject, Details: details})
	if err != nil {
		return classify(err)
	}
	return nil
}

// AuditEntries pages through the audit log.
func (e *Engine) AuditEntries(ctx context.Context, cursor string, limit int) ([]store.AuditEntry, string, error) {
	page, next, err := e.st.AuditEntries(ctx, cursor, limit)
	if err != nil {
		if errors.Is(err, store.ErrInvalidInput) {
			return nil, "", newErr(CodeInvalidRequest, "bad cursor", err)
		}
		return nil, "", classify(err)
	}
	return page, next, nil
}

// CreateToken makes an API token and records it in the audit log under
// actor.
func (e *Engine) CreateToken(ctx context.Context, actor string, role Role, scope, name string) (string, TokenInfo, error) {
	tok, ti, err := e.tokens.Create(role, scope, name)
	if err != nil {
		return "", TokenInfo{}, classify(err)
	}
	if err := e.Audit(ctx, actor, "token.create", ti.ID, fmt.Sprintf("role=%s scope=%s name=%s", ti.Role, ti.Scope, ti.Name)); err != nil {
		return "", TokenInfo{}, err
	}
	return tok, ti, nil
}

// RevokeToken deletes an API token and records it in the audit log.
func (e *Engine) RevokeToken(ctx context.Context, actor, id string) error {
	if err := e.tokens.Revoke(id); err != nil {
		return classify(err)
	}
	return e.Audit(ctx, actor, "token.revoke", id, "")
}

// Ready reports whether the engine can serve: the store answers and every
// issuing CA's key signs (an open circuit breaker fails this). The result
// is cached for two seconds.
func (e *Engine) Ready(ctx context.Context) error {
	e.readyMu.Lock()
	defer e.readyMu.Unlock()
	if time.Since(e.readyAt) < 2*time.Second {
		return e.readyErr
	}
	e.readyErr = e.checkReady(ctx)
	e.readyAt = time.Now()
	return e.readyErr
}

func (e *Engine) checkReady(ctx context.Context) error {
	if e.closed.Load() {
		return newErr(CodeUnavailable, "shutting down", nil)
	}
	if _, _, err := e.st.AuditHead(ctx); err != nil {
		return newErr(CodeUnavailable, "store", err)
	}
	for _, id := range e.order {
		s := e.issuers[id]
		digest := make([]byte, s.is.Key.Algorithm().DigestSize())
		rand.Read(digest)
		if _, err := s.is.Key.Sign(ctx, digest); err != nil {
			return newErr(CodeUnavailable, "issuer "+id+" key", err)
		}
	}
	return nil
}

func (e *Engine) kickOCSP() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}
