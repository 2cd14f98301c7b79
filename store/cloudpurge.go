package store

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// Pending cloud operations by expiry (0x8A) and their purge. Every
// pending operation has one entry, expires(12, appendTime) ‖ id(16) →
// empty, written in PutCloudOperation's batch and deleted in the batch
// that signs, refuses or expires it; PurgeCloudOperations scans the
// entries up to a time and so reads only what it changes.

const pCloudOpExpiry byte = 0x8a // expires(12) operation id(16) → empty: pending operations by expiry (the purge)

const cloudOpExpiryKeyLen = 1 + timeKeyLen + CloudOpIDLen

// maxCloudPurge bounds the operations one PurgeCloudOperations call
// expires: each is read whole (with a document of up to 1 MiB), so a
// run reads at most about 1 GiB and writes small records.
var maxCloudPurge = 1000 // a variable for the test of the bound

func cloudOpExpiryKey(expires time.Time, id [CloudOpIDLen]byte) []byte {
	return append(appendTime([]byte{pCloudOpExpiry}, expires), id[:]...)
}

// PurgeCloudOperations expires the operations still pending whose
// expiry is before `before`: each moves to CloudOpExpired (Done = its
// expiry) and loses the document kept for an attached signature; the
// record stays (what was asked, of which key, by whom, and that it was
// never signed is the CA's audit record of the operation, as a signed
// or refused one is). At most maxCloudPurge operations a call, oldest
// first, in one batch with one "cabinet.purge_cloud_operations" audit
// entry naming the counts (nothing written when there is nothing to
// expire). It returns how many operations expired and how many of them
// dropped a document.
func (s *Store) PurgeCloudOperations(ctx context.Context, before time.Time, actor string) (expired, documents int, err error) {
	if actor == "" || len(actor) > maxClientLen {
		return 0, 0, fmt.Errorf("store: purge cloud operations: %w", invalid("actor: 1–%d bytes", maxClientLen))
	}
	var keys [][]byte
	if err := s.enter(); err != nil {
		return 0, 0, err
	}
	err = scan(ctx, s.db, []byte{pCloudOpExpiry}, appendTime([]byte{pCloudOpExpiry}, before), func(k, _ []byte) (bool, error) {
		keys = append(keys, append([]byte(nil), k...))
		return len(keys) < maxCloudPurge, nil
	})
	s.leave()
	if err != nil || len(keys) == 0 {
		return 0, 0, err
	}
	err = s.update(ctx, "purge cloud operations", func(t *txn) error {
		expired, documents = 0, 0
		for _, k := range keys {
			if len(k) != cloudOpExpiryKeyLen {
				return corrupt("cloud operation expiry key %x", k)
			}
			id := [CloudOpIDLen]byte(k[1+timeKeyLen:])
			v, err := t.get(cloudOpKey(id))
			if err != nil {
				return fmt.Errorf("store: purge cloud operations: operation %x: %w", id, err)
			}
			o, err := decodeCloudOp(id[:], v)
			if err != nil {
				return err
			}
			if err := t.del(k); err != nil {
				return err
			}
			if o.State != CloudOpPending || !o.Expires.Before(before) {
				continue // finished meanwhile (its entry is gone with this batch)
			}
			if len(o.Document) > 0 {
				documents++
			}
			o.State, o.Done, o.Document = CloudOpExpired, o.Expires, nil
			if err := t.set(cloudOpKey(id), encodeCloudOp(o)); err != nil {
				return err
			}
			expired++
		}
		if expired == 0 {
			return nil
		}
		audit := AuditEntry{Actor: actor, Action: "cabinet.purge_cloud_operations", Subject: "cabinet",
			Details: fmt.Sprintf("%d signing operations expired before %s unsigned; %d kept documents deleted", expired, before.UTC().Format(time.RFC3339), documents)}
		return t.audit(&audit)
	})
	if err != nil {
		return 0, 0, err
	}
	return expired, documents, nil
}

// backfillCloudOpExpiry writes the 0x8A entry of every pending
// operation that lacks one (operations made before the index existed),
// in one batch, and nothing when none lacks it: idempotent, so Open
// runs it every time. It reads the operations only.
func (s *Store) backfillCloudOpExpiry(ctx context.Context) error {
	var missing [][]byte
	err := scanPrefix(ctx, s.db, []byte{pCloudOp}, func(k, v []byte) (bool, error) {
		o, err := decodeCloudOp(k[1:], v)
		if err != nil {
			return false, fmt.Errorf("cloud operation %x: %w", k[1:], err)
		}
		if o.State != CloudOpPending {
			return true, nil
		}
		ek := cloudOpExpiryKey(o.Expires, o.ID)
		has, err := s.has(s.db, ek)
		if err == nil && !has {
			missing = append(missing, ek)
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("store: index pending cloud operations: %w", err)
	}
	return s.backfill(ctx, "index pending cloud operations", "pending cloud operations indexed by expiry", missing)
}

// cloudOpState checks what Check can of an operation's state: a
// pending one has its 0x8A entry; a finished one keeps no document.
// A pending operation past its expiry is normal (the purge expires it
// at its next run) and is not a problem.
func (c *checker) cloudOpState(k []byte, o *CloudOperation) {
	if o.State == CloudOpPending {
		if has, err := c.s.has(c.r, cloudOpExpiryKey(o.Expires, o.ID)); err == nil && !has {
			c.problem("missing-index", k, "pending cloud operation without its expiry index entry")
		}
		return
	}
	if len(o.Document) > 0 {
		c.problem("decode", k, "finished cloud operation (state %d) still keeps its document", o.State)
	}
}

// cloudOpExpiryEntry checks a 0x8A entry: its shape, and that it names
// a pending operation of that expiry.
func (c *checker) cloudOpExpiryEntry(k, v []byte) {
	if len(k) != cloudOpExpiryKeyLen || len(v) != 0 {
		c.problem("decode", k, "cloud operation expiry index entry")
		return
	}
	id := [CloudOpIDLen]byte(k[1+timeKeyLen:])
	ov, err := c.s.get(c.r, cloudOpKey(id))
	if err != nil {
		c.problem("dangling-index", k, "expiry entry of cloud operation %x: %v", id, err)
		return
	}
	o, err := decodeCloudOp(id[:], ov)
	if err != nil {
		return // reported with the record
	}
	if o.State != CloudOpPending || !bytes.Equal(k, cloudOpExpiryKey(o.Expires, o.ID)) {
		c.problem("dangling-index", k, "expiry entry of cloud operation %x, which is not pending with that expiry", id)
	}
}
