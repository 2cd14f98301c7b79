package store

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
)

// A read that may hand out a certificate must return only what is
// durable (durableRead). Pebble makes a batch visible at apply, before its
// WAL fsync completes, so a reader may see a batch whose fsync is still in
// flight. Rather than writing a synced empty WAL record of its own for
// every such read (which, under steady issuance, is nearly every read:
// one more WAL write and a wait for the sync after the one in flight), a
// reader waits for the syncs already in flight to finish.
//
// Every synced batch takes a ticket, in order, under the writer mutex,
// just before it is applied: tickets follow the WAL's order. When a
// batch's fsync returns, everything in the WAL up to it is durable, so
// the durable mark moves up to its ticket (a batch whose wait returns
// late cannot move it back). A reader that has read takes the newest
// ticket handed out — every batch it could have seen is at or below it —
// and waits until the durable mark reaches it, or until no synced batch
// is between apply and fsync at all (one whose apply failed holds a
// ticket that never syncs; it wrote nothing a reader could see). After a
// failed fsync nothing is assumed: reads write their own synced record,
// as before, which reports the failure.

// durableState is the Store's part of it.
type durableState struct {
	tickets atomic.Uint64 // handed out to synced batches, under wmu
	durable atomic.Uint64 // highest ticket whose fsync returned
	failed  atomic.Bool   // an fsync failed: fall back to LogData
	// changed is closed and replaced whenever durable moves or a synced
	// batch leaves the in-flight count.
	changed atomic.Pointer[chan struct{}]
}

func (d *durableState) init() {
	ch := make(chan struct{})
	d.changed.Store(&ch)
}

// wake tells waiting readers to look again.
func (d *durableState) wake() {
	ch := make(chan struct{})
	close(*d.changed.Swap(&ch))
}

// synced records that the batch holding ticket is durable (or, ok
// false, that its fsync failed).
func (d *durableState) synced(ticket uint64, ok bool) {
	if !ok {
		d.failed.Store(true)
		return
	}
	for {
		cur := d.durable.Load()
		if cur >= ticket || d.durable.CompareAndSwap(cur, ticket) {
			return
		}
	}
}

// durableRead is called after a read that may return a certificate to a
// caller (see above): it returns once every synced batch the read could
// have seen is durable.
func (s *Store) durableRead() error {
	if !s.sync || s.unsynced.Load() == 0 {
		return nil
	}
	return s.waitDurable(s.durability.tickets.Load())
}

// waitDurable returns once the batch holding ticket, and every one
// before it, is durable (or none is in flight any more).
func (s *Store) waitDurable(target uint64) error {
	d := &s.durability
	for !d.failed.Load() {
		ch := *d.changed.Load()
		if d.durable.Load() >= target || s.unsynced.Load() == 0 {
			// A failing batch marks the failure before it leaves the
			// in-flight count: look again, so that its leaving is never
			// taken for its fsync.
			if d.failed.Load() {
				break
			}
			s.readWaits.Add(1)
			return nil
		}
		<-ch
	}
	if err := s.db.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("store: sync before read: %w", err)
	}
	s.readSyncs.Add(1)
	return nil
}

// ocspFlight names the serials whose OCSP response a synced batch in
// flight writes (a new certificate's, committed with it) and that
// batch's ticket. Every other stored response is durable, or was derived
// from a durable status (PutOCSPResponse writes without a sync of its
// own, from a status version it checks under the writer mutex, and a
// status change deletes the response in its own synced batch), so a
// responder that finds one need not wait for anything unless its serial
// is here (CurrentOCSPResponse). Under steady issuance, waiting for the
// syncs in flight on every read cost each OCSP answer a WAL sync.
type ocspFlight struct {
	n  atomic.Int64 // entries, read without mu: zero is the common case
	mu sync.Mutex
	m  map[string]uint64
}

// add registers serials under ticket: under wmu, before the batch that
// writes their responses is applied (so before a reader can see them).
func (f *ocspFlight) add(serials [][]byte, ticket uint64) {
	if len(serials) == 0 {
		return
	}
	f.mu.Lock()
	if f.m == nil {
		f.m = map[string]uint64{}
	}
	for _, k := range serials {
		f.m[string(k)] = ticket
	}
	f.n.Store(int64(len(f.m)))
	f.mu.Unlock()
}

// remove drops serials once their batch is durable (or failed to apply).
func (f *ocspFlight) remove(serials [][]byte) {
	if len(serials) == 0 {
		return
	}
	f.mu.Lock()
	for _, k := range serials {
		delete(f.m, string(k))
	}
	f.n.Store(int64(len(f.m)))
	f.mu.Unlock()
}

// ticket is the ticket of the batch in flight that writes serial's
// response; false: none is.
func (f *ocspFlight) ticket(serial []byte) (uint64, bool) {
	if f.n.Load() == 0 {
		return 0, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.m[string(serial)]
	return t, ok
}
