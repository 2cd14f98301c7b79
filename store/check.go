package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// CheckReport is the result of Check. Problems lists the first
// maxProblems findings; TotalProblems counts them all.
type CheckReport struct {
	Certificates   int
	PendingIntents int
	FailedIntents  int
	IndexEntries   int
	OCSPResponses  int
	OutboxRows     int
	StatusLogRows  int
	CRLBases       int
	Applications   int
	AuditEntries   uint64
	// AuditKeyed reports a chain keyed with a real audit key from entry
	// AuditKeyedFrom on (false: unkeyed, SHA-256 only).
	AuditKeyed     bool
	AuditKeyedFrom uint64
	// CheckpointSeq is the entry of the checkpoint the chain was checked
	// against (0: none given).
	CheckpointSeq uint64
	Problems      []Problem
	TotalProblems int
}

// OK reports a clean store.
func (r *CheckReport) OK() bool { return r.TotalProblems == 0 }

// Problem is one inconsistency found by Check.
type Problem struct {
	Kind   string // missing-index, dangling-index, mismatch, decode, audit, audit-record, checkpoint, unknown-key
	Key    string // the offending key in hex
	Detail string
}

func (p Problem) String() string { return p.Kind + " " + p.Key + ": " + p.Detail }

const maxProblems = 1000

// CheckOptions are the optional inputs of CheckWith.
type CheckOptions struct {
	// Checkpoint, when set, is the newest checkpoint kept outside the
	// store; Verify checks its signature (required with it).
	Checkpoint *Checkpoint
	Verify     VerifyFunc
}

// Check is CheckWith without a checkpoint.
func (s *Store) Check(ctx context.Context) (*CheckReport, error) {
	return s.CheckWith(ctx, CheckOptions{})
}

