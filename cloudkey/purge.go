package cloudkey

import (
	"context"

	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/internal/job"
)

// Operations that were never confirmed are expired by a job on the
// cabinet purge's schedule (cabinet.PurgeInterval, 10 minutes): those
// whose expiry passed more than one interval ago move to expired and
// lose the document kept for an attached signature, at most 1,000 a
// run, with one audit entry (store.PurgeCloudOperations). The records
// stay: what was asked and that it was never signed is part of the
// CA's audit trail, as signed and refused operations are.

// PurgeOnce expires the operations whose expiry is before now minus
// cabinet.PurgeInterval. It returns how many expired and how many kept
// documents were deleted.
func (s *Service) PurgeOnce(ctx context.Context) (expired, documents int, err error) {
	if err := s.on(); err != nil {
		return 0, 0, err
	}
	return s.st.PurgeCloudOperations(ctx, s.now().Add(-cabinet.PurgeInterval), "system/cabinet")
}

// RunPurge runs PurgeOnce every cabinet.PurgeInterval until ctx is done
// (a job on the CA's lifetime). A CA without cloud keys (nil) returns
// at once.
func (s *Service) RunPurge(ctx context.Context) {
	if s == nil {
		return
	}
	job.Every(ctx, cabinet.PurgeInterval, nil, func() {
		n, docs, err := s.PurgeOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("cloudkey: expiring unconfirmed operations failed", "err", err)
		case n > 0:
			s.log.Info("unconfirmed signing operations expired", "operations", n, "documents_deleted", docs)
		}
	})
}
