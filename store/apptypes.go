package store

import (
	"strconv"
	"time"
)

// Application records (the registration authority's unit of work). The
// store keeps them, their indexes and the audit and outbox rows of every
// change; what the states and fields mean and which changes are allowed
// is package ra's business. doc.go ("Applications") has the layout.

// AppState is the state of an application. The zero value means "any"
// in queries.
type AppState uint8

// Application states (package ra documents the transitions).
const (
	AppNew              AppState = 1  // created by a service centre, nothing filled yet
	AppFilling          AppState = 2  // data and documents being filled in
	AppSubmitted        AppState = 3  // sent for review; waiting for the next review step
	AppInReview         AppState = 4  // claimed by an operator for a review step
	AppRejected         AppState = 5  // returned for correction with reasons
	AppApproved         AppState = 6  // every review step approved
	AppIdentityVerified AppState = 7  // identity verified (or the step skipped)
	AppReadyToIssue     AppState = 8  // sent to the subscriber's cabinet
	AppIssuing          AppState = 9  // the CA is issuing the certificate
	AppIssued           AppState = 10 // the certificate is issued (final)
	AppCancelled        AppState = 11 // cancelled (final)
	AppExpired          AppState = 12 // past its deadline (final)

	appStateMax = AppExpired
)

var appStateNames = [...]string{
	AppNew: "new", AppFilling: "filling", AppSubmitted: "submitted", AppInReview: "in_review",
	AppRejected: "rejected", AppApproved: "approved", AppIdentityVerified: "identity_verified",
	AppReadyToIssue: "ready_to_issue", AppIssuing: "issuing", AppIssued: "issued",
	AppCancelled: "cancelled", AppExpired: "expired",
}

// String is the state's stable name (used in APIs and audit details).
func (s AppState) String() string {
	if s >= AppNew && s <= appStateMax {
		return appStateNames[s]
	}
	return "app_state(" + strconv.Itoa(int(s)) + ")"
}

// ParseAppState is the inverse of String.
func ParseAppState(name string) (AppState, bool) {
	for s := AppNew; s <= appStateMax; s++ {
		if appStateNames[s] == name {
			return s, true
		}
	}
	return 0, false
}

// Final reports a state no action leaves.
func (s AppState) Final() bool { return s == AppIssued || s == AppCancelled || s == AppExpired }

// AppKind says whether an application asks for a new certificate or
// replaces one being renewed.
type AppKind uint8

// Application kinds.
const (
	AppKindNew         AppKind = 1
	AppKindReplacement AppKind = 2 // Replaces names the certificate
)

// Sex of the owner as in the identity document; zero is "not given".
type Sex uint8

// Sexes.
const (
	SexMale   Sex = 1
	SexFemale Sex = 2
)

// IDDocType is the kind of identity document; zero is "not given".
type IDDocType uint8

// Identity document types.
const (
	IDRussianPassport IDDocType = 1 // паспорт гражданина РФ: series required
	IDForeignPassport IDDocType = 2 // foreign passport: series may be absent
	IDTemporaryID     IDDocType = 3 // временное удостоверение личности (form 2P)
	IDResidencePermit IDDocType = 4 // вид на жительство
	idDocTypeMax                = IDResidencePermit
)

// CheckStatus is the state of one registry check.
type CheckStatus uint8

// Registry check states.
const (
	CheckPending   CheckStatus = 1 // asked (outbox row written), no answer yet
	CheckConfirmed CheckStatus = 2 // the registry confirmed the data
	CheckRefuted   CheckStatus = 3 // the registry answered: does not match
	CheckFailed    CheckStatus = 4 // no usable answer (fault, timeout)
	checkStatusMax             = CheckFailed
)

var checkStatusNames = [...]string{
	CheckPending: "pending", CheckConfirmed: "confirmed", CheckRefuted: "refuted", CheckFailed: "failed",
}

// String is the check state's stable name (used in APIs and history
// notes).
func (s CheckStatus) String() string {
	if s >= CheckPending && s <= checkStatusMax {
		return checkStatusNames[s]
	}
	return "check_status(" + strconv.Itoa(int(s)) + ")"
}

// IdentMethod is how the owner's identity was established; zero is
// "not yet".
type IdentMethod uint8

// Identification methods (63-FZ art. 18). The certificate's
// IdentificationKind follows from them.
const (
	IdentInPerson      IdentMethod = 1 // at the service centre
	IdentQualifiedCert IdentMethod = 2 // signed with a valid qualified certificate of the same person
	IdentESIABiometric IdentMethod = 3 // ESIA + biometric system (state only, no implementation)
	identMethodMax                 = IdentESIABiometric
)

// Presenter is who came to the service centre.
type Presenter uint8

// Presenters.
const (
	PresenterOwner          Presenter = 1
	PresenterRepresentative Presenter = 2 // with a power of attorney
	presenterMax                      = PresenterRepresentative
)

