package pkcs11

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/softhsmtest"
)

// Tests against a real SoftHSM2 token. SoftHSM has no GOST mechanisms, so
// these use ECDSA keys; the GOST paths run against the fake token
// (fakeops_test.go). Without SoftHSM the tests skip, except under CI=true
// where they fail.

// softHSM is a SoftHSM2 set-up private to one test (see softhsmtest).
type softHSM struct{ *softhsmtest.Token }

func newSoftHSM(t testing.TB, label string) *softHSM {
	t.Helper()
	return &softHSM{softhsmtest.New(t, label)}
}

func (h *softHSM) config(t testing.TB) Config {
	log, _ := testLogger(t)
	return Config{
		Module:     h.Lib,
		TokenLabel: h.Label,
		PIN:        hsm.SecretSource{File: h.PINFile},
		Logger:     log,
	}
}

func (h *softHSM) open(t testing.TB, mutate func(*Config)) *Token {
	t.Helper()
	cfg := h.config(t)
	if mutate != nil {
		mutate(&cfg)
	}
	tok, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Close() })
	return tok
}

// otherContext is a second Cryptoki context on the same library in this
// process: another part of the application, or the test, acting on the
// token behind the pool's back.
func otherContext(t testing.TB, lib string) *p11.Ctx {
	t.Helper()
	c := p11.New(lib)
	if c == nil {
		t.Fatalf("load %s", lib)
	}
	if err := c.Initialize(); err != nil && !isCode(err, p11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		t.Fatal(err)
	}
	t.Cleanup(c.Destroy)
	return c
}

// behindTheBack runs kill on the token while no call of tok is in flight.
// SoftHSM frees a session's memory when it is closed, even while another
// thread is inside a call on it; a network HSM answers such a call with an
// error instead. Holding the module lock for writing keeps that SoftHSM
// crash out of the test: the pool's goroutines block, the sessions die
// under them, and they meet the failure on their next call.
func behindTheBack(tok *Token, kill func(slot uint)) {
	tok.mod.mu.Lock()
	defer tok.mod.mu.Unlock()
	kill(tok.slot)
}

