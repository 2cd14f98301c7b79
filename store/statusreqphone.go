package store

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Status requests by phone (doc.go "Status requests"): the subscriber's
// own list. An entry is written with the request's draft, in its batch,
// and deleted with it by PurgeStatusDrafts; a request's state changes do
// not move it (its key holds the phone and the creation time, which
// never change). Stores whose requests predate the index get it on Open
// (backfillStatusReqPhones).

const pStatusReqByPhone byte = 0x8F // phone(12) ‖ ^created(8, Unix ns) ‖ id(16) → empty: newest first

func statusReqPhoneKey(phone string, created int64, id [StatusRequestIDLen]byte) []byte {
	k := append([]byte{pStatusReqByPhone}, phone...)
	k = binary.BigEndian.AppendUint64(k, ^uint64(created))
	return append(k, id[:]...)
}

func (r *StatusRequest) phoneKey() []byte {
	return statusReqPhoneKey(r.Phone, r.Created.UnixNano(), r.ID)
}

const statusReqPhoneKeyLen = 1 + phoneLen + 8 + StatusRequestIDLen

// StatusRequestsOfPhone lists the requests of a phone, newest first, from
// a cursor (the previous page's next cursor; "" for the first page). A
// phone that is not +7 and 10 digits has none.
func (s *Store) StatusRequestsOfPhone(ctx context.Context, phone, cursor string, limit int) ([]StatusRequest, string, error) {
	if err := s.enter(); err != nil {
		return nil, "", err
	}
	defer s.leave()
	if len(phone) != phoneLen {
		return nil, "", nil
	}
	limit = clampLimit(limit)
	prefix := append([]byte{pStatusReqByPhone}, phone...)
	lower := prefix
	if cursor != "" {
		raw, err := hex.DecodeString(cursor)
		if err != nil || len(raw) != 8+StatusRequestIDLen {
			return nil, "", invalid("status request cursor")
		}
		lower = append(append(append([]byte{}, prefix...), raw...), 0)
	}
	var out []StatusRequest
	next := ""
	err := scan(ctx, s.db, lower, prefixEnd(prefix), func(k, _ []byte) (bool, error) {
		if len(out) == limit {
			next = hex.EncodeToString(out[len(out)-1].phoneKey()[1+phoneLen:])
			return false, nil
		}
		if len(k) != statusReqPhoneKeyLen {
			return false, corrupt("status request phone index key %x", k)
		}
		id := [StatusRequestIDLen]byte(k[1+phoneLen+8:])
		r, err := s.loadStatusRequest(id)
		if err != nil {
			return false, fmt.Errorf("store: status request %x: %w", id, err)
		}
		if r.Phone != phone {
			return false, corrupt("status request %x of another phone in the phone index", id)
		}
		out = append(out, *r)
		return true, nil
	})
	return out, next, err
}

// backfillStatusReqPhones writes the phone index entry of every status
// request that lacks one (requests written before the index existed), in
// one batch, and nothing when none lacks it: idempotent, so Open runs it
// every time. The scan reads the requests only (few next to the
// certificates), and the index is complete before any reader runs.
func (s *Store) backfillStatusReqPhones(ctx context.Context) error {
	var missing [][]byte
	err := scanPrefix(ctx, s.db, []byte{pStatusReq}, func(k, v []byte) (bool, error) {
		if len(k) != 1+StatusRequestIDLen {
			return false, corrupt("status request key %x", k)
		}
		r, err := decodeStatusRequest(k[1:], v)
		if err != nil {
			return false, fmt.Errorf("status request %x: %w", k[1:], err)
		}
		has, err := s.has(s.db, r.phoneKey())
		if err != nil {
			return false, err
		}
		if !has {
			missing = append(missing, r.phoneKey())
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("store: index status requests by phone: %w", err)
	}
	return s.backfill(ctx, "index status requests by phone", "status requests indexed by phone", missing)
}

// backfill writes the empty index entries an open found missing, in one
// batch (none: nothing written), and logs how many (done: the log line).
// Index backfills run on every open, so writing nothing when nothing is
// missing keeps them idempotent.
func (s *Store) backfill(ctx context.Context, op, done string, missing [][]byte) error {
	if len(missing) == 0 {
		return nil
	}
	if err := s.update(ctx, op, func(t *txn) error {
		for _, k := range missing {
			if err := t.set(k, nil); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	s.log.Info(done, "count", len(missing))
	return nil
}

// statusRequestPhoneEntry checks a 0x8F entry (Check): its shape, and
// that it names a request of its phone and creation time.
func (c *checker) statusRequestPhoneEntry(k []byte) {
	if len(k) != statusReqPhoneKeyLen {
		c.problem("decode", k, "status request phone index key length %d", len(k))
		return
	}
	id := [StatusRequestIDLen]byte(k[1+phoneLen+8:])
	v, err := c.s.get(c.r, statusReqKey(id))
	if err != nil {
		c.problem("dangling-index", k, "phone index entry of status request %x: %v", id, err)
		return
	}
	r, err := decodeStatusRequest(id[:], v)
	if err != nil {
		return // reported with the record
	}
	if string(r.phoneKey()) != string(k) {
		c.problem("mismatch", k, "phone index entry of status request %x: not its phone or time", id)
	}
}
