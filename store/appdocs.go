package store

import (
	"context"
	"fmt"
)

// ApplicationDocuments calls fn with every document of every
// application, reading all application records (0x60) from one snapshot
// of the store: an application that changes state meanwhile is seen
// once, as it was (a walk over the state queues could miss one moving
// back to a queue already walked). The document sweep builds the set of
// referenced files from it before deleting orphans. fn's error stops
// the walk and is returned.
func (s *Store) ApplicationDocuments(ctx context.Context, fn func(appID string, d *Document) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	snap := s.db.NewSnapshot()
	defer snap.Close()
	return scanPrefix(ctx, snap, []byte{pApp}, func(k, v []byte) (bool, error) {
		a, err := decodeApp(v)
		if err != nil {
			return false, fmt.Errorf("store: application %s: %w", k[1:], err)
		}
		for i := range a.Documents {
			if err := fn(a.ID, &a.Documents[i]); err != nil {
				return false, err
			}
		}
		return true, nil
	})
}
