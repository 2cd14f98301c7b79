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

// The status-change log (schema 3). SetStatus appends one row per change
// under pStatusLog ‖ issuer ‖ seq in the batch of the change itself, so
// the log and the statuses never disagree. A full CRL is built from a
// snapshot of the revocation index together with the log head of the
// same snapshot (RevokedSnapshot); the engine records that position with
// the CRL number (PutCRLBase), and a delta CRL reads the rows after it
// (StatusLog). Rows are never rewritten; a store migrated from schema 2
// starts with an empty log, which is correct because every base CRL
// record is written after the migration.

// statusLogHead returns the last sequence number of issuer's log in r
// (0 when empty).
func statusLogHead(r pebble.Reader, issuer string) (uint64, error) {
	prefix := statusLogPrefix(issuer)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return 0, fmt.Errorf("store: new iterator: %w", err)
	}
	var seq uint64
	if it.Last() {
		k := it.Key()
		if len(k) != len(prefix)+8 {
			_ = it.Close()
			return 0, corrupt("status log key %x", k)
		}
		seq = binary.BigEndian.Uint64(k[len(prefix):])
	}
	if err := it.Close(); err != nil {
		return 0, fmt.Errorf("store: status log head of %q: %w", issuer, err)
	}
	return seq, nil
}

// logStatus appends a row to the certificate's issuer log. Under wmu: the
// head comes from memory once loaded and advances only when the batch is
// applied (see apply).
func (t *txn) logStatus(issuer string, serial []byte, from, to Status) error {
	head, ok := t.logHeads[issuer]
	if !ok {
		var err error
		if head, err = t.s.logHead(issuer); err != nil {
			return err
		}
	}
	head++
	if t.logHeads == nil {
		t.logHeads = map[string]uint64{}
	}
	t.logHeads[issuer] = head
	row := &StatusLogEntry{Seq: head, Serial: serial, From: from, To: to, ChangedAt: t.now}
	return t.set(statusLogKey(issuer, head), encodeStatusLog(row))
}

// StatusLog streams issuerID's status-change rows with Seq > after, in
// order, until fn returns false, from one consistent view, and returns
// the log head of that view. An after beyond the head is ErrInvalidInput.
func (s *Store) StatusLog(ctx context.Context, issuerID string, after uint64, fn func(StatusLogEntry) bool) (uint64, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	if err := checkLen("issuer ID", issuerID, 1, maxIssuerLen); err != nil {
		return 0, err
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()
	head, err := statusLogHead(snap, issuerID)
	if err != nil {
		return 0, err
	}
	if after > head {
		return 0, invalid("status log of %q: position %d is beyond the head %d", issuerID, after, head)
	}
	prefix := statusLogPrefix(issuerID)
	lower := binary.BigEndian.AppendUint64(bytes.Clone(prefix), after+1)
	err = scan(ctx, snap, lower, prefixEnd(prefix), func(k, v []byte) (bool, error) {
		if len(k) != len(prefix)+8 {
			return false, corrupt("status log key %x", k)
		}
		r, err := decodeStatusLog(binary.BigEndian.Uint64(k[len(prefix):]), v)
		if err != nil {
			return false, fmt.Errorf("store: status log of %q: %w", issuerID, err)
		}
		return fn(*r), nil
	})
	if err != nil {
		return 0, err
	}
	return head, nil
}

// RevokedSnapshot is Revoked with the position of the issuer's
// status-change log in the same view: the entries reflect exactly the
// changes up to that position. A complete CRL built from them is the
// base of the deltas that list the later rows.
func (s *Store) RevokedSnapshot(ctx context.Context, issuerID string, fn func(serial []byte, at time.Time, reason int, invalidity time.Time) bool) (uint64, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	if err := checkLen("issuer ID", issuerID, 1, maxIssuerLen); err != nil {
		return 0, err
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()
	head, err := statusLogHead(snap, issuerID)
	if err != nil {
		return 0, err
	}
	if err := revokedScan(ctx, snap, issuerID, fn); err != nil {
		return 0, err
	}
	return head, nil
}

// checkScope validates a CRL scope name: 1–32 bytes of [a-z0-9/_-].
func checkScope(scope string) error {
	if err := checkLen("CRL scope", scope, 1, 32); err != nil {
		return err
	}
	for i := 0; i < len(scope); i++ {
		c := scope[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '/' || c == '_' || c == '-') {
			return invalid("CRL scope %q: only a-z 0-9 / _ -", scope)
		}
	}
	return nil
}

// PutCRLBase records that the complete CRL of (issuerID, scope) with
// b.Number was built at log position b.LogSeq. The number must have been
// handed out by NextCRLNumber and be above the scope's current base, and
// the position must not be beyond the log head; otherwise nothing is
// written (ErrInvalidInput, or ErrInvalidTransition for an older number:
// a slower builder never replaces a newer base).
func (s *Store) PutCRLBase(ctx context.Context, issuerID, scope string, b CRLBase) error {
	if err := checkLen("issuer ID", issuerID, 1, maxIssuerLen); err != nil {
		return err
	}
	if err := checkScope(scope); err != nil {
		return err
	}
	if b.Number == nil || b.Number.Sign() <= 0 || b.Number.BitLen() > 8*maxSerialLen-1 {
		return invalid("CRL base of %q/%s: number must be positive and at most 20 octets", issuerID, scope)
	}
	if b.ThisUpdate.IsZero() || !b.NextUpdate.After(b.ThisUpdate) {
		return invalid("CRL base of %q/%s: thisUpdate %v, nextUpdate %v", issuerID, scope, b.ThisUpdate, b.NextUpdate)
	}
	b.ThisUpdate, b.NextUpdate = b.ThisUpdate.UTC(), b.NextUpdate.UTC()
	return s.update(ctx, "put CRL base", func(t *txn) error {
		last, err := t.crlNumber(issuerID)
		if err != nil {
			return err
		}
		if b.Number.Cmp(last) > 0 {
			return invalid("CRL base of %q/%s: number %v was never handed out (last %v)", issuerID, scope, b.Number, last)
		}
		head, err := t.s.logHead(issuerID)
		if err != nil {
			return err
		}
		if b.LogSeq > head {
			return invalid("CRL base of %q/%s: log position %d is beyond the head %d", issuerID, scope, b.LogSeq, head)
		}
		v, err := t.get(crlBaseKey(issuerID, scope))
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		default:
			cur, err := decodeCRLBase(v)
			if err != nil {
				return fmt.Errorf("store: CRL base of %q/%s: %w", issuerID, scope, err)
			}
			if b.Number.Cmp(cur.Number) <= 0 || b.LogSeq < cur.LogSeq {
				return fmt.Errorf("store: CRL base of %q/%s: number %v (log %d) does not follow %v (log %d): %w",
					issuerID, scope, b.Number, b.LogSeq, cur.Number, cur.LogSeq, ErrInvalidTransition)
			}
		}
		return t.set(crlBaseKey(issuerID, scope), encodeCRLBase(&b))
	})
}

// CRLBase returns the recorded base of (issuerID, scope); ErrNotFound if
// none was recorded.
func (s *Store) CRLBase(ctx context.Context, issuerID, scope string) (*CRLBase, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := checkLen("issuer ID", issuerID, 1, maxIssuerLen); err != nil {
		return nil, err
	}
	if err := checkScope(scope); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: CRL base: %w", err)
	}
	v, err := s.get(s.db, crlBaseKey(issuerID, scope))
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: CRL base of %q/%s: %w", issuerID, scope, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	b, err := decodeCRLBase(v)
	if err != nil {
		return nil, fmt.Errorf("store: CRL base of %q/%s: %w", issuerID, scope, err)
	}
	return b, nil
}