// Application is one stored application. On PutApplication the store
// sets Version and UpdatedAt; everything else is the caller's.
type Application struct {
	ID      string // 1–64 of [a-z0-9-]
	Version uint64 // 1 at creation, +1 per change (the compare-and-set value)

	Kind     AppKind
	Replaces []byte // serial magnitude of the certificate being renewed (AppKindReplacement only)
	CertType string // application profile name, 1–64 bytes
	Centre   string // service centre (ValidCentreID)
	Phone    string // subscriber's mobile, "+7" and 10 digits
	// Recipient is the optional recipient organisation, free text.
	Recipient string

	State      AppState
	StateSince time.Time
	CreatedAt  time.Time
	CreatedBy  string
	UpdatedAt  time.Time // store clock at the last write
	Deadline   time.Time // the application expires after it; zero: never

	Assignee   string // operator who claimed the current review step
	ReviewStep uint32 // index of the review step pending (0-based)
	Round      uint32 // submission round: 0 before the first submission, +1 per submission

	Owner     Owner
	Org       Organisation
	Documents []Document
	Checks    []RegistryCheck
	Reviews   []Review
	Identity  Identification
	// Editors are the actors who ever changed the owner data, each once
	// (a reviewer may not be one).
	Editors []string

	IssueAttempt uint32 // issuance attempts started (the idempotency key of the CA call)
	Serial       []byte // issued certificate (AppIssued)
}

// Owner is the person the certificate is for. Empty strings and zero
// values are "not given"; package ra validates the contents.
type Owner struct {
	Surname, GivenName, Patronymic string
	Sex                            Sex
	BirthDate                      time.Time // a date: midnight UTC
	BirthPlace                     string
	IDDoc                          IdentityDocument
	Citizenship                    string // ISO 3166 alpha-2
	SNILS                          string // 11 digits
	INN                            string // 12 digits
	Email                          string
	Position                       string
}

// IdentityDocument is the owner's identity document.
type IdentityDocument struct {
	Type       IDDocType
	Series     string
	Number     string
	IssuedOn   time.Time // a date
	Issuer     string
	IssuerCode string // "NNN-NNN" for Russian passports
}

// Organisation is the organisation block: filled only from registry
// answers. UpdatedAt is when a registry answer last changed it.
type Organisation struct {
	Name     string
	INN      string // 10 digits
	KPP      string // 9 characters
	OGRN     string // 13 digits
	OGRNIP   string // 15 digits
	Region   string
	Locality string
	Street   string

	UpdatedAt time.Time
}

// Document is the metadata of one uploaded file. The bytes are kept
// outside Pebble, content-addressed by SHA256.
type Document struct {
	ID          string // 1–64 of [a-z0-9-], unique in the application
	Type        string // document type name, 1–32 bytes ("passport", "mchd", …)
	SHA256      [32]byte
	Size        int64
	ContentType string // detected from the content, ≤ 64 bytes
	AddedBy     string
	AddedAt     time.Time
}

// RegistryCheck is one registry check (pension fund, tax service, …).
type RegistryCheck struct {
	Kind        string // "snils", "inn", "passport", "egrul", "egrip"; 1–32 bytes
	Status      CheckStatus
	RequestedAt time.Time
	AnsweredAt  time.Time
	Detail      string // the registry's answer summary, ≤ 1 KiB
}

// Review is one decision of a review step.
type Review struct {
	Step     string // the profile's step name
	Round    uint32 // submission round (1 for the first submission)
	Reviewer string
	Approved bool
	At       time.Time
	Reasons  []ReviewReason // why it was rejected (empty when approved)
}

// ReviewReason is one reason of a rejection: what is wrong and how to fix
// it.
type ReviewReason struct {
	Target string // "owner.surname", "document:passport", …; 1–64 bytes
	Code   string // stable code, 1–64 bytes
	Text   string // the operator's explanation, ≤ 1 KiB
}

// Identification records how the owner's identity was verified.
type Identification struct {
	Method     IdentMethod // zero: not verified
	VerifiedBy string
	At         time.Time
	Presenter  Presenter
	// Representative is the name of whoever came for the owner.
	Representative string
	// Document describes the document checked (type, series, number).
	Document string
	// CertSerial is the qualified certificate that identified the owner
	// (IdentQualifiedCert).
	CertSerial []byte
}

// AppEvent is one line of an application's history: what made version
// Version. Every PutApplication appends the event of the version it
// writes; events are never rewritten (ApplicationHistory reads them).
type AppEvent struct {
	Version  uint64 // set by the store
	At       time.Time
	Actor    string
	Action   string
	From, To AppState
	Note     string
}

// AppChange is what a PutApplication writes besides the record, in the
// same batch: the history event of the new version (Actor and Action
// required, At defaults to the store time), its audit entry (Actor and
// Action required; Subject defaults to "application:" + ID) and outbox
// rows (Kind and Payload).
type AppChange struct {
	Event  AppEvent
	Audit  AuditEntry
	Outbox []OutboxRow
	// Consent, if set, is stored under the version the change makes
	// (the cabinet's consent to the certificate's contents).
	Consent *Consent
	// OrgRecord, if set, updates the organisation's registry record in
	// the same batch, with its own audit entry (orgrecords.go).
	OrgRecord *OrgUpdate
}

// AppField selects the index FindApplications searches.
type AppField uint8

// Application indexes. ByAppState takes the state's name as Value and
// lists oldest-in-state first (the review queue); the others list by
// creation time.
const (
	ByAppCentre AppField = iota + 1
	ByAppPhone
	ByAppSNILS
	ByAppINN
	ByAppState
	appFieldMax = ByAppState
)

// AppQuery is the argument of FindApplications. State and Centre, when
// set, filter the scanned index (as Query does for certificates). Limit
// and Cursor work as in Query.
type AppQuery struct {
	Field  AppField
	Value  string
	State  AppState
	Centre string
	Cursor string
	Limit  int
}
