package store

import (
	"context"
	"fmt"
	"time"
)

// maxPurge bounds the records one PurgeCabinet call deletes.
const maxPurge = 10000

// PurgeCabinet deletes challenges whose expiry is before `before` (used
// or not: a code past its validity can do nothing) and sessions that
// expired before it, at most 10,000 per call, in one batch with an audit
// entry ("cabinet.purge", the counts) when anything was deleted. A
// phone's last-challenge pointer may then name a deleted challenge,
// which PutChallenge reads as "none". It returns how many it deleted.
func (s *Store) PurgeCabinet(ctx context.Context, before time.Time, actor string) (challenges, sessions int, err error) {
	type victim struct {
		key     []byte
		session bool
	}
	var victims []victim
	collect := func(prefix byte, session bool) error {
		return scan(ctx, s.db, []byte{prefix}, []byte{prefix + 1}, func(k, v []byte) (bool, error) {
			var expires time.Time
			if session {
				ss, err := decodeSession(k[1:], v)
				if err != nil {
					return false, err
				}
				expires = ss.Expires
			} else {
				c, err := decodeChallenge(k[1:], v)
				if err != nil {
					return false, err
				}
				expires = c.Expires
			}
			if expires.Before(before) {
				victims = append(victims, victim{key: append([]byte(nil), k...), session: session})
			}
			return len(victims) < maxPurge, nil
		})
	}
	if err := s.enter(); err != nil {
		return 0, 0, err
	}
	err = collect(pChallenge, false)
	if err == nil && len(victims) < maxPurge {
		err = collect(pSession, true)
	}
	s.leave()
	if err != nil || len(victims) == 0 {
		return 0, 0, err
	}
	for _, v := range victims {
		if v.session {
			sessions++
		} else {
			challenges++
		}
	}
	audit := AuditEntry{Actor: actor, Action: "cabinet.purge", Subject: "cabinet",
		Details: fmt.Sprintf("%d challenges, %d sessions expired before %s", challenges, sessions, before.UTC().Format(time.RFC3339))}
	err = s.update(ctx, "purge cabinet", func(t *txn) error {
		for _, v := range victims {
			if err := t.del(v.key); err != nil {
				return err
			}
		}
		return t.audit(&audit)
	})
	if err != nil {
		return 0, 0, err
	}
	return challenges, sessions, nil
}