func TestSoftHSMSignECDSA(t *testing.T) {
	softhsmtest.Need(t, "softhsm2-util", "pkcs11-tool")
	h := newSoftHSM(t, "gostca-sign")
	// A key made by another tool, before the process opens the token.
	h.Run(t, "pkcs11-tool", "--module", h.Lib, "--token-label", h.Label, "--login", "--pin", softhsmtest.PIN,
		"--keypairgen", "--key-type", "EC:prime256v1", "--label", "tool-key", "--id", "0a0b")

	tok := h.open(t, func(c *Config) { c.Sessions = 4 })
	ctx := context.Background()
	ca, err := tok.GenerateKey(ctx, KeyGen{Label: "ca-key", Curve: mustCurve(t, "P-256")})
	if err != nil {
		t.Fatal(err)
	}
	ocsp, err := tok.GenerateKey(ctx, KeyGen{Label: "ocsp-key", ID: []byte{0x55}, Curve: mustCurve(t, "P-384")})
	if err != nil {
		t.Fatal(err)
	}
	tool, err := tok.Key(ctx, KeySpec{Label: "tool-key"})
	if err != nil {
		t.Fatal(err)
	}
	toolByID, err := tok.Key(ctx, KeySpec{ID: []byte{0x0a, 0x0b}})
	if err != nil || !hsm.SamePublicKey(tool.Public(), toolByID.Public()) {
		t.Fatalf("tool key by ID: %v", err)
	}
	if tool.Algorithm() != hsm.ECDSAP256 || ocsp.Algorithm() != hsm.ECDSAP384 {
		t.Fatalf("algorithms %v %v", tool.Algorithm(), ocsp.Algorithm())
	}
	if _, err := tok.GenerateKey(ctx, KeyGen{Label: "tool-key", Curve: mustCurve(t, "P-256")}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate label: %v", err)
	}

	// The generated private keys are sensitive and never extractable.
	for _, k := range []*Key{ca, ocsp} {
		err := tok.do(ctx, nil, func(s *session) error {
			h, err := k.priv.get(s, func() (p11.ObjectHandle, error) { return k.find(s) })
			if err != nil {
				return err
			}
			attrs, err := tok.mod.api.GetAttributeValue(s.h, h, []*p11.Attribute{
				p11.NewAttribute(p11.CKA_SENSITIVE, nil),
				p11.NewAttribute(p11.CKA_EXTRACTABLE, nil),
				p11.NewAttribute(p11.CKA_ALWAYS_SENSITIVE, nil),
				p11.NewAttribute(p11.CKA_NEVER_EXTRACTABLE, nil),
				p11.NewAttribute(p11.CKA_PRIVATE, nil),
				p11.NewAttribute(p11.CKA_TOKEN, nil),
			})
			if err != nil {
				return err
			}
			for i, want := range []bool{true, false, true, true, true, true} {
				if attrBool(attrs[i]) != want {
					return fmt.Errorf("attribute 0x%X = %v, want %v", attrs[i].Type, attrBool(attrs[i]), want)
				}
			}
			_, err = tok.mod.api.GetAttributeValue(s.h, h, []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil)})
			if !isCode(err, p11.CKR_ATTRIBUTE_SENSITIVE) {
				return fmt.Errorf("reading CKA_VALUE of the private key: %v, want CKR_ATTRIBUTE_SENSITIVE", err)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", k.Spec(), err)
		}
	}

	// The whole pool, from more goroutines than sessions.
	keys := []*Key{ca, ocsp, tool}
	var wg sync.WaitGroup
	var signed atomic.Int64
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				k := keys[(g+i)%len(keys)]
				d := digestFor(k.Algorithm(), fmt.Appendf(nil, "tbs %d %d", g, i))
				sig, err := k.Sign(ctx, d)
				if err != nil {
					t.Error(err)
					return
				}
				if !ecdsa.VerifyASN1(k.Public().(*ecdsa.PublicKey), d, sig) {
					t.Errorf("%s: signature does not verify", k.Spec())
					return
				}
				signed.Add(1)
			}
		})
	}
	wg.Wait()
	st := tok.Stats()
	if st.Signs != uint64(signed.Load()) || signed.Load() != 640 || st.SessionOpens != 4 || st.Reestablishes != 0 {
		t.Fatalf("stats %+v", st)
	}
	for kind, n := range st.Errors {
		if want := map[string]uint64{"other": 1}[kind]; n != want { // other: the duplicate label
			t.Errorf("%d %s errors, want %d", n, kind, want)
		}
	}
	t.Logf("640 signatures over 4 sessions: wait mean %v max %v, sign mean %v", st.Wait.Mean(), st.Wait.Max, st.SignTime.Mean())

	// Through the crypto.Signer adapter.
	d := digestFor(hsm.ECDSAP256, []byte("adapter"))
	sig, err := hsm.AsSigner(ca).Sign(nil, d, nil)
	if err != nil || !ecdsa.VerifyASN1(ca.Public().(*ecdsa.PublicKey), d, sig) {
		t.Fatalf("AsSigner: %v", err)
	}

	// The keys persist: a new process (here: a new Token after the last one
	// closed, which finalises the library) finds them.
	pub := ca.Public()
	tok.Close()
	tok2 := h.open(t, nil)
	again, err := tok2.Key(ctx, KeySpec{Label: "ca-key"})
	if err != nil || !hsm.SamePublicKey(pub, again.Public()) {
		t.Fatalf("reloaded CA key: %v", err)
	}
	signAndVerify(t, again, "after reopen")
	// A pair made and deleted again (what a failed init does) is gone.
	tmp, err := tok2.GenerateKey(ctx, KeyGen{Label: "tmp-key", Curve: mustCurve(t, "P-256")})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tok2.DeleteKeyPair(ctx, tmp.Spec()); err != nil || n != 2 {
		t.Fatalf("delete: %d objects, %v", n, err)
	}
	if _, err := tok2.Key(ctx, KeySpec{Label: "tmp-key"}); err == nil {
		t.Fatal("the deleted key is still on the token")
	}
}

// TestSoftHSMRecovery kills the pool's sessions from a second Cryptoki
// context in the middle of concurrent signing, repeatedly, and requires
// that no call fails, every signature verifies, and the pool recovers on
// its own (no restart of the process or of the Token).
// recoveryKills is how many times TestSoftHSMRecovery pulls the token
// from under the pool in each scenario.
const recoveryKills = 5

