package pkcs11

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/hsm/pkcs11/internal/breaker"
)

// Token is a logged-in PKCS#11 token with a pool of sessions. Every call
// runs on a session taken from the pool — exactly one call in flight per
// session — and waits a bounded time for one to be free. Sessions that
// die under it (session or device errors, a lost login, a module that was
// finalised) are re-established transparently and the call is retried; a
// circuit breaker fails calls fast while the token stays down and probes
// it every Config.ProbeInterval.
//
// Use one Token per token per process: the login belongs to the process,
// and re-establishment closes every session of the slot.
type Token struct {
	cfg  Config
	name string
	log  *slog.Logger
	mod  *module
	pin  []byte // cleared by Close

	// Guarded by mod.mu: read with it held for reading, written with it
	// held for writing.
	slot      uint
	anchor    p11.SessionHandle // keeps the login alive; used only under the write lock
	hasAnchor bool
	modGen    uint64 // mod.initGen the current generation was established under
	futile    int    // re-establishments in a row not followed by a success
	// gen numbers the generations of sessions and object handles: every
	// re-establishment starts a new one, and a pool session or key handle
	// of an older generation is never used again. Written under mod.mu.
	gen   atomic.Uint64
	okGen atomic.Uint64 // latest generation on which a call succeeded

	free   chan *session
	done   chan struct{}
	closed atomic.Bool // set under mod.mu (write); checked before every call
	once   sync.Once

	br    *breaker.Breaker
	stats counters
}

// session is a pool slot: a session handle and the generation it was
// opened in. A slot whose generation is not current is re-opened on use.
type session struct {
	h   p11.SessionHandle
	gen uint64
}

const sessionFlags = p11.CKF_SERIAL_SESSION | p11.CKF_RW_SESSION

// Open loads the module (once per process), finds the token, logs in with
// the configured PIN and opens the pool. Errors name the module, token and
// PIN source, never the PIN.
func Open(ctx context.Context, cfg Config) (*Token, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pin, err := cfg.PIN.Read()
	if err != nil {
		return nil, fmt.Errorf("hsm: pkcs11: PIN for token %q: %w", cfg.name(), err)
	}
	mod, err := acquireModule(cfg.Module, cfg.load)
	if err != nil {
		clear(pin)
		return nil, err
	}
	t := &Token{
		cfg:  cfg,
		name: cfg.name(),
		log:  cfg.Logger.With("module", cfg.Module, "token", cfg.name()),
		mod:  mod,
		pin:  pin,
		free: make(chan *session, cfg.Sessions),
		done: make(chan struct{}),
		br:   breaker.New(cfg.ProbeInterval),
	}
	mod.mu.Lock()
	err = t.establish()
	var pool []*session
	for i := 0; err == nil && i < cfg.Sessions; i++ {
		s := &session{}
		err = t.openSession(s)
		pool = append(pool, s)
	}
	if err != nil {
		if t.hasAnchor {
			_ = mod.api.CloseAllSessions(t.slot)
		}
		mod.mu.Unlock()
		clear(t.pin)
		mod.release()
		return nil, err
	}
	mod.mu.Unlock()
	for _, s := range pool {
		t.free <- s
	}
	t.okGen.Store(t.gen.Load())
	t.log.Info("hsm: pkcs11: token open", "slot", t.slot, "sessions", cfg.Sessions)
	return t, nil
}

// Close closes the sessions (which logs out) and releases the module. Calls
// in flight finish first; later calls fail with hsm.ErrClosed.
func (t *Token) Close() error {
	t.once.Do(func() {
		close(t.done)
		t.mod.mu.Lock()
		t.closed.Store(true)
		if t.hasAnchor {
			_ = t.mod.api.CloseAllSessions(t.slot)
			t.hasAnchor = false
		}
		clear(t.pin)
		t.mod.mu.Unlock()
		t.mod.release()
	})
	return nil
}

// Name returns how the token is named in messages: its label or slot.
func (t *Token) Name() string { return t.name }

func (t *Token) errClosed() error {
	return fmt.Errorf("hsm: pkcs11: token %q: %w", t.name, hsm.ErrClosed)
}

