// Package store keeps GostCA's durable state: certificates and their
// indexes, status, CRL numbers, pre-signed OCSP responses, write-ahead
// issuance intents, the hook outbox and the hash-chained audit log. It is
// the only package that touches Pebble. The API is split by role
// (backend.go: Issuance, Certificates, StatusChanges, Publication,
// OutboxQueue, AuditLog, Tokens, Maintenance; Backend is all of them);
// *Store implements every role on Pebble, and a PostgreSQL backend is
// meant to be a second implementation, built and tested role by role.
//
// # Issuance protocol
//
//	PutIntents    one synced batch: intent + key/request reservations
//	(sign)        nothing is signed that the store does not know about
//	CommitIssued  one synced batch: certificate, indexes, status, outbox,
//	              audit; intents deleted
//	FailIntents   serials stay reserved, keys and request IDs released
//	PendingIntents on start: intents to re-sign or fail
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
//	0x01   "schema" | "outbox-seq"              version byte | uint64         meta
//	0x10   serial                               certificate record            certificate by serial
//	0x11   request ID (raw)                     serial magnitude              request ID → serial (intent or cert)
//	0x12   key hash (32)                        serial magnitude              unique key index (intent or cert)
//	0x13   field(1) value notBefore serial      empty                         SNILS/INN/INNLE/OGRN/OGRNIP index
//	0x14   notAfter serial                      empty                         expiry index
//	0x15   issuer serial                        revocation entry              revoked + held, per issuer (CRL)
//	0x16   serial                               empty                         serial registry: every serial ever reserved, never deleted (schema 2)
//	0x17   issuer seq(8)                        status-log row                status-change log per issuer, seq 1, 2, … (schema 4)
//	0x18   centre notBefore serial              empty                         certificates of a service centre (schema 3)
//	0x20   serial                               intent record                 pending intents
//	0x21   serial                               intent record (failed)        failed intents: serial reserved
//	0x30   issuer ID (raw)                      CRL number record             last CRL number per issuer
//	0x31   serial                               OCSP record                   pre-signed OCSP response
//	0x32   nextUpdate serial                    empty                         OCSP due (zero time: none stored)
//	0x33   issuer scope (raw)                   CRL base record               complete CRL that deltas of a scope refer to (schema 4)
//	0x34   issuer ID (raw)                      partition count record        CRL partition count, pinned for good (schema 4)
//	0x40   id(8)                                outbox record                 hook deliveries, kept when done
//	0x41   kind nextAttempt id(8)               empty                         pending outbox rows by due time
//	0x50   seq(8)                               audit entry ‖ SHA-256(32)     audit chain
//	0x70   token ID (16 hex digits, raw)        token record                  API tokens (schema 5)
//
// Field bytes: 1 SNILS, 2 INN, 3 INNLE, 4 OGRN, 5 OGRNIP. 0x60–0x6f are
// kept for the registration authority's applications and documents.
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
//	       file aside
//
// # Record encoding
//
// Records are hand-written binary: a version byte (2 for certificates
// and intents, 1 for every other record kind), then fields in a fixed order using uvarint (unsigned),
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
// # Audit chain
//
// Entry i is stored under seq i (1, 2, …) as E_i ‖ H_i where E_i is the
// encoded entry (version, seq, time, actor, action, subject, details) and
// H_i = SHA-256(H_{i-1} ‖ E_i), H_0 = 32 zero bytes. VerifyAudit and Check
// recompute the chain; AuditHead gives (seq, H) for external anchoring.
// Issuance, status changes and intent failures append entries in the same
// batch as the change they record.
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
// flight; no caller is told "done" before it is durable.
//
// ApplyNoSyncWait is marked experimental by Pebble; should it change, the
// fallback is Batch.Commit(pebble.Sync) under the mutex (same guarantees,
// one fsync per writer).
//
// Readers take no mutex. Close waits for calls in flight (Store.life).
//
// # Errors and logging
//
// Errors start with "store: " and wrap a sentinel of errors.go.
// Messages go to log/slog; payloads, DER and TBS bytes are never logged.
package store
