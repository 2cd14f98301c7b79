package otp

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/gostca/gostca/store"
)

// Rate is at most Max codes per Window; Max 0 is no limit.
type Rate struct {
	Max    int
	Window time.Duration
}

// The rate limits, by the byte that names them in the store's window
// keys (store doc.go "Code rate limits"). A new limit takes a new byte.
const (
	limitPhone  byte = 1 // per phone
	limitClient byte = 2 // per client address
	limitPrefix byte = 3 // per number prefix
)

// limit is one rate limit on sends.
type limit struct {
	id     byte   // the store's limit byte
	reason string // the reason label of gostca_otp_send_refused_total
	what   string // the refusal's words
	rate   Rate
	// value is what the limit counts for a request.
	value func(r *SendRequest, prefix string) string
}

// limitLabel separates the window keys from the secret's other uses.
const limitLabel = "gostca otp limit\x00"

// limitKey is the store's key of a counted value:
// HMAC-SHA256(secret, "gostca otp limit\0" ‖ limit ‖ value) for the
// cabinet's codes, and HMAC-SHA256(secret, "gostca otp limit\0" ‖ name ‖
// "\0" ‖ limit ‖ value) for a named service (Options.Name: the cloud
// keys' signing codes), so that each service counts in windows of its
// own on the same store. The phone (or address, or prefix) itself is
// never stored.
func (s *Secret) limitKey(name string, id byte, value string) [store.OTPLimitKeyLen]byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(limitLabel))
	if name != "" {
		m.Write([]byte(name))
		m.Write([]byte{0})
	}
	m.Write([]byte{id})
	m.Write([]byte(value))
	var out [store.OTPLimitKeyLen]byte
	m.Sum(out[:0])
	return out
}

// limiter counts sends against the rate limits in the store, in the
// challenge's batch (store.OTPCharge): the store is the truth, so a
// restart, or another process on the same store, keeps the counts.
//
// In front of it, a table of the windows known to be full until their
// end: a send for one of them is refused without the store's writer
// lock (an SMS-pumping flood of refusals stays off the path every write
// takes). The table is exact, never a guess: within a window a count
// only grows, so a window seen full (a send that filled it, or the
// store's refusal) stays full until its end. It is bounded (maxFull);
// when full of live windows, new ones are not remembered and the store
// refuses them. The limits are checked in order (phone, address,
// prefix) and the first full one answers; only when the memory knows a
// later window full and not an earlier one the store has full (filled
// before a restart) does the refusal name the later limit. Either way
// the send is refused and counted nowhere.
type limiter struct {
	sec    *Secret
	name   string  // Options.Name: keeps a named service's windows apart
	limits []limit // in the order they are checked; Max 0 ones left out

	mu      sync.Mutex
	full    map[fullKey]time.Time // → the window's end
	swept   time.Time             // the last sweep of a full table
	noFront bool                  // remember nothing (tests)
}

type fullKey struct {
	id  byte
	key [store.OTPLimitKeyLen]byte
}

// maxFull bounds the table of full windows (about 80 bytes each).
const maxFull = 1 << 16

func newLimiter(sec *Secret, name string, ls []limit) *limiter {
	l := &limiter{sec: sec, name: name, full: map[fullKey]time.Time{}}
	for _, x := range ls {
		if x.rate.Max > 0 && x.rate.Window > 0 {
			l.limits = append(l.limits, x)
		}
	}
	return l
}

// refusal is a send over a limit.
type refusal struct {
	limit *limit
	after time.Duration
}

// charge makes the store's count of a send at now, unless a window known
// full refuses it at once.
func (l *limiter) charge(r *SendRequest, prefix string, now time.Time) (*store.OTPCharge, *refusal) {
	if len(l.limits) == 0 {
		return nil, nil
	}
	c := &store.OTPCharge{Counts: make([]store.OTPCount, len(l.limits))}
	for i := range l.limits {
		x := &l.limits[i]
		c.Counts[i] = store.OTPCount{Limit: x.id, Key: l.sec.limitKey(l.name, x.id, x.value(r, prefix)),
			Max: uint32(min(x.rate.Max, 1<<31)), Window: x.rate.Window}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range c.Counts {
		k := fullKey{c.Counts[i].Limit, c.Counts[i].Key}
		end, ok := l.full[k]
		switch {
		case !ok:
		case now.Before(end):
			return nil, &refusal{limit: &l.limits[i], after: end.Sub(now)}
		default:
			delete(l.full, k)
		}
	}
	return c, nil
}

// settled learns from the store's answer to a charge: the windows it
// filled (err nil) or the one that refused it. It returns the refusal,
// if err is the store's.
func (l *limiter) settled(c *store.OTPCharge, err error, now time.Time) *refusal {
	if c == nil {
		return nil
	}
	var le *store.OTPLimitError
	switch {
	case err == nil:
		l.mu.Lock()
		for i := range c.Counts {
			if n := &c.Counts[i]; n.Count >= n.Max {
				l.remember(fullKey{n.Limit, n.Key}, n.End, now)
			}
		}
		l.mu.Unlock()
		return nil
	case errors.As(err, &le) && le.Index >= 0 && le.Index < len(c.Counts):
		n := &c.Counts[le.Index]
		l.mu.Lock()
		l.remember(fullKey{n.Limit, n.Key}, le.End, now)
		l.mu.Unlock()
		return &refusal{limit: &l.limits[le.Index], after: le.End.Sub(now)}
	}
	return nil
}

// remember notes a full window (l.mu held).
func (l *limiter) remember(k fullKey, end, now time.Time) {
	if l.noFront || !now.Before(end) {
		return
	}
	if len(l.full) >= maxFull {
		if now.Sub(l.swept) < time.Second {
			return // swept a moment ago: a table full of live windows
		}
		l.swept = now
		for k, e := range l.full {
			if !now.Before(e) {
				delete(l.full, k)
			}
		}
		if len(l.full) >= maxFull {
			return
		}
	}
	l.full[k] = end
}
