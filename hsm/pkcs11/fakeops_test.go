package pkcs11

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/softhsmtest"
	"github.com/gostca/gostca/internal/testlog"
)

const fakePIN = "fake-Pin-7391"

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// openFake opens a Token on f with a fake breaker clock.
func openFake(t *testing.T, f *fakeModule, mutate func(*Config)) (*Token, *fakeClock, *testlog.Buffer) {
	t.Helper()
	log, lb := testLogger(t)
	cfg := Config{
		Module:        fmt.Sprintf("fake-module:%s:%p", t.Name(), f),
		TokenLabel:    f.label,
		PIN:           hsm.SecretSource{File: softhsmtest.WritePIN(t, f.pin)},
		Sessions:      3,
		ProbeInterval: time.Minute,
		Logger:        log,
		load:          func(string) (api, error) { return f, nil },
	}
	if mutate != nil {
		mutate(&cfg)
	}
	tok, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Close() })
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	tok.br.Now = clock.Now
	return tok, clock, lb
}

func TestFakeGOSTKeygenAndSign(t *testing.T) {
	cryptoProA := asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}
	for _, c := range []struct {
		curve     string
		paramsOID asn1.ObjectIdentifier
		wrap      bool
		inPrivate bool
	}{
		{curve: "tc26-256-A"},
		{curve: "tc26-256-B", paramsOID: cryptoProA, inPrivate: true},
		{curve: "tc26-256-C", wrap: true},
		{curve: "tc26-512-A"},
		{curve: "tc26-512-C", wrap: true},
		{curve: "P-256"},
		{curve: "P-384", wrap: true},
	} {
		t.Run(fmt.Sprintf("%s/wrap=%v", c.curve, c.wrap), func(t *testing.T) {
			f := newFakeModule(t, "gost-token", fakePIN)
			f.wrapValue = c.wrap
			tok, _, _ := openFake(t, f, nil)
			curve := mustCurve(t, c.curve)
			ctx := context.Background()
			k, err := tok.GenerateKey(ctx, KeyGen{Label: "ca-2026", Curve: curve, GOSTParamsOID: c.paramsOID, GOSTParamsInPrivate: c.inPrivate})
			if err != nil {
				t.Fatal(err)
			}
			if k.Algorithm() != curve.Algorithm() || k.Curve() != curve || len(k.Spec().ID) != 16 {
				t.Fatalf("generated %v on %v, id %x", k.Algorithm(), k.Curve(), k.Spec().ID)
			}
			for i := range 5 {
				signAndVerify(t, k, fmt.Sprintf("tbs %d", i))
			}
			// The same key found by label, by ID and by both.
			for _, spec := range []KeySpec{{Label: "ca-2026"}, {ID: k.Spec().ID}, k.Spec()} {
				k2, err := tok.Key(ctx, spec)
				if err != nil {
					t.Fatal(err)
				}
				if !hsm.SamePublicKey(k.Public(), k2.Public()) {
					t.Fatalf("%v: another public key", spec)
				}
				signAndVerify(t, k2, "again")
			}
			// A signature through the crypto.Signer adapter.
			d := digestFor(k.Algorithm(), []byte("adapter"))
			sig, err := hsm.AsSigner(k).Sign(nil, d, nil)
			if err != nil || !verifies(k, d, sig) {
				t.Fatalf("AsSigner: %v", err)
			}
			if _, err := tok.GenerateKey(ctx, KeyGen{Label: "ca-2026", Curve: curve}); err == nil || !strings.Contains(err.Error(), "already exists") {
				t.Fatalf("duplicate label: %v", err)
			}
			if _, err := tok.GenerateKey(ctx, KeyGen{Label: "other", ID: k.Spec().ID, Curve: curve}); err == nil || !strings.Contains(err.Error(), "already exists") {
				t.Fatalf("duplicate ID: %v", err)
			}
			if _, err := k.Sign(ctx, make([]byte, 20)); err == nil || !strings.Contains(err.Error(), "digest") {
				t.Fatalf("short digest: %v", err)
			}
			st := tok.Stats()
			if st.Signs != 9 || st.Keygens != 1 || st.Breaker != BreakerClosed {
				t.Errorf("stats %+v", st)
			}
			// Deleting needs label and ID together; then the pair is gone.
			for _, spec := range []KeySpec{{Label: "ca-2026"}, {ID: k.Spec().ID}} {
				if _, err := tok.DeleteKeyPair(ctx, spec); err == nil {
					t.Fatalf("delete by %v alone", spec)
				}
			}
			if n, err := tok.DeleteKeyPair(ctx, KeySpec{Label: "ca-2026", ID: []byte{1}}); err != nil || n != 0 {
				t.Fatalf("delete with another ID: %d, %v", n, err)
			}
			if n, err := tok.DeleteKeyPair(ctx, k.Spec()); err != nil || n != 2 {
				t.Fatalf("delete: %d objects, %v", n, err)
			}
			if _, err := tok.Key(ctx, KeySpec{Label: "ca-2026"}); err == nil {
				t.Fatal("the deleted key is still found")
			}
			if _, err := tok.GenerateKey(ctx, KeyGen{Label: "ca-2026", Curve: curve}); err != nil {
				t.Fatalf("label free again: %v", err)
			}
		})
	}
}

