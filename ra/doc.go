// Package ra is the registration authority: the applications for
// certificates, from the service centre that opens one to the issued
// certificate. It holds the business rules only. It speaks no HTTP
// (package api translates requests into Service calls and Codes into
// problems), touches no database (the store.Applications records, through
// the Store interface) and never signs (it issues through the CA
// interface).
//
// # Actors
//
// Every call names an Actor: a service centre (confined to its centre:
// another centre's applications are "not found"), a CA operator, the
// subscriber's cabinet (confined to the applications of the phone the
// subscriber logged in with), or the system (registry answers, expiry).
// Actor.ID is what the audit log and the application's history record.
//
// # Lifecycle
//
//	new                    ─update, documents─► filling (rejected stays rejected)
//	new, filling, rejected ─submit───────────► submitted
//	submitted              ─claim─────────────► in_review ─unclaim─► submitted
//	in_review              ─approve───────────► submitted (more steps) or approved (last step)
//	in_review              ─reject────────────► rejected
//	approved               ─verify_identity───► identity_verified
//	identity_verified      ─send_to_cabinet───► ready_to_issue ─take_back─► identity_verified
//	ready_to_issue         ─issue─────────────► issuing ─► issued, or ready_to_issue (CA refused)
//	any state before issuing ─cancel─► cancelled; ─expire (past the deadline)─► expired
//	(renewal in the cabinet, package ra/renewal)
//	─renew─► new ─renewal_signed (the form signed with the replaced certificate)─► ready_to_issue
//
// Who may take which action from which state is the table rules in
// actions.go (Allowed reports it); the functions add the preconditions:
//
//	action           actors                       from
//	create           centre, operator             —
//	update_data      centre, operator, cabinet    new, filling, rejected
//	add_document     centre, operator, cabinet    new, filling, rejected
//	remove_document  centre, operator, cabinet    new, filling, rejected
//	registry_answer  system                       any open state
//	submit           centre, cabinet              new, filling, rejected
//	claim            operator                     submitted
//	unclaim          operator (any)               in_review
//	approve, reject  operator (the assignee)      in_review
//	verify_identity  centre (in person),          approved
//	                 centre or cabinet (by a qualified certificate)
//	send_to_cabinet  centre, operator             identity_verified
//	take_back        centre, operator             ready_to_issue
//	consent          cabinet                      ready_to_issue (state kept; consent.go)
//	issue            cabinet                      ready_to_issue (issuing: repeat)
//	cancel           centre, operator             any open state
//	expire           system                       any open state
//	renew            cabinet                      — (an issued application of its phone)
//	renewal_signed   cabinet                      new (a renewal the cabinet opened)
//
// A refused action answers with a Code: forbidden for the wrong kind of
// actor, application_not_found for an application the actor may not
// see, action_not_allowed_in_state for the wrong state,
// application_incomplete with Missing listing every missing field,
// document or step, invalid_data with Fields naming each bad field and
// what to fix. Values are never echoed (personal data).
//
// # Applications and profiles
//
// An application's data and its rules are package appdata's: the
// application profiles (appdata.Profile, DefaultProfiles), the formats of
// owner and organisation fields, the name and free-text rules, and the
// certificate subject an application leads to (appdata.Subject).
//
// The organisation block is never typed in: the application names the
// organisation by its INN (or OGRNIP), the tax registry is asked, and
// its answer (registry.Record, package ra/registry) fills the block and
// reports which fields changed. A change of owner or organisation data deletes every signed
// application already uploaded, in the same write: it must be printed
// and signed again.
//
// # Registry checks
//
// Saving owner data asks the pension fund (SNILS with name, sex, birth
// date), the tax service (INN with the passport) and the interior
// ministry (a Russian passport) whenever the data a check covers changed
// and is complete: the check becomes pending and an outbox row of kind
// "registry_check" (package ra/outbox) is written with the change. The
// answer (registry.Record, package ra/registry) quotes the request time;
// an answer to a check asked again since is refused as stale. Answers are hints for the operator; a confirmed check waives
// the document its profile rule names.
//
// # Machine-readable power of attorney
//
// A document of type mchd is the МЧД's XML or its detached signature
// (mchd.ContentTypes; scans of that type are allowed but do not count as
// the МЧД). At submission and at each approval the service reads them
// through Options.Documents and refuses the action when
// appdata.CheckMCHD finds a problem (field "mchd"): representative not
// the owner, principal not the organisation, not in force, signature not
// over the XML or not by the head named in it (package ra/mchd;
// docs/mchd.md).
//
// # Review
//
// Operators take applications from the queue (List by state, oldest
// first), claim one, and approve or reject it with the version they saw.
// Each profile step is decided by an operator who neither edited the
// application's data nor decided an earlier step of the same round. A
// rejection carries reasons (target field or document, code, text) and
// notifies the subscriber; correcting and submitting again starts a new
// round from the first step. Approval re-checks completeness and runs
// pkix's subject validation on the subject the certificate would get.
//
// # Identification
//
// In person at the service centre: who came (the owner, or a
// representative when a power of attorney is on file), the document
// checked, and the operator's confirmation that the scans match the
// originals. Or, skipping the visit, by a valid qualified certificate of
// the same person (same full name, SNILS and INN, read through the CA
// interface); the certificate then carries IdentificationKind 1. ESIA
// with biometrics has its method and state but no implementation yet.
// The action is package ra/identity's (identity.Verify).
//
// # Writes, history, concurrency
//
// Every action that changes an application is one store write: the
// record with its new version, the history event of that version
// (append-only; Service.History reads them), its audit entry
// ("application_<action>", subject "application:<id>", who and the state
// change) and its outbox rows (notices of kind "sms" and "email",
// "registry_check" requests), in one synced batch. Every mutating call
// takes the version the caller read; the store compares and sets it, so
// of two operators deciding at once one wins and the other gets
// version_conflict. A refused call writes nothing.
//
// # Issuance
//
// Issue (the subscriber's cabinet only, after consent and a confirmation
// code: package cabinet) moves the application to issuing (its attempt
// counter advanced), calls CA.Issue with the idempotency key
// "ra:<id>:<attempt>", the pkix profile, the subject built from the data
// (Subject), the subscriber's CSR and crypto tool and the
// identification kind, and records the serial (issued, with the
// subscriber's notices). A definitive refusal (ErrCARefused) returns the
// application to ready_to_issue; an unknown outcome leaves it issuing,
// and a repeat makes the same keyed call. The CA interface documents
// what the real façade (package ca, raCA) must guarantee; it maps the key
// to the signer's request id. The certificate's batch holds its own audit
// entry and ESIA outbox row; the application's "issued" change is the
// next batch (two steps, made safe by the key).
//
// # Expiry
//
// sweep.ExpireDue (package ra/sweep) closes every open application past
// its deadline, through Expire; sweep.RunExpiry runs it on an interval
// (ca.Open starts it on the CA's lifetime with
// the configured ra.expire_interval). The cabinet's consent and SMS
// confirmation precede Issue and belong to package cabinet; so do the
// document bytes (content-addressed files outside Pebble; ra keeps their
// metadata), the printed application form and the hook workers that
// deliver the outbox rows.
//
// # Retention
//
// sweep.PurgeDocumentsDue (the system's document sweep, ra/sweep) drops
// the document metadata of cancelled and expired applications closed
// before a cutoff, one audited write each ("purge_documents"); the
// documents of an issued application are never dropped.
package ra