// establish finds the slot, opens the anchor session and logs in, then
// starts a new generation. Called with mod.mu held for writing.
func (t *Token) establish() error {
	slot, err := t.findSlot()
	if err != nil {
		return err
	}
	h, err := t.mod.api.OpenSession(slot, sessionFlags)
	if err != nil {
		return fmt.Errorf("hsm: pkcs11: open session on token %q: %w", t.name, err)
	}
	if err := t.login(h); err != nil {
		_ = t.mod.api.CloseSession(h)
		return err
	}
	t.slot, t.anchor, t.hasAnchor = slot, h, true
	t.modGen = t.mod.initGen
	t.gen.Add(1)
	return nil
}

// login logs the user in on h. The login belongs to the application, so
// CKR_USER_ALREADY_LOGGED_IN is success.
func (t *Token) login(h p11.SessionHandle) error {
	err := t.mod.api.Login(h, p11.CKU_USER, string(t.pin))
	if err == nil || isCode(err, p11.CKR_USER_ALREADY_LOGGED_IN) {
		return nil
	}
	if classify(err) == KindPIN {
		return &pinError{token: t.name, source: t.cfg.PIN.String(), err: err}
	}
	return fmt.Errorf("hsm: pkcs11: log in to token %q: %w", t.name, err)
}

// pinError is a refused PIN: it stops every automatic retry.
type pinError struct {
	token, source string
	err           error
}

func (e *pinError) Error() string {
	what := "refused the PIN"
	switch {
	case isCode(e.err, p11.CKR_PIN_INCORRECT):
		what = "refused the PIN as incorrect"
	case isCode(e.err, p11.CKR_PIN_LOCKED):
		what = "has locked the user PIN"
	case isCode(e.err, p11.CKR_PIN_EXPIRED):
		what = "reports the PIN expired"
	case isCode(e.err, p11.CKR_PIN_LEN_RANGE), isCode(e.err, p11.CKR_PIN_INVALID):
		what = "refused the PIN as malformed"
	}
	return fmt.Sprintf("hsm: pkcs11: token %q %s (PIN from %s): %v", e.token, what, e.source, e.err)
}

func (e *pinError) Unwrap() error { return e.err }

// findSlot returns the slot holding the configured token.
func (t *Token) findSlot() (uint, error) {
	slots, err := t.mod.api.GetSlotList(true)
	if err != nil {
		return 0, fmt.Errorf("hsm: pkcs11: list slots of module %q: %w", t.cfg.Module, err)
	}
	var found []uint
	var seen []string
	var info p11.TokenInfo
	for _, s := range slots {
		ti, err := t.mod.api.GetTokenInfo(s)
		if err != nil {
			continue
		}
		if ti.Flags&p11.CKF_TOKEN_INITIALIZED != 0 {
			seen = append(seen, fmt.Sprintf("%q in slot %d", ti.Label, s))
		}
		if t.cfg.Slot != nil && *t.cfg.Slot != s {
			continue
		}
		if t.cfg.TokenLabel != "" && ti.Label != t.cfg.TokenLabel {
			continue
		}
		found = append(found, s)
		info = ti
	}
	switch {
	case len(found) == 0:
		present := "none"
		if len(seen) > 0 {
			present = strings.Join(seen, ", ")
		}
		return 0, fmt.Errorf("hsm: pkcs11: token %q not found in module %q (tokens present: %s)", t.name, t.cfg.Module, present)
	case len(found) > 1:
		return 0, fmt.Errorf("hsm: pkcs11: token label %q is ambiguous: slots %v; configure the slot too", t.cfg.TokenLabel, found)
	}
	if info.Flags&p11.CKF_TOKEN_INITIALIZED == 0 {
		return 0, fmt.Errorf("hsm: pkcs11: token %q in slot %d is not initialised", t.name, found[0])
	}
	if info.Flags&p11.CKF_USER_PIN_LOCKED != 0 {
		return 0, &pinError{token: t.name, source: t.cfg.PIN.String(), err: p11.Error(p11.CKR_PIN_LOCKED)}
	}
	if info.Flags&(p11.CKF_USER_PIN_FINAL_TRY|p11.CKF_USER_PIN_COUNT_LOW) != 0 {
		t.log.Warn("hsm: pkcs11: token reports failed PIN attempts; one more may lock it", "slot", found[0])
	}
	return found[0], nil
}

// openSession opens a pool session for the current generation. Called
// with mod.mu held (either way).
func (t *Token) openSession(s *session) error {
	h, err := t.mod.api.OpenSession(t.slot, sessionFlags)
	if err != nil {
		return fmt.Errorf("hsm: pkcs11: open session on token %q: %w", t.name, err)
	}
	s.h, s.gen = h, t.gen.Load()
	t.stats.sessionOpens.Add(1)
	return nil
}

