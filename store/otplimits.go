package store

import (
	"errors"
	"fmt"
	"time"
)

// One-time code rate limits (prefixes 0x90–0x91 of the range 0x90–0x93,
// doc.go "Code rate limits"): how many codes were sent per phone, client
// address and number prefix in the current window. The counted value is
// never stored: package otp keys each window by an HMAC of it under the
// code secret, which the database does not hold.

// Key prefixes of the code rate limits.
const (
	pOTPWindow    byte = 0x90 // limit(1) key(32) → window record
	pOTPWindowEnd byte = 0x91 // end(12) limit(1) key(32) → empty: windows by end (the purge)
)

// OTPLimitKeyLen is the size of a counted value's key (an HMAC-SHA256).
const OTPLimitKeyLen = 32

// maxOTPCounts bounds the limits one send is counted against.
const maxOTPCounts = 16

// ErrRateLimited: a send would exceed a rate limit; nothing was written.
// The error is an *OTPLimitError, which says which limit and until when.
var ErrRateLimited = errors.New("rate limited")

// OTPCount is one rate limit a send is counted against: at most Max sends
// in a window of Window for the value whose key is Key.
type OTPCount struct {
	Limit  byte                 // which limit (package otp names them); not 0
	Key    [OTPLimitKeyLen]byte // HMAC of the counted value, never the value
	Max    uint32               // > 0
	Window time.Duration        // > 0

	// Set by a PutChallenge that returned nil: the window's sends,
	// this one included, and when the window ends.
	Count uint32
	End   time.Time
}

// OTPCharge is PutChallenge's extra that counts the send against each of
// its limits, in the challenge's batch and under the writer lock: two
// concurrent sends never both take a window's last slot, and a send that
// is refused (too early, or over any limit) counts against none. It is
// checked before the resend pause, so a send over a limit is refused as
// such. Use a pointer: Counts carry the outcome back.
//
// Windows are fixed: one opens at the first send after the previous one
// ended (at the challenge's Created, for Window), and a send is refused
// while the window holds Max sends. A window ends at the end it was
// opened with, or at its start plus the Window asked now if that is
// sooner (a window made shorter by configuration takes effect at once).
type OTPCharge struct {
	Counts []OTPCount

	counted bool // writeFirst ran in this batch
}

// OTPLimitError is a refusal by OTPCharge: the send would be Count+1 in a
// window of limit Limit (Counts[Index]) that ends at End.
type OTPLimitError struct {
	Index int
	Limit byte
	Count uint32
	End   time.Time
}

func (e *OTPLimitError) Error() string {
	return fmt.Sprintf("store: code rate limit %d: %d sends in the window ending %s: %s", e.Limit, e.Count,
		e.End.UTC().Format(time.RFC3339), ErrRateLimited)
}

func (e *OTPLimitError) Unwrap() error { return ErrRateLimited }

// otpWindow is a stored window.
type otpWindow struct {
	Start time.Time
	End   time.Time
	Count uint32
}

func otpWindowKey(limit byte, key [OTPLimitKeyLen]byte) []byte {
	return append([]byte{pOTPWindow, limit}, key[:]...)
}

func otpWindowEndKey(end time.Time, limit byte, key [OTPLimitKeyLen]byte) []byte {
	k := appendTime([]byte{pOTPWindowEnd}, end)
	k = append(k, limit)
	return append(k, key[:]...)
}

func encodeOTPWindow(w *otpWindow) []byte {
	e := enc{b: []byte{1}}
	e.time(w.Start)
	e.time(w.End)
	e.uint32(w.Count)
	return e.b
}

func decodeOTPWindow(v []byte) (*otpWindow, error) {
	d := dec{b: v}
	d.version(1)
	w := &otpWindow{Start: d.time(), End: d.time(), Count: d.uint32()}
	if err := d.finish("code rate window"); err != nil {
		return nil, err
	}
	if !w.End.After(w.Start) {
		return nil, corrupt("code rate window ends before it starts")
	}
	return w, nil
}

func (x *OTPCharge) check() error {
	if len(x.Counts) > maxOTPCounts {
		return invalid("code rate limits: at most %d", maxOTPCounts)
	}
	for i, c := range x.Counts {
		if c.Limit == 0 || c.Max == 0 || c.Window <= 0 {
			return invalid("code rate limit %d: limit 0, or no count or window", i)
		}
		for _, o := range x.Counts[:i] {
			if o.Limit == c.Limit && o.Key == c.Key {
				return invalid("code rate limit %d counted twice", c.Limit)
			}
		}
	}
	return nil
}