// CheckWith verifies the store on a consistent snapshot in one ordered
// pass over all keys: every certificate and intent has its index
// entries, every index entry points to a record that agrees with it,
// each certificate has exactly one OCSP-due entry, pending outbox rows
// are indexed, and the audit chain verifies (with the audit key) up to
// the head. It then cross-checks records and audit (auditcross.go):
// every certificate has one issuance entry and one entry per status
// change, every failed intent its entry, and every entry that names a
// certificate matches it. With a checkpoint, the chain must still hold
// the checkpoint's entry with its chain value, under the same key.
// Inconsistencies go into the report; the error is only for I/O
// failures, cancellation and a checkpoint given without Verify.
func (s *Store) CheckWith(ctx context.Context, opts CheckOptions) (*CheckReport, error) {
	if opts.Checkpoint != nil && opts.Verify == nil {
		return nil, invalid("check: a checkpoint needs its verification function")
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	snap, seq, hash := s.snapshot()
	defer snap.Close()
	c := &checker{s: s, r: snap, rep: &CheckReport{}, audits: map[string]*auditFacts{}}
	c.rep.AuditKeyed, c.rep.AuditKeyedFrom = s.audit.keyed(), s.audit.rec.KeyedFrom
	err := scan(ctx, snap, nil, nil, func(k, v []byte) (bool, error) {
		return true, c.entry(k, v)
	})
	if err != nil {
		return nil, err
	}
	cp := opts.Checkpoint
	var atCheckpoint *[32]byte
	n, h, err := verifyChain(ctx, snap, &s.audit, func(a *AuditEntry) error {
		if cp != nil && a.Seq == cp.Seq {
			v := a.Hash
			atCheckpoint = &v
		}
		return c.auditEntry(a)
	})
	switch {
	case errors.Is(err, ErrCorrupt):
		c.problem("audit", nil, "%v", err)
	case err != nil:
		return nil, err
	case n != seq || h != hash:
		c.problem("audit", nil, "chain ends at %d, head is %d", n, seq)
	}
	c.rep.AuditEntries = n
	if err := c.auditCross(ctx, err == nil); err != nil {
		return nil, err
	}
	if cp != nil {
		c.rep.CheckpointSeq = cp.Seq
		if err := cp.Verify(opts.Verify); err != nil {
			c.problem("checkpoint", nil, "%v", err)
		}
		for _, f := range s.audit.checkpointFindings(cp, n, atCheckpoint) {
			c.problem("checkpoint", nil, "%s", f)
		}
	}
	if !c.rep.OK() {
		s.log.Warn("store check found problems", "count", c.rep.TotalProblems)
	}
	return c.rep, nil
}

type checker struct {
	s   *Store
	r   pebble.Reader
	rep *CheckReport

	// Status-log state of the issuer being scanned: its last sequence
	// number and the last status logged per serial.
	logIssuer string
	logSeq    uint64
	logLast   map[string]Status

	// audits holds what the audit chain says about each serial it names.
	audits map[string]*auditFacts
}

func (c *checker) problem(kind string, key []byte, format string, args ...any) {
	c.rep.TotalProblems++
	if len(c.rep.Problems) < maxProblems {
		c.rep.Problems = append(c.rep.Problems, Problem{Kind: kind, Key: fmt.Sprintf("%x", key), Detail: fmt.Sprintf(format, args...)})
	}
}

// entry dispatches one key by prefix. Only I/O errors are returned.
func (c *checker) entry(k, v []byte) error {
	switch k[0] {
	case pMeta:
		return c.meta(k, v)
	case pCert:
		return c.cert(k, v)
	case pIntent, pFailed:
		return c.intent(k, v)
	case pRequest, pKeyHash:
		c.rep.IndexEntries++
		return c.unique(k, v)
	case pSerial:
		c.rep.IndexEntries++
		return c.serial(k, v)
	case pIdent:
		c.rep.IndexEntries++
		return c.ident(k)
	case pCentre:
		c.rep.IndexEntries++
		return c.centre(k)
	case pExpiry:
		c.rep.IndexEntries++
		return c.expiry(k)
	case pRevoked:
		c.rep.IndexEntries++
		return c.revoked(k, v)
	case pStatusLog:
		c.rep.StatusLogRows++
		return c.statusLog(k, v)
	case pCRLNumber:
		if _, err := decodeCRLNumber(v); err != nil {
			c.problem("decode", k, "%v", err)
		}
	case pCRLBase:
		c.rep.CRLBases++
		return c.crlBase(k, v)
	case pCRLParts:
		if _, err := decodeCRLParts(v); err != nil || len(k) < 2 || len(k) > 1+maxIssuerLen {
			c.problem("decode", k, "bad CRL partition count: %v", err)
		}
	case pOCSP:
		return c.ocsp(k, v)
	case pOCSPDue:
		c.rep.IndexEntries++
		return c.ocspDue(k)
	case pOutbox:
		return c.outbox(k, v)
	case pOutboxDue:
		c.rep.IndexEntries++
		return c.outboxDue(k)
	case pOutboxDead, pHookState, pHookSeen, pOutboxOnce:
		c.rep.IndexEntries++
		c.hookRecord(k, v)
	case pApp, pAppIndex, pAppState, pAppEvent:
		return c.application(k, v)
	case pChallenge, pChallengeLast, pSession, pConsent, pPayment:
		c.rep.IndexEntries++
		c.cabinetRecord(k, v)
	case pCloudKey, pCloudOp, pCloudOpExpiry:
		c.rep.IndexEntries++
		c.cloudRecord(k, v)
	case pStatusReq, pStatusReqOpen, pStatusReqByState, pStatusReqByPhone:
		c.rep.IndexEntries++
		c.statusRequestRecord(k, v)
	case pOTPWindow, pOTPWindowEnd:
		c.rep.IndexEntries++
		return c.otpRecord(k, v)
	case pOrgRecord:
		c.rep.IndexEntries++
		c.orgRecord(k, v)
	case pAudit:
		// verified as a chain afterwards
	case pToken:
		if _, err := decodeToken(string(k[1:]), v); err != nil {
			c.problem("decode", k, "%v", err)
		}
	default:
		c.problem("unknown-key", k, "no record kind has prefix %#x", k[0])
	}
	return nil
}

func (c *checker) meta(k, v []byte) error {
	switch {
	case bytes.Equal(k, keySchema):
		if len(v) != 1 || v[0] != schemaVersion {
			c.problem("mismatch", k, "schema version %x", v)
		}
	case bytes.Equal(k, keyOutboxSeq):
		if len(v) != 8 {
			c.problem("decode", k, "outbox sequence %x", v)
		}
	case bytes.Equal(k, keyAuditKey):
		if r, err := decodeAuditKeyRec(v); err != nil {
			c.problem("decode", k, "%v", err)
		} else if r != c.s.audit.rec {
			c.problem("mismatch", k, "audit key record changed since the store was opened (keyed from %d)", r.KeyedFrom)
		}
	default:
		c.problem("unknown-key", k, "unknown meta key")
	}
	return nil
}

// want reports a missing entry at key, or one whose value differs from
// value (nil value: only presence is checked).
func (c *checker) want(owner, key, value []byte, what string) error {
	v, err := c.s.get(c.r, key)
	if errors.Is(err, ErrNotFound) {
		c.problem("missing-index", owner, "%s %x missing", what, key)
		return nil
	}
	if err != nil {
		return err
	}
	if value != nil && !bytes.Equal(v, value) {
		c.problem("mismatch", owner, "%s %x holds %x, want %x", what, key, v, value)
	}
	return nil
}

// absent reports an entry at key that should not exist.
func (c *checker) absent(owner, key []byte, what string) error {
	ok, err := c.s.has(c.r, key)
	if ok {
		c.problem("mismatch", owner, "%s %x should not exist", what, key)
	}
	return err
}

func (c *checker) cert(k, v []byte) error {
	c.rep.Certificates++
	serial, rest, ok := cutSerial(k[1:])
	if !ok || len(rest) != 0 {
		c.problem("decode", k, "bad certificate key")
		return nil
	}
	rec, err := decodeCert(v)
	if err != nil {
		c.problem("decode", k, "%v", err)
		return nil
	}
	if !bytes.Equal(rec.Serial, serial) {
		c.problem("mismatch", k, "record serial %x", rec.Serial)
	}
	steps := []func() error{
		func() error { return c.want(k, keyHashKey(rec.KeyHash), serial, "key hash index") },
		func() error { return c.want(k, expiryKey(rec.NotAfter, serial), nil, "expiry index") },
		func() error { return c.absent(k, intentKey(serial), "pending intent") },
		func() error { return c.absent(k, failedKey(serial), "failed intent") },
		func() error { return c.want(k, serialKey(serial), nil, "serial registry entry") },
		func() error { return c.certOCSP(k, rec) },
		func() error { return c.certRevoked(k, rec) },
		func() error {
			return rec.Subject.each(func(f Field, val string) error {
				return c.want(k, identKey(f, val, rec.NotBefore, serial), nil, f.String()+" index")
			})
		},
	}
	if rec.RequestID != "" {
		steps = append(steps, func() error { return c.want(k, requestKey(rec.RequestID), serial, "request index") })
	}
	if rec.Centre != "" {
		steps = append(steps, func() error {
			return c.want(k, centreKey(rec.Centre, rec.NotBefore, serial), nil, "service centre index")
		})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// certRevoked: a revocation entry exists iff the certificate is not
// valid, and it agrees with the status.
func (c *checker) certRevoked(k []byte, rec *CertRecord) error {
	rk := revokedKey(rec.IssuerID, rec.Serial)
	if rec.Status.State == Valid {
		return c.absent(k, rk, "revocation entry of a valid certificate")
	}
	return c.want(k, rk, encodeRevEntry(rec.Status), "revocation entry")
}

// certOCSP: exactly the due entry matching the stored response (or the
// zero-time one when there is none); a stored response is current. An
// expired certificate may have no due entry (OCSPRetire).
func (c *checker) certOCSP(k []byte, rec *CertRecord) error {
	v, err := c.s.get(c.r, ocspKey(rec.Serial))
	if errors.Is(err, ErrNotFound) {
		return c.wantDue(k, rec, zeroTime)
	}
	if err != nil {
		return err
	}
	o, err := decodeOCSP(rec.Serial, v)
	if err != nil {
		return nil // reported when the scan reaches the OCSP key
	}
	if o.StatusVersion != rec.Status.Version {
		c.problem("mismatch", k, "OCSP response for status version %d, certificate at %d", o.StatusVersion, rec.Status.Version)
	}
	return c.wantDue(k, rec, o.NextUpdate)
}

func (c *checker) wantDue(k []byte, rec *CertRecord, due time.Time) error {
	if rec.NotAfter.Before(c.s.now()) {
		if _, err := c.s.get(c.r, ocspDueKey(due, rec.Serial)); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return nil // retired, or not yet: both are fine
	}
	return c.want(k, ocspDueKey(due, rec.Serial), nil, "OCSP due entry")
}

func (c *checker) intent(k, v []byte) error {
	serial, rest, ok := cutSerial(k[1:])
	if !ok || len(rest) != 0 {
		c.problem("decode", k, "bad intent key")
		return nil
	}
	r, err := decodeIntent(v)
	if err != nil {
		c.problem("decode", k, "%v", err)
		return nil
	}
	if !bytes.Equal(r.Serial, serial) || r.failed != (k[0] == pFailed) {
		c.problem("mismatch", k, "intent record disagrees with its key")
	}
	if err := c.absent(k, certKey(serial), "certificate of an uncommitted intent"); err != nil {
		return err
	}
	if err := c.want(k, serialKey(serial), nil, "serial registry entry"); err != nil {
		return err
	}
	if k[0] == pFailed {
		c.rep.FailedIntents++
		return c.absent(k, intentKey(serial), "pending intent of a failed serial")
	}
	c.rep.PendingIntents++
	// Recovery would fail it; fsck says so before.
	if err := c.s.VerifyIntent(&r.Intent); errors.Is(err, ErrIntentMAC) || errors.Is(err, ErrIntentNoMAC) {
		c.problem("intent-mac", k, "pending intent: %v (recovery will fail it, never sign it)", errors.Unwrap(err))
	} else if err != nil {
		return err
	}
	if err := c.want(k, keyHashKey(r.KeyHash), serial, "key hash index"); err != nil {
		return err
	}
	if r.RequestID != "" {
		return c.want(k, requestKey(r.RequestID), serial, "request index")
	}
	return nil
}

// unique checks a request-ID or key-hash entry: it points to a
// certificate or pending intent that carries the same request / key.
func (c *checker) unique(k, serial []byte) error {
	matches := func(requestID string, key KeyHash) bool {
		if k[0] == pRequest {
			return requestID == string(k[1:])
		}
		return len(k) == 33 && key == KeyHash(k[1:])
	}
	rec, err := c.s.loadCert(c.r, serial)
	if err == nil {
		if !matches(rec.RequestID, rec.KeyHash) {
			c.problem("mismatch", k, "certificate %x does not carry this value", serial)
		}
		return nil
	}
	if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrCorrupt) {
		return err
	}
	v, err := c.s.get(c.r, intentKey(serial))
	if errors.Is(err, ErrNotFound) {
		c.problem("dangling-index", k, "points to %x: no certificate or pending intent", serial)
		return nil
	}
	if err != nil {
		return err
	}
	if r, err := decodeIntent(v); err == nil && !matches(r.RequestID, r.KeyHash) {
		c.problem("mismatch", k, "intent %x does not carry this value", serial)
	}
	return nil
}

// target loads the certificate an index entry points to; nil (with a
// problem recorded) if it is missing or unreadable.
func (c *checker) target(k, serial []byte) (*CertRecord, error) {
	rec, err := c.s.loadCert(c.r, serial)
	switch {
	case errors.Is(err, ErrNotFound):
		c.problem("dangling-index", k, "certificate %x missing", serial)
		return nil, nil
	case errors.Is(err, ErrCorrupt):
		c.problem("dangling-index", k, "certificate %x unreadable", serial)
		return nil, nil
	}
	return rec, err
}

func (c *checker) ident(k []byte) error {
	f := Field(0)
	if len(k) > 1 {
		f = Field(k[1])
	}
	val, rest, ok := cutLen(k[min(len(k), 2):])
	nb, rest, ok2 := cutTime(rest)
	serial, rest, ok3 := cutSerial(rest)
	if !ok || !ok2 || !ok3 || len(rest) != 0 || checkIdent(f, string(val)) != nil {
		c.problem("decode", k, "bad identifier index key")
		return nil
	}
	rec, err := c.target(k, serial)
	if rec == nil || err != nil {
		return err
	}
	got := ""
	_ = rec.Subject.each(func(g Field, v string) error {
		if g == f {
			got = v
		}
		return nil
	})
	if got != string(val) || !rec.NotBefore.Equal(nb) {
		c.problem("mismatch", k, "certificate %x has %s %q, notBefore %v", serial, f, got, rec.NotBefore)
	}
	return nil
}

// centre checks a service-centre index entry: a well-formed key pointing
// to a certificate of that centre with that notBefore.
func (c *checker) centre(k []byte) error {
	centre, rest, ok := cutLen(k[1:])
	nb, rest, ok2 := cutTime(rest)
	serial, rest, ok3 := cutSerial(rest)
	if !ok || !ok2 || !ok3 || len(rest) != 0 || !ValidCentreID(string(centre)) {
		c.problem("decode", k, "bad service centre index key")
		return nil
	}
	rec, err := c.target(k, serial)
	if rec != nil && (rec.Centre != string(centre) || !rec.NotBefore.Equal(nb)) {
		c.problem("mismatch", k, "certificate %x has service centre %q, notBefore %v", serial, rec.Centre, rec.NotBefore)
	}
	return err
}

func (c *checker) expiry(k []byte) error {
	na, rest, ok := cutTime(k[1:])
	serial, rest, ok2 := cutSerial(rest)
	if !ok || !ok2 || len(rest) != 0 {
		c.problem("decode", k, "bad expiry index key")
		return nil
	}
	rec, err := c.target(k, serial)
	if rec != nil && !rec.NotAfter.Equal(na) {
		c.problem("mismatch", k, "certificate %x expires %v", serial, rec.NotAfter)
	}
	return err
}

func (c *checker) revoked(k, v []byte) error {
	issuer, rest, ok := cutLen(k[1:])
	serial, rest, ok2 := cutSerial(rest)
	if !ok || !ok2 || len(rest) != 0 {
		c.problem("decode", k, "bad revocation key")
		return nil
	}
	if _, err := decodeRevEntry(v); err != nil {
		c.problem("decode", k, "%v", err)
		return nil
	}
	rec, err := c.target(k, serial)
	if rec != nil && (rec.IssuerID != string(issuer) || rec.Status.State == Valid) {
		c.problem("mismatch", k, "certificate %x: issuer %q, state %s", serial, rec.IssuerID, rec.Status.State)
	}
	return err
}

func (c *checker) ocsp(k, v []byte) error {
	c.rep.OCSPResponses++
	serial, rest, ok := cutSerial(k[1:])
	if !ok || len(rest) != 0 {
		c.problem("decode", k, "bad OCSP key")
		return nil
	}
	if _, err := decodeOCSP(serial, v); err != nil {
		c.problem("decode", k, "%v", err)
		return nil
	}
	_, err := c.target(k, serial)
	return err
}

func (c *checker) ocspDue(k []byte) error {
	t, rest, ok := cutTime(k[1:])
	serial, rest, ok2 := cutSerial(rest)
	if !ok || !ok2 || len(rest) != 0 {
		c.problem("decode", k, "bad OCSP due key")
		return nil
	}
	rec, err := c.target(k, serial)
	if rec == nil || err != nil {
		return err
	}
	v, err := c.s.get(c.r, ocspKey(serial))
	switch {
	case errors.Is(err, ErrNotFound):
		if !t.Equal(zeroTime) {
			c.problem("mismatch", k, "due at %v but no response stored", t)
		}
		return nil
	case err != nil:
		return err
	}
	if o, err := decodeOCSP(serial, v); err == nil && !o.NextUpdate.Equal(t) {
		c.problem("mismatch", k, "response's nextUpdate is %v", o.NextUpdate)
	}
	return nil
}

func (c *checker) outbox(k, v []byte) error {
	c.rep.OutboxRows++
	if len(k) != 9 {
		c.problem("decode", k, "bad outbox key")
		return nil
	}
	id := binary.BigEndian.Uint64(k[1:])
	r, err := decodeOutbox(id, v)
	if err != nil {
		c.problem("decode", k, "%v", err)
		return nil
	}
	if seq, err := c.s.get(c.r, keyOutboxSeq); err != nil || len(seq) != 8 || binary.BigEndian.Uint64(seq) < id {
		c.problem("mismatch", k, "outbox id %d beyond the stored sequence", id)
	}
	switch {
	case r.Done || r.Cancelled:
		return nil
	case r.Dead:
		return c.want(k, outboxDeadKey(r.Kind, id), nil, "outbox dead entry")
	}
	return c.want(k, outboxDueKey(r.Kind, r.NextAttempt, id), nil, "outbox due entry")
}

func (c *checker) outboxDue(k []byte) error {
	kind, rest, ok := cutLen(k[1:])
	t, rest, ok2 := cutTime(rest)
	if !ok || !ok2 || len(rest) != 8 {
		c.problem("decode", k, "bad outbox due key")
		return nil
	}
	id := binary.BigEndian.Uint64(rest)
	r, err := c.s.loadOutbox(c.r, id)
	switch {
	case errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt):
		c.problem("dangling-index", k, "outbox row %d missing or unreadable", id)
		return nil
	case err != nil:
		return err
	}
	if r.Done || r.Dead || r.Cancelled || r.Kind != string(kind) || !r.NextAttempt.Equal(t) {
		c.problem("mismatch", k, "outbox row %d: kind %q, done %v, next %v", id, r.Kind, r.Done, r.NextAttempt)
	}
	return nil
}

// serial checks a registry entry: empty, and its serial belongs to a
// certificate, a pending intent or a failed intent (a serial is reserved
// only together with its intent, which then becomes one of the three).
func (c *checker) serial(k, v []byte) error {
	serial, rest, ok := cutSerial(k[1:])
	if !ok || len(rest) != 0 || len(v) != 0 {
		c.problem("decode", k, "bad serial registry entry")
		return nil
	}
	for _, owner := range [][]byte{certKey(serial), intentKey(serial), failedKey(serial)} {
		found, err := c.s.has(c.r, owner)
		if err != nil || found {
			return err
		}
	}
	c.problem("dangling-index", k, "serial %x registered without a certificate or intent", serial)
	return nil
}

// statusLog checks one row of an issuer's status-change log: sequence
// numbers run 1, 2, … without gaps; the row names a certificate of that
// issuer; the change is an allowed transition that bumps the status
// version by one; rows of one serial chain (From is the previous To);
// and the row that reached the certificate's current version carries its
// current status. Certificates changed before the log existed (schema 2)
// have no rows, which is not a problem.
func (c *checker) statusLog(k, v []byte) error {
	issuer, rest, ok := cutLen(k[1:])
	if !ok || len(issuer) == 0 || len(rest) != 8 {
		c.problem("decode", k, "bad status log key")
		return nil
	}
	seq := binary.BigEndian.Uint64(rest)
	if string(issuer) != c.logIssuer || c.logLast == nil {
		c.logIssuer, c.logSeq, c.logLast = string(issuer), 0, map[string]Status{}
	}
	if seq != c.logSeq+1 {
		c.problem("mismatch", k, "status log of %q: seq %d follows %d", issuer, seq, c.logSeq)
	}
	c.logSeq = seq
	r, err := decodeStatusLog(seq, v)
	if err != nil {
		c.problem("decode", k, "%v", err)
		return nil
	}
	if !transitionAllowed(r.From.State, r.To.State) || r.To.Version != r.From.Version+1 {
		c.problem("mismatch", k, "status log: %s v%d → %s v%d is not a transition", r.From.State, r.From.Version, r.To.State, r.To.Version)
	}
	if prev, ok := c.logLast[string(r.Serial)]; ok && !bytes.Equal(encodeStatusBytes(prev), encodeStatusBytes(r.From)) {
		c.problem("mismatch", k, "status log: serial %x changes from %s v%d, previous row left %s v%d",
			r.Serial, r.From.State, r.From.Version, prev.State, prev.Version)
	}
	c.logLast[string(r.Serial)] = r.To
	rec, err := c.target(k, r.Serial)
	if rec == nil || err != nil {
		return err
	}
	switch {
	case rec.IssuerID != string(issuer):
		c.problem("mismatch", k, "status log of %q names certificate %x of %q", issuer, r.Serial, rec.IssuerID)
	case r.To.Version > rec.Status.Version:
		c.problem("mismatch", k, "status log: version %d beyond the certificate's %d", r.To.Version, rec.Status.Version)
	case r.To.Version == rec.Status.Version && !bytes.Equal(encodeStatusBytes(r.To), encodeStatusBytes(rec.Status)):
		c.problem("mismatch", k, "status log: row for version %d disagrees with the certificate's status", r.To.Version)
	}
	return nil
}

func encodeStatusBytes(s Status) []byte {
	var e enc
	encodeStatus(&e, s)
	return e.b
}

// crlBase checks a CRL base record: its number was handed out and its log
// position is not beyond the issuer's log head.
func (c *checker) crlBase(k, v []byte) error {
	issuer, scope, ok := cutLen(k[1:])
	if !ok || len(issuer) == 0 || checkScope(string(scope)) != nil {
		c.problem("decode", k, "bad CRL base key")
		return nil
	}
	b, err := decodeCRLBase(v)
	if err != nil {
		c.problem("decode", k, "%v", err)
		return nil
	}
	nv, err := c.s.get(c.r, crlNumberKey(string(issuer)))
	switch {
	case errors.Is(err, ErrNotFound):
		c.problem("mismatch", k, "CRL base of %q without a CRL number", issuer)
	case err != nil:
		return err
	default:
		if n, err := decodeCRLNumber(nv); err == nil && b.Number.Cmp(new(big.Int).SetBytes(n)) > 0 {
			c.problem("mismatch", k, "CRL base number %v beyond the last handed out", b.Number)
		}
	}
	head, err := statusLogHead(c.r, string(issuer))
	if errors.Is(err, ErrCorrupt) {
		return nil // the bad log key is reported when the scan reaches it
	}
	if err != nil {
		return err
	}
	if b.LogSeq > head {
		c.problem("mismatch", k, "CRL base at log position %d, head is %d", b.LogSeq, head)
	}
	return nil
}