// TestFakeImportedGOSTKey checks the byte order of CKA_VALUE against the
// gost3410 package: a key put on the token with a known d is found with
// the public key gost3410 derives from d.
func TestFakeImportedGOSTKey(t *testing.T) {
	for _, name := range []string{"tc26-256-A", "tc26-512-B"} {
		c, _ := gost3410.CurveByName(name)
		d := make([]byte, c.Size)
		d[0], d[5] = 0x2a, 0x17 // little-endian d = 0x17 << 40 | 0x2a
		priv, err := gost3410.NewPrivateKey(c, d)
		if err != nil {
			t.Fatal(err)
		}
		f := newFakeModule(t, "tok", fakePIN)
		f.addGOSTKey("imported", []byte{1, 2, 3}, priv)
		tok, _, _ := openFake(t, f, nil)
		k, err := tok.Key(context.Background(), KeySpec{ID: []byte{1, 2, 3}})
		if err != nil {
			t.Fatal(err)
		}
		if !priv.PublicKey().Equal(k.Public()) {
			t.Fatalf("%s: public key read from CKA_VALUE differs from the one derived from d", name)
		}
		signAndVerify(t, k, "imported")
	}
}

func TestFakeRecoversFromEachFailure(t *testing.T) {
	one := func(op string, code uint) func(f *fakeModule) {
		return func(f *fakeModule) {
			fired := false
			f.fault = func(o string) error {
				if o == op && !fired {
					fired = true
					return p11.Error(code)
				}
				return nil
			}
		}
	}
	cases := []struct {
		name    string
		kind    string
		restart bool
		break_  func(f *fakeModule)
	}{
		{"CKR_SESSION_HANDLE_INVALID", "session", false, one("Sign", p11.CKR_SESSION_HANDLE_INVALID)},
		{"CKR_SESSION_CLOSED", "session", false, one("SignInit", p11.CKR_SESSION_CLOSED)},
		{"CKR_DEVICE_ERROR", "device", false, one("Sign", p11.CKR_DEVICE_ERROR)},
		{"CKR_DEVICE_REMOVED", "device", false, one("SignInit", p11.CKR_DEVICE_REMOVED)},
		{"CKR_TOKEN_NOT_PRESENT", "device", false, one("Sign", p11.CKR_TOKEN_NOT_PRESENT)},
		{"CKR_USER_NOT_LOGGED_IN", "login", false, one("SignInit", p11.CKR_USER_NOT_LOGGED_IN)},
		{"CKR_GENERAL_ERROR", "module", false, one("Sign", p11.CKR_GENERAL_ERROR)},
		{"all sessions closed", "session", false, func(f *fakeModule) {
			f.sessions = map[p11.SessionHandle]*fakeSession{}
			f.loggedIn = false
		}},
		{"logged out", "login", false, func(f *fakeModule) { f.loggedIn = false }},
		{"finalized", "module", true, func(f *fakeModule) {
			f.initialized, f.loggedIn = false, false
			f.sessions = map[p11.SessionHandle]*fakeSession{}
		}},
		{"finalized and initialized again", "session", false, func(f *fakeModule) {
			f.initialized, f.loggedIn = false, false
			f.sessions = map[p11.SessionHandle]*fakeSession{}
			f.mu.Unlock()
			_ = f.Initialize()
			f.mu.Lock()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeModule(t, "tok", fakePIN)
			tok, _, lb := openFake(t, f, nil)
			k, err := tok.GenerateKey(context.Background(), KeyGen{Label: "k", Curve: mustCurve(t, "tc26-256-A")})
			if err != nil {
				t.Fatal(err)
			}
			signAndVerify(t, k, "before")
			before := tok.Stats()
			f.set(c.break_)
			signAndVerify(t, k, "after")
			signAndVerify(t, k, "after again")
			st := tok.Stats()
			if st.Errors[c.kind] != before.Errors[c.kind]+1 {
				t.Errorf("errors[%s] %d → %d, want +1 (all: %v)", c.kind, before.Errors[c.kind], st.Errors[c.kind], st.Errors)
			}
			if st.Reestablishes != before.Reestablishes+1 {
				t.Errorf("reestablishes %d → %d, want +1", before.Reestablishes, st.Reestablishes)
			}
			if got := st.ModuleRestarts > before.ModuleRestarts; got != c.restart {
				t.Errorf("module restarted = %v, want %v", got, c.restart)
			}
			if st.Breaker != BreakerClosed || st.Generation <= before.Generation {
				t.Errorf("stats %+v", st)
			}
			noSecret(t, fakePIN, lb.String())
		})
	}
}

