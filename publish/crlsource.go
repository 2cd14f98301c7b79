package publish

import (
	"context"
	"iter"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// revokedViewer is the optional store role that lets a complete CRL
// stream its entries from a snapshot on each of the builder's passes
// (the Pebble store has it): a million revocations then never sit in
// memory as a list. A store without it gets the list.
type revokedViewer interface {
	OpenRevokedView(ctx context.Context, issuerID string) (*store.RevokedView, error)
}

// The Pebble store must keep streaming CRLs.
var _ revokedViewer = (*store.Store)(nil)

// revokedSource returns the revocations of issuerID in scope p
// (fullScope: all) as a re-runnable sequence, the status-log position
// they reflect, and the function that releases them.
func (pub *Publisher) revokedSource(ctx context.Context, issuerID string, p int) (iter.Seq2[pkix.RevokedEntry, error], uint64, func(), error) {
	n := pub.cfg.CRL.Partitions
	if rv, ok := pub.st.(revokedViewer); ok {
		view, err := rv.OpenRevokedView(ctx, issuerID)
		if err != nil {
			return nil, 0, nil, err
		}
		return viewSeq(ctx, view, p, n), view.LogSeq(), func() { _ = view.Close() }, nil
	}
	var entries []pkix.RevokedEntry
	pos, err := pub.st.RevokedSnapshot(ctx, issuerID, func(serial []byte, at time.Time, reason int, invalidity time.Time) bool {
		if p == fullScope || CRLPartition(serial, n) == p {
			entries = append(entries, pkix.RevokedEntry{Serial: serial, RevokedAt: at, Reason: pkix.CRLReason(reason), InvalidityDate: invalidity})
		}
		return true
	})
	if err != nil {
		return nil, 0, nil, err
	}
	return sliceSeq(entries), pos, func() {}, nil
}

// viewSeq yields the revocations of a store view in partition p of n
// (fullScope: all), reading the view afresh on every pass. A serial is
// valid only until the next entry: the builder encodes each entry at once.
func viewSeq(ctx context.Context, view *store.RevokedView, p, n int) iter.Seq2[pkix.RevokedEntry, error] {
	return func(yield func(pkix.RevokedEntry, error) bool) {
		stopped := false
		err := view.Scan(ctx, func(serial []byte, at time.Time, reason int, invalidity time.Time) bool {
			if p != fullScope && CRLPartition(serial, n) != p {
				return true
			}
			if !yield(pkix.RevokedEntry{Serial: serial, RevokedAt: at, Reason: pkix.CRLReason(reason), InvalidityDate: invalidity}, nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield(pkix.RevokedEntry{}, err)
		}
	}
}
