package store

import (
	"encoding/hex"
	"math/big"
	"strconv"
	"time"
)

// KeyHash identifies a subject public key: SHA-256 over the value of the
// subjectPublicKey BIT STRING of the SubjectPublicKeyInfo, without its tag,
// length and unused-bits octet (RFC 5280 §4.2.1.2 method 1, with SHA-256
// instead of SHA-1). Hashing the key itself rather than the whole SPKI
// makes a key re-encoded with other algorithm parameters still count as
// the same key. The signer computes it; the store treats it as opaque.
type KeyHash [32]byte

// String returns the lowercase hex form, the form Query.Value takes.
func (h KeyHash) String() string { return hex.EncodeToString(h[:]) }

// Intent is the write-ahead record of a certificate about to be signed.
//
// Serial is the unsigned big-endian magnitude (as big.Int.Bytes()): 1–20
// bytes, not zero. Leading zero bytes are stripped on input, so a DER
// INTEGER content with its sign octet names the same serial.
type Intent struct {
	RequestID string // client idempotency key; may be empty; ≤ 128 bytes
	IssuerID  string // issuing CA; 1–64 bytes
	Serial    []byte
	KeyHash   KeyHash
	TBS       []byte // TBSCertificate DER; 1 byte – 64 KiB
	Profile   string // ≤ 64 bytes
	// Centre is the service centre that requested the certificate (see
	// ValidCentreID), empty when none did. It is kept with the intent so
	// that a certificate completed by crash recovery still belongs to it;
	// CommitIssued copies it into the certificate.
	Centre    string
	CreatedAt time.Time
	// App links the intent to the registration authority's application
	// whose "issuing → issued" change the certificate's commit writes in
	// its batch (nil: none). It is part of the MAC.
	App *AppLink
	// Legacy marks an intent written before schema 7 (no MAC of its own)
	// that the 6 → 7 step accepted and MACed on the operator's word
	// (Options.AcceptUnMACedIntents); recovery records it in the issue
	// entry. Set only by the store.
	Legacy bool
	// MAC is HMAC-SHA256 under the audit key over the intent's content
	// (see doc.go, "Intent MAC"). PendingIntents returns it as stored
	// (nil for a record without one); PutIntents computes it and ignores
	// what the caller set. VerifyIntent checks it.
	MAC []byte
}

// AppLink names the application an issuance completes: its id, the
// version it has in "issuing" (the version the RA read after moving it
// there), the issue attempt (the RA's idempotency key "ra:<id>:<attempt>")
// and the actor who asked, for the history event and audit entry.
type AppLink struct {
	ID      string
	Version uint64
	Attempt uint32
	Actor   string
}

// Equal reports whether l and o name the same change (both may be nil).
func (l *AppLink) Equal(o *AppLink) bool {
	if l == nil || o == nil {
		return l == o
	}
	return *l == *o
}

// IntentResult is the outcome of one Intent in PutIntents.
//
//   - Err == nil, Duplicate == false: accepted; Serial is the (normalised)
//     serial; sign it.
//   - Duplicate: RequestID was seen before; Serial is the earlier serial
//     and Cert the certificate if it was issued (nil while its intent is
//     still pending). Nothing was written for this intent.
//   - Err != nil: rejected; Err wraps ErrSerialExists (pick a new serial),
//     ErrKeyReused, ErrRequestConflict or ErrInvalidInput.
type IntentResult struct {
	Serial    []byte
	Duplicate bool
	Cert      *CertRecord
	Err       error
}

// Identifiers are the subject's registry numbers, indexed for lookup.
// Each is empty or all ASCII digits of the exact length: SNILS 11, INN
// (natural person) 12, INNLE (legal entity) 10, OGRN 13, OGRNIP 15.
// Checksums are pkix's business; the store only keeps the form canonical.
type Identifiers struct {
	SNILS  string
	INN    string
	INNLE  string
	OGRN   string
	OGRNIP string
}

