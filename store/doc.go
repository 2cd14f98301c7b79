// Package store keeps GostCA's durable state: certificates and their
// indexes, status, CRL numbers, pre-signed OCSP responses, write-ahead
// issuance intents, the hook outbox, API tokens, the registration
// authority's applications and the keyed, hash-chained audit log. It is
// the only package that touches Pebble. The API is split by role
// (backend.go: Issuance, Certificates, StatusChanges, Publication,
// OutboxQueue, AuditLog, Tokens, Maintenance; Backend is all of them;
// applications.go: Applications); *Store implements every role on
// Pebble, and a PostgreSQL backend is meant to be a second
// implementation, built and tested role by role.
//
// # Issuance protocol
//
//	PutIntents    one synced batch: intent (MACed) + key/request reservations
//	(sign)        nothing is signed that the store does not know about
//	CommitIssued  one synced batch: certificate, indexes, status, outbox,
//	              audit; intents deleted; a linked application issued;
//	              the OCSP response signed with it (Issued.OCSP), if any
//	FailIntents   serials stay reserved, keys and request IDs released
//	PendingIntents on start: intents to re-sign or fail, each checked
//	VerifyIntent  first (its MAC under the audit key)
//
// A serial is never reused: a certificate, a pending intent or a failed
// intent holds it. A key (KeyHash) is never certified twice: the key index
// is unique and written with the intent.
//
// # Key layout
//
// Every key starts with one byte naming its record kind; integers and
// times are big-endian so that byte order is value order. A serial is
// written as len(1) ‖ magnitude, which sorts numerically; a string inside
// a composite key is len(1) ‖ bytes; a time is 12 bytes: Unix seconds
// with the sign bit flipped (8) ‖ nanoseconds (4).
//
//	prefix key after the prefix                  value                         what
//	0x01   "schema" | "outbox-seq" | "audit-key" version byte | uint64 | record  meta (audit-key: schema 6; schema byte 7 now)
//	0x10   serial                               certificate record            certificate by serial
//	0x11   request ID (raw)                     serial magnitude              request ID → serial (intent or cert)
//	0x12   key hash (32)                        serial magnitude              unique key index (intent or cert)
//	0x13   field(1) value notBefore serial      empty                         SNILS/INN/INNLE/OGRN/OGRNIP index
//	0x14   notAfter serial                      empty                         expiry index
//	0x15   issuer serial                        revocation entry              revoked + held, per issuer (CRL)
//	0x16   serial                               empty                         serial registry: every serial ever reserved, never deleted (schema 2)
//	0x17   issuer seq(8)                        status-log row                status-change log per issuer, seq 1, 2, … (schema 4)
//	0x18   centre notBefore serial              empty                         certificates of a service centre (schema 3)
//	0x20   serial                               intent record (MACed)         pending intents (version 3 from schema 7)
//	0x21   serial                               intent record (failed)        failed intents: serial reserved
//	0x30   issuer ID (raw)                      CRL number record             last CRL number per issuer
//	0x31   serial                               OCSP record                   pre-signed OCSP response
//	0x32   nextUpdate serial                    empty                         OCSP due (zero time: none stored)
//	0x33   issuer scope (raw)                   CRL base record               complete CRL that deltas of a scope refer to (schema 4)
//	0x34   issuer ID (raw)                      partition count record        CRL partition count, pinned for good (schema 4)
//	0x40   id(8)                                outbox record                 hook deliveries, kept when done
//	0x41   kind nextAttempt id(8)               empty                         pending outbox rows by due time
//	0x42   kind id(8)                           empty                         dead outbox rows (attempt limit reached)
//	0x43   kind subject (raw)                   hook state record             latest answer of an external system (ESIA by serial)
//	0x44   kind webhook-id (raw)                version 1 ‖ time              callbacks taken (idempotency by webhook-id)
//	0x45   kind once-key (raw)                  version 1 ‖ time              rows written at most once (renewal reminder per serial and threshold)
//	0x50   seq(8)                               audit entry ‖ chain value(32) audit chain
//	0x60   application id (raw)                 application record            registration authority applications
//	0x61   field(1) value created id            empty                         applications by centre, phone, SNILS, INN
//	0x62   state(1) stateSince id               empty                         applications by state, oldest in state first
//	0x63   id version(8)                        history event                 one per application version, never rewritten
//	0x70   token ID (16 hex digits, raw)        token record                  API tokens (schema 5)
//	0x80   challenge id(16)                     challenge record              one-time code challenges (cabinet)
//	0x81   purpose(1) phone                     challenge id(16)              the last challenge of a phone and purpose
//	0x82   SHA-256 of the session token(32)     session record                subscriber sessions (cabinet)
//	0x83   application id, app version(8)       consent record                consents to a certificate's contents
//	0x84   application id                       payment record                payment state of an application
//	0x88   application id                       cloud key record              subscribers' server-side keys (cloud keys)
//	0x89   operation id(16)                     cloud operation record        signing operations with cloud keys
//	0x8a   expires(12) operation id(16)         empty                         pending cloud operations by expiry (the purge)
//	0x8c   request id(16)                       status request record         subscribers' suspend/revoke requests
//	0x8d   serial                               request id(16)                the certificate's pending request
//	0x8e   state(1) created(8, Unix ns) id(16)  empty                         status requests by state, oldest first
//	0x8f   phone(12) ^created(8) id(16)         empty                         status requests by phone, newest first
//	0x90   limit(1) HMAC of the value(32)       code rate window record       sends per phone, address, prefix in the window
//	0x91   end(12) limit(1) HMAC(32)            empty                         code rate windows by end (the purge)
//	0x94   kind(1) registry number             organisation record           latest tax-registry record of an organisation
//
// Field bytes: 1 SNILS, 2 INN, 3 INNLE, 4 OGRN, 5 OGRNIP. 0x64–0x6f are
// kept for more application and document records. Application index
// field bytes are AppField values: 1 centre, 2 phone, 3 SNILS, 4 INN.
//
// A centre (service centre id) is 1–64 characters of [A-Za-z0-9._-]
// (ValidCentreID), written len(1) ‖ bytes like any string in a key. Only
// certificates requested by a centre have a 0x18 entry; it is written in
// the CommitIssued batch and, like the certificate, never deleted.
//
// # Schema versions
//
// The meta key "schema" holds the version; Open migrates an older store
// one step at a time, each step one synced batch ending with its version:
//
//	1 → 2  register every certificate, pending and failed serial (0x16)
//	2 → 3  nothing to rewrite: records of version 1 decode with no
//	       centre and the 0x18 index starts empty (the step checks it is)
//	3 → 4  nothing to rewrite: the status-change log (0x17), CRL bases
//	       (0x33) and partition counts (0x34) start empty
//	4 → 5  nothing to rewrite: the token records (0x70) start empty (the
//	       step checks they are); the CA moves the tokens.json of earlier
//	       versions in on its first start (ImportTokens) and renames the
//	       file aside. The application records (0x60–0x63) need no step:
//	       their prefixes start empty in any older store
//	5 → 6  keyed audit chain: the existing (version 1, SHA-256) entries
//	       stay; in one synced batch the step writes the audit-key
//	       record (keyed from the next entry, the key's fingerprint), an
//	       "audit.keyed" entry chained with the key, and version 6
//	6 → 7  MACed intents (record version 3, see "Intent MAC"); runs once
//	       the audit key is loaded. No pending intent of an older
//	       version: the step writes version 7 only. Some: Open fails
//	       with ErrUnMACedIntents and the store stays at 6, unchanged —
//	       an intent without a MAC cannot be told from one edited while
//	       the CA was down — unless Options.AcceptUnMACedIntents (`gostca
//	       recover --accept-unmacced`): then one synced batch rewrites
//	       each as version 3 marked Legacy and MACed as it stands,
//	       appends one "intent.accept-unmacced" entry that counts them
//	       and names up to 64 serials, and writes version 7. Recovery
//	       re-checks legacy intents as schema 6 did (the TBS against the
//	       intent, the lints) and says so in their "issue" entry. Failed
//	       intents (0x21) are never signed and stay as they are
//
// # Record encoding
//
// Records are hand-written binary: a version byte (2 for certificates
// and audit entries, 3 for intents, 1 for every other record kind), then fields in a fixed order using uvarint (unsigned),
// zig-zag varint (signed), length-prefixed bytes (uvarint length), times
// as varint Unix seconds ‖ uvarint nanoseconds (UTC; zero time allowed),
// fixed 32-byte hashes, one-byte states and flags. Decoders are strict:
// bounded lengths, no trailing bytes, unknown version → ErrCorrupt. A
// format change adds a new version and decoder; old records stay readable.
// records.go lists the fields of each record. Certificate and intent
// version 2 (schema 3) insert the service centre (string, empty for none)
// after the profile; version 1 records, which have no centre, are read
// as they are and rewritten as version 2 when their status changes or an
// intent fails.
//
// Intent version 3 (schema 7) is: state (1 pending, 2 failed), serial,
// issuer, request ID, profile, centre, key hash (32), created, TBS, the
// application link (byte 0: none; 1: application id, version (uvarint),
// attempt (uvarint), actor), legacy flag, MAC (bytes: 32, or empty in
// no record this version writes), and for a failed intent the failure
// time and reason. Every intent is written as version 3 (a version 1 or
// 2 record being failed is rewritten as version 3 with an empty MAC);
// versions 1 and 2 decode with no link and no MAC.
//
// # Pre-signed OCSP responses
//
// An OCSP record (0x31, version 1) is nextUpdate ‖ status version
// (uint32) ‖ stored at ‖ the DER response; its 0x32 entry files the
// serial under the nextUpdate (the zero time while none is stored). A
// stored response is always the one for its certificate's present
// status version: SetStatus (and an approved status request, which
// changes the status the same way) deletes it in the batch that changes
// the status and files the serial under the zero time; PutOCSPResponse
// and PutOCSPResponses write one only if its status version is the
// certificate's under the writer lock (else ErrStale); CommitIssued
// writes a new certificate's (Issued.OCSP) with the certificate. Check
// reports a response for another version ("mismatch"). So a responder
// may serve a response it finds, until its nextUpdate, without reading
// the certificate record (CurrentOCSPResponse). Responses are written
// without a sync of their own: one lost in a crash takes its 0x32 move
// with it, and the certificate is due again.
//
// # Intent MAC
//
// An intent's MAC is HMAC-SHA256 under the audit key (Options.AuditKey:
// the same key object as the chain, in software or a PKCS#11
// CKM_SHA256_HMAC key on the token) over
//
//	"gostca intent mac\x00" ‖ 0x03 ‖ serial … legacy flag
//
// that is, the label, the record version and every field of the record
// between the state byte and the MAC, as encoded there: the whole content
// of the intent (version, serial, issuer, request ID, profile, centre,
// key hash, creation time, TBS, application link, legacy flag). The label
// keeps it apart from the chain's values and the key fingerprint.
// PutIntents computes it (one MAC per intent, after validation and before
// the writer mutex) and ignores any MAC or Legacy flag the caller set.
// VerifyIntent recomputes it and compares in constant time: a pending
// intent without a MAC (ErrIntentNoMAC: a record of an older version
// that the 6 → 7 step did not accept, so a downgrade) or with one that
// does not verify (ErrIntentMAC) is never signed — the signer fails it and
// the failure is audited. The normal commit does not verify the MAC: it
// runs milliseconds after the write, in the process holding the database
// lock, and takes the certificate's fields from the request it signed
// (checked equal to the intent's); recovery, which reads intents that
// lay on disk while the CA was down, verifies each before anything else.
// A store without a key "MACs" with the unkeyed function (SHA-256), as
// its chain: a checksum that anyone with write access can recompute. An
// intent written so no longer verifies once the store is keyed: recovery
// fails it (its request was never answered; the serial stays reserved),
// and Check reports every pending intent that does not verify
// ("intent-mac").
//
// # An application issued in the certificate's batch
//
// An intent may link the application the certificate completes
// (AppLink: id, the version it has in "issuing", issue attempt, actor).
// CommitIssued (the normal commit and recovery's) then loads the
// application and, if it is in "issuing" at that version and attempt and
// was not issued by an earlier certificate of the batch, writes in the
// same batch what PutApplication would for "issuing → issued": the record
// at version+1 with the serial and the store time as state time, its index
// entries, the history event (action "issued", note "serial <hex>"), the
// "application_issued" audit entry (right after the certificate's
// "issue" entry) and the outbox rows Issued.AppNotices returns for it.
// Otherwise the certificate commits all the same and an
// "application.issue_stale" entry (subject "application:<id>") records
// why; the application is left for the registration authority, whose
// own keyed write finishes it. Issued.App must equal the intent's link.
//
// A token record is role ‖ scope ‖ name (strings) ‖ created (time) ‖
// SHA-256 of the whole token (32 bytes); the token ID is the key. The
// token itself is never stored. PutToken and DeleteToken append the
// audit entry in the same batch; ImportTokens one entry for the batch.
//
// A status-log row is serial ‖ status before ‖ status after ‖ store time (a status is state,
// reason, time, invalidity date, version, as in the certificate record);
// a CRL base is number ‖ log position ‖ thisUpdate ‖ nextUpdate; a
// partition count is one uvarint (1–4096).
//
// Scopes name a complete CRL of an issuer: 1–32 bytes of [a-z0-9/_-]
// chosen by the engine ("full", "p/3").
//
// # Status-change log and delta CRLs (schema 4)
//
// SetStatus appends, in the batch of the change, a row under the issuer's
// next sequence number: the serial, the status before and after (state,
// reason, time, invalidity date, version) and the store time. The heads
// are not stored: the last key of an issuer's range is its head (cached
// in memory under the writer mutex once read). A complete CRL is built
// from RevokedSnapshot, which returns the log head of the snapshot its
// entries came from; PutCRLBase records (number, log position) per scope,
// and a delta lists the rows after that position (StatusLog). A refused
// change writes no row. Schema 3 stores are migrated by writing the new
// version only: the log starts empty, and since no base record predates
// the migration, every base reflects all earlier changes.
//
// # Applications
//
// An application (package ra's unit of work) is one record under its id
// (1–64 of [a-z0-9-], chosen by ra) with its index entries: centre and
// phone always, the owner's SNILS and INN when set (each keyed by the
// creation time, so a listing runs oldest first), and its state keyed by
// the time it entered the state (the review queue). PutApplication
// writes the record, moves its index entries, and appends the history
// event of the new version, its audit entry and its outbox rows in one
// synced batch under the writer mutex,
// after comparing the stored version with the one the caller read
// (ErrConflict otherwise; version 0 creates). The centre and creation
// time never change. Application outbox rows carry no serial; their
// payload names the application. The history is append-only: version
// v's event is written with version v and never again, so the record
// stays small and the history cannot be edited by a later write
// (ApplicationHistory returns events 1 … Version). Check verifies that
// every record has its index entries and exactly Version events, and
// that every index entry and event belongs to a record that carries it.
//
// The application record (version 1) is, in order: id, version
// (uvarint), kind (byte: 1 new, 2 replacement), replaced serial, cert
// type, centre, phone, recipient, state (byte), state since, created,
// created by, updated (store clock), deadline, assignee, review step
// (uvarint), round (uvarint); owner: surname, given name, patronymic, sex (byte), birth
// date, birth place, identity document (type byte, series, number,
// issued on, issuer, issuer code), citizenship, SNILS, INN, e-mail,
// position; organisation: name, INN, KPP, OGRN, OGRNIP, region,
// locality, street, updated; documents (count, then id, type,
// SHA-256(32), size, content type, added by, added at); registry checks
// (count, then kind, status byte, requested, answered, detail); reviews
// (count, then step, round, reviewer, approved flag, at, reasons: count,
// then target, code, text); identification (method byte, verified by,
// at, presenter byte, representative, document checked, certificate
// serial); editors (count, strings); issue attempt (uvarint); issued
// serial. Counts are bounded (256 documents, 32 checks, 256 reviews, 64
// reasons, 64 editors) and never exceed the bytes left. A history event
// (version 1) is at, actor, action, from (byte, 0 for creation), to
// (byte), note.
// The scans of the documents are not in Pebble: they go to
// content-addressed files (by SHA-256) outside it, written by the upload
// path of a later slice; the record keeps their metadata only.
//
// The application prefixes need no schema step: they are new record
// kinds that start empty in any schema 4 store, and no older reader
// looks at them (an older Check would report them as unknown keys).
//
// # Cabinet
//
// The subscriber cabinet's records (cabinet.go; packages otp and
// cabinet) use 0x80–0x84 of the range 0x80–0x8f kept for them. They
// start empty in any older store: no schema step.
//
// A challenge (version 1) is purpose (byte: 1 login, 2 issuance) ‖
// phone ‖ client (the audit identity of the cabinet token that asked) ‖
// application (empty for a login) ‖ binding(32) ‖ verifier(32) ‖
// created ‖ expires ‖ resend after ‖ max tries ‖ tries ‖ used flag. The
// code itself is never stored, here or in the SMS outbox row: the
// verifier is HMAC-SHA256 under a secret kept outside the database
// (package otp), the binding the SHA-256 of what the code confirms.
// PutChallenge writes the challenge, the 0x81 pointer of its phone and
// purpose, the SMS row and the audit entry in one batch, unless the
// previous challenge's resend time has not come (ErrTooSoon, nothing
// written). UseChallenge runs under the writer mutex, so a challenge is
// consumed at most once: a used, exhausted or expired challenge is
// refused writing nothing; a verifier or binding that does not match
// (compared in constant time) increments tries, the only write and no
// audit entry; a match sets used and writes, in the same batch, the
// session of a login (its phone is the challenge's) and the audit entry.
//
// A session (version 1) is phone ‖ client ‖ created ‖ expires, keyed by
// the SHA-256 of its token (the token is never stored). DeleteSession
// (logout) removes it with its audit entry. Expired challenges and
// sessions are refused by their readers; PurgeCabinet (the cabinet's
// job, every 10 minutes) deletes them with one "cabinet.purge" audit
// entry, leaving a phone's 0x81 pointer to a deleted challenge, which
// PutChallenge reads as none.
//
// A consent (version 1) is data (bytes, ≤ 16 KiB: the JSON shown to the
// subscriber) ‖ SHA-256(32) ‖ at ‖ actor. It is written by PutApplication
// when AppChange.Consent is set, under the version that change makes, in
// the same batch as the application, its history event and its audit
// entry; LatestConsent reads the newest. A payment (version 1) is paid
// flag ‖ invoice ‖ updated ‖ by, written by PutPayment with its audit
// entry for an application that exists. Check decodes every record.
//
// # Cloud keys
//
// Subscribers' server-side keys (cloudkeys.go, cloudpurge.go; package
// cloudkey) use 0x88, 0x89 and 0x8a of the range 0x88–0x8b; they start
// empty in any older store: no schema step. A cloud key (version 1), keyed by the application it
// was made for (one key per application), is phone ‖ curve name ‖
// SubjectPublicKeyInfo ‖ sealed key ‖ token reference ‖ request (the
// PKCS#10 the CA built with the key) ‖ created ‖ actor. Exactly one of
// sealed key and token reference is set: the sealed key is the soft key
// file image (hsm, AES-256-GCM) under a secret derived from the server's
// code secret, never the key in the clear; the reference names the key
// on the CA's PKCS#11 token. PutCloudKey writes it with its audit entry
// unless the application has a key (ErrConflict).
//
// A cloud operation (version 2) is key (application id) ‖ phone ‖
// digest (32 or 64 bytes, Streebog) ‖ description ‖ document size ‖
// challenge id (hex, the code bound to the operation) ‖ created ‖
// expires ‖ state (byte: 1 pending, 2 signed, 3 refused, 4 expired) ‖
// done (the expiry, when expired) ‖
// signature (empty unless signed) ‖ attached (byte 0/1) ‖ document
// (kept only for an attached signature while pending, ≤ 1 MiB) ‖ CMS
// (the CAdES-BES SignedData, once signed). Version 1 (written before
// CAdES) ends after the signature and reads as detached with no CMS.
// PutCloudOperation writes a pending one with its audit entry;
// FinishCloudOperation (SignCloudOperation with the CMS), under the
// writer mutex, moves a pending, unexpired one to signed (with the
// signature; the kept document dropped) or refused, with the audit entry in the same batch, and refuses
// anything else (ErrCloudOpDone) writing nothing: an operation is
// signed at most once.
//
// Every pending operation has a 0x8a entry, expires (appendTime) ‖ id →
// empty, written with it and deleted in the batch that finishes it.
// PurgeCloudOperations scans the entries before a time (at most 1,000
// a call) and, in one batch, moves each operation still pending to
// expired with Done its expiry and its document dropped, deleting the
// entries, with one "cabinet.purge_cloud_operations" audit entry naming
// the counts; the record is kept. Operations written before 0x8a
// existed get their entries on Open (one scan of the 0x89 records, one
// batch with the entries missing, nothing when none is). Check decodes
// every record and reports a pending operation without its entry, an
// entry of no pending operation of that expiry, and a finished
// operation holding a document; a pending operation past its expiry is
// normal (the purge has not run yet) and not reported.
//
// # Status requests
//
// A subscriber's request to suspend or revoke a certificate
// (statusreq.go, statusreqphone.go; package statusreq) uses 0x8c–0x8f,
// starting empty in any older store: no schema step. A status request
// (version 1) is serial ‖ phone ‖ action (byte: the target State,
// revoked or on hold) ‖ reason (its RFC 5280 name) ‖ comment ‖ state
// (byte: 1 awaiting_code, 2 pending, 3 approved, 4 rejected) ‖ created
// ‖ decided ‖ decided by ‖ rejection. Its id is the id of its code's
// challenge (purpose 5). PutChallenge's extra StatusRequestDraft writes
// it awaiting_code, with its 0x8e and 0x8f entries, in the challenge's
// batch; UseChallenge's Extra StatusRequestConfirm makes it pending in
// the batch that consumes the code, setting the 0x8d pointer of its
// serial and writing the subscriber's notice row; if the serial has a
// pointer already (ErrConflict) or its certificate cannot take the
// change (ErrInvalidTransition) the whole batch fails and the code
// stays unused. DecideStatusRequest writes a decision: when approved,
// the certificate's status change exactly as SetStatus does (record,
// 0x15 revocation entry, dropped OCSP response, status log, its own
// revoke or hold audit entry), then the request's new state, the 0x8d
// pointer removed, the 0x8e entry moved, the decision's audit entry and
// the notice row, all in one batch: the request is approved if and only
// if the certificate changed, across a crash. PurgeStatusDrafts deletes
// drafts asked before a time (record, 0x8e and 0x8f entries, one audit
// entry with the count). Check decodes every record.
//
// The 0x8f entry is the subscriber's list (StatusRequestsOfPhone): the
// phone, the creation time in Unix nanoseconds with every bit inverted
// (so that a forward scan is newest first) and the id. Neither changes
// after the draft, so a decision does not touch the entry. Requests
// written before 0x8f existed get their entries on Open: one scan of
// the 0x8c records and one batch with the entries missing, nothing when
// none is (so it is safe on every open, and needs no schema step). Check
// reports a request without its entry (missing-index) and an entry
// without its request or under another phone or time (dangling-index,
// mismatch).
//
// # Code rate limits
//
// The rate limits of one-time codes (otplimits.go; package otp) use 0x90
// and 0x91 of the range 0x90–0x93, starting empty in any older store: no
// schema step. A window counts the codes sent for one value of one limit
// (byte: 1 phone, 2 client address, 3 number prefix; package otp names
// them). The value is never stored: the key holds HMAC-SHA256(code
// secret, "gostca otp limit\0" ‖ limit ‖ value) for the cabinet's codes
// and HMAC-SHA256(code secret, "gostca otp limit\0" ‖ name ‖ 0x00 ‖
// limit ‖ value) for a named code service (the cloud keys' signing
// codes, name "sign"), so each service counts in windows of its own; the
// secret is the one outside the database (package otp), so a copy of the
// database names no phone. A window (version 1) is start ‖ end ‖ count (uvarint);
// its 0x91 entry is keyed by the end it was opened with.
//
// Windows are fixed, as the in-memory counters before them: a window
// opens at the first send after the last one ended (start = the
// challenge's Created, end = start + the window configured), and a send
// is refused while it holds the configured maximum, until its end. The
// end is the stored one or start + the window configured now, whichever
// is sooner. PutChallenge's extra OTPCharge counts the send, under the
// writer mutex and in the challenge's batch, against every limit before
// the resend check: the first full window refuses it (ErrRateLimited, an
// *OTPLimitError naming the limit and the window's end), writing
// nothing; otherwise each count goes up by one (a new window replaces
// an ended one and its 0x91 entry). A send refused for any reason
// counts against nothing, and two concurrent sends never both take a
// window's last slot. PurgeCabinet deletes windows that ended before its
// time with their 0x91 entries, oldest first, within its 10,000 records
// a call, naming their count in its audit entry. Check decodes every
// record and matches windows and 0x91 entries both ways.
//
// # Organisation records
//
// The tax registry's latest answer about each organisation
// (orgrecords.go; packages ra/orgrecord and cabinet) uses 0x94 of the
// range 0x94–0x97, starting empty in any older store: no schema step.
// The key is the kind ('L' a legal entity, by its 10-digit INN; 'P' an
// individual entrepreneur, by the 15-digit OGRNIP) and the number. A
// record (version 1) is registry (the check's kind, "egrul" or "egrip")
// ‖ the organisation block as an application record holds it (its
// time zero) ‖ the head's surname, given name, patronymic, INN and
// position (empty when no answer named one) ‖ as of (the time the
// registry was asked) ‖ received ‖ application (whose check brought it)
// ‖ head changed (the as-of time of the first answer naming another
// head than the stored one; zero while none did). It is written only
// with an application's change (AppChange.OrgRecord): under the writer
// lock the update's Merge sees the stored record and returns the one to
// store (or keeps the stored one), and the record and its own audit
// entry (action organisation_record, subject
// "organisation:<kind><number>", same actor) follow the application's
// in the same batch; a refused application change writes neither.
// Check decodes every record.
//
// # Outbox rows and callbacks
//
// An outbox row (outboxadmin.go) is pending (one 0x41 entry, keyed by
// its next attempt), delivered (Done), dead (one 0x42 entry: the
// per-kind attempt limit was reached) or cancelled; the last three are
// exclusive and only a dead row leaves its state again (OutboxRedrive:
// due now, Attempts 0). Record version 1 is kind, serial, payload,
// attempts, next attempt, last error, created, done flag, done at;
// version 2 (written from now on; version 1 rows read as they are)
// adds the dead and cancelled flags and the attempt log: count (≤ 16,
// the most recent), then per attempt at, HTTP status (0: no answer),
// error (≤ 1 KiB), duration (ns). Redrive and cancel append their
// audit entry ("outbox.redrive", "outbox.cancel") in the same batch.
// A delivered or cancelled row may have its payload emptied in that
// write (a code's SMS row, which holds a nonce and never the code, is not
// kept once sent). Version 3, written
// only for a row holding a polling receiver's ticket (outboxpoll.go;
// every other row is still written as version 2, which older versions
// read), adds the ticket (1–128 printable ASCII), when it was taken, the
// poll deadline and the status queries made. Such a row stays pending,
// keyed under 0x41 by its next query; OutboxPolled counts a query and
// moves it, or makes the row dead at the deadline; OutboxRedrive drops
// the ticket (the request is sent again). OutboxResults writes the
// outcomes of many deliveries (each as OutboxDelivered or OutboxFailed
// would, with its audit entry if any) in one synced batch: the hook
// workers' group commit.
//
// A callback (TakeCallback) stores its webhook-id under 0x44 and, for
// an answer about a subject, the subject's state record under 0x43
// (state, code, message, updated, webhook-id, answer count), with its
// audit entry, in one batch; a webhook-id already stored writes
// nothing. OutboxOnce writes a row together with a 0x45 key (a renewal
// reminder: serial and threshold) unless that key exists, so a job that
// runs again after a restart writes no second row. These prefixes start empty in any older store: no schema
// step.
//
// # Audit chain
//
// Entry i is stored under seq i (1, 2, …) as E_i ‖ C_i, where E_i is the
// encoded entry and C_i its chain value, C_0 = 32 zero bytes:
//
//	i <  K:  C_i = SHA-256(C_{i-1} ‖ E_i)
//	i >= K:  C_i = HMAC-SHA256(key, C_{i-1} ‖ E_i), E_i of version 2
//
// K ("keyed from") and the key's fingerprint (the first 16 bytes of its
// MAC over "gostca audit key id\x00") are the meta record "audit-key":
// version 1 ‖ uvarint K ‖ fingerprint(16). The key itself (Options.
// AuditKey) lives in the CA's key store, on the token where there is
// one; the database never holds it. A new store has K = 1. A store
// migrated from schema 5 keeps its version 1 entries, chained with
// SHA-256, and has K = the entry after them (an "audit.keyed" entry). A
// store opened without a key chains with plain SHA-256 (fingerprint of
// that function; a warning at every open) and is keyed from its next
// entry the first time it is opened with one; a keyed store opened with
// another key or none is refused (ErrAuditKey). A version 1 entry at
// i >= K is corruption.
//
// Audit entry version 1 (schemas 1–5): seq, time, actor, action,
// subject, details. Version 2 (schema 6): seq, time, actor, action,
// subject, serial (bytes, empty for none), status flag (0, or 1 and a
// status as in the certificate record), reason, comment, attribute
// count (≤ 32) and each key ‖ value, details. Actions and attribute
// keys are [a-z0-9._-] (actions also "/"); free text is kept as sent
// and escaped on display (AuditText, AuditEntry.String).
//
// Issuance ("issue"), status changes ("revoke", "hold", "resume") and
// intent failures ("intent.fail") append their entry in the same batch
// as the change, with the serial and the status reached; AppendAudit
// refuses those actions and the serial and status fields. Check
// matches both ways: every certificate has one "issue" entry and one
// entry per status change (Status.Version of them, in increasing
// version), every failed intent one "intent.fail" entry, and every
// entry that names a serial names a certificate (failed intent) whose
// status agrees with it. Version 1 entries name their serial by the hex
// Subject and are matched by action only. The cross-check keeps a small
// record per serial named in the chain in memory.
//
// # Checkpoints
//
// Whoever can write the database can delete the newest entries, and
// whoever also holds the key can rewrite entries and re-MAC the rest. A
// checkpoint (checkpoint.go) is the head (seq, C_seq), a time, K and
// the key fingerprint, signed by a CA-held key (GOST through pkix.Sign),
// exported as JSON and kept elsewhere. CheckWith and
// VerifyAuditCheckpoint verify the chain against the newest checkpoint
// given: entry seq must exist with value C_seq, under the same K and
// key. Entries after the newest checkpoint are protected by the key
// alone (rewriting) and by nothing against deletion of the newest ones:
// take checkpoints on a schedule.
//
// # Locking and durability
//
// Every write is a read-check-write section run under one writer mutex
// (Store.wmu): the checks (serial unused, key not reserved, intent
// pending, status transition) read the committed state, the batch is
// applied while the mutex is still held, so the next writer's checks see
// it, and the in-memory heads (audit seq and hash, outbox id) advance only
// once it is applied. With sync on (the default) the batch is applied with
// Pebble's ApplyNoSyncWait and the fsync is awaited after the mutex is
// released: concurrent writers share fsyncs (group commit) while their
// checks stay serial. A call returns only after its batch is durable. As
// in Pebble itself, a reader may see a write whose fsync is still in
// flight; no caller is told "done" before it is durable, and a read that
// may hand out a certificate waits until what it could have seen is
// durable (durablewait.go): every synced batch takes a ticket, in WAL
// order, before it is applied, and the reader waits for the fsyncs in
// flight up to the newest ticket, writing nothing itself. A responder's
// read of a stored OCSP response waits only when that response's own
// commit is in flight (a new certificate's, registered by serial with
// its batch's ticket): every other stored response is durable or derived
// from a durable status.
//
// ApplyNoSyncWait is marked experimental by Pebble; should it change, the
// fallback is Batch.Commit(pebble.Sync) under the mutex (same guarantees,
// one fsync per writer).
//
// The uniqueness checks of an intent (request ID 0x11, serial 0x16, key
// hash 0x12) and the commit's check that no certificate (0x10) holds the
// serial yet first ask an in-memory Bloom filter per prefix (uniqfilter.go),
// under the same mutex: built by scanning the index at Open, given every
// key a write sets there before the write is applied, never told of a
// deletion. It is a superset of the index, so "absent" from it is exact
// and skips Pebble; "maybe" is looked up as before. Nothing is stored:
// no record or key changes, no schema step. Memory: 2.5 bytes per key
// (10 bits, sized for twice the keys), about 10 MB for a million
// certificates; a filter that outgrows its size is rebuilt in the
// background from a snapshot. The scans at Open run with Pebble's block
// cache reserved down to 4 MiB: they read every key of the four indexes,
// which for a million certificates is more than the cache, and would
// otherwise leave it full of blocks nobody reads again.
//
// WAL files are zero-filled ahead of Pebble's writes, 1 MiB at a time
// (walprefill.go: Open wraps Pebble's file system): an fdatasync after
// overwriting written blocks flushes only data, while one after appending
// or writing into fallocated blocks also commits a journal transaction
// (145 µs against 205 µs on the development VM). Pebble's WAL reader takes
// a zeroed tail for the end of the log, as it does for its own
// preallocated and recycled WALs; every acknowledged write is still
// fsynced before the call returns.
//
// Readers take no mutex. Close waits for calls in flight (Store.life).
//
// # Errors and logging
//
// Errors start with "store: " and wrap a sentinel of errors.go.
// Messages go to log/slog; payloads, DER and TBS bytes are never logged.
package store
