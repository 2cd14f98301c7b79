package publish

import (
	"context"
	"math/big"
	"time"

	"github.com/gostca/gostca/store"
)

// Store is what the publisher reads and writes in the store.
type Store interface {
	Certificate(ctx context.Context, serial []byte) (*store.CertRecord, error)
	RevokedSnapshot(ctx context.Context, issuerID string, fn func(serial []byte, at time.Time, reason int, invalidity time.Time) bool) (logSeq uint64, err error)
	StatusLog(ctx context.Context, issuerID string, after uint64, fn func(store.StatusLogEntry) bool) (head uint64, err error)
	NextCRLNumber(ctx context.Context, issuerID string) (*big.Int, error)
	PutCRLBase(ctx context.Context, issuerID, scope string, b store.CRLBase) error
	PinCRLPartitions(ctx context.Context, issuerID string, n int, audit store.AuditEntry) (int, error)
	PutOCSPResponse(ctx context.Context, r store.OCSPRecord) error
	OCSPResponse(ctx context.Context, serial []byte) (*store.OCSPRecord, error)
	OCSPDue(ctx context.Context, before time.Time, cursor string, limit int) (page []store.OCSPDue, next string, err error)
	OCSPRetire(ctx context.Context, serial []byte) error
	AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error)
}
