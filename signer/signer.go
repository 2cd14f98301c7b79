// Package signer is the issuance pipeline: admission with backpressure,
// batching, a write-ahead intent per certificate, signing fan-out over the
// issuers' keys, verify-after-sign, and one group commit per batch. Open
// resolves the intents a crash left behind before it accepts work.
//
// Only a *pkix.LintedTBS is ever signed: one the TBS builder made and
// linted for this request or, in crash recovery, one pkix.RelintTBS made
// from an intent's stored TBS after matching it against the intent and
// running the same lints. A stored TBS that fails is never signed; its
// intent is failed (serial kept reserved) and the reason audited.
//
// Before any of that, recovery checks the intent's MAC (the store's
// audit key, store.VerifyIntent): an intent that does not verify — a
// consistent edit of subject and key hash passes every other check — is
// failed and audited the same way, and nothing in it is looked at.
package signer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// Options tune the pipeline. Zero values take the defaults.
type Options struct {
	// MaxBatch closes a batch at this many requests (default 64).
	MaxBatch int
	// MaxDelay is how long a batch that is not full waits after its first
	// request for more. The default, 0, waits not at all: a batch forms
	// when one of the Concurrency slots is free, takes every request
	// queued by then and closes (adaptive; a lone request pays no wait,
	// under load the queue fills while the slots are busy). A positive
	// MaxDelay trades a lone request's latency for larger batches.
	MaxDelay time.Duration
	// QueueLen bounds requests admitted but not yet batched (default 4096).
	// Beyond it Issue fails at once with *ErrOverloaded.
	QueueLen int
	// Concurrency is how many batches are in flight at once (default 2), so
	// one batch's fsync overlaps the next one's signing.
	//
	// The defaults come from BenchmarkIssue (2 cores, fsync on, 256
	// callers): batch 64 issued ≈ 1.3× as fast as batch 16 and ≈ 3× as
	// fast as batch 1; 3, 4 or 8 batches in flight, or batches of 128 or
	// 256, were no faster than 64 × 2.
	Concurrency int
	// SignWorkers is the number of parallel signatures per batch (default
	// GOMAXPROCS; for an HSM, its session count).
	SignWorkers int
	// RecoverInterval is how often a running signer completes intents left
	// pending by a failed commit (older than this, held by no batch); at
	// Open every pending intent is completed. Default 30 s; negative
	// turns the background pass off.
	RecoverInterval time.Duration
	// BatchTimeout bounds the signatures of one batch (default 30 s): a
	// signature the key has not returned by then fails its request (the
	// intent is marked failed, the serial stays reserved), so a hung HSM
	// cannot hold a batch, its callers or Close for ever. A late signature
	// is dropped.
	BatchTimeout time.Duration
	// Outbox returns the outbox rows (ESIA registration, notices) committed
	// with a certificate of a profile. It is a function of the profile, not
	// of the request, so that a certificate completed by crash recovery
	// gets the same rows as one issued in one go. Nil: no rows.
	Outbox func(profile string) []store.OutboxRow
	// AppNotices returns the outbox rows (the subscriber's notices)
	// committed with an application's "issued" change when a request
	// carries Request.App: a function of the application and the serial,
	// so that crash recovery writes the same rows. Nil: no rows.
	AppNotices func(a *store.Application, serial []byte) []store.OutboxRow
	// PresignOCSP, when set, signs the OCSP response ("good") of each
	// certificate of a batch right after its signature, on the same
	// worker, so that the commit stores it with the certificate (see
	// ocsp.go). Nil, or a failure or nil answer for a certificate: that
	// certificate commits without one and is due for the publisher.
	PresignOCSP PresignOCSP
	Rand        io.Reader
	Now         func() time.Time
	Logger      *slog.Logger
}

