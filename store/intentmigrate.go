package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// maxAcceptedListed bounds the serials named in the acceptance entry's
// details; the count is always exact.
const maxAcceptedListed = 64

// migrateIntentMACs is the 6 → 7 step: every intent written from now on
// carries a MAC. Pending intents of an older version have none. With
// none pending, the step writes version 7 only. With some, and without
// Options.AcceptUnMACedIntents, Open fails with ErrUnMACedIntents and the
// store stays at schema 6, unchanged (the pending intents cannot be told
// from intents forged while the CA was down). With the option, one
// synced batch rewrites each as a version 3 record marked Legacy and
// MACed as it stands, appends one "intent.accept-unmacced" audit entry
// that counts and names them, and writes version 7. Failed intents are
// never signed and stay as they are.
func (s *Store) migrateIntentMACs() error {
	var legacy []*intentRec
	err := scanPrefix(context.Background(), s.db, []byte{pIntent}, func(k, v []byte) (bool, error) {
		r, err := decodeIntent(v)
		if err != nil {
			return false, fmt.Errorf("intent key %x: %w", k, err)
		}
		if r.MAC == nil {
			legacy = append(legacy, r)
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("store: migrate to schema 7: %w", err)
	}
	if len(legacy) == 0 {
		if err := s.db.Set(keySchema, []byte{7}, pebble.Sync); err != nil {
			return fmt.Errorf("store: migrate to schema 7: %w", err)
		}
		s.log.Info("store migrated to schema 7 (MACed intents)")
		return nil
	}
	if !s.acceptUnMACed {
		return fmt.Errorf("store: migrate to schema 7: %d pending intents were written before schema 7 and carry no MAC, so they cannot be "+
			"told from intents changed while the CA was down; if you trust the database as the previous version left it (its fsck and "+
			"audit log checked against your newest checkpoint), run `gostca recover --accept-unmacced` once to complete them with the "+
			"schema 6 checks; otherwise restore a backup: %w", len(legacy), ErrUnMACedIntents)
	}
	var names []string
	err = s.update(context.Background(), "migrate to schema 7", func(t *txn) error {
		for _, r := range legacy {
			r.Legacy = true
			mac, err := s.intentMAC(&r.Intent)
			if err != nil {
				return err
			}
			r.MAC = mac
			if err := t.set(intentKey(r.Serial), encodeIntent(r)); err != nil {
				return err
			}
			if len(names) < maxAcceptedListed {
				names = append(names, fmt.Sprintf("%x", r.Serial))
			}
		}
		d := fmt.Sprintf("%d pending intents written before schema 7 accepted without a MAC of their own (the operator's --accept-unmacced); "+
			"recovery re-checks them with the schema 6 rules: %s", len(legacy), strings.Join(names, " "))
		if len(legacy) > len(names) {
			d += " …"
		}
		e := AuditEntry{Actor: "system", Action: "intent.accept-unmacced", Subject: "intents", Details: d}
		if err := t.audit(&e); err != nil {
			return err
		}
		return t.set(keySchema, []byte{7})
	})
	if err != nil {
		return fmt.Errorf("store: migrate to schema 7: %w", err)
	}
	s.log.Warn("store migrated to schema 7; pending intents without a MAC accepted on the operator's word", "count", len(legacy))
	return nil
}