// TestFakeConcurrentKills signs from many goroutines while the token is
// repeatedly finalised, re-initialised (renumbering sessions and objects),
// emptied of sessions and logged out. The fake fails the test if a session
// ever carries two calls at once (a stale handle reused); every signature
// must verify and no call may fail.
// fakeKills is how many times TestFakeConcurrentKills breaks the token.
const fakeKills = 40

func TestFakeConcurrentKills(t *testing.T) {
	f := newFakeModule(t, "tok", fakePIN)
	// The wait bound is generous: this test is about recovery, and under
	// -race on a loaded 2-core CI machine 512-bit signatures queue for
	// seconds behind re-establishments.
	// More attempts than kills: a call fails at most once per kill, so none
	// can run out of attempts however long the scheduler starves it.
	tok, _, _ := openFake(t, f, func(c *Config) { c.Sessions = 3; c.MaxAttempts = fakeKills + 2; c.MaxWait = 2 * time.Minute })
	ctx := context.Background()
	keys := make([]*Key, 0, 3)
	for i, c := range []string{"tc26-256-A", "tc26-512-A", "P-256"} {
		k, err := tok.GenerateKey(ctx, KeyGen{Label: fmt.Sprintf("k%d", i), Curve: mustCurve(t, c)})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	var stop atomic.Bool
	var signed atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				k := keys[(g+i)%len(keys)]
				d := digestFor(k.Algorithm(), fmt.Appendf(nil, "%d/%d", g, i))
				sig, err := k.Sign(ctx, d)
				if err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				if !verifies(k, d, sig) {
					t.Errorf("goroutine %d: bad signature", g)
					return
				}
				signed.Add(1)
			}
		})
	}
	kills := []func(f *fakeModule){
		func(f *fakeModule) { // module finalised and initialised again
			f.initialized, f.loggedIn = false, false
			f.sessions = map[p11.SessionHandle]*fakeSession{}
			f.mu.Unlock()
			_ = f.Initialize()
			f.mu.Lock()
		},
		func(f *fakeModule) { // module finalised
			f.initialized, f.loggedIn = false, false
			f.sessions = map[p11.SessionHandle]*fakeSession{}
		},
		func(f *fakeModule) { f.sessions = map[p11.SessionHandle]*fakeSession{}; f.loggedIn = false },
		func(f *fakeModule) { f.loggedIn = false },
	}
	for i := range fakeKills {
		last := signed.Load()
		if !eventually(t, 10*time.Second, 100*time.Microsecond, func() bool { return signed.Load() > last+5 }) {
			t.Fatalf("kill %d: no progress", i)
		}
		f.set(kills[mrand.IntN(len(kills))])
	}
	stop.Store(true)
	wg.Wait()
	st := tok.Stats()
	t.Logf("signed %d with %d kills; stats: reestablishes %d, module restarts %d, errors %v",
		signed.Load(), fakeKills, st.Reestablishes, st.ModuleRestarts, st.Errors)
	if st.Breaker != BreakerClosed || st.Reestablishes < 10 {
		t.Errorf("stats %+v", st)
	}
}