// Issued is a signed certificate, committed by CommitIssued together with
// its outbox rows and audit entry. Serial names a pending intent; empty
// RequestID and zero KeyHash are taken from that intent, other values
// must match it. Profile and Centre always come from the intent.
type Issued struct {
	Serial    []byte
	IssuerID  string
	RequestID string
	DER       []byte // the certificate; 1 byte – 64 KiB
	NotBefore time.Time
	NotAfter  time.Time
	Subject   Identifiers
	KeyHash   KeyHash
	Outbox    []OutboxRow // Kind and Payload are used
	Audit     AuditEntry  // Actor required; Action defaults to "issue", Subject to the serial in hex
	// App must equal the intent's link (nil for none). When the intent
	// has one, the commit also moves the application to "issued" in the
	// same batch (see IssueApplication), with AppNotices' rows.
	App *AppLink
	// AppNotices returns the outbox rows that tell the subscriber (the
	// RA's "certificate_issued" notices) for the application as it is
	// issued with serial. Nil: no rows.
	AppNotices func(a *Application, serial []byte) []OutboxRow
	// OCSP, when set, is the certificate's pre-signed OCSP response
	// (status good, as at status version 0), stored by the commit in the
	// certificate's batch with its OCSP-due entry at the response's
	// NextUpdate (issueocsp.go). Nil: the certificate is due at once, with
	// no response, and the publisher signs one later.
	OCSP *IssuedOCSP
}

// State is a certificate status.
type State uint8

// Certificate states. The zero State means "any" in queries.
const (
	Valid   State = 1
	Revoked State = 2
	OnHold  State = 3
)

