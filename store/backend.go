package store

import (
	"context"
	"math/big"
	"time"
)

// The storage API, by role. *Store (Pebble) implements every role; a
// second backend (PostgreSQL is planned) can be built and tested one role
// at a time, with the same semantics, which the tests of this package
// spell out. A consumer holds the roles it uses (or declares the few
// methods it needs next to its code), never *Store. Every method honours
// ctx only before it starts writing: an acknowledged write is never half
// done.

// Issuance is the write-ahead issuance of certificates (package signer).
type Issuance interface {
	// PutIntents durably records intents before signing, one batch for
	// all of them. See IntentResult for the per-intent outcomes; the error
	// is for failures of the whole call (nothing written).
	PutIntents(ctx context.Context, intents []Intent) ([]IntentResult, error)
	// CommitIssued stores signed certificates with their indexes, status,
	// outbox rows and audit entries, and deletes their intents: all or
	// nothing.
	CommitIssued(ctx context.Context, certs []Issued) error
	// CommitIssuedRecords is CommitIssued returning the records written.
	CommitIssuedRecords(ctx context.Context, certs []Issued) ([]CertRecord, error)
	// FailIntents marks pending intents failed: serials stay reserved,
	// keys and request IDs are released. Already failed ones are skipped.
	FailIntents(ctx context.Context, serials [][]byte, reason string) error
	// PendingIntents returns the intents not yet committed or failed.
	PendingIntents(ctx context.Context) ([]Intent, error)
	// VerifyIntent checks a pending intent's MAC under the audit key
	// (ErrIntentMAC, ErrIntentNoMAC: never sign it).
	VerifyIntent(in *Intent) error
	// CommittedCertificate reads a certificate the caller has just seen
	// committed (no WAL sync of its own).
	CommittedCertificate(ctx context.Context, serial []byte) (*CertRecord, error)
	CertificateByRequestID(ctx context.Context, requestID string) (*CertRecord, error)
}

// Certificates reads and searches the stored certificates.
type Certificates interface {
	Certificate(ctx context.Context, serial []byte) (*CertRecord, error)
	FindCertificates(ctx context.Context, q Query) (page []CertRecord, next string, err error)
	// Expiring pages through certificates with after ≤ NotAfter < before,
	// in NotAfter order, whatever their status.
	Expiring(ctx context.Context, after, before time.Time, cursor string, limit int) (page []CertRecord, next string, err error)
}

// StatusChanges revokes, suspends and resumes certificates.
type StatusChanges interface {
	// SetStatus changes a certificate's status, logs the change for delta
	// CRLs and appends the audit entry, in one batch.
	SetStatus(ctx context.Context, serial []byte, ch StatusChange, audit AuditEntry) error
}

// Publication is what CRLs and OCSP are built from and kept in.
type Publication interface {
	// Revoked streams the revoked and held certificates of an issuer in
	// serial order until fn returns false.
	Revoked(ctx context.Context, issuerID string, fn func(serial []byte, at time.Time, reason int, invalidity time.Time) bool) error
	// RevokedSnapshot is Revoked plus the issuer's status-log head in the
	// same consistent view (the position a complete CRL reflects).
	RevokedSnapshot(ctx context.Context, issuerID string, fn func(serial []byte, at time.Time, reason int, invalidity time.Time) bool) (logSeq uint64, err error)
	// NextCRLNumber hands out the issuer's next CRL number; full, delta
	// and partition CRLs of the issuer share the sequence.
	NextCRLNumber(ctx context.Context, issuerID string) (*big.Int, error)
	// StatusLog streams the issuer's status-change rows after a position
	// and returns the head of the view it read.
	StatusLog(ctx context.Context, issuerID string, after uint64, fn func(StatusLogEntry) bool) (head uint64, err error)
	// PutCRLBase / CRLBase record and read the complete CRL (number, log
	// position) that delta CRLs of one scope refer to.
	PutCRLBase(ctx context.Context, issuerID, scope string, b CRLBase) error
	CRLBase(ctx context.Context, issuerID, scope string) (*CRLBase, error)
	// PinCRLPartitions fixes an issuer's CRL partition count for good.
	PinCRLPartitions(ctx context.Context, issuerID string, n int, audit AuditEntry) (int, error)

	PutOCSPResponse(ctx context.Context, r OCSPRecord) error
	// PutOCSPResponses is PutOCSPResponse for several records in one
	// write; errs[i] is record i's own refusal (ErrStale, ErrNotFound).
	PutOCSPResponses(ctx context.Context, rs []OCSPRecord) (errs []error, err error)
	OCSPResponse(ctx context.Context, serial []byte) (*OCSPRecord, error)
	// CurrentOCSPResponse is OCSPResponse for a responder that reads no
	// certificate record: a stored response is current for its
	// certificate's status; made durable before it is returned.
	CurrentOCSPResponse(ctx context.Context, serial []byte) (*OCSPRecord, error)
	OCSPDue(ctx context.Context, before time.Time, cursor string, limit int) (page []OCSPDue, next string, err error)
	OCSPRetire(ctx context.Context, serial []byte) error
}

