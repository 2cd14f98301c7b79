package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// RevokedView is a consistent, re-readable view of one issuer's
// revocation index and of the position of its status-change log: the
// entries reflect exactly the changes up to LogSeq, on every Scan. It lets
// a CRL builder that reads its entries more than once (a size pass, then
// an encoding pass) stream them from the database instead of holding a
// million of them in memory. A view pins a Pebble snapshot: Close it as
// soon as the build is done. The store's Close waits for open views.
type RevokedView struct {
	s      *Store
	snap   *pebble.Snapshot
	issuer string
	head   uint64
}

// OpenRevokedView opens a view of issuerID's revocations.
func (s *Store) OpenRevokedView(ctx context.Context, issuerID string) (*RevokedView, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkLen("issuer ID", issuerID, 1, maxIssuerLen); err != nil {
		return nil, err
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	snap := s.db.NewSnapshot()
	head, err := statusLogHead(snap, issuerID)
	if err != nil {
		_ = snap.Close()
		s.leave()
		return nil, err
	}
	return &RevokedView{s: s, snap: snap, issuer: issuerID, head: head}, nil
}

// LogSeq is the status-change log position the view reflects.
func (v *RevokedView) LogSeq() uint64 { return v.head }

// Scan calls fn for every revoked or held certificate of the view, in key
// order, until fn returns false. serial is valid only until fn returns
// (copy it to keep it). Every Scan of a view yields the same entries.
func (v *RevokedView) Scan(ctx context.Context, fn func(serial []byte, at time.Time, reason int, invalidity time.Time) bool) error {
	if v.snap == nil {
		return fmt.Errorf("store: revoked view of %q: %w", v.issuer, ErrClosed)
	}
	prefix := revokedPrefix(v.issuer)
	return scanPrefix(ctx, v.snap, prefix, func(k, val []byte) (bool, error) {
		serial, rest, ok := cutSerial(k[len(prefix):])
		if !ok || len(rest) != 0 {
			return false, corrupt("revocation key %x", k)
		}
		e, err := decodeRevEntry(val)
		if err != nil {
			return false, fmt.Errorf("store: revocation %x: %w", serial, err)
		}
		return fn(serial, e.at, e.reason, e.invalidity), nil
	})
}

// Close releases the view's snapshot. It is safe to call more than once.
func (v *RevokedView) Close() error {
	if v.snap == nil {
		return nil
	}
	err := v.snap.Close()
	v.snap = nil
	v.s.leave()
	if err != nil {
		return fmt.Errorf("store: close revoked view of %q: %w", v.issuer, err)
	}
	return nil
}
