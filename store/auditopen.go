package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/cockroachdb/pebble/v2"
)

// create initialises an empty database: the schema version and the
// audit key record (keyed from entry 1 with the key Open was given), in
// one synced batch.
func (s *Store) create() error {
	empty := true
	if err := scan(context.Background(), s.db, nil, nil, func(_, _ []byte) (bool, error) {
		empty = false
		return false, nil
	}); err != nil {
		return err
	}
	if !empty {
		return corrupt("the schema version is missing but the database holds records")
	}
	id, err := keyID(s.audit.key)
	if err != nil {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	if err := b.Set(keySchema, []byte{schemaVersion}, nil); err != nil {
		return err
	}
	if err := b.Set(keyAuditKey, encodeAuditKeyRec(auditKeyRec{KeyedFrom: 1, ID: id}), nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store: write schema version: %w", err)
	}
	return nil
}

// loadAuditKey reads the audit key record and matches it with the key
// Open was given. An unkeyed chain given a real key is keyed from its
// next entry on (startKeyed); a keyed chain given another key, or none,
// is refused: appending under another key would make every later entry
// look forged, and without the key nothing can be appended at all.
func (s *Store) loadAuditKey() error {
	v, err := s.get(s.db, keyAuditKey)
	if errors.Is(err, ErrNotFound) {
		return corrupt("schema %d store without its audit key record", schemaVersion)
	}
	if err != nil {
		return err
	}
	rec, err := decodeAuditKeyRec(v)
	if err != nil {
		return err
	}
	if rec.KeyedFrom > s.auditSeq+1 {
		return corrupt("the audit chain is keyed from entry %d but ends at entry %d: its newest entries were deleted", rec.KeyedFrom, s.auditSeq)
	}
	id, err := keyID(s.audit.key)
	if err != nil {
		return err
	}
	switch {
	case rec.matchKey(id):
		s.audit.rec = rec
		return nil
	case rec.ID == unkeyedID:
		s.audit.rec = rec
		return s.startKeyed(id, s.auditSeq, "store: key the audit chain")
	case id == unkeyedID:
		return fmt.Errorf("store: the audit chain is keyed from entry %d; open the store with the CA's audit key (Options.AuditKey): %w", rec.KeyedFrom, ErrAuditKey)
	}
	return fmt.Errorf("store: the audit chain is keyed from entry %d with another key (fingerprint %x…, given %x…); open the store with the key it was written with: %w",
		rec.KeyedFrom, rec.ID[:4], id[:4], ErrAuditKey)
}

// startKeyed keys the chain from entry head+1 on: in one synced batch it
// writes the audit key record and, as entry head+1, an "audit.keyed"
// entry chained with the key (its chain value covers the SHA-256 chain
// before it). extra (schema migration) adds the version to the batch.
func (s *Store) startKeyed(id AuditKeyID, head uint64, what string, extra ...func(*pebble.Batch) error) error {
	if s.audit.required {
		return fmt.Errorf("%s: the audit chain is not keyed (entries 1–%d), but the audit key was in use before: the chain may have been rewritten "+
			"and downgraded; verify it against the newest checkpoint before keying it (open without RequireKeyedAudit): %w", what, head, ErrAuditKey)
	}
	_, prev, err := lastChainValue(s.db)
	if err != nil {
		return err
	}
	rec := auditKeyRec{KeyedFrom: head + 1, ID: id}
	e := AuditEntry{
		Seq: head + 1, At: s.now().UTC(), Actor: "system", Action: "audit.keyed",
		Attrs:   []AuditAttr{{Key: "previous_seq", Value: strconv.FormatUint(head, 10)}, {Key: "key_id", Value: fmt.Sprintf("%x", id[:8])}},
		Details: "the audit chain is keyed (HMAC-SHA256) from this entry on; the entries before it are chained with SHA-256",
	}
	if id == unkeyedID {
		e.Details = "the audit chain has no key: every entry is chained with SHA-256"
	}
	chain := auditChain{key: s.audit.key, rec: rec}
	body := encodeAudit(&e)
	if e.Hash, err = chain.value(e.Seq, prev, body); err != nil {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	if err := b.Set(keyAuditKey, encodeAuditKeyRec(rec), nil); err != nil {
		return err
	}
	if err := b.Set(auditKey(e.Seq), append(body, e.Hash[:]...), nil); err != nil {
		return err
	}
	for _, f := range extra {
		if err := f(b); err != nil {
			return err
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	s.audit.rec = rec
	s.auditSeq, s.auditHash = e.Seq, e.Hash
	s.log.Info("audit chain keyed", "from", rec.KeyedFrom, "keyed", id != unkeyedID)
	return nil
}

// lastChainValue returns the sequence number and chain value of the last
// entry (0 and zeros for an empty chain).
func lastChainValue(r pebble.Reader) (uint64, [32]byte, error) {
	last, err := lastAudit(r)
	if err != nil || last == nil {
		return 0, [32]byte{}, err
	}
	return last.Seq, last.Hash, nil
}

// migrateAuditKey is the 5 → 6 step: the existing entries (version 1,
// chained with SHA-256) stay as they are; the chain is keyed from the
// next entry on, which the step writes ("audit.keyed") together with the
// audit key record and version 6, in one synced batch. A crash before
// the batch leaves a version 5 store that migrates again.
func (s *Store) migrateAuditKey() error {
	head, _, err := lastChainValue(s.db)
	if err != nil {
		return err
	}
	id, err := keyID(s.audit.key)
	if err != nil {
		return err
	}
	err = s.startKeyed(id, head, "store: migrate to schema 6", func(b *pebble.Batch) error {
		return b.Set(keySchema, []byte{6}, nil)
	})
	if err != nil {
		return err
	}
	s.log.Info("store migrated to schema 6 (keyed audit chain)", "keyed_from", head+1)
	return nil
}