// OutboxQueue is the outbox of hook deliveries, written with the
// certificates (Issuance.CommitIssued) and drained by package hooks.
type OutboxQueue interface {
	OutboxPending(ctx context.Context, kind string, limit int) ([]OutboxRow, error)
	Outbox(ctx context.Context, id uint64) (*OutboxRow, error)
	OutboxDone(ctx context.Context, id uint64) error
	OutboxRetry(ctx context.Context, id uint64, nextAttempt time.Time, lastError string) error
	OutboxDelivered(ctx context.Context, id uint64, a OutboxAttempt, scrub bool) error
	OutboxFailed(ctx context.Context, id uint64, a OutboxAttempt, next time.Time, maxAttempts int) (bool, error)
	OutboxRedrive(ctx context.Context, id uint64, audit AuditEntry) (*OutboxRow, error)
	OutboxCancel(ctx context.Context, id uint64, scrub bool, audit AuditEntry) (*OutboxRow, error)
	OutboxList(ctx context.Context, kind string, state OutboxState, after uint64, limit int) ([]OutboxRow, error)
	TakeCallback(ctx context.Context, kind, webhookID string, h *HookState, decide func(old *HookState) error, audit *AuditEntry) error
	HookStateOf(ctx context.Context, kind string, subject []byte) (*HookState, error)
	CallbackTaken(ctx context.Context, kind, webhookID string) (bool, error)
	OutboxEnqueue(ctx context.Context, r OutboxRow, audit AuditEntry) (*OutboxRow, error)
	OutboxOnce(ctx context.Context, onceKey string, r OutboxRow) (bool, error)
	OutboxResults(ctx context.Context, rs []OutboxResult) error
	OutboxTicket(ctx context.Context, id uint64, a OutboxAttempt, ticket string, firstPoll, deadline time.Time) error
	OutboxPolled(ctx context.Context, id uint64, a OutboxAttempt, next time.Time, dead bool) error
}

// AuditLog is the hash-chained audit log.
type AuditLog interface {
	AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error)
	AuditEntries(ctx context.Context, cursor string, limit int) (page []AuditEntry, next string, err error)
	AuditHead(ctx context.Context) (seq uint64, hash [32]byte, err error)
	VerifyAudit(ctx context.Context) error
}

// Maintenance checks and closes the store.
type Maintenance interface {
	Check(ctx context.Context) (*CheckReport, error)
	Close() error
}

// Backend is every role: what the CA façade opens and hands out in
// parts.
type Backend interface {
	Issuance
	Certificates
	StatusChanges
	Publication
	OutboxQueue
	AuditLog
	Tokens
	Applications
	Cabinet
	CloudKeys
	StatusRequests
	Maintenance
}

// CloudKeys keeps subscribers' server-side keys (sealed or named on the
// CA's token, never in the clear) and their signing operations, signed
// at most once. doc.go "Cloud keys".
type CloudKeys interface {
	PutCloudKey(ctx context.Context, k *CloudKey, audit AuditEntry) error
	CloudKey(ctx context.Context, app string) (*CloudKey, error)
	PutCloudOperation(ctx context.Context, o *CloudOperation, audit AuditEntry) error
	CloudOperation(ctx context.Context, id [CloudOpIDLen]byte) (*CloudOperation, error)
	FinishCloudOperation(ctx context.Context, id [CloudOpIDLen]byte, at time.Time, state byte, sig []byte, audit AuditEntry) (*CloudOperation, error)
	SignCloudOperation(ctx context.Context, id [CloudOpIDLen]byte, at time.Time, sig, cms []byte, audit AuditEntry) (*CloudOperation, error)
	PurgeCloudOperations(ctx context.Context, before time.Time, actor string) (expired, documents int, err error)
}

// Cabinet keeps the subscriber cabinet's records (packages otp and
// cabinet): one-time code challenges consumed at most once, sessions,
// consents (written with the application's change, AppChange.Consent)
// and payment states. doc.go "Cabinet".
type Cabinet interface {
	PutChallenge(ctx context.Context, c *Challenge, outbox []OutboxRow, audit AuditEntry, extra ...Extra) error
	Challenge(ctx context.Context, id [ChallengeIDLen]byte) (*Challenge, error)
	UseChallenge(ctx context.Context, id [ChallengeIDLen]byte, u ChallengeUse) (*Challenge, error)
	Session(ctx context.Context, hash [32]byte) (*Session, error)
	DeleteSession(ctx context.Context, hash [32]byte, audit AuditEntry) error
	LatestConsent(ctx context.Context, app string) (*Consent, error)
	PutPayment(ctx context.Context, p *Payment, audit AuditEntry) error
	Payment(ctx context.Context, app string) (*Payment, error)
	// PurgeCabinet deletes challenges and sessions expired, and code rate
	// windows ended, before a time.
	PurgeCabinet(ctx context.Context, before time.Time, actor string) (challenges, sessions int, err error)
}