func TestFakeBreaker(t *testing.T) {
	f := newFakeModule(t, "tok", fakePIN)
	tok, clock, lb := openFake(t, f, func(c *Config) { c.ProbeInterval = 30 * time.Second })
	k, err := tok.GenerateKey(context.Background(), KeyGen{Label: "k", Curve: mustCurve(t, "tc26-256-A")})
	if err != nil {
		t.Fatal(err)
	}
	signAndVerify(t, k, "up")

	// The token disappears with its sessions.
	f.set(func(f *fakeModule) {
		f.present, f.loggedIn = false, false
		f.sessions = map[p11.SessionHandle]*fakeSession{}
	})
	d := digestFor(hsm.GOST256, []byte("down"))
	_, err = k.Sign(context.Background(), d)
	if !errors.Is(err, hsm.ErrUnavailable) || !strings.Contains(err.Error(), `token "tok" not found`) {
		t.Fatalf("first failure: %v", err)
	}
	st := tok.Stats()
	if st.Breaker != BreakerOpen || st.BreakerTrips != 1 || !strings.Contains(st.BreakerLastErr, "not found") {
		t.Fatalf("stats after trip: %+v", st)
	}
	// While open, calls fail fast: the module is not called at all.
	callsBefore := totalCalls(f)
	for range 100 {
		_, err := k.Sign(context.Background(), d)
		if !errors.Is(err, hsm.ErrUnavailable) || !strings.Contains(err.Error(), "circuit breaker open") {
			t.Fatalf("fast failure: %v", err)
		}
	}
	clock.Advance(29 * time.Second)
	if _, err := k.Sign(context.Background(), d); !errors.Is(err, hsm.ErrUnavailable) {
		t.Fatalf("before the probe interval: %v", err)
	}
	if n := totalCalls(f); n != callsBefore {
		t.Fatalf("%d module calls while the breaker was open", n-callsBefore)
	}
	if st := tok.Stats(); st.FastFails != 101 || st.Errors["unavailable"] < 101 {
		t.Fatalf("fast fails %d, errors %v", st.FastFails, st.Errors)
	}
	// A probe that finds the token still down keeps the breaker open.
	clock.Advance(2 * time.Second)
	if _, err := k.Sign(context.Background(), d); !errors.Is(err, hsm.ErrUnavailable) {
		t.Fatalf("failed probe: %v", err)
	}
	if st := tok.Stats(); st.BreakerProbes != 1 || st.Breaker != BreakerOpen || st.BreakerTrips != 1 {
		t.Fatalf("after a failed probe: %+v", st)
	}
	// Check goes through the breaker too.
	if err := tok.Check(context.Background()); !errors.Is(err, hsm.ErrUnavailable) {
		t.Fatalf("Check while down: %v", err)
	}
	// The token comes back; the first call after the interval probes and
	// succeeds, and the cached key handle is looked up again.
	f.set(func(f *fakeModule) { f.present = true })
	if _, err := k.Sign(context.Background(), d); !errors.Is(err, hsm.ErrUnavailable) {
		t.Fatalf("token back but interval not over: %v", err)
	}
	clock.Advance(31 * time.Second)
	signAndVerify(t, k, "recovered")
	if err := tok.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	st = tok.Stats()
	if st.Breaker != BreakerClosed || st.BreakerProbes != 2 || st.BreakerTrips != 1 {
		t.Fatalf("after recovery: %+v", st)
	}
	logs := lb.String()
	for _, want := range []string{"circuit breaker open", "probe failed", "token recovered"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	noSecret(t, fakePIN, logs)
}

func totalCalls(f *fakeModule) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// TestFakeFutileRecoveries: the token is up and sessions re-establish, but
// signing keeps failing; after MaxFutileRecoveries the breaker opens
// instead of re-establishing forever.
func TestFakeFutileRecoveries(t *testing.T) {
	f := newFakeModule(t, "tok", fakePIN)
	tok, _, _ := openFake(t, f, func(c *Config) { c.MaxFutileRecoveries = 2 })
	k, err := tok.GenerateKey(context.Background(), KeyGen{Label: "k", Curve: mustCurve(t, "P-256")})
	if err != nil {
		t.Fatal(err)
	}
	f.setFault(func(op string) error {
		if op == "Sign" {
			return p11.Error(p11.CKR_DEVICE_ERROR)
		}
		return nil
	})
	d := digestFor(hsm.ECDSAP256, []byte("x"))
	var last error
	for range 5 {
		if _, last = k.Sign(context.Background(), d); errors.Is(last, hsm.ErrUnavailable) {
			break
		}
		if last == nil || !strings.Contains(last.Error(), "CKR_DEVICE_ERROR") {
			t.Fatalf("want the device error, got %v", last)
		}
	}
	if !errors.Is(last, hsm.ErrUnavailable) || !strings.Contains(last.Error(), "keeps failing") {
		t.Fatalf("breaker did not open: %v", last)
	}
	if st := tok.Stats(); st.Reestablishes != 3 || st.Breaker != BreakerOpen {
		t.Fatalf("stats %+v", st)
	}
}

// TestFakePINRefusedDuringRecovery: the PIN changed while the process ran.
// The breaker opens for good and never probes: every probe would spend one
// of the token's PIN attempts.
func TestFakePINRefusedDuringRecovery(t *testing.T) {
	f := newFakeModule(t, "tok", fakePIN)
	tok, clock, lb := openFake(t, f, nil)
	k, err := tok.GenerateKey(context.Background(), KeyGen{Label: "k", Curve: mustCurve(t, "tc26-512-A")})
	if err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fakeModule) { f.pin, f.loggedIn = "changed-9921", false })
	d := digestFor(hsm.GOST512, []byte("x"))
	_, err = k.Sign(context.Background(), d)
	if !errors.Is(err, hsm.ErrUnavailable) || !strings.Contains(err.Error(), "refused the PIN as incorrect") {
		t.Fatalf("error %v", err)
	}
	logins := f.count("Login")
	for range 3 {
		clock.Advance(time.Hour)
		_, err = k.Sign(context.Background(), d)
		if !errors.Is(err, hsm.ErrUnavailable) || !strings.Contains(err.Error(), "not probing") {
			t.Fatalf("error %v", err)
		}
	}
	if n := f.count("Login"); n != logins {
		t.Fatalf("%d more login attempts after the PIN was refused", n-logins)
	}
	noSecret(t, fakePIN, err.Error(), lb.String())
	noSecret(t, "changed-9921", err.Error(), lb.String())
}

