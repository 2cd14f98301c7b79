package store

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// AppendAudit appends one entry to the chain (synced) and returns it with
// Seq, At and Hash filled.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if err := checkAppendAudit(e); err != nil {
		return AuditEntry{}, fmt.Errorf("store: append audit: %w", err)
	}
	err := s.update(ctx, "append audit", func(t *txn) error { return t.audit(&e) })
	if err != nil {
		return AuditEntry{}, err
	}
	return e, nil
}

// AuditEntries pages through the chain in sequence order.
func (s *Store) AuditEntries(ctx context.Context, cursor string, limit int) ([]AuditEntry, string, error) {
	if err := s.enter(); err != nil {
		return nil, "", err
	}
	defer s.leave()
	var out []AuditEntry
	next, err := page(ctx, s.db, []byte{pAudit}, nil, nil, cursor, limit, func(k, v []byte) (bool, error) {
		a, _, err := decodeAudit(v)
		if err != nil {
			return false, fmt.Errorf("store: audit key %x: %w", k, err)
		}
		out = append(out, *a)
		return true, nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// AuditHead returns the sequence number and chain value of the last
// entry (0 and zeros for an empty chain). A signed Checkpoint of it,
// kept elsewhere, anchors the chain against truncation and against
// rewriting by someone who holds the audit key.
func (s *Store) AuditHead(ctx context.Context) (uint64, [32]byte, error) {
	if err := s.enter(); err != nil {
		return 0, [32]byte{}, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return 0, [32]byte{}, fmt.Errorf("store: audit head: %w", err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.auditSeq, s.auditHash, nil
}

// VerifyAudit recomputes the whole chain: sequence numbers 1, 2, … with
// no gap, each chain value over its predecessor and its own bytes (with
// the audit key from the keyed-from entry on), ending at the head this
// process knows. Any mismatch is an ErrCorrupt naming the first bad
// entry. Truncation across a restart is found only against a
// checkpoint (VerifyAuditCheckpoint, CheckWith).
func (s *Store) VerifyAudit(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	snap, seq, hash := s.snapshot()
	defer snap.Close()
	n, h, err := verifyChain(ctx, snap, &s.audit, nil)
	if err != nil {
		return err
	}
	if n != seq || h != hash {
		return corrupt("audit chain ends at %d, head is %d (truncated or rewritten)", n, seq)
	}
	return nil
}

// snapshot takes a snapshot together with the audit head it contains.
func (s *Store) snapshot() (*pebble.Snapshot, uint64, [32]byte) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.db.NewSnapshot(), s.auditSeq, s.auditHash
}

// verifyChain checks every entry of r and returns the last seq and
// chain value; fn, when not nil, sees each verified entry.
func verifyChain(ctx context.Context, r pebble.Reader, chain *auditChain, fn func(a *AuditEntry) error) (uint64, [32]byte, error) {
	var seq uint64
	var prev [32]byte
	err := scanPrefix(ctx, r, []byte{pAudit}, func(k, v []byte) (bool, error) {
		if len(k) != 9 || binary.BigEndian.Uint64(k[1:]) != seq+1 {
			return false, corrupt("audit chain: key %x after seq %d (an entry is missing)", k, seq)
		}
		a, body, err := decodeAudit(v)
		if err != nil {
			return false, fmt.Errorf("store: audit chain at seq %d: %w", seq+1, err)
		}
		if a.Seq != seq+1 {
			return false, corrupt("audit chain: entry %d claims seq %d", seq+1, a.Seq)
		}
		want, err := chain.value(a.Seq, prev, body)
		if err != nil {
			return false, err
		}
		if want != a.Hash {
			if a.Seq >= chain.rec.KeyedFrom && chain.keyed() {
				return false, corrupt("audit chain: MAC mismatch at seq %d (entry rewritten, or chained without the audit key)", a.Seq)
			}
			return false, corrupt("audit chain: hash mismatch at seq %d", a.Seq)
		}
		if fn != nil {
			if err := fn(a); err != nil {
				return false, err
			}
		}
		seq, prev = a.Seq, a.Hash
		return true, nil
	})
	return seq, prev, err
}

// lastAudit returns the last entry of the chain, nil if it is empty.
func lastAudit(r pebble.Reader) (*AuditEntry, error) {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: []byte{pAudit}, UpperBound: []byte{pAudit + 1}})
	if err != nil {
		return nil, fmt.Errorf("store: audit iterator: %w", err)
	}
	defer it.Close()
	if !it.Last() {
		if err := it.Error(); err != nil {
			return nil, fmt.Errorf("store: last audit entry: %w", err)
		}
		return nil, nil
	}
	v, err := it.ValueAndErr()
	if err != nil {
		return nil, fmt.Errorf("store: last audit entry: %w", err)
	}
	a, _, err := decodeAudit(v)
	if err != nil {
		return nil, fmt.Errorf("store: last audit entry: %w", err)
	}
	return a, nil
}
