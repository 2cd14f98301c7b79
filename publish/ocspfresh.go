package publish

import (
	"context"

	"github.com/gostca/gostca/store"
)

// freshQueueLen bounds the certificates waiting in Issued's queue; beyond
// it Issued falls back to a Kick and the due-index pass finds them.
const freshQueueLen = 4096

// freshBatch is how many queued certificates one turn of the job signs
// before it lets a pass of the due index run.
const freshBatch = 256

// Issued hands a certificate just committed to the pre-signing job, which
// signs its response from the record as given instead of finding it with
// a pass over the due index. A pass per issuance (what a Kick is) reads
// the due index from its start, past every entry deleted since Pebble
// last compacted it, so under steady issuance each pass grows with the
// certificates issued before it. The certificate stays in the due index
// until its response is stored, so one the queue drops (full), or whose
// signing fails, is signed by the next pass (Kick, refresh_interval).
func (pub *Publisher) Issued(rec *store.CertRecord) {
	select {
	case pub.fresh <- rec:
	default:
		pub.Kick()
	}
}

// runFresh signs the responses of the certificates Issued queues until
// ctx is done. It takes ocspRefreshMu for each turn, so it never signs
// alongside a pass (which would sign the same due certificates). A turn
// drains the queue (up to freshBatch certificates), signs each response
// and stores them all in one write (presignFresh).
func (pub *Publisher) runFresh(ctx context.Context) {
	batch := make([]*store.CertRecord, 0, freshBatch)
	for {
		var rec *store.CertRecord
		select {
		case <-ctx.Done():
			return
		case rec = <-pub.fresh:
		}
		batch = append(batch[:0], rec)
	drain:
		for len(batch) < freshBatch {
			select {
			case rec = <-pub.fresh:
				batch = append(batch, rec)
			default:
				break drain
			}
		}
		pub.ocspRefreshMu.Lock()
		pub.presignFresh(ctx, batch)
		pub.ocspRefreshMu.Unlock()
		clear(batch)
	}
}

// presignFresh signs the responses of recs, skipping those stored for
// their status already (a pass got there first), and stores them in one
// unsynced write (store.PutOCSPResponses): one trip through the store's
// writer lock for the turn instead of one per certificate. The store
// checks each response's status version as it writes, so one whose
// certificate changed status after it was signed is refused (the change
// has re-signed it). A failure is logged and left to the next pass, which
// finds the certificates still due; a crash before the write, or one that
// loses it (unsynced), leaves them due as well.
func (pub *Publisher) presignFresh(ctx context.Context, recs []*store.CertRecord) {
	due := recs[:0:0]
	for _, rec := range recs {
		if _, ok := pub.issuers[rec.IssuerID]; !ok {
			continue // not an issuer this publisher signs for
		}
		if r, err := pub.st.OCSPResponse(ctx, rec.Serial); err == nil && r.StatusVersion == rec.Status.Version {
			continue
		}
		due = append(due, rec)
	}
	pub.signStoreFresh(ctx, due)
}

// signStoreFresh signs the response of each of recs (certificates of
// this publisher's issuers) and stores them in one write.
func (pub *Publisher) signStoreFresh(ctx context.Context, recs []*store.CertRecord) {
	out := make([]store.OCSPRecord, 0, len(recs))
	for _, rec := range recs {
		if ctx.Err() != nil {
			return
		}
		r, err := pub.signPresigned(ctx, pub.issuers[rec.IssuerID], rec)
		if err != nil {
			if ctx.Err() == nil {
				pub.log.Warn("OCSP pre-sign of a new certificate failed; the next pass retries", "serial", serialHex(rec.Serial), "err", err)
			}
			continue
		}
		if r != nil {
			out = append(out, *r)
		}
	}
	if len(out) == 0 || (pub.beforeFreshStore != nil && !pub.beforeFreshStore(out)) {
		return
	}
	errs, err := pub.st.PutOCSPResponses(ctx, out)
	if err != nil {
		pub.m.ocspPresigned.WithLabelValues("error").Add(float64(len(out)))
		if ctx.Err() == nil {
			pub.log.Warn("storing pre-signed OCSP responses of new certificates failed; the next pass retries", "responses", len(out), "err", err)
		}
		return
	}
	for i, e := range errs {
		if err := pub.presigned(e); err != nil {
			pub.log.Warn("storing the pre-signed OCSP response of a new certificate failed; the next pass retries", "serial", serialHex(out[i].Serial), "err", err)
		}
	}
}