// TestFakeKeyReplaced: after a re-establishment the label finds another
// key; it must not be used (its signatures would not verify under the
// public key already certified).
func TestFakeKeyReplaced(t *testing.T) {
	f := newFakeModule(t, "tok", fakePIN)
	tok, _, _ := openFake(t, f, nil)
	c, _ := gost3410.CurveByName("tc26-256-A")
	k1, _ := gost3410.GenerateKey(c, rand.Reader)
	k2, _ := gost3410.GenerateKey(c, rand.Reader)
	f.addGOSTKey("ca", []byte{9}, k1)
	k, err := tok.Key(context.Background(), KeySpec{Label: "ca"})
	if err != nil {
		t.Fatal(err)
	}
	signAndVerify(t, k, "original")
	f.removeLabel("ca")
	f.addGOSTKey("ca", []byte{9}, k2)
	f.set(func(f *fakeModule) { f.loggedIn = false }) // forces a re-establishment
	d := digestFor(hsm.GOST256, []byte("x"))
	if _, err := k.Sign(context.Background(), d); !errors.Is(err, ErrKeyChanged) {
		t.Fatalf("replaced key: %v", err)
	}
	f.removeLabel("ca")
	f.set(func(f *fakeModule) { f.loggedIn = false })
	if _, err := k.Sign(context.Background(), d); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("deleted key: %v", err)
	}
	if _, err := tok.Key(context.Background(), KeySpec{Label: "nope"}); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	if st := tok.Stats(); st.Breaker != BreakerClosed {
		t.Fatalf("a missing key opened the breaker: %+v", st)
	}
}

func TestFakeWaitBoundAndClose(t *testing.T) {
	f := newFakeModule(t, "tok", fakePIN)
	tok, _, _ := openFake(t, f, func(c *Config) { c.Sessions = 1; c.MaxWait = 30 * time.Millisecond })
	k, err := tok.GenerateKey(context.Background(), KeyGen{Label: "k", Curve: mustCurve(t, "P-256")})
	if err != nil {
		t.Fatal(err)
	}
	d := digestFor(hsm.ECDSAP256, []byte("x"))
	s := <-tok.free // hold the only session, as a long call would
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	_, err = k.Sign(ctx, d)
	cancel()
	if !errors.Is(err, hsm.ErrBusy) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no free session among 1") {
		t.Fatalf("context deadline: %v", err)
	}
	_, err = k.Sign(context.Background(), d)
	if !errors.Is(err, hsm.ErrBusy) || !strings.Contains(err.Error(), "wait bound") {
		t.Fatalf("MaxWait: %v", err)
	}
	tok.free <- s
	signAndVerify(t, k, "free again")
	st := tok.Stats()
	if st.Errors["busy"] != 2 || st.Wait.Count != 4 || st.Wait.Max < 10*time.Millisecond || st.Signs != 1 || st.SessionsIdle != 1 {
		t.Fatalf("stats %+v", st)
	}
	var n uint64
	for _, b := range st.Wait.Buckets {
		n += b
	}
	if n != st.Wait.Count || st.SignTime.Count != 1 || st.SignTime.Mean() <= 0 {
		t.Fatalf("histograms %+v %+v", st.Wait, st.SignTime)
	}

	// Close wakes waiters and refuses later calls.
	s = <-tok.free
	errc := make(chan error, 1)
	go func() {
		_, err := k.Sign(context.Background(), d)
		errc <- err
	}()
	eventually(t, time.Second, time.Millisecond, func() bool { return tok.Stats().Wait.Count >= 5 || len(errc) > 0 })
	tok.Close()
	if err := <-errc; !errors.Is(err, hsm.ErrClosed) && !errors.Is(err, hsm.ErrBusy) {
		t.Fatalf("waiter: %v", err)
	}
	tok.free <- s
	if _, err := k.Sign(context.Background(), d); !errors.Is(err, hsm.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if err := tok.Close(); err != nil {
		t.Fatal(err)
	}
	if !f.destroyed {
		t.Fatal("module not released")
	}
}