// reestablish replaces every session of the token: it restarts the
// module if needed (always when force is set and no other token uses it),
// closes what is left of the slot's sessions, logs in again on a fresh
// anchor session and starts a new generation. Called with mod.mu held for
// writing.
func (t *Token) reestablish(cause error, force bool) error {
	t.stats.reestablishes.Add(1)
	// A new generation at once: whatever happens below, no session or
	// object handle of the old one is used again.
	t.gen.Add(1)
	t.hasAnchor = false
	restarted := false
	if force || classify(cause) == KindModule {
		did, err := t.mod.restart(force && !t.mod.shared())
		if err != nil {
			return err
		}
		restarted = did
	}
	if t.modGen == t.mod.initGen {
		// Same library instance: close the old sessions (a no-op for dead
		// ones). This also logs the application out of the token.
		if err := t.mod.api.CloseAllSessions(t.slot); isCode(err, p11.CKR_CRYPTOKI_NOT_INITIALIZED) {
			did, err := t.mod.restart(false)
			if err != nil {
				return err
			}
			restarted = restarted || did
		}
	}
	err := t.establish()
	var pe *pinError
	if err != nil && !errors.As(err, &pe) && !restarted && !t.mod.shared() {
		// The token may come back only after a module restart (a
		// re-plugged device, a restarted HSM proxy).
		if _, rerr := t.mod.restart(true); rerr != nil {
			return rerr
		}
		err = t.establish()
	}
	return err
}

// do runs op on a pool session. op runs with mod.mu held for reading, on
// a session of the current generation, and must make only token calls on
// that session. Failures that re-establishment can cure are recovered
// from and, if retry allows the kind, retried up to Config.MaxAttempts.
func (t *Token) do(ctx context.Context, retry func(ErrorKind) bool, op func(s *session) error) error {
	for attempt := 1; ; attempt++ {
		if err := t.admit(); err != nil {
			return err
		}
		s, err := t.acquire(ctx)
		if err != nil {
			return err
		}
		gen, err := t.run(s, op)
		t.free <- s
		if err == nil {
			t.markOK(gen)
			return nil
		}
		kind := classify(err)
		t.stats.errors[kind].Add(1)
		if errors.Is(err, hsm.ErrClosed) || !kind.recoverable() {
			return err
		}
		if rerr := t.recover(gen, err); rerr != nil {
			return rerr
		}
		if attempt >= t.cfg.MaxAttempts || (retry != nil && !retry(kind)) {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("%w (giving up: %w)", err, cerr)
		}
	}
}

func (t *Token) markOK(gen uint64) {
	for {
		cur := t.okGen.Load()
		if gen <= cur || t.okGen.CompareAndSwap(cur, gen) {
			return
		}
	}
}

// run executes op on s under the read lock, first re-opening s if it
// belongs to an older generation.
func (t *Token) run(s *session, op func(*session) error) (gen uint64, err error) {
	t.mod.mu.RLock()
	defer t.mod.mu.RUnlock()
	gen = t.gen.Load()
	if t.closed.Load() {
		return gen, t.errClosed()
	}
	if t.modGen != t.mod.initGen || !t.hasAnchor {
		return gen, fmt.Errorf("hsm: pkcs11: token %q: %w", t.name, errStale)
	}
	if s.gen != gen {
		// The old handle died with its generation (closed by
		// CloseAllSessions or by a module restart): never touch it.
		if err := t.openSession(s); err != nil {
			return gen, err
		}
	}
	return gen, op(s)
}

// recover re-establishes the token after err hit a call of generation gen,
// unless another call already did. A failed re-establishment opens the
// breaker.
func (t *Token) recover(gen uint64, cause error) error {
	t.mod.mu.Lock()
	defer t.mod.mu.Unlock()
	if t.closed.Load() {
		return t.errClosed()
	}
	if t.gen.Load() != gen {
		return nil // already replaced by another call
	}
	if !t.br.Closed() {
		// A re-establishment failed while this call was under way: leave
		// the next attempt to the breaker's probe (and never spend another
		// PIN attempt after a refused PIN).
		return t.unavailable(t.br.Snapshot())
	}
	if t.okGen.Load() < gen {
		t.futile++
	} else {
		t.futile = 0
	}
	if t.futile > t.cfg.MaxFutileRecoveries {
		err := fmt.Errorf("hsm: pkcs11: token %q keeps failing after %d re-establishments: %w", t.name, t.futile-1, cause)
		t.tripLocked(err)
		return t.unavailable(t.br.Snapshot())
	}
	t.log.Warn("hsm: pkcs11: re-establishing sessions", "kind", classify(cause).String(), "cause", cause)
	if err := t.reestablish(cause, false); err != nil {
		t.tripLocked(err)
		return t.unavailable(t.br.Snapshot())
	}
	t.log.Info("hsm: pkcs11: sessions re-established", "slot", t.slot, "generation", t.gen.Load())
	return nil
}

