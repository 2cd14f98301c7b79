package store

import (
	"context"
	"fmt"
	"time"
)

// Cloud keys role: subscribers' server-side keys and their signing
// operations. doc.go "Cloud keys" has the record formats.

func checkCloudKey(k *CloudKey) error {
	switch {
	case !ValidAppID(k.Application):
		return invalid("cloud key application id")
	case len(k.Phone) != phoneLen:
		return invalid("cloud key phone: want +7 and 10 digits")
	case k.Curve == "" || len(k.Curve) > 64:
		return invalid("cloud key curve")
	case len(k.SPKI) == 0 || len(k.SPKI) > maxSPKI:
		return invalid("cloud key public key: 1–%d bytes", maxSPKI)
	case (len(k.Sealed) == 0) == (k.TokenRef == ""):
		return invalid("cloud key: exactly one of a sealed soft key and a token key reference")
	case len(k.Sealed) > maxSealedKey || len(k.TokenRef) > maxKeyRef:
		return invalid("cloud key: sealed key or token reference too long")
	case len(k.CSR) == 0 || len(k.CSR) > maxCloudCSR:
		return invalid("cloud key request: 1–%d bytes", maxCloudCSR)
	case k.Actor == "" || len(k.Actor) > maxClientLen:
		return invalid("cloud key actor: 1–%d bytes", maxClientLen)
	}
	return nil
}

// PutCloudKey stores a new cloud key with its audit entry in one batch;
// an application that has a key already is ErrConflict, nothing written.
func (s *Store) PutCloudKey(ctx context.Context, k *CloudKey, audit AuditEntry) error {
	if err := checkCloudKey(k); err != nil {
		return fmt.Errorf("store: put cloud key: %w", err)
	}
	if err := checkAudit(audit); err != nil {
		return fmt.Errorf("store: put cloud key: %w", err)
	}
	return s.update(ctx, "put cloud key", func(t *txn) error {
		if has, err := t.has(cloudKeyKey(k.Application)); err != nil || has {
			if err == nil {
				err = fmt.Errorf("store: put cloud key: the application has one: %w", ErrConflict)
			}
			return err
		}
		if err := t.set(cloudKeyKey(k.Application), encodeCloudKey(k)); err != nil {
			return err
		}
		return t.audit(&audit)
	})
}

// CloudKey reads the cloud key of an application (ErrNotFound when none).
func (s *Store) CloudKey(ctx context.Context, app string) (*CloudKey, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !ValidAppID(app) {
		return nil, fmt.Errorf("store: cloud key: %w", ErrNotFound)
	}
	v, err := s.get(s.db, cloudKeyKey(app))
	if err != nil {
		return nil, fmt.Errorf("store: cloud key: %w", err)
	}
	return decodeCloudKey(app, v)
}

func checkCloudOp(o *CloudOperation) error {
	switch {
	case !ValidAppID(o.Key):
		return invalid("cloud operation key id")
	case len(o.Phone) != phoneLen:
		return invalid("cloud operation phone")
	case len(o.Digest) != 32 && len(o.Digest) != 64:
		return invalid("cloud operation digest: 32 or 64 bytes")
	case len(o.Description) > maxDescription || len(o.Challenge) > 64:
		return invalid("cloud operation description or challenge too long")
	case o.State != CloudOpPending || len(o.Signature) != 0:
		return invalid("a new cloud operation is pending and unsigned")
	case !o.Expires.After(o.Created):
		return invalid("cloud operation expires before it starts")
	case len(o.CMS) != 0:
		return invalid("a new cloud operation has no CMS")
	case o.Attached != (len(o.Document) > 0) || len(o.Document) > maxCloudDoc:
		return invalid("cloud operation document: kept (1 B–1 MiB) exactly when the signature is attached")
	}
	return nil
}

// PutCloudOperation stores a new, pending operation with its audit
// entry in one batch.
func (s *Store) PutCloudOperation(ctx context.Context, o *CloudOperation, audit AuditEntry) error {
	if err := checkCloudOp(o); err != nil {
		return fmt.Errorf("store: put cloud operation: %w", err)
	}
	if err := checkAudit(audit); err != nil {
		return fmt.Errorf("store: put cloud operation: %w", err)
	}
	return s.update(ctx, "put cloud operation", func(t *txn) error {
		if has, err := t.has(cloudOpKey(o.ID)); err != nil || has {
			if err == nil {
				err = fmt.Errorf("store: put cloud operation: %w", ErrConflict)
			}
			return err
		}
		if err := t.set(cloudOpKey(o.ID), encodeCloudOp(o)); err != nil {
			return err
		}
		if err := t.set(cloudOpExpiryKey(o.Expires, o.ID), nil); err != nil {
			return err
		}
		return t.audit(&audit)
	})
}

