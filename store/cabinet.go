package store

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Cabinet role (backend.go): challenges of one-time codes, sessions,
// consents and payments. doc.go "Cabinet" has the record formats.

func checkChallenge(c *Challenge) error {
	switch {
	case c.Purpose == 0:
		return invalid("challenge purpose is 0")
	case len(c.Phone) != phoneLen:
		return invalid("challenge phone: want +7 and 10 digits")
	case c.Client == "" || len(c.Client) > maxClientLen:
		return invalid("challenge client: 1–%d bytes", maxClientLen)
	case c.Application != "" && !ValidAppID(c.Application):
		return invalid("challenge application id")
	case !c.Expires.After(c.Created) || c.MaxTries == 0:
		return invalid("challenge expiry or try limit")
	}
	return nil
}

// PutChallenge stores a new challenge with its outbox rows (the SMS) and
// audit entry in one batch, unless the last challenge of the same phone
// and purpose may not be followed yet (c.Created before its ResendAfter):
// ErrTooSoon, nothing written. An extra OTPCharge is checked first: a
// send over a rate limit is ErrRateLimited (an *OTPLimitError), nothing
// written.
func (s *Store) PutChallenge(ctx context.Context, c *Challenge, outbox []OutboxRow, audit AuditEntry, extra ...Extra) error {
	if err := checkChallenge(c); err != nil {
		return fmt.Errorf("store: put challenge: %w", err)
	}
	for _, r := range outbox {
		if err := checkLen("outbox kind", r.Kind, 1, maxKindLen); err != nil {
			return err
		}
		if err := checkBytes("outbox payload", r.Payload, 0, maxPayloadLen); err != nil {
			return err
		}
	}
	if err := checkAudit(audit); err != nil {
		return fmt.Errorf("store: put challenge: %w", err)
	}
	return s.update(ctx, "put challenge", func(t *txn) error {
		if has, err := t.has(challengeKey(c.ID)); err != nil || has {
			if err == nil {
				err = fmt.Errorf("store: challenge exists: %w", ErrConflict)
			}
			return err
		}
		for _, x := range extra {
			if f, ok := x.(extraFirst); ok {
				if err := f.writeFirst(t, c); err != nil {
					return err
				}
			}
		}
		lastKey := challengeLastKey(c.Purpose, c.Phone)
		last, err := t.get(lastKey)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		default:
			var id [ChallengeIDLen]byte
			if len(last) != ChallengeIDLen {
				return corrupt("last challenge of a phone: %d bytes", len(last))
			}
			copy(id[:], last)
			prev, err := t.s.loadChallenge(id)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err == nil && c.Created.Before(prev.ResendAfter) {
				return fmt.Errorf("store: put challenge: the last one was sent at %s: %w", prev.Created.UTC().Format("15:04:05"), ErrTooSoon)
			}
		}
		if err := t.set(challengeKey(c.ID), encodeChallenge(c)); err != nil {
			return err
		}
		if err := t.set(lastKey, c.ID[:]); err != nil {
			return err
		}
		for i := range outbox {
			r := OutboxRow{Kind: outbox[i].Kind, Payload: outbox[i].Payload}
			if err := t.outbox(&r); err != nil {
				return err
			}
		}
		for _, x := range extra {
			if err := x.writeExtra(t, c); err != nil {
				return err
			}
		}
		return t.audit(&audit)
	})
}

func (s *Store) loadChallenge(id [ChallengeIDLen]byte) (*Challenge, error) {
	v, err := s.get(s.db, challengeKey(id))
	if err != nil {
		return nil, err
	}
	return decodeChallenge(id[:], v)
}

// Challenge reads a challenge.
func (s *Store) Challenge(ctx context.Context, id [ChallengeIDLen]byte) (*Challenge, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := s.loadChallenge(id)
	if err != nil {
		return nil, fmt.Errorf("store: challenge: %w", err)
	}
	return c, nil
}

