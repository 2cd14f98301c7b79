package store

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"os"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// BulkCert is one certificate for BulkLoad: what CommitIssued would have
// stored, plus its current status (Valid, or Revoked / OnHold with its
// reason and time, as SetStatus takes it).
type BulkCert struct {
	Serial    []byte
	IssuerID  string
	Profile   string
	DER       []byte
	NotBefore time.Time
	NotAfter  time.Time
	KeyHash   KeyHash
	Subject   Identifiers
	Status    StatusChange
}

// BulkOptions configure BulkLoad.
type BulkOptions struct {
	// Actor names the loader in the audit entries (required).
	Actor string
	// BatchSize is the certificates per unsynced batch (0: 10,000).
	BatchSize int
	// Options are passed to Open; NoSync is forced on.
	Options Options
}

// BulkReport is what BulkLoad wrote.
type BulkReport struct {
	Certificates int // certificate records
	NotValid     int // of which revoked or on hold
	Batches      int
	Elapsed      time.Duration
}

// defaultBulkBatch keeps one batch around 10–20 MB for certificates of
// 1–2 KB.
const defaultBulkBatch = 10_000

// BulkLoad writes many certificates into the store in dir quickly, for
// load tests (bench/): large batches without fsync and one WAL sync at the
// end. It opens dir itself, so Pebble's directory lock refuses a store
// that a server (or anything else) has open: the loader never writes under
// a live engine. Each certificate gets exactly the records CommitIssued
// and, for a revoked or held one, SetStatus would have written: the
// certificate record, serial registry, key-hash, identifier and expiry
// index entries, an audit entry for the issuance, and for a status change
// the revocation entry, a status-log row and a second audit entry. A
// certificate whose NotAfter has passed gets no OCSP-due entry (as if
// OCSPRetire had run), a current one the zero-time entry, so the engine
// pre-signs its response as for a new certificate. No outbox rows are
// written: hooks are not replayed for bulk-loaded certificates. The
// result passes Check.
//
// Bad input (an unnormalisable serial, a serial or key already stored or
// repeated, a bad status) stops the load with ErrInvalidInput or
// ErrSerialExists/ErrKeyReused; batches written before it stay (and are
// synced), so the store is consistent but partly loaded. The loader keeps
// every serial and key hash of the store in memory (about 150 bytes per
// certificate).
func BulkLoad(ctx context.Context, dir string, opts BulkOptions, certs iter.Seq2[*BulkCert, error]) (BulkReport, error) {
	var rep BulkReport
	if err := checkLen("bulk load actor", opts.Actor, 1, maxActorLen); err != nil {
		return rep, fmt.Errorf("store: bulk load: %w", err)
	}
	n := opts.BatchSize
	if n <= 0 {
		n = defaultBulkBatch
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return rep, invalid("bulk load: %s is not a directory: give the store directory (DATA_DIR/db)", dir)
	}
	so := opts.Options
	so.NoSync = true
	start := time.Now()
	s, err := Open(dir, so)
	if err != nil {
		return rep, fmt.Errorf("store: bulk load: %w (is a server or another command using %s? stop it first)", err, dir)
	}
	l := &bulkLoader{s: s, opts: opts, rep: &rep}
	loadErr := l.run(ctx, n, certs)
	// One WAL sync makes every batch above durable (the WAL is written in
	// order); what is still in memtables is replayed from it at the next
	// Open.
	syncErr := s.db.LogData(nil, pebble.Sync)
	closeErr := s.Close()
	rep.Elapsed = time.Since(start)
	switch {
	case loadErr != nil:
		return rep, loadErr
	case syncErr != nil:
		return rep, fmt.Errorf("store: bulk load: sync: %w", syncErr)
	case closeErr != nil:
		return rep, closeErr
	}
	s.log.Info("bulk load done", "certificates", rep.Certificates, "not_valid", rep.NotValid, "batches", rep.Batches, "elapsed", rep.Elapsed)
	return rep, nil
}

type bulkLoader struct {
	s    *Store
	opts BulkOptions
	rep  *BulkReport

	t *txn
	n int // certificates in the current batch
	// keys and sers hold every key hash and serial of the store: read
	// once at the start, then added to as certificates are loaded, so
	// the uniqueness checks need no database reads (point lookups in a
	// store growing by a million keys dominated the load time).
	keys map[KeyHash]struct{}
	sers map[string]struct{}
}

// loadKeys reads the serial registry and key-hash index.
func (l *bulkLoader) loadKeys(ctx context.Context) error {
	l.keys, l.sers = map[KeyHash]struct{}{}, map[string]struct{}{}
	err := scanPrefix(ctx, l.s.db, []byte{pSerial}, func(k, _ []byte) (bool, error) {
		serial, rest, ok := cutSerial(k[1:])
		if !ok || len(rest) != 0 {
			return false, corrupt("serial registry key %x", k)
		}
		l.sers[string(serial)] = struct{}{}
		return true, nil
	})
	if err != nil {
		return err
	}
	return scanPrefix(ctx, l.s.db, []byte{pKeyHash}, func(k, _ []byte) (bool, error) {
		var h KeyHash
		if len(k) != 1+len(h) {
			return false, corrupt("key hash index key %x", k)
		}
		copy(h[:], k[1:])
		l.keys[h] = struct{}{}
		return true, nil
	})
}