// writeFirst counts the send against every limit, before PutChallenge's
// resend check (extraFirst); the first full window refuses it.
func (x *OTPCharge) writeFirst(t *txn, c *Challenge) error {
	x.counted = false
	if err := x.check(); err != nil {
		return err
	}
	now := c.Created
	for i := range x.Counts {
		n := &x.Counts[i]
		key := otpWindowKey(n.Limit, n.Key)
		v, err := t.get(key)
		var old *otpWindow
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		default:
			if old, err = decodeOTPWindow(v); err != nil {
				return err
			}
		}
		w := old
		if w != nil {
			end := w.End
			if e := w.Start.Add(n.Window); e.Before(end) {
				end = e
			}
			if !now.Before(end) {
				w = nil // ended: a new window
			} else if w.Count >= n.Max {
				return &OTPLimitError{Index: i, Limit: n.Limit, Count: w.Count, End: end}
			}
		}
		if w == nil {
			w = &otpWindow{Start: now, End: now.Add(n.Window)}
			if old != nil {
				if err := t.del(otpWindowEndKey(old.End, n.Limit, n.Key)); err != nil {
					return err
				}
			}
			if err := t.set(otpWindowEndKey(w.End, n.Limit, n.Key), nil); err != nil {
				return err
			}
		}
		w.Count++
		if err := t.set(key, encodeOTPWindow(w)); err != nil {
			return err
		}
		n.Count = w.Count
		n.End = w.End
		if e := w.Start.Add(n.Window); e.Before(n.End) {
			n.End = e
		}
	}
	x.counted = true
	return nil
}

// writeExtra writes nothing: the counts were taken by writeFirst. An
// OTPCharge anywhere but PutChallenge (ChallengeUse.Extra) is refused.
func (x *OTPCharge) writeExtra(*txn, *Challenge) error {
	if !x.counted {
		return invalid("a code rate charge belongs to PutChallenge")
	}
	x.counted = false
	return nil
}

// extraFirst is an Extra that PutChallenge writes before its resend
// check (OTPCharge).
type extraFirst interface {
	writeFirst(t *txn, c *Challenge) error
}

// delOTPWindow deletes, in the purge's batch, the window an ended index
// key names, unless the window was opened again since (then only the
// stale index key goes). It reports whether a window was deleted.
func (t *txn) delOTPWindow(endKey []byte) (bool, error) {
	end, rest, ok := cutTime(endKey[1:])
	if !ok || len(rest) != 1+OTPLimitKeyLen {
		return false, corrupt("code rate window index key %x", endKey)
	}
	key := append([]byte{pOTPWindow}, rest...)
	if err := t.del(endKey); err != nil {
		return false, err
	}
	v, err := t.get(key)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	w, err := decodeOTPWindow(v)
	if err != nil {
		return false, err
	}
	if !w.End.Equal(end) {
		return false, nil
	}
	return true, t.del(key)
}

// otpRecord checks one record of 0x90–0x91 (Check): it decodes, and a
// window and its end index entry name each other. Only I/O errors are
// returned.
func (c *checker) otpRecord(k, v []byte) error {
	switch k[0] {
	case pOTPWindow:
		if len(k) != 2+OTPLimitKeyLen || k[1] == 0 {
			c.problem("decode", k, "code rate window key of %d bytes", len(k))
			return nil
		}
		w, err := decodeOTPWindow(v)
		if err != nil {
			c.problem("decode", k, "%v", err)
			return nil
		}
		return c.want(k, append(appendTime([]byte{pOTPWindowEnd}, w.End), k[1:]...), nil, "code rate window end entry")
	case pOTPWindowEnd:
		end, rest, ok := cutTime(k[1:])
		if !ok || len(rest) != 1+OTPLimitKeyLen || rest[0] == 0 || len(v) != 0 {
			c.problem("decode", k, "code rate window end entry")
			return nil
		}
		wv, err := c.s.get(c.r, append([]byte{pOTPWindow}, rest...))
		if errors.Is(err, ErrNotFound) {
			c.problem("dangling-index", k, "no code rate window")
			return nil
		}
		if err != nil {
			return err
		}
		if w, err := decodeOTPWindow(wv); err == nil && !w.End.Equal(end) {
			c.problem("dangling-index", k, "the code rate window ends at %s", w.End.Format(time.RFC3339Nano))
		}
	}
	return nil
}
