package otp_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	st  *store.Store
	sec *otp.Secret
	svc *otp.Service
	clk *clock
}

func newFixture(t *testing.T, opts otp.Options) *fixture {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sec, err := otp.NewSecret([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now().UTC()}
	opts.Now = clk.now
	opts.Registry = prometheus.NewRegistry()
	opts.Logger = slog.New(slog.DiscardHandler)
	svc, err := otp.New(st, sec, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, sec: sec, svc: svc, clk: clk}
}

// codeOf reads the code the way the SMS gateway would get it: derived
// from the nonce of the newest SMS row (the row has no code).
func (f *fixture) codeOf(t *testing.T, challenge string) string {
	t.Helper()
	rows, err := f.st.OutboxPending(context.Background(), otp.SMSKind, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		var p otp.SMSPayload
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.Challenge != challenge {
			continue
		}
		if strings.Contains(string(r.Payload), `"code":`) {
			t.Fatalf("the SMS row carries a code: %s", r.Payload)
		}
		nonce, err := base64.StdEncoding.DecodeString(p.Nonce)
		if err != nil {
			t.Fatal(err)
		}
		return f.sec.Code(nonce)
	}
	t.Fatalf("no SMS row for challenge %s", challenge)
	return ""
}

func (f *fixture) head(t *testing.T) uint64 {
	t.Helper()
	seq, _, err := f.st.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func wantCode(t *testing.T, err error, code otp.Code) {
	t.Helper()
	var oe *otp.Error
	if !errors.As(err, &oe) || oe.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

const phone = "+79161234567"

func login(client string) otp.SendRequest {
	return otp.SendRequest{Purpose: otp.Login, Phone: phone, Client: client, Addr: "192.0.2.1", Actor: "test", Binding: sha256.Sum256([]byte("login"))}
}

func check(id, code, client string) otp.Check {
	return otp.Check{ID: id, Code: code, Purpose: otp.Login, Client: client, Binding: sha256.Sum256([]byte("login")),
		Audit: store.AuditEntry{Actor: "test", Action: "cabinet.login"}}
}

// TestCodeDerivation: codes are 6 digits, differ by nonce and secret,
// and spread over the digits (a broken reduction would not).
func TestCodeDerivation(t *testing.T) {
	a, _ := otp.NewSecret([]byte(strings.Repeat("a", 32)))
	b, _ := otp.NewSecret([]byte(strings.Repeat("b", 32)))
	if _, err := otp.NewSecret([]byte("short")); err == nil {
		t.Fatal("a short secret was taken")
	}
	seen := map[string]bool{}
	var first [10]int
	for i := 0; i < 5000; i++ {
		n := []byte(strconv.Itoa(i))
		c := a.Code(n)
		if !otp.ValidCode(c) || c == b.Code(n) && a.Code(n) != c {
			t.Fatalf("code %q", c)
		}
		if c != a.Code(n) {
			t.Fatal("not deterministic")
		}
		seen[c] = true
		first[c[0]-'0']++
	}
	if len(seen) < 4900 {
		t.Errorf("%d distinct codes of 5000", len(seen))
	}
	for d, n := range first {
		if n < 350 || n > 650 {
			t.Errorf("first digit %d drawn %d times of 5000", d, n)
		}
	}
	same := 0
	for i := 0; i < 100; i++ {
		if a.Code([]byte{byte(i)}) == b.Code([]byte{byte(i)}) {
			same++
		}
	}
	if same > 2 {
		t.Errorf("%d of 100 codes equal under two secrets", same)
	}
	if a.Verifier([]byte("id1"), "123456") == a.Verifier([]byte("id2"), "123456") {
		t.Error("the verifier does not bind the challenge id")
	}
}

// TestCodeLifecycle: the right code logs in once; reused, expired,
// wrong five times (then even the right code fails), too early, another
// client's — each refused, and none writes an audit entry.
func TestCodeLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, otp.Options{})
	sent, err := f.svc.Send(ctx, login("client-a"))
	if err != nil {
		t.Fatal(err)
	}
	code := f.codeOf(t, sent.ID)

	// Too early for a second code.
	h := f.head(t)
	_, err = f.svc.Send(ctx, login("client-a"))
	wantCode(t, err, otp.CodeTooEarly)
	if f.head(t) != h {
		t.Fatal("a refused send wrote an audit entry")
	}
	// Another client cannot use it.
	_, err = f.svc.Use(ctx, check(sent.ID, code, "client-b"))
	wantCode(t, err, otp.CodeUnknown)
	// The right code, once.
	if _, err := f.svc.Use(ctx, check(sent.ID, code, "client-a")); err != nil {
		t.Fatal(err)
	}
	if f.head(t) != h+1 {
		t.Fatal("the login wrote no audit entry")
	}
	_, err = f.svc.Use(ctx, check(sent.ID, code, "client-a"))
	wantCode(t, err, otp.CodeUsed)

	// After the pause, a new code; wrong five times, then the right one fails.
	f.clk.add(2 * time.Minute)
	sent, err = f.svc.Send(ctx, login("client-a"))
	if err != nil {
		t.Fatal(err)
	}
	code = f.codeOf(t, sent.ID)
	wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000)
	h = f.head(t)
	for i := 1; i <= 5; i++ {
		_, err = f.svc.Use(ctx, check(sent.ID, wrong, "client-a"))
		if i < 5 {
			wantCode(t, err, otp.CodeWrong)
		} else {
			wantCode(t, err, otp.CodeExhausted)
		}
	}
	_, err = f.svc.Use(ctx, check(sent.ID, code, "client-a"))
	wantCode(t, err, otp.CodeExhausted)
	if f.head(t) != h {
		t.Fatal("wrong codes wrote audit entries")
	}
	// A code bound to something else is a wrong code.
	f.clk.add(2 * time.Minute)
	sent, _ = f.svc.Send(ctx, login("client-a"))
	code = f.codeOf(t, sent.ID)
	h = f.head(t)
	c := check(sent.ID, code, "client-a")
	c.Binding = sha256.Sum256([]byte("another request"))
	_, err = f.svc.Use(ctx, c)
	wantCode(t, err, otp.CodeWrong)
	// Expired.
	f.clk.add(5 * time.Minute)
	_, err = f.svc.Use(ctx, check(sent.ID, code, "client-a"))
	wantCode(t, err, otp.CodeExpired)
	if f.head(t) != h {
		t.Fatal("a refused code wrote an audit entry")
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRateLimits: per phone, per client address and per number prefix;
// a refusal writes nothing, and the window's end lets codes go again.
func TestRateLimits(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, otp.Options{ResendAfter: time.Second, PerPhone: otp.Rate{Max: 2, Window: time.Hour},
		PerClient: otp.Rate{Max: 3, Window: time.Hour}, PerPrefix: otp.Rate{Max: 4, Window: time.Hour}, PrefixDigits: 4})
	send := func(ph, addr string) error {
		f.clk.add(time.Second)
		_, err := f.svc.Send(ctx, otp.SendRequest{Purpose: otp.Login, Phone: ph, Client: "c", Addr: addr, Actor: "test"})
		return err
	}
	for i := 0; i < 2; i++ {
		if err := send("+79160000001", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	limited := func(ph, addr string) {
		t.Helper()
		h := f.head(t)
		wantCode(t, send(ph, addr), otp.CodeRateLimited)
		if f.head(t) != h {
			t.Fatal("a rate-limited send wrote an audit entry")
		}
	}
	limited("+79160000001", "192.0.2.2")                      // per phone
	if err := send("+79160000002", "192.0.2.1"); err != nil { // third from .1
		t.Fatal(err)
	}
	limited("+79160000003", "192.0.2.1")                      // per address
	if err := send("+79160000003", "192.0.2.3"); err != nil { // fourth of prefix 9160
		t.Fatal(err)
	}
	limited("+79160000004", "192.0.2.4")                      // per prefix
	if err := send("+79170000004", "192.0.2.4"); err != nil { // another prefix
		t.Fatal(err)
	}
	f.clk.add(time.Hour)
	if err := send("+79160000004", "192.0.2.4"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// TestConcurrentUse: of many concurrent uses of one right code exactly
// one succeeds.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, otp.Options{})
	sent, err := f.svc.Send(ctx, login("c"))
	if err != nil {
		t.Fatal(err)
	}
	code := f.codeOf(t, sent.ID)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.svc.Use(ctx, check(sent.ID, code, "c")); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d uses succeeded, want 1", ok)
	}
}