// CloudOperation reads an operation (ErrNotFound when none).
func (s *Store) CloudOperation(ctx context.Context, id [CloudOpIDLen]byte) (*CloudOperation, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := s.get(s.db, cloudOpKey(id))
	if err != nil {
		return nil, fmt.Errorf("store: cloud operation: %w", err)
	}
	return decodeCloudOp(id[:], v)
}

// FinishCloudOperation moves a pending, unexpired operation (at is the
// caller's clock) to state (CloudOpSigned with its signature, or
// CloudOpRefused with none), with the audit entry in the same batch,
// under the writer lock: an operation finishes at most once. One that
// is not pending or has expired is ErrCloudOpDone, nothing written.
func (s *Store) FinishCloudOperation(ctx context.Context, id [CloudOpIDLen]byte, at time.Time, state byte, sig []byte, audit AuditEntry) (*CloudOperation, error) {
	return s.finishCloudOp(ctx, id, at, state, sig, nil, audit)
}

// SignCloudOperation is FinishCloudOperation to CloudOpSigned with the
// signature and the CAdES-BES CMS made with it. The document kept for an attached
// signature is dropped: the CMS carries it.
func (s *Store) SignCloudOperation(ctx context.Context, id [CloudOpIDLen]byte, at time.Time, sig, cms []byte, audit AuditEntry) (*CloudOperation, error) {
	return s.finishCloudOp(ctx, id, at, CloudOpSigned, sig, cms, audit)
}

func (s *Store) finishCloudOp(ctx context.Context, id [CloudOpIDLen]byte, at time.Time, state byte, sig, cms []byte, audit AuditEntry) (*CloudOperation, error) {
	switch {
	case len(cms) > maxCloudCMS:
		return nil, fmt.Errorf("store: finish cloud operation: %w", invalid("CMS: at most %d bytes", maxCloudCMS))
	case state == CloudOpSigned && (len(sig) == 0 || len(sig) > maxCloudSig):
		return nil, fmt.Errorf("store: finish cloud operation: %w", invalid("signature: 1–%d bytes", maxCloudSig))
	case state == CloudOpRefused && len(sig) != 0:
		return nil, fmt.Errorf("store: finish cloud operation: %w", invalid("a refused operation has no signature"))
	case state != CloudOpSigned && state != CloudOpRefused:
		return nil, fmt.Errorf("store: finish cloud operation: %w", invalid("state %d", state))
	}
	if err := checkAudit(audit); err != nil {
		return nil, fmt.Errorf("store: finish cloud operation: %w", err)
	}
	var out *CloudOperation
	err := s.update(ctx, "finish cloud operation", func(t *txn) error {
		v, err := t.get(cloudOpKey(id))
		if err != nil {
			return fmt.Errorf("store: finish cloud operation: %w", err)
		}
		o, err := decodeCloudOp(id[:], v)
		if err != nil {
			return err
		}
		if o.State != CloudOpPending || !at.Before(o.Expires) {
			return fmt.Errorf("store: finish cloud operation: %w", ErrCloudOpDone)
		}
		if err := t.del(cloudOpExpiryKey(o.Expires, id)); err != nil {
			return err
		}
		o.State, o.Done, o.Signature, o.CMS, o.Document = state, at, sig, cms, nil
		if err := t.set(cloudOpKey(id), encodeCloudOp(o)); err != nil {
			return err
		}
		out = o
		return t.audit(&audit)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cloudRecord checks one cloud key record (Check).
func (c *checker) cloudRecord(k, v []byte) {
	var err error
	switch k[0] {
	case pCloudKey:
		app, rest, ok := cutLen(k[1:])
		if !ok || len(rest) != 0 {
			err = corrupt("cloud key key")
		} else {
			_, err = decodeCloudKey(string(app), v)
		}
	case pCloudOp:
		var o *CloudOperation
		if o, err = decodeCloudOp(k[1:], v); err == nil {
			c.cloudOpState(k, o)
		}
	case pCloudOpExpiry:
		c.cloudOpExpiryEntry(k, v)
	}
	if err != nil {
		c.problem("decode", k, "%v", err)
	}
}
