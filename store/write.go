package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// txn is one atomic write being built: a Pebble batch plus the sequence
// heads it advances. It exists only inside Store.update, under s.wmu, so
// its reads see every earlier write and no concurrent one.
type txn struct {
	s   *Store
	b   *pebble.Batch
	now time.Time

	auditSeq    uint64
	auditHash   [32]byte
	outboxSeq   uint64
	outboxDirty bool
	// logHeads are the status-log heads this batch advanced (by issuer).
	logHeads map[string]uint64
	// keys is the arena the batch's keys are built in (txnkeys.go).
	keys []byte
	// ocsp are the serials whose OCSP response the batch writes with
	// their certificate (ocspFlight, durablewait.go).
	ocsp [][]byte
}

// update runs fn under the writer lock and commits what it wrote as one
// batch. If fn fails nothing is written. With sync on, the batch is
// applied under the lock (so the next writer's checks see it) and the
// fsync is awaited after the lock is released, letting Pebble share one
// fsync among concurrent writers. The call returns only once durable.
func (s *Store) update(ctx context.Context, what string, fn func(t *txn) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	b := s.db.NewBatch()
	defer b.Close()

	ticket, ocsp, err := s.apply(b, what, fn, s.sync)
	if err != nil {
		return err
	}
	if ticket != 0 {
		if s.testBeforeSyncWait != nil {
			s.testBeforeSyncWait()
		}
		err := b.SyncWait()
		s.durability.synced(ticket, err == nil)
		if err == nil {
			s.flight.remove(ocsp)
		}
		s.unsynced.Add(-1)
		s.durability.wake()
		if err != nil {
			return fmt.Errorf("store: %s: sync: %w", what, err)
		}
	}
	return nil
}

// updateUnsynced is update for a write whose loss in a crash costs
// nothing but work to redo: the batch is applied and written to the WAL
// like any other, but nobody waits for an fsync of its own (the next
// synced write of any caller makes it durable, the WAL being in order).
// Only records derived from durable state that a later pass rebuilds
// when they are missing may be written so — a pre-signed OCSP response
// and its due-index move (PutOCSPResponse): a crash that loses them
// leaves the certificate due, and the pre-signer signs it again.
func (s *Store) updateUnsynced(ctx context.Context, what string, fn func(t *txn) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	b := s.db.NewBatch()
	defer b.Close()
	_, _, err := s.apply(b, what, fn, false)
	return err
}

// apply runs fn and applies the batch under the writer lock, asking for
// a WAL sync when sync is set (update then waits for it). It returns the
// batch's durability ticket (durablewait.go) when it applied a batch to
// be synced, else 0, and the serials it registered in flight with it;
// fn's errors come back unwrapped.
func (s *Store) apply(b *pebble.Batch, what string, fn func(t *txn) error, sync bool) (uint64, [][]byte, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	t := &txn{s: s, b: b, now: s.now().UTC(), auditSeq: s.auditSeq, auditHash: s.auditHash, outboxSeq: s.outboxSeq}
	if err := fn(t); err != nil {
		return 0, nil, err
	}
	if b.Empty() {
		return 0, nil, nil
	}
	if t.outboxDirty {
		if err := t.set(keyOutboxSeq, binary.BigEndian.AppendUint64(nil, t.outboxSeq)); err != nil {
			return 0, nil, err
		}
	}
	var err error
	var ticket uint64
	if sync {
		// The ticket before the apply: a reader that can see the batch
		// finds a ticket at least this one (durablewait.go).
		ticket = s.durability.tickets.Add(1)
		s.flight.add(t.ocsp, ticket)
		s.unsynced.Add(1) // visible from the apply on; update waits and decrements
		if err = s.db.ApplyNoSyncWait(b, pebble.Sync); err != nil {
			s.flight.remove(t.ocsp)
			s.unsynced.Add(-1)
			s.durability.wake()
		}
	} else {
		err = b.Commit(pebble.NoSync)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("store: %s: commit: %w", what, err)
	}
	s.auditSeq, s.auditHash, s.outboxSeq = t.auditSeq, t.auditHash, t.outboxSeq
	for issuer, head := range t.logHeads {
		s.logHeads[issuer] = head
	}
	s.maybeRebuild()
	if ticket == 0 {
		return 0, nil, nil
	}
	return ticket, t.ocsp, nil
}

func (t *txn) set(key, value []byte) error {
	t.s.uniq.add(key) // uniqfilter.go: before the write is applied
	if err := t.b.Set(key, value, nil); err != nil {
		return fmt.Errorf("store: batch set %x: %w", key[:1], err)
	}
	return nil
}

func (t *txn) del(key []byte) error {
	if err := t.b.Delete(key, nil); err != nil {
		return fmt.Errorf("store: batch delete %x: %w", key[:1], err)
	}
	return nil
}

// get reads committed state (the batch's own writes are not visible;
// callers track those themselves). A key of a unique index that its
// filter proves absent is not looked up (uniqfilter.go).
func (t *txn) get(key []byte) ([]byte, error) {
	if t.s.uniq.absent(key) {
		return nil, ErrNotFound
	}
	return t.s.get(t.s.db, key)
}

func (t *txn) has(key []byte) (bool, error) {
	if t.s.uniq.absent(key) {
		return false, nil
	}
	return t.s.has(t.s.db, key)
}

// audit appends e to the chain, filling At (if zero), Seq and Hash.
func (t *txn) audit(e *AuditEntry) error {
	if e.At.IsZero() {
		e.At = t.now
	}
	e.At = e.At.UTC()
	if err := checkAudit(*e); err != nil {
		return err
	}
	e.Seq = t.auditSeq + 1
	body := encodeAudit(e)
	h, err := t.s.audit.value(e.Seq, t.auditHash, body)
	if err != nil {
		return err
	}
	e.Hash = h
	if err := t.set(t.auditKey(e.Seq), append(body, e.Hash[:]...)); err != nil {
		return err
	}
	t.auditSeq, t.auditHash = e.Seq, e.Hash
	return nil
}

// chainHash is SHA-256(prev ‖ body): the chain value of entries before
// the keyed chain starts (auditChain).
func chainHash(prev [32]byte, body []byte) [32]byte {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(body)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// outbox adds a pending row due now, filling ID and the store's fields.
func (t *txn) outbox(r *OutboxRow) error {
	t.outboxSeq++
	t.outboxDirty = true
	r.ID = t.outboxSeq
	r.CreatedAt, r.NextAttempt = t.now, t.now
	r.Attempts, r.LastError, r.Done, r.DoneAt = 0, "", false, time.Time{}
	if err := t.set(t.outboxKey(r.ID), encodeOutbox(r)); err != nil {
		return err
	}
	return t.set(t.outboxDueKey(r.Kind, r.NextAttempt, r.ID), nil)
}