// PinCRLPartitions fixes the number of CRL partitions of issuerID. The
// first call with n > 0 records n (with an audit entry in the same
// batch); later calls must pass the same n. Certificates carry their
// partition's URL, so once one may have been issued under n partitions
// the count can never change: a different n, including 0, is
// ErrInvalidTransition and nothing is written. n == 0 with nothing
// recorded is a no-op. It returns the recorded count (0: none).
func (s *Store) PinCRLPartitions(ctx context.Context, issuerID string, n int, audit AuditEntry) (int, error) {
	if err := checkLen("issuer ID", issuerID, 1, maxIssuerLen); err != nil {
		return 0, err
	}
	if n < 0 || n > MaxCRLPartitions {
		return 0, invalid("CRL partitions of %q: %d is outside 0..%d", issuerID, n, MaxCRLPartitions)
	}
	if audit.Action == "" {
		audit.Action = "crl.partitions"
	}
	if audit.Subject == "" {
		audit.Subject = issuerID
	}
	if audit.Details == "" {
		audit.Details = fmt.Sprintf("partitions=%d", n)
	}
	if n > 0 {
		if err := checkAppendAudit(audit); err != nil {
			return 0, fmt.Errorf("store: CRL partitions of %q: %w", issuerID, err)
		}
	}
	var pinned int
	err := s.update(ctx, "pin CRL partitions", func(t *txn) error {
		v, err := t.get(crlPartsKey(issuerID))
		switch {
		case errors.Is(err, ErrNotFound):
			if n == 0 {
				return nil
			}
			pinned = n
			if err := t.set(crlPartsKey(issuerID), encodeCRLParts(n)); err != nil {
				return err
			}
			return t.audit(&audit)
		case err != nil:
			return err
		}
		cur, err := decodeCRLParts(v)
		if err != nil {
			return fmt.Errorf("store: CRL partitions of %q: %w", issuerID, err)
		}
		pinned = cur
		if cur != n {
			return fmt.Errorf("store: issuer %q has issued certificates with %d CRL partitions; the count cannot change to %d: %w",
				issuerID, cur, n, ErrInvalidTransition)
		}
		return nil
	})
	if err != nil {
		return pinned, err
	}
	return pinned, nil
}

// crlNumber reads the last CRL number handed out (0 if none).
func (t *txn) crlNumber(issuerID string) (*big.Int, error) {
	v, err := t.get(crlNumberKey(issuerID))
	cur := new(big.Int)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, err
	default:
		b, err := decodeCRLNumber(v)
		if err != nil {
			return nil, fmt.Errorf("store: CRL number of %q: %w", issuerID, err)
		}
		cur.SetBytes(b)
	}
	return cur, nil
}

// logHead is the committed log head of issuer; under wmu.
func (s *Store) logHead(issuer string) (uint64, error) {
	if h, ok := s.logHeads[issuer]; ok {
		return h, nil
	}
	h, err := statusLogHead(s.db, issuer)
	if err != nil {
		return 0, err
	}
	s.logHeads[issuer] = h
	return h, nil
}

// migrateStatusLog upgrades a version 3 store to 4. The new record kinds
// start empty: no base CRL record exists before the migration, so every
// delta CRL is built against a base whose log position was taken after
// it, and changes made before the migration are all in that base.
func (s *Store) migrateStatusLog() error {
	if err := s.db.Set(keySchema, []byte{4}, pebble.Sync); err != nil {
		return fmt.Errorf("store: migrate to schema 4: %w", err)
	}
	s.log.Info("store migrated to schema 4 (status-change log, CRL bases)")
	return nil
}