func TestSoftHSMRecovery(t *testing.T) {
	scenarios := []struct {
		name        string
		kill        func(t *testing.T, other *p11.Ctx, slot uint)
		wantRestart bool
	}{
		{"C_CloseAllSessions", func(t *testing.T, other *p11.Ctx, slot uint) {
			if err := other.CloseAllSessions(slot); err != nil {
				t.Error(err)
			}
		}, false},
		{"C_Logout", func(t *testing.T, other *p11.Ctx, slot uint) {
			s, err := other.OpenSession(slot, p11.CKF_SERIAL_SESSION)
			if err != nil {
				t.Error(err)
				return
			}
			if err := other.Logout(s); err != nil {
				t.Error(err)
			}
			if err := other.CloseSession(s); err != nil {
				t.Error(err)
			}
		}, false},
		{"C_Finalize+C_Initialize", func(t *testing.T, other *p11.Ctx, slot uint) {
			if err := other.Finalize(); err != nil {
				t.Error(err)
			}
			if err := other.Initialize(); err != nil {
				t.Error(err)
			}
		}, false},
		{"C_Finalize", func(t *testing.T, other *p11.Ctx, slot uint) {
			if err := other.Finalize(); err != nil {
				t.Error(err)
			}
		}, true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			h := newSoftHSM(t, "gostca-recovery")
			// Each kill spoils one generation, so a call fails at most once
			// per kill; with more attempts than kills no call can run out of
			// them however the scheduler starves it (CI hit that with 4).
			tok := h.open(t, func(c *Config) { c.Sessions = 3; c.MaxAttempts = recoveryKills + 2 })
			ctx := context.Background()
			k, err := tok.GenerateKey(ctx, KeyGen{Label: "ca-key", Curve: mustCurve(t, "P-256")})
			if err != nil {
				t.Fatal(err)
			}
			pub := k.Public().(*ecdsa.PublicKey)
			other := otherContext(t, h.Lib)

			var stop atomic.Bool
			var signed, bad atomic.Int64
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for i := 0; !stop.Load(); i++ {
						d := digestFor(hsm.ECDSAP256, fmt.Appendf(nil, "%d/%d", g, i))
						sig, err := k.Sign(ctx, d)
						if err != nil {
							t.Errorf("goroutine %d: %v", g, err)
							return
						}
						if !ecdsa.VerifyASN1(pub, d, sig) {
							bad.Add(1)
						}
						signed.Add(1)
					}
				})
			}
			const kills = recoveryKills
			for i := range kills + 1 {
				last := signed.Load()
				if !eventually(t, 20*time.Second, time.Millisecond, func() bool { return signed.Load() >= last+20 || t.Failed() }) || t.Failed() {
					stop.Store(true)
					wg.Wait()
					t.Fatalf("no progress after kill %d", i)
				}
				if i < kills {
					behindTheBack(tok, func(slot uint) { sc.kill(t, other, slot) })
				}
			}
			stop.Store(true)
			wg.Wait()
			st := tok.Stats()
			t.Logf("%d signatures, %d kills: reestablishes %d, module restarts %d, session opens %d, errors %v",
				signed.Load(), kills, st.Reestablishes, st.ModuleRestarts, st.SessionOpens, st.Errors)
			if bad.Load() != 0 {
				t.Fatalf("%d signatures did not verify", bad.Load())
			}
			if st.Reestablishes < kills || st.Breaker != BreakerClosed {
				t.Fatalf("stats %+v", st)
			}
			if sc.wantRestart && st.ModuleRestarts < kills {
				t.Fatalf("module restarted %d times for %d finalisations", st.ModuleRestarts, kills)
			}
			if err := tok.Check(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSoftHSMOpenErrors(t *testing.T) {
	h := newSoftHSM(t, "gostca-errors")
	ctx := context.Background()
	notLib := filepath.Join(t.TempDir(), "libnot-pkcs11.so")
	if err := os.WriteFile(notLib, []byte("not a shared object"), 0o644); err != nil {
		t.Fatal(err)
	}
	wrongPIN := "Wrong-Pin-1234"
	cases := []struct {
		name   string
		mutate func(*Config)
		want   []string
	}{
		{"wrong PIN", func(c *Config) { c.PIN = hsm.SecretSource{File: softhsmtest.WritePIN(t, wrongPIN)} },
			[]string{`token "gostca-errors" refused the PIN as incorrect`, "CKR_PIN_INCORRECT", "PIN from file"}},
		{"missing token", func(c *Config) { c.TokenLabel = "no-such-token" },
			[]string{`token "no-such-token" not found in module`, `"gostca-errors" in slot`}},
		{"missing module", func(c *Config) { c.Module = filepath.Join(t.TempDir(), "libmissing.so") },
			[]string{"libmissing.so", "no such file or directory"}},
		{"not a module", func(c *Config) { c.Module = notLib },
			[]string{"could not be loaded"}},
		{"PIN variable unset", func(c *Config) { c.PIN = hsm.SecretSource{Env: "GOSTCA_TEST_UNSET_PIN"} },
			[]string{"environment variable GOSTCA_TEST_UNSET_PIN is not set"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := h.config(t)
			c.mutate(&cfg)
			tok, err := Open(ctx, cfg)
			if err == nil {
				tok.Close()
				t.Fatal("opened")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			noSecret(t, wrongPIN, err.Error())
			noSecret(t, softhsmtest.PIN, err.Error())
		})
	}
	// The PIN from the environment works, and the failed attempts above
	// left the token usable (one wrong PIN is not a lock-out).
	t.Setenv("GOSTCA_TEST_HSM_PIN", softhsmtest.PIN)
	tok := h.open(t, func(c *Config) { c.PIN = hsm.SecretSource{Env: "GOSTCA_TEST_HSM_PIN"} })
	if err := tok.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSoftHSMBreaker takes the token away (the library finalised and the
// token's directory gone), checks that calls fail fast with a clear error
// while it is away, brings it back and checks that the pool recovers by
// itself after the probe interval.
func TestSoftHSMBreaker(t *testing.T) {
	h := newSoftHSM(t, "gostca-breaker")
	tok := h.open(t, func(c *Config) { c.Sessions = 2; c.ProbeInterval = 50 * time.Millisecond })
	ctx := context.Background()
	k, err := tok.GenerateKey(ctx, KeyGen{Label: "ca-key", Curve: mustCurve(t, "P-256")})
	if err != nil {
		t.Fatal(err)
	}
	signAndVerify(t, k, "before")
	other := otherContext(t, h.Lib)

	away := h.Tokens + ".away"
	behindTheBack(tok, func(uint) {
		if err := other.Finalize(); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(h.Tokens, away); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(h.Tokens, 0o700); err != nil {
			t.Fatal(err)
		}
	})

	d := digestFor(hsm.ECDSAP256, []byte("while down"))
	_, err = k.Sign(ctx, d)
	if !errors.Is(err, hsm.ErrUnavailable) || !strings.Contains(err.Error(), `token "gostca-breaker" not found`) {
		t.Fatalf("first failure: %v", err)
	}
	t.Logf("first failure: %v", err)
	// Calls while the token is away are refused by the breaker, without
	// touching the library, except for one probe per interval.
	for i := 0; tok.Stats().FastFails < 50; i++ {
		if i > 1_000_000 {
			t.Fatal("no fast failures")
		}
		_, err := k.Sign(ctx, d)
		if !errors.Is(err, hsm.ErrUnavailable) || !strings.Contains(err.Error(), "circuit breaker open") {
			t.Fatalf("while down: %v", err)
		}
	}
	if err := tok.Check(ctx); !errors.Is(err, hsm.ErrUnavailable) {
		t.Fatalf("Check while down: %v", err)
	}
	st := tok.Stats()
	if st.Breaker == BreakerClosed || st.BreakerTrips != 1 || !strings.Contains(st.BreakerLastErr, "not found") {
		t.Fatalf("stats while down: %+v", st)
	}

	// Bring the token back.
	if err := os.Remove(h.Tokens); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(away, h.Tokens); err != nil {
		t.Fatal(err)
	}
	var last error
	recovered := eventually(t, 20*time.Second, 10*time.Millisecond, func() bool {
		_, last = k.Sign(ctx, d)
		if last != nil && !errors.Is(last, hsm.ErrUnavailable) {
			t.Fatalf("during recovery: %v", last)
		}
		return last == nil
	})
	if !recovered {
		t.Fatalf("no recovery: %v", last)
	}
	signAndVerify(t, k, "after")
	st = tok.Stats()
	t.Logf("recovered: probes %d, fast fails %d, module restarts %d", st.BreakerProbes, st.FastFails, st.ModuleRestarts)
	if st.Breaker != BreakerClosed || st.BreakerProbes < 1 || st.BreakerTrips != 1 || st.ModuleRestarts < 2 {
		t.Fatalf("stats after recovery: %+v", st)
	}
}

// BenchmarkPKCS11SignECDSA: ECDSA P-256 signatures on SoftHSM through a
// pool of 2 sessions, from parallel goroutines.
func BenchmarkPKCS11SignECDSA(b *testing.B) {
	h := newSoftHSM(b, "gostca-bench")
	tok := h.open(b, func(c *Config) { c.Sessions = 2 })
	ctx := context.Background()
	k, err := tok.GenerateKey(ctx, KeyGen{Label: "bench", Curve: mustCurve(b, "P-256")})
	if err != nil {
		b.Fatal(err)
	}
	d := digestFor(hsm.ECDSAP256, []byte("tbs"))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := k.Sign(ctx, d); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	st := tok.Stats()
	b.ReportMetric(float64(st.Wait.Mean())/float64(time.Microsecond), "µs-wait/op")
}
