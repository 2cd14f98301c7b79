package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"
)

// PurgeStatusDrafts deletes status requests still awaiting their code
// that were asked before a time (their code has expired: they can never
// be confirmed), with one "cabinet.purge_status_drafts" audit entry
// naming the count, in one batch (the record with its 0x8E and 0x8F
// entries); at most maxPurge a call. Pending and decided requests are
// kept.
func (s *Store) PurgeStatusDrafts(ctx context.Context, before time.Time, actor string) (int, error) {
	prefix := []byte{pStatusReqByState, byte(ReqAwaitingCode)}
	upper := binary.BigEndian.AppendUint64(append([]byte{}, prefix...), uint64(before.UnixNano()))
	var keys [][]byte
	if err := s.enter(); err != nil {
		return 0, err
	}
	err := scan(ctx, s.db, prefix, upper, func(k, _ []byte) (bool, error) {
		keys = append(keys, append([]byte(nil), k...))
		return len(keys) < maxPurge, nil
	})
	s.leave()
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	n := 0
	err = s.update(ctx, "purge status drafts", func(t *txn) error {
		n = 0
		for _, k := range keys {
			if len(k) != 2+8+StatusRequestIDLen {
				return corrupt("status request index key %x", k)
			}
			id := [StatusRequestIDLen]byte(k[10:])
			r, err := t.s.loadStatusRequest(id)
			if err != nil || r.State != ReqAwaitingCode {
				continue // confirmed meanwhile (its entry moved) or gone
			}
			if err := t.del(k); err != nil {
				return err
			}
			if err := t.del(statusReqKey(id)); err != nil {
				return err
			}
			if err := t.del(r.phoneKey()); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		audit := AuditEntry{Actor: actor, Action: "cabinet.purge_status_drafts", Subject: "cabinet",
			Details: fmt.Sprintf("%d unconfirmed status requests asked before %s", n, before.UTC().Format(time.RFC3339))}
		return t.audit(&audit)
	})
	return n, err
}
