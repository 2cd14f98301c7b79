package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// PutIntents records a batch of intents in one synced write. Per intent,
// in this order: a known RequestID makes it a duplicate (same key) or a
// conflict (other key); then the serial must never have been used; then
// the key must be neither certified nor reserved. Rejections and
// duplicates affect only their own intent; two intents of one call are
// checked against each other as if written one after the other.
func (s *Store) PutIntents(ctx context.Context, intents []Intent) ([]IntentResult, error) {
	if len(intents) > maxBatch {
		return nil, invalid("put intents: %d intents, at most %d per call", len(intents), maxBatch)
	}
	// Validation and the MACs (one per intent, the only key operation
	// of the write) run before the writer mutex is taken.
	checked := make([]Intent, len(intents))
	bad := make([]error, len(intents))
	now := s.now().UTC()
	for i := range intents {
		in := intents[i]
		in.MAC, in.Legacy = nil, false
		if err := checkIntent(&in, now); err != nil {
			bad[i] = fmt.Errorf("store: intent %d: %w", i, err)
			continue
		}
		in.CreatedAt = in.CreatedAt.UTC()
		checked[i] = in
	}
	if err := s.macIntents(checked, bad); err != nil {
		return nil, err
	}
	var res []IntentResult
	err := s.update(ctx, "put intents", func(t *txn) error {
		res = make([]IntentResult, len(intents))
		seen := &intentSeen{requests: map[string]*Intent{}, serials: map[string]bool{}, keys: map[KeyHash]bool{}}
		for i := range checked {
			if bad[i] != nil {
				res[i].Err = bad[i]
				continue
			}
			in := checked[i]
			r, err := t.putIntent(&in, seen)
			if err != nil {
				return err
			}
			res[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range res {
		if r.Cert != nil { // a replayed certificate goes back to a caller
			if err := s.durableRead(); err != nil {
				return nil, err
			}
			break
		}
	}
	return res, nil
}

// intentSeen tracks what earlier intents of the same call took.
type intentSeen struct {
	requests map[string]*Intent
	serials  map[string]bool
	keys     map[KeyHash]bool
}

// putIntent decides one validated intent; only storage failures are
// returned as errors (and fail the whole call).
func (t *txn) putIntent(in *Intent, seen *intentSeen) (IntentResult, error) {
	serial := append([]byte(nil), in.Serial...)
	if in.RequestID != "" {
		if prev := seen.requests[in.RequestID]; prev != nil {
			return duplicate(prev.Serial, prev.KeyHash, in, nil), nil
		}
		r, found, err := t.knownRequest(in)
		if found || err != nil {
			return r, err
		}
	}
	// One registry lookup covers issued, pending and failed serials.
	used := seen.serials[string(serial)]
	if !used {
		var err error
		if used, err = t.has(t.serialKey(serial)); err != nil {
			return IntentResult{}, err
		}
	}
	if used {
		return IntentResult{Serial: serial, Err: fmt.Errorf("store: intent %x: %w", serial, ErrSerialExists)}, nil
	}
	reused := seen.keys[in.KeyHash]
	if !reused {
		var err error
		if reused, err = t.has(t.keyHashKey(in.KeyHash)); err != nil {
			return IntentResult{}, err
		}
	}
	if reused {
		return IntentResult{Serial: serial, Err: fmt.Errorf("store: intent %x: key %s: %w", serial, in.KeyHash, ErrKeyReused)}, nil
	}

	in.Serial = serial
	if err := t.set(t.intentKey(serial), encodeIntent(&intentRec{Intent: *in})); err != nil {
		return IntentResult{}, err
	}
	if err := t.set(t.serialKey(serial), nil); err != nil {
		return IntentResult{}, err
	}
	if err := t.set(t.keyHashKey(in.KeyHash), serial); err != nil {
		return IntentResult{}, err
	}
	if in.RequestID != "" {
		if err := t.set(t.requestKey(in.RequestID), serial); err != nil {
			return IntentResult{}, err
		}
		seen.requests[in.RequestID] = in
	}
	seen.serials[string(serial)] = true
	seen.keys[in.KeyHash] = true
	return IntentResult{Serial: serial}, nil
}

// knownRequest resolves a request ID already in the store.
func (t *txn) knownRequest(in *Intent) (IntentResult, bool, error) {
	serial, err := t.get(t.requestKey(in.RequestID))
	if errors.Is(err, ErrNotFound) {
		return IntentResult{}, false, nil
	}
	if err != nil {
		return IntentResult{}, false, err
	}
	if v, err := t.get(certKey(serial)); err == nil {
		c, err := decodeCert(v)
		if err != nil {
			return IntentResult{}, false, err
		}
		return duplicate(serial, c.KeyHash, in, c), true, nil
	} else if !errors.Is(err, ErrNotFound) {
		return IntentResult{}, false, err
	}
	v, err := t.get(intentKey(serial))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return IntentResult{}, false, corrupt("request %q points to serial %x with neither certificate nor intent", in.RequestID, serial)
		}
		return IntentResult{}, false, err
	}
	r, err := decodeIntent(v)
	if err != nil {
		return IntentResult{}, false, err
	}
	return duplicate(serial, r.KeyHash, in, nil), true, nil
}

// duplicate answers a repeated request ID: idempotently for the same key,
// with ErrRequestConflict for another.
func duplicate(serial []byte, key KeyHash, in *Intent, c *CertRecord) IntentResult {
	serial = bytes.Clone(serial)
	if key != in.KeyHash {
		return IntentResult{Serial: serial, Err: fmt.Errorf("store: request %q (serial %x): %w", in.RequestID, serial, ErrRequestConflict)}
	}
	return IntentResult{Serial: serial, Duplicate: true, Cert: c}
}

// FailIntents marks pending intents failed in one synced write and
// records each in the audit chain (actor "system", action
// "intent.fail"). The serials stay reserved forever; their keys and
// request IDs become free. An unknown serial fails the whole call with
// ErrNotFound, a committed one with ErrInvalidTransition.
func (s *Store) FailIntents(ctx context.Context, serials [][]byte, reason string) error {
	if len(serials) > maxBatch {
		return invalid("fail intents: %d serials, at most %d per call", len(serials), maxBatch)
	}
	if err := checkLen("failure reason", reason, 1, maxReasonLen); err != nil {
		return err
	}
	norm := make([][]byte, len(serials))
	for i, sr := range serials {
		n, err := normSerial(sr)
		if err != nil {
			return fmt.Errorf("store: fail intent %d: %w", i, err)
		}
		norm[i] = n
	}
	failed := 0
	err := s.update(ctx, "fail intents", func(t *txn) error {
		done := map[string]bool{}
		for _, serial := range norm {
			if done[string(serial)] {
				continue
			}
			done[string(serial)] = true
			ok, err := t.failIntent(serial, reason)
			if err != nil {
				return err
			}
			if ok {
				failed++
			}
		}
		return nil
	})
	if err == nil && failed > 0 {
		s.log.Warn("intents failed", "count", failed, "reason", reason)
	}
	return err
}

// failIntent fails one pending intent; false means it had failed before.
func (t *txn) failIntent(serial []byte, reason string) (bool, error) {
	v, err := t.get(intentKey(serial))
	if errors.Is(err, ErrNotFound) {
		if ok, err := t.has(failedKey(serial)); ok || err != nil {
			return false, err
		}
		if ok, err := t.has(certKey(serial)); err != nil {
			return false, err
		} else if ok {
			return false, fmt.Errorf("store: fail intent %x: already issued: %w", serial, ErrInvalidTransition)
		}
		return false, fmt.Errorf("store: fail intent %x: no pending intent: %w", serial, ErrNotFound)
	}
	if err != nil {
		return false, err
	}
	r, err := decodeIntent(v)
	if err != nil {
		return false, err
	}
	r.failed, r.failedAt, r.reason = true, t.now, reason
	if err := t.del(intentKey(serial)); err != nil {
		return false, err
	}
	if err := t.set(failedKey(serial), encodeIntent(r)); err != nil {
		return false, err
	}
	if err := t.release(keyHashKey(r.KeyHash), serial); err != nil {
		return false, err
	}
	if r.RequestID != "" {
		if err := t.release(requestKey(r.RequestID), serial); err != nil {
			return false, err
		}
	}
	e := AuditEntry{Actor: "system", Action: "intent.fail", Subject: fmt.Sprintf("%x", serial), Serial: bytes.Clone(serial), Reason: reason}
	return true, t.audit(&e)
}

// release deletes a unique-index entry if it still points to serial.
func (t *txn) release(key, serial []byte) error {
	v, err := t.get(key)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(v, serial) {
		return nil
	}
	return t.del(key)
}

// PendingIntents returns the pending intents in serial order, for
// recovery on start.
func (s *Store) PendingIntents(ctx context.Context) ([]Intent, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	var out []Intent
	err := scanPrefix(ctx, s.db, []byte{pIntent}, func(k, v []byte) (bool, error) {
		r, err := decodeIntent(v)
		if err != nil {
			return false, fmt.Errorf("store: intent key %x: %w", k, err)
		}
		out = append(out, r.Intent)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		s.log.Info("pending intents found", "count", len(out))
	}
	return out, nil
}
