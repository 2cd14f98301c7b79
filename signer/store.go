package signer

import (
	"context"

	"github.com/gostca/gostca/store"
)

// Store is the part of the certificate store the signer uses: write-ahead
// intents, the group commit, and the intents a crash left. *store.Store
// implements it; each method keeps the meaning store.Backend documents.
type Store interface {
	// PutIntents records a batch's intents in one durable write.
	PutIntents(ctx context.Context, intents []store.Intent) ([]store.IntentResult, error)
	// CommitIssuedRecords commits signed certificates (and their outbox
	// rows and audit entries) in one durable write and returns the
	// records written.
	CommitIssuedRecords(ctx context.Context, certs []store.Issued) ([]store.CertRecord, error)
	// FailIntents marks intents failed, keeps their serials reserved and
	// audits each with reason, in one write.
	FailIntents(ctx context.Context, serials [][]byte, reason string) error
	// PendingIntents lists the intents neither committed nor failed.
	PendingIntents(ctx context.Context) ([]store.Intent, error)
	// VerifyIntent checks a pending intent's MAC (audit key):
	// store.ErrIntentMAC or store.ErrIntentNoMAC mean it must not be
	// signed; another error is the key's.
	VerifyIntent(in *store.Intent) error
}
