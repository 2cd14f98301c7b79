package publish

import (
	"context"

	"github.com/gostca/gostca/store"
)

// Store is what the publisher reads and writes: publication records, the
// certificates they describe, and the audit entry of a CRL built on
// demand.
type Store interface {
	store.Publication
	Certificate(ctx context.Context, serial []byte) (*store.CertRecord, error)
	AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error)
}
