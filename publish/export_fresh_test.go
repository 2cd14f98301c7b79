package publish

import (
	"context"

	"github.com/gostca/gostca/store"
)

// SetBeforeFreshStore has fn see each turn of the new certificates'
// pre-signer between signing and storing; false drops the turn's
// responses. Call it before the first Issued. From then on PresignNew
// declines, so that every new certificate goes through that pre-signer
// (as one does whose response could not be signed with it).
func (pub *Publisher) SetBeforeFreshStore(fn func([]store.OCSPRecord) bool) {
	pub.beforeFreshStore = fn
}

// PresignEach signs and stores the responses of recs one write each, as
// the new certificates' pre-signer did before its writes were batched
// (and as a status change still does).
func (pub *Publisher) PresignEach(ctx context.Context, recs []*store.CertRecord) error {
	for _, rec := range recs {
		if err := pub.presign(ctx, pub.issuers[rec.IssuerID], rec); err != nil {
			return err
		}
	}
	return nil
}

// PresignBatch signs the responses of recs and stores them in one write,
// as a turn of the new certificates' pre-signer does.
func (pub *Publisher) PresignBatch(ctx context.Context, recs []*store.CertRecord) {
	pub.signStoreFresh(ctx, recs)
}