// UseChallenge consumes a challenge at most once: under the writer lock
// it refuses a used (ErrChallengeUsed), expired (ErrChallengeExpired) or
// exhausted (ErrChallengeExhausted) challenge, writing nothing; compares
// the verifier and the binding in constant time; on a mismatch it counts
// the try (the only write, no audit entry) and answers ErrWrongCode; on a
// match it marks the challenge used and writes u.Session and u.Audit in
// the same batch.
//
// The session's Phone is the challenge's (set here): a login binds the
// session to the phone the code was sent to.
func (s *Store) UseChallenge(ctx context.Context, id [ChallengeIDLen]byte, u ChallengeUse) (*Challenge, error) {
	if u.Session != nil {
		probe := *u.Session
		probe.Phone = "+70000000000"
		if err := checkSession(&probe); err != nil {
			return nil, fmt.Errorf("store: use challenge: %w", err)
		}
	}
	if err := checkAudit(u.Audit); err != nil {
		return nil, fmt.Errorf("store: use challenge: %w", err)
	}
	var out *Challenge
	var wrong bool
	err := s.update(ctx, "use challenge", func(t *txn) error {
		c, err := t.s.loadChallenge(id)
		if err != nil {
			return fmt.Errorf("store: use challenge: %w", err)
		}
		out = c
		switch {
		case c.Used:
			return fmt.Errorf("store: use challenge: %w", ErrChallengeUsed)
		case c.Tries >= c.MaxTries:
			return fmt.Errorf("store: use challenge: %w", ErrChallengeExhausted)
		case !u.At.Before(c.Expires):
			return fmt.Errorf("store: use challenge: %w", ErrChallengeExpired)
		}
		ok := subtle.ConstantTimeCompare(c.Verifier[:], u.Verifier[:]) & subtle.ConstantTimeCompare(c.Binding[:], u.Binding[:])
		if ok != 1 {
			c.Tries++
			wrong = true
			return t.set(challengeKey(id), encodeChallenge(c))
		}
		c.Used = true
		if err := t.set(challengeKey(id), encodeChallenge(c)); err != nil {
			return err
		}
		if u.Session != nil {
			u.Session.Phone = c.Phone
			if err := t.set(sessionKey(u.Session.Hash), encodeSession(u.Session)); err != nil {
				return err
			}
		}
		if u.Extra != nil {
			if err := u.Extra.writeExtra(t, c); err != nil {
				return err
			}
		}
		audit := u.Audit
		return t.audit(&audit)
	})
	if err != nil {
		return out, err
	}
	if wrong {
		return out, fmt.Errorf("store: use challenge: %w", ErrWrongCode)
	}
	return out, nil
}

func checkSession(ss *Session) error {
	switch {
	case len(ss.Phone) != phoneLen:
		return invalid("session phone: want +7 and 10 digits")
	case ss.Client == "" || len(ss.Client) > maxClientLen:
		return invalid("session client: 1–%d bytes", maxClientLen)
	case !ss.Expires.After(ss.Created):
		return invalid("session expires before it starts")
	}
	return nil
}

// Session reads a session by the SHA-256 of its token (ErrNotFound when
// there is none; expiry is the caller's to check).
func (s *Store) Session(ctx context.Context, hash [32]byte) (*Session, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := s.get(s.db, sessionKey(hash))
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	return decodeSession(hash[:], v)
}

// DeleteSession ends a session, with its audit entry in the same batch.
// An unknown session is ErrNotFound, nothing written.
func (s *Store) DeleteSession(ctx context.Context, hash [32]byte, audit AuditEntry) error {
	if err := checkAudit(audit); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return s.update(ctx, "delete session", func(t *txn) error {
		if has, err := t.has(sessionKey(hash)); err != nil || !has {
			if err == nil {
				err = fmt.Errorf("store: delete session: %w", ErrNotFound)
			}
			return err
		}
		if err := t.del(sessionKey(hash)); err != nil {
			return err
		}
		return t.audit(&audit)
	})
}