func (o *Options) setDefaults() {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 64
	}
	if o.MaxDelay < 0 {
		o.MaxDelay = 0
	}
	if o.QueueLen <= 0 {
		o.QueueLen = 4096
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 2
	}
	if o.SignWorkers <= 0 {
		o.SignWorkers = runtime.GOMAXPROCS(0)
	}
	if o.RecoverInterval == 0 {
		o.RecoverInterval = 30 * time.Second
	}
	if o.BatchTimeout <= 0 {
		o.BatchTimeout = 30 * time.Second
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Request is one certificate to issue. The registration authority has
// verified the subject; the signer checks the request's proof of
// possession, builds and lints the TBS, and issues.
type Request struct {
	// RequestID makes Issue idempotent: a repeated ID returns the
	// certificate issued for the first, never a second one.
	RequestID          string
	IssuerID           string
	Profile            string
	CSR                []byte // PEM or DER PKCS#10
	Subject            *pkix.Subject
	SubjectSignTool    string
	IdentificationKind pkix.IdentificationKind
	Emails             []string
	// ExtKeyUsage are purposes asked for beyond the profile's, each from
	// its allow-list (pkix.CertificateTemplate.RequestedExtKeyUsage).
	ExtKeyUsage []asn1.ObjectIdentifier
	// NotBefore defaults to now; the lifetime is the profile's.
	NotBefore time.Time
	// Actor is who asked, for the audit log.
	Actor string
	// Centre is the service centre the certificate is issued for (a
	// store.ValidCentreID), empty for none. It is written with the intent
	// and so survives a crash.
	Centre string
	// App, when set, is the registration authority's application this
	// certificate completes: it is recorded in the intent (under its MAC)
	// and the application's "issuing → issued" change is written in the
	// certificate's batch, by the commit or by crash recovery (see
	// store.AppLink; the RA has checked the transition is allowed).
	App *store.AppLink
}

// Result is an issued certificate.
type Result struct {
	Serial []byte
	DER    []byte
	// Record is the certificate's record as committed to the store (for a
	// duplicate, as the store holds it), so the caller need not read it
	// back.
	Record *store.CertRecord
	// Duplicate is true when RequestID had been issued before.
	Duplicate bool
	// OCSP is true when the certificate's pre-signed OCSP response was
	// committed with it (Options.PresignOCSP).
	OCSP bool
}

// Errors of Issue beyond bad input (which wraps pkix errors).
var (
	// ErrUnknownIssuer / ErrUnknownProfile: the request names neither.
	ErrUnknownIssuer  = errors.New("signer: unknown issuer")
	ErrUnknownProfile = errors.New("signer: unknown profile")
	// ErrInProgress: the request ID is being issued by another call; retry.
	ErrInProgress = errors.New("signer: request with this id is in progress")
)

// Signer issues certificates. It is safe for concurrent use.
type Signer struct {
	store   Store
	issuers map[string]*Issuer
	opts    Options
	batch   *batcher[*job]
	stats   stats

	// inflight holds the serials of intents a batch of this process is
	// working on, so that the background recovery never signs them too.
	inflightMu sync.Mutex
	inflight   map[string]struct{}
	stop       chan struct{}
	loops      sync.WaitGroup
}

type job struct {
	ctx    context.Context
	req    *Request
	issuer *Issuer
	intent store.Intent
	// tbs is the linted TBS that gets signed; intent.TBS is its copy.
	tbs   *pkix.LintedTBS
	ids   store.Identifiers
	reply chan reply
	// notBefore and notAfter are the validity written into the TBS.
	notBefore, notAfter time.Time
	der                 []byte // set once signed
	// ocsp is the certificate's pre-signed OCSP response, set after der
	// when Options.PresignOCSP gave one.
	ocsp *store.IssuedOCSP
}

type reply struct {
	res *Result
	err error
}

// Open recovers what a previous process left (every pending intent whose
// stored TBS passes RelintTBS is signed and committed, every other one
// marked failed and audited) and then starts the pipeline.
func Open(ctx context.Context, st Store, issuers []*Issuer, opts Options) (*Signer, error) {
	opts.setDefaults()
	s := &Signer{store: st, issuers: map[string]*Issuer{}, opts: opts, inflight: map[string]struct{}{}, stop: make(chan struct{})}
	for _, is := range issuers {
		if _, dup := s.issuers[is.ID]; dup {
			return nil, fmt.Errorf("signer: issuer %s listed twice", is.ID)
		}
		s.issuers[is.ID] = is
	}
	if err := s.recover(ctx, time.Time{}); err != nil {
		return nil, err
	}
	s.batch = newBatcher(opts.QueueLen, opts.MaxBatch, opts.MaxDelay, opts.Concurrency, s.process)
	if opts.RecoverInterval > 0 {
		s.loops.Add(1)
		go s.recoverLoop()
	}
	return s, nil
}

// Close stops admission, finishes every admitted request and returns.
func (s *Signer) Close() error {
	close(s.stop)
	s.loops.Wait()
	s.batch.close()
	return nil
}

// claim marks serials as worked on by this process; it returns false (and
// claims nothing) if one of them already is.
func (s *Signer) claim(serials ...[]byte) bool {
	s.inflightMu.Lock()
	defer s.inflightMu.Unlock()
	for _, sn := range serials {
		if _, busy := s.inflight[string(sn)]; busy {
			return false
		}
	}
	for _, sn := range serials {
		s.inflight[string(sn)] = struct{}{}
	}
	return true
}

func (s *Signer) release(serials ...[]byte) {
	s.inflightMu.Lock()
	defer s.inflightMu.Unlock()
	for _, sn := range serials {
		delete(s.inflight, string(sn))
	}
}

// Issuer returns the issuer with the given id.
func (s *Signer) Issuer(id string) (*Issuer, bool) {
	is, ok := s.issuers[id]
	return is, ok
}

// KeyHash is the store's identity of a subject key: SHA-256 of the
// subjectPublicKey BIT STRING contents.
func KeyHash(spki []byte) (store.KeyHash, error) {
	bits, err := pkix.SubjectPublicKeyBits(spki)
	if err != nil {
		return store.KeyHash{}, err
	}
	return sha256.Sum256(bits), nil
}

// Issue issues one certificate. The caller's goroutine does the CPU work
// that needs no coordination (request parsing, proof of possession, TBS
// building and lints); then the request joins a batch for the durable
// intent, the signature and the group commit.
func (s *Signer) Issue(ctx context.Context, req *Request) (*Result, error) {
	start := s.opts.Now()
	j, replay, err := s.prepare(ctx, req)
	if err != nil {
		return nil, err
	}
	if replay != nil {
		s.stats.duplicates.Add(1)
		return replay, nil
	}
	if err := s.batch.submit(j); err != nil {
		s.stats.rejected.Add(1)
		return nil, err
	}
	r, err := waitResult(ctx, j.reply)
	if err != nil {
		return nil, err
	}
	if r.err == nil {
		s.stats.observeLatency(s.opts.Now().Sub(start))
	}
	return r.res, r.err
}

// prepare validates the request and builds its TBS, or returns the
// certificate already issued for the request ID.
func (s *Signer) prepare(ctx context.Context, req *Request) (*job, *Result, error) {
	if req == nil || req.Subject == nil {
		return nil, nil, fmt.Errorf("signer: %w: request and subject are required", pkix.ErrInvalidValue)
	}
	if req.Centre != "" && !store.ValidCentreID(req.Centre) {
		return nil, nil, fmt.Errorf("signer: %w: malformed service centre id", pkix.ErrInvalidValue)
	}
	is, ok := s.issuers[req.IssuerID]
	if !ok {
		return nil, nil, fmt.Errorf("%w %q", ErrUnknownIssuer, req.IssuerID)
	}
	prof, ok := is.Profiles[req.Profile]
	if !ok {
		return nil, nil, fmt.Errorf("%w %q for issuer %s", ErrUnknownProfile, req.Profile, is.ID)
	}
	csr, err := pkix.ParseCertificateRequest(req.CSR)
	if err != nil {
		return nil, nil, err
	}
	keyHash, err := KeyHash(csr.PublicKey.Raw)
	if err != nil {
		return nil, nil, err
	}
	serial, err := pkix.NewSerialNumber(s.opts.Rand)
	if err != nil {
		return nil, nil, err
	}
	notBefore := req.NotBefore
	if notBefore.IsZero() {
		notBefore = s.opts.Now()
	}
	notBefore = notBefore.UTC().Truncate(time.Second)
	tmpl := &pkix.CertificateTemplate{
		Profile: prof, SerialNumber: serial, NotBefore: notBefore, Subject: req.Subject,
		PublicKey: csr.PublicKey, SubjectSignTool: req.SubjectSignTool,
		IdentificationKind: req.IdentificationKind, Emails: req.Emails, RequestedExtKeyUsage: req.ExtKeyUsage,
	}
	if is.CRLPointers != nil {
		tmpl.CRLURLs, tmpl.FreshestCRLURLs = is.CRLPointers(serial.Bytes())
	}
	linted, err := pkix.BuildLintedTBS(tmpl, &is.Settings)
	if err != nil {
		return nil, nil, err
	}
	tbs := linted.DER()
	return &job{
		ctx: ctx, req: req, issuer: is, reply: make(chan reply, 1),
		notBefore: notBefore, notAfter: prof.NotAfter(notBefore),
		intent: store.Intent{RequestID: req.RequestID, IssuerID: is.ID, Serial: serial.Bytes(), KeyHash: keyHash,
			TBS: tbs, Profile: prof.Name, Centre: req.Centre, CreatedAt: s.opts.Now(), App: req.App},
		ids: store.Identifiers{SNILS: req.Subject.SNILS, INN: req.Subject.INN, INNLE: req.Subject.INNLE,
			OGRN: req.Subject.OGRN, OGRNIP: req.Subject.OGRNIP},
		tbs: linted,
	}, nil, nil
}

// process runs one batch: intents (one synced write), signatures in
// parallel, one synced commit, replies.
func (s *Signer) process(jobs []*job) {
	s.stats.observeBatch(len(jobs))
	ctx := context.Background() // admitted work finishes even if callers go away
	live := jobs[:0:0]
	for _, j := range jobs {
		if err := j.ctx.Err(); err != nil {
			j.reply <- reply{err: err} // cancelled while queued: nothing written
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	intents := make([]store.Intent, len(live))
	serials := make([][]byte, 0, len(live))
	for i, j := range live {
		intents[i] = j.intent
		// Fresh random serials: claiming only fails on a collision with
		// a pending intent, which PutIntents then refuses anyway.
		if s.claim(j.intent.Serial) {
			serials = append(serials, j.intent.Serial)
		}
	}
	defer s.release(serials...)
	results, err := s.store.PutIntents(ctx, intents)
	if err != nil {
		for _, j := range live {
			j.reply <- reply{err: fmt.Errorf("signer: record intents: %w", err)}
		}
		return
	}
	var toSign []*job
	for i, j := range live {
		r := results[i]
		switch {
		case r.Err != nil:
			j.reply <- reply{err: r.Err}
		case r.Duplicate && r.Cert != nil:
			s.stats.duplicates.Add(1)
			j.reply <- reply{res: &Result{Serial: r.Cert.Serial, DER: r.Cert.DER, Record: r.Cert, Duplicate: true}}
		case r.Duplicate:
			j.reply <- reply{err: ErrInProgress}
		default:
			j.intent.Serial = r.Serial
			toSign = append(toSign, j)
		}
	}
	failed := s.signAll(ctx, toSign)
	var issued []store.Issued
	var done []*job
	for _, j := range toSign {
		if j.der == nil {
			continue
		}
		issued = append(issued, s.issuedRecord(j))
		done = append(done, j)
	}
	var records []store.CertRecord
	if len(issued) > 0 {
		if records, err = s.store.CommitIssuedRecords(ctx, issued); err != nil {
			// The intents stay pending: the recovery pass (or the next
			// Open) signs them again from the stored TBS, so nothing
			// signed is lost or doubled.
			s.opts.Logger.Error("signer: commit failed; intents left for recovery", "batch", len(issued), "err", err)
			for _, j := range done {
				j.reply <- reply{err: fmt.Errorf("signer: commit: %w", err)}
			}
			done = nil
		}
	}
	if len(failed) > 0 {
		serials := make([][]byte, 0, len(failed))
		for _, f := range failed {
			serials = append(serials, f.job.intent.Serial)
		}
		if err := s.store.FailIntents(ctx, serials, "signing failed"); err != nil {
			s.opts.Logger.Error("signer: mark intents failed", "count", len(serials), "err", err)
		}
		for _, f := range failed {
			f.job.reply <- reply{err: f.err}
		}
	}
	for i, j := range done {
		s.stats.issued.Add(1)
		j.reply <- reply{res: &Result{Serial: j.intent.Serial, DER: j.der, Record: &records[i], OCSP: j.ocsp != nil}}
	}
}

type failure struct {
	job *job
	err error
}

// signAll signs every job's TBS with at most SignWorkers in parallel,
// setting job.der; it returns the jobs that failed. It returns by
// Options.BatchTimeout even if the key never answers: the jobs not signed
// by then fail, and workers still inside the key drop what they get.
func (s *Signer) signAll(ctx context.Context, jobs []*job) []failure {
	ctx, cancel := context.WithTimeout(ctx, s.opts.BatchTimeout)
	defer cancel()
	var (
		mu       sync.Mutex // guards failed, every job.der and abandoned
		failed   []failure
		finished = make([]bool, len(jobs))
		// abandoned is set when the batch stops waiting: a late worker
		// then writes nothing.
		abandoned bool
		next      atomic.Int64
		left      atomic.Int64 // workers still running; the last closes all
		all       = make(chan struct{})
	)
	workers := min(s.opts.SignWorkers, len(jobs))
	if workers == 0 {
		return nil
	}
	left.Store(int64(workers))
	work := func() {
		defer func() {
			if left.Add(-1) == 0 {
				close(all)
			}
		}()
		for {
			i := int(next.Add(1) - 1)
			if i >= len(jobs) {
				return
			}
			if ctx.Err() != nil {
				return // out of time: signAll fails the rest
			}
			j := jobs[i]
			der, err := j.issuer.signTBS(ctx, j.tbs)
			mu.Lock()
			if abandoned {
				mu.Unlock()
				return
			}
			finished[i] = true
			if err != nil {
				s.stats.signErrors.Add(1)
				failed = append(failed, failure{j, err})
			} else {
				j.der = der
			}
			mu.Unlock()
			if err != nil || s.opts.PresignOCSP == nil {
				continue
			}
			// The certificate is signed (and counts as such whatever
			// happens next); its OCSP response is an extra that the
			// commit stores if it is there in time.
			o := s.presignOCSP(ctx, j)
			mu.Lock()
			if abandoned {
				mu.Unlock()
				return
			}
			j.ocsp = o
			mu.Unlock()
		}
	}
	// A key in this process (inProcess) cannot hang: the batch's own
	// goroutine is one of the workers, which saves a goroutine start and
	// two hand-overs per batch (a lone request's batch starts none).
	// A key outside (an HSM) is only ever waited for up to BatchTimeout.
	inline := inProcess(jobs)
	for i := range workers {
		if i == 0 && inline {
			continue
		}
		go work()
	}
	if inline {
		work()
	}
	select {
	case <-all:
		return failed
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	abandoned = true
	for i, j := range jobs {
		if !finished[i] {
			s.stats.signErrors.Add(1)
			failed = append(failed, failure{j, fmt.Errorf("signer: issuer %s: no signature within %v: %w", j.issuer.ID, s.opts.BatchTimeout, ctx.Err())})
		}
	}
	s.opts.Logger.Error("signer: the key did not sign the whole batch in time; the rest fails", "batch", len(jobs), "timeout", s.opts.BatchTimeout)
	return failed
}

// outbox is the rows of Options.Outbox for a profile.
func (s *Signer) outbox(profile string) []store.OutboxRow {
	if s.opts.Outbox == nil {
		return nil
	}
	return s.opts.Outbox(profile)
}

func (s *Signer) issuedRecord(j *job) store.Issued {
	actor := j.req.Actor
	if actor == "" {
		actor = "signer"
	}
	return store.Issued{
		Serial: j.intent.Serial, IssuerID: j.issuer.ID, RequestID: j.req.RequestID, DER: j.der,
		NotBefore: j.notBefore, NotAfter: j.notAfter, Subject: j.ids, KeyHash: j.intent.KeyHash, Outbox: s.outbox(j.intent.Profile),
		Audit: store.AuditEntry{Actor: actor, Action: "issue", Details: issueDetails(j.intent)},
		App:   j.intent.App, AppNotices: s.opts.AppNotices, OCSP: j.ocsp,
	}
}

// issueDetails is the audit detail of an issuance.
func issueDetails(in store.Intent) string {
	d := "profile " + in.Profile
	if in.Centre != "" {
		d += " centre " + in.Centre
	}
	if in.App != nil {
		d += " application " + in.App.ID
	}
	return d
}
