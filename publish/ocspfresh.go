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
// alongside a pass (which would sign the same due certificates).
func (pub *Publisher) runFresh(ctx context.Context) {
	for {
		var rec *store.CertRecord
		select {
		case <-ctx.Done():
			return
		case rec = <-pub.fresh:
		}
		pub.ocspRefreshMu.Lock()
		for n := 0; rec != nil && ctx.Err() == nil; n++ {
			pub.presignFresh(ctx, rec)
			rec = nil
			if n+1 < freshBatch {
				select {
				case rec = <-pub.fresh:
				default:
				}
			}
		}
		pub.ocspRefreshMu.Unlock()
	}
}

// presignFresh signs and stores rec's response unless one for its status
// is stored already (a pass got there first); a failure is logged and
// left to the next pass, which finds rec still due.
func (pub *Publisher) presignFresh(ctx context.Context, rec *store.CertRecord) {
	s, ok := pub.issuers[rec.IssuerID]
	if !ok {
		return // not an issuer this publisher signs for
	}
	if r, err := pub.st.OCSPResponse(ctx, rec.Serial); err == nil && r.StatusVersion == rec.Status.Version {
		return
	}
	if err := pub.presign(ctx, s, rec); err != nil && ctx.Err() == nil {
		pub.log.Warn("OCSP pre-sign of a new certificate failed; the next pass retries", "serial", serialHex(rec.Serial), "err", err)
	}
}