func TestFakeOpenErrors(t *testing.T) {
	f := newFakeModule(t, "tok", fakePIN)
	base := Config{
		Module:     "fake-module:" + t.Name(),
		TokenLabel: "tok",
		PIN:        hsm.SecretSource{File: softhsmtest.WritePIN(t, "wrong-PIN-5521")},
		load:       func(string) (api, error) { return f, nil },
	}
	_, err := Open(context.Background(), base)
	var pe *pinError
	if !errors.As(err, &pe) || !isCode(err, p11.CKR_PIN_INCORRECT) || !strings.Contains(err.Error(), "refused the PIN as incorrect") || !strings.Contains(err.Error(), "PIN from file") {
		t.Fatalf("wrong PIN: %v", err)
	}
	noSecret(t, "wrong-PIN-5521", err.Error())
	noSecret(t, fakePIN, err.Error())
	if n := f.count("Login"); n != 1 {
		t.Fatalf("%d login attempts with a wrong PIN, want 1", n)
	}
	if !f.destroyed {
		t.Fatal("module not released after a failed Open")
	}

	cases := []struct {
		mutate func(c *Config)
		want   string
	}{
		{func(c *Config) { c.TokenLabel = "other" }, `token "other" not found in module`},
		{func(c *Config) { c.Module = "" }, "no module path"},
		{func(c *Config) { c.TokenLabel = "" }, "token label or a slot"},
		{func(c *Config) { c.PIN = hsm.SecretSource{} }, "where the PIN comes from"},
		{func(c *Config) { c.PIN = hsm.SecretSource{Env: "GOSTCA_NO_SUCH_VAR"} }, "GOSTCA_NO_SUCH_VAR is not set"},
		{func(c *Config) { c.Sessions = -1 }, "negative"},
		{func(c *Config) { s := uint(99); c.Slot = &s }, `token "tok (slot 99)" not found`},
	}
	for _, c := range cases {
		f := newFakeModule(t, "tok", fakePIN)
		cfg := base
		cfg.PIN = hsm.SecretSource{File: softhsmtest.WritePIN(t, fakePIN)}
		cfg.load = func(string) (api, error) { return f, nil }
		c.mutate(&cfg)
		_, err := Open(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
	// The fake's label is listed among present tokens.
	f2 := newFakeModule(t, "present-one", fakePIN)
	cfg := base
	cfg.PIN = hsm.SecretSource{File: softhsmtest.WritePIN(t, fakePIN)}
	cfg.load = func(string) (api, error) { return f2, nil }
	if _, err := Open(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), `"present-one" in slot 7`) {
		t.Errorf("missing token: %v", err)
	}
}

// TestTwoTokensShareModule: two Tokens on one library share one Cryptoki
// context; the library is finalised only when the last one closes.
func TestTwoTokensShareModule(t *testing.T) {
	f := newFakeModule(t, "tok", fakePIN)
	mutate := func(c *Config) { c.Module = "fake-module:shared" }
	t1, _, _ := openFake(t, f, mutate)
	t2, _, _ := openFake(t, f, mutate)
	if t1.mod != t2.mod || f.count("Initialize") != 1 {
		t.Fatalf("module loaded twice (initialize ×%d)", f.count("Initialize"))
	}
	t1.Close()
	if f.destroyed || f.count("Finalize") != 0 {
		t.Fatal("module finalised while a token still uses it")
	}
	t2.Close()
	if !f.destroyed || f.count("Finalize") != 1 {
		t.Fatal("module not finalised after the last token closed")
	}
}

func TestKeyGenTemplates(t *testing.T) {
	find := func(attrs []*p11.Attribute, typ uint) []byte {
		for _, a := range attrs {
			if a.Type == typ {
				return a.Value
			}
		}
		return nil
	}
	ulong := func(v uint) []byte { return p11.NewAttribute(0, v).Value }
	oid := func(o asn1.ObjectIdentifier) []byte { b, _ := asn1.Marshal(o); return b }
	cases := []struct {
		curve      string
		paramsOID  asn1.ObjectIdentifier
		inPrivate  bool
		mech       uint
		keyType    uint
		params     asn1.ObjectIdentifier
		digest     asn1.ObjectIdentifier
		ecParamOID asn1.ObjectIdentifier
	}{
		{curve: "tc26-256-A", mech: 0x1200, keyType: 0x30, params: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1}, digest: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}},
		{curve: "tc26-256-B", mech: 0x1200, keyType: 0x30, params: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 2}, digest: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}},
		{curve: "tc26-256-B", paramsOID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}, inPrivate: true, mech: 0x1200, keyType: 0x30, params: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}, digest: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}},
		{curve: "tc26-512-A", mech: 0xD4321005, keyType: 0xD4321003, params: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1}, digest: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}},
		{curve: "tc26-512-C", inPrivate: true, mech: 0xD4321005, keyType: 0xD4321003, params: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 3}, digest: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}},
		{curve: "P-256", mech: p11.CKM_EC_KEY_PAIR_GEN, keyType: p11.CKK_EC, ecParamOID: asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}},
		{curve: "P-384", mech: p11.CKM_EC_KEY_PAIR_GEN, keyType: p11.CKK_EC, ecParamOID: asn1.ObjectIdentifier{1, 3, 132, 0, 34}},
	}
	for _, c := range cases {
		req := KeyGen{Label: "L", ID: []byte{7}, Curve: mustCurve(t, c.curve), GOSTParamsOID: c.paramsOID, GOSTParamsInPrivate: c.inPrivate}
		mech, pub, priv, keyType, err := keyGenTemplates(req)
		if err != nil {
			t.Fatalf("%s: %v", c.curve, err)
		}
		if mech.Mechanism != c.mech || keyType != c.keyType || mech.Parameter != nil {
			t.Errorf("%s: mechanism 0x%X key type 0x%X", c.curve, mech.Mechanism, keyType)
		}
		checks := []struct {
			attrs []*p11.Attribute
			typ   uint
			want  []byte
		}{
			{pub, p11.CKA_CLASS, ulong(p11.CKO_PUBLIC_KEY)},
			{pub, p11.CKA_KEY_TYPE, ulong(c.keyType)},
			{pub, p11.CKA_TOKEN, []byte{1}},
			{pub, p11.CKA_PRIVATE, []byte{0}},
			{pub, p11.CKA_VERIFY, []byte{1}},
			{pub, p11.CKA_LABEL, []byte("L")},
			{pub, p11.CKA_ID, []byte{7}},
			{priv, p11.CKA_CLASS, ulong(p11.CKO_PRIVATE_KEY)},
			{priv, p11.CKA_KEY_TYPE, ulong(c.keyType)},
			{priv, p11.CKA_TOKEN, []byte{1}},
			{priv, p11.CKA_PRIVATE, []byte{1}},
			{priv, p11.CKA_SENSITIVE, []byte{1}},
			{priv, p11.CKA_EXTRACTABLE, []byte{0}},
			{priv, p11.CKA_SIGN, []byte{1}},
			{priv, p11.CKA_DERIVE, []byte{0}},
			{priv, p11.CKA_LABEL, []byte("L")},
			{priv, p11.CKA_ID, []byte{7}},
		}
		if c.params != nil {
			checks = append(checks,
				struct {
					attrs []*p11.Attribute
					typ   uint
					want  []byte
				}{pub, 0x250, oid(c.params)},
				struct {
					attrs []*p11.Attribute
					typ   uint
					want  []byte
				}{pub, 0x251, oid(c.digest)})
			var wantPriv, wantPrivDigest []byte
			if c.inPrivate {
				wantPriv, wantPrivDigest = oid(c.params), oid(c.digest)
			}
			if !bytes.Equal(find(priv, 0x250), wantPriv) || !bytes.Equal(find(priv, 0x251), wantPrivDigest) {
				t.Errorf("%s: private template GOST params % x / % x", c.curve, find(priv, 0x250), find(priv, 0x251))
			}
			if find(pub, p11.CKA_EC_PARAMS) != nil {
				t.Errorf("%s: EC params in a GOST template", c.curve)
			}
		} else {
			checks = append(checks, struct {
				attrs []*p11.Attribute
				typ   uint
				want  []byte
			}{pub, p11.CKA_EC_PARAMS, oid(c.ecParamOID)})
			if find(pub, 0x250) != nil || find(priv, 0x250) != nil {
				t.Errorf("%s: GOST params in an EC template", c.curve)
			}
		}
		for _, ch := range checks {
			if got := find(ch.attrs, ch.typ); !bytes.Equal(got, ch.want) {
				t.Errorf("%s: attribute 0x%X = % x, want % x", c.curve, ch.typ, got, ch.want)
			}
		}
		if find(priv, p11.CKA_VALUE) != nil || find(pub, p11.CKA_VALUE) != nil {
			t.Errorf("%s: CKA_VALUE in a generation template", c.curve)
		}
	}

	testCurve, _ := gost3410.CurveByName("tc26-512-test")
	for name, req := range map[string]KeyGen{
		"test set":       {Label: "L", Curve: hsm.Curve{GOST: testCurve}},
		"foreign OID":    {Label: "L", Curve: mustCurve(t, "tc26-256-A"), GOSTParamsOID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}},
		"no curve":       {Label: "L"},
		"unknown OID":    {Label: "L", Curve: mustCurve(t, "tc26-256-A"), GOSTParamsOID: asn1.ObjectIdentifier{1, 2, 3}},
		"two curves set": {Label: "L", Curve: hsm.Curve{GOST: testCurve, EC: mustCurve(t, "P-256").EC}},
	} {
		if _, _, _, _, err := keyGenTemplates(req); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestClassify(t *testing.T) {
	for code, want := range map[uint]ErrorKind{
		p11.CKR_SESSION_HANDLE_INVALID:   KindSession,
		p11.CKR_SESSION_CLOSED:           KindSession,
		p11.CKR_KEY_HANDLE_INVALID:       KindSession,
		p11.CKR_USER_NOT_LOGGED_IN:       KindLogin,
		p11.CKR_DEVICE_ERROR:             KindDevice,
		p11.CKR_DEVICE_REMOVED:           KindDevice,
		p11.CKR_TOKEN_NOT_PRESENT:        KindDevice,
		p11.CKR_CRYPTOKI_NOT_INITIALIZED: KindModule,
		p11.CKR_PIN_INCORRECT:            KindPIN,
		p11.CKR_PIN_LOCKED:               KindPIN,
		p11.CKR_DATA_LEN_RANGE:           KindOther,
		p11.CKR_MECHANISM_INVALID:        KindOther,
	} {
		err := fmt.Errorf("wrapped: %w", p11.Error(code))
		if got := classify(err); got != want {
			t.Errorf("0x%X: %v, want %v", code, got, want)
		}
	}
	if classify(errors.New("plain")) != KindOther || classify(fmt.Errorf("x: %w", errStale)) != KindSession {
		t.Error("non-PKCS#11 errors misclassified")
	}
	if KindUnavailable.String() != "unavailable" || ErrorKind(99).String() != "unknown" {
		t.Error("kind names")
	}
}

func TestECDSAEncodingAndPublicKeys(t *testing.T) {
	// r with the top bit set needs a leading zero in DER; s with leading
	// zero bytes must be minimal.
	rb := bytes.Repeat([]byte{0xff}, 32)
	sb := append(make([]byte, 31), 5)
	der, err := ecdsaDER(rb, sb)
	if err != nil {
		t.Fatal(err)
	}
	r, s, err := parseECDSADER(der)
	if err != nil || r.Cmp(new(big.Int).SetBytes(rb)) != 0 || s.Int64() != 5 {
		t.Fatalf("round trip: %v %v %v", r, s, err)
	}
	if _, err := ecdsaDER(make([]byte, 32), sb); err == nil {
		t.Error("zero r accepted")
	}

	k, _ := ecdsa.GenerateKey(mustCurve(t, "P-256").EC, rand.Reader)
	point, _ := k.PublicKey.Bytes()
	params, _ := asn1.Marshal(hsm.OIDNamedCurveP256)
	for _, form := range [][]byte{point, octetString(point)} {
		pub, c, err := parseECPublic(params, form)
		if err != nil || c.Algorithm() != hsm.ECDSAP256 || !k.PublicKey.Equal(pub) {
			t.Fatalf("EC point % x: %v", form[:3], err)
		}
	}
	bad := bytes.Clone(point)
	bad[40] ^= 1
	if _, _, err := parseECPublic(params, bad); err == nil {
		t.Error("point off the curve accepted")
	}
	secp256k1, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 3, 132, 0, 10})
	if _, _, err := parseECPublic(secp256k1, point); err == nil {
		t.Error("unsupported curve accepted")
	}
	if _, _, err := parseECPublic([]byte{1, 2}, point); err == nil {
		t.Error("garbage params accepted")
	}

	gc, _ := gost3410.CurveByName("tc26-256-A")
	gk, _ := gost3410.GenerateKey(gc, rand.Reader)
	gparams, _ := asn1.Marshal(gc.OID())
	if _, _, err := parseGOSTPublic(CKK_GOSTR3410_512, gparams, gk.PublicKey().Bytes()); err == nil {
		t.Error("256-bit parameters under CKK_GOSTR3410_512 accepted")
	}
	if _, _, err := parseGOSTPublic(CKK_GOSTR3410, gparams, gk.PublicKey().Bytes()[1:]); err == nil {
		t.Error("short CKA_VALUE accepted")
	}
	// Big-endian coordinates (a classic interop bug) do not give the key.
	le := gk.PublicKey().Bytes()
	be := make([]byte, len(le))
	for i := range 32 {
		be[i], be[32+i] = le[31-i], le[63-i]
	}
	if pub, _, err := parseGOSTPublic(CKK_GOSTR3410, gparams, be); err == nil && gk.PublicKey().Equal(pub) {
		t.Error("big-endian CKA_VALUE read as the same key")
	}
}

// TestFakeCheck: Check notices a lost login (a session that still answers
// but is no longer logged in) and re-establishes it.
func TestFakeCheck(t *testing.T) {
	f := newFakeModule(t, "tok", fakePIN)
	tok, _, _ := openFake(t, f, nil)
	if err := tok.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fakeModule) { f.loggedIn = false })
	if err := tok.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := tok.Stats(); st.Reestablishes != 1 || st.Errors["login"] != 1 {
		t.Fatalf("stats %+v", st)
	}
	f.set(func(f *fakeModule) { f.loggedIn = false })
	if err := tok.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !f.loggedIn {
		t.Fatal("not logged in after Check")
	}
}