func (t *Token) tripLocked(err error) {
	var pe *pinError
	fatal := errors.As(err, &pe)
	if t.br.Trip(err, fatal) {
		t.log.Error("hsm: pkcs11: token down, circuit breaker open", "error", err, "probe_interval", t.cfg.ProbeInterval, "fatal", fatal)
	}
}

// admit lets a call through the breaker: at once when closed; when open,
// it either fails fast or, once the probe interval has passed, makes this
// call the probe that re-establishes the token.
func (t *Token) admit() error {
	if t.closed.Load() {
		return t.errClosed()
	}
	if t.br.Closed() {
		return nil
	}
	v := t.br.Admit()
	if !v.ProbeGranted {
		if v.State == BreakerClosed {
			return nil
		}
		t.stats.fastFails.Add(1)
		t.stats.errors[KindUnavailable].Add(1)
		return t.unavailable(v)
	}
	t.mod.mu.Lock()
	defer t.mod.mu.Unlock()
	if t.closed.Load() {
		return t.errClosed()
	}
	err := t.reestablish(nil, true)
	if err != nil {
		t.tripLocked(err)
		t.log.Warn("hsm: pkcs11: probe failed; token still down", "error", err)
		t.stats.errors[KindUnavailable].Add(1)
		return t.unavailable(t.br.Snapshot())
	}
	t.futile = 0
	t.br.Reset()
	t.log.Info("hsm: pkcs11: token recovered, circuit breaker closed", "slot", t.slot, "down_for", v.OpenFor.Round(time.Millisecond))
	return nil
}

// unavailable is the error of a call refused by the open breaker.
func (t *Token) unavailable(v breaker.View) error {
	next := fmt.Sprintf("next probe in %v", v.NextProbeIn.Round(time.Millisecond))
	if v.Fatal {
		next = "not probing: fix the PIN and restart"
	}
	cause := v.LastErr
	if cause == nil {
		cause = errors.New("unknown cause")
	}
	return fmt.Errorf("hsm: pkcs11: token %q unavailable (circuit breaker open for %v, %s): %w: %w",
		t.name, v.OpenFor.Round(time.Millisecond), next, hsm.ErrUnavailable, cause)
}

// acquire takes a session from the pool, waiting at most until ctx ends or
// Config.MaxWait passes.
func (t *Token) acquire(ctx context.Context) (*session, error) {
	start := time.Now()
	select {
	case s := <-t.free:
		t.stats.wait.Observe(time.Since(start))
		return s, nil
	default:
	}
	timer := time.NewTimer(t.cfg.MaxWait)
	defer timer.Stop()
	var cause error
	select {
	case s := <-t.free:
		t.stats.wait.Observe(time.Since(start))
		return s, nil
	case <-t.done:
		return nil, t.errClosed()
	case <-ctx.Done():
		cause = ctx.Err()
	case <-timer.C:
		cause = fmt.Errorf("wait bound %v reached", t.cfg.MaxWait)
	}
	t.stats.wait.Observe(time.Since(start))
	t.stats.errors[KindBusy].Add(1)
	return nil, fmt.Errorf("hsm: pkcs11: token %q: no free session among %d after %v: %w (%w)",
		t.name, t.cfg.Sessions, time.Since(start).Round(time.Microsecond), hsm.ErrBusy, cause)
}

// Check verifies that the token answers and the login holds, through the
// pool and the breaker (a readiness probe); a lost session or login is
// re-established on the way.
func (t *Token) Check(ctx context.Context) error {
	err := t.do(ctx, nil, func(s *session) error {
		info, err := t.mod.api.GetSessionInfo(s.h)
		if err != nil {
			return err
		}
		if info.State != p11.CKS_RW_USER_FUNCTIONS && info.State != p11.CKS_RO_USER_FUNCTIONS {
			return p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("hsm: pkcs11: check token %q: %w", t.name, err)
	}
	return nil
}