func (s State) String() string {
	switch s {
	case Valid:
		return "valid"
	case Revoked:
		return "revoked"
	case OnHold:
		return "on hold"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// CRL reason codes of RFC 5280 §5.3.1 that the store treats specially.
const (
	ReasonUnspecified     = 0
	ReasonCertificateHold = 6
	ReasonRemoveFromCRL   = 8
)

// Status is the current status of a certificate.
type Status struct {
	State          State
	Reason         int       // CRL reason code; ReasonCertificateHold when on hold
	At             time.Time // revocation / hold time; zero when valid
	InvalidityDate time.Time // optional
	// Version counts status changes (0 at issuance). A pre-signed OCSP
	// response carries the Version it was built from; see PutOCSPResponse.
	Version uint32
}

// StatusChange is the argument of SetStatus.
type StatusChange struct {
	State          State
	Reason         int // ignored for Valid; 0 or 6 for OnHold
	At             time.Time
	InvalidityDate time.Time
}

// CertRecord is a stored certificate with its status.
type CertRecord struct {
	Serial    []byte
	IssuerID  string
	RequestID string
	Profile   string
	DER       []byte
	NotBefore time.Time
	NotAfter  time.Time
	KeyHash   KeyHash
	Subject   Identifiers
	Centre    string    // requesting service centre; empty for none (and for every certificate stored before schema 3)
	IssuedAt  time.Time // store clock at CommitIssued
	Status    Status
}

// Field selects the index FindCertificates searches.
type Field uint8

// Searchable fields. ByKeyHash takes KeyHash.String() as Value;
// ByCentre a service centre id and lists that centre's certificates.
const (
	BySNILS Field = iota + 1
	ByINN
	ByINNLE
	ByOGRN
	ByOGRNIP
	ByKeyHash
	ByCentre
)

// Query is the argument of FindCertificates. Results come ordered by
// NotBefore, then serial; Cursor is the opaque "next" of the previous
// page (empty for the first). Limit ≤ 0 means DefaultLimit; it is capped
// at MaxLimit. Status, when not zero, keeps only certificates in that
// state; Centre, when not empty, keeps only certificates of that service
// centre. A filtered query scans past the certificates it drops, so its
// next cursor always names a certificate it returned: a cursor never
// points at a certificate the filter hid. Issuer, Profile and the
// NotBefore range [Since, Until) (zero: open) filter the same way.
//
// Field zero lists every certificate (list.go): for callers that may see
// all of them (not a service centre), with a bounded scan per page.
type Query struct {
	Field   Field
	Value   string
	Status  State
	Centre  string
	Issuer  string
	Profile string
	Since   time.Time
	Until   time.Time
	Cursor  string
	Limit   int
}

// Page sizes.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// OutboxRow is a hook delivery (ESIA registration, notification). On
// input only Kind (1–32 bytes) and Payload (≤ 1 MiB) are used; the other
// fields are set by the store.
type OutboxRow struct {
	ID          uint64
	Kind        string
	Serial      []byte // certificate the row belongs to
	Payload     []byte
	Attempts    int
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
	Done        bool
	DoneAt      time.Time // delivered, cancelled or dead at
	// Dead: the attempt limit was reached; the row waits for an
	// operator's redrive or cancel (outboxadmin.go). Cancelled: an
	// operator gave it up. Done, Dead and Cancelled exclude each other.
	Dead      bool
	Cancelled bool
	// Log is the most recent attempts (at most MaxOutboxLog), oldest
	// first.
	Log []OutboxAttempt
	// Ticket is a polling receiver's ticket for the delivered request
	// (outboxpoll.go): while it is set the row is pending for status
	// queries, not for sending again. TicketAt is when it was taken,
	// PollDeadline when the row dies without a final answer, Polls the
	// status queries made.
	Ticket       string
	TicketAt     time.Time
	PollDeadline time.Time
	Polls        int
}

// AuditEntry is one link of the audit chain. On input Actor (who) and
// Action (what) are required, the rest optional, At defaults to the
// store clock; Seq and Hash are set by the store. Every field is kept as
// given (an attack string is evidence); AuditEntry.String and AuditText
// escape them for display. Hash is the chain value: HMAC-SHA256 under
// the audit key over the previous chain value and the encoded entry
// (doc.go, "Audit chain").
//
// Serial and CertStatus are written only by the store, in the batch of
// the change they record (CommitIssued, SetStatus, FailIntents):
// AppendAudit refuses them, so every entry that names a certificate
// was written with that certificate's change, and Check matches them.
type AuditEntry struct {
	Seq     uint64
	At      time.Time
	Actor   string // who: "token:<id>/<role>[/<scope>]", "system"; 1–256 bytes
	Action  string // what: 1–64 of [a-z0-9._/-], e.g. "issue", "revoke", "token.create"
	Subject string // the object acted on: a serial in hex, a token id, an issuer id; ≤ 256 bytes
	// Serial is the certificate (or failed intent) the entry is about.
	Serial []byte
	// CertStatus is the certificate's status after the action (issue:
	// valid, version 0); zero State when the entry records no status.
	CertStatus Status
	Reason     string      // why: revocation reason name, failure reason; ≤ 1 KiB
	Comment    string      // the operator's free text; ≤ 4 KiB
	Attrs      []AuditAttr // further named values (a token's role, scope, name); ≤ 32
	Details    string      // free text (the only text of version 1 entries); ≤ 16 KiB
	Hash       [32]byte
}

// AuditAttr is one named value of an audit entry. Key is 1–32 of
// [a-z0-9_.-]; Value is any text ≤ 1 KiB, escaped when rendered.
type AuditAttr struct {
	Key, Value string
}

// OCSPRecord is a pre-signed OCSP response for one certificate.
// StatusVersion is the certificate's Status.Version the response was
// built from; StoredAt is set by the store.
type OCSPRecord struct {
	Serial        []byte
	DER           []byte
	NextUpdate    time.Time
	StatusVersion uint32
	StoredAt      time.Time
}

// OCSPDue names a certificate whose pre-signed response is missing or
// stale by the asked time. NextUpdate is zero when none is stored.
type OCSPDue struct {
	Serial     []byte
	NextUpdate time.Time
}

// StatusLogEntry is one row of an issuer's status-change log: every
// SetStatus appends one, in the same batch as the change, under the
// issuer's next sequence number (1, 2, …). Delta CRLs are built from the
// rows after the position their base CRL was built at (CRLBase.LogSeq).
// Rows of one serial chain: a row's From is the previous row's To.
type StatusLogEntry struct {
	Seq       uint64
	Serial    []byte
	From, To  Status    // the certificate's status before and after
	ChangedAt time.Time // store clock at the change
}

// CRLBase records a published complete CRL of one scope (the issuer's
// full CRL or one partition): its number and the status-change log
// position it reflects, so that a delta CRL lists exactly the changes
// after it.
type CRLBase struct {
	Number                 *big.Int
	LogSeq                 uint64
	ThisUpdate, NextUpdate time.Time
}

// MaxCRLPartitions bounds the CRL partition count of an issuer.
const MaxCRLPartitions = 4096
