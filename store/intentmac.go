package store

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Errors of VerifyIntent: the intent must not be signed.
var (
	// ErrIntentMAC: the stored intent's MAC does not verify under the
	// store's audit key — it was changed (or written) by someone without
	// the key, or MACed with another key.
	ErrIntentMAC = errors.New("intent MAC does not verify")
	// ErrIntentNoMAC: a pending intent without a MAC. Since schema 7
	// every intent is written with one; a record without it is an intent
	// of an older version that the 6 → 7 step did not accept, or a
	// downgrade of a newer one.
	ErrIntentNoMAC = errors.New("intent has no MAC")
	// ErrUnMACedIntents: Open found pending intents written before
	// schema 7 (no MAC) and was not told to accept them.
	ErrUnMACedIntents = errors.New("pending intents without a MAC")
)

// intentMACLen is the size of an intent MAC (HMAC-SHA256).
const intentMACLen = 32

// intentMACLabel separates intent MACs from the audit chain's values and
// the key fingerprint, which use the same key.
var intentMACLabel = []byte("gostca intent mac\x00")

// intentMACInput is label ‖ record version 3 ‖ the intent's content as
// the record holds it (encodeIntentContent).
func intentMACInput(in *Intent) []byte {
	e := enc{b: make([]byte, 0, len(intentMACLabel)+200+len(in.TBS))}
	e.b = append(e.b, intentMACLabel...)
	e.byte(intentV3)
	encodeIntentContent(&e, in)
	return e.b
}

// intentMAC computes the MAC of in under the store's audit key (the
// unkeyed SHA-256 function for a store without one: a checksum then,
// not a MAC, like the chain).
func (s *Store) intentMAC(in *Intent) ([]byte, error) {
	m, err := s.audit.key.MAC(intentMACInput(in))
	if err != nil {
		return nil, fmt.Errorf("store: intent MAC: audit key: %w", err)
	}
	if len(m) != intentMACLen {
		return nil, fmt.Errorf("store: intent MAC: audit key returned a %d-byte MAC, want %d", len(m), intentMACLen)
	}
	return m, nil
}

// VerifyIntent checks the MAC of a pending intent as PendingIntents
// returned it, in constant time. ErrIntentNoMAC and ErrIntentMAC (both
// wrapped) mean the intent is not what this CA wrote: fail it, never
// sign it. Any other error is the key's (a token that does not answer)
// and says nothing about the intent.
func (s *Store) VerifyIntent(in *Intent) error {
	if len(in.MAC) == 0 {
		return fmt.Errorf("store: intent %x: %w", in.Serial, ErrIntentNoMAC)
	}
	want, err := s.intentMAC(in)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, in.MAC) != 1 {
		return fmt.Errorf("store: intent %x: %w", in.Serial, ErrIntentMAC)
	}
	return nil
}

// macWorkers bounds the MACs computed at once for one PutIntents: with
// the key on a token each is a C_Sign, and the session pool serves
// several at a time.
const macWorkers = 4

// macIntents sets the MAC of every intent not marked bad, with up to
// macWorkers in parallel, the calling goroutine being one of them (a
// batch of one starts no goroutine). A key failure fails the whole call.
func (s *Store) macIntents(ins []Intent, bad []error) error {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		errs = make([]error, len(ins))
	)
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(ins) {
				return
			}
			if bad[i] == nil {
				ins[i].MAC, errs[i] = s.intentMAC(&ins[i])
			}
		}
	}
	for range min(macWorkers, len(ins)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	return errors.Join(errs...)
}
