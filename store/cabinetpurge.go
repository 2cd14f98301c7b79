package store

import (
	"context"
	"fmt"
	"time"
)

// maxPurge bounds the records one PurgeCabinet call deletes.
const maxPurge = 10000

// PurgeCabinet deletes challenges whose expiry is before `before` (used
// or not: a code past its validity can do nothing), sessions that
// expired before it and code rate windows (OTPCharge) that ended before
// it, oldest first, at most 10,000 records per call, in one batch with
// an audit entry ("cabinet.purge", the counts) when anything was
// deleted. A phone's last-challenge pointer may then name a deleted
// challenge, which PutChallenge reads as "none". It returns how many
// challenges and sessions it deleted.
func (s *Store) PurgeCabinet(ctx context.Context, before time.Time, actor string) (challenges, sessions int, err error) {
	type victim struct {
		key     []byte
		session bool
		window  bool // a code rate window's end index key
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
	if err == nil && len(victims) < maxPurge {
		err = scan(ctx, s.db, []byte{pOTPWindowEnd}, appendTime([]byte{pOTPWindowEnd}, before), func(k, _ []byte) (bool, error) {
			victims = append(victims, victim{key: append([]byte(nil), k...), window: true})
			return len(victims) < maxPurge, nil
		})
	}
	s.leave()
	if err != nil || len(victims) == 0 {
		return 0, 0, err
	}
	for _, v := range victims {
		switch {
		case v.window:
		case v.session:
			sessions++
		default:
			challenges++
		}
	}
	err = s.update(ctx, "purge cabinet", func(t *txn) error {
		windows := 0
		for _, v := range victims {
			if v.window {
				gone, err := t.delOTPWindow(v.key)
				if err != nil {
					return err
				}
				if gone {
					windows++
				}
				continue
			}
			if err := t.del(v.key); err != nil {
				return err
			}
		}
		if challenges+sessions+windows == 0 {
			return nil
		}
		audit := AuditEntry{Actor: actor, Action: "cabinet.purge", Subject: "cabinet",
			Details: fmt.Sprintf("%d challenges, %d sessions expired before %s", challenges, sessions, before.UTC().Format(time.RFC3339))}
		if windows > 0 {
			audit.Details += fmt.Sprintf("; %d code rate windows ended", windows)
		}
		return t.audit(&audit)
	})
	if err != nil {
		return 0, 0, err
	}
	return challenges, sessions, nil
}