func (l *bulkLoader) run(ctx context.Context, batch int, certs iter.Seq2[*BulkCert, error]) error {
	l.s.wmu.Lock()
	defer l.s.wmu.Unlock()
	if err := l.loadKeys(ctx); err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	l.begin()
	for c, err := range certs {
		if err != nil {
			return fmt.Errorf("store: bulk load: input: %w", err)
		}
		if err := l.add(c); err != nil {
			return fmt.Errorf("store: bulk load, certificate %d: %w", l.rep.Certificates+l.n, err)
		}
		if l.n >= batch {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("store: bulk load: %w", err)
			}
			if err := l.commit(); err != nil {
				return err
			}
		}
	}
	return l.commit()
}

func (l *bulkLoader) begin() {
	s := l.s
	l.t = &txn{s: s, b: s.db.NewBatch(), now: s.now().UTC(), auditSeq: s.auditSeq, auditHash: s.auditHash, outboxSeq: s.outboxSeq}
	l.n = 0
}

// commit applies the current batch without sync and starts the next.
func (l *bulkLoader) commit() error {
	t := l.t
	defer t.b.Close()
	if l.n == 0 {
		return nil
	}
	if err := t.b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("store: bulk load: commit: %w", err)
	}
	s := l.s
	s.auditSeq, s.auditHash = t.auditSeq, t.auditHash
	for issuer, head := range t.logHeads {
		s.logHeads[issuer] = head
	}
	s.maybeRebuild()
	l.rep.Certificates += l.n
	l.rep.Batches++
	l.begin()
	return nil
}

func (l *bulkLoader) add(in *BulkCert) error {
	if in == nil {
		return invalid("nil certificate")
	}
	serial, err := normSerial(in.Serial)
	if err != nil {
		return err
	}
	st := Status{State: Valid}
	if in.Status.State != Valid {
		if st, err = normChange(in.Status); err != nil {
			return fmt.Errorf("serial %x: %w", serial, err)
		}
		st.Version = 1
	}
	if err := l.check(in, serial); err != nil {
		return err
	}
	t := l.t
	c := &CertRecord{
		Serial: bytes.Clone(serial), IssuerID: in.IssuerID, Profile: in.Profile, DER: in.DER,
		NotBefore: in.NotBefore.UTC(), NotAfter: in.NotAfter.UTC(), KeyHash: in.KeyHash,
		Subject: in.Subject, IssuedAt: t.now, Status: st,
	}
	steps := []func() error{
		func() error { return t.set(certKey(serial), encodeCert(c)) },
		func() error { return t.set(serialKey(serial), nil) },
		func() error { return t.set(keyHashKey(c.KeyHash), c.Serial) },
		func() error { return t.setCertIndexes(c) },
		func() error {
			if c.NotAfter.Before(t.now) {
				return nil // expired: retired from the OCSP due index
			}
			return t.set(ocspDueKey(zeroTime, serial), nil)
		},
		func() error {
			return t.audit(&AuditEntry{Actor: l.opts.Actor, Action: "issue", Subject: fmt.Sprintf("%x", serial), Details: "bulk load"})
		},
	}
	if st.State != Valid {
		steps = append(steps,
			func() error { return t.logStatus(c.IssuerID, serial, Status{State: Valid}, st) },
			func() error { return t.set(revokedKey(c.IssuerID, serial), encodeRevEntry(st)) },
			func() error {
				return t.audit(&AuditEntry{Actor: l.opts.Actor, Action: statusAction[st.State], Subject: fmt.Sprintf("%x", serial),
					Details: fmt.Sprintf("state=%s reason=%d (bulk load)", st.State, st.Reason)})
			})
		l.rep.NotValid++
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	l.n++
	return nil
}

// check validates in's fields and that neither its serial nor its key is
// stored already or loaded before.
func (l *bulkLoader) check(in *BulkCert, serial []byte) error {
	if err := checkLen("issuer ID", in.IssuerID, 1, maxIssuerLen); err != nil {
		return err
	}
	if err := checkLen("profile", in.Profile, 0, maxProfileLen); err != nil {
		return err
	}
	if err := checkBytes("certificate DER", in.DER, 1, maxDERLen); err != nil {
		return err
	}
	if in.NotBefore.IsZero() || !in.NotAfter.After(in.NotBefore) {
		return invalid("validity %v – %v is empty or unset", in.NotBefore, in.NotAfter)
	}
	if in.KeyHash == (KeyHash{}) {
		return invalid("key hash is zero")
	}
	if err := in.Subject.validate(); err != nil {
		return err
	}
	if _, dup := l.sers[string(serial)]; dup {
		return fmt.Errorf("store: serial %x: %w", serial, ErrSerialExists)
	}
	if _, dup := l.keys[in.KeyHash]; dup {
		return fmt.Errorf("store: key %x: %w", in.KeyHash[:8], ErrKeyReused)
	}
	l.sers[string(serial)] = struct{}{}
	l.keys[in.KeyHash] = struct{}{}
	return nil
}