func checkConsent(c *Consent) error {
	switch {
	case !ValidAppID(c.Application):
		return invalid("consent application id")
	case len(c.Data) == 0 || len(c.Data) > maxConsentData:
		return invalid("consent data: 1–%d bytes", maxConsentData)
	case c.Actor == "" || len(c.Actor) > maxClientLen:
		return invalid("consent actor: 1–%d bytes", maxClientLen)
	}
	return nil
}

// putConsent writes the consent of an application change (putApp's
// batch) under the version the change makes.
func (t *txn) putConsent(c *Consent, version uint64) error {
	cc := *c
	cc.Application, cc.AppVersion = c.Application, version
	if cc.At.IsZero() {
		cc.At = t.now
	}
	return t.set(consentKey(cc.Application, version), encodeConsent(&cc))
}

// LatestConsent returns the newest consent recorded for an application
// (ErrNotFound when none).
func (s *Store) LatestConsent(ctx context.Context, app string) (*Consent, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if !ValidAppID(app) {
		return nil, invalid("application id")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix := appendLen([]byte{pConsent}, app)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return nil, fmt.Errorf("store: consent: %w", err)
	}
	defer it.Close()
	if !it.Last() {
		return nil, fmt.Errorf("store: consent of %s: %w", app, ErrNotFound)
	}
	k := it.Key()
	if len(k) != len(prefix)+8 || !bytes.HasPrefix(k, prefix) {
		return nil, corrupt("consent key %x", k)
	}
	return decodeConsent(app, binary.BigEndian.Uint64(k[len(prefix):]), append([]byte(nil), it.Value()...))
}

// PutPayment records an application's payment state with its audit entry
// in one batch.
func (s *Store) PutPayment(ctx context.Context, p *Payment, audit AuditEntry) error {
	switch {
	case !ValidAppID(p.Application):
		return invalid("payment application id")
	case len(p.Invoice) > maxInvoiceLen:
		return invalid("payment invoice: at most %d bytes", maxInvoiceLen)
	case p.By == "" || len(p.By) > maxClientLen:
		return invalid("payment actor: 1–%d bytes", maxClientLen)
	}
	if err := checkAudit(audit); err != nil {
		return fmt.Errorf("store: put payment: %w", err)
	}
	return s.update(ctx, "put payment", func(t *txn) error {
		if has, err := t.has(appKey(p.Application)); err != nil || !has {
			if err == nil {
				err = fmt.Errorf("store: payment of %s: %w", p.Application, ErrNotFound)
			}
			return err
		}
		pp := *p
		if pp.Updated.IsZero() {
			pp.Updated = t.now
		}
		if err := t.set(paymentKey(p.Application), encodePayment(&pp)); err != nil {
			return err
		}
		return t.audit(&audit)
	})
}

// Payment reads an application's payment state (ErrNotFound when none
// was set).
func (s *Store) Payment(ctx context.Context, app string) (*Payment, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if !ValidAppID(app) {
		return nil, invalid("application id")
	}
	v, err := s.get(s.db, paymentKey(app))
	if err != nil {
		return nil, fmt.Errorf("store: payment: %w", err)
	}
	return decodePayment(app, v)
}

// cabinetRecord checks one cabinet record (Check).
func (c *checker) cabinetRecord(k, v []byte) {
	var err error
	switch k[0] {
	case pChallenge:
		_, err = decodeChallenge(k[1:], v)
	case pChallengeLast:
		if len(v) != ChallengeIDLen || len(k) < 3 {
			err = corrupt("last challenge record")
		}
	case pSession:
		_, err = decodeSession(k[1:], v)
	case pConsent:
		app, rest, ok := cutLen(k[1:])
		if !ok || len(rest) != 8 {
			err = corrupt("consent key")
		} else {
			_, err = decodeConsent(string(app), binary.BigEndian.Uint64(rest), v)
		}
	case pPayment:
		app, rest, ok := cutLen(k[1:])
		if !ok || len(rest) != 0 {
			err = corrupt("payment key")
		} else {
			_, err = decodePayment(string(app), v)
		}
	default:
		err = corrupt("no cabinet record kind has prefix %#x", k[0])
	}
	if err != nil {
		c.problem("decode", k, "%v", err)
	}
}
